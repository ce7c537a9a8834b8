"""Benchmark for `kg viz` on corpora from bench/corpus.py: the default page (the entity map)
of a 1,000-issue build and the full view (--all) of a 100-issue build. Prints figures.

    .venv/bin/python bench/viz_bench.py [--issues 1000] [--full-issues 100] [--repeat 3]
                                        [--runs 3] [--model auto|none|NAME] [--keep DIR]

For each size the corpus is written and built once (`kg build`, kept in --keep DIR and
reused when it is there). Then `kg viz` runs --repeat times, each in a fresh process
(`kg.cli.main`, imports included): wall time, CPU time (user + system) and the process's
peak RSS; the page size. Each page is opened --runs times in headless Chromium from
file:// with every other request aborted: time to interactive is navigation start to
`window.kgReady`, which the page sets on the first drawing of the network with its data
and labels; then, in the page, how long a click (the panel with its charts), a search
that brings in an entity (the least-mentioned one) and a change of period take.
Figures are medians (peak RSS: the largest).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from offline_page import CHROMIUM_ARGS, open_offline  # noqa: E402

# run in a fresh process: kg viz through the CLI, then its own CPU time and peak RSS
CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from kg.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="kg", standalone_mode=False)
finally:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"in_process_s": time.perf_counter() - t0, "cpu_s": ru.ru_utime + ru.ru_stime,
                      "rss_mb": ru.ru_maxrss / 1024}), file=sys.stderr)
"""

# in the page: how long the synchronous work of a click, a search and a period change takes
INTERACT = """() => {
  const g = window.kgGraph, d = g.data, out = {};
  const drawn = g.drawnIds();
  const top = drawn.reduce((a, b) => d.nodes[b].m > d.nodes[a].m ? b : a, drawn[0]);
  let t = performance.now(); g.select(top); out.click_ms = performance.now() - t;
  out.chart_points = document.querySelectorAll('#kg-panel circle.kg-pt').length;
  const rare = d.nodes.reduce((a, n, i) => (d.nodes[a].m > n.m ? i : a), 0);
  t = performance.now(); g.pick(d.nodes[rare].label); out.search_ms = performance.now() - t;
  const dates = d.dates.filter(x => x.length === 10);
  const mid = dates[Math.floor(dates.length / 2)] || null;
  t = performance.now(); g.setPeriod(dates[0] || null, mid); out.period_ms = performance.now() - t;
  out.drawn_in_period = g.nodeCount;
  return out;
}"""


def built(folder: Path, n: int, model: str) -> Path:
    """folder/graph-N/graph.ttl, written and built unless it is there."""
    out = folder / f"build-{n}"
    graph = out / "graph.ttl"
    if graph.is_file():
        return graph
    from corpus import write_corpus
    corpus = folder / f"corpus-{n}"
    if not corpus.is_dir():
        write_corpus(corpus, n)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg.cli", "build", str(corpus), "-o", str(out), "-q", "--model", model],
                   check=True, cwd=ROOT)
    print(f"built {n} issues in {time.perf_counter() - t:.1f} s ({graph.stat().st_size / 1e6:.1f} MB of Turtle)",
          flush=True)
    return graph


def write_page(graph: Path, html: Path, extra: list[str], repeat: int) -> dict:
    walls, cpus, rss, line = [], [], [], ""
    for _ in range(repeat):
        t = time.perf_counter()
        p = subprocess.run([sys.executable, "-c", CHILD, "viz", "-b", str(graph.parent), "-o", str(html), *extra],
                           cwd=ROOT, capture_output=True, text=True)
        walls.append(time.perf_counter() - t)
        if p.returncode != 0:
            raise SystemExit(f"kg viz failed: {p.stderr.strip()}")
        stats = json.loads(p.stderr.strip().splitlines()[-1])
        cpus.append(stats["cpu_s"])
        rss.append(stats["rss_mb"])
        line = p.stdout.strip()
    return {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus), "rss_mb": max(rss),
            "mb": html.stat().st_size / 1e6, "summary": line}


def in_browser(browser, html: Path, runs: int) -> dict:
    tti, inter = [], []
    for _ in range(runs):
        opened = open_offline(browser, html, {"width": 1400, "height": 900}, 120000)
        tti.append(opened.page.evaluate("window.kgReady"))
        drawn = opened.page.evaluate("window.kgGraph.nodeCount")
        labels = len(opened.page.evaluate("window.kgGraph.labels()"))
        top10 = opened.page.evaluate("""() => {         // of the ten most-mentioned drawn, how many are labelled
          const g = window.kgGraph, ids = g.drawnIds().sort((a, b) => g.node(b).m - g.node(a).m).slice(0, 10);
          const lab = new Set(g.labels().map(l => l.id));
          return ids.filter(i => lab.has(i)).length; }""")
        inter.append(opened.page.evaluate(INTERACT))
        errors, asked = list(opened.errors), list(opened.attempted)
        opened.close()
        if errors or asked:
            raise SystemExit(f"the page failed: errors {errors[:3]}, requests {asked[:3]}")
    med = {k: statistics.median(r[k] for r in inter) for k in inter[0]}
    return {"tti_ms": statistics.median(tti), "tti_max_ms": max(tti), "drawn": drawn, "labels": labels,
            "top10": top10, **med}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--issues", type=int, default=1000, help="Issues in the corpus for the default page.")
    ap.add_argument("--full-issues", type=int, default=100, help="Issues in the corpus for --all (0: skip).")
    ap.add_argument("--repeat", type=int, default=3, help="Fresh kg viz processes per page.")
    ap.add_argument("--runs", type=int, default=3, help="Page loads in Chromium per page.")
    ap.add_argument("--model", default="auto", help="kg build --model for the builds (auto: the English model "
                    "when it is installed; none: rules only).")
    ap.add_argument("--keep", default=None, help="Folder to keep (and reuse) corpora, builds and pages in.")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    folder = Path(a.keep or tempfile.mkdtemp(prefix="kg-viz-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    cases = [(a.issues, "default (entity map)", [])]
    if a.full_issues:
        cases.append((a.full_issues, "--all (full view)", ["--all"]))
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=a.chromium, args=CHROMIUM_ARGS)
        for n, name, extra in cases:
            graph = built(folder, n, a.model)
            html = folder / f"page-{n}{'-all' if extra else ''}.html"
            w = write_page(graph, html, extra, a.repeat)
            b = in_browser(browser, html, a.runs)
            rows.append((n, name, w, b))
            print(f"{n} issues, {name}: {w['summary']}; first view: {b['labels']} labels, "
                  f"{b['top10']} of the 10 most-mentioned labelled", flush=True)
        browser.close()
    print()
    print(f"{'issues':>6}  {'page':<22} {'write s':>7} {'CPU s':>6} {'peak MB':>7} {'page MB':>7} {'drawn':>6} "
          f"{'TTI ms':>7} {'click ms':>8} {'search ms':>9} {'period ms':>9}")
    for n, name, w, b in rows:
        print(f"{n:>6}  {name:<22} {w['wall_s']:>7.2f} {w['cpu_s']:>6.2f} {w['rss_mb']:>7.0f} {w['mb']:>7.2f} "
              f"{b['drawn']:>6} {b['tti_ms']:>7.0f} {b['click_ms']:>8.0f} {b['search_ms']:>9.0f} {b['period_ms']:>9.0f}")
    print(f"(write: `kg viz` in a fresh process, median of {a.repeat}; peak MB: the largest peak RSS; TTI: "
          f"navigation start to the first drawing with labels, median of {a.runs} loads in headless Chromium; "
          f"click: the panel of the most-mentioned entity with its charts; search: bringing in the least-mentioned "
          f"entity; period: the first half of the dates; files in {folder})")


if __name__ == "__main__":
    main()
