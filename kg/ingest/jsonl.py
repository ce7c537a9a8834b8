"""Reader for JSON Lines: one JSON object per line, in either of two shapes (they may be
mixed in one file).

Issue line — one whole issue:

    {"newsletter": "AI Weekly", "number": 12, "date": "2026-03-30", "title": "...",
     "url": "https://...", "items": [ITEM, ...]}

Item line — one item, the issue fields repeated on every line:

    {"newsletter": "AI Weekly", "number": 12, "issue_date": "2026-03-30",
     "issue_url": "https://...", "title": "...", ITEM FIELDS...}

Lines (of either shape) with the same newsletter and number (or, without a number, the same
date: `date` of an issue line, `issue_date` of an item line) are one issue, as they are one
issue IRI in the graph; issues and items keep file order.

ITEM fields, all optional but one of text/headline/body must be a non-empty string:

    "text"      the whole item ("Reuters: Headline – body"); when given, the outlet,
                headline and body are split from it like a text bullet, unless also given
    "outlet", "headline", "body", "section": strings
    "lang":     "en" | "zh" (detected from the text when absent)
    "url":      a string, or "urls": a list of strings
    "date":     the item's own date, YYYY-MM-DD
    "kind":     "item" (default) | "lead" | "sponsor" | "boilerplate" (the last two: no facts)

Every line is validated; a line that is not a JSON object, or an item with no text, is
skipped with a warning `file:line: ...`; a bad field (a number that is not a whole number
below 10^9, a date that is not YYYY-MM-DD, a URL that is not http(s)) is dropped with a
warning and the rest of the line is kept. Offsets point into a rendered document
(kg.ingest.place_items), not into the JSON.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Optional

from ..errors import warning
from ..model import Issue
from . import ItemSpec, Reader, clean_str, issue_key, place_items, register

ISSUE_KEYS = {"newsletter", "number", "date", "title", "url", "urls", "items", "summary"}
ITEM_KEYS = {"text", "outlet", "headline", "body", "section", "lang", "url", "urls", "date", "kind"}
LINE_ISSUE_KEYS = {"newsletter", "number", "issue_date", "issue_url", "title"}
MAX_NUMBER = 10 ** 9
URL_OK = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def detect(text: str, name: str) -> int:
    if not text[:65536].lstrip().startswith("{"):
        return 0  # the first line that is not blank does not start with "{" (the loop's verdict)
    ext = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    for line in text[:65536].splitlines():
        s = line.strip()
        if not s:
            continue
        if not s.startswith("{"):
            return 0
        try:
            obj = json.loads(s)
        except (ValueError, RecursionError):
            return 70 if ext in ("jsonl", "ndjson", "json") else 0  # a text that starts with "{"
        if isinstance(obj, dict):
            return 95 if ext in ("jsonl", "ndjson", "json") or obj.keys() & (ISSUE_KEYS | ITEM_KEYS) else 60
        return 0
    return 0


class _Line:
    def __init__(self, path: str, lineno: int, warns: list[str]):
        self.path, self.lineno, self.warns = path, lineno, warns

    def bad(self, field: str, reason: str) -> None:
        self.warns.append(warning("W007", path=self.path, line=self.lineno,
                                  reason=f"ignored field {field!r}: {reason}"))

    def string(self, obj: dict, key: str) -> Optional[str]:
        v = obj.get(key)
        if v is None:
            return None
        if not isinstance(v, str):
            self.bad(key, f"expected a string, got {type(v).__name__}")
            return None
        return clean_str(v) or None

    def number(self, obj: dict, key: str) -> Optional[int]:
        v = obj.get(key)
        if v is None:
            return None
        if isinstance(v, str) and re.fullmatch(r"\s*\d{1,9}\s*", v):
            v = int(v)
        if isinstance(v, float) and v.is_integer() and 0 <= v < MAX_NUMBER:
            v = int(v)
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < MAX_NUMBER:
            self.bad(key, f"expected a whole number from 0 to {MAX_NUMBER - 1}, got {str(v)[:40]!r}")
            return None
        return v

    def date(self, obj: dict, key: str) -> Optional[str]:
        v = self.string(obj, key)
        if v is None:
            return None
        try:
            return dt.date.fromisoformat(v[:10]).isoformat() if re.fullmatch(r"\d{4}-\d\d-\d\d(?:[T ].*)?", v) else _raise()
        except ValueError:
            self.bad(key, f"expected a date YYYY-MM-DD, got {v[:40]!r}")
            return None

    def urls(self, obj: dict, *keys: str) -> list[str]:
        out = []
        for key in keys:
            v = obj.get(key)
            if v is None:
                continue
            vals = v if isinstance(v, list) else [v]
            for u in vals:
                if isinstance(u, str) and URL_OK.match(u.strip()):
                    out.append(u.strip())
                else:
                    self.bad(key, f"not an http(s) URL: {str(u)[:60]!r}")
        return out

    def item(self, obj: Any, where: str) -> Optional[ItemSpec]:
        if not isinstance(obj, dict):
            self.warns.append(warning("W006", path=self.path, line=self.lineno, what=where,
                                      reason=f"expected a JSON object, got {type(obj).__name__}"))
            return None
        text = self.string(obj, "text") or ""
        headline = self.string(obj, "headline") or ""
        body = self.string(obj, "body") or ""
        if not (text or headline or body):
            self.warns.append(warning("W006", path=self.path, line=self.lineno, what=where,
                                      reason="it has no text, headline or body"))
            return None
        lang = self.string(obj, "lang")
        if lang and lang not in ("en", "zh"):
            self.bad("lang", f"expected 'en' or 'zh', got {lang[:20]!r}")
            lang = None
        kind = self.string(obj, "kind") or "item"
        if kind not in ("item", "lead", "sponsor", "boilerplate"):
            self.bad("kind", f"expected 'item', 'lead', 'sponsor' or 'boilerplate', got {kind[:20]!r}")
            kind = "item"
        outlet = self.string(obj, "outlet")
        spec = ItemSpec(text=text, outlet=outlet, headline=headline, body=body,
                        section=self.string(obj, "section"), lang=lang, kind=kind,
                        urls=self.urls(obj, "url", "urls"), date=self.date(obj, "date"), line=self.lineno)
        if text and (outlet or headline or body):
            # the parts were given: compose the text from them so they agree
            spec.text = ""
            if not (headline or body):
                spec.body = text
        return spec


def _raise():
    raise ValueError


def read_jsonl(text: str, source_file: str, content_hash: str) -> list[Issue]:
    warns: list[str] = []
    groups: dict[tuple, tuple[Issue, list[ItemSpec]]] = {}
    order: list[tuple] = []

    def group(key: tuple, make) -> tuple[Issue, list[ItemSpec]]:
        if key not in groups:
            groups[key] = (make(), [])
            order.append(key)
        return groups[key]

    def new_issue(newsletter, number, date, title, urls) -> Issue:
        iss = Issue(newsletter=newsletter or "", number=number, date=date, source_file=source_file,
                    content_hash=content_hash, text="", title=title, urls=list(urls))
        return iss

    for lineno, raw in enumerate(text.split("\n"), start=1):
        s = raw.strip()
        if not s:
            continue
        ln = _Line(source_file, lineno, warns)
        try:
            obj = json.loads(s)
        except RecursionError:
            warns.append(warning("W006", path=source_file, line=lineno, what="a line", reason="JSON nested too deeply"))
            continue
        except ValueError as e:
            reason = str(e).split(":")[0][:80]
            warns.append(warning("W006", path=source_file, line=lineno, what="a line",
                                 reason=f"not valid JSON ({reason})"))
            continue
        if not isinstance(obj, dict):
            warns.append(warning("W006", path=source_file, line=lineno, what="a line",
                                 reason=f"expected a JSON object, got {type(obj).__name__}"))
            continue
        if "items" in obj:
            unknown = sorted(k for k in obj if k not in ISSUE_KEYS)
            if unknown:
                ln.bad(", ".join(unknown)[:80], "unknown field(s)")
            items = obj.get("items")
            if not isinstance(items, list):
                warns.append(warning("W006", path=source_file, line=lineno, what="an issue line",
                                     reason=f"'items' must be a list, got {type(items).__name__}"))
                continue
            number = ln.number(obj, "number")
            iss = new_issue(ln.string(obj, "newsletter"), number, ln.date(obj, "date"),
                            ln.string(obj, "title"), ln.urls(obj, "url", "urls"))
            iss.summary = ln.string(obj, "summary")
            specs = []
            for k, it in enumerate(items, start=1):
                spec = ln.item(it, f"item {k} of the issue")
                if spec:
                    specs.append(spec)
            got, got_specs = group(issue_key(iss.newsletter, number, iss.date), lambda: iss)
            if got is not iss:
                got.title = got.title or iss.title
                got.summary = got.summary or iss.summary
                got.urls += [u for u in iss.urls if u not in got.urls]
            got_specs.extend(specs)
            continue
        unknown = sorted(k for k in obj if k not in ITEM_KEYS | LINE_ISSUE_KEYS)
        if unknown:
            ln.bad(", ".join(unknown)[:80], "unknown field(s)")
        spec = ln.item(obj, "an item line")
        if spec is None:
            continue
        newsletter = ln.string(obj, "newsletter")
        number = ln.number(obj, "number")
        idate = ln.date(obj, "issue_date")
        iurls = ln.urls(obj, "issue_url")
        title = ln.string(obj, "title")
        iss, specs = group(issue_key(newsletter, number, idate),
                           lambda: new_issue(newsletter, number, idate, title, iurls))
        iss.title = iss.title or title
        iss.urls += [u for u in iurls if u not in iss.urls]
        specs.append(spec)
    issues = []
    for key in order:
        iss, specs = groups[key]
        if not specs:
            continue
        head = iss.newsletter + (f" — Issue {iss.number}" if iss.number is not None else "") + \
            (f": {iss.title}" if iss.title else "")
        header = "\n".join(x for x in (head.strip(), iss.date or "") if x)
        place_items(iss, "", specs, header)
        issues.append(iss)
    if issues:
        issues[0].warnings[:0] = warns
    elif warns:
        # nothing usable: the caller reports E004; keep the reasons visible on an empty issue
        empty = new_issue("", None, None, None, [])
        empty.warnings = warns
        issues.append(empty)
    return issues


register(Reader("jsonl", (".jsonl", ".ndjson"), detect, read_jsonl))
