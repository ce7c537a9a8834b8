"""Whose figure is it (English): the subject by clause structure, not by proximity.

Rules, in order, for a figure in its clause and sentence (kg.extract._bounds):
1. a possessive right before the figure's phrase: "Nvidia's revenue of $39B" -> Nvidia;
   "Apple's iPhone Air starts at $999" -> iPhone Air (the possessed name is the head);
2. the object of a deal verb for a price: "agreed to acquire Beta for $250M" -> Beta;
3. a relative clause ("..., which/who ...") -> the name it hangs on;
4. the clause's first name before the figure (its subject: "Acme has lined up Bank A and
   Fund B to arrange $20B" -> Acme);
5. a clause without one -> the sentence's subject: its first name before the figure, unless
   the sentence opens with an anaphor ("The company", "It", "The Swedish lender", "Its") or
   has none: then the item's main actor (the first organization it names);
6. else the first name after the figure in its clause, else a sector word there, else
   (once repeated figures are merged: a headline repeats the body) the main actor.
None of this needs a parser; the rules key on literal parts (the apostrophe, deal verbs,
"which"/"who", the anaphor nouns) around the figure, inside its own sentence.
"""
from __future__ import annotations

import re
from typing import Optional

from ..model import Mention, MetricMention
from .._cjk import Bilingual
from ._bounds import Bounds

SUBJECT_TYPES = ("Organization", "Index", "Asset", "Product")
# nouns that stand for a company already named ("the chipmaker", "the Swedish lender")
ANAPHOR_NOUNS = (r"company|firm|startup|start-up|chipmaker|chip ?maker|maker|lender|bank|group|giant|"
                 r"developer|lab|provider|retailer|automaker|carmaker|insurer|platform|business|"
                 r"conglomerate|manufacturer|supplier|operator|owner|parent|unicorn|outfit|fintech|"
                 r"company's|firm's|insurer|brokerage|exchange|airline|producer|designer|vendor|"
                 r"processor|neobank|app|service")
ANAPHOR = re.compile(r"\W*(?:(?:The|the)\s+(?:[\w-]+,?\s+){0,6}?(?:" + ANAPHOR_NOUNS + r")\b|"
                     r"(?:It|Its|It['’]s|They|Their|Shares|Its shares|The stock)\b)")
POSSESSIVE = re.compile(r"['’]s?\s")
DEAL_VERB = Bilingual(r"\b(?:acquir(?:e|es|ed|ing)|buy(?:s|ing)?|bought|purchas(?:e|es|ed|ing)|takeover of|"
                      r"acquisition of|merger with)\s+$", re.I)
OF_PHRASE = re.compile(r"\s*(?:[\w-]+\s+){1,2}(?:in|of)\s+(?:the\s+)?", re.I)
RELATIVE = re.compile(r"\s*(?:which|who|whose|that)\b", re.I)


COORD = re.compile(r"(?:,\s*|\s+)(?:and|or|&)\s*$")


def _joined_name(text: str, cands: list[tuple[int, int, int]], left: int) -> Optional[int]:
    """When the clause break just before `left` is "and" or a comma right after a name, that
    name's start; else None."""
    for i, cs, ce in cands:
        if ce <= left and left - ce <= 6 and COORD.fullmatch(text, ce, left):
            return cs
    return None


def clause_left(text: str, cands: list[tuple[int, int, int]], bounds: Bounds, left: int, sl: int) -> int:
    """Where the clause that starts at `left` really starts: a break right after a name that
    "and"/"or"/a comma joins to the next one ("Bank A and Fund B to arrange …") joins names,
    not clauses, so the clause reaches back over them (not before `sl`, its sentence's start)."""
    while left > sl:
        k = _joined_name(text, cands, left)
        if k is None:
            break
        left = bounds.clause_start(k)
    return left


def main_actor(mentions: list[Mention], offset: int, start: int = 0) -> Optional[int]:
    """The item's main actor: the organization it names most often (from `start`, after an
    outlet prefix), the first of those; else its first name of a subject type."""
    first = None
    count: dict[str, int] = {}
    firsts: dict[str, int] = {}
    for i, m in enumerate(mentions):
        if m.start - offset < start:
            continue
        if m.type == "Organization":
            key = m.entity_id or m.text.casefold()
            count[key] = count.get(key, 0) + 1
            firsts.setdefault(key, i)
        if first is None and m.type in SUBJECT_TYPES:
            first = i
    if count:
        best = max(count.values())
        return min(firsts[k] for k, n in count.items() if n == best)
    return first


# "142 per dollar": an exchange rate, whose subject is the currency quoted (not its unit)
FX_QUOTE = re.compile(r"\s+(?:(?:yen|yuan|won|rupees?|pesos?|lira)\s+)?(?:per|to\s+the|a|against\s+the)\s+(?:US\s+|U\.S\.\s+)?dollar\b")
CURRENCY = re.compile(r"dollars?|yuan|renminbi|euros?|yen|pounds?|won|rupees?|francs?|USD|TWD|CNY|EUR|JPY|HKD", re.I)
UNIT_BEFORE = re.compile(r"\b(?:in|per|of|into|to|against|versus|vs\.?)\s+(?:the\s+|a\s+)?(?:U\.?S\.?\s+|New\s+)?$", re.I)
# figures that belong to a person (net worth, a stake) or to a product (its price, tokens, scores)
PERSON_MEASURE = Bilingual(r"\b(?:net worth|fortune|wealth|richest|stake|owns|personal)\b", re.I)
PRODUCT_MEASURE = re.compile(r"\b(?:costs?|starts? at|per month|a month|tokens?|parameters|scor(?:e|es|ed|ing)|"
                             r"benchmark|accuracy|context window|faster|TOPS|cores|per million)\b", re.I)


def figure_candidates(text: str, offset: int, mentions: list[Mention], money: bool,
                      persons: bool) -> list[tuple[int, int, int]]:
    """(index, start, end) of the names that may be a figure's subject: companies, indexes,
    assets and products; a currency not when it is the unit ("in US dollars", a money
    figure); people only for a person's figures."""
    out = []
    for i, m in enumerate(mentions):
        if m.type == "Person":
            if persons:
                out.append((i, m.start - offset, m.end - offset))
            continue
        if m.type not in SUBJECT_TYPES:
            continue
        s = m.start - offset
        if m.type == "Asset" and CURRENCY.search(m.text) and (money or UNIT_BEFORE.search(text, max(0, s - 16), s)):
            continue
        out.append((i, s, m.end - offset))
    return out


def main_product(mentions: list[Mention], offset: int, start: int = 0, first_end: int = 0) -> Optional[int]:
    """The product an item is about: the one it names most often (the first of those), if
    it names it twice or in its first sentence (ending at `first_end`), else None."""
    count: dict[str, int] = {}
    firsts: dict[str, int] = {}
    for i, m in enumerate(mentions):
        if m.start - offset >= start and m.type == "Product":
            key = m.entity_id or m.text.casefold()
            count[key] = count.get(key, 0) + 1
            firsts.setdefault(key, i)
    if not count:
        return None
    best = max(count.values())
    i = min(firsts[k] for k, n in count.items() if n == best)
    return i if best >= 2 or mentions[i].start - offset < first_end else None


def subject_of(bounds: Bounds, offset: int, mentions: list[Mention], cands: list[tuple[int, int, int]],
               s: int, e: int, main: Optional[int], clause_only: bool = False) -> Optional[int]:
    """The index (into mentions) of the subject of the figure at [s, e) (local offsets).
    `clause_only`: stop after rule 4 (the caller has a sector word later in the clause)."""
    text = bounds.text
    left, right = bounds.clause(s, e)
    sl = bounds.sentence_start(s)
    # a clause ends with its sentence (a full stop is no clause break: "Corp.", "3.5")
    left, right = max(left, sl), min(right, max(e, bounds.sentence_end(e)))
    # "Bank A and Fund B to arrange ...": a break after a name joins names, not clauses
    left = clause_left(text, cands, bounds, left, sl)
    in_clause = [c for c in cands if left <= c[1] and c[2] <= s]
    # 0. a signed figure right after a name: "lifted the S&P 500 +1.8%"
    if in_clause and text[s:s + 1] in "+-−" and s - in_clause[-1][2] <= 2:
        return in_clause[-1][0]
    # 1. possessive: "X's ..." in the clause before the figure, with no other name between
    for k in range(len(in_clause) - 1, max(-1, len(in_clause) - 3), -1):
        i, cs, ce = in_clause[k]
        if POSSESSIVE.match(text, ce):
            nxt = in_clause[k + 1] if k + 1 < len(in_clause) else None
            if nxt and nxt[1] - ce <= 4 and mentions[nxt[0]].type == "Product":
                return nxt[0]
            if mentions[i].type in SUBJECT_TYPES and k == len(in_clause) - 1:
                return i
    # 2. a price of a deal: the deal verb's object
    for i, cs, ce in in_clause:
        if DEAL_VERB.search_in(bounds, max(left, cs - 30), cs):
            return i
    # 3. a relative clause hangs on the name just before it
    if left > 0 and RELATIVE.match(text, left) and not in_clause:
        before = [c for c in cands if bounds.sentence_start(left) <= c[1] and c[2] <= left]
        if before:
            return before[-1][0]
    # 3b. a figure in parentheses right after a name: "Alibaba (+5.4%)"
    if left > 0 and text[left - 1] in "(（":
        for i, cs, ce in cands:
            if ce <= left - 1 and left - 1 - ce <= 2 and not text[ce:left - 1].strip():
                return i
    # 3c. the figure's own phrase names it after: "a 4.2% slide in Tokyo Electron"
    for i, cs, ce in cands:
        if e <= cs <= right and OF_PHRASE.fullmatch(text, e, cs):
            return i
    # 4. the clause's subject
    if in_clause:
        return in_clause[0][0]
    if clause_only:
        return None
    # 5. the sentence's subject, or the main actor behind an anaphor
    if ANAPHOR.match(text, sl):
        if main is not None:
            return main
    # the nearest clause before it in the sentence that has a subject, relative clauses
    # ("which owns a stake in Beta") skipped: "the index fell 0.1%, when economists had
    # expected a 0.3% rise" -> the index
    pos = left
    while pos > sl:
        prev = max(sl, bounds.clause_start(pos - 1))
        if prev >= pos:
            break
        if not RELATIVE.match(text, prev):
            got = [c for c in cands if prev <= c[1] and c[2] <= pos]
            # a clause with a verb after its name, not a bare name of a list
            if got and len(text[got[0][2]:pos].split()) >= 2:
                return got[0][0]
        pos = prev
    in_sentence = [c for c in cands if sl <= c[1] and c[2] <= s]
    if in_sentence:
        return in_sentence[0][0]
    # 6. after the figure in its clause (the caller then tries a sector word there, and
    # after merging repeated figures, the main actor)
    after = [c for c in cands if e <= c[1] and c[2] <= right]
    if after:
        return after[0][0]
    return None
