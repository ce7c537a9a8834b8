"""Bilingual rule patterns: on a text without CJK characters the Latin-only variant finds
exactly what the whole pattern finds (the rules use it there because it is faster)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.extract import _bounds, _cjk, dates, events, metrics
from kg.extract._cjk import Bilingual, has_cjk, top_level_alternatives

ROOT = Path(__file__).resolve().parents[1]


def all_bilingual() -> list[Bilingual]:
    pats = [p for _, p, _ in events.CUES] + [p for _, p in metrics.MEASURES] + [p for _, p in metrics.QUALIFIERS]
    return pats + [metrics.UP_RE, metrics.DOWN_RE, _bounds.CLAUSE_BREAK]


def latin_lines() -> list[str]:
    lines = []
    for f in sorted((ROOT / "examples").glob("*.*")):
        if f.suffix in (".txt", ".md"):
            lines += [ln for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip() and not has_cjk(ln)]
    return lines


def test_split_respects_groups_classes_and_escapes():
    assert top_level_alternatives(r"a|(?:b|c)|[|]d|\||e") == ["a", "(?:b|c)", "[|]d", r"\|", "e"]
    assert top_level_alternatives(r"[]|]x|y") == ["[]|]x", "y"]
    b = Bilingual(r"\bfell\b|暴跌|(?:涨|rose)")
    assert b.latin.pattern == r"\bfell\b|(?:涨|rose)"  # a group is kept whatever it holds
    assert Bilingual("暴跌|大涨").latin is _cjk.NEVER


@pytest.mark.parametrize("i", range(len(all_bilingual())))
def test_latin_variant_finds_the_same_on_latin_text(i):
    pat = all_bilingual()[i]
    lines = latin_lines()
    assert len(lines) > 20
    for line in lines:
        a = [m.span() for m in pat.full.finditer(line)]
        assert [m.span() for m in pat.latin.finditer(line)] == a, line
        assert [m.span() for m in pat.finditer(line)] == a


def test_chinese_forms_still_found(rules):
    from tests.conftest import extract_text
    _, ix = extract_text("测试周刊 第1期 2026-03-02\n\n- 路透社：英伟达股价暴跌5%，营收375亿美元，同比增长66%。2026年3月1日\n", rules)
    ex = ix.items[0]
    assert {e.type for e in ex.events} >= {"StockMove"}
    assert any(str(m.value) == "37500000000" and m.unit == "USD" and m.measure == "revenue" for m in ex.metrics)
    assert any(d.value == "2026-03-01" for d in ex.dates)


def test_literal_keys_are_a_necessary_condition():
    from kg.extract._cjk import literal_keys
    assert literal_keys(r"\b(?:plunge[ds]?|crash(?:ed)?)\b|\bhit (?:a )?record\b", re.I) == ("crash", "hit ", "plunge")
    assert literal_keys(r"\d+%|up") is None          # a figure has no literal start
    assert literal_keys(r"(?<!\w)Series [A-F]", re.I) == ("series ",)
    # every Latin line on which a pattern matches contains one of its keys
    for pat in all_bilingual():
        for line in latin_lines():
            if pat.latin.search(line):
                assert pat.may_match(line.casefold()), (pat.pattern[:40], line)
    # under IGNORECASE, the Kelvin sign and the long s match k and s: casefold agrees
    b = Bilingual(r"\bsees\b|\bkept\b", re.I)
    for text in ("He ſees it", "rates \u212aept"):
        assert b.latin.search(text) and b.may_match(text.casefold())
