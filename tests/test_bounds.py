"""Clause and sentence bounds from one scan of an item (kg.extract._bounds.Bounds) are the
bounds the rules are defined by (a scan of the text up to the offset, and one from it), at
every offset of every example line and of texts made to stress the cut: breaks right at
the offset, a lookahead past it, long whitespace, abbreviations, Chinese punctuation."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from kg.extract._bounds import Bounds, clause_bounds, sentence_bounds

ROOT = Path(__file__).resolve().parents[1]
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"

PIECES = ["Nvidia", " rose", " 5%", ",", ", ", ",5", "5,", " and ", "and", "band", " as ", " while ",
          " – ", "——", "(", ")", "（", "；", ";", ". ", ".  \n ", ".\n\nApple", " Corp. ", " U.S. ", " Inc.",
          "!", "? ", "。", "而", "但", "且", " The ", "\n", "   ", " whereas", " before", "after", "$3.5B"]


def texts() -> list[str]:
    out = []
    for f in sorted((ROOT / "examples").glob("*.*")):
        if f.suffix in (".txt", ".md"):
            out += [ln for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
    rnd = random.Random(7)
    out += ["".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 40))) for _ in range(400)]
    return out


def assert_same(text: str) -> None:
    b = Bounds(text)
    for s in range(len(text) + 1):
        assert b.sentence(s) == sentence_bounds(text, s), (text, s)
        for e in (s, min(len(text), s + 1), min(len(text), s + 4)):
            assert b.clause(s, e) == clause_bounds(text, s, e), (text, s, e)


def test_one_scan_gives_the_defined_bounds_everywhere():
    for text in texts():
        assert_same(text)


def test_on_the_real_corpus():
    files = sorted(SHARED_CORPUS.glob("*.txt"))[:3] if SHARED_CORPUS.is_dir() else []
    if not files:
        pytest.skip("../shared/corpus is not here")
    for f in files:
        for para in f.read_text(encoding="utf-8").split("\n\n")[:60]:
            assert_same(para)


def test_bounds_of_a_figure_in_a_clause():
    text = "Revenue rose 12% to $48B, while margins fell. Corp. filings came later."
    b = Bounds(text)
    s = text.index("12%")
    assert text[slice(*b.clause(s, s + 3))] == "Revenue rose 12% to $48B"
    assert text[slice(*b.sentence(s))].startswith("Revenue") and text[slice(*b.sentence(s))].endswith("fell.")
