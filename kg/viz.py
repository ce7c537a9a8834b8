"""`kg viz`: the built graph -> one self-contained, offline HTML page.

graph.ttl --read_graph--> Build (plain records, streamed with pyoxigraph's Turtle parser)
  default: --entity_map--> EntityMap: entities only (sized by mentions), weighted
           entity-entity edges (shared items and events, labelled with the strongest
           relation), each entity's figures, events and sources kept for its panel
  --all:   --project_all--> nx.MultiDiGraph: entities, events and metrics as nodes
           --project--> filtered (focus, types, dates, issue, fold-metrics, max-nodes)
  --compute_layout--> x/y per node --page_data--> JSON --render_html--> the page
  (kg/templates/graph.html filled by jinja2, graph.css and graph.js inlined)

Items, issues and evidence spans are never nodes: they are the sources (outlet, issue, date,
exact evidence text) shown in a node's panel. The page draws the most-mentioned entities
first and holds every entity in scope, so search can bring in those not drawn; the period
filter, the panel's charts and the label placement run in the page (graph.js).

The page is a single file: vis-network's JS and CSS are read from the installed pyvis
package and inlined, the data is embedded as escaped JSON, and every piece of text from the
input reaches the page through `textContent`, SVG text or canvas text, never as HTML.
Only this module knows about pyvis / vis-network.
"""
from __future__ import annotations

import datetime as dt
import gc
import json
import math
import re
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import combinations
from pathlib import Path
from typing import Iterable, Optional

import networkx as nx

from . import namespaces as ns
from .errors import KgError, warning
from .model import ENTITY_TYPES, EVENT_TYPES
from .resources import TEMPLATES_DIR

VIS_VERSION = "9.1.2"

# node type -> (colour, vis shape, hollow). The hollow ones (a ring, an open square) tell
# Outlet and Metric apart from the filled dot and square.
STYLE = {
    "Organization": ("#4e79a7", "dot", False),
    "Person": ("#f28e2b", "triangle", False),
    "Place": ("#59a14f", "triangleDown", False),
    "Product": ("#b07aa1", "hexagon", False),
    "Index": ("#d4a017", "square", False),
    "Asset": ("#9c755f", "star", False),
    "Outlet": ("#7f7f7f", "dot", True),
    "Event": ("#e15759", "diamond", False),
    "Metric": ("#2a9d8f", "square", True),
}
NODE_TYPES = tuple(STYLE)
TYPE_NAMES = ENTITY_TYPES + ("Event", "Metric")
MAX_SOURCES = 5          # --all: evidence spans kept per event or metric (the count of all is kept too)
DEFAULT_MAX_NODES = 300  # the entity map draws this many at first
EDGES_PER_NODE = 6       # the entity map keeps each entity's strongest edges
TEXT_BUDGET = 1_200_000  # bytes of item text the page carries (the rest: outlet, issue, date)
CO_MENTION = "co-mentioned"
REPORTS = "reports"

KG_NS, _SDO, _RDF, _RDFS, _SKOS, _PROV, _SEM, _QUDT = ns.KG, ns.SCHEMA, ns.RDF, ns.RDFS, ns.SKOS, ns.PROV, ns.SEM, ns.QUDT


# ---------------------------------------------------------------------------- reading

@dataclass
class ItemRec:
    iri: str
    date: Optional[str] = None
    issue: Optional[str] = None        # "AI Weekly #470"
    issue_keys: tuple = ()             # ("470", "ai-weekly-470", "ai-weekly/470")
    outlet: Optional[str] = None
    outlet_iri: Optional[str] = None
    text: str = ""


@dataclass
class EntityRec:
    iri: str
    label: str
    type: str
    aliases: list
    items: list                        # items that mention it (or, for an outlet, report it), sorted


@dataclass
class FactRec:
    """A metric or an event; Build.evidence(fact) gives its evidence spans."""
    iri: str
    kind: str                          # "Metric" | "Event"
    subtype: str                       # the event class, or "Metric"
    label: str
    dates: list
    items: list                        # prov:wasDerivedFrom, sorted
    spans: list                        # kg:evidence: span IRIs
    figure: Optional[dict] = None      # metrics
    subject: Optional[str] = None      # metrics: the entity the figure is about
    actors: list = field(default_factory=list)    # events
    metrics: list = field(default_factory=list)   # events


@dataclass
class Build:
    """What `kg viz` needs of a built graph, as plain records keyed by IRI."""
    items: dict
    entities: dict
    metrics: dict
    events: dict
    span_text: dict = field(default_factory=dict)      # evidence span IRI -> exact text
    derived: dict = field(default_factory=dict)        # span IRI -> [item IRI]

    def evidence(self, fact: FactRec) -> list[tuple[str, Optional[str]]]:
        """[(exact text, item IRI)] of a fact's evidence spans, sorted by item then text
        (only --all shows them; the entity map shows the items' texts)."""
        out = set()
        for span in fact.spans:
            src = self.derived.get(span)
            out.add((self.span_text.get(span, ""), min(src) if src else None))
        return sorted(out, key=lambda e: (e[1] or "", e[0]))


# predicates read into one value per subject, and into a list per subject
_ONE = {
    "label": _RDFS + "label", "text": _SDO + "text", "span_text": KG_NS + "text",
    "reported_by": KG_NS + "reportedBy", "in_issue": KG_NS + "inIssue", "part_of": _SDO + "isPartOf",
    "name": _SDO + "name", "number": _SDO + "issueNumber", "published": _SDO + "datePublished",
    "value": KG_NS + "value", "unit": _QUDT + "unit", "measure": KG_NS + "measure",
    "direction": KG_NS + "direction", "subject": KG_NS + "subject", "subject_label": KG_NS + "subjectLabel",
}
_MANY = {
    "type": _RDF + "type", "pref": _SKOS + "prefLabel", "alt": _SKOS + "altLabel", "date": KG_NS + "date",
    "mentions": _SDO + "mentions", "evidence": KG_NS + "evidence", "derived": _PROV + "wasDerivedFrom",
    "qualifier": KG_NS + "qualifier", "actor": _SEM + "hasActor", "has_metric": KG_NS + "hasMetric",
}


@contextmanager
def _no_gc():
    """Bulk building of plain, acyclic records: the cyclic collector would walk the
    growing heap again and again (0.6 s of 3.5 s for a 1,000-issue graph) for nothing."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def read_graph(path: str) -> Build:
    """Read a Turtle file written by `kg build`. Streams the triples through pyoxigraph's
    parser and keeps only the predicates the page shows: a 1,000-issue graph (740k
    triples) in about 2.5 s and 150 MB, where rdflib's Graph needed 30 s and 1 GB."""
    import pyoxigraph as ox
    p = Path(path)
    if not p.is_file():
        raise KgError("E071", path=path)
    raw: dict[str, dict] = {k: {} for k in _ONE}
    raw.update({k: defaultdict(list) for k in _MANY})
    raw["type"] = types = defaultdict(set)
    # predicate IRI -> (its dict, True when it keeps every value): one look-up per triple,
    # by string (hashing pyoxigraph terms costs several times more)
    route = {iri: (raw[k], False) for k, iri in _ONE.items()}
    route.update({iri: (raw[k], True) for k, iri in _MANY.items()})
    route[_MANY["type"]] = (None, True)
    kg_types = {KG_NS + t: t for t in _KG_TYPES}
    try:
        with open(p, "rb") as f, _no_gc():
            for q in ox.parse(f, format=ox.RdfFormat.TURTLE, lenient=True):
                r = route.get(q.predicate.value)
                if r is None:
                    continue
                d, is_many = r
                if d is None:
                    t = kg_types.get(q.object.value)
                    if t is not None:
                        types[q.subject.value].add(t)
                elif is_many:
                    d[q.subject.value].append(q.object.value)
                else:
                    d.setdefault(q.subject.value, q.object.value)
    except (SyntaxError, ValueError, OSError) as e:
        reason = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
        raise KgError("E072", path=path, reason=reason)
    with _no_gc():
        return _assemble(raw)


# the kg: classes read (others, such as kg:Evidence or kg:Issue, are known by their predicates)
_KG_TYPES = ("Item", "Entity", "Metric", "Event") + ENTITY_TYPES + EVENT_TYPES


def _assemble(raw: dict) -> Build:
    kinds: dict[str, list] = {"Item": [], "Entity": [], "Metric": [], "Event": []}
    for s, ts in raw["type"].items():
        for k in kinds:
            if k in ts:
                kinds[k].append(s)
    for v in kinds.values():
        v.sort()
    items = _item_records(raw, kinds["Item"])
    entities = _entity_records(raw, kinds["Entity"], items)
    metrics = _metric_records(raw, kinds["Metric"])
    events = _event_records(raw, kinds["Event"], metrics)
    return Build(items=items, entities=entities, metrics=metrics, events=events,
                 span_text=raw["span_text"], derived=raw["derived"])


def _issue_keys(issue_iri: str, number) -> tuple:
    tail = issue_iri.split("/issue/", 1)[-1]           # "ai-weekly/470"
    keys = {tail.casefold(), tail.replace("/", "-").casefold()}
    if number is not None:
        keys.add(str(number))
    return tuple(sorted(keys))


def _item_records(raw: dict, subjects: list) -> dict[str, ItemRec]:
    label, name, number, published = raw["label"], raw["name"], raw["number"], raw["published"]
    issue_info: dict[str, tuple] = {}
    out: dict[str, ItemRec] = {}
    for s in subjects:
        it = ItemRec(iri=s, text=raw["text"].get(s, ""))
        dates = raw["date"].get(s)
        it.date = min(dates) if dates else None
        outlet = raw["reported_by"].get(s)
        if outlet is not None:
            it.outlet_iri = outlet
            it.outlet = label.get(outlet) or outlet.rsplit("/", 1)[-1]
        issue = raw["in_issue"].get(s)
        if issue is not None:
            if issue not in issue_info:
                nl = raw["part_of"].get(issue)
                num, pub = number.get(issue), published.get(issue)
                text = (name.get(nl) if nl is not None else None) or issue.split("/issue/", 1)[-1].split("/")[0]
                if num is not None:
                    text += f" #{num}"
                elif pub is not None:
                    text += f" {pub}"
                issue_info[issue] = (text, _issue_keys(issue, num), pub)
            it.issue, it.issue_keys, pub = issue_info[issue]
            it.date = it.date or pub
        out[s] = it
    return out


def _kg_type(ts: set, allowed: tuple, default: str) -> str:
    return next((t for t in allowed if t in ts), default)


def _entity_records(raw: dict, subjects: list, items: dict) -> dict[str, EntityRec]:
    mentioned: dict[str, set] = defaultdict(set)
    for item, ents in raw["mentions"].items():
        for e in ents:
            mentioned[e].add(item)
    for item, outlet in raw["reported_by"].items():
        mentioned[outlet].add(item)
    out: dict[str, EntityRec] = {}
    types = raw["type"]
    for s in subjects:
        label = raw["label"].get(s) or s.rsplit("/", 1)[-1]
        aliases = sorted((set(raw["pref"].get(s, ())) | set(raw["alt"].get(s, ()))) - {label})
        out[s] = EntityRec(iri=s, label=label, type=_kg_type(types[s], ENTITY_TYPES, "Organization"),
                           aliases=aliases, items=sorted(i for i in mentioned.get(s, ()) if i in items))
    return out


def _unit(iri: Optional[str]) -> str:
    if not iri:
        return ""
    if iri.endswith("/PERCENT"):
        return "percent"
    if iri.endswith("/NUM"):
        return "count"
    return re.split(r"[/#]", iri)[-1]


def _metric_records(raw: dict, subjects: list) -> dict[str, FactRec]:
    out: dict[str, FactRec] = {}
    for m in subjects:
        value = raw["value"].get(m, "")
        unit = _unit(raw["unit"].get(m))
        measure = raw["measure"].get(m) or "unknown"
        subj = raw["subject"].get(m)
        subj_label = (raw["label"].get(subj) if subj is not None else raw["subject_label"].get(m)) or "?"
        dates = sorted(set(raw["date"].get(m, ())))
        figure = {"measure": measure, "value": value, "unit": unit, "text": format_figure(value, unit),
                  "direction": raw["direction"].get(m), "qualifiers": sorted(set(raw["qualifier"].get(m, ()))),
                  "subject": subj_label, "date": dates[0] if dates else None}
        label = " ".join(x for x in (subj_label, measure if measure != "unknown" else "", figure["text"]) if x)
        out[m] = FactRec(iri=m, kind="Metric", subtype="Metric", label=label, dates=dates,
                         items=sorted(set(raw["derived"].get(m, ()))), spans=raw["evidence"].get(m, []),
                         figure=figure, subject=subj)
    return out


def _event_records(raw: dict, subjects: list, metrics: dict) -> dict[str, FactRec]:
    out: dict[str, FactRec] = {}
    for e in subjects:
        sub = _kg_type(raw["type"][e], EVENT_TYPES, "Event")
        out[e] = FactRec(iri=e, kind="Event", subtype=sub, label=raw["label"].get(e) or sub,
                         dates=sorted(set(raw["date"].get(e, ()))),
                         items=sorted(set(raw["derived"].get(e, ()))), spans=raw["evidence"].get(e, []),
                         actors=sorted(set(raw["actor"].get(e, ()))),
                         metrics=sorted(m for m in set(raw["has_metric"].get(e, ())) if m in metrics))
    return out


# ------------------------------------------------------------------------- figures

_UNIT_SYMBOL = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥"}


def format_figure(value: str, unit: str) -> str:
    """'48000000000', 'USD' -> '$48B'; '14', 'percent' -> '14%'; counts as 1.2K/3M."""
    try:
        v = Decimal(value)
    except (InvalidOperation, TypeError):
        return f"{value} {unit}".strip()
    if unit == "percent":
        return f"{_num(v)}%"
    a = abs(v)
    for div, suf in ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M")):
        if a >= div:
            s = _num(v / div) + suf
            break
    else:
        s = f"{v:,.2f}".rstrip("0").rstrip(".") if v != v.to_integral_value() else f"{int(v):,}"
    if unit == "count":
        return s
    sym = _UNIT_SYMBOL.get(unit)
    if sym and unit != "CNY":
        return ("-" if s.startswith("-") else "") + sym + s.lstrip("-")
    return f"{s} {unit}"


def _num(v: Decimal) -> str:
    s = format(v.quantize(Decimal("0.01")) if abs(v) < 1000 else v.to_integral_value(), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _plot_value(fig: dict) -> Optional[float]:
    """The number a chart plots: a change reported as 'fell 3%' (value 3, direction down) is -3."""
    try:
        v = float(Decimal(fig["value"]))
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not math.isfinite(v):
        return None
    if fig.get("direction") == "down" and "change" in fig.get("qualifiers", ()) and v > 0:
        v = -v
    return int(v) if v.is_integer() and abs(v) < 2 ** 53 else v


# ------------------------------------------------------------------- dates and scope

def _overlaps(date: str, since: Optional[str], until: Optional[str]) -> bool:
    """A date of any precision (YYYY, YYYY-MM, YYYY-MM-DD) overlaps [since, until]."""
    lo, hi = _span(date)
    if lo is None:
        return False
    return (since is None or hi >= since) and (until is None or lo <= until)


def _span(date: str) -> tuple[Optional[str], Optional[str]]:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        return date, date
    if re.fullmatch(r"\d{4}-\d{2}", date):
        y, m = int(date[:4]), int(date[5:])
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        return f"{date}-01", (nxt - dt.timedelta(days=1)).isoformat()
    if re.fullmatch(r"\d{4}", date):
        return f"{date}-01-01", f"{date}-12-31"
    return None, None


def parse_types(spec: Optional[Iterable[str] | str]) -> Optional[set[str]]:
    """'Organization,Event' -> {'Organization', 'Event'}; accepts entity types, Event, Metric,
    Entity (every entity type) and event classes (Funding, StockMove, ...); case-insensitive."""
    if spec is None:
        return None
    parts = spec.split(",") if isinstance(spec, str) else [p for s in spec for p in s.split(",")]
    known = {t.casefold(): t for t in TYPE_NAMES + EVENT_TYPES + ("Entity",)}
    out: set[str] = set()
    for p in (p.strip() for p in parts):
        if not p:
            continue
        if p.casefold() not in known:
            raise KgError("E073", value=p, choices=", ".join(TYPE_NAMES + ("Entity",)) + ", or an event class")
        t = known[p.casefold()]
        out |= set(ENTITY_TYPES) if t == "Entity" else {t}
    return out or None


def _matches(name: str, label: str, aliases: list) -> bool:
    q = name.strip().casefold()
    return bool(q) and (label.casefold() == q or any(a.casefold() == q for a in aliases))


def _near(name: str, labelled: Iterable[tuple[str, list]]) -> str:
    q = name.strip().casefold()
    near = sorted({lab for lab, aliases in labelled if q and (
        q in lab.casefold() or any(q in a.casefold() for a in aliases))})
    return f"; did you mean: {', '.join(near[:5])}?" if near else ""


# ------------------------------------------------------------------ --all: full view

def project_all(build: Build) -> nx.MultiDiGraph:
    """The whole graph as a MultiDiGraph. Node ids are the RDF IRIs; attributes: label, type
    (Organization..Outlet, Event, Metric), subtype (event class), aliases, mentions, figures,
    dates, items (source items, sorted), sources (evidence spans of events and metrics:
    [(text, item)], at most MAX_SOURCES), n_sources, issues."""
    G = nx.MultiDiGraph()
    _add_entity_nodes(G, build)
    _add_metric_nodes(G, build)
    _add_event_nodes(G, build)
    _link_metrics(G, build)
    return G


def _issues_of(build: Build, its: Iterable[str]) -> list[str]:
    return sorted({k for i in its if i in build.items for k in build.items[i].issue_keys})


def _add_entity_nodes(G: nx.MultiDiGraph, b: Build) -> None:
    for e in b.entities.values():
        G.add_node(e.iri, label=e.label, type=e.type, subtype=e.type, aliases=e.aliases, mentions=len(e.items),
                   figures=[], dates=sorted({b.items[i].date for i in e.items if b.items[i].date}),
                   items=e.items, sources=[], n_sources=len(e.items), issues=_issues_of(b, e.items))


def _add_fact_node(G: nx.MultiDiGraph, b: Build, f: FactRec, figures: list) -> None:
    evidence = b.evidence(f)
    G.add_node(f.iri, label=f.label, type=f.kind, subtype=f.subtype, aliases=[], mentions=len(f.items),
               figures=figures, dates=f.dates, items=f.items, sources=evidence[:MAX_SOURCES],
               n_sources=len(evidence), issues=_issues_of(b, f.items))


def _add_reported_by(G: nx.MultiDiGraph, b: Build, node: str, its: list[str]) -> None:
    for o in sorted({b.items[i].outlet_iri for i in its if i in b.items and b.items[i].outlet_iri}):
        if o in G:
            G.add_edge(node, o, key="reportedBy", label="reportedBy")


def _add_metric_nodes(G: nx.MultiDiGraph, b: Build) -> None:
    for m in b.metrics.values():
        _add_fact_node(G, b, m, [m.figure])
        if m.subject is not None and m.subject in G:
            G.add_edge(m.iri, m.subject, key="subject", label="subject")


def _add_event_nodes(G: nx.MultiDiGraph, b: Build) -> None:
    for e in b.events.values():
        _add_fact_node(G, b, e, [b.metrics[m].figure for m in e.metrics])
        for a in e.actors:
            if a in G:
                G.add_edge(e.iri, a, key="hasActor", label="hasActor")
        for m in e.metrics:
            G.add_edge(e.iri, m, key="hasMetric", label="hasMetric")
        _add_reported_by(G, b, e.iri, e.items)


def _link_metrics(G: nx.MultiDiGraph, b: Build) -> None:
    """Metrics of no event are reported directly; entities list the figures about them."""
    in_event = {m for e in b.events.values() for m in e.metrics}
    for m in b.metrics.values():
        if m.iri not in in_event:
            _add_reported_by(G, b, m.iri, m.items)
        if m.subject is not None and m.subject in G:
            G.nodes[m.subject]["figures"].append(m.figure)


@dataclass
class Report:
    total: int = 0                     # nodes in the whole projection (or entities in scope)
    shown: int = 0                     # nodes in the page (the entity map: drawn at first)
    dropped: int = 0                   # --all: nodes dropped by --max-nodes
    dropped_by_type: dict = field(default_factory=dict)
    hidden: int = 0                    # entity map: in the page, not drawn at first
    hidden_types: list = field(default_factory=list)   # entity map: types unticked at first
    folded: int = 0                    # metrics folded into an event or subject
    focus: list = field(default_factory=list)
    filters: list = field(default_factory=list)

    def message(self, max_nodes: Optional[int]) -> Optional[str]:
        if self.hidden:
            types = f"; {', '.join(self.hidden_types)} unticked in the legend" if self.hidden_types else ""
            return (f"drew the {self.shown} most-mentioned of {self.total} entities (--max-nodes {max_nodes}"
                    f"{types}); the other {self.hidden} are in the page: search for one to draw it")
        if not self.dropped:
            return None
        kinds = ", ".join(f"{n} {t}" for t, n in sorted(self.dropped_by_type.items(), key=lambda x: (-x[1], x[0])))
        return (f"showing the {self.shown} most-mentioned nodes (--max-nodes {max_nodes}); "
                f"dropped {self.dropped} ({kinds})")


def find_focus(G: nx.MultiDiGraph, name: str) -> list[str]:
    """Nodes whose label or any alias equals `name` (case-insensitive, any script);
    entities first. Raises E074 with close names when nothing matches."""
    exact = [n for n, d in G.nodes(data=True) if _matches(name, d["label"], d["aliases"])]
    ents = [n for n in exact if G.nodes[n]["type"] in ENTITY_TYPES]
    if ents or exact:
        return sorted(ents or exact)
    hint = _near(name, ((d["label"], d["aliases"]) for _, d in G.nodes(data=True) if d["type"] in ENTITY_TYPES))
    raise KgError("E074", name=name, hint=hint)


def project(graph, *, focus: Optional[str] = None, hops: int = 2, types=None,
            since: Optional[str] = None, until: Optional[str] = None, issue: Optional[str] = None,
            fold_metrics: bool = False, max_nodes: Optional[int] = None) -> nx.MultiDiGraph:
    """The full view of a Build (or of project_all's graph), filtered. Order: --issue and
    --since/--until select facts (and the entities mentioned then), --fold-metrics,
    --focus/--hops takes a neighbourhood, --types keeps node types, --max-nodes keeps the
    most mentioned. G.graph['report'] is a Report (what was kept and dropped)."""
    G = graph.copy() if isinstance(graph, nx.MultiDiGraph) else project_all(graph)
    rep = Report(total=G.number_of_nodes())
    if issue is not None:
        key = str(issue).strip().casefold()
        G.remove_nodes_from([n for n, d in G.nodes(data=True) if key not in d["issues"]])
        rep.filters.append(f"issue {issue}")
        if G.number_of_nodes() == 0:
            raise KgError("E075", what=f"issue {issue!r}")
    if since or until:
        G.remove_nodes_from([n for n, d in G.nodes(data=True)
                             if not any(_overlaps(x, since, until) for x in d["dates"])])
        rep.filters.append(f"dates {since or '…'} to {until or '…'}")
    if fold_metrics:
        rep.folded = _fold_metrics(G)
    if focus:
        centres = find_focus(G, focus)
        U = G.to_undirected(as_view=True)
        keep: set = set()
        for c in centres:
            keep |= set(nx.single_source_shortest_path_length(U, c, cutoff=max(0, hops)))
        G.remove_nodes_from([n for n in list(G) if n not in keep])
        rep.focus = centres
        rep.filters.append(f"focus {focus} ({hops} hops)")
    tset = parse_types(types)
    if tset:
        G.remove_nodes_from([n for n, d in G.nodes(data=True)
                             if d["type"] not in tset and d["subtype"] not in tset and n not in rep.focus])
        rep.filters.append("types " + ",".join(sorted(tset)))
    if max_nodes is not None and G.number_of_nodes() > max_nodes:
        order = sorted(G.nodes(data=True), key=lambda nd: (
            nd[0] not in rep.focus, -nd[1]["mentions"], -G.degree(nd[0]), nd[1]["label"], nd[0]))
        drop = [n for n, _ in order[max(0, max_nodes):]]
        rep.dropped = len(drop)
        rep.dropped_by_type = dict(Counter(G.nodes[n]["type"] for n in drop))
        G.remove_nodes_from(drop)
    rep.shown = G.number_of_nodes()
    G.graph["report"] = rep
    return G


def _fold_metrics(G: nx.MultiDiGraph) -> int:
    """Metrics become figures of their event (or, without one, of their subject entity).
    A metric with neither stays a node. Returns how many were folded."""
    folded = 0
    for m in sorted(n for n, d in G.nodes(data=True) if d["type"] == "Metric"):
        d = G.nodes[m]
        events = sorted(u for u, _, e in G.in_edges(m, data=True) if e["label"] == "hasMetric")
        subjects = sorted(v for _, v, e in G.out_edges(m, data=True) if e["label"] == "subject")
        targets = events or subjects[:1]
        if not targets:
            continue
        fig = d["figures"][0]
        for t in targets:
            td = G.nodes[t]
            if fig not in td["figures"]:
                td["figures"] = td["figures"] + [fig]
            for s in subjects:       # keep the event connected to what the figure is about
                if events and not G.has_edge(t, s) and not G.has_edge(s, t):
                    G.add_edge(t, s, key="subject", label="subject")
        G.remove_node(m)
        folded += 1
    return folded


# ---------------------------------------------------------------- default: entity map

@dataclass
class MapEdge:
    a: str
    b: str
    kinds: Counter                     # relation -> how many items or events support it
    dates: list                        # one date per support (None when undated), sorted

    @property
    def weight(self) -> int:
        return sum(self.kinds.values())

    @property
    def label(self) -> str:
        """The strongest relation: the event class the two share most often, else
        'co-mentioned' (or, for an outlet, 'reports')."""
        events = [(n, k) for k, n in self.kinds.items() if k not in (CO_MENTION, REPORTS)]
        if events:
            return max(events, key=lambda x: (x[0], [-ord(c) for c in x[1]]))[1]
        return CO_MENTION if self.kinds.get(CO_MENTION) else REPORTS


@dataclass
class EntityMap:
    """Every entity in scope, most mentioned first; `drawn` of them are drawn at first."""
    build: Build
    order: list                        # entity IRIs, most mentioned first (the focus first)
    items: dict                        # entity -> its items in scope, sorted
    figures: dict                      # entity -> metric IRIs about it in scope, sorted
    events: dict                       # entity -> event IRIs it takes part in, in scope, sorted
    edges: list                        # MapEdge, each entity's strongest EDGES_PER_NODE
    drawn: list                        # the entities drawn at first
    cap: Optional[int]                 # how many the page draws in any period (None: all)
    hidden_types: list                 # types unticked at first (outlets: sources, not subjects)
    report: Report


def entity_map(build: Build, *, focus: Optional[str] = None, hops: int = 2, types=None,
               since: Optional[str] = None, until: Optional[str] = None, issue: Optional[str] = None,
               max_nodes: Optional[int] = DEFAULT_MAX_NODES) -> EntityMap:
    """The entity map of a Build. --issue and --since/--until choose the items and facts in
    scope; entities count the items in scope that mention them; --types keeps entity types;
    --focus/--hops keeps a neighbourhood over the kept edges; the first max_nodes are drawn."""
    tset = parse_types(types)
    if tset and tset - set(ENTITY_TYPES):
        raise KgError("E080", value=",".join(sorted(tset - set(ENTITY_TYPES))))
    rep = Report()
    items, facts = _scope(build, since, until, issue, rep)
    ents = {e: [i for i in rec.items if i in items] for e, rec in build.entities.items()}
    figures = _figures_by_subject(build, facts)
    events = _events_by_actor(build, facts)
    keep = {e for e in build.entities if ents[e] or figures.get(e) or events.get(e)}
    if tset:
        keep = {e for e in keep if build.entities[e].type in tset}
        rep.filters.append("types " + ",".join(sorted(tset)))
    all_edges = _entity_edges(build, items, facts, keep)
    centres = []
    if focus:
        centres = _map_focus(build, keep, focus)
        edges = _strongest_edges(build, all_edges, centres)
        keep = _within_hops(keep, edges, centres, hops)
        rep.focus, rep.filters = centres, rep.filters + [f"focus {focus} ({hops} hops)"]
    if not keep:
        raise KgError("E075", what="; ".join(rep.filters) or "this graph (it has no entity)")
    edges = [e for e in _strongest_edges(build, all_edges, centres) if e.a in keep and e.b in keep]
    order = sorted(keep, key=lambda e: (e not in centres, -len(ents[e]), build.entities[e].label, e))
    # outlets report the news; drawn by default they crowd out what it is about
    hidden = [] if tset or any(build.entities[c].type == "Outlet" for c in centres) or \
        all(build.entities[e].type == "Outlet" for e in order) else ["Outlet"]
    drawn = [e for e in order if build.entities[e].type not in hidden]
    drawn = drawn[:max(max_nodes, len(centres))] if max_nodes is not None else drawn
    # and each drawn entity's strongest edges among the drawn, so that the first view is
    # connected where the strongest partners overall are not drawn
    first = set(drawn)
    among = {k: e for k, e in all_edges.items() if k[0] in first and k[1] in first}
    edges = sorted({(e.a, e.b): e for e in edges + _strongest_edges(build, among, centres)}.values(),
                   key=lambda e: (e.a, e.b))
    rep.total, rep.shown, rep.hidden = len(order), len(drawn), len(order) - len(drawn)
    rep.hidden_types = hidden
    return EntityMap(build=build, order=order, items={e: ents[e] for e in order},
                     figures={e: figures.get(e, []) for e in order}, events={e: events.get(e, []) for e in order},
                     edges=edges, drawn=drawn, cap=None if max_nodes is None else max(max_nodes, len(centres)),
                     hidden_types=hidden, report=rep)


def _scope(b: Build, since, until, issue, rep: Report) -> tuple[set, set]:
    """The items and facts (metric and event IRIs) the page is about."""
    items = set(b.items)
    if issue is not None:
        key = str(issue).strip().casefold()
        items = {i for i in items if key in b.items[i].issue_keys}
        rep.filters.append(f"issue {issue}")
        if not items:
            raise KgError("E075", what=f"issue {issue!r}")
    if since or until:
        items = {i for i in items if b.items[i].date and _overlaps(b.items[i].date, since, until)}
        rep.filters.append(f"dates {since or '…'} to {until or '…'}")
    facts = set()
    for f in list(b.metrics.values()) + list(b.events.values()):
        if issue is not None and not any(i in items for i in f.items):
            continue
        if (since or until) and not any(_overlaps(x, since, until) for x in f.dates):
            continue
        facts.add(f.iri)
    return items, facts


def _figures_by_subject(b: Build, facts: set) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for m in b.metrics.values():
        if m.iri in facts and m.subject in b.entities:
            out[m.subject].append(m.iri)
    return out


def _events_by_actor(b: Build, facts: set) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for e in b.events.values():
        if e.iri in facts:
            for a in e.actors:
                if a in b.entities:
                    out[a].append(e.iri)
    return out


def _entity_edges(b: Build, items: set, facts: set, keep: set) -> dict[tuple, MapEdge]:
    """Every pair of entities that share an item (co-mentioned; an outlet: reports) or an
    event (its actors and the subjects of its figures), with one support per item or event."""
    pairs: dict[tuple, MapEdge] = {}

    def add(x: str, y: str, kind: str, date: Optional[str]) -> None:
        key = (x, y) if x < y else (y, x)
        e = pairs.get(key)
        if e is None:
            e = pairs[key] = MapEdge(key[0], key[1], Counter(), [])
        e.kinds[kind] += 1
        e.dates.append(date)

    by_item: dict[str, set] = defaultdict(set)
    for ent in keep:
        for i in b.entities[ent].items:
            if i in items:
                by_item[i].add(ent)
    for i, ents in by_item.items():
        outlet = b.items[i].outlet_iri
        named = sorted(e for e in ents if e != outlet)
        for x, y in combinations(named, 2):
            add(x, y, CO_MENTION, b.items[i].date)
        if outlet in ents:
            for x in named:
                add(outlet, x, REPORTS, b.items[i].date)
    for ev in b.events.values():
        if ev.iri not in facts:
            continue
        parts = set(ev.actors) | {b.metrics[m].subject for m in ev.metrics if b.metrics[m].subject}
        for x, y in combinations(sorted(p for p in parts if p in keep), 2):
            add(x, y, ev.subtype, ev.dates[0] if ev.dates else None)
    for e in pairs.values():
        e.dates.sort(key=lambda d: (d is None, d or ""))
    return pairs


def _strongest_edges(b: Build, pairs: dict, always: Iterable[str] = ()) -> list[MapEdge]:
    """Each entity's EDGES_PER_NODE heaviest edges (an outlet's reports do not count among
    another entity's), and every edge of the `always` entities; sorted."""
    by_node: dict[str, list] = defaultdict(list)
    for (x, y), e in pairs.items():
        by_node[x].append((y, e))
        by_node[y].append((x, e))
    always = set(always)
    kept: dict[tuple, MapEdge] = {}
    for node, nbrs in by_node.items():
        if node not in always:
            if b.entities[node].type != "Outlet":
                nbrs = [(o, e) for o, e in nbrs if b.entities[o].type != "Outlet"]
            nbrs = sorted(nbrs, key=lambda oe: (-oe[1].weight, b.entities[oe[0]].label, oe[0]))[:EDGES_PER_NODE]
        for _, e in nbrs:
            kept[(e.a, e.b)] = e
    return [kept[k] for k in sorted(kept)]


def _map_focus(b: Build, keep: set, name: str) -> list[str]:
    hits = sorted(e for e in keep if _matches(name, b.entities[e].label, b.entities[e].aliases))
    if not hits:
        raise KgError("E074", name=name, hint=_near(name, ((b.entities[e].label, b.entities[e].aliases) for e in keep)))
    return hits


def _within_hops(keep: set, edges: list, centres: list, hops: int) -> set:
    U = nx.Graph()
    U.add_nodes_from(keep)
    U.add_edges_from((e.a, e.b) for e in edges if e.a in keep and e.b in keep)
    out: set = set()
    for c in centres:
        out |= set(nx.single_source_shortest_path_length(U, c, cutoff=max(0, hops)))
    return out


def map_layout(m: EntityMap, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions for every entity of the map. Those drawn at first and linked to another
    drawn one are laid out by force over the kept edges among them (weighted by the log of
    the support), then pushed apart so that no two overlap; the drawn ones linked to none go
    in rows below, each as wide as its label (_place_lone); the others, most mentioned
    first, on a small circle around their strongest neighbour already placed (so a searched
    entity appears among its neighbours), and those with none in rows below."""
    drawn = set(m.drawn)
    G = nx.MultiDiGraph()
    for e in m.edges:
        if e.a in drawn and e.b in drawn:
            G.add_edge(e.a, e.b, weight=1.0 + math.log(e.weight))
    rank = {e: k for k, e in enumerate(m.order)}
    pos = compute_layout(G, seed=seed, weight="weight", cell=220.0, rank=rank)
    linked = sorted(pos, key=rank.get)
    sizes = {e: node_size(len(m.items[e])) for e in linked}
    if len(linked) <= 1500:
        _remove_overlaps(pos, linked, sizes)
    scale = _place_lone(pos, [e for e in m.drawn if e not in pos], m, rank)
    if 1 < len(linked) <= 1500:
        # the ten most mentioned keep a label's width between them at that scale, and the
        # rest keep off them
        top = linked[:10]
        _remove_overlaps(pos, top, {e: _label_px(m.build.entities[e].label, True) / 2 / scale for e in top},
                         gap=8 / scale)
        _remove_overlaps(pos, linked, {**sizes, **{e: sizes[e] + 10 / scale for e in top}})
    _place_beside_neighbours(m, pos)
    return pos


PANE_PX = (950.0, 780.0)   # the graph pane of a 1400x900 window: what the first view is fitted to


def _label_px(label: str, strong: bool) -> float:
    """About how wide graph.js draws a label (12 px, the top ten 14 px bold), in pixels."""
    import unicodedata
    text = label if len(label) <= 42 else label[:40] + "…"
    em = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return em * (8.0 if strong else 6.8) + 16


def _place_lone(pos: dict, lone: list, m: EntityMap, rank: dict) -> float:
    """Drawn entities linked to no other drawn one, most mentioned first, in rows below the
    rest: each takes the width of its label at the scale the first view will be fitted to
    (estimated, then corrected until the rows fit), so their labels need not collide.
    Returns that scale (pixels per layout unit)."""
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    x0, w0 = (min(xs), max(xs) - min(xs)) if xs else (0.0, 0.0)
    top, y0 = (min(ys), max(ys)) if ys else (0.0, 0.0)
    s = min(1.0, PANE_PX[0] / w0 if w0 else 1.0, PANE_PX[1] / (y0 - top) if y0 > top else 1.0)
    if not lone:
        return s
    for _ in range(6):
        width = max(w0, PANE_PX[0] / s)
        x, y, out = x0, y0 + (60.0 / s if xs else 0.0), {}
        for n in lone:
            adv = _label_px(m.build.entities[n].label, rank[n] < 10) / s
            if x > x0 and x + adv > x0 + width:
                x, y = x0, y + 56.0 / s
            out[n] = (round(x + adv / 2, 1), round(y, 1))
            x += adv
        height = y + 40.0 / s - top
        s2 = min(PANE_PX[0] / width, PANE_PX[1] / height)
        if s2 >= s * 0.97:
            break
        s = s2
    pos.update(out)
    return s


def _place_beside_neighbours(m: EntityMap, pos: dict) -> None:
    nbrs: dict[str, list] = defaultdict(list)
    for e in m.edges:
        nbrs[e.a].append((-e.weight, e.b))
        nbrs[e.b].append((-e.weight, e.a))
    ring: dict[str, int] = Counter()
    alone = []
    for n in (e for e in m.order if e not in pos):
        anchor = next((y for _, y in sorted(nbrs[n]) if y in pos), None)
        if anchor is None:
            alone.append(n)
            continue
        cx, cy = pos[anchor]
        j = ring[anchor]
        ring[anchor] += 1
        r = 60.0 + 25.0 * (j // 12)
        a = 2 * math.pi * ((j % 12) / 12 + 0.04 * (j // 12))
        pos[n] = (round(cx + r * math.cos(a), 1), round(cy + r * math.sin(a), 1))
    if alone:
        xs, ys = [p[0] for p in pos.values()] or [0.0], [p[1] for p in pos.values()] or [0.0]
        cols = max(1, int((max(xs) - min(xs)) // 220) + 1)
        for k, n in enumerate(alone):
            pos[n] = (round(min(xs) + 220.0 * (k % cols), 1), round(max(ys) + 220.0 + 120.0 * (k // cols), 1))


def node_size(mentions: int) -> float:
    """A node's radius in layout units (graph.js sizes the same way, by mentions in the period)."""
    return 5 + 4.2 * math.log2(1 + max(0, mentions))


def _remove_overlaps(pos: dict, nodes: list, size: dict, gap: float = 28.0, rounds: int = 80) -> None:
    """Push apart drawn nodes closer than their radii plus `gap` (room for a label), a few
    rounds of pairwise moves in numpy; deterministic."""
    import numpy as np
    if len(nodes) < 2:
        return
    P = np.array([pos[n] for n in nodes], dtype=float)
    R = np.array([size[n] for n in nodes], dtype=float)
    need = R[:, None] + R[None, :] + gap
    np.fill_diagonal(need, 0.0)
    P += np.random.default_rng(3).normal(0, 1e-3, P.shape)       # no two at the same place
    for _ in range(rounds):
        dx = P[:, 0, None] - P[None, :, 0]
        dy = P[:, 1, None] - P[None, :, 1]
        dist = np.sqrt(dx * dx + dy * dy)
        np.fill_diagonal(dist, 1.0)
        over = np.maximum(0.0, need - dist)
        if over.max() < 0.5:
            break
        # each node moves away from those too close by a quarter of the overlap:
        # sum_j f_ij (p_i - p_j) = p_i * sum_j f_ij - (f @ p)_i, with f = over / (4 dist)
        f = over / (4 * dist)
        P += P * f.sum(1)[:, None] - f @ P
    for n, (x, y) in zip(nodes, P):
        pos[n] = (round(float(x), 1), round(float(y), 1))


# ---------------------------------------------------------------------------- layout

def compute_layout(G: nx.MultiDiGraph, seed: int = 7, weight: Optional[str] = None,
                   cell: float = 80.0, rank: Optional[dict] = None) -> dict[str, tuple[float, float]]:
    """Positions in pixels, computed once here so the browser runs no physics. Each
    connected component is laid out on its own (networkx spring_layout below 500 nodes, a
    blocked numpy Fruchterman-Reingold with a bounded iteration count above), scaled by
    its size, and the components are packed in rows, biggest first (then by the best `rank`
    of their nodes, or by name), each in a square `cell` wider than it (a lone node: a
    square of `cell`). Deterministic."""
    U = nx.Graph()
    U.add_nodes_from(sorted(G))
    for u, v, d in G.edges(data=True):
        if u != v:
            w = d.get(weight, 1.0) if weight else 1.0
            if U.has_edge(u, v):
                U[u][v]["w"] = max(U[u][v]["w"], w)
            else:
                U.add_edge(u, v, w=w)
    first = (lambda c: min(rank[n] for n in c)) if rank else (lambda c: 0)
    comps = sorted((sorted(c) for c in nx.connected_components(U)), key=lambda c: (-len(c), first(c), c[0]))
    placed: list[tuple[list, "object", float]] = []
    import numpy as np
    for comp in comps:
        n = len(comp)
        if n == 1:
            arr = np.zeros((1, 2))
        elif n == 2:
            arr = np.array([[-0.5, 0.0], [0.5, 0.0]])
        elif n < 500:
            sub = _component(U, comp)
            pos = nx.spring_layout(sub, seed=seed, iterations=50 if n < 200 else 30, method="force",
                                   weight="w" if weight else None)
            arr = np.array([pos[c] for c in comp], dtype=float)
        else:
            arr = _fr_big(comp, U, seed)
        arr = arr - arr.mean(axis=0)
        r = float(np.abs(arr).max()) or 1.0
        radius = 0.0 if n == 1 else 75.0 * math.sqrt(n)
        placed.append((comp, arr / r * radius, radius))
    # shelf packing: rows about as wide as the biggest component or sqrt(total area)
    total = sum((2 * r + cell) ** 2 for _, _, r in placed)
    width = max(max((2 * r + cell for _, _, r in placed), default=0), math.sqrt(total) * 1.2)
    out: dict[str, tuple[float, float]] = {}
    x = y = row_h = 0.0
    for comp, arr, r in placed:
        w = 2 * r + cell
        if x > 0 and x + w > width:
            x, y, row_h = 0.0, y + row_h, 0.0
        cx, cy = x + w / 2, y + w / 2
        for node, (px, py) in zip(comp, arr):
            out[node] = (round(cx + float(px), 1), round(cy + float(py), 1))
        x += w
        row_h = max(row_h, w)
    return out


def _component(U: nx.Graph, comp: list) -> nx.Graph:
    """The component `comp` (sorted nodes) of U as a graph of its own whose nodes and edges
    come in sorted order. Not U.subgraph(comp): a subgraph view of less than half of U
    iterates its nodes in the order of a set of strings, which changes with the process's
    hash seed, and the layout with it (spring_layout's random start is given in node order)."""
    sub = nx.Graph()
    sub.add_nodes_from(comp)
    sub.add_edges_from(sorted((min(u, v), max(u, v), d) for u, v, d in U.edges(comp, data=True)))
    return sub


def _fr_big(comp: list, U: nx.Graph, seed: int, iterations: int = 50, sample: int = 1000):
    """Fruchterman-Reingold for a big component in numpy: attraction along edges, repulsion
    exact up to `sample` nodes and above that estimated each iteration from a fresh random
    sample of `sample` nodes (scaled by n/sample), so an iteration costs O(n * sample), not
    O(n^2); float32, row blocks for bounded memory. Deterministic for a given seed."""
    import numpy as np
    n = len(comp)
    idx = {c: i for i, c in enumerate(comp)}
    edges = np.array([(idx[u], idx[v]) for u, v in _component(U, comp).edges()], dtype=np.int64).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2), dtype=np.float32)
    k = np.float32(math.sqrt(1.0 / n))
    t = 0.1
    dt_ = t / (iterations + 1)
    s = min(n, sample)
    scale = np.float32(n / s)
    block = max(1, int(2e6 // s))
    for _ in range(iterations):
        ref = pos if s == n else pos[rng.choice(n, s, replace=False)]
        disp = np.empty((n, 2), dtype=np.float32)
        for b0 in range(0, n, block):
            dx = pos[b0:b0 + block, 0, None] - ref[None, :, 0]
            dy = pos[b0:b0 + block, 1, None] - ref[None, :, 1]
            w = dx * dx
            w += dy * dy
            np.maximum(w, np.float32(1e-5), out=w)
            np.divide(k * k * scale, w, out=w)
            disp[b0:b0 + block, 0] = (dx * w).sum(1)
            disp[b0:b0 + block, 1] = (dy * w).sum(1)
        if len(edges):
            d = pos[edges[:, 0]] - pos[edges[:, 1]]
            f = d * (np.sqrt((d * d).sum(-1)) / k)[:, None]
            np.add.at(disp, edges[:, 0], -f)
            np.add.at(disp, edges[:, 1], f)
        length = np.maximum(np.sqrt((disp * disp).sum(-1)), np.float32(0.01))[:, None]
        pos += disp * (np.float32(t) / length)
        t -= dt_
    return pos.astype(float)


# ---------------------------------------------------------------------- page data

class _Tables:
    """Strings the page repeats (outlets, issues, measures, units, qualifiers, relation
    kinds) stored once; rows refer to them by index (-1: none)."""
    NAMES = ("outlets", "issues", "measures", "units", "quals", "kinds")

    def __init__(self):
        self.index: dict[str, dict] = {n: {} for n in self.NAMES}

    def ref(self, table: str, value) -> int:
        if value is None or value == "":
            return -1
        t = self.index[table]
        if value not in t:
            t[value] = len(t)
        return t[value]

    def out(self) -> dict:
        return {n: list(t) for n, t in self.index.items()}


class _PageBuilder:
    """Plain JSON for graph.js: tables, items (date, issue, outlet, text or null), figures,
    events, nodes and edges; dates are indices into one sorted list."""

    def __init__(self, build: Build, items: Iterable[str], dates: Iterable[str], texts: set):
        self.b = build
        self.t = _Tables()
        self.dates = sorted(set(dates) | {build.items[i].date for i in items if build.items[i].date})
        self.dix = {d: k for k, d in enumerate(self.dates)}
        self.item_order = sorted(set(items), key=lambda i: (build.items[i].date or "", i))
        self.iix = {i: k for k, i in enumerate(self.item_order)}
        self.texts = texts
        self.figs: list = []
        self.fig_ids: dict[int, int] = {}
        self.events: list = []

    def date(self, d: Optional[str]) -> int:
        return self.dix.get(d, -1) if d else -1

    def item(self, i: Optional[str]) -> int:
        return self.iix.get(i, -1) if i else -1

    def figure(self, fig: dict, item: Optional[str]) -> int:
        key = id(fig)
        if key not in self.fig_ids:
            self.fig_ids[key] = len(self.figs)
            direction = {"up": 1, "down": 2}.get(fig.get("direction") or "", 0)
            self.figs.append([self.date(fig["date"]), self.t.ref("measures", fig["measure"]), _plot_value(fig),
                              self.t.ref("units", fig["unit"]), fig["text"],
                              self.t.ref("quals", ", ".join(fig["qualifiers"])), direction, self.item(item)])
        return self.fig_ids[key]

    def event(self, ev: FactRec, actor_ids: list, fig_ids: list) -> int:
        self.events.append([self.date(ev.dates[0] if ev.dates else None), self.t.ref("kinds", ev.subtype),
                            actor_ids, fig_ids, self.item(ev.items[0] if ev.items else None), len(ev.items)])
        return len(self.events) - 1

    def items_json(self) -> dict:
        its = [self.b.items[i] for i in self.item_order]
        return {"d": [self.date(it.date) for it in its], "s": [self.t.ref("issues", it.issue) for it in its],
                "o": [self.t.ref("outlets", it.outlet) for it in its],
                "t": [it.text if it.iri in self.texts else None for it in its]}

    def page(self, mode: str, nodes: list, edges: list, **extra) -> dict:
        counts = Counter(n["type"] for n in nodes)
        types = [{"name": t, "color": STYLE[t][0], "shape": STYLE[t][1], "hollow": STYLE[t][2]}
                 for t in NODE_TYPES if counts.get(t)]
        return {"mode": mode, "types": types, "dates": self.dates, "items": self.items_json(),
                "figs": self.figs, "events": self.events, "nodes": nodes, "edges": edges,
                "tables": self.t.out(), **extra}


def _text_priority(its: list) -> list:
    """An entity's items (oldest first) in the order their texts go into the page: the
    three most recent, then the rest spread over time (middle, quarters, eighths, ...)."""
    head = its[::-1][:3]
    rest = its[:max(0, len(its) - 3)]
    out, queue = list(head), [(0, len(rest) - 1)]
    while queue:
        nxt = []
        for lo, hi in queue:
            if lo > hi:
                continue
            mid = (lo + hi) // 2
            out.append(rest[mid])
            nxt += [(lo, mid - 1), (mid + 1, hi)]
        queue = nxt
    return out


def choose_texts(build: Build, ranked: list[tuple[str, list]], budget: int = TEXT_BUDGET) -> set:
    """Items whose text the page carries, within `budget` bytes: in rounds over the entities
    (most mentioned first) each gets its next item by _text_priority; stops at the first
    text that does not fit. The other items are listed by outlet, issue and date."""
    prio = [_text_priority(its) for _, its in ranked]
    chosen: set = set()
    used = 0
    for r in range(max((len(p) for p in prio), default=0)):
        for p in prio:
            if r < len(p) and p[r] not in chosen:
                cost = len(build.items[p[r]].text.encode("utf-8"))
                if used + cost > budget:
                    return chosen
                chosen.add(p[r])
                used += cost
    return chosen


def map_page_data(m: EntityMap, pos: dict, title: str, notice: Optional[str] = None,
                  text_budget: int = TEXT_BUDGET) -> dict:
    """The entity map as JSON for graph.js: every entity in scope (the first `m.drawn`
    drawn at first), its items, figures and events, and the kept edges with one date per
    support, so the page can size, filter and label by period."""
    b = m.build
    used = {i for e in m.order for i in m.items[e]}
    facts = [b.metrics[x] for e in m.order for x in m.figures[e]] + \
            [b.events[x] for x in sorted({x for e in m.order for x in m.events[e]})]
    used |= {f.items[0] for f in facts if f.items}
    for ev in (f for f in facts if f.kind == "Event"):
        used |= {b.metrics[x].items[0] for x in ev.metrics if b.metrics[x].items}
    edge_dates = {d for e in m.edges for d in e.dates if d}
    fact_dates = {d for f in facts for d in f.dates[:1]} | {b.metrics[x].figure["date"] for f in facts
                                                             if f.kind == "Event" for x in f.metrics
                                                             if b.metrics[x].figure["date"]}
    P = _PageBuilder(b, used, edge_dates | fact_dates, choose_texts(b, [(e, m.items[e]) for e in m.order], text_budget))
    ids = {e: k for k, e in enumerate(m.order)}
    fig_of = {e: [P.figure(b.metrics[x].figure, (b.metrics[x].items or [None])[0]) for x in m.figures[e]]
              for e in m.order}
    ev_ids = {}
    for x in sorted({x for e in m.order for x in m.events[e]}):
        ev = b.events[x]
        ev_ids[x] = P.event(ev, [ids[a] for a in ev.actors if a in ids],
                            [P.figure(b.metrics[y].figure, (b.metrics[y].items or [None])[0]) for y in ev.metrics])
    nodes = []
    for e in m.order:
        rec = b.entities[e]
        x, y = pos.get(e, (0.0, 0.0))
        nodes.append({"id": ids[e], "label": rec.label, "type": rec.type, "sub": rec.type, "al": rec.aliases,
                      "x": x, "y": y, "m": len(m.items[e]), "it": [P.item(i) for i in m.items[e]],
                      "fg": fig_of[e], "ev": sorted(ev_ids[x] for x in m.events[e])})
    edges = [[ids[e.a], ids[e.b], P.t.ref("kinds", e.label), [P.date(d) for d in e.dates],
              [[P.t.ref("kinds", k), n] for k, n in sorted(e.kinds.items(), key=lambda kn: (-kn[1], kn[0]))]]
             for e in m.edges]
    return P.page("map", nodes, edges, title=title, notice=notice, filters=m.report.filters, cap=m.cap,
                  hidden=m.hidden_types, total=len(m.order), focus=[ids[c] for c in m.report.focus if c in ids])


def full_page_data(G: nx.MultiDiGraph, build: Build, pos: dict, title: str, notice: Optional[str] = None,
                   text_budget: int = TEXT_BUDGET) -> dict:
    """--all: every node of the (filtered) projection, drawn; events and metrics carry their
    evidence spans, entities their items."""
    ordered = sorted(G)
    used = {i for n in ordered for i in G.nodes[n]["items"] if i in build.items}
    dates = {d for n in ordered for d in G.nodes[n]["dates"]}
    ents = sorted((n for n in ordered if G.nodes[n]["type"] in ENTITY_TYPES),
                  key=lambda n: (-G.nodes[n]["mentions"], G.nodes[n]["label"], n))
    P = _PageBuilder(build, used, dates, choose_texts(build, [(n, G.nodes[n]["items"]) for n in ents], text_budget))
    metric_of = {id(mr.figure): mr for mr in build.metrics.values()}
    ids = {n: k for k, n in enumerate(ordered)}
    nodes = []
    for n in ordered:
        d = G.nodes[n]
        x, y = pos.get(n, (0.0, 0.0))
        figs = [P.figure(f, (metric_of[id(f)].items or [None])[0] if id(f) in metric_of else None)
                for f in d["figures"]]
        nodes.append({"id": ids[n], "label": d["label"], "type": d["type"], "sub": d["subtype"], "al": d["aliases"],
                      "x": x, "y": y, "m": d["mentions"], "it": [P.item(i) for i in d["items"] if i in build.items],
                      "fg": figs, "ev": [], "dt": sorted({P.date(x) for x in d["dates"]} - {-1}),
                      "sp": [[P.item(i), text] for text, i in d["sources"]], "ns": d["n_sources"]})
    edges = [[ids[u], ids[v], P.t.ref("kinds", d["label"])]
             for u, v, d in sorted(G.edges(data=True), key=lambda e: (ids[e[0]], ids[e[1]], e[2]["label"]))]
    rep: Report = G.graph.get("report") or Report(total=len(ordered), shown=len(ordered))
    return P.page("full", nodes, edges, title=title, notice=notice, filters=rep.filters, cap=None,
                  total=rep.total, focus=[ids[f] for f in rep.focus if f in ids])


# ---------------------------------------------------------------------------- render

def _vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS as shipped inside the installed pyvis package."""
    import importlib.util
    spec = importlib.util.find_spec("pyvis")        # its files, without importing it (0.3 s)
    if spec is None or not spec.submodule_search_locations:
        raise KgError("E076", reason="the pyvis package is not installed")
    base = Path(list(spec.submodule_search_locations)[0]).resolve() / "lib" / f"vis-{VIS_VERSION}"
    js, css = base / "vis-network.min.js", base / "vis-network.css"
    if not js.is_file() or not css.is_file():
        raise KgError("E076", reason=f"{base} has no vis-network.min.js / vis-network.css")
    return js.read_text(encoding="utf-8"), css.read_text(encoding="utf-8")


def json_for_script(obj) -> str:
    """JSON that is safe inside <script>: no '<', '>', '&', U+2028 or U+2029 survive
    literally, so '</script>' or '<!--' in the data cannot end or change the script."""
    s = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return (s.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _safe_raw(text: str, tag: str) -> str:
    """Inline code in a <script>/<style> element: it must not close it early."""
    return re.sub(f"</({tag})", r"<\\/\1", text, flags=re.I)


def _template_env():
    """jinja2, autoescaping: the title and the view description are escaped by the
    template; the inlined code and the JSON are marked safe after _safe_raw/json_for_script."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(["html"]),
                       undefined=StrictUndefined, keep_trailing_newline=True)


def render_page(data: dict, view: str = "") -> str:
    """The self-contained page: kg/templates/graph.html with graph.css, graph.js,
    vis-network and the data inlined."""
    from markupsafe import Markup
    env = _template_env()
    js, css = _vis_assets()
    app_js = env.loader.get_source(env, "graph.js")[0]
    app_css = env.loader.get_source(env, "graph.css")[0]
    return env.get_template("graph.html").render(
        title=data["title"], view=view,
        vis_css=Markup(_safe_raw(css, "style")), app_css=Markup(_safe_raw(app_css, "style")),
        vis_js=Markup(_safe_raw(js, "script")), app_js=Markup(_safe_raw(app_js, "script")),
        graph_json=Markup(json_for_script(data)))


def render_html(G: nx.MultiDiGraph, build: Build, pos: Optional[dict] = None, title: str = "kg graph",
                notice: Optional[str] = None) -> str:
    """The --all page of a projection."""
    if pos is None:
        pos = compute_layout(G)
    return render_page(full_page_data(G, build, pos, title, notice), view="all")


# ---------------------------------------------------------------------------- kg viz

@dataclass
class VizResult:
    out: str
    mode: str                          # "map" | "all"
    nodes: int                         # drawn at first
    edges: int
    total: int                         # in the page (map: entities; --all: nodes before filters)
    notice: Optional[str]
    report: Report
    bytes: int
    replaced: Optional[str] = None     # what the page written over showed, when there was one


def default_out(graph_path: str, *, all_nodes: bool = False, focus=None, hops: int = 2, types=None,
                since=None, until=None, issue=None, fold_metrics: bool = False, max_nodes=None) -> str:
    """The page's file name when -o is not given: beside the graph, named after what was
    chosen (graph.html for the default map; graph-focus-microsoft-2hops.html, ...), so a
    filtered view never lands on the page of another."""
    parts = ["all"] if all_nodes else []
    if focus:
        parts.append(f"focus-{_slug(focus)}-{hops}hops")
    if types:
        parts.append("types-" + _slug(types if isinstance(types, str) else ",".join(types)))
    if issue is not None:
        parts.append(f"issue-{_slug(str(issue))}")
    if since:
        parts.append(f"since-{since}")
    if until:
        parts.append(f"until-{until}")
    if fold_metrics:
        parts.append("folded")
    if max_nodes is not None and (all_nodes or max_nodes != DEFAULT_MAX_NODES):
        parts.append(f"max{max_nodes}")
    name = "-".join(["graph"] + parts)
    if len(name) > 120:
        import hashlib
        name = name[:100] + "-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return str(Path(graph_path).parent / f"{name}.html")


def _slug(s: str) -> str:
    return re.sub(r"[^\w]+", "-", s.strip().casefold()).strip("-") or "x"


_VIEW_META = re.compile(rb'<meta name="kg-view" content="([^"]*)">')


def _previous_view(path: Path) -> Optional[str]:
    """What the page at `path` showed (its kg-view meta), or a description of the file."""
    if not path.exists():
        return None
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return "a file that could not be read"
    m = _VIEW_META.search(head)
    if m:
        import html
        return html.unescape(m.group(1).decode("utf-8", "replace")) or "the default entity map"
    return "a file that kg viz did not write"


def _page(build: Build, *, all_nodes: bool, max_nodes: Optional[int], title: Optional[str], text_budget: int,
          fold_metrics: bool, **choose) -> tuple:
    """(page bytes, view description, Report, notice, nodes drawn, edges drawn)."""
    if all_nodes:
        G = project(build, fold_metrics=fold_metrics, max_nodes=max_nodes, **choose)
        rep: Report = G.graph["report"]
        notice = rep.message(max_nodes)
        title = title or "kg graph, every node" + (" — " + "; ".join(rep.filters) if rep.filters else "")
        data = full_page_data(G, build, compute_layout(G), title, notice, text_budget)
        n_nodes, n_edges = G.number_of_nodes(), G.number_of_edges()
    else:
        cap = DEFAULT_MAX_NODES if max_nodes is None else max_nodes
        m = entity_map(build, max_nodes=cap, **choose)
        rep = m.report
        notice = rep.message(cap)
        title = title or "kg entity map" + (" — " + "; ".join(rep.filters) if rep.filters else "")
        data = map_page_data(m, map_layout(m), title, None, text_budget)
        drawn = set(m.drawn)
        n_nodes, n_edges = len(drawn), sum(1 for e in m.edges if e.a in drawn and e.b in drawn)
    view = ("every node" if all_nodes else "entity map") + ("; " + "; ".join(rep.filters) if rep.filters else "")
    return render_page(data, view=view).encode("utf-8"), view, rep, notice, n_nodes, n_edges


def viz(graph_path: str, out: Optional[str] = None, *, all_nodes: bool = False, focus: Optional[str] = None,
        hops: int = 2, types=None, since: Optional[str] = None, until: Optional[str] = None,
        issue: Optional[str] = None, fold_metrics: bool = False, max_nodes: Optional[int] = None,
        title: Optional[str] = None, text_budget: int = TEXT_BUDGET, warn=None) -> VizResult:
    """The library API behind `kg viz`: read graph_path, choose, lay out, write `out`
    (default: default_out(...)). The entity map draws max_nodes (default 300) at first;
    all_nodes=True draws every entity, event and metric (max_nodes: keep that many)."""
    from .atomic import write_atomic
    if max_nodes is not None and max_nodes < 1:
        raise KgError("E077", value=max_nodes)
    if since and until and since > until:
        raise KgError("E078", since=since, until=until)
    if fold_metrics and not all_nodes and warn:
        warn(warning("W031"))
    if out is None:
        out = default_out(graph_path, all_nodes=all_nodes, focus=focus, hops=hops, types=types, since=since,
                          until=until, issue=issue, fold_metrics=fold_metrics and all_nodes, max_nodes=max_nodes)
    with _no_gc():
        page, view, rep, notice, n_nodes, n_edges = _page(
            read_graph(graph_path), all_nodes=all_nodes, focus=focus, hops=hops, types=types, since=since,
            until=until, issue=issue, fold_metrics=fold_metrics, max_nodes=max_nodes, title=title,
            text_budget=text_budget)
    target = Path(out)
    replaced = _previous_view(target)
    if replaced == view:
        replaced = None                # the same view again: an update, not a replacement
    write_atomic(target, page)
    return VizResult(out=str(out), mode="all" if all_nodes else "map", nodes=n_nodes, edges=n_edges,
                     total=rep.total, notice=notice, report=rep, bytes=len(page), replaced=replaced)
