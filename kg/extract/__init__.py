"""Extraction: Issue -> IssueExtraction (mentions, metrics with subjects, events, dates,
source) for every item. Plain data in, plain data out; spaCy is used through kg.nlp."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from typing import Callable, Optional

from .. import gazetteer as gz
from ..errors import warning
from ..model import Issue, ItemExtraction, Mention, MetricMention
from .._cjk import NEVER
from ..dates import find_dates, is_reference_point
from .entities import mentions_from_doc
from .events import find_events
from ._bounds import Bounds
from .metrics import find_metrics, index_levels
from .sources import cited_outlet
from . import tables as tab
from .headlines import headline_names
from .subjects import (FX_QUOTE, PERSON_MEASURE, PRODUCT_MEASURE, SUBJECT_TYPES, figure_candidates, main_actor,
                       main_product, subject_of)
from . import zh

DEFAULT_MOVE_MEASURE = {"Organization": "share_price", "Index": "index_level", "Asset": "price"}
SECTOR = re.compile(
    r"\b(?:the\s+)?(?P<x>AI|tech|technology|chip|semiconductor|cloud|banking|EV|auto|crypto|software)?[\s-]*(?:industry|sector)(?:[- ]wide)?\b|"
    r"\bindustry-wide\b|(?P<zx>AI|科技|芯片|半导体|云计算|银行|汽车|加密货币)?(?:行业|产业)")
# every match of SECTOR has one of these words: a text without them is not scanned
SECTOR_KEYS = ("industry", "sector", "行业", "产业")
SECTOR_ZH = {"科技": "tech", "芯片": "chip", "半导体": "semiconductor", "云计算": "cloud", "银行": "banking",
             "汽车": "auto", "加密货币": "crypto"}
SECTOR_WORDS = re.compile(r"\b(AI|chip|semiconductor|cloud|crypto|EV|banking)\b")


def issue_sector(issue: Issue) -> str:
    """The sector an issue is about ('AI', 'chip', ...): the sector word it uses most."""
    c = Counter(m.group(1) for m in SECTOR_WORDS.finditer(issue.text))
    return c.most_common(1)[0][0] if c else "AI"


def _sector_subject(window: str, default: str) -> Optional[str]:
    m = None
    for m in SECTOR.finditer(window):
        pass
    if m is None:
        return None
    x = m.group("x") or SECTOR_ZH.get(m.group("zx") or "", m.group("zx")) or default
    return f"{x} industry"


def assign_subjects(text: str, offset: int, mentions: list[Mention], metrics: list[MetricMention],
                    sector: str, bounds: Optional[Bounds] = None, lang: str = "zh",
                    start: int = 0, main=...) -> None:
    """Each figure's subject. A sector ('the AI industry') standing closer than any name
    before the figure in its clause wins. English: by clause structure (kg.extract.subjects).
    Otherwise: the nearest company/index/asset/product before it in its clause; else after it
    in the clause; else the nearest before it in the sentence, then in the item.
    `main`: main_actor(mentions, offset, start) when the caller has it."""
    if not metrics:  # nothing to assign (what follows only reads, and Bounds only remembers)
        return
    bounds = bounds or Bounds(text)
    cands = [(i, m.start - offset, m.end - offset) for i, m in enumerate(mentions) if m.type in SUBJECT_TYPES]
    if lang != "en":
        main = None
    elif main is ...:
        main = main_actor(mentions, offset, start)
    product = main_product(mentions, offset, start, bounds.sentence_end(start)) if lang == "en" else None
    sectors = SECTOR if any(k in text for k in SECTOR_KEYS) else NEVER
    people: dict[int, bool] = {}        # sentence start -> it names a person's measure
    candidates: dict[tuple, list] = {}  # (money, person) -> figure_candidates
    for met in metrics:
        s, e = met.start - offset, met.end - offset
        left, right = bounds.clause(s, e)
        sector_m = None
        for sm in sectors.finditer(text, left, s):
            sector_m = sm
        # (the names before the figure in its clause: for the sector word, and otherwise
        # (not English) for the figure's subject; English needs them only beside a sector word)
        before = [c for c in cands if left <= c[1] and c[2] <= s] if sector_m or lang != "en" else None
        if sector_m and (not before or before[-1][2] <= sector_m.start()):
            met.subject_name = _sector_subject(sector_m.group(0), sector)
            continue
        if lang == "en":
            after_sector = sectors.search(text, e, right)
            sl, sr = bounds.sentence_start(s), bounds.sentence_end(s)
            if sl not in people:
                people[sl] = PERSON_MEASURE.search_in(bounds, sl, sr) is not None
            key = (met.unit not in ("percent", "count", "bps", "times", "GW", "MW") and not FX_QUOTE.match(text, e),
                   people[sl])
            if key not in candidates:
                candidates[key] = figure_candidates(text, offset, mentions, *key)
            fc = candidates[key]
            # a product's figure (its price, tokens, scores) in a sentence that names no
            # subject: the item's first product rather than its main actor
            fallback = main
            if product is not None and (met.measure in ("price", "token_price", "parameters")
                                        or PRODUCT_MEASURE.search(text, sl, sr)):
                fallback = product
            met.subject = subject_of(bounds, offset, mentions, fc, s, e, fallback, bool(after_sector))
            if met.subject is None and not after_sector and fallback is not main:
                met.subject = fallback
            if met.subject is None and after_sector:
                met.subject_name = _sector_subject(after_sector.group(0), sector)
            continue
        if before:
            met.subject = before[-1][0]
            continue
        after = [c for c in cands if e <= c[1] and c[2] <= right]
        if after:
            met.subject = after[0][0]
            continue
        after_sector = sectors.search(text, e, right)
        if after_sector:
            met.subject_name = _sector_subject(after_sector.group(0), sector)
            continue
        sl = bounds.sentence_start(s)
        before = [c for c in cands if sl <= c[1] and c[2] <= s]
        if before:
            met.subject = before[-1][0]
            continue
        before = [c for c in cands if c[2] <= s]
        if before:
            met.subject = before[-1][0]


def _evidence_span(bounds: Bounds, off: int, s: int, e: int) -> tuple[int, int]:
    """The sentence around [s, e), stripped, as absolute offsets."""
    text = bounds.text
    left = bounds.sentence_start(s)
    right = bounds.sentence_end(max(s, e - 1))
    right = max(right, e)
    while left < s and text[left].isspace():
        left += 1
    while right > e and text[right - 1].isspace():
        right -= 1
    return off + left, off + right


def _dedupe_metrics(metrics: list[MetricMention]) -> list[MetricMention]:
    """The same figure twice in one item (headline and body) is one figure."""
    if len(metrics) < 2:  # nothing to merge: the same list's figures
        return list(metrics)
    best: dict[tuple, MetricMention] = {}  # (insertion order: the first figure's place)
    for m in metrics:
        key = (m.value, m.unit, tuple([q for q in m.qualifiers if q in _BOUND_QUALIFIERS]) if m.qualifiers else ())
        b = best.get(key)
        if b is None:
            best[key] = m
        elif b.subject is None and b.subject_name is None and (m.subject is not None or m.subject_name):
            best[key] = m
    return list(best.values())


_BOUND_QUALIFIERS = frozenset(("lower_bound", "upper_bound", "actual", "expected"))


def _outlet_prefix_end(text: str, outlet: Optional[str]) -> int:
    if not outlet:
        return 0
    k = text.find(outlet)
    if k == -1 or k > 6:
        return 0
    return k + len(outlet) + 1


def extract_item(it, doc, issue: Issue, gaz: gz.Gazetteer, sector: str,
                 warn: Optional[Callable[[str], None]] = None) -> ItemExtraction:
    text, off = it.text, it.start
    ex = ItemExtraction(item=it)
    prefix_end = _outlet_prefix_end(text, it.outlet)
    mentions = mentions_from_doc(doc, it.lang, off, text)
    ex.mentions = [m for m in mentions if m.type != "Outlet" and m.start - off >= prefix_end
                   and not (it.outlet and m.text == it.outlet)]
    if it.lang == "zh":
        ex.mentions = zh.drop_credits(text, off, ex.mentions)
    # a statistical model misreads Title Case headlines ("Good Numbers, Bad Mood" is no
    # person): its spans there count only when the body names them too
    if it.headline:
        h0 = text.find(it.headline, prefix_end)
        if h0 != -1:
            h1 = h0 + len(it.headline)
            # (the text without the headline is made only for a model span inside the headline)
            if any(m.source == "model" and h0 <= m.start - off and m.end - off <= h1 for m in ex.mentions):
                rest = text[:h0] + " " + text[h1:]
                ex.mentions = [m for m in ex.mentions if not (
                    m.source == "model" and h0 <= m.start - off and m.end - off <= h1 and m.text not in rest)]
            if it.lang == "en":
                named = headline_names(text, off, h0, h1, ex.mentions)
                if named:
                    ex.mentions = sorted(ex.mentions + named, key=lambda m: (m.start, -m.end))
    # pipe tables with a header row (kg.extract.tables): the file's text keeps the pipes
    tables = tab.find_tables(issue.text, it.start, it.end, it.headline + " " + (it.section or "")) \
        if it.lang == "en" and issue.text.find("|", it.start, it.end) != -1 else ()
    if tables:
        ex.mentions = tab.mentions(tables, text, off, ex.mentions)
    outlet = it.outlet or (zh.body_outlet(text, gaz.lookup) if it.lang == "zh" else None)
    if outlet and not it.outlet:  # cited in the body: the item's outlet
        ex.item = dataclasses.replace(it, outlet=outlet)
    if outlet:
        ex.outlet_id = gaz.lookup(outlet)
        if ex.outlet_id and gaz.entries[ex.outlet_id].type not in ("Outlet", "Organization"):
            ex.outlet_id = None
    if ex.outlet_id is None:
        # no known outlet from the layout: one the body cites ("CNBC reported", "per Reuters")
        cited = cited_outlet(text, off, mentions)
        if cited is not None:
            it.outlet, ex.outlet_id = cited.text, cited.entity_id

    def warn_absurd(t: str):
        if warn:
            line = it.line or issue.text.count("\n", 0, off) + 1  # the input's line (JSON Lines, feeds)
            warn(warning("W004", path=issue.source_file, line=line, text=t))

    body = text[prefix_end:]
    bounds = Bounds(text)  # one text's bounds, remembered, for all the rules (the body's too when it is the text)
    metrics = find_metrics(body, it.lang, off + prefix_end, warn_absurd, bounds)
    # the item's main actor (English), once: ex.mentions stays as it is from here on
    main = main_actor(ex.mentions, off, prefix_end) if it.lang == "en" else None
    assign_subjects(text, off, ex.mentions, metrics, sector, bounds, it.lang, prefix_end, main)
    if it.lang == "zh":
        zh.assign_subjects(text, off, ex.mentions, metrics, bounds)
    for met in metrics:
        # a signed percent move of a company, an index or an asset, with nothing else said
        # (a year-over-year or sequential change is growth, not a price move)
        if met.measure == "unknown" and met.unit == "percent" and "change" in met.qualifiers \
                and met.subject is not None and not {"YoY", "QoQ"} & set(met.qualifiers):
            met.measure = DEFAULT_MOVE_MEASURE.get(ex.mentions[met.subject].type, "unknown")
    if it.lang == "en":
        metrics = sorted(metrics + index_levels(text, off, ex.mentions, metrics), key=lambda m: m.start)
    if tables:
        # a row's figures are its company's: kept apart from the merging of repeated figures
        outside, rows = tab.split_rows(tables, metrics + tab.figures(tables, text, off, ex.mentions, metrics), off)
        metrics = sorted(_dedupe_metrics(outside) + rows, key=lambda m: m.start)
    ex.metrics = _dedupe_metrics(metrics) if not tables else metrics
    if it.lang == "zh":
        ex.metrics = zh.drop_rounded(text, off, it.headline, ex.metrics)
    if it.lang == "en":
        for met in ex.metrics:
            if met.subject is None and met.subject_name is None:
                met.subject = main
        ex.events = find_events(text, off, ex.mentions, ex.metrics, bounds, it.lang, main, it.date or issue.date)
        if tables:
            ex.events = tab.events(tables, text, off, ex.mentions, ex.metrics, ex.events)
    else:
        ex.events = zh.find_events(text, off, ex.mentions, ex.metrics, bounds,
                                   find_events(text, off, ex.mentions, ex.metrics, bounds, cues=zh.shared_cues()))
    for x in list(ex.metrics) + list(ex.events):
        x.ev_start, x.ev_end = _evidence_span(bounds, off, x.start - off, x.end - off)
    # the item's own event date when it states one ("said Tuesday", "on March 3"), resolved
    # against the feed entry's date or else the issue's; a date far from that one is context
    # ("its 2019 purchase", "since March 2024"); no date: the entry's or the issue's
    ref = it.date or issue.date
    ex.dates = find_dates(text, ref, off)
    ex.date = None
    for d in ex.dates:
        if not is_reference_point(text, d.start - off) and _near(d.value, ref):
            ex.date = d.value
            break
    if ex.date is None:
        ex.date = ref
    return ex


# an event date more than this many days before (or after) the reference date is context
NEAR_DAYS = 45


def _near(value: str, ref: Optional[str]) -> bool:
    if not ref or len(ref) < 10:
        return True
    try:
        r = dt.date.fromisoformat(ref[:10])
        if len(value) == 10:
            d0 = d1 = dt.date.fromisoformat(value)
        elif len(value) == 7:
            d0 = dt.date.fromisoformat(value + "-01")
            d1 = (d0 + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
        else:
            d0, d1 = dt.date(int(value), 1, 1), dt.date(int(value), 12, 31)
    except ValueError:
        return True
    return (r - d1).days <= NEAR_DAYS and (d0 - r).days <= NEAR_DAYS


# batching (kg.extract.batch) imports this module's extraction: at the end
from .batch import BATCH_ITEMS, extract_issue, extract_issues  # noqa: E402,F401
