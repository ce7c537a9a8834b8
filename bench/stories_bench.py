"""Story cutting scales linearly: read generated Markdown and HTML issues of growing size
(n stories each, with sections, labelled parts, bullets, cite lines, a teaser list) and print
the reading time per story; then read the build benchmark's corpus (bench/corpus.py, 100 and
400 issues) file by file with `kg.ingest.read_path` and print the CPU time per 100 issues, the
one-time costs (gazetteer, markdown-it's import) paid by a first read beforehand.
Run: .venv/bin/python bench/stories_bench.py [--sizes 100,400]"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus  # noqa: E402

from kg.ingest import read_path  # noqa: E402
from kg.ingest.html import read_html
from kg.ingest.stories import _gazetteer
from kg.ingest.text import parse_text


def markdown(n: int) -> str:
    head = "# Bench Digest\n\n*Issue No. 5 · May 8, 2026*\n\nIn today's issue:\n\n" + \
        "".join(f"- Acme unit {i} raises money\n" for i in range(min(n, 30))) + "\n"
    return head + "\n".join(
        f"## Section {i}\n\n### Acme unit {i} raises $5 million\n\nAcme unit {i} said on Monday it raised "
        f"$5 million from investors.\n\n**Why it matters:** it is story {i}.\n\n- a detail {i}\n\n*Via CNBC*\n"
        for i in range(n))


def html(n: int) -> str:
    return "<html><body>" + "".join(
        f"<section><h2>Acme {i} rises</h2><p><strong>Lead {i}.</strong> Acme rose {i % 50}% (Reuters).</p>"
        f"<ul><li>detail {i}</li></ul></section>" for i in range(n)) + "</body></html>"


def corpus_reading(sizes: list[int], repeat: int = 3) -> None:
    """CPU seconds to read bench/corpus.py issues, per 100 issues (best of `repeat`)."""
    print(f"{'issues':>8} {'KB':>6} {'read CPU s':>11} {'s/100 issues':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            paths = write_corpus(Path(tmp) / str(n), n)
            read_path(str(paths[0]))        # one-time: gazetteer, markdown-it, patterns
            best = float("inf")
            for _ in range(repeat):
                t = time.process_time()
                for p in paths:
                    read_path(str(p))
                best = min(best, time.process_time() - t)
            kb = sum(p.stat().st_size for p in paths) // 1024
            print(f"{n:>8} {kb:>6} {best:>11.3f} {best / n * 100:>13.3f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,400", help="bench corpus sizes (issues) to read")
    args = ap.parse_args()
    corpus_reading([int(x) for x in args.sizes.split(",") if x])
    _gazetteer()    # loaded once per process, not per story
    print(f"{'stories':>8} {'md KB':>7} {'md s':>6} {'md us/story':>12} {'html KB':>8} {'html s':>7} {'html us/story':>14}")
    for n in (250, 1000, 4000):
        t, h = markdown(n), html(n)
        a = time.perf_counter()
        parse_text(t, "b.md", "h")
        b = time.perf_counter()
        read_html(h, "b.html", "h")
        c = time.perf_counter()
        print(f"{n:>8} {len(t) // 1024:>7} {b - a:>6.2f} {(b - a) / n * 1e6:>12.0f} {len(h) // 1024:>8} {c - b:>7.2f} "
              f"{(c - b) / n * 1e6:>14.0f}")


if __name__ == "__main__":
    main()
