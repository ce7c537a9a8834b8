from __future__ import annotations

import pytest

from kg.dates import find_dates, parse_date

ISSUE = "2026-01-29"  # a Thursday


@pytest.mark.parametrize("text,value,relative", [
    ("on 2026-01-15 the board met", "2026-01-15", False),
    ("The paradox of Jan 29: Microsoft", "2026-01-29", False),
    ("the DeepSeek Shock (Jan 2026)", "2026-01", False),
    ("on January 5, 2026 it said", "2026-01-05", False),
    ("2026年1月29日的会议", "2026-01-29", False),
    ("深度求索冲击(2026年1月)", "2026-01", False),
    ("1月29日的悖论", "2026-01-29", False),
    ("the Fed held rates yesterday", "2026-01-28", True),
    ("shares fell today", "2026-01-29", True),
    ("it launched last week", "2026-01-22", True),
    ("the deal closed on Tuesday", "2026-01-27", True),
    ("美联储昨日保持利率", "2026-01-28", True),
    ("上周发布", "2026-01-22", True),
])
def test_date_forms(text, value, relative):
    ds = find_dates(text, ISSUE)
    assert [(d.value, d.relative) for d in ds] == [(value, relative)]
    d = ds[0]
    assert text[d.start:d.end] == d.text


def test_month_day_without_year_takes_the_issue_year_or_the_one_before():
    assert find_dates("on Dec 30 it fell", "2026-01-05")[0].value == "2025-12-30"
    assert find_dates("on Mar 3 it fell", "2026-03-05")[0].value == "2026-03-03"


def test_parse_date_needs_a_full_date():
    assert parse_date("March 30, 2026") == "2026-03-30"
    assert parse_date("2026年1月29日") == "2026-01-29"
    assert parse_date("Jan 29") is None
    assert parse_date("not a date") is None


def test_relative_dates_need_an_issue_date():
    assert find_dates("yesterday", None) == []


def test_day_month_year_pattern_is_its_plain_form():
    """The day-month-year pattern is written to start with a digit (the word boundary before
    the day checked after its first digit): the same matches and groups as the plain form."""
    import random
    import re
    from kg.dates import _MON, _PATTERNS
    plain = re.compile(r"\b(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+" + _MON + r",?\s+(?P<y>(?:19|20)\d\d)\b")
    dmy = dict(_PATTERNS)["dmy"]
    rnd = random.Random(7)
    words = ["1", "3", "12", "31", "45", "9", "03", "x3", "_2", "th", "st", "nd", "March", "Mar.", "May", "Sept", ",",
             "2024", "1999", "2100", "a", "-", "é", "٣", "\n"]
    texts = ["On 3 March 2024 Acme said", "the 31st May, 2025 close", "x12 May 2024", "Q3 results on 4th Sept 2023."]
    texts += ["".join(rnd.choice(words) + rnd.choice(["", " ", "  "]) for _ in range(rnd.randint(1, 10)))
              for _ in range(20000)]
    hits = 0
    for text in texts:
        want = [(m.span(), m.groupdict()) for m in plain.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in dmy.full.finditer(text)] == want, text
        assert [(m.span(), m.groupdict()) for m in dmy.latin.finditer(text)] == want, text
        hits += len(want)
    assert hits > 50
