"""Bilingual rule patterns: on a text without CJK characters the Latin-only variant finds
exactly what the whole pattern finds (the rules use it there because it is faster)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg import _cjk, dates
from kg.extract import _bounds, entities, events, metrics, subjects, triggers
from kg._cjk import Bilingual, has_cjk, top_level_alternatives

ROOT = Path(__file__).resolve().parents[1]


def all_bilingual() -> list[Bilingual]:
    """Every Bilingual pattern of the rules, in lists or on their own."""
    out = []
    for mod in (_bounds, dates, entities, events, metrics, subjects, triggers):
        for v in vars(mod).values():
            items = v if isinstance(v, list) else [v]
            for x in items:
                x = x[1] if isinstance(x, tuple) else x
                if isinstance(x, Bilingual) and x not in out:
                    out.append(x)
    assert len(out) > 40
    return out


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
        assert [m.span() for m in pat.scan(line, _cjk.fold(line), False)] == a


def test_chinese_forms_still_found(rules):
    from tests.conftest import extract_text
    _, ix = extract_text("测试周刊 第1期 2026-03-02\n\n- 路透社：英伟达股价暴跌5%，营收375亿美元，同比增长66%。2026年3月1日\n", rules)
    ex = ix.items[0]
    assert {e.type for e in ex.events} >= {"StockMove"}
    assert any(str(m.value) == "37500000000" and m.unit == "USD" and m.measure == "revenue" for m in ex.metrics)
    assert any(d.value == "2026-03-01" for d in ex.dates)


def all_lines() -> list[str]:
    lines = []
    for f in sorted((ROOT / "examples").glob("*.*")):
        if f.suffix in (".txt", ".md"):
            lines += [ln for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return lines


def test_literal_keys_are_a_necessary_condition():
    from kg._cjk import fold, literal_keys
    # the most selective literal part of each way through the pattern
    assert literal_keys(r"\b(?:plunge[ds]?|crash(?:ed)?)\b|\bhit (?:a )?record\b", re.I) == ("crash", "plunge", "record")
    assert literal_keys(r"\d+%|up") == ("%", "up")
    assert literal_keys(r"(?P<cur>[$€])\s?\d+(?:bn)?") == ("$", "€")
    assert literal_keys(r"\d+|[A-Z]+") is None         # no literal part
    assert literal_keys(r"(?<!\w)Series [A-F]", re.I) == ("series ",)
    # every line on which a pattern matches contains one of its keys
    lines = all_lines()
    assert any(has_cjk(ln) for ln in lines) and any(not has_cjk(ln) for ln in lines)
    for pat in all_bilingual():
        for line in lines:
            cjk = has_cjk(line)
            if (pat.full if cjk else pat.latin).search(line):
                assert pat.may_match(fold(line), cjk), (pat.pattern[:40], line)
    # under IGNORECASE, the Kelvin sign, the long s, the dotless ı and the İ match k, s and i
    b = Bilingual(r"\bsees\b|\bkept\b|\brises\b", re.I)
    for text in ("He ſees it", "rates \u212aept", "RİSES", "rıses"):
        assert b.latin.search(text) and b.may_match(fold(text)), text


def test_capital_first_name_rules_find_what_the_plain_forms_find():
    """ORG_RULE and TICKER_RULE start at a capital and check the word boundary after it (so
    that `re` can skip to capitals); the plain "\\b(?:CAP\\s+){0,3}CAP" forms are the spec."""
    from kg.extract import entities as E
    words = r"\b(?P<name>(?:" + E.CAP + r"\s+){0,3}" + E.CAP
    plain_org = re.compile(words + r"\s+" + E.ORG_SUFFIX + r")(?![A-Za-z])")
    plain_ticker = re.compile(words + r")\s+\((?:(?:NYSE|NASDAQ|Nasdaq|HKEX|LSE|TSE)\s*:\s*)?(?P<ticker>[A-Z]{1,5}(?:\.[A-Z]{1,2})?)\)")
    lines = all_lines() + ["Shares of Arm Holdings (ARM) and xNova Labs Inc rose", "OpenAI Labs, Big Co Group Ltd",
                           "Nvidia (NASDAQ: NVDA) and Taiwan Semiconductor Manufacturing Co (TSM)", "aB Corp", "Ab-Cd Holdings"]
    hits = 0
    for line in lines:
        for plain, new in ((plain_org, E.ORG_RULE), (plain_ticker, E.TICKER_RULE.full)):
            want = [(m.span(), m.span("name")) for m in plain.finditer(line)]
            assert [(m.span(), m.span("name")) for m in new.finditer(line)] == want, line
            hits += len(want)
    assert hits > 5


def test_digit_first_figure_patterns_find_what_the_plain_forms_find():
    """Figure patterns start at a digit, with the lookbehind checked after it (so that `re`
    can skip to digits); the plain forms, lookbehind first, are the spec."""
    NUM, s = metrics.NUM, metrics._scale_en
    plain = {
        metrics.MONEY_WORD_EN.full: re.compile(r"(?<![\w$€£¥.])(?P<num>" + NUM + r")(?:\s?(?P<scale>" + s + r"))?\s+(?:US\s+)?(?P<curw>dollars?|euros?|pounds|yen|yuan|renminbi|won|rupees)\b", re.I),
        metrics.PCT_RANGE.full: re.compile(r"(?P<a>" + NUM + r")\s?(?:%|％)?\s?(?:[–—\-~～]|to|至|到)\s?(?P<b>" + NUM + r")\s?(?:%|％|\s?percent\b)"),
        metrics.COUNT_EN: re.compile(r"(?<![\w$€£¥.,])(?P<num>" + NUM + r")(?:\s?(?P<scale>" + s + r"))?\s+(?:\w+\s+)?(?P<noun>" + metrics.COUNT_NOUNS + r")\b", re.I),
        metrics.COUNT_ZH_RE.full: re.compile(r"(?<![\d.,])(?P<num>" + NUM + r")\s?(?P<scale>万亿|亿|万|千)?(?P<noun>" + metrics.COUNT_ZH + r")"),
        dates._PATTERNS[0][1].full: re.compile(r"(?<![\d-])(?P<y>(?:19|20)\d\d)-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)(?![\d-])"),
    }
    lines = all_lines() + ["1,234,567.8 jobs", "x5 jobs", ".5 jobs", "$5 jobs", "5 jobs", "3.5%-3.75%", "12 to 15 percent",
                           "2026-03-01", "12026-03-01", "-2026-03-01", "a2026-03-01", "5 and 5,000 dollars", "5,00 users",
                           "3.5 billion US dollars", "1.200 名员工", "裁员1,200名员工", "增加5000万用户"]
    hits = 0
    for line in lines:
        for new, old in plain.items():
            want = [(m.span(), m.groupdict()) for m in old.finditer(line)]
            assert [(m.span(), m.groupdict()) for m in new.finditer(line)] == want, (old.pattern[:30], line)
            hits += len(want)
    assert hits > 20


def _fuzz_texts(pattern: str, n: int, seed: int) -> list[str]:
    """Random texts of a pattern's own words, in several cases, with the characters whose
    fold moves or changes (ß, İ, i + combining dot, U+0345, Kelvin sign, long s)."""
    import random
    rnd = random.Random(seed)
    words = re.findall(r"[A-Za-z]+", pattern) + ["\u212a", "ſ", "İ", "ı", "ß", "i\u0307", "\u0345", "_", "1", "2020",
                                                  "$5", " ", "  ", "-", "—", "’", ".", ",", "%", "a", "\n"]
    out = []
    for _ in range(n):
        t = "".join(rnd.choice(words) + rnd.choice(["", " ", " ", "-", "s", ".", "ed"]) for _ in range(rnd.randint(1, 9)))
        out.append(rnd.choice([t, t, t.upper(), t.title()]))
    return out


def _sig(m, text):
    return m.span(), m.group(0), tuple(sorted(m.groupdict().items())), m.lastgroup


def with_fast() -> list[Bilingual]:
    return [p for p in all_bilingual() if p.fast is not None]


@pytest.mark.parametrize("i", range(len(with_fast())))
def test_fast_variant_finds_what_the_latin_variant_finds(i):
    """Bilingual.fast (each alternative starting with a literal; for a case-insensitive
    pattern, lowercase and run on the fold) gives the Latin variant's matches and groups."""
    from kg._cjk import fold
    pat = with_fast()[i]
    for text in latin_lines() + _fuzz_texts(pat.pattern, 1500, i):
        want = [_sig(m, text) for m in pat.latin.finditer(text)]
        assert [_sig(m, text) for m in pat.finditer(text, fold(text), False)] == want, text


def test_fast_variants_cover_the_word_patterns():
    """The rewriting handles a leading word boundary, groups (named ones too) and an
    optional leading group; a pattern it cannot rewrite keeps the plain scan."""
    b = Bilingual(r"\b(?:(?:on|last)\s+)?(?:Monday|Friday)\b|暴跌", re.I)
    assert b.fast.pattern == r"o(?<!\w.)n\s+(?:monday|friday)\b|l(?<!\w.)ast\s+(?:monday|friday)\b|" \
                             r"m(?<!\w.)onday\b|f(?<!\w.)riday\b"
    text = "Said on FRIDAY, last Monday, Friday"
    assert [m.group(0) for m in b.scan(text, _cjk.fold(text), False)] == ["on FRIDAY", "last Monday", "Friday"]
    named = Bilingual(r"\b(?P<rel>today|(?:(?:on|last)\s+)?(?:Monday|Friday))\b", re.I)
    assert named.fast.pattern.startswith(r"(?P<rel>t(?<!\w.)oday|o(?<!\w.)n\s+(?:monday|friday)|")
    assert [m.group("rel") for m in named.scan(text, _cjk.fold(text), False)] == ["on FRIDAY", "last Monday", "Friday"]
    assert Bilingual(r"\b(?:on\s+)?(?P<d>Monday)\b", re.I).fast is None  # the group would be repeated
    # an optional group of several ways before the rest; a boundary before a non-word character
    spread = Bilingual(r"\b(?:a|b)?c\b", re.I)
    assert spread.fast.pattern == r"a(?<!\w.)c\b|b(?<!\w.)c\b|c(?<!\w.)\b"
    assert Bilingual(r"\b-x").fast is None and Bilingual(r"\b(?:up|-down)\b", re.I).fast is None
    for text in _fuzz_texts("a b c ac bc cc xac", 2000, 4):
        assert [_sig(m, text) for m in spread.finditer(text, _cjk.fold(text), False)] == \
            [_sig(m, text) for m in spread.latin.finditer(text)], text
    assert Bilingual(r"(?P<sign>[+-])?\d+%").fast is None
    assert Bilingual(r"\bfell\b|[A-Z]\w+").fast is None
    assert sum(p.fast is not None for p in all_bilingual()) >= 30


def test_folds_in_place_list_is_every_character_that_does_not():
    """_UNFOLDABLE lists exactly the characters whose casefold is not one character, plus the
    combining dot `fold` drops and U+0345 (folds to a word character)."""
    import sys
    want = {chr(c) for c in range(sys.maxunicode + 1) if len(chr(c).casefold()) != 1} | {"\u0307", "\u0345"}
    got = {chr(c) for c in range(sys.maxunicode + 1) if _cjk._UNFOLDABLE.match(chr(c))}
    assert got == want
    w = re.compile(r"\w")
    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        if ch not in want:
            assert len(_cjk.fold(ch)) == 1 and bool(w.match(ch)) == bool(w.match(_cjk.fold(ch))), hex(c)


def test_measure_words_on_the_fold_are_the_one_pattern_s():
    """metrics._measure_hits (on the fold, without IGNORECASE) gives MEASURES_LATIN's
    matches and the measure of each, which is the first listed whose words match there."""
    pattern = "|".join(p for _, p in metrics.MEASURE_PATTERNS)
    texts = latin_lines() + _fuzz_texts(pattern, 6000, 3) + ["Q3 EPS beat; earnings per share $1", "per 1M input tokens",
                                                           "market value, Market Cap", "Series A round", "ſhares"]
    hits = 0
    for text in texts:
        want = [(h.start(), h.end(), int(h.lastgroup[1:])) for h in metrics.MEASURES_LATIN.finditer(text)]
        assert metrics._measure_hits(text, _cjk.fold(text)) == want, text
        hits += len(want)
    assert hits > 1000


def test_clause_breaks_are_the_plain_forms():
    """CLAUSE_BREAK starts each alternative with a character (the word boundary and the
    "not after a digit" checked after it); the plain form is the spec."""
    import random
    plain = re.compile(r"[;；。!?！？\n]|(?<!\d)[,，](?!\d)|\s[–—]\s|——|[(（)）]|\b(?:while|whereas|but|and|after|before|"
                       r"as(?<!much\sas)(?<!many\sas)(?<!high\sas)(?<!little\sas)(?<!few\sas)"
                       r"(?!\s{1,3}(?:much|many|high|little|few)\s{1,3}as\b))\b|而|但|且")
    rnd = random.Random(5)
    words = ["as", "much", "many", "and", "but", "while", "whereas", "after", "before", "Andrew", "1,000", ",", "，", "—",
             " – ", "\n", "_as", "as_", "high", "few", "little", "was", "basis", "9as", "而", "(", "）", "x"]
    texts = all_lines() + ["".join(rnd.choice(words) + rnd.choice(["", " ", "  "]) for _ in range(rnd.randint(0, 12)))
                           for _ in range(5000)]
    for text in texts:
        want = [m.span() for m in plain.finditer(text)]
        assert [m.span() for m in _bounds.CLAUSE_BREAK.full.finditer(text)] == want, text
        for s in range(0, len(text) + 1, 5):  # scans that stop early, as clause_start makes them
            assert [m.span() for m in _bounds.CLAUSE_BREAK.full.finditer(text, max(0, s - 24), s)] == \
                [m.span() for m in plain.finditer(text, max(0, s - 24), s)], (text, s)


def test_letter_first_patterns_find_what_the_plain_forms_find():
    """Patterns written to start with a character (what was before it checked after it)
    against their plain forms, the spec, on the examples and on random texts of their words."""
    import random
    from kg.extract import entities as E
    plain = {
        E.PRODUCT_VERSION: re.compile(r"(?P<name>\b(?:[A-Z][a-z]+|[a-z][A-Z][A-Za-z]*|[A-Z]{2,5})" + E.VERSION + r"+)"),
        E.MODEL_LIKE: re.compile(r"(?<![\w$€£¥.])(?P<name>(?:[A-Z][A-Za-z]{0,6}|[a-z])-?\d+(?:\.\d+)?[A-Za-z]?"
                                 r"(?:-(?:mini|nano|pro|turbo|multimodal|preview|[A-Z]?\d+[a-z]?))*\+?)(?![\w%])"),
        triggers.YEAR: re.compile(r"\b(?:in|during)\s+((?:19|20)\d\d)\b"),
        triggers.MONTH_IN: re.compile(r"\bin\s+(January|February|March|April|May|June|July|August|September|October|"
                                      r"November|December)\b(?!\s+\d)"),
        _bounds.SENTENCE_END: re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“‘'(])|[。！？!?；;]|\n"),
    }
    rnd = random.Random(9)
    words = ["iPhone", "17", "Pro", "Max", "GPT", "-4.5", "o3", "-mini", "H800", "MI450", "Claude", "3.7", "Sonnet", "ABC",
             "xAI", "Phi", "-4", "$5", "5%", ".", "in", "during", "2021", "1999", "March", "May", "3", "Corp.", "U.S.",
             "!", "?", "\n", "“Q", "(", "a", "The", "billion", "+", "_", "é", "Ab", "-", "，", "。"]
    texts = all_lines() + ["".join(rnd.choice(words) + rnd.choice(["", " ", " ", "  "]) for _ in range(rnd.randint(1, 10)))
                           for _ in range(6000)]
    hits = 0
    for new, old in plain.items():
        for text in texts:
            want = [(m.span(), m.groups()) for m in old.finditer(text)]
            assert [(m.span(), m.groups()) for m in new.finditer(text)] == want, (new.pattern[:30], text)
            for a in (1, 3):  # scans from an offset, as sentence_breaks makes them
                assert [m.span() for m in new.finditer(text, a)] == [m.span() for m in old.finditer(text, a)], text
            hits += len(want)
    assert hits > 3000


def test_raw_keys_are_a_necessary_condition():
    """A case-sensitive rule scanned only on texts with one of its literal parts (the
    organisation suffixes of ORG_RULE): every text it matches has one."""
    from kg._cjk import may_contain, raw_keys
    from kg.extract import entities as E
    assert "Inc" in E.ORG_KEYS and "inc" not in E.ORG_KEYS
    assert raw_keys(re.compile(r"\d+|[A-Z]+")) is None and may_contain("x", None)
    lines = all_lines() + ["Acme Robotics said", "acme robotics", "Shares of Quorra Health rose", "Velmora’s chief executive"]
    hits = 0
    for pat, keys in ((E.ORG_RULE, E.ORG_KEYS), (E.CTX_AFTER, E.CTX_AFTER_KEYS)):
        for line in lines:
            if pat.search(line):
                hits += 1
                assert may_contain(line, keys), (pat.pattern[:30], line)
    assert hits > 10


def test_signed_percents_are_percent_s_matches():
    """metrics.signed_percents (the unsigned form from the digit, a sign right before taken
    in) gives PERCENT's matches, sign and number."""
    import random
    rnd = random.Random(3)
    words = ["+", "-", "−", "5", "12", "1,234", ".5", "3.5", "%", "％", " percent", " per cent", " pct", " pp",
             " percentage point", "个百分点", " ", "a", "+-", "1,23", ",000", "x"]
    texts = all_lines() + ["".join(rnd.choice(words) for _ in range(rnd.randint(1, 12))) for _ in range(20000)]
    hits = 0
    for text in texts:
        want = [(m.start(), m.end(), m.group("sign"), m.group("num")) for m in metrics.PERCENT.finditer(text)]
        assert list(metrics.signed_percents(text)) == want, text
        hits += sum(1 for w in want if w[2])
    assert hits > 1000


def test_search_in_a_range_is_the_pattern_s_search():
    """Bilingual.search_in(bounds, pos, endpos) (the fast variant on the fold the Bounds
    keeps) finds what the whole pattern's search(text, pos, endpos) finds."""
    import random
    from kg.extract._bounds import Bounds
    rnd = random.Random(8)
    for pat in (subjects.DEAL_VERB, subjects.PERSON_MEASURE, metrics.LEVEL_RE, events.CUES[0][1]):
        texts = latin_lines()[:200] + _fuzz_texts(pat.pattern, 800, 1) + ["它的收购 bought  ", "He bought Acme for $5"]
        for text in texts:
            b = Bounds(text)
            for _ in range(4):
                pos = rnd.randint(0, len(text))
                end = rnd.randint(pos, len(text))
                want = pat.full.search(text, pos, end)
                got = pat.search_in(b, pos, end)
                assert (got.span() if got else None) == (want.span() if want else None), (pat.pattern[:30], text, pos, end)
