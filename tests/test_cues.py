"""The event cues' pre-scan (kg._firstwords.FirstWords): a text is scanned for a cue only with
the alternatives whose first word is one of the text's words, and finds what the whole cue
pattern finds (Bilingual.scan), on our own sentences and on random texts of cue words."""
from __future__ import annotations

import random
import re
from re import _parser as _sp

from kg._cjk import fold, folds_in_place, has_cjk
from kg.extract import zh
from kg._firstwords import FirstWords, first_words
from kg.extract.events import CUES

SENTENCES = [
    "Acme shares rose 5% on Tuesday after the company raised $2 billion in a Series B round.",
    "ROSE 5%: Acme Robotics Plunged, then Rallied.",
    "The rosé maker said prices rose; Rose Harper, its CEO, sees $3 billion in sales.",
    "Beta agreed to buy Gamma; the takeover of Delta closed. Q3 results beat estimates.",
    "Regulators opened an investigation into Acme and fined Beta €5 million.",
    "Acme will lay off 1,200 workers and cut 300 jobs; Beta laid off staff.",
    "Acme teamed up with Beta in a joint venture and signed a deal with Gamma.",
    "The Fed held interest rates steady; the rate decision came after the S&P 500 hit a record high.",
    "Acme's ﬁned unit rose 3% (the ligature folds to two letters: not in place).",
    "Straße index fell 2% as export controls tightened.",
    "英伟达股价暴跌5%，Acme shares rose 3%。",
    "Acme Corp. sued Beta over a lawsuit filed in court; the court ruled for Beta.",
    "to-buy, re-rose, rose-gold, _rose, rose_, 9rose, rose9, rosé.",
]
WORDS = ("rose Rose ROSE rises rise sank hit hits record high a the raised raise raising $5 5 funding round series A "
         "Q1 q3 results beat earnings revenue of fell to buy to-buy acquire acquired ß İ ı ﬁned export controls lay off "
         "laid cut 1,000 jobs , . - ’ “ ( rallies rallied 暴跌 涨 é rosé _ 9 held rates rate decision warns").split()


def test_first_words_are_told_by_the_pattern():
    def words(src):
        return first_words(list(_sp.parse(src)), frozenset([""]))
    assert words(r"r(?:ose|ises)\b") == {"rose", "rises"}
    assert words(r"p(?:lunge[ds]?)\b") == {"plunge", "plunged", "plunges"}
    assert words(r"r(?:aise[sd]?|aising)\s+\$") == {"raise", "raised", "raises", "raising"}
    assert words(r"a(?:ll-time high)") == {"all"}  # a hyphen ends the word
    assert words(r"q[1-4] results") == {"q1", "q2", "q3", "q4"}
    assert words(r"r(?:ate)") is None  # no end told: "rates" would match too
    assert words(r"r\w+\b") is None


def _check(cues, texts):
    fw = FirstWords.of(cues)
    hits = 0
    for text in texts:
        folded, cjk = fold(text), has_cjk(text)
        got = fw.scan(text, folded, cjk, not cjk and folds_in_place(text))
        for rule, found in zip(cues, got):
            pat = rule[1] if isinstance(rule, tuple) else rule
            want = [(m.span(), m.group(0), m.groupdict()) for m in pat.scan(text, folded, cjk)]
            assert [(m.span(), m.group(0), m.groupdict()) for m in found] == want, (pat.pattern[:30], text)
            hits += len(want)
    return hits


def test_cue_spans_are_the_whole_patterns_matches():
    rnd = random.Random(4)
    texts = SENTENCES + [rnd.choice(["", " "]).join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 14)))
                         for _ in range(4000)]
    assert _check(CUES, texts) > 2000
    assert _check(zh.shared_cues(), texts) > 500


def test_our_sentences_find_their_cues():
    fw = FirstWords.of(CUES)
    text = SENTENCES[0]
    found = dict(zip([c[0] for c in CUES], fw.scan(text, fold(text), False, True)))
    assert [m.group(0) for m in found["Move"]] == ["rose"]
    assert [m.group(0) for m in found["Funding"]] == ["raised $2", "Series B"]
    assert not found["Lawsuit"]
    # a word inside a longer one is no cue ("rosé", "re-rose" is "rose" after a hyphen: a cue)
    text = SENTENCES[-1]
    assert [m.group(0) for m in fw.scan(text, fold(text), False, folds_in_place(text))[0]] == \
        [m.group(0) for m in re.finditer(r"(?<![\w])rose\b", text)]


def test_triggers_are_those_of_a_look_up_of_every_word():
    """find_triggers looks up only the words that start a form (found and lowercased at
    once): the same triggers as looking up every word with its match."""
    from kg.extract.triggers import WORD, _index, find_triggers, lexicon

    def every_word(text):
        single, multi = _index()
        for w in WORD.finditer(text):
            lw = w.group(0).lower()
            got = None
            for p, t in multi.get(lw, ()):
                m = p.match(text, w.end())
                if m:
                    got = (w.start(), m.end(), t)
                    break
            if got is None and lw in single:
                got = (w.start(), w.end(), single[lw])
            if got:
                yield got

    forms = sorted(lexicon()[1])
    rnd = random.Random(6)
    pieces = forms[:60] + [f.upper() for f in forms[:20]] + ["Acme", "the", "-", "co-", "re-", "’s", "é", "İ", ",", "."]
    texts = SENTENCES + [rnd.choice(["", " ", "  "]).join(rnd.choice(pieces) for _ in range(rnd.randint(0, 14)))
                         for _ in range(3000)]
    hits = 0
    for text in texts:
        want = list(every_word(text))
        assert list(find_triggers(text)) == want, text
        hits += len(want)
    assert hits > 2000


def test_ascii_runs_split_as_the_regex_finds_the_runs():
    # kg._firstwords.ascii_runs replaces ASCII_RUN.findall: the same runs, at the same offsets
    from kg._firstwords import ASCII_RUN, ascii_runs, run_starts
    rnd = random.Random(7)
    alphabet = "ab_9z AZ-.,’é—ßı\u0307😀暴跌\udc80\t\n?"
    texts = SENTENCES + ["rose rose_ rose9 _rose rosé rose’s é rose", ""] + [
        "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40))) for _ in range(3000)]
    for text in texts:
        folded = fold(text)
        runs = ascii_runs(folded)
        assert len(runs) == len(folded)
        want = [(m.start(), m.group(0)) for m in ASCII_RUN.finditer(folded)]
        assert [w.decode() for w in runs.split()] == [w for _, w in want]
        for word in {w for _, w in want}:
            assert run_starts(runs, word.encode()) == [s for s, w in want if w == word]


def test_a_cue_word_repeated_or_inside_a_match_is_found_as_the_scan_finds_it():
    # the cues are tried only where a run of their first words starts, from the end of the
    # last match on: a cue inside an earlier match ("hit a record" then "record high") and
    # the same word twice are found as finditer finds them
    texts = ["Acme hit a record high; Beta hit record highs, rose and rose again.",
             "rose rose rose", "record high record high", "to buy to buy, to-buy to  buy"]
    assert _check(CUES, texts) >= 6
