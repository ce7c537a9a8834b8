"""Build benchmark: `kg build` on synthetic corpora of 10, 100 and 1,000 issues (see
bench/corpus.py), against the floor of spaCy's bare `nlp.pipe` over the same item texts
with the same model. Run by hand; prints figures (not a test).

    .venv/bin/python bench/build_bench.py                       # 10, 100, 1000 issues
    .venv/bin/python bench/build_bench.py --sizes 10,100 --workers 1,2
    .venv/bin/python bench/build_bench.py --sizes 1000 --workers 1 --repeat 3  # medians of 3

For each size, in fresh processes (so that peak memory is the build's own):
  * full build (empty output folder): wall time, items/s, peak RSS, triples written;
  * floor: `nlp.pipe` of every item text through the bare model (en: the statistical model
    with the components kg excludes also excluded, no gazetteer matcher; zh: spacy.blank("zh")),
    model load time reported apart;
  * with --repeat N, the two alternate N times each and the run of median CPU time is shown;
  * incremental build: the same output folder, one new issue added;
  * the full build again with each --workers N > 1.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (worker processes)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


# --- one measurement, in a child process --------------------------------------------------

def child_build(corpus: str, out: str, model: str, workers: int) -> dict:
    from kg.build import build
    t, c = time.perf_counter(), cpu_seconds()
    res = build([corpus], out, model=model, workers=workers)
    dt, dc = time.perf_counter() - t, cpu_seconds() - c
    return {"seconds": dt, "cpu_seconds": dc, "issues": res.issues, "items": res.items, "triples": res.triples,
            "extracted": getattr(res, "extracted", res.issues), "reused": getattr(res, "reused", 0),
            "model": res.model, "peak_mb": peak_mb()}


def child_floor(corpus: str, model: str) -> dict:
    import warnings

    import spacy

    from kg.build import read_issues
    from kg.extract import BATCH_ITEMS
    from kg.nlp import resolve_model
    from kg.model import NON_NEWS_KINDS
    issues = read_issues([corpus])
    # the texts the build runs through spaCy: not its sponsor and boilerplate blocks
    news = [it for iss in issues for it in iss.items if it.kind not in NON_NEWS_KINDS]
    en = [it.text for it in news if it.lang != "zh"]
    zh = [it.text for it in news if it.lang == "zh"]
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nlp_en, name = resolve_model(model)
    if nlp_en is None:
        nlp_en = spacy.blank("en")
    nlp_zh = spacy.blank("zh")
    load = time.perf_counter() - t
    t, c = time.perf_counter(), cpu_seconds()
    for _ in nlp_en.pipe(en, batch_size=BATCH_ITEMS):  # the batch size kg's build uses
        pass
    for _ in nlp_zh.pipe(zh, batch_size=BATCH_ITEMS):
        pass
    dt, dc = time.perf_counter() - t, cpu_seconds() - c
    return {"seconds": dt, "cpu_seconds": dc, "load_seconds": load, "items": len(en) + len(zh), "model": name,
            "peak_mb": peak_mb(), "en_words": sum(len(t.split()) for t in en),
            "zh_chars": sum(len(t) - t.count(" ") for t in zh)}


def run_child(*args: str) -> dict:
    p = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"child {args} failed:\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


# --- driver -------------------------------------------------------------------------------

def median_run(runs: list[dict]) -> dict:
    """The run of median CPU time, with the spread of all runs' CPU times."""
    ordered = sorted(runs, key=lambda r: r["cpu_seconds"])
    mid = dict(ordered[(len(ordered) - 1) // 2])
    mid["cpu_runs"] = [round(r["cpu_seconds"], 2) for r in runs]
    return mid


def bench(sizes: list[int], workers: list[int], model: str, keep: bool, repeat: int = 1) -> list[dict]:
    from corpus import write_corpus

    base = Path(tempfile.mkdtemp(prefix="kg-build-bench-"))
    rows = []
    try:
        for n in sizes:
            corpus = base / f"corpus-{n}"
            write_corpus(corpus, n)
            # the full build and the floor alternate, `repeat` times each, and the medians
            # are reported: the machine's speed drifts by a few percent between runs
            fulls, floors = [], []
            for k in range(repeat):
                out = base / f"out-{n}-{k}"
                fulls.append(run_child("build", str(corpus), str(out), model, "1"))
                floors.append(run_child("floor", str(corpus), model))
                if k < repeat - 1:
                    shutil.rmtree(out, ignore_errors=True)
            full, floor = median_run(fulls), median_run(floors)
            # each build beside the floor run right after it: the ratio the drift disturbs least
            ratios = sorted(b["cpu_seconds"] / f["cpu_seconds"] for b, f in zip(fulls, floors))
            full["cpu_ratio_median"] = ratios[(len(ratios) - 1) // 2] if len(ratios) % 2 else \
                (ratios[len(ratios) // 2 - 1] + ratios[len(ratios) // 2]) / 2
            full["cpu_ratios"] = [round(r, 3) for r in ratios]
            # incremental: one more issue (the next one the generator makes) in the same folder
            extra = base / f"extra-{n}"
            write_corpus(extra, n + 1)
            last = sorted(extra.glob("*.txt"))[-1]
            shutil.copy(last, corpus / last.name)
            inc = run_child("build", str(corpus), str(out), model, "1")
            row = {"issues": n, "full": full, "floor": floor, "incremental": inc, "workers": {}}
            for w in workers:
                if w != 1:
                    (corpus / last.name).unlink()
                    row["workers"][w] = run_child("build", str(corpus), str(base / f"out-{n}-w{w}"), model, str(w))
                    shutil.copy(last, corpus / last.name)
            rows.append(row)
            report_row(row)
    finally:
        if keep:
            print(f"(kept {base})")
        else:
            shutil.rmtree(base, ignore_errors=True)
    return rows


def report_row(r: dict) -> None:
    f, fl, inc = r["full"], r["floor"], r["incremental"]
    print(f"\n== {r['issues']} issues, {f['items']} items (model {f['model'] or 'none'}) ==")
    print(f"full build       {f['seconds']:8.2f} s  {f['items'] / f['seconds']:8.0f} items/s  "
          f"(CPU {f['cpu_seconds']:.2f} s)  "
          f"peak {f['peak_mb']:6.0f} MB  {f['triples']} triples")
    if len(f["cpu_runs"]) > 1:
        print(f"  (median of {len(f['cpu_runs'])}; CPU of each run: build {f['cpu_runs']}, floor {fl['cpu_runs']}; "
              f"build / floor CPU of each pair: {f['cpu_ratios']}, median {f['cpu_ratio_median']:.3f})")
    print(f"floor nlp.pipe   {fl['seconds']:8.2f} s  {fl['items'] / fl['seconds']:8.0f} items/s  "
          f"(CPU {fl['cpu_seconds']:.2f} s)  "
          f"(+ {fl['load_seconds']:.2f} s model load; peak {fl['peak_mb']:.0f} MB)")
    print(f"build / floor    {f['seconds'] / fl['seconds']:8.2f} x   "
          f"(CPU time: {f['cpu_seconds'] / fl['cpu_seconds']:.2f} x; "
          f"with model load in both: {f['seconds'] / (fl['seconds'] + fl['load_seconds']):.2f} x)")
    words = fl["en_words"] + fl["zh_chars"]
    print(f"text             {fl['en_words']} English words, {fl['zh_chars']} Chinese characters: "
          f"{words / f['cpu_seconds']:.0f} words and characters per CPU second of the full build "
          f"({words / fl['cpu_seconds']:.0f} for the floor)")
    print(f"incremental +1   {inc['seconds']:8.2f} s  = {100 * inc['seconds'] / f['seconds']:.1f}% of the full build "
          f"({inc['extracted']} extracted, {inc['reused']} reused)")
    for w, x in r["workers"].items():
        print(f"--workers {w:<6} {x['seconds']:8.2f} s  {x['items'] / x['seconds']:8.0f} items/s  "
              f"(CPU {x['cpu_seconds']:.2f} s)  "
              f"peak {x['peak_mb']:6.0f} MB (main process)")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, args = sys.argv[2], sys.argv[3:]
        if kind == "build":
            out = child_build(args[0], args[1], args[2], int(args[3]))
        else:
            out = child_floor(args[0], args[1])
        print(json.dumps(out))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10,100,1000", help="corpus sizes in issues (default 10,100,1000)")
    ap.add_argument("--workers", default="1,2", help="worker counts to time the full build with (default 1,2)")
    ap.add_argument("--model", default="auto", help="spaCy model, as kg build --model (default auto)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the full build and the floor this many times each, alternating, and report medians")
    ap.add_argument("--keep", action="store_true", help="keep the corpora and outputs")
    ap.add_argument("--json", default=None, help="also write the figures to this JSON file")
    a = ap.parse_args()
    print(f"kg build benchmark: {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    rows = bench([int(x) for x in a.sizes.split(",")], [int(x) for x in a.workers.split(",")], a.model, a.keep,
                 max(1, a.repeat))
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
