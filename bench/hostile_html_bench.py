"""Time to read hostile HTML (issue #16, item 12): pages whose elements never close.

Each shape repeats one unit up to the size asked (1 MB and 16 MB, the largest input kg
reads): unclosed <ul><li> (nesting two levels per unit), <li> alone (flat: each closes the
last), <p> (flat), <div>, <b> (formatting, reopened by the tree builder), <table><tr><td>
(four levels per unit), <svg><g> (foreign content). For each, in this process:

* bound   — kg.ingest._markup.bound_nesting alone (the linear pre-pass);
* html    — the HTML reader on the page (kg.ingest.READERS["html"].read: pre-pass, parse,
            boilerplate removal, walk);
* feed    — an RSS feed whose one entry's content is the page (feedparser, then the HTML
            reader's core on the content);
* mail    — a message whose HTML part is the page (kg.ingest.mail: MIME, clean_html, reader);
* before  — lexbor parsing the page without the pre-pass, only for sizes given with
            --before (it is quadratic: 1 MB of <ul><li> took 133 s).

Prints a Markdown table (seconds, wall time) and the items the HTML reader found.

    .venv/bin/python bench/hostile_html_bench.py                     # --sizes 1,16 (MB)
    .venv/bin/python bench/hostile_html_bench.py --before 0.1,0.2,0.4 --shapes ul_li
"""
from __future__ import annotations

import argparse
import time
from email.message import EmailMessage
from html import escape

SHAPES = {
    "ul_li": "<ul><li>item x ",
    "li": "<li>item x ",
    "p": "<p>item x ",
    "div": "<div>item x ",
    "b": "<b>item x ",
    "table": "<table><tr><td>item x ",
    "svg": "<svg><g>item x ",
}


def page(unit: str, size: int) -> str:
    head = "<!doctype html><html><head><title>Hostile Weekly — Issue 1 — 2026-03-30</title></head><body>"
    return head + unit * ((size - len(head)) // len(unit))


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,16", help="page sizes in MB")
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--before", default="", help="sizes in MB to also parse without the pre-pass")
    ap.add_argument("--no-feed", action="store_true")
    ap.add_argument("--no-mail", action="store_true")
    a = ap.parse_args()

    from selectolax.lexbor import LexborHTMLParser

    from kg.errors import KgError
    from kg.ingest import READERS
    from kg.ingest._markup import bound_nesting
    from kg.ingest.mail import read_mail_text

    print("| shape | size | bound | html | items | feed | mail | before (no pre-pass) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    sizes = [float(x) for x in a.sizes.split(",") if x]
    before_sizes = [float(x) for x in a.before.split(",") if x]
    for shape in a.shapes.split(","):
        unit = SHAPES[shape]
        for mb in sorted(set(sizes) | set(before_sizes)):
            size = int(mb * 1024 * 1024)
            html = page(unit, size)
            row = [shape, f"{mb:g} MB"]
            if mb not in sizes:
                row += ["", "", "", "", ""]
            else:
                tb, _ = timed(bound_nesting, html)
                th, issues = timed(READERS["html"].read, html, "hostile.html", "0" * 64)
                items = sum(len(i.items) for i in issues)
                row += [f"{tb:.2f}", f"{th:.2f}", f"{items:,}"]
                if a.no_feed:
                    row.append("")
                else:
                    feed = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Hostile Weekly</title>'
                            '<item><title>Hostile Weekly — Issue 1: deep</title><pubDate>Mon, 30 Mar 2026 08:00:00 GMT</pubDate>'
                            f'<description>{escape(html)}</description></item></channel></rss>')
                    tf, _ = timed(READERS["feed"].read, feed, "hostile.rss", "0" * 64)
                    row.append(f"{tf:.2f}")
                if a.no_mail:
                    row.append("")
                else:
                    msg = EmailMessage()
                    msg["From"] = "Hostile Weekly <news@example.com>"
                    msg["Subject"] = "Hostile Weekly — Issue 1"
                    msg["Date"] = "Mon, 30 Mar 2026 08:00:00 +0000"
                    msg["List-Id"] = "Hostile Weekly <hostile.example.com>"
                    msg["Message-ID"] = "<1@example.com>"
                    msg.set_content(html, subtype="html")
                    try:
                        tm, _ = timed(read_mail_text, msg.as_string(), "hostile.eml", "")
                        row.append(f"{tm:.2f}")
                    except KgError as e:  # a message with no items (E094) is skipped
                        row.append(str(e).split("]")[0].lstrip("["))
            if mb in before_sizes:
                tr, _ = timed(LexborHTMLParser, html)
                row.append(f"{tr:.2f}")
            else:
                row.append("")
            print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
