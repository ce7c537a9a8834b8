"""Clause and sentence bounds in an item's text: a clause runs from the end of the last
clause break before a figure, cue or mention to the start of the first break after it; a
sentence likewise, with sentence breaks (not after "Corp." or "U.S.")."""
from __future__ import annotations

import re
from typing import Optional

from .._cjk import Bilingual, has_cjk

# ("as much as $15 billion", "as many as 400": a bound of a figure, no clause break)
CLAUSE_BREAK = Bilingual(r"[;；。!?！？\n]|(?<!\d)[,，](?!\d)|\s[–—]\s|——|[(（)）]|\b(?:while|whereas|but|and|after|before)\b|"
                         r"(?<!much\s)(?<!many\s)(?<!high\s)(?<!little\s)(?<!few\s)\bas\b(?!\s+(?:much|many|high|little|few)\s+as\b)|而|但|且")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“‘'(])|[。！？!?；;]|\n")
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
    end), the starts remembered: several rules ask for the same one."""

    __slots__ = ("text", "cjk", "_clause_pat", "_clause_starts", "_sentence_starts")

    def __init__(self, text: str):
        self.text = text
        self.cjk = has_cjk(text)
        self._clause_pat = CLAUSE_BREAK.full if self.cjk else CLAUSE_BREAK.latin
        self._clause_starts: dict[int, int] = {}
        self._sentence_starts: dict[int, int] = {}

    def clause_start(self, s: int) -> int:
        left = self._clause_starts.get(s)
        if left is None:
            left = 0
            for m in self._clause_pat.finditer(self.text, 0, s):
                left = m.end()
            self._clause_starts[s] = left
        return left

    def clause_end(self, e: int) -> int:
        m = self._clause_pat.search(self.text, e)
        return m.start() if m else len(self.text)

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """The clause around [start, end)."""
        return self.clause_start(start), self.clause_end(end)

    def sentence_start(self, s: int) -> int:
        left = self._sentence_starts.get(s)
        if left is None:
            left = 0
            for m in sentence_breaks(self.text, 0, s):
                left = m.end()
            self._sentence_starts[s] = left
        return left

    def sentence_end(self, s: int) -> int:
        m = next(sentence_breaks(self.text, s), None)
        return m.start() if m else len(self.text)

    def sentence(self, s: int) -> tuple[int, int]:
        """The sentence around offset `s`."""
        return self.sentence_start(s), self.sentence_end(s)
