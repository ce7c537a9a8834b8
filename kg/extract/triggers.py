"""English events from trigger lemmas (kg/extract/data/triggers_en.tsv): each trigger's forms
are matched as whole words (one regex for the lexicon, keyed on the literal forms); a match
counts when what its row needs follows it in its clause, and its actor is found by clause
structure like a figure's subject (kg.extract.subjects): the trigger's subject, the
organization it governs, or every partner.

A trigger in a sentence that speaks of the past for context ("For comparison, Acme raised
$6B in 2021", "its 2019 purchase of …") gives no event: the figures stay, as metrics."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from importlib import resources
from typing import Optional

from ..model import Mention, MetricMention
from .._cjk import Bilingual
from ._bounds import Bounds
from .subjects import ANAPHOR, clause_left

LEXICON = "triggers_en.tsv"


@dataclass(frozen=True)
class Trigger:
    lemma: str
    type: str
    actor: str      # subject | object | all
    needs: str      # - | money | org | rate | deal | results | figure | offering | product


WORD = re.compile(r"[A-Za-z][A-Za-z\-]*")


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, Trigger], dict[str, list[tuple[re.Pattern, Trigger]]]]:
    """Single-word forms (lowercase) -> trigger, and first word -> (pattern of the rest, its
    trigger) for forms of several words ("take over"), longest first."""
    _, forms = lexicon()
    single: dict[str, Trigger] = {}
    multi: dict[str, list[tuple[int, re.Pattern, Trigger]]] = {}
    for f, t in forms.items():
        words = f.split()
        if len(words) == 1:
            single[f] = t
        else:
            rest = r"\s+".join(re.escape(w) for w in words[1:])
            multi.setdefault(words[0], []).append((len(f), re.compile(r"\s+" + rest + r"\b", re.I), t))
    return single, {k: [(p, t) for _, p, t in sorted(v, key=lambda x: -x[0])] for k, v in multi.items()}


@lru_cache(maxsize=1)
def _firsts() -> frozenset[str]:
    """Every form's first word (lowercase): a word that is none of these starts no trigger."""
    single, multi = _index()
    return frozenset(single) | frozenset(multi)


def find_triggers(text: str):
    """(start, end, trigger) of every trigger form in `text`, left to right: a scan of its
    words with dictionary look-ups (one regex alternation of ~200 forms was 10x slower).
    The words are found and lowercased at once (a word is ASCII letters and hyphens, no
    space: joined with spaces, lowercased and split again they are the same words), and
    only those that start a form are looked at with their match (two thirds of the cost
    was the words that start none)."""
    single, multi = _index()
    lowered = " ".join(WORD.findall(text)).lower().split(" ")
    firsts = _firsts()
    hits = [i for i, lw in enumerate(lowered) if lw in firsts]
    if not hits:
        return
    words = WORD.finditer(text)
    prev = -1
    for i in hits:
        w = next(islice(words, i - prev - 1, None))  # the i-th word: the ones before it skipped
        prev = i
        lw = lowered[i]
        got = None
        for p, t in multi.get(lw, ()):
            m = p.match(text, w.end())
            if m:
                got = (w.start(), m.end(), t)
                break
        if got is None and lw in single:
            got = (w.start(), w.end(), single[lw])
        if got:
            yield got


@lru_cache(maxsize=1)
def lexicon() -> tuple[re.Pattern, dict[str, Trigger]]:
    """(one pattern of every form, form (lowercase) -> its trigger)."""
    text = resources.files("kg.extract").joinpath("data", LEXICON).read_text(encoding="utf-8")
    forms: dict[str, Trigger] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lemma, fs, typ, actor, needs = line.split("\t")
        t = Trigger(lemma, typ, actor, needs)
        for f in fs.split("|"):
            forms.setdefault(f.lower(), t)
    alts = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in sorted(forms, key=len, reverse=True))
    return re.compile(r"\b(?:" + alts + r")\b", re.I), forms


NEEDS = {
    "money": re.compile(r"(?:US\$|HK\$|NT\$|[$€£¥₹₩])\s?\d|\d[\d.,]*\s*(?:billion|million|trillion|bn)?\s*(?:dollars|euros|yuan|yen|pounds|won)\b", re.I),
    "rate": re.compile(r"\brates?\b|\bbasis points?\b|\bbps\b", re.I),
    "deal": re.compile(r"\b(?:deal|agreement|contract|partnership|pact|memorandum|accord|tie-up|alliance)s?\b", re.I),
    "results": re.compile(r"\b(?:earnings|results|revenue|sales|profit|net income|loss|EPS|quarter|bookings)\b", re.I),
    "figure": re.compile(r"\d"),
    "offering": re.compile(r"\b(?:IPO|initial public offering|offering|notes|bonds|shares to the public)\b"),
    "round": re.compile(r"\b(?:round|funding)\b", re.I),
}
# a sentence that recalls the past for context
CONTEXT = Bilingual(r"\b(?:for comparison|previously|back in|at the time|"
                    r"(?:19|20)\d\d\s+(?:purchase|acquisition|deal|IPO|round|investment|takeover|merger))\b", re.I)
# ("i(?<!\w.)n" is "\bin": a pattern that starts with a character lets `re` skip to it)
YEAR = re.compile(r"(?:i(?<!\w.)n|d(?<!\w.)uring)\s+((?:19|20)\d\d)\b")
MONTH_IN = re.compile(r"i(?<!\w.)n\s+(January|February|March|April|May|June|July|August|September|October|November|December)\b(?!\s+\d)")
MONTHS = {m: i + 1 for i, m in enumerate(("January", "February", "March", "April", "May", "June", "July", "August",
                                          "September", "October", "November", "December"))}
HEDGE = re.compile(r"\b(?:chance|odds|probability|bets?|priced in|could|might|may|would|likely|if)\b", re.I)
ORG_ACTORS = frozenset({"Organization"})
# between a deal verb and its object: "acquire rival Beta", "invest $5 billion in Beta"
TO_OBJECT = re.compile(r"\s*(?:(?:a|an|the|its|rival|startup|fellow|chipmaker|about|another|additional|"
                       r"up\s+to|(?:US)?[$€£¥]\s?[\d.,]+|[\d.,]+|billion|million|trillion|bn|stake|majority|minority|"
                       r"in|into|of|for|with|to)\s*)*", re.I)
THE_BEFORE = re.compile(r"\b(?:the|this|that)\s+$", re.I)
ACQ_WORDS = re.compile(r"\b(?:acquir\w*|takeover|merger|to buy (?:rival|startup|the company)|bought|stake in)\b", re.I)
COORD = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+|&\s+)", re.I)
# "raised its price target", "raising guidance": a raise of a measure, not of money
RAISED_MEASURE = re.compile(r"\s+(?:(?:its|their|the|his|her|a|an)\s+)?(?:[\w-]+\s+){0,2}?(?:(?:price\s+)?targets?|"
                            r"guidance|forecasts?|outlook|estimates?|stakes?|dividends?|prices?|rates?|fees|wages|"
                            r"concerns?|questions?|doubts?|expectations?)\b", re.I)
# the object of a takeover told by its kind: "buying the tiny startup", "acquire the company"
TAKEN_OVER = re.compile(r"\s+(?:the|this)\s+(?:[\w-]+\s+){0,2}?(?:startup|start-up|company|firm|business|maker|developer|"
                        r"provider|platform|chipmaker|lender|insurer)\b(?![’'-])", re.I)
# "cut its delivery outlook", "raised its full-year outlook", "reaffirmed its 2026 outlook"
OUTLOOK_SET = re.compile(r"\b(?:rais|lift|boost|cut|lower|trim|slash|reaffirm|maintain|reiterat|issu|narrow|withdr[ae]w|"
                         r"pull|hik|upgrad|downgrad)\w*\s+(?:(?:its|their|the|his|her|an?)\s+)?(?:[\w-]+\s+){0,4}$", re.I)
# "a general partner", "joined as a partner": a role, not a partnership
PARTNER_ROLE = re.compile(r"\b(?:general|managing|founding|limited|senior|venture|new|a|an|the|its|their)\s+$", re.I)
# a labelled line or a bullet fragment that opens with its verb: "Raised: $210 million"
OPENS_WITH = re.compile(r"[\s*•·\-–—>|]*")
PASSIVE_BY = re.compile(r"[\w-]+(?:\s+\w+)?\s+by\b")


def is_context(sentence: str, ref: Optional[str]) -> bool:
    """The sentence recalls an earlier event ("For comparison, …", "in 2021", "in October"
    said in March)."""
    if CONTEXT.contains(sentence):
        return True
    if not ref:
        return False
    try:
        r = dt.date.fromisoformat(ref[:10])
    except ValueError:
        return False
    for m in YEAR.finditer(sentence):
        if int(m.group(1)) < r.year:
            return True
    for m in MONTH_IN.finditer(sentence):
        back = (r.month - MONTHS[m.group(1)]) % 12
        if 2 <= back <= 9:
            return True
    return False


def _subject(bounds: Bounds, text: str, cands: list[tuple[int, int, int]], s: int,
             main: Optional[int]) -> Optional[int]:
    """The trigger's subject: the first organization of its clause before it (names joined
    by "and" count as one clause), else the main actor behind an anaphor, else the
    sentence's first organization before it."""
    sl = bounds.sentence_start(s)
    left = clause_left(text, cands, bounds, max(bounds.clause_start(s), sl), sl)
    in_clause = [c for c in cands if left <= c[1] and c[2] <= s]
    if in_clause:
        return in_clause[0][0]
    if ANAPHOR.match(text, left) or ANAPHOR.match(text, sl):
        return main
    in_sentence = [c for c in cands if sl <= c[1] and c[2] <= s]
    if in_sentence:
        return in_sentence[0][0]
    # a line that opens with its verb ("Raised: $210 million", "- Acquired Beta"): the
    # item's main actor did it (not "Acquired by …": that names the actor after it)
    if OPENS_WITH.fullmatch(text, sl, s) and not PASSIVE_BY.match(text, s):
        return main
    return None


def trigger_events(text: str, offset: int, mentions: list[Mention], bounds: Bounds,
                   main: Optional[int], ref: Optional[str] = None,
                   context_memo: Optional[dict[int, bool]] = None) -> list[tuple[str, str, int, int, list[int]]]:
    """(type, cue, start, end, actor indexes) of every trigger that counts, in text order.
    `context_memo`: sentence start -> is_context of that sentence (with `ref`), filled here,
    shared with the caller's cues."""
    orgs = [(i, m.start - offset, m.end - offset) for i, m in enumerate(mentions) if m.type in ORG_ACTORS]
    products = [(m.start - offset) for m in mentions if m.type == "Product"]
    out = []
    if context_memo is None:
        context_memo = {}
    spans = [(x.start - offset, x.end - offset) for x in mentions]
    for s, e, t in find_triggers(text):
        if any(a < e and s < b for a, b in spans):
            continue  # a word of a name ("Lightspeed Venture Partners")
        right = min(bounds.clause_end(e), max(e, bounds.sentence_end(e)))  # a clause ends with its sentence
        after = text[e:right]
        if t.needs == "org":
            nxt = [c for c in orgs if e <= c[1] <= e + 40 and c[1] < right]
            if not nxt or not TO_OBJECT.fullmatch(text, e, nxt[0][1]):
                # "is buying the tiny startup": the company the item named before
                if not (t.type == "Acquisition" and TAKEN_OVER.match(text, e)):
                    continue
        elif t.needs == "product":
            if not any(e < p <= e + 25 for p in products):
                continue
        elif t.needs != "-" and not NEEDS[t.needs].search(after[:120]):
            continue
        if t.type == "Funding" and t.needs == "money" and RAISED_MEASURE.match(text, e):
            continue
        if t.lemma == "outlook" and not OUTLOOK_SET.search(text, max(0, s - 60), s):
            continue  # a company sets its outlook; "the economic outlook", Outlook the mail app: no forecast
        if text[s:e].lower() in ("partner", "partners") and PARTNER_ROLE.search(text, max(0, s - 12), s):
            continue
        sl = bounds.sentence_start(s)
        if sl not in context_memo:
            context_memo[sl] = is_context(text[sl:bounds.sentence_end(s)], ref)
        if context_memo[sl]:
            continue
        if t.type == "RateDecision" and HEDGE.search(text, sl, s):
            continue
        if t.actor == "sentence":
            if THE_BEFORE.search(text, max(0, s - 8), s):
                continue  # "The deal gives ...": a deal told before (an acquisition, an investment)
            se = bounds.sentence_end(s)
            in_sent = list(dict.fromkeys(
                (mentions[c[0]].entity_id or mentions[c[0]].text.casefold(), c[0]) for c in orgs if sl <= c[1] < se))
            keys = list(dict.fromkeys(k for k, _ in in_sent))
            if len(keys) < 2 or ACQ_WORDS.search(text, sl, se):
                continue
            actors = [next(i for k2, i in in_sent if k2 == k) for k in keys[:4]]
        elif t.actor == "object":
            nxt = [c for c in orgs if e <= c[1] < right]
            actors = [nxt[0][0]] if nxt else []
        else:
            subj = _subject(bounds, text, orgs, s, main)
            actors = [subj] if subj is not None else []
            if t.actor == "all":
                end = right
                for c in orgs:
                    if e <= c[1] and (c[1] < end or COORD.fullmatch(text, end, c[1])):
                        if c[0] not in actors:
                            actors.append(c[0])
                        end = c[2]
                    elif c[1] >= end:
                        break
                # "Acme and Beta partnered": the names joined before the trigger
                if subj is not None:
                    end = mentions[subj].end - offset
                    for c in orgs:
                        if end <= c[1] and c[2] <= s and COORD.fullmatch(text, end, c[1]):
                            if c[0] not in actors:
                                actors.append(c[0])
                            end = c[2]
        if actors:
            out.append((t.type, text[s:e], s, e, actors))
    return out
