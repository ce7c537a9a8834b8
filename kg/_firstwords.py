"""Which of a list of rule patterns a text can match, told by the words the text has.

A Bilingual pattern's fast variant (kg._cjk.Bilingual.fast, run on the casefolded text) is
alternatives that each start with a literal character; one that starts a word is written
"c(?<!\\w.)…": its matches start where a word does. When the pattern says where that first word
ends (a non-word character or \\b after it), the word, W, is bounded by non-word characters in
the text, so W is one of the text's runs of [0-9_a-z] (a non-word character is none of these)
whenever W is all [0-9_a-z]. A text whose runs include none of an alternative's first words has
no match of it, and the alternatives left find what the whole pattern finds there (an
alternation tries its alternatives in order; one that matches nowhere never wins).

So one scan for the text's runs replaces the substring tests of each pattern's keys
(Bilingual.variant: ~100 for the event cues), and a pattern is scanned with only the
alternatives whose first word is there (a pattern that starts with one literal character is
scanned fast: `re` skips to that character). Hand-written: `re` has no such index;
tests/test_cues.py checks the matches against Bilingual.scan on our own and random texts."""
from __future__ import annotations

import re
from re import _constants as _sc
from re import _parser as _sp
from typing import Optional

from ._cjk import Bilingual, _Unfolded, top_level_alternatives

ASCII_RUN = re.compile(r"[0-9_a-z]+")
# bytes: [0-9_a-z] kept, every other byte a space
_RUN_BYTES = bytes(c if chr(c) in "0123456789_abcdefghijklmnopqrstuvwxyz" else 32 for c in range(256))


def ascii_runs(text: str) -> bytes:
    """`text` as ASCII bytes, offset for offset, with its runs of [0-9_a-z] kept and every
    other character a space: its split() is ASCII_RUN.findall(text) (a character that is no
    ASCII one is encoded as "?", a space then). C string methods, not a regex: `re` costs
    ~300 instructions a character here, the encoding and translation a few."""
    return text.encode("ascii", "replace").translate(_RUN_BYTES)


def run_starts(runs: bytes, word: bytes) -> list[int]:
    """The starts of the runs of `runs` (see ascii_runs) that are `word`, in order."""
    out, n, size = [], len(word), len(runs)
    p = runs.find(word)
    while p != -1:
        if (p == 0 or runs[p - 1] == 32) and (p + n == size or runs[p + n] == 32):
            out.append(p)
        p = runs.find(word, p + n)
    return out


_ASCII_WORD = re.compile(r"[0-9_a-z]+")
_W = re.compile(r"\w")
_REPEATS = (_sc.MAX_REPEAT, _sc.MIN_REPEAT, _sc.POSSESSIVE_REPEAT)
_WORD_START = "(?<!\\w.)"
def _class_chars(items) -> Optional[list[str]]:
    """The characters of a character class of literals and small ranges, else None."""
    out: list[str] = []
    for op, av in items:
        if op is _sc.LITERAL:
            out.append(chr(av))
        elif op is _sc.RANGE and av[1] - av[0] < 32:
            out += [chr(c) for c in range(av[0], av[1] + 1)]
        elif op is _sc.CATEGORY and av in (_sc.CATEGORY_SPACE, _sc.CATEGORY_NOT_WORD):
            out.append(" ")  # no word character: the first word ends before it
        else:
            return None
    return out


def first_words(seq: list, partial: frozenset) -> Optional[frozenset]:
    """The first words a match of the parsed pattern `seq` can start with, each a string of
    `partial` (the word so far) followed by what `seq` matches up to a non-word character or
    a \b; None when the pattern does not tell a finite set (the word could go on)."""
    if not seq:
        return None  # the pattern stops inside its first word: the word may be longer
    (op, av), rest = seq[0], seq[1:]
    if op is _sc.LITERAL:
        ch = chr(av)
        return first_words(rest, frozenset(p + ch for p in partial)) if _W.match(ch) else partial
    if op is _sc.AT and av is _sc.AT_BOUNDARY:
        return partial  # after word characters: the word ends here
    if op in (_sc.ASSERT, _sc.ASSERT_NOT):
        return first_words(rest, partial)  # zero-width: one condition less keeps every word
    if op is _sc.SUBPATTERN:
        return first_words(list(av[-1]) + rest, partial)
    if op is _sc.BRANCH:
        out: set = set()
        for way in av[1]:
            got = first_words(list(way) + rest, partial)
            if got is None:
                return None
            out |= got
        return frozenset(out)
    if op in _REPEATS:
        lo, hi, body = av
        if lo == 0 and hi == 1:
            skip, once = first_words(rest, partial), first_words(list(body) + rest, partial)
            return None if skip is None or once is None else skip | once
        if lo >= 1:
            return first_words(list(body), partial)  # told only when it ends in the first, required, pass
        return None
    if op is _sc.IN:
        chars = _class_chars(av)
        if chars is None:
            return None
        word = [c for c in chars if _W.match(c)]
        if not word:
            return partial
        if len(word) < len(chars):
            return None
        return first_words(rest, frozenset(p + c for p in partial for c in word))
    return None


class FirstWords:
    """Patterns (Bilingual), each fast variant as its alternatives with their first words (an
    alternative whose first words are not told is always kept), and an index from a word to
    the (pattern, alternative)s it starts. A pattern that does not ignore case or has no fast
    variant is scanned as Bilingual.scan does."""

    _made: dict[int, tuple[list, "FirstWords"]] = {}

    @classmethod
    def of(cls, rules: list) -> "FirstWords":
        """The FirstWords of a list of rules (each a Bilingual or a tuple with one second),
        made once per list."""
        got = cls._made.get(id(rules))
        if got is None or got[0] is not rules:
            got = cls._made[id(rules)] = (rules, cls([r[1] if isinstance(r, tuple) else r for r in rules]))
        return got[1]

    def __init__(self, pats: list[Bilingual]):
        self.pats = pats
        self.alts: list[Optional[list[str]]] = []
        self.always: list[tuple[int, ...]] = []
        self.index: dict[str, list[tuple[int, int]]] = {}
        self.compiled: dict[tuple, re.Pattern] = {}
        for pi, pat in enumerate(pats):
            if pat.fast is None or not pat.folds:
                self.alts.append(None)
                self.always.append(())
                continue
            alts = top_level_alternatives(pat.fast.pattern)
            always = []
            for ai, a in enumerate(alts):
                words = None
                if _W.match(a[:1]) and a[1:1 + len(_WORD_START)] == _WORD_START:
                    try:
                        words = first_words(list(_sp.parse(a[0] + a[1 + len(_WORD_START):])), frozenset([""]))
                    except re.error:
                        words = None
                if words is None or not all(_ASCII_WORD.fullmatch(w) for w in words):
                    always.append(ai)
                    continue
                for w in words:
                    self.index.setdefault(w, []).append((pi, ai))
            self.alts.append(alts)
            self.always.append(tuple(always))
        self.bindex = {w.encode("ascii"): hits for w, hits in self.index.items()}
        self.bwords = frozenset(self.bindex)
        self.unindexed = [pi for pi, alts in enumerate(self.alts) if alts is None]
        self.with_always = [pi for pi, always in enumerate(self.always) if always]

    def _pattern(self, pi: int, keep: tuple[int, ...]) -> re.Pattern:
        key = (pi, keep)
        pat = self.compiled.get(key)
        if pat is None:
            if len(self.compiled) > 1024:
                self.compiled.clear()
            pat = self.compiled[key] = re.compile("|".join(self.alts[pi][i] for i in keep))
        return pat

    def scan(self, text: str, folded: str, cjk: bool, in_place: bool) -> list:
        """For each pattern, its matches in `text` (`folded`: its fold; `cjk`: it has CJK
        characters; `in_place`: kg._cjk.folds_in_place(text)), as Bilingual.scan finds them
        (a match on the fold reads its groups from the text)."""
        if cjk or not in_place:
            return [list(pat.scan(text, folded, cjk)) for pat in self.pats]
        kept: dict[int, set] = {}
        starts: dict[int, list[int]] = {}  # pattern -> the starts of the runs of its kept alternatives' words
        index = self.bindex
        runs = ascii_runs(folded)
        for w in self.bwords.intersection(runs.split()):  # (a loop over the text's words costs 20x)
            hits = index[w]
            at = run_starts(runs, w)
            for pi, ai in hits:
                got = kept.get(pi)
                if got is None:
                    kept[pi] = {ai}
                    starts[pi] = at
                else:
                    got.add(ai)
                    if starts[pi] is not at:
                        starts[pi] = starts[pi] + at
        out: list = [()] * len(self.pats)
        for pi in self.unindexed:
            out[pi] = list(self.pats[pi].scan(text, folded, cjk))
        for pi in self.with_always:
            kept[pi] = kept.get(pi, set()) | set(self.always[pi])
        for pi, keep in kept.items():
            pat = self._pattern(pi, tuple(sorted(keep)))
            if self.always[pi]:
                out[pi] = [_Unfolded(m, text) for m in pat.finditer(folded)]
                continue
            # every match starts a run whose word starts one of the kept alternatives (see
            # the module's note): `pat` is tried at those runs' starts only, left to right,
            # each from the end of the last match on, as finditer goes (a try at a position
            # sees the text before it alike: lookbehinds and \b look before `pos`)
            found, end = [], 0
            for p in sorted(starts[pi]):
                if p >= end:
                    m = pat.match(folded, p)
                    if m is not None:
                        found.append(_Unfolded(m, text))
                        end = m.end()
            out[pi] = found
        return out
