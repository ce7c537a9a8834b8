"""An unknown company that only a headline names: the capitalised name that opens the
headline as the subject of a company's verb ("Runlane to Buy Datadog Rival", "Quorra Raises
$40M", "Shein files for IPO"). Headlines drop articles and write Title Case, so the verb is
matched in any case; the name is one to three capitalised words that are no sentence word,
category noun ("Biotech Startup Raises …") or plural ("Chipmakers Cut …"), and that no name
found already covers or starts ("Kelvara cuts …" beside "Kelvara Systems" is left to resolution).
After the verb, a name that a category noun introduces is the company the deal is about
("… to Buy Voice-Security Startup Nightjar", "… Acquires Payments Firm Tollgate").
One anchored match per headline and one search of what follows its verb: no scan of the item's text."""
from __future__ import annotations

import re
from typing import Optional

from ..model import Mention
from .entities import COMMON_STARTS, NOT_NAMES, NOT_ORG_WORDS, _is_name_like
from .subjects import ANAPHOR_NOUNS

HEAD_NAME = re.compile(
    r"(?P<name>[A-Z][A-Za-z0-9&'’.\-]*[A-Za-z0-9](?:\s+[A-Z][A-Za-z0-9&'’.\-]*[A-Za-z0-9]){0,2})\s+"
    r"(?i:(?:to|will|plans\s+to|agrees\s+to|set\s+to|in\s+talks\s+to|moves\s+to|looks\s+to)\s+)?"
    r"(?i:buys?|acquires?|snaps?\s+up|raises?|lands?|bags?|nabs?|nets?|secures?|sells?|files?|launch(?:es)?|"
    r"unveils?|sues?|cuts?|hires?|merges?|beats?|miss(?:es)?|go(?:es)?\s+public|debuts?|inks?|"
    r"lays?\s+off|slash(?:es)?)\b")
# after the headline's verb: a category noun, then the name it introduces
OBJECT = re.compile(r"\b(?:Startup|Start-Up|Rival|Maker|Firm|Developer|Provider|Unit|Lender|Fintech|Chipmaker|Platform|Company)\s+"
                    r"(?P<name>[A-Z][A-Za-z0-9&'’.\-]*[A-Za-z0-9](?:\s+[A-Z][A-Za-z0-9&'’.\-]*[A-Za-z0-9]){0,2})(?=\s*(?:$|[,:;.!?(–—-]|\s(?i:for|in|from|at|to|as|amid|after|over)\b))")
CATEGORY = {w for w in re.split(r"\|", ANAPHOR_NOUNS.replace(" ?", "")) if w.isalpha()} | {
    "biotech", "tech", "ai", "crypto", "stocks", "chip", "chips", "bank", "banks", "startups", "rival", "rivals"}


def headline_names(text: str, offset: int, h0: int, h1: int, found: list[Mention]) -> list[Mention]:
    """The unknown companies of the headline text[h0:h1]: the one opening it as the subject
    of a company's verb, and one a category noun introduces after that verb."""
    m = HEAD_NAME.match(text, h0, h1)
    if m is None:
        return []
    out = []
    subj = _name(text, offset, *m.span("name"), found)
    if subj is not None:
        out.append(subj)
    o = OBJECT.search(text, m.end(), h1)
    if o is not None:
        obj = _name(text, offset, *o.span("name"), found + out)
        if obj is not None:
            out.append(obj)
    return out


def _name(text: str, offset: int, s: int, e: int, found: list[Mention]) -> Optional[Mention]:
    words = text[s:e].split()
    if any(w in NOT_NAMES or w in NOT_ORG_WORDS or w.lower() in COMMON_STARTS or w.lower() in CATEGORY
           for w in words):
        return None
    if words[-1].endswith("s") and not _is_name_like(words[-1]):
        return None
    first = words[0].casefold()
    for x in found:
        xs, xe = x.start - offset, x.end - offset
        if xs < e and s < xe or x.text.casefold().split()[:1] == [first]:
            return None
    return Mention(text=text[s:e], start=offset + s, end=offset + e, type="Organization", source="rule")
