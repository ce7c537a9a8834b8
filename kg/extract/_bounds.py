"""Clause and sentence bounds.

`clause_bounds(text, s, e)` and `sentence_bounds(text, s)` define them: the end of the last
break found scanning `text[:s]`, and the start of the first break found scanning from `e`.
The rules ask for them once per figure, cue and mention, and each left bound rescanned
the item from its start. `Bounds(text)` scans the whole text once and answers the same,
rescanning only a few characters before `s` (tests compare the two at every offset)."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Callable, Optional

from ._cjk import Bilingual

CLAUSE_BREAK = Bilingual(r"[;；。!?！？\n]|(?<!\d)[,，](?!\d)|\s[–—]\s|——|[(（)）]|\b(?:while|whereas|but|as|and|after|before)\b|而|但|且")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“‘'(])|[。！？!?；;]|\n")
_ABBR = re.compile(r"\b(?:Corp|Inc|Ltd|Co|Mr|Ms|Mrs|Dr|St|vs|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
                   r"U\.S|U\.K|Gov|Sen|Rep|[A-Z])\.$")


def _is_sentence_end(text: str, m: re.Match) -> bool:
    """Not a break after "Corp." or "U.S." (looks only before the match)."""
    return not (m.group(0)[:1].isspace() and _ABBR.search(text, max(0, m.start() - 6), m.start()))


def sentence_breaks(text: str, start: int = 0, end: Optional[int] = None):
    """Sentence boundaries (matches of SENTENCE_END), not after "Corp." or "U.S."."""
    for m in SENTENCE_END.finditer(text, start, len(text) if end is None else end):
        if _is_sentence_end(text, m):
            yield m


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end): from the previous clause break to the next one."""
    left = 0
    pat = CLAUSE_BREAK.pick(text)
    for m in pat.finditer(text, 0, start):
        left = m.end()
    m = pat.search(text, end)
    return left, (m.start() if m else len(text))


def sentence_bounds(text: str, s: int) -> tuple[int, int]:
    """The sentence around offset `s`."""
    left = 0
    for m in sentence_breaks(text, 0, s):
        left = m.end()
    m = next(sentence_breaks(text, s), None)
    return left, (m.start() if m else len(text))


class _Scan:
    """The matches of `pat` over all of `text`, with `keep` applied, answering as a scan of
    `text[:s]` (`last_end`) or of `text` from `e` (`first_start`) would.

    Why that is exact: a match that ends before `s` looked at no character from `s` on (the
    break patterns look one character past a match at most), so the scan of `text[:s]`
    finds it too, and the matches before it; only the last MARGIN characters, where the cut
    can make a lookahead succeed or a match fail, are scanned again, cut. From `e`, the
    first match at or after `e` is what `search(text, e)` finds, unless a match of the
    whole scan runs across `e`: then the text is scanned from `e`."""

    MARGIN = 16  # > the longest break match (" whereas ") and the character after it

    def __init__(self, pat: re.Pattern, text: str, keep: Optional[Callable[[str, re.Match], bool]] = None):
        self.pat, self.text, self.keep = pat, text, keep
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.kept_end: list[int] = []    # [i]: the end of the last kept match among the first i + 1
        kept: list[bool] = []
        last = 0
        for m in pat.finditer(text):
            k = keep is None or keep(text, m)
            if k:
                last = m.end()
            self.starts.append(m.start())
            self.ends.append(m.end())
            self.kept_end.append(last)
            kept.append(k)
        n = len(kept)
        self.next_kept = [n] * (n + 1)   # [i]: the first kept match at index >= i
        for i in range(n - 1, -1, -1):
            self.next_kept[i] = i if kept[i] else self.next_kept[i + 1]

    def last_end(self, s: int) -> int:
        i = bisect_right(self.ends, s - self.MARGIN)
        left = self.kept_end[i - 1] if i else 0
        q = max(self.ends[i - 1] if i else 0, s - self.MARGIN)
        if i < len(self.starts):
            q = min(q, self.starts[i])
        for m in self.pat.finditer(self.text, q, s):
            if self.keep is None or self.keep(self.text, m):
                left = m.end()
        return left

    def first_start(self, e: int) -> int:
        i = bisect_left(self.starts, e)
        if i and self.ends[i - 1] > e:
            for m in self.pat.finditer(self.text, e):
                if self.keep is None or self.keep(self.text, m):
                    return m.start()
            return len(self.text)
        j = self.next_kept[i]
        return self.starts[j] if j < len(self.starts) else len(self.text)


class Bounds:
    """Clause and sentence bounds in one text, each kind scanned once, when first asked."""

    __slots__ = ("text", "_clauses", "_sentences")

    def __init__(self, text: str):
        self.text = text
        self._clauses: Optional[_Scan] = None
        self._sentences: Optional[_Scan] = None

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """= clause_bounds(text, start, end)"""
        if self._clauses is None:
            self._clauses = _Scan(CLAUSE_BREAK.pick(self.text), self.text)
        return self._clauses.last_end(start), self._clauses.first_start(end)

    def sentence(self, s: int) -> tuple[int, int]:
        """= sentence_bounds(text, s)"""
        if self._sentences is None:
            self._sentences = _Scan(SENTENCE_END, self.text, _is_sentence_end)
        return self._sentences.last_end(s), self._sentences.first_start(s)
