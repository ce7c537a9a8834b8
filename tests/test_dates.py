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
