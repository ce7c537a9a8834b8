"""Rule patterns, fast on English text.

Most rule patterns are English alternatives followed by Chinese ones (`\\bplunged\\b|暴跌`).
Python's `re` tries every alternative at every position, so on an English text the Chinese
ones only cost time. `Bilingual` compiles the whole pattern and, apart, its Latin variant:
the alternatives that neither start with a CJK character nor need one (a literal part every
match contains is CJK), so the two find the same matches on text without CJK characters.
Each variant also has its keys: literal texts one of which every match contains, derived
from the pattern; a text that contains none of them (folded, see `fold`) is not scanned.
Tests check both against the whole patterns."""
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


_REPEATS = (_sc.MAX_REPEAT, _sc.MIN_REPEAT, _sc.POSSESSIVE_REPEAT)


def _selectivity(keys: set[str]) -> tuple:
    """Keys that all need a CJK character first (text without one is ruled out at once),
    then the longer shortest key, then fewer keys."""
    return all(CJK.search(k) for k in keys), min(map(len, keys)), -len(keys)


def _better(a: set[str], b: set[str]) -> bool:
    return _selectivity(a) > _selectivity(b)


def _required(ops) -> Optional[set[str]]:
    """Literal texts one of which every match of the sequence `ops` contains, or None when
    no part of it is literal. Each part every match goes through (a run of literals, a
    group, a branch whose every way has such texts, a repeat done at least once, a class of
    literal characters) gives a set; the most selective is kept."""
    best: Optional[set[str]] = None
    lit: list[str] = []

    def consider(cand: Optional[set[str]]) -> None:
        nonlocal best
        if cand and all(cand) and (best is None or _better(cand, best)):
            best = cand

    for op, av in ops:
        if op is _sc.LITERAL:
            lit.append(chr(av))
            continue
        if lit:
            consider({"".join(lit)})
            lit = []
        if op is _sc.SUBPATTERN:
            consider(_required(av[-1]))
        elif op is _sc.BRANCH:
            ways = [_required(w) for w in av[1]]
            if all(ways):
                consider(set().union(*ways))
        elif op in _REPEATS and av[0] >= 1:
            consider(_required(av[2]))
        elif op is _sc.IN and all(o is _sc.LITERAL for o, _ in av):
            consider({chr(c) for _, c in av})
    if lit:
        consider({"".join(lit)})
    return best


def literal_keys(src: str, flags: int = 0) -> Optional[tuple[str, ...]]:
    """Folded texts (see `fold`) one of which the text must contain, folded, for `src` to
    match anywhere in it, or None when the pattern has no such literal part."""
    keys = _required(_sp.parse(src, flags))
    return tuple(sorted({fold(k) for k in keys})) if keys else None


def _needs_cjk(src: str, flags: int = 0) -> bool:
    keys = literal_keys(src, flags)
    return bool(keys) and all(CJK.search(k) for k in keys)


def fold(text: str) -> str:
    """`text` casefolded, with the dotless ı and the İ folded to i: re.IGNORECASE matches
    `i` to both, and a character that matches another ignoring case then has the same fold,
    so a pattern's folded literal is in the folded text wherever the pattern matches."""
    f = text.casefold()
    if "ı" in f or "\u0307" in f:
        f = f.replace("ı", "i").replace("\u0307", "")
    return f


class Bilingual:
    """A pattern and its Latin-only variant, each with the literal texts one of which a
    text must contain, folded, for it to match (None: no such test).
    `variant(folded, cjk)` gives the one to run on a text, or None when it cannot match."""

    __slots__ = ("full", "latin", "pattern", "keys", "full_keys")

    def __init__(self, src: str, flags: int = 0):
        alts = top_level_alternatives(src)
        assert "|".join(alts) == src
        # an alternative that needs a CJK character cannot match text without one
        latin = [a for a in alts if not CJK.match(a) and not _needs_cjk(a, flags)]
        self.pattern = src
        self.full = re.compile(src, flags)
        self.latin = re.compile("|".join(latin), flags) if latin else NEVER
        self.keys = literal_keys("|".join(latin), flags) if latin else ()
        self.full_keys = literal_keys(src, flags)

    def variant(self, folded: str, cjk: bool) -> Optional[re.Pattern]:
        """The pattern to run on a text whose fold is `folded` (`cjk`: it has CJK characters),
        or None when it cannot match there."""
        keys = self.full_keys if cjk else self.keys
        if keys is not None:
            for k in keys:  # a loop, not any(): half the time, and this runs ~300 times an item
                if k in folded:
                    break
            else:
                return None
        return self.full if cjk else self.latin

    def scan(self, text: str, folded: str, cjk: bool):
        """finditer over `text` with the variant for it (see `variant`); nothing when it
        cannot match there."""
        p = self.variant(folded, cjk)
        return () if p is None else p.finditer(text)

    def may_match(self, folded: str, cjk: bool = False) -> bool:
        return self.variant(folded, cjk) is not None
