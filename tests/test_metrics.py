"""Every figure form the issue lists, in English and Chinese."""
from __future__ import annotations

from decimal import Decimal

import pytest

from kg.extract.metrics import find_metrics


def one(text, lang="en"):
    ms = find_metrics(text, lang)
    assert len(ms) == 1, [(m.text, m.value) for m in ms]
    return ms[0]


@pytest.mark.parametrize("text,value,unit", [
    ("Microsoft reported $37.5B in CapEx", Decimal("37500000000"), "USD"),
    ("it spent 37.5 billion dollars on servers", Decimal("37500000000"), "USD"),
    ("Gold surged to $5,500", Decimal("5500"), "USD"),
    ("a €2bn fund", Decimal("2000000000"), "EUR"),
    ("a $120 million Series B", Decimal("120000000"), "USD"),
    ("资本支出达375亿美元", Decimal("37500000000"), "USD"),
    ("需立即创造6500亿美元年收入", Decimal("650000000000"), "USD"),
    ("黄金飙升至5500美元", Decimal("5500"), "USD"),
    ("令微软超千亿美元的数据中心建设", Decimal("100000000000"), "USD"),
    ("营收为80亿元", Decimal("8000000000"), "CNY"),
])
def test_money(text, value, unit):
    m = one(text, "zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en")
    assert (m.value, m.unit) == (value, unit)


@pytest.mark.parametrize("text,value,direction,quals", [
    ("Microsoft Plunges 12%", Decimal("-12"), "down", {"change"}),
    ("ServiceNow sank 11% on the news", Decimal("-11"), "down", {"change"}),
    ("Meta rallied 9%", Decimal("9"), "up", {"change"}),
    ("capex (up 66% YoY)", Decimal("66"), "up", {"YoY", "change"}),
    ("markets (Hang Seng +2.6%)", Decimal("2.6"), "up", {"change"}),
    ("Azure growth slowed to 39%", Decimal("39"), "down", set()),
    ("margins of 12%", Decimal("12"), None, set()),
    ("微软股价暴跌12%", Decimal("-12"), "down", {"change"}),
    ("同比激增66%", Decimal("66"), "up", {"YoY", "change"}),
    ("恒生指数+2.6%", Decimal("2.6"), "up", {"change"}),
    ("增速放缓至39%", Decimal("39"), "down", set()),
])
def test_percent(text, value, direction, quals):
    m = one(text, "zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en")
    assert m.unit == "percent"
    assert m.value == value
    assert m.direction == direction
    assert quals <= set(m.qualifiers)


@pytest.mark.parametrize("text,lang", [
    ("Microsoft beat earnings (EPS $4.14 vs $3.93)", "en"),
    ("微软每股收益超预期(4.14美元 vs 3.93美元)", "zh"),
])
def test_actual_vs_expected(text, lang):
    a, b = find_metrics(text, lang)
    assert (a.value, b.value) == (Decimal("4.14"), Decimal("3.93"))
    assert a.unit == b.unit == "USD"
    assert "actual" in a.qualifiers and "expected" in b.qualifiers
    assert a.measure == b.measure == "eps"


@pytest.mark.parametrize("text,lang", [
    ("the Fed held rates steady (3.5%–3.75%) yesterday", "en"),
    ("美联储昨日保持利率区间(3.5%-3.75%)", "zh"),
    ("a policy rate target range of 3.5 to 3.75 percent", "en"),
])
def test_range_is_two_bounds(text, lang):
    lo, hi = find_metrics(text, lang)
    assert (lo.value, hi.value) == (Decimal("3.5"), Decimal("3.75"))
    assert "lower_bound" in lo.qualifiers and "upper_bound" in hi.qualifiers
    assert lo.measure == hi.measure == "rate"


def test_counts_and_measures():
    m = one("Intel will cut 1,200 jobs")
    assert (m.value, m.unit, m.measure) == (Decimal("1200"), "count", "layoffs")
    m = one("a staggering $37.5B quarterly AI spend")
    assert "quarterly" in m.qualifiers
    m = one("$650B in annual revenue")
    assert m.measure == "revenue" and "annual" in m.qualifiers


def test_plain_numbers_are_not_figures():
    assert find_metrics("its worst drop since 2020 on Jan 29 in 3 markets", "en") == []


def test_absurd_numbers_are_skipped_with_a_warning():
    seen = []
    ms = find_metrics("a 999999999999999% gain", "en", warn=seen.append)
    assert ms == [] and seen == ["999999999999999%"]
