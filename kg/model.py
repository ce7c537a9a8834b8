"""Plain data passed between the stages of the pipeline.

ingest -> Issue(items) -> extract -> ItemExtraction -> resolve -> KnowledgeBase -> rdf / viz

Nothing here knows about spaCy, RDF or click. Character offsets are always absolute
offsets into the decoded text of the issue's source file (end exclusive), so every
piece of evidence can be cut out of the file again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

# items kept out of the graph: listed by `kg extract`, extracted from never
NON_NEWS_KINDS = ("sponsor", "boilerplate")

ENTITY_TYPES = ("Organization", "Person", "Place", "Product", "Index", "Asset", "Outlet")

EVENT_TYPES = (
    "StockMove", "EarningsReport", "CapitalExpenditure", "RateDecision", "RegulatoryAction",
    "Funding", "Acquisition", "ProductRelease", "Forecast", "MarketMove", "Partnership",
    "Layoff", "Lawsuit", "ExportControl",
)


@dataclass
class Item:
    """One story of an issue: its headline (a heading, a title line, a bullet's lead) and
    its body, or a paragraph with no headline ("lead"); or a block kept out of the graph
    (kind "sponsor" or "boilerplate": greetings, sign-offs, footers, teasers, calendars)."""
    lang: str                      # "en" | "zh"
    position: int                  # 1-based position among the items of that language
    text: str                      # the item's text as it stands in the file
    start: int                     # offset of `text` in the file
    end: int
    headline: str = ""
    body: str = ""
    outlet: Optional[str] = None   # surface form of the cited outlet
    section: Optional[str] = None
    kind: str = "item"             # "item" | "lead" | "sponsor" | "boilerplate" (see NON_NEWS_KINDS)
    urls: list[str] = field(default_factory=list)
    date: Optional[str] = None     # ISO date given by the input itself (feeds), else None
    line: Optional[int] = None     # its line in the input file, when the text is a rendered document

    @property
    def key(self) -> str:
        return f"{self.lang}-{self.position}"


@dataclass
class Issue:
    """One newsletter issue as read from a file."""
    newsletter: str
    number: Optional[int]
    date: Optional[str]            # ISO YYYY-MM-DD
    source_file: str               # file name (not the full path: output must not depend on it)
    content_hash: str              # "sha256:<hex>" of the raw bytes
    text: str                      # decoded text of the file
    title: Optional[str] = None
    summary: Optional[str] = None  # a newsletter's own summary (kept, not extracted from)
    urls: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def languages(self) -> list[str]:
        return sorted({it.lang for it in self.items})


@dataclass
class Mention:
    """An entity mention in an item."""
    text: str
    start: int
    end: int
    type: str                      # one of ENTITY_TYPES
    source: str                    # "gazetteer" | "model" | "rule"
    entity_id: Optional[str] = None  # gazetteer id when known; set by resolve otherwise


@dataclass
class DateMention:
    text: str
    start: int
    end: int
    value: str                     # ISO: YYYY-MM-DD, YYYY-MM or YYYY
    relative: bool = False


@dataclass
class MetricMention:
    """One reported figure."""
    value: Decimal                 # signed, in base units ($37.5B -> 37500000000)
    unit: str                      # "percent" | "count" | ISO 4217 code ("USD", "CNY", ...)
    text: str                      # the figure's own text span
    start: int
    end: int
    measure: str = "unknown"       # what is measured: share_price, capex, eps, revenue, ...
    direction: Optional[str] = None  # "up" | "down"
    qualifiers: list[str] = field(default_factory=list)
    subject: Optional[int] = None  # index into ItemExtraction.mentions
    subject_name: Optional[str] = None  # a non-entity subject ("AI industry")
    ev_start: int = 0              # the evidence: the sentence that reports the figure
    ev_end: int = 0


@dataclass
class EventMention:
    type: str                      # one of EVENT_TYPES
    cue: str
    start: int
    end: int
    actors: list[int] = field(default_factory=list)   # indexes into ItemExtraction.mentions
    metrics: list[int] = field(default_factory=list)  # indexes into ItemExtraction.metrics
    ev_start: int = 0              # the evidence: the sentence that reports the event
    ev_end: int = 0


@dataclass
class ItemExtraction:
    item: Item
    mentions: list[Mention] = field(default_factory=list)
    metrics: list[MetricMention] = field(default_factory=list)
    events: list[EventMention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    date: Optional[str] = None     # the item's resolved date
    outlet_id: Optional[str] = None
    translation_of: Optional[str] = None  # key of the item this one translates ("en-2")


@dataclass
class IssueExtraction:
    issue: Issue
    items: list[ItemExtraction] = field(default_factory=list)


@dataclass
class Entity:
    id: str                        # slug, used in the IRI
    name: str                      # canonical English name
    type: str
    aliases: set[tuple[str, str]] = field(default_factory=set)  # (surface form, lang)
    names: dict[str, str] = field(default_factory=dict)        # lang -> preferred label
    tickers: list[str] = field(default_factory=list)
    wikidata: Optional[str] = None
    homepage: Optional[str] = None


@dataclass
class KnowledgeBase:
    """Everything the rdf and viz stages need, resolved and merged across issues."""
    issues: list[IssueExtraction] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)
