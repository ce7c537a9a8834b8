"""An unknown company that only a headline names: the capitalised name that opens the
headline as the subject of a company's verb ("Runlane to Buy Datadog Rival", "Quorra Raises
$40M", "Shein files for IPO"). Headlines drop articles and write Title Case, so the verb is
matched in any case; the name is one to three capitalised words that are no sentence word,
category noun ("Biotech Startup Raises …") or plural ("Chipmakers Cut …"), and that no name
found already covers or starts ("Kelvara cuts …" beside "Kelvara Systems" is left to resolution).
One anchored match per headline: no scan of the item's text."""
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
CATEGORY = {w for w in re.split(r"\|", ANAPHOR_NOUNS.replace(" ?", "")) if w.isalpha()} | {
    "biotech", "tech", "ai", "crypto", "stocks", "chip", "chips", "bank", "banks", "startups", "rival", "rivals"}


def headline_name(text: str, offset: int, h0: int, h1: int, found: list[Mention]) -> Optional[Mention]:
    """The unknown company opening the headline text[h0:h1], or None."""
    m = HEAD_NAME.match(text, h0, h1)
    if m is None:
        return None
    s, e = m.span("name")
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
