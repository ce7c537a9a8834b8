"""Clause and sentence bounds (kg.extract._bounds.Bounds): what a figure's clause and an
evidence sentence are, and the same answers whatever order the rules ask in (the
starts are remembered)."""
from __future__ import annotations

import random

from kg.extract._bounds import Bounds


def test_clause_and_sentence_of_a_figure():
    text = "Revenue rose 12% to $48B, while margins fell. Acme Corp. filings came later (in May)."
    b = Bounds(text)
    s = text.index("12%")
    assert text[slice(*b.clause(s, s + 3))] == "Revenue rose 12% to $48B"
    assert text[slice(*b.sentence(s))] == "Revenue rose 12% to $48B, while margins fell."
    m = text.index("margins")  # a full stop ends a sentence, not a clause
    assert text[slice(*b.clause(m, m + 7))] == " margins fell. Acme Corp. filings came later "
    f = text.index("filings")
    assert text[slice(*b.sentence(f))] == "Acme Corp. filings came later (in May)."  # not cut after "Corp."
    zh = "英伟达营收增长66%，而股价下跌5%。"
    bz = Bounds(zh)
    k = zh.index("5%")
    assert zh[slice(*bz.clause(k, k + 2))] == "股价下跌5%"


def test_answers_do_not_depend_on_the_order_of_questions():
    pieces = ["Nvidia", " rose", " 5%", ",", " and ", " while ", " – ", "(", ")", ". ", " Corp. ", "\n", "。", "而"]
    rnd = random.Random(3)
    for _ in range(200):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 25)))
        asked = Bounds(text)
        offsets = list(range(len(text) + 1))
        rnd.shuffle(offsets)
        for s in offsets:
            e = min(len(text), s + rnd.randint(0, 4))
            fresh = Bounds(text)
            assert asked.clause(s, e) == fresh.clause(s, e), (text, s, e)
            assert asked.clause_start(s) == fresh.clause_start(s)
            assert asked.sentence(s) == Bounds(text).sentence(s), (text, s)
            assert asked.sentence_start(e) == Bounds(text).sentence_start(e)


def test_sentence_bounds_are_those_of_a_scan():
    """Sentence starts and ends come from the breaks of the whole text found once: they must
    be what a scan of text[:s] (the last break) and a scan from s (the first) give, also
    where a break reaches s (a run of blank lines, "Corp." before a capital)."""
    from kg.extract._bounds import sentence_breaks
    pieces = ["Acme", " rose", " 5%", ". ", ".  ", ". \n", "\n", "\n\n", " Corp. ", " Inc. ", "U.S. ", "?", "! ",
              "。", "；", " a", " B", "“", "(", " ", "x"]
    rnd = random.Random(5)
    for _ in range(500):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 40)))
        b = Bounds(text)
        for s in rnd.sample(range(len(text) + 1), len(text) + 1):
            left = 0
            for m in sentence_breaks(text, 0, s):
                left = m.end()
            first = next(sentence_breaks(text, s), None)
            assert b.sentence_start(s) == left, (text, s)
            assert b.sentence_end(s) == (first.start() if first else len(text)), (text, s)


def test_clause_starts_are_those_of_a_scan_that_stops_at_the_offset():
    """Clause starts come from the whole text's breaks found once and a short scan before
    the offset: they must be what a scan of text[:s] gives, also where stopping at s makes a
    break (a comma before a digit, "and" before a letter) or unmakes one (" – " cut); clause
    ends what a scan from s gives, also where a break runs across s."""
    from kg.extract._bounds import CLAUSE_BREAK
    pieces = ["Acme", " rose", " 5%", ",", "3", " and", "and", "as", "sets", " whereas ", " – ", "—", "——", "(", ")",
              " as much as", "   little  ", "many", " few", "as   ",
              ". ", " Corp. ", "\n", "。", "而", "但", "X", " ", "  ", "?", "while", " but", "before"]
    rnd = random.Random(11)
    for _ in range(500):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 50)))
        b = Bounds(text)
        pat = CLAUSE_BREAK.full if b.cjk else CLAUSE_BREAK.latin
        for s in rnd.sample(range(len(text) + 1), len(text) + 1):
            left = 0
            for m in pat.finditer(text, 0, s):
                left = m.end()
            assert b.clause_start(s) == left, (text, s)
            # clause ends come from the whole text's breaks too: what a scan from s gives
            first = pat.search(text, s)
            assert b.clause_end(s) == (first.start() if first else len(text)), (text, s)


def test_clause_starts_without_a_second_scan_are_those_of_a_scan():
    """clause_start scans the characters before s again only when a try of the pattern there
    looks at s or after (kg.extract._bounds._reaches): every start must still be what a
    scan of text[:s] gives, at every offset, around the words and signs that look ahead."""
    from kg.extract._bounds import CLAUSE_BREAK
    pieces = ["a", "an", "and", "af", "after", "as", "as ", "as much as", "as  many  as", " little ", "few", "high",
              "w", "wh", "whi", "while", "where", "whereas", "b", "bu", "but", "be", "before", "_", "é", "9", "x",
              ",", "，", "1", " ", "  ", "\n", "—", "——", "–", " – ", "(", "。", "而", "Andrew", "was", "ba"]
    rnd = random.Random(17)
    for _ in range(1500):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 30)))
        b = Bounds(text)
        pat = CLAUSE_BREAK.full if b.cjk else CLAUSE_BREAK.latin
        for s in range(len(text) + 1):
            left = 0
            for m in pat.finditer(text, 0, s):
                left = m.end()
            assert b.clause_start(s) == left, (text, s)
