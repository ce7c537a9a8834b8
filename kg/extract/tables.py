"""Facts from tables: each data row of a pipe table with a header row gives its company, its
figures with the measure its column header names, and an event when the columns (or the
story's headline) say what the rows are.

A table reaches extraction as lines of cells separated by `|` with a delimiter row
(`|---|---|`) under its header: a Markdown table as written (the reader blanks the pipes in
the item's text, the file keeps them), an HTML `<table>` as the reader renders it (kg.ingest.html:
a header row of `<th>` cells, or `<thead>`, gets the delimiter row). A table without a header
row says nothing about its columns and is left to the sentence rules.

Columns get a role from their header's words (`Company`, `Ticker/Company`, `Round`/`Stage`,
`Amount`/`Raised`, `Valuation`, `Lead investor`, `Revenue`, `EPS`, `EPS est.`, `Price`,
`Change %`, `YoY`, …) and a unit from a parenthesised one (`Revenue ($B)`, `Price (USD)`,
`Chg (%)`); the name column is the one whose header names it, else, in a table with a
column of figures, the first column of words (a calendar's `When | What` names no company).
Per data row:

* the name cell's company: the name already found there, else the cell's text as an
  Organization (the column says what it is); names that run across cells are dropped;
* each investor of an investor column (`Accel, GV & Lux`) the same way;
* the figures of the row's cells: their subject is the row's company, their measure the
  column's (a change column's percentages are signed changes: a share-price change of a
  company, a level change of an index or an asset), `expected` for an estimate column, and a
  bare number in a column whose header gives the unit (`$B`, `%`) is a figure too;
* an event: Funding with the row's company as actor when the table has a round, investor or
  amount-raised column (or an amount column under a headline about raising money). Earnings
  reports and stock moves follow from the row's figures (kg.extract.events).

Work happens only for items whose text holds a `|`; the rest pay one `str.find`.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from ..model import EventMention, Mention, MetricMention
from .metrics import to_decimal

DELIM_CELL = re.compile(r"\s*:?-{2,}:?\s*")
# column roles from header words, first match wins (lower-cased header, unit in brackets cut off)
ROLES: list[tuple[str, re.Pattern]] = [(r, re.compile(p)) for r, p in [
    ("valuation", r"valuation|valued|post-money|pre-money"),
    ("funding", r"\braised?\b|\bfunding\b|round size|\bcheck size\b"),
    ("amount", r"\bamount\b|\bsize\b|\binvestment\b"),
    ("round", r"\bround\b|\bstage\b|\bseries\b"),
    ("investor", r"\blead\b|\bled by\b|\binvestors?\b|\bbackers?\b"),
    ("growth", r"\byoy\b|\by/y\b|year[- ]over[- ]year|\bgrowth\b|\bytd\b"),
    ("eps", r"\beps\b|earnings per share"),
    ("revenue", r"\brevenue\b|\bsales\b|\bturnover\b"),
    ("profit", r"net income|\bprofit\b|\bearnings\b"),
    ("market_cap", r"market cap|\bmkt cap\b"),
    ("change", r"\bchg\b|\bchange\b|\bmove\b|\breturn\b|\b(?:day|1d|session)\b.*%|%\s*(?:day|1d)\b|^[+±]?\s*%$|^\+/-\s*%?$"),
    ("price", r"\bprice\b|\bclose\b|\blast\b|\blevel\b|\bquote\b"),
    ("ticker", r"^(?:ticker|symbol|code)$"),
    ("name", r"\bcompany\b|\bcompanies\b|\bname\b|\bstartup\b|\bfirm\b|\bissuer\b|\bstock\b|\bticker\b|"
             r"\bbusiness\b|\bbrand\b|\borgani[sz]ation\b|\bborrower\b|\bindex\b|\basset\b|\bmarket\b|\binstrument\b"),
]]
COMPANY_HEADER = re.compile(r"\bcompany\b|\bcompanies\b|\bstartup\b|\bfirm\b|\bissuer\b|\bstock\b|\bborrower\b")
ESTIMATE = re.compile(r"\best\b|\bestimates?\b|\bexpected\b|\bconsensus\b|\bforecast\b|\bguidance\b")
HEADER_UNIT = re.compile(r"[(\[]\s*(?P<u>[^)\]]{1,12}?)\s*[)\]]\s*$")
UNIT_CUR = {"$": "USD", "usd": "USD", "us$": "USD", "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP",
            "¥": "JPY", "jpy": "JPY", "hk$": "HKD", "hkd": "HKD", "cny": "CNY", "rmb": "CNY"}
UNIT_SCALE = {"k": 10**3, "thousand": 10**3, "m": 10**6, "mn": 10**6, "mm": 10**6, "million": 10**6,
              "millions": 10**6, "b": 10**9, "bn": 10**9, "billion": 10**9, "billions": 10**9}
MONEY_ROLES = {"valuation": "valuation", "funding": "funding", "revenue": "revenue", "eps": "eps",
               "profit": "profit", "market_cap": "market_cap", "price": "price"}
FUNDING_HEADLINE = re.compile(r"\brais|\brounds?\b|\bfunding\b|\bfinancing\b|\bventure\b|\bfundraise", re.I)
BARE_NUMBER = re.compile(r"^(?P<sign>[+\-−])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)$")
# cells that name no one
EMPTY_CELL = re.compile(r"^(?:[-–—/.*?]*|n/?a|none|undisclosed|unknown|not disclosed|tbd|tba|various|others?|"
                        r"existing(?: investors| backers)?|total|subtotal|average|median|all|sum)$", re.I)
SUMMARY_ROW = re.compile(r"^(?:total|subtotal|average|median|sum|all)\b", re.I)
NAME_CELL = re.compile(r"^[A-Z0-9][\w&'’.+!\- ]*$")
TICKER_TAIL = re.compile(r"\s*[(\[]\s*(?:[A-Z]+\s*:\s*)?[A-Z0-9.]{1,8}\s*[)\]]\s*$")
INVESTOR_SPLIT = re.compile(r"\s*(?:,|;|&|\+|/|\band\b|\bwith\b)\s*")
FIGURE_ROLES = frozenset({"valuation", "funding", "amount", "growth", "eps", "revenue", "profit", "market_cap", "change", "price"})
MOVE_MEASURE = {"Organization": "share_price", "Index": "index_level", "Asset": "price"}
PRICE_MEASURE = {"Organization": "share_price", "Index": "index_level", "Asset": "price"}


@dataclass
class Column:
    header: str
    role: Optional[str]
    expected: bool = False
    currency: Optional[str] = None
    scale: int = 1
    percent: bool = False


@dataclass
class Table:
    """Offsets are relative to the item's text (end exclusive)."""
    header: tuple[int, int]                          # the header row's span
    columns: list[Column]
    rows: list[list[tuple[int, int]]] = field(default_factory=list)   # data rows: their cells' spans
    spans: list[tuple[int, int]] = field(default_factory=list)        # data rows' spans
    name_col: Optional[int] = None
    funding: bool = False

    @property
    def start(self) -> int:
        return self.header[0]

    @property
    def end(self) -> int:
        return self.spans[-1][1] if self.spans else self.header[1]


def _cells(raw: str, s: int, e: int) -> list[tuple[int, int]]:
    """The cells of the line raw[s:e] as spans, trimmed; a leading and a trailing pipe open
    and close the row (GFM); an escaped pipe `\\|` is no separator."""
    bars = [k for k in range(s, e) if raw[k] == "|" and (k == s or raw[k - 1] != "\\")]
    edges = [s - 1] + bars + [e]
    cells = []
    for a, b in zip(edges, edges[1:]):
        cells.append((a + 1, b))
    line = raw[s:e].strip()
    if line.startswith("|") and cells:
        cells = cells[1:]
    if line.endswith("|") and len(line) > 1 and cells:
        cells = cells[:-1]
    out = []
    for a, b in cells:
        while a < b and raw[a].isspace():
            a += 1
        while b > a and raw[b - 1].isspace():
            b -= 1
        out.append((a, b))
    return out


def _column(header: str) -> Column:
    h = header.strip(" *_`").lower()
    col = Column(header=header, role=None)
    m = HEADER_UNIT.search(h)
    if m:
        u = m.group("u").replace(" ", "")
        h = h[:m.start()].strip()
        if u in ("%", "pct", "percent"):
            col.percent = True
        else:
            cur = next((c for c in sorted(UNIT_CUR, key=len, reverse=True) if u.startswith(c)), None)
            if cur:
                col.currency = UNIT_CUR[cur]
                col.scale = UNIT_SCALE.get(u[len(cur):], 1)
            elif u in UNIT_SCALE:
                col.scale = UNIT_SCALE[u]
    if "%" in h:
        col.percent = True
    col.expected = bool(ESTIMATE.search(h))
    for role, pat in ROLES:
        if pat.search(h):
            col.role = role
            break
    return col


def find_tables(raw: str, start: int, end: int, headline: str = "") -> list[Table]:
    """The pipe tables with a header row in raw[start:end] (an item's span of the text that
    keeps the pipes), with offsets relative to `start`. `headline` (the story's headline and
    section) says whether a table of amounts is one of rounds raised."""
    lines: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        nl = raw.find("\n", pos, end)
        stop = end if nl == -1 else nl
        lines.append((pos, stop))
        pos = stop + 1
    tables: list[Table] = []
    i = 1
    while i < len(lines):
        s, e = lines[i]
        hs, he = lines[i - 1]
        if "-" not in raw[s:e] or "|" not in raw[hs:he]:
            i += 1
            continue
        delim = _cells(raw, s, e)
        if "|" not in raw[s:e] or not delim or not all(DELIM_CELL.fullmatch(raw[a:b] or "") for a, b in delim):
            i += 1
            continue
        head = _cells(raw, hs, he)
        if len(head) != len(delim) or len(head) < 2:
            i += 1
            continue
        t = Table(header=(hs - start, he - start), columns=[_column(raw[a:b]) for a, b in head])
        j = i + 1
        while j < len(lines):
            rs, re_ = lines[j]
            if "|" not in raw[rs:re_] or not raw[rs:re_].strip():
                break
            cells = _cells(raw, rs, re_)[:len(head)]
            t.rows.append([(a - start, b - start) for a, b in cells])
            t.spans.append((rs - start + (len(raw[rs:re_]) - len(raw[rs:re_].lstrip())), re_ - start))
            j += 1
        if t.rows:
            _name_column(t, raw, start)
            roles = {c.role for c in t.columns}
            t.funding = bool(roles & {"round", "investor", "funding"}) or (
                "amount" in roles and FUNDING_HEADLINE.search(headline) is not None)
            tables.append(t)
        i = j + 1
    return tables


def _name_column(t: Table, raw: str, start: int) -> None:
    roles = [c.role for c in t.columns]
    if "name" in roles:
        t.name_col = roles.index("name")
    elif any(r in FIGURE_ROLES for r in roles):
        # in a table of figures, the first column of words: no cell of it holds a digit
        for k, c in enumerate(t.columns):
            if c.role not in (None, "ticker"):
                continue
            cells = [raw[r[k][0] + start:r[k][1] + start] for r in t.rows if k < len(r)]
            if cells and all(x and not re.search(r"\d", x) for x in cells):
                t.name_col = k
                break


def _name_span(text: str, a: int, b: int) -> Optional[tuple[int, int]]:
    """The name in a cell: its text without a trailing ticker `(KLVR)` and markup left by the
    reader, when it looks like a name."""
    cell = text[a:b]
    m = TICKER_TAIL.search(cell)
    if m and m.start() > 0:
        b = a + m.start()
    while a < b and text[a] in " *_[":
        a += 1
    while b > a and text[b - 1] in " *_]":
        b -= 1
    name = text[a:b]
    if not name or EMPTY_CELL.match(name) or not NAME_CELL.match(name) or len(name.split()) > 6 \
            or not re.search(r"[A-Za-z]", name) or re.fullmatch(r"[\d.,\s]+[A-Za-z]{0,2}", name):
        return None
    return a, b


def mentions(tables: list[Table], text: str, offset: int, found: list[Mention]) -> list[Mention]:
    """The item's mentions with the tables' cells taken into account: names that run across
    cells, or sit in the header or a round column, are dropped; each row's company and
    investors that no name covers are added as Organizations; an unknown name in a column
    headed Company is one even when the model called it a person or a place."""
    bounds = []       # (cell start, cell end, table, column) of every data cell, in text order
    dead = []         # header rows and delimiter rows
    for t in tables:
        dead.append((t.header[0], t.rows and t.spans[0][0] or t.header[1]))
        for row in t.rows:
            for k, (a, b) in enumerate(row):
                bounds.append((a, b, t, k))
    if not bounds:
        return found
    bounds.sort(key=lambda c: c[0])
    cell_starts = [c[0] for c in bounds]
    starts = [t.start for t in tables]
    ends = [t.end for t in tables]

    def inside_table(s: int, e: int) -> bool:
        return any(a <= s < b or a < e <= b for a, b in zip(starts, ends))

    def cell_of(s: int, e: int):
        i = bisect_right(cell_starts, s) - 1
        if i >= 0 and e <= bounds[i][1]:
            return bounds[i][2], bounds[i][3]
        return None

    out: list[Mention] = []
    for m in found:
        s, e = m.start - offset, m.end - offset
        if not inside_table(s, e):
            out.append(m)
            continue
        if any(a <= s < b for a, b in dead):
            continue
        c = cell_of(s, e)
        if c is None:
            continue            # across cells
        t, k = c
        role = t.columns[k].role
        if role == "round" or (role == "ticker" and m.source != "gazetteer"):
            continue            # 'Series B'; an unknown ticker is its row's company, not another one
        if m.source != "gazetteer" and (k == t.name_col or role == "investor") and m.type != "Organization":
            if m.type in ("Place", "Product") or (m.type == "Person" and k == t.name_col
                                                  and COMPANY_HEADER.search(t.columns[k].header.lower())):
                m.type = "Organization"
        out.append(m)
    # inside a table every name kept lies within one cell: a cell's names are found by
    # bisection among the kept names' starts (no scan of all names per cell)
    kept_starts = [m.start - offset for m in out]
    kept_ends = [m.end - offset for m in out]
    added: list[Mention] = []

    def add(a: int, b: int) -> None:
        span = _name_span(text, a, b)
        if span is None:
            return
        s, e = span
        j = bisect_right(kept_starts, e) - 1
        while j >= 0 and kept_ends[j] > a:
            if kept_starts[j] < e and s < kept_ends[j]:
                return
            j -= 1
        added.append(Mention(text=text[s:e], start=offset + s, end=offset + e, type="Organization", source="rule"))

    for t in tables:
        inv = [k for k, c in enumerate(t.columns) if c.role == "investor"]
        for row in t.rows:
            if t.name_col is not None and t.name_col < len(row):
                a, b = row[t.name_col]
                if SUMMARY_ROW.match(text[a:b].strip(" *_")):
                    continue
                add(a, b)
            for k in inv:
                if k >= len(row):
                    continue
                a, b = row[k]
                pos = a
                for sep in INVESTOR_SPLIT.finditer(text, a, b):
                    add(pos, sep.start())
                    pos = sep.end()
                add(pos, b)
    out.extend(added)
    out.sort(key=lambda m: (m.start, -m.end))
    return out


class _Rows:
    """The tables' data rows in text order, each with its company (an index into the item's
    mentions, which are sorted by start): found by bisection, once per row."""

    def __init__(self, tables: list[Table], mentions_: list[Mention], offset: int):
        self.rows = sorted(((a, b, t, ri) for t in tables for ri, (a, b) in enumerate(t.spans)),
                           key=lambda r: r[0])
        self.starts = [r[0] for r in self.rows]
        self.mentions, self.offset = mentions_, offset
        self.m_starts = [m.start - offset for m in mentions_]
        self.subject = {(id(t), ri): self._subject(t, t.rows[ri]) for _, _, t, ri in self.rows}

    def at(self, pos: int) -> Optional[tuple[Table, int]]:
        """The (table, row index) of the data row holding `pos` (relative), or None."""
        i = bisect_right(self.starts, pos) - 1
        if i >= 0 and pos < self.rows[i][1]:
            return self.rows[i][2], self.rows[i][3]
        return None

    def _within(self, a: int, b: int, types) -> Optional[int]:
        for i in range(bisect_left(self.m_starts, a), bisect_left(self.m_starts, b)):
            m = self.mentions[i]
            if m.end - self.offset <= b and m.type in types:
                return i
        return None

    def _subject(self, t: Table, row: list[tuple[int, int]]) -> Optional[int]:
        if t.name_col is None or t.name_col >= len(row):
            return None
        got = self._within(*row[t.name_col], ("Organization", "Index", "Asset", "Product"))
        if got is not None:
            return got
        # a ticker column's known name when the name cell has none
        for k, c in enumerate(t.columns):
            if c.role == "ticker" and k < len(row):
                got = self._within(*row[k], ("Organization",))
                if got is not None:
                    return got
        return None


def figures(tables: list[Table], text: str, offset: int, mentions_: list[Mention],
            metrics: list[MetricMention]) -> list[MetricMention]:
    """Subject, measure, sign and qualifiers of the figures in the tables' cells, and the
    bare numbers of columns whose header gives their unit. Returns the new figures."""
    by_cell: dict[tuple[int, int], list[MetricMention]] = {}
    cells = []
    for t in tables:
        for ri, row in enumerate(t.rows):
            for k, (a, b) in enumerate(row):
                cells.append((a, b, t, ri, k))
    if not cells:
        return []
    cells.sort(key=lambda c: c[0])
    ci = 0
    for met in sorted(metrics, key=lambda m: m.start):
        s = met.start - offset
        while ci < len(cells) and cells[ci][1] <= s:
            ci += 1
        if ci < len(cells) and cells[ci][0] <= s and met.end - offset <= cells[ci][1]:
            by_cell.setdefault((cells[ci][0], cells[ci][1]), []).append(met)
    new: list[MetricMention] = []
    rows = _Rows(tables, mentions_, offset)
    for t in tables:
        for ri, row in enumerate(t.rows):
            subj = rows.subject[(id(t), ri)]
            stype = mentions_[subj].type if subj is not None else None
            for k, (a, b) in enumerate(row):
                col = t.columns[k] if k < len(t.columns) else None
                if col is None or col.role in ("investor", "ticker", "name"):
                    continue
                mets = by_cell.get((a, b))
                if not mets:
                    mets = _bare(text, a, b, col, offset)
                    new.extend(mets)
                for met in mets:
                    _apply(met, col, subj, stype, t.funding)
    return new


def _bare(text: str, a: int, b: int, col: Column, offset: int) -> list[MetricMention]:
    """A bare number in a cell whose column header gives its unit ('Revenue ($B)' 70.1)."""
    m = BARE_NUMBER.match(text[a:b])
    if not m or not (col.currency or col.percent):
        return []
    v = to_decimal(m.group("num"))
    if v is None:
        return []
    direction = None
    if m.group("sign") in ("-", "−"):
        v, direction = -v, "down"
    elif m.group("sign") == "+":
        direction = "up"
    if col.percent:
        unit = "percent"
    else:
        unit, v = col.currency, v * col.scale
    return [MetricMention(value=Decimal(v), unit=unit, text=text[a:b], start=offset + a, end=offset + b,
                          direction=direction)]


def _apply(met: MetricMention, col: Column, subj: Optional[int], stype: Optional[str], funding: bool) -> None:
    if subj is not None:
        met.subject, met.subject_name = subj, None
    role = col.role
    if role == "amount" and funding:
        role = "funding"
    quals = set(met.qualifiers) - {"expected", "actual"}
    if col.expected:
        quals.add("expected")
    if role == "change" and met.unit == "percent":
        met.measure = MOVE_MEASURE.get(stype or "", "unknown")
        if met.direction is None:
            met.direction = "up" if met.value > 0 else ("down" if met.value < 0 else None)
        quals.add("change")
        quals -= {"YoY", "QoQ", "annual", "quarterly"}
    elif role == "growth":
        met.measure = "growth"
        if met.unit == "percent":
            quals.add("change")
    elif role == "price":
        met.measure = PRICE_MEASURE.get(stype or "", "price")
        if met.unit != "percent":
            quals.discard("change")
    elif role in MONEY_ROLES and met.unit != "percent":
        met.measure = MONEY_ROLES[role]
    met.qualifiers = sorted(quals)


def split_rows(tables: list[Table], metrics: list[MetricMention], offset: int
               ) -> tuple[list[MetricMention], list[MetricMention]]:
    """(figures outside the tables' data rows, figures inside them)."""
    rows = _Rows(tables, [], offset)
    outside, inside = [], []
    for m in metrics:
        (inside if rows.at(m.start - offset) is not None else outside).append(m)
    return outside, inside


def events(tables: list[Table], text: str, offset: int, mentions_: list[Mention],
           metrics: list[MetricMention], found: list[EventMention]) -> list[EventMention]:
    """The item's events with the tables' rows: an event whose cue is in a data row keeps
    only the row's company as actor; a funding table gives a Funding event per row."""
    rows = _Rows(tables, mentions_, offset)
    out: list[EventMention] = []
    have: set[tuple] = set()

    def key(typ: str, i: int) -> tuple:
        m = mentions_[i]
        return typ, m.entity_id or m.text.casefold()

    for ev in found:
        r = rows.at(ev.start - offset)
        if r is not None:
            t, ri = r
            subj = rows.subject[(id(t), ri)]
            if subj is None or not ev.actors or not any(
                    a == subj or key(ev.type, a) == key(ev.type, subj) for a in ev.actors):
                continue
        out.append(ev)
        for a in ev.actors:
            have.add(key(ev.type, a))
    in_row: dict[tuple[int, int], list[int]] = {}
    for mi, met in enumerate(metrics):
        r = rows.at(met.start - offset)
        if r is not None:
            in_row.setdefault((id(r[0]), r[1]), []).append(mi)
    for t in tables:
        if not t.funding:
            continue
        for ri, row in enumerate(t.rows):
            subj = rows.subject[(id(t), ri)]
            if subj is None or mentions_[subj].type != "Organization" or key("Funding", subj) in have:
                continue
            a, b = t.spans[ri]
            ev = EventMention(type="Funding", cue=text[a:b], start=offset + a, end=offset + b, actors=[subj])
            ev.metrics = [mi for mi in in_row.get((id(t), ri), ()) if metrics[mi].subject == subj
                          and metrics[mi].measure in ("funding", "valuation")]
            have.add(key("Funding", subj))
            out.append(ev)
    return out
