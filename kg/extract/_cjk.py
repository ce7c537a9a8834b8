"""Bilingual patterns, fast on English text.

Most rule patterns are English alternatives followed by Chinese ones (`\\bplunged\\b|暴跌`).
Python's `re` tries every alternative at every position, so on an English text the Chinese
ones only cost time. `Bilingual` compiles the whole pattern and, apart, its Latin-only
alternatives; `pick(text)` gives the Latin-only one when `text` has no CJK character. The
two find the same matches there: each dropped alternative starts with a CJK character, so
it cannot match a text without one (checked when the pattern is built)."""
from __future__ import annotations

import re
from re import _constants as _sc
from re import _parser as _sp
from typing import Optional

# CJK radicals, punctuation, kana, ideographs, compatibility ideographs, full-width forms
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
NEVER = re.compile(r"(?!)")


def has_cjk(text: str) -> bool:
    return CJK.search(text) is not None


def top_level_alternatives(src: str) -> list[str]:
    """`a|(?:b|c)|[|]d` -> ['a', '(?:b|c)', '[|]d']: split on the `|` outside groups and
    character classes."""
    alts, depth, cls, start, i = [], 0, False, 0, 0
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if cls:
            if c == "]":
                cls = False
        elif c == "[":
            cls = True
            if src[i + 1:i + 2] == "]":  # a leading ']' is a literal
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            alts.append(src[start:i])
            start = i + 1
        i += 1
    alts.append(src[start:])
    return alts


_ZERO_WIDTH = (_sc.AT, _sc.ASSERT, _sc.ASSERT_NOT)


def _prefixes(ops) -> Optional[set[str]]:
    """The literal texts one of which every match of `ops` starts with (zero-width
    assertions skipped), or None when there is no such text."""
    lit = []
    for op, av in ops:
        if op in _ZERO_WIDTH and not lit:
            continue
        if op is _sc.LITERAL:
            lit.append(chr(av))
            continue
        if lit:
            break
        if op is _sc.SUBPATTERN:
            return _prefixes(av[-1])
        if op is _sc.BRANCH:
            out: set[str] = set()
            for branch in av[1]:
                sub = _prefixes(branch)
                if not sub:
                    return None
                out |= sub
            return out
        return None
    return {"".join(lit)} if lit else None


def literal_keys(src: str, flags: int = 0) -> Optional[tuple[str, ...]]:
    """Casefolded texts one of which the text must contain (casefolded) for `src` to match
    anywhere in it, or None when the pattern has no such literal start. Sound under
    re.IGNORECASE: characters that match ignoring case have the same casefold."""
    keys: set[str] = set()
    for alt in top_level_alternatives(src):
        sub = _prefixes(_sp.parse(alt, flags))
        if not sub:
            return None
        keys |= {k.casefold() for k in sub}
    return tuple(sorted(keys))


class Bilingual:
    """A pattern and its Latin-only variant; `pick(text)` chooses by the text.
    `keys`: literal texts one of which a Latin text must contain, casefolded, for the
    Latin variant to match (None: no such test); `may_match(folded)` applies it."""

    __slots__ = ("full", "latin", "pattern", "keys")

    def __init__(self, src: str, flags: int = 0):
        alts = top_level_alternatives(src)
        assert "|".join(alts) == src
        latin = [a for a in alts if not CJK.match(a)]
        self.pattern = src
        self.full = re.compile(src, flags)
        self.latin = re.compile("|".join(latin), flags) if latin else NEVER
        self.keys = literal_keys("|".join(latin), flags) if latin else ()

    def may_match(self, folded: str) -> bool:
        """False when the Latin variant cannot match a text whose casefold is `folded`."""
        return self.keys is None or any(k in folded for k in self.keys)

    def pick(self, text: str) -> re.Pattern:
        return self.full if CJK.search(text) else self.latin

    def finditer(self, text: str, *args):
        return self.pick(text).finditer(text, *args)
