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


def _syntax(src: str):
    """(index, character, group depth before it) of a pattern source's characters outside
    character classes and escapes."""
    depth, cls, i = 0, False, 0
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if cls:
            cls = c != "]"
        elif c == "[":
            cls = True
            if src[i + 1:i + 2] == "]":  # a leading ']' is a literal
                i += 1
        else:
            yield i, c, depth
            depth += (c == "(") - (c == ")")
        i += 1


def top_level_alternatives(src: str) -> list[str]:
    """`a|(?:b|c)|[|]d` -> ['a', '(?:b|c)', '[|]d']: split on the `|` outside groups and
    character classes."""
    alts, start = [], 0
    for i, c, depth in _syntax(src):
        if c == "|" and depth == 0:
            alts.append(src[start:i])
            start = i + 1
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


def raw_keys(pattern: re.Pattern) -> Optional[tuple[str, ...]]:
    """For a case-sensitive pattern: literal texts one of which the text itself (not folded)
    must contain for `pattern` to match anywhere in it, or None."""
    assert not pattern.flags & re.I
    keys = _required(_sp.parse(pattern.pattern, pattern.flags))
    return tuple(sorted(keys)) if keys else None


def may_contain(text: str, keys: Optional[tuple[str, ...]]) -> bool:
    """Whether `text` contains one of `keys` (None: no test)."""
    if keys is None:
        return True
    for k in keys:
        if k in text:
            return True
    return False


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


# the characters whose fold is not one character in the same place: those that casefold to
# two or more (ß -> ss), the combining dot above that `fold` drops, and U+0345, which folds
# to a word character (tests/test_cjk.py checks the list against every code point)
_UNFOLDABLE = re.compile("[\u00df\u0130\u0149\u01f0\u0307\u0345\u0390\u03b0\u0587\u1e96-\u1e9a\u1e9e\u1f50\u1f52\u1f54"
                         "\u1f56\u1f80-\u1faf\u1fb2-\u1fb4\u1fb6-\u1fb7\u1fbc\u1fc2-\u1fc4\u1fc6-\u1fc7\u1fcc\u1fd2-\u1fd3"
                         "\u1fd6-\u1fd7\u1fe2-\u1fe4\u1fe6-\u1fe7\u1ff2-\u1ff4\u1ff6-\u1ff7\u1ffc\ufb00-\ufb06\ufb13-\ufb17]")


def folds_in_place(text: str) -> bool:
    """Whether `fold(text)` has each character of `text` folded in its place (same length,
    same offsets), with the same word characters: a case-insensitive pattern's matches on
    the text are then its lowercase rewriting's matches on the fold."""
    return text.isascii() or _UNFOLDABLE.search(text) is None


_SPECIAL = set("\\()[].^$*+?{}|")
_WORD = re.compile(r"\w")


def lower_source(src: str) -> str:
    """A case-insensitive pattern's source for a casefolded text: literal letters (in
    classes too) lowercased; escapes and group names kept."""
    out, i = [], 0
    while i < len(src):
        if src[i] == "\\":
            out.append(src[i:i + 2])
            i += 2
        elif src.startswith(("(?P<", "(?P="), i):
            j = src.index(">" if src[i + 3] == "<" else ")", i)
            out.append(src[i:j + 1])
            i = j + 1
        else:
            out.append(src[i].lower())
            i += 1
    return "".join(out)


def _group_end(src: str, i: int) -> int:
    """The index of the ")" closing the group that opens at src[i]."""
    opened = None
    for j, c, depth in _syntax(src):
        if j == i:
            opened = depth
        elif opened is not None and c == ")" and depth == opened + 1:
            return j
    raise ValueError(src)


def lead_literal(alt: str, before: str = "") -> Optional[list[str]]:
    """`alt` as alternatives that each start with a literal character: "\\b(?:up|down)\\b"
    -> ["u(?<!\\w.)p\\b", "d(?<!\\w.)own\\b"] (the word boundary before the first
    character checked after it), in the same order; None when a way of it starts otherwise.
    `before`: a check put after the first character of a way that has no word boundary."""
    word = alt.startswith("\\b")
    body = alt[2:] if word else alt
    b = "\\b" if word else ""
    if body.startswith(("(?:", "(?P<")):
        j = _group_end(body, 0)
        after = body[j + 1:j + 2]
        if after in ("*", "+", "{") or body[j + 1:j + 3] in ("??", "?+"):
            return None
        if after == "?":  # "(?:X)?Y": "(?:X)Y|Y", greedy: with X first
            if not body.startswith("(?:"):
                return None
            with_x, without = lead_literal(b + body[:j + 1] + body[j + 2:], before), lead_literal(b + body[j + 2:], before)
            return None if with_x is None or without is None else with_x + without
        if body.startswith("(?P<"):  # a named group: the alternatives inside it
            k = body.index(">") + 1
            ways = []
            for w in top_level_alternatives(body[k:j]):
                sub = lead_literal(b + w, before)
                if sub is None:
                    return None
                ways += sub
            return [body[:k] + "|".join(ways) + body[j:]]
        ways = []
        for w in top_level_alternatives(body[3:j]):
            sub = lead_literal(b + w + body[j + 1:], before)
            if sub is None:
                return None
            ways += sub
        return ways
    if not body or body[0] in _SPECIAL or body[1:2] in ("?", "*", "+", "{") or (word and not _WORD.match(body[0])):
        return None  # ("\\b" before a character that is no word character asks for one before it)
    return [body[0] + ("(?<!\\w.)" if word else before) + body[1:]]


def _fast_variant(alts: list[str], flags: int) -> Optional[re.Pattern]:
    """The alternatives `alts` rewritten so that each starts with a literal character, which
    lets `re` skip at once to the characters that can start a match (a pattern that starts
    with a word boundary, a lookbehind or a case-insensitive letter is tried at every
    position). A case-insensitive pattern is rewritten for the casefolded text, without
    IGNORECASE (see Bilingual.scan). None when some alternative cannot be rewritten."""
    if flags & ~re.I:
        return None
    fold_case = bool(flags & re.I)
    ways = []
    for a in alts:
        lead = lead_literal(lower_source(a) if fold_case else a)
        if lead is None:
            return None
        ways += lead
    try:
        return re.compile("|".join(ways))
    except re.error:  # a named group after a spread group would be repeated
        return None


class _Unfolded:
    """A match found on a casefolded text, its groups read from the text itself."""

    __slots__ = ("m", "text")

    def __init__(self, m: re.Match, text: str):
        self.m, self.text = m, text

    def span(self, g=0):
        return self.m.span(g)

    def start(self, g=0):
        return self.m.start(g)

    def end(self, g=0):
        return self.m.end(g)

    def group(self, *gs):
        if len(gs) > 1:
            return tuple(self.group(g) for g in gs)
        s, e = self.m.span(gs[0] if gs else 0)
        return None if s == -1 else self.text[s:e]

    __getitem__ = group

    def groupdict(self, default=None):
        return {k: (default if v is None else self.group(k)) for k, v in self.m.groupdict().items()}

    @property
    def lastgroup(self):
        return self.m.lastgroup


class Bilingual:
    """A pattern and its Latin-only variant, each with the literal texts one of which a
    text must contain, folded, for it to match (None: no such test).
    `variant(folded, cjk)` gives the one to run on a text, or None when it cannot match."""

    __slots__ = ("full", "latin", "pattern", "keys", "full_keys", "fast", "folds")

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
        # the Latin variant with each alternative starting with a literal (for the folded
        # text when the pattern ignores case), or None
        self.fast = _fast_variant(latin, flags) if latin else None
        self.folds = bool(flags & re.I)

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
        return () if self.variant(folded, cjk) is None else self.finditer(text, folded, cjk)

    def finditer(self, text: str, folded: str, cjk: bool):
        """The matches in `text` (`folded`: its fold; `cjk`: it has CJK characters), without
        the keys' test. On a Latin-script text, with the fast variant when there is one: on
        the text, or on its fold when the pattern ignores case and the fold keeps every
        character in place (`folds_in_place`: a casefolded letter is then matched by a
        lowercase one as IGNORECASE matches its cases); the matches' groups are then read
        from the text."""
        if not cjk and self.fast is not None:
            if not self.folds:
                return self.fast.finditer(text)
            if folds_in_place(text):
                return (_Unfolded(m, text) for m in self.fast.finditer(folded))
        return (self.full if cjk else self.latin).finditer(text)

    def search_in(self, bounds, pos: int, endpos: int):
        """The first match in bounds.text[pos:endpos] (as `full.search(text, pos, endpos)`;
        `bounds`: the text's kg.extract._bounds.Bounds, which keeps its fold), with the fast
        variant where `finditer` would use it."""
        text, cjk = bounds.text, bounds.cjk
        if not cjk and self.fast is not None:
            if not self.folds:
                return self.fast.search(text, pos, endpos)
            if bounds.in_place:
                m = self.fast.search(bounds.folded, pos, endpos)
                return None if m is None else _Unfolded(m, text)
        return (self.full if cjk else self.latin).search(text, pos, endpos)

    def contains(self, text: str) -> bool:
        """Whether the pattern matches somewhere in `text` (as `full.search`)."""
        folded, cjk = fold(text), has_cjk(text)
        return self.variant(folded, cjk) is not None and next(iter(self.finditer(text, folded, cjk)), None) is not None

    def may_match(self, folded: str, cjk: bool = False) -> bool:
        return self.variant(folded, cjk) is not None
