"""Events from verb and noun cues, with their actor (the entity the cue is about, in the same
clause) and the figures that belong to them."""
from __future__ import annotations

import re
from typing import Optional

from ..model import EventMention, Mention, MetricMention
from ._bounds import Bounds
from .._cjk import Bilingual, fold, folds_in_place
from .._firstwords import FirstWords
from .triggers import HEDGE, is_context, trigger_events

# (event type, cue pattern, where the actor is: "before" | "after" | "either")
CUES: list[tuple[str, Bilingual, str]] = [(t, Bilingual(p, re.I), w) for t, p, w in [
    ("Move", r"\b(?:plunge[ds]?|plunging|crash(?:ed|es)?|sank|sinks?|slid|slides?|fell|falls?|drop(?:ped|s)?|tumble[ds]?|slump(?:ed|s)?|tank(?:ed|s)?|plummet(?:ed|s)?|sheds?|rall(?:y|ied|ies)|surge[ds]?|soar(?:ed|s)?|jump(?:ed|s)?|climb(?:ed|s)?|rose|rises|gain(?:ed|s)|spike[ds]?|rebound(?:ed|s)?|hit (?:a )?record|slip(?:ped|s)?|retreat(?:ed|s)?|weaken(?:ed|s)?|strengthen(?:ed|s)?)\b|暴跌|重挫|下跌|大涨|飙升|上涨|下挫|大跌|走高|走低|反弹|跌|涨", "before"),
    ("Level", r"\b(?:hit|hits|reached|reaches|topped|tops|set a record|record high|all-time high|record low|record close|record closes|record finish)\b|创(?:历史)?新高|创(?:历史)?新低", "before"),
    ("EarningsReport", r"\bbeat earnings\b|\bmiss(?:ed|es)? earnings\b|\bearnings (?:beat|miss|report|results?)\b|\b(?:quarterly|annual|Q[1-4]) results\b|\breported (?:earnings|results|revenue|profit)\b|\bbeat (?:estimates|forecasts)\b|\b(?:revenue|sales|net income|profit)\s+(?:hit|reached|rose|fell|grew|jumped|came in at|totall?ed|of)\b(?=\s+(?:US)?[$€£¥]?\s?\d)|财报|业绩|每股收益超预期", "before"),
    ("RateDecision", r"\b(?:held|holds?|kept|keeps?|left|leaves?|cut|cuts|raised|raises|hiked?|hikes|lowered|lowers|paused?) (?:its |the |interest |policy |benchmark )*rates?\b|\brate decision\b|利率维持不变|保持利率|维持利率|降息|加息", "before"),
    ("RegulatoryAction", r"\bunder (?:\w+ ){0,3}(?:scrutiny|investigation|review)\b|\bprobe[sd]?\b|\binvestigat(?:es|ed|ing|ion)\b|\bantitrust\b|\bfined?\b|\bsanction(?:s|ed)?\b|\bsubpoena(?:s|ed)?\b|遭审查|受.{0,4}审查|面临.{0,6}审查|调查|罚款|反垄断", "before"),
    ("ExportControl", r"\bexport (?:controls?|curbs?|ban|restrictions?|licen[cs]es?)\b|出口管制|出口限制|禁令", "either"),
    ("Funding", r"\b(?:raise[sd]?|raising|secure[sd]?|closed?)\s+(?:a\s+|an\s+)?(?:US)?(?:\$|€|£|¥)\s?\d|\bfunding round\b|\bSeries [A-F]\b|\bseed round\b|融资|募资", "before"),
    ("Acquisition", r"\bacquir(?:es?|ed|ing)\b|\bacquisition of\b|\bto buy\b|\bbuys\b|\bbought\b|\btakeover of\b|\bmerg(?:es?|ed|er) with\b|收购|并购", "before"),
    ("ProductRelease", r"\b(?:launch(?:es|ed)?|unveil(?:s|ed)?|releas(?:es|ed)|debut(?:s|ed)?|introduc(?:es|ed)|roll(?:s|ed) out|ship(?:s|ped)|open-sourc(?:es|ed))\b|发布|推出|上线|开源", "before"),
    ("Forecast", r"\bwarn(?:s|ed)?\b|\bforecast(?:s|ed)?\b|\bpredict(?:s|ed)?\b|\bprojects?\b(?= (?:that|\$|\d))|\bguidance\b|\boutlook\b|\bsees\b(?= [^.]{0,30}\d)|\bput (?:a |the )?[\d.]+% (?:probability|chance|odds)\b|预测|警告|预计", "before"),
    ("Partnership", r"\bpartner(?:s|ed|ship)? with\b|\bteam(?:s|ed)? up with\b|\bjoint venture\b|\balliance with\b|\bsigns? (?:a )?deal with\b|合作|结盟|签约", "either"),
    ("Layoff", r"\blay(?:s|ing)? off\b|\blaid off\b|\blayoffs?\b|\bjob cuts?\b|\b(?:cut|cuts|cutting|trim|trims|trimmed|trimming|slash(?:es|ed)?|eliminat(?:es|ed|ing)|shed(?:s|ding)?)\s+(?:about |some |nearly |around |roughly )?[\d,]+\s+(?:jobs|roles|positions|employees|workers|staff)\b|裁员", "before"),
    ("Lawsuit", r"\bsue[sd]?\b|\blawsuit\b|\bsuing\b|\bfiled (?:a )?(?:suit|complaint)\b|\bcourt ruled\b|起诉|诉讼|官司", "before"),
]]
# words before a figure that make it a plan or a forecast, not a result
FORWARD = re.compile(r"\b(?:expects?|expected|forecasts?|guid(?:ed|ance|es)|projects?|sees|outlook|target|aims?|plans?|"
                     r"will|would|could|estimates?|consensus|analysts|to reach|by 20\d\d)\b", re.I)
ACTOR_TYPES = {"Organization", "Index", "Asset", "Product", "Person"}
MOVE_TYPES = {"Organization": "StockMove", "Index": "MarketMove", "Asset": "MarketMove"}
MOVE_ACTORS = frozenset(MOVE_TYPES)
LEVEL_ACTORS = frozenset({"Index", "Asset"})
RELEASE_ACTORS = frozenset({"Organization"})
OTHER_ACTORS = frozenset({"Organization", "Person"})


def _actor(bounds: Bounds, offset: int, s: int, e: int, mentions: list[Mention], where: str,
           types=ACTOR_TYPES) -> Optional[int]:
    left, right = bounds.clause(s, e)
    before = [i for i, m in enumerate(mentions)
              if m.type in types and left <= m.start - offset and m.end - offset <= s]
    after = [i for i, m in enumerate(mentions)
             if m.type in types and e <= m.start - offset and m.end - offset <= right]
    if before:
        return before[-1]
    if where in ("either", "after") and after:
        return after[0]
    return None


def find_events(text: str, offset: int, mentions: list[Mention],
                metrics: list[MetricMention], bounds: Optional[Bounds] = None,
                lang: str = "zh", main: Optional[int] = None, ref: Optional[str] = None,
                cues=None) -> list[EventMention]:
    """Events of an item: from the cues (CUES unless `cues` is given: kg.extract.zh passes
    the shared ones and adds its own) and from figures (moves, capital expenditure). English
    adds the trigger lexicon (kg.extract.triggers), keeps people out of the actors and drops
    cues in sentences that recall the past for context."""
    bounds = bounds or Bounds(text)
    en = lang == "en"
    events: list[EventMention] = []
    seen: dict[tuple, EventMention] = {}

    def add(typ: str, cue: str, s: int, e: int, actor: Optional[int]):
        key = (typ, mentions[actor].entity_id or mentions[actor].text.casefold() if actor is not None else None)
        if key in seen:
            return seen[key]
        ev = EventMention(type=typ, cue=cue, start=offset + s, end=offset + e,
                          actors=[actor] if actor is not None else [])
        seen[key] = ev
        events.append(ev)
        return ev

    context: dict[int, bool] = {}

    def recalled(s: int) -> bool:
        sl = bounds.sentence_start(s)
        if sl not in context:
            context[sl] = is_context(text[sl:bounds.sentence_end(s)], ref)
        return context[sl]

    if en:  # (the sentences' answers to is_context shared with the triggers')
        for typ, cue, s, e, actors in trigger_events(text, offset, mentions, bounds, main, ref, context):
            for a in actors:
                add(typ, cue, s, e, a)
    cjk = bounds.cjk
    same = bounds.text is text
    folded = bounds.folded if same else fold(text)
    cues = CUES if cues is None else cues
    in_place = not cjk and (bounds.in_place if same else folds_in_place(text))
    for (typ, pat, where), found in zip(cues, FirstWords.of(cues).scan(text, folded, cjk, in_place)):
        for m in found:
            s, e = m.span()
            if en and (recalled(s) or typ == "RateDecision" and HEDGE.search(text, bounds.sentence_start(s), s)):
                continue
            if typ == "Level":
                actor = _actor(bounds, offset, s, e, mentions, where, LEVEL_ACTORS)
                if actor is not None:
                    add("MarketMove", text[s:e], s, e, actor)
                continue
            if typ == "Move":
                actor = _actor(bounds, offset, s, e, mentions, where, MOVE_ACTORS)
                if actor is None:
                    continue
                add(MOVE_TYPES[mentions[actor].type], text[s:e], s, e, actor)
                continue
            actor = _actor(bounds, offset, s, e, mentions, where,
                           RELEASE_ACTORS if typ == "ProductRelease" or en else OTHER_ACTORS)
            if actor is None:
                continue
            add(typ, text[s:e], s, e, actor)

    # a signed change in a figure about a company, an index or an asset is a move
    # (whether the figure is recalled for context is asked last: the answer changes nothing
    # else, and most figures are no signed change)
    for mi, met in enumerate(metrics):
        if met.unit == "percent" and "change" in met.qualifiers and met.subject is not None \
                and met.measure in ("share_price", "unknown", "price", "index_level") and not (
                    {"YoY", "QoQ", "annual", "quarterly"} & set(met.qualifiers)):
            subj = mentions[met.subject]
            if subj.type in MOVE_TYPES and not (en and recalled(met.start - offset)):
                add(MOVE_TYPES[subj.type], met.text, met.start - offset, met.end - offset, met.subject)
    # English: a reported result (revenue, profit, EPS, bookings) of a company is an
    # earnings report, unless it is an expectation, a forecast or recalled for context
    if en:
        for met in metrics:
            if met.measure in ("revenue", "profit", "eps") and met.unit not in ("percent",) \
                    and met.subject is not None and mentions[met.subject].type == "Organization" \
                    and "expected" not in met.qualifiers and not recalled(met.start - offset) \
                    and not FORWARD.search(text, bounds.sentence_start(met.start - offset), met.start - offset):
                add("EarningsReport", met.text, met.start - offset, met.end - offset, met.subject)
    # figures join the event of their subject: capex figure -> CapitalExpenditure event
    for mi, met in enumerate(metrics):
        if met.measure == "capex" and met.unit not in ("percent",) and met.subject is not None \
                and mentions[met.subject].type == "Organization":
            add("CapitalExpenditure", met.text, met.start - offset, met.end - offset, met.subject)
    for ev in events:
        for mi, met in enumerate(metrics):
            if met.subject is not None and met.subject in ev.actors or (
                    met.subject is not None and ev.actors and _same(mentions, met.subject, ev.actors[0])):
                if _fits(ev.type, met):
                    ev.metrics.append(mi)
    return events


def _same(mentions: list[Mention], a: int, b: int) -> bool:
    ma, mb = mentions[a], mentions[b]
    if ma.entity_id and mb.entity_id:
        return ma.entity_id == mb.entity_id
    return ma.text.casefold() == mb.text.casefold()


def _fits(event_type: str, met: MetricMention) -> bool:
    return {
        "StockMove": met.measure in ("share_price", "unknown") and met.unit == "percent",
        "MarketMove": met.measure in ("price", "index_level", "unknown", "share_price"),
        "CapitalExpenditure": met.measure == "capex",
        "EarningsReport": met.measure in ("eps", "revenue", "profit", "growth"),
        "RateDecision": met.measure == "rate",
        "Funding": met.measure in ("funding", "valuation"),
        "Acquisition": met.measure == "acquisition_price",
        "Layoff": met.measure == "layoffs",
        "Forecast": True,
    }.get(event_type, False)
