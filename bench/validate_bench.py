"""Validation benchmark: `kg validate` (the oxigraph engine, kg/shacl.py) against the build
that made the graph, and against pyshacl. Run by hand; prints figures (not a test).

    .venv/bin/python bench/validate_bench.py                      # 1,000 issues: build, then validate
    .venv/bin/python bench/validate_bench.py --issues 100 --pyshacl
    .venv/bin/python bench/validate_bench.py --build /tmp/b1000   # an existing build (no build timing)

For a synthetic corpus (bench/corpus.py) of N issues, in fresh processes:
  * build: `kg build CORPUS -o OUT -q` (wall and CPU time, default model);
  * validate, cold: `kg validate -b OUT -q` on a build without a query store (it loads
    and compacts OUT/store/ first, as the first `kg query` does);
  * validate, warm: the same again (the store is there);
  * the slowest checks (one SPARQL query each), timed in this process;
  * with --pyshacl: pyshacl on the same graph (minutes: about 2-3 ms per triple), and
    whether both engines report the same results.
The target (issue 17): a 1,000-issue build (~600k triples) validated in at most twice its
build time.
"""
from __future__ import annotations

import argparse
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
KG = [sys.executable, "-m", "kg.cli"]


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the child, its stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, p.stdout


def slowest(out: Path, n: int = 8) -> list[tuple[float, str]]:
    from kg.query import open_store
    from kg.shacl import compile_checks
    from kg.validate import load_shapes

    store = open_store(out)
    sg, _ = load_shapes()
    times = []
    for c in compile_checks(sg, store):
        t = time.perf_counter()
        list(store.query(c.query))
        label = f"{(c.shape.iri or '').rsplit('#', 1)[-1] or '[]'} {c.shape.path_text or ''} {c.component}"
        times.append((time.perf_counter() - t, label.replace("https://w3id.org/newskg/ontology#", "kg:")))
    times.sort(reverse=True)
    return [(sum(t for t, _ in times), f"all {len(times)} checks")] + times[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--issues", type=int, default=1000, help="corpus size in issues (default 1000)")
    ap.add_argument("--build", default=None, help="validate this existing build instead (no build timing)")
    ap.add_argument("--model", default="auto", help="kg build --model (default auto)")
    ap.add_argument("--pyshacl", action="store_true", help="also time pyshacl and compare the results")
    ap.add_argument("--keep", action="store_true", help="keep the corpus and the build")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kg-validate-bench-"))
    try:
        if args.build:
            out = Path(args.build)
            build_wall = build_cpu = None
        else:
            from corpus import write_corpus
            corpus, out = tmp / "corpus", tmp / "out"
            write_corpus(corpus, args.issues)
            build_wall, build_cpu, _ = timed(KG + ["build", str(corpus), "-o", str(out), "-q", "--model", args.model])
        shutil.rmtree(out / "store", ignore_errors=True)
        (out / "store.stamp").unlink(missing_ok=True)
        cold_wall, cold_cpu, text = timed(KG + ["validate", "-b", str(out), "-q"])
        warm_wall, warm_cpu, text = timed(KG + ["validate", "-b", str(out), "-q"])
        print(text.strip().splitlines()[-1])
        if build_cpu is not None:
            print(f"build            {build_wall:7.1f} s wall {build_cpu:7.1f} s CPU")
        print(f"validate (cold)  {cold_wall:7.1f} s wall {cold_cpu:7.1f} s CPU   (loads and compacts the store)")
        print(f"validate (warm)  {warm_wall:7.1f} s wall {warm_cpu:7.1f} s CPU")
        if build_cpu:
            print(f"validate / build, CPU: cold {cold_cpu / build_cpu:.2f}x, warm {warm_cpu / build_cpu:.2f}x "
                  f"(target: at most 2x)")
        print("slowest checks (one SPARQL query each, this process):")
        for t, label in slowest(out):
            print(f"  {t:6.2f} s  {label}")
        if args.pyshacl:
            import rdflib

            from kg.validate import validate_graph
            g = rdflib.Graph().parse(out / "graph.ttl")
            t = time.perf_counter()
            ref = validate_graph(g, engine="pyshacl")
            ps = time.perf_counter() - t
            fast = validate_graph(g)
            key = lambda r: sorted((v.severity, v.focus, v.path or "", v.message, v.value or "", v.shape or "",  # noqa
                                    v.component or "") for v in r.results)
            print(f"pyshacl          {ps:7.1f} s wall ({len(g)} triples, {1000 * ps / len(g):.2f} ms per triple); "
                  f"same results as oxigraph: {key(ref) == key(fast)} ({len(ref.results)} results)")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
