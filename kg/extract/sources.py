"""The outlet an item cites in its body, when its layout names none: "CNBC reported",
"according to Reuters", "told TechCrunch", "per Bloomberg", "first reported by The
Information", "(CNBC)", "[Learn more at Reuters](…)".

Outlets are the gazetteer's Outlet entries (matched by kg.nlp with the other names); a
name counts as the source only beside one of the cues below, so that an outlet that is
the news ("Reuters cut 200 jobs") is not taken for the item's source. Chinese credits
(据X报道, a trailing （X）) are kg.extract.zh's.
"""
from __future__ import annotations

import re
from typing import Optional

from ..model import Mention

# cues just before the outlet's name ("according to a Tuesday report from The Information")
_REPORT = r"(?:(?:a|an|the)\s+(?:[\w-]+\s+){0,3}(?:report|story|article|analysis|interview|piece)s?\s+(?:from|by|in|on|at)\s+)"
CITE_BEFORE = re.compile(
    r"(?:\baccording\s+to|\bper|\btold|\bfirst\s+reported\s+by|\breported\s+by|\breported\s+in|\bvia|\bcited\s+by|"
    r"\b(?:learn|read)\s+more\s+(?:at|from|in|on)|\bread\s+(?:the\s+)?(?:full\s+)?(?:story|article|report)\s+(?:at|from|in|on)|"
    r"\b(?:in|to)\s+an?\s+interview\s+with|\bsaid\s+in\s+an?\s+(?:statement|interview)\s+to|\bspeaking\s+to|"
    r"\b(?:source|via|h/t)\s*:)\s+" + _REPORT + r"?(?:the\s+)?[\[(]?$", re.I)
# cues just after it ("CNBC reported", "Reuters first reported", "Bloomberg News reports")
CITE_AFTER = re.compile(
    r"^['’]?s?\]?\s*(?:\(\S*\)\s*)?(?:first\s+|previously\s+|earlier\s+|also\s+|had\s+|has\s+)?"
    r"(?:reported|reports|reporting|wrote|writes|said\s+in\s+a\s+report|broke\s+the\s+news|"
    r"cited|citing|calculated|estimated|estimates|tallied|noted|found)\b", re.I)
# a credit in parentheses right after a sentence or at the end of the item: "... (CNBC)."
PAREN = re.compile(r"^\s*\)")


def cited_outlet(text: str, offset: int, mentions: list[Mention]) -> Optional[Mention]:
    """The first outlet mention in `text` (an item's text starting at `offset`) that a
    citation cue stands beside, else None."""
    for m in mentions:
        if m.type != "Outlet":
            continue
        s, e = m.start - offset, m.end - offset
        before = text[max(0, s - 60):s]
        after = text[e:e + 40]
        if CITE_BEFORE.search(before) or CITE_AFTER.match(after):
            return m
        if before.endswith("(") and PAREN.match(after):
            return m
    return None
