"""Rows (lists of dicts) printed the same way by every command: an aligned table for
people, or JSON, CSV or TSV for programs (`--format table|json|csv|tsv`).

The table measures text by display width (wcwidth: a Chinese character takes two
columns, a combining mark none), so Chinese columns line up; strips Markdown from cells
(evidence spans are cut out of Markdown items); cuts a cell longer than MAX_CELL columns
with "…"; and, given the terminal's width, cuts the widest columns further until a row
fits. JSON, CSV and TSV are complete: nothing is cut or stripped there.
"""
from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, Iterable, Optional, Sequence

from wcwidth import wcwidth

FORMATS = ("table", "json", "csv", "tsv")
MAX_CELL = 60          # display columns of a table cell before it is cut with "…"
MIN_CELL = 8           # a column is not cut below this (or its heading's width)
GAP = "  "

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES = re.compile(r"\s+")

# Markdown in a cell. By hand, not with a Markdown parser: an evidence span is cut out of
# an item's Markdown, so its markers are often unbalanced ("The Information**: MSFT…"),
# and a parser (markdown-it-py) keeps unbalanced markers as literal text.
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()\s]|\([^)]*\))*\)")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_MD_EMPHASIS = re.compile(r"\*\*|__|~~|`+|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)|(?<=\S)_(?!\w)")
_MD_BLOCK = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[-+*]\s+(?=\S))")


def strip_markdown(text: str) -> str:
    """Text without Markdown markup: links become their text, emphasis and code markers,
    heading, quote and bullet markers go."""
    s = _MD_IMAGE.sub(r"\1", text)
    s = _MD_LINK.sub(r"\1", s)
    s = _MD_AUTOLINK.sub(r"\1", s)
    s = _MD_EMPHASIS.sub("", s)
    s = _MD_BLOCK.sub("", s)
    return s


def width(text: str) -> int:
    """Display width in terminal columns (east-asian wide characters count two)."""
    return sum(max(wcwidth(c), 0) for c in text)


def cut(text: str, limit: int) -> str:
    """`text` cut to at most `limit` display columns, ending in "…" when it was cut."""
    if width(text) <= limit:
        return text
    out, w = [], 0
    for c in text:
        cw = max(wcwidth(c), 0)
        if w + cw > limit - 1:
            break
        out.append(c)
        w += cw
    return "".join(out) + "…"


def cell_text(value: Any, markdown: bool = True) -> str:
    """A value as one table cell: lists joined with "|", None empty, one line."""
    if value is None:
        s = ""
    elif isinstance(value, (list, tuple)):
        s = "|".join("" if v is None else str(v) for v in value)
    else:
        s = str(value)
    s = _SPACES.sub(" ", _CONTROL.sub(" ", s)).strip()
    return strip_markdown(s) if markdown else s


def fit(widths: Sequence[int], heads: Sequence[int], total: Optional[int]) -> list[int]:
    """Column widths that fit `total` columns (with GAP between columns): the widest
    columns are cut first, none below max(MIN_CELL, its heading). None: no limit."""
    ws = list(widths)
    if total is None:
        return ws
    room = total - len(GAP) * (len(ws) - 1)
    floors = [min(w, max(MIN_CELL, h)) for w, h in zip(ws, heads)]
    while sum(ws) > room:
        shrinkable = [k for k in range(len(ws)) if ws[k] > floors[k]]
        if not shrinkable:
            break                       # cannot fit: the terminal wraps what is left
        i = max(shrinkable, key=lambda k: ws[k])
        # the widest column down to the next widest, or just enough to fit
        below = max((w for w in ws if w < ws[i]), default=0)
        ws[i] = max(floors[i], below, ws[i] - (sum(ws) - room))
    return ws


def format_table(rows: Sequence[dict], columns: Sequence[str], total_width: Optional[int] = None,
                 markdown: bool = True, footer: Optional[str] = None) -> str:
    """An aligned table: heading, rule, one line per row (see the module doc)."""
    cells = [[cut(cell_text(r.get(c), markdown), MAX_CELL) for c in columns] for r in rows]
    heads = [width(c) for c in columns]
    natural = [max([h] + [width(row[i]) for row in cells]) for i, h in enumerate(heads)]
    ws = fit(natural, heads, total_width)

    def line(vals: Iterable[str]) -> str:
        parts = []
        for v, w in zip(vals, ws):
            v = cut(v, w)
            parts.append(v + " " * (w - width(v)))
        return GAP.join(parts).rstrip()

    out = [line(columns), line("-" * w for w in ws)]
    out += [line(r) for r in cells]
    if footer:
        out.append(footer)
    return "\n".join(out) + "\n"


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "|".join("" if v is None else str(v) for v in value)
    return str(value)


def format_delimited(rows: Sequence[dict], columns: Sequence[str], fmt: str) -> str:
    """CSV (RFC 4180, quoted where needed) or TSV (tabs and line breaks inside a value
    become spaces, as TSV cannot quote them). Lists are joined with "|"."""
    buf = io.StringIO()
    if fmt == "csv":
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([_plain(r.get(c)) for c in columns])
        return buf.getvalue()
    lines = ["\t".join(columns)]
    for r in rows:
        lines.append("\t".join(re.sub(r"[\t\r\n]", " ", _plain(r.get(c))) for c in columns))
    return "\n".join(lines) + "\n"


def render(rows: Sequence[dict], fmt: str, columns: Optional[Sequence[str]] = None,
           total_width: Optional[int] = None, footer: Optional[str] = None) -> str:
    """The rows in an output format: table, json (every field of every row), csv or tsv
    (the columns). Ends with a newline."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}")
    columns = list(columns) if columns is not None else (list(rows[0].keys()) if rows else [])
    if fmt == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        return format_delimited(rows, columns, fmt)
    return format_table(rows, columns, total_width, footer=footer)
