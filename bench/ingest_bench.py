"""Ingest benchmark: big and hostile inputs through the readers and through the whole
pipeline, stage by stage. Run by hand; prints figures (not a test).

    .venv/bin/python bench/ingest_bench.py                  # feeds of 1,000 and 10,000 entries
    .venv/bin/python bench/ingest_bench.py --sizes 1000 --model auto

For each size: an RSS feed with that many entries (one issue of N items, six companies,
dates spread over six years) is written to a temporary folder, then timed:
  * read:  decode + feedparser + items (kg.ingest.read_path);
  * build: the whole `kg build` (kg.build.build: read, extract, resolve, write Turtle) into an
           empty folder, in this process (pipelines loaded beforehand).
Also the reader alone on a JSON Lines file and on an HTML page with the same items, and
the time to refuse a 50 MB file.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COMPANIES = ["Micron Technology", "Samsung Electronics", "Nvidia", "Intel", "Quillfield Labs", "Arden Robotics"]
OUTLETS = ["Reuters", "Bloomberg", "Axios", "The Verge"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def entries(n: int, seed: int = 0):
    rnd = random.Random(seed)
    for i in range(n):
        c = rnd.choice(COMPANIES)
        d, m, y = 1 + i % 28, 1 + (i // 28) % 12, 2020 + (i // 336) % 6
        yield (i, c, rnd.choice(OUTLETS), f"{c} shares rose {rnd.randint(1, 20)}.{rnd.randint(0, 9)}% after "
               f"revenue reached ${rnd.randint(1, 90)} billion.", f"{y}-{m:02d}-{d:02d}",
               f"{d:02d} {MONTHS[m - 1]} {y}")


def write_feed(path: Path, n: int) -> None:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Wire Feed</title>'
             '<link>https://example.org/wire</link>\n']
    for i, c, outlet, body, _, rfc in entries(n):
        parts.append(f"<item><title>{escape(c)} update {i}</title><link>https://example.org/wire/{i}</link>"
                     f"<description>{escape(body)}</description><source url=\"https://example.org/s\">{outlet}</source>"
                     f"<pubDate>Mon, {rfc} 10:00:00 GMT</pubDate><guid>wire-{i}</guid></item>\n")
    path.write_text("".join(parts) + "</channel></rss>\n", encoding="utf-8")


def write_jsonl(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        for i, c, outlet, body, iso, _ in entries(n):
            f.write(json.dumps({"newsletter": "Wire", "number": 1, "issue_date": "2026-01-01", "outlet": outlet,
                                "headline": f"{c} update {i}", "body": body, "date": iso}) + "\n")


def write_html(path: Path, n: int) -> None:
    lis = "".join(f"<li><strong>{outlet}</strong>: <a href=\"/w/{i}\">{escape(c)} update {i}</a> – {escape(body)}</li>\n"
                  for i, c, outlet, body, _, _ in entries(n))
    path.write_text(f"<!doctype html><html><body><article><h1>Wire — Issue 1: All</h1><ul>{lis}</ul></article>"
                    "</body></html>", encoding="utf-8")


def timed(f, *a, **k):
    t = time.perf_counter()
    r = f(*a, **k)
    return r, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--model", default="none")
    args = ap.parse_args()

    from kg.build import build
    from kg.errors import KgError
    from kg.ingest import read_path
    from kg.nlp import load_pipelines

    load_pipelines(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        print("| entries | feed | read | whole build | items/s | triples |")
        print("|---:|---:|---:|---:|---:|---:|")
        for n in [int(s) for s in args.sizes.split(",")]:
            p = d / f"feed-{n}.rss"
            write_feed(p, n)
            _, t_read = timed(read_path, str(p))
            res, t_build = timed(build, [str(p)], str(d / f"out-{n}"), model=args.model, rebuild=True)
            print(f"| {n:,} | {p.stat().st_size / 1e6:.1f} MB | {t_read:.1f} s | {t_build:.1f} s | "
                  f"{n / t_build:,.0f} | {res.triples:,} |")
        n = max(int(s) for s in args.sizes.split(","))
        for name, writer in (("jsonl", write_jsonl), ("html", write_html)):
            p = d / f"big.{name}"
            writer(p, n)
            issues, t = timed(read_path, str(p))
            print(f"reader only, {name}, {n:,} items ({p.stat().st_size / 1e6:.1f} MB): {t:.2f} s, "
                  f"{sum(len(i.items) for i in issues):,} items")
        big = d / "huge.txt"
        with big.open("wb") as f:
            f.write(b"x" * (50 * 1024 * 1024))
        t = time.perf_counter()
        try:
            read_path(str(big))
        except KgError as e:
            print(f"50 MB file: refused ({e.code}) in {time.perf_counter() - t:.3f} s")


if __name__ == "__main__":
    main()
