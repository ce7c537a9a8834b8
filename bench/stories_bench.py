"""Story cutting scales linearly: read generated Markdown and HTML issues of growing size
(n stories each, with sections, labelled parts, bullets, cite lines, a teaser list) and print
the reading time per story. Run: .venv/bin/python bench/stories_bench.py"""
from __future__ import annotations

import time

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


def main() -> None:
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
