"""Dates: absolute forms in English and Chinese, and relative ones ("yesterday", "last
week", "on Tuesday", 昨日, 上周) resolved against the issue date."""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from .model import DateMention
from ._cjk import Bilingual, fold, has_cjk

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
            "saturday": 5, "sunday": 6}
ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}

_MON = r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"

_PATTERNS: list[tuple[str, Bilingual]] = [
    # "(?<![\d-]..)" after "19"/"20" is "(?<![\d-])" before them, and lets re skip to a 1 or 2
    ("iso", Bilingual(r"(?P<y>(?:19|20)(?<![\d-]..)\d\d)-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)(?![\d-])")),
    ("zh_ymd", Bilingual(r"(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>[01]?\d)\s*月\s*(?P<d>[0-3]?\d)\s*[日号]")),
    ("zh_ym", Bilingual(r"(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>[01]?\d)\s*月(?!\s*[0-3]?\d\s*[日号])")),
    ("zh_md", Bilingual(r"(?<![\d年])(?P<m>[01]?\d)\s*月\s*(?P<d>[0-3]?\d)\s*[日号]")),
    ("mdy", Bilingual(r"\b" + _MON + r"\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?(?:,\s*|\s+)(?P<y>(?:19|20)\d\d)\b")),
    # ("\d(?<!\w.)(?:(?<=[0-3])\d)?" is "\b[0-3]?\d", written to start with a digit: `re` skips to
    # digits instead of trying every position)
    ("dmy", Bilingual(r"(?P<d>\d(?<!\w.)(?:(?<=[0-3])\d)?)(?:st|nd|rd|th)?\s+" + _MON + r",?\s+(?P<y>(?:19|20)\d\d)\b")),
    ("my", Bilingual(r"\b" + _MON + r",?\s+(?P<y>(?:19|20)\d\d)\b")),
    ("md", Bilingual(r"\b" + _MON + r"\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b(?!\s*(?:%|,?\s*(?:19|20)\d\d))")),
    # a weekday with or without "on" ("said Wednesday", "a Tuesday report"); "next Monday" is
    # matched too, so that it is not read as a past Monday, and is no event date (is_reference_point)
    ("rel_en", Bilingual(r"\b(?P<rel>yesterday|today|tonight|this week|last week|last month|this month|(?:(?:on|last|this|next|late|early)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b", re.I)),
    ("rel_zh", Bilingual(r"(?P<rel>(?:上|本)?(?:周|星期)[一二三四五六日天]|昨日|昨天|昨晚|前天|今日|今天|今早|今晨|本周|上周|上个?月|本月)")),
]

# a date after these words is a reference point ("since 2020"), not when the news happened
_NOT_EVENT = re.compile(r"(?:since|until|till|before|by|through|from)\s*$", re.I)
_FUTURE = re.compile(r"next\s", re.I)
_NOT_EVENT_ZH = re.compile(r"(?:自|从|截至|直到)\s*$")


def _safe_date(y: int, m: int, d: int) -> Optional[dt.date]:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _year_for(month: int, day: int, ref: dt.date) -> int:
    """Year of a 'Jan 29' date: the issue's year, or the previous one when that would put
    the date more than two months after the issue."""
    cand = _safe_date(ref.year, month, min(day, 28))
    if cand and (cand - ref).days > 62:
        return ref.year - 1
    return ref.year


def resolve_relative(rel: str, ref: dt.date) -> str:
    r = rel.lower().strip()
    if r in ("today", "tonight", "今日", "今天", "今早", "今晨"):
        return ref.isoformat()
    if r in ("yesterday", "昨日", "昨天", "昨晚"):
        return (ref - dt.timedelta(days=1)).isoformat()
    if r == "前天":
        return (ref - dt.timedelta(days=2)).isoformat()
    if r in ("last week", "上周"):
        return (ref - dt.timedelta(days=7)).isoformat()
    if r in ("this week", "本周"):
        return ref.isoformat()
    if r in ("last month", "上月", "上个月"):
        first = ref.replace(day=1) - dt.timedelta(days=1)
        return f"{first.year:04d}-{first.month:02d}"
    if r in ("this month", "本月"):
        return f"{ref.year:04d}-{ref.month:02d}"
    wd = None
    # "last Tuesday" is the Tuesday of the week before (said on a Wednesday: eight days back);
    # "Tuesday" / "on Tuesday" the latest one, today included
    last = r.startswith("last") or r.startswith("上")
    nxt = r.startswith("next")
    m = re.search(r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)", r)
    if m:
        wd = WEEKDAYS[m.group(1)]
    else:
        m = re.search(r"[周期]([一二三四五六日天])", r)
        if m:
            wd = ZH_WEEKDAYS[m.group(1)]
    if wd is None:
        return ref.isoformat()
    if nxt:
        return (ref + dt.timedelta(days=(wd - ref.weekday()) % 7 or 7)).isoformat()
    back = (ref.weekday() - wd) % 7
    if last and r.startswith("last"):
        back = ref.weekday() + 7 - wd
    elif last and back == 0:
        back = 7
    return (ref - dt.timedelta(days=back)).isoformat()


def find_dates(text: str, issue_date: Optional[str], offset: int = 0) -> list[DateMention]:
    """All date expressions in `text`, left to right; overlapping matches keep the
    earliest-listed (most specific) pattern."""
    ref = dt.date.fromisoformat(issue_date) if issue_date else None
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    cjk, folded = has_cjk(text), fold(text)
    present: dict[tuple, bool] = {}  # a key set (four patterns share the months' one) -> in the text?
    for kind, pat in _PATTERNS:
        keys = pat.full_keys if cjk else pat.keys
        if keys is not None:
            if keys not in present:
                present[keys] = pat.may_match(folded, cjk)
            if not present[keys]:
                continue
        for m in pat.finditer(text, folded, cjk):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            g = m.groupdict()
            value: Optional[str] = None
            rel = False
            if kind.startswith("rel"):
                if ref is None:
                    continue
                try:
                    value, rel = resolve_relative(g["rel"], ref), True
                except OverflowError:  # an issue date at the edge of the calendar (0001-01-01)
                    continue
            else:
                y = int(g["y"]) if g.get("y") else None
                mon = MONTHS[g["mon"].lower().rstrip(".")] if g.get("mon") else int(g["m"])
                if not 1 <= mon <= 12:
                    continue
                if g.get("d"):
                    d = int(g["d"])
                    if y is None and ref is None:
                        continue
                    yy = y if y is not None else _year_for(mon, d, ref)
                    date = _safe_date(yy, mon, d)
                    if date is None:
                        continue
                    value = date.isoformat()
                else:
                    value = f"{y:04d}-{mon:02d}"
            taken.append((s, e))
            found.append(DateMention(text=m.group(0), start=offset + s, end=offset + e,
                                     value=value, relative=rel))
    found.sort(key=lambda d: d.start)
    return found


def is_reference_point(text: str, local_start: int) -> bool:
    """True when a date is the reference point of a comparison ("since Jan 2020")."""
    before = text[max(0, local_start - 12):local_start]
    return bool(_NOT_EVENT.search(before) or _NOT_EVENT_ZH.search(before)
                or _FUTURE.match(text, local_start))


def parse_date(s: str) -> Optional[str]:
    """A full date in any supported absolute form -> ISO YYYY-MM-DD, else None."""
    for d in find_dates(s, None):
        if not d.relative and len(d.value) == 10:
            return d.value
    return None
