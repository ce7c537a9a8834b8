"""Clause and sentence bounds in an item's text: a clause runs from the end of the last
clause break before a figure, cue or mention to the start of the first break after it; a
sentence likewise, with sentence breaks (not after "Corp." or "U.S.")."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Optional

from .._cjk import Bilingual, fold, folds_in_place, has_cjk

# ("as much as $15 billion", "as many as 400": a bound of a figure, no clause break; the
# lookarounds are tried only after "as": tried at every position they cost 5% of the rules' time).
# Every alternative starts with a character or a class, the word boundary and the "not after a
# digit" checked after it ("w(?<!\w.)hile" is "\bwhile"): the same matches, but `re` rejects
# a position at once unless its character can start a break (half the time of the scans).
CLAUSE_BREAK = Bilingual(r"[;；。!?！？\n]|[,，](?<!\d.)(?!\d)|\s[–—]\s|——|[(（)）]|w(?<!\w.)(?:hile|hereas)\b|b(?<!\w.)(?:ut|efore)\b|"
                         r"a(?<!\w.)(?:nd|fter|s(?<!much\sas)(?<!many\sas)(?<!high\sas)(?<!little\sas)(?<!few\sas)"
                         r"(?!\s{1,3}(?:much|many|high|little|few)\s{1,3}as\b))\b|而|但|且")
# (the whitespace after a full stop: "\s(?<=[.!?]\s)\s*" is "(?<=[.!?])\s+"; the pattern is
# "(?<=[.!?])\s+(?=[A-Z\"“‘'(])|[。！？!?；;]|\n" written as one character class, then which of the
# alternatives the character starts, in their order: `re` skips to the characters of a pattern that
# starts with a class, and tries a pattern that starts with alternatives at every position, ~4x
# the instructions)
SENTENCE_END = re.compile(r"[\s。！？!?；;](?:(?<=[.!?]\s)\s*(?=[A-Z\"“‘'(])|(?<=[。！？!?；;\n]))")
_ABBR = re.compile(r"\b(?:Corp|Inc|Ltd|Co|Mr|Ms|Mrs|Dr|St|vs|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
                   r"U\.S|U\.K|Gov|Sen|Rep|[A-Z])\.$")


def sentence_breaks(text: str, start: int = 0, end: Optional[int] = None):
    """Sentence boundaries (matches of SENTENCE_END), not after "Corp." or "U.S."."""
    for m in SENTENCE_END.finditer(text, start, len(text) if end is None else end):
        if m.group(0)[:1].isspace() and _ABBR.search(text, max(0, m.start() - 6), m.start()):
            continue
        yield m


class Bounds:
    """Clause and sentence bounds in one text, each end asked for separately (a figure's
    direction needs only its clause's start, an evidence span its sentence's start and
    end), each remembered: several rules ask for the same one."""

    __slots__ = ("text", "cjk", "_clause_pat", "_clause_starts", "_sentence_starts", "_clause_ends", "_sentence_ends",
                 "_sentence_breaks", "_clause_breaks", "_folded", "_in_place", "_tries")

    def __init__(self, text: str):
        self.text = text
        self.cjk = has_cjk(text)
        self._clause_pat = CLAUSE_BREAK.full if self.cjk else CLAUSE_BREAK.latin
        self._clause_starts: dict[int, int] = {}
        self._sentence_starts: dict[int, int] = {}
        self._clause_ends: dict[int, int] = {}
        self._sentence_ends: dict[int, int] = {}
        self._clause_breaks: Optional[tuple[list[int], list[int]]] = None
        self._sentence_breaks: Optional[tuple[list[int], list[int], list[bool], list[int]]] = None
        self._folded: Optional[str] = None
        self._in_place: Optional[bool] = None
        self._tries: Optional[tuple[list[int], list[int]]] = None

    @property
    def folded(self) -> str:
        """The text's fold (kg._cjk.fold), made once."""
        if self._folded is None:
            self._folded = fold(self.text)
        return self._folded

    @property
    def in_place(self) -> bool:
        """Whether the fold keeps every character in place (kg._cjk.folds_in_place)."""
        if self._in_place is None:
            self._in_place = folds_in_place(self.text)
        return self._in_place

    def clause_start(self, s: int) -> int:
        """The end of the last clause break in text[:s] (a scan that stops at s: a comma
        right before a digit at s is a break there). The whole text's breaks are found once;
        a break that starts MARGIN or more before s is found alike in text[:s] (a break
        looks at most MARGIN characters on: CLAUSE_BREAK's lookaheads are bounded), so
        only the last MARGIN characters before s are scanned again."""
        left = self._clause_starts.get(s)
        if left is None:
            starts, ends = self._whole_clause_breaks()
            if self._reaches(s):
                i = bisect_left(starts, s - MARGIN)
                left = ends[i - 1] if i else 0
                for m in self._clause_pat.finditer(self.text, max(left, s - MARGIN), s):
                    left = m.end()
            else:  # no try of the pattern before s looks at s or after: the whole text's breaks
                i = bisect_left(starts, s)
                left = ends[i - 1] if i else 0
            self._clause_starts[s] = left
        return left

    def clause_end(self, e: int) -> int:
        """The start of the first clause break from e on: the first of the whole text's
        breaks that starts at e or after (a scan from e finds the same ones: `re` sees the
        text before e alike), unless one of them runs across e (then a scan from e)."""
        right = self._clause_ends.get(e)
        if right is None:
            starts, ends = self._whole_clause_breaks()
            j = bisect_left(starts, e)
            if j and ends[j - 1] > e:
                m = self._clause_pat.search(self.text, e)
                right = m.start() if m else len(self.text)
            else:
                right = starts[j] if j < len(starts) else len(self.text)
            self._clause_ends[e] = right
        return right

    def _reaches(self, s: int) -> bool:
        """Whether a try of CLAUSE_BREAK at a position before `s` can end otherwise in a scan
        that stops at s than in the whole text's scan (then that scan is made): a try looks at
        its own character, then on only while an alternative goes on matching. So: a comma
        right before s and a digit at s (a break only when the scan stops at s), a space right
        before s and a dash at s, an em dash before s and one at s, a space and a dash before s
        and a space at s; a word that starts with w/b/a and is the start of "while",
        "whereas", "but", "before", "and" or "after" up to s; an "as" less than AS_REACH
        characters before s (its lookahead looks at the words after it). Every other try
        looks only at characters before s."""
        text = self.text
        if 0 < s < len(text):
            c, n = text[s - 1], text[s]
            if (c in ",，" and n.isdigit()) or (c == "—" and n == "—") or (c.isspace() and n in "–—") or \
                    (s > 1 and c in "–—" and text[s - 2].isspace() and n.isspace()):
                return True
        if self._tries is None:
            starts, ends = [], []
            for m in _WORD_TRIES.finditer(text):
                starts.append(m.start())
                ends.append(m.start() + AS_REACH if m.group(0) == "as" else m.end())
            self._tries = starts, ends
        starts, ends = self._tries
        j = bisect_left(starts, s) - 1
        while j >= 0 and starts[j] >= s - AS_REACH:
            if s <= ends[j]:
                return True
            j -= 1
        return False

    def _whole_clause_breaks(self) -> tuple[list[int], list[int]]:
        if self._clause_breaks is None:
            found = list(self._clause_pat.finditer(self.text))
            self._clause_breaks = [m.start() for m in found], [m.end() for m in found]
        return self._clause_breaks

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """The clause around [start, end)."""
        return self.clause_start(start), self.clause_end(end)

    def _breaks(self) -> tuple[list[int], list[int], list[bool], list[int]]:
        """Every match of SENTENCE_END in the whole text: starts, ends, whether it is a
        sentence break (not after "Corp."), and the end of the last break up to each."""
        if self._sentence_breaks is None:
            starts, ends, kept, last_end = [], [], [], []
            last = 0
            text = self.text
            for m in SENTENCE_END.finditer(text):
                keep = not (m.group(0)[:1].isspace() and _ABBR.search(text, max(0, m.start() - 6), m.start()))
                if keep:
                    last = m.end()
                starts.append(m.start())
                ends.append(m.end())
                kept.append(keep)
                last_end.append(last)
            self._sentence_breaks = starts, ends, kept, last_end
        return self._sentence_breaks

    def sentence_start(self, s: int) -> int:
        """The end of the last sentence break in text[:s], from the breaks of the whole text:
        those that end before s - 1 are found alike in text[:s] (the character after a break,
        which it looks at, is before s); a scan is needed only when a break reaches s."""
        left = self._sentence_starts.get(s)
        if left is None:
            starts, ends, _, last_end = self._breaks()
            i = bisect_right(ends, s - 1)
            left = last_end[i - 1] if i else 0
            if i < len(starts) and starts[i] < s:
                for m in sentence_breaks(self.text, ends[i - 1] if i else 0, s):
                    left = m.end()
            self._sentence_starts[s] = left
        return left

    def sentence_end(self, s: int) -> int:
        """The start of the first sentence break from s on: the first of the whole text's
        breaks that starts at s or after (a scan from s finds the same ones), unless s lies
        inside one (then a scan from s)."""
        right = self._sentence_ends.get(s)
        if right is None:
            starts, ends, kept, _ = self._breaks()
            j = bisect_left(starts, s)
            if j and ends[j - 1] > s:
                m = next(sentence_breaks(self.text, s), None)
                right = m.start() if m else len(self.text)
            else:
                while j < len(starts) and not kept[j]:
                    j += 1
                right = starts[j] if j < len(starts) else len(self.text)
            self._sentence_ends[s] = right
        return right

    def sentence(self, s: int) -> tuple[int, int]:
        """The sentence around offset `s`."""
        return self.sentence_start(s), self.sentence_end(s)


# characters a clause break's match looks at from where it starts, at most (see clause_start):
# "as" with its "little as" lookahead and the word boundary after it, 17
MARGIN = 24
# the longest start of "while", "whereas", "but", "before", "and", "after" or "as" at each start
# of a word (see Bounds._reaches)
_WORD_TRIES = re.compile(r"w(?<!\w.)(?:h(?:i(?:l(?:e)?)?|e(?:r(?:e(?:a(?:s)?)?)?)?)?)?|b(?<!\w.)(?:u(?:t)?|e(?:f(?:o(?:r(?:e)?)?)?)?)?|"
                         r"a(?<!\w.)(?:s|n(?:d)?|f(?:t(?:e(?:r)?)?)?)?")
# how far an "as" looks: its lookahead and the word boundary after it, at most 17 characters on
AS_REACH = 18
