"""`kg viz`: the built RDF graph -> a networkx projection -> one self-contained HTML page.

graph.ttl --load_graph--> rdflib.Graph --project--> nx.MultiDiGraph (filtered)
          --compute_layout--> x/y per node --render_html--> kg/templates/graph.html

Entities, events and metrics are nodes; edges carry the relation name (hasActor,
hasMetric, subject, reportedBy). Items, issues and evidence spans are not nodes: they
become each node's `sources` (outlet, issue, date, the exact evidence text).

The page is a single file: vis-network's JS and CSS are read from the installed pyvis
package and inlined, the graph data is embedded as escaped JSON, and every piece of text
from the input reaches the page through `textContent` or canvas text, never as HTML.
Only this module knows about pyvis / vis-network.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable, Optional

import networkx as nx

from .errors import KgError
from .model import ENTITY_TYPES, EVENT_TYPES

from .resources import TEMPLATES_DIR  # noqa: E402

TEMPLATE = TEMPLATES_DIR / "graph.html"
VIS_VERSION = "9.1.2"

# node type -> (colour, vis shape, hollow). Every shape draws its label below the node,
# so node size can follow the mention count; the two hollow ones (a ring, an open square)
# tell Outlet and Metric apart from the filled dot and square.
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
MAX_SOURCES = 5       # evidence snippets kept per node (the count of all is kept too)
MAX_FIGURES = 8

from .namespaces import KG as KG_NS, QUDT as QUDT_NS, SCHEMA as SCHEMA_NS, SEM as SEM_NS  # noqa: E402


def _u(local: str):
    from rdflib import URIRef
    return URIRef(KG_NS + local)


# ---------------------------------------------------------------------------- loading

def load_graph(path: str):
    """Parse a Turtle file written by `kg build`."""
    from rdflib import Graph
    p = Path(path)
    if not p.is_file():
        raise KgError("E071", path=path)
    g = Graph()
    try:
        g.parse(str(p), format="turtle")
    except Exception as e:  # rdflib raises many kinds; the user needs one line
        raise KgError("E072", path=path, reason=str(e).splitlines()[0][:200] if str(e) else type(e).__name__)
    return g


# ------------------------------------------------------------------------- projection

@dataclass
class _ItemInfo:
    iri: str
    outlet: Optional[str] = None
    outlet_iri: Optional[str] = None
    issue: Optional[str] = None        # "AI Weekly #470"
    issue_keys: tuple = ()             # ("470", "ai-weekly/470", "ai-weekly-470")
    date: Optional[str] = None
    text: str = ""
    lang: Optional[str] = None


def _str(v) -> str:
    return str(v) if v is not None else ""


def _issue_keys(issue_iri: str, number) -> tuple:
    tail = issue_iri.split("/issue/", 1)[-1]           # "ai-weekly/470"
    keys = {tail.casefold(), tail.replace("/", "-").casefold()}
    if number is not None:
        keys.add(str(number))
    return tuple(sorted(keys))


def _items(g) -> dict[str, _ItemInfo]:
    from rdflib.namespace import RDF, RDFS
    from rdflib import Namespace
    SDO = Namespace(SCHEMA_NS)
    out: dict[str, _ItemInfo] = {}
    issue_cache: dict[str, tuple] = {}
    for item in g.subjects(RDF.type, _u("Item")):
        info = _ItemInfo(iri=str(item))
        info.text = _str(g.value(item, SDO.text))
        lang = g.value(item, SDO.inLanguage)
        info.lang = _str(lang) or None
        d = g.value(item, _u("date"))
        info.date = _str(d) or None
        outlet = g.value(item, _u("reportedBy"))
        if outlet is not None:
            info.outlet_iri = str(outlet)
            info.outlet = _str(g.value(outlet, RDFS.label)) or str(outlet).rsplit("/", 1)[-1]
        issue = g.value(item, _u("inIssue"))
        if issue is not None:
            key = str(issue)
            if key not in issue_cache:
                nl = g.value(issue, SDO.isPartOf)
                nl_name = _str(g.value(nl, SDO.name)) if nl is not None else ""
                number = g.value(issue, SDO.issueNumber)
                pub = g.value(issue, SDO.datePublished)
                label = nl_name or key.split("/issue/", 1)[-1].split("/")[0]
                if number is not None:
                    label += f" #{number}"
                elif pub is not None:
                    label += f" {pub}"
                issue_cache[key] = (label, _issue_keys(key, number), _str(pub) or None)
            info.issue, info.issue_keys, pub = issue_cache[key]
            info.date = info.date or pub
        out[str(item)] = info
    return out


def _source(it: Optional[_ItemInfo], text: str) -> dict:
    return {"outlet": it.outlet if it else None, "issue": it.issue if it else None,
            "date": it.date if it else None, "text": text}


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


def _unit_of(g, m) -> str:
    from rdflib import Namespace
    QUDT = Namespace(QUDT_NS)
    u = g.value(m, QUDT.unit)
    if u is None:
        return ""
    u = str(u)
    if u.endswith("/PERCENT"):
        return "percent"
    if u.endswith("/NUM"):
        return "count"
    return u.rsplit("/", 1)[-1]


def project_all(g) -> nx.MultiDiGraph:
    """The whole graph as a MultiDiGraph. Node ids are the RDF IRIs; attributes: label, type
    (Organization..Outlet, Event, Metric), subtype (event class), aliases, mentions, figures,
    dates, sources (outlet, issue, date, exact evidence text), n_sources, issues."""
    from rdflib.namespace import RDF, RDFS, SKOS, PROV
    from rdflib import Namespace
    SDO = Namespace(SCHEMA_NS)
    SEM = Namespace(SEM_NS)
    items = _items(g)
    G = nx.MultiDiGraph()

    # items per entity (mentions) and per outlet (reportedBy)
    mentioned: dict[str, set] = {}
    for item, ent in g.subject_objects(SDO.mentions):
        mentioned.setdefault(str(ent), set()).add(str(item))
    for item, ent in g.subject_objects(_u("reportedBy")):
        mentioned.setdefault(str(ent), set()).add(str(item))

    def sources_of_items(item_iris: Iterable[str]) -> list[dict]:
        its = [items[i] for i in item_iris if i in items]
        its.sort(key=lambda it: (it.date or "", it.issue or "", it.iri))
        return [_source(it, it.text) for it in its]

    etypes = set(ENTITY_TYPES)
    for ent in sorted(set(g.subjects(RDF.type, _u("Entity"))), key=str):
        typ = next((str(t)[len(KG_NS):] for t in g.objects(ent, RDF.type)
                    if str(t).startswith(KG_NS) and str(t)[len(KG_NS):] in etypes), "Organization")
        label = _str(g.value(ent, RDFS.label)) or str(ent).rsplit("/", 1)[-1]
        aliases = sorted({str(a) for p in (SKOS.prefLabel, SKOS.altLabel) for a in g.objects(ent, p)}
                         - {label})
        its = sorted(mentioned.get(str(ent), ()))
        srcs = sources_of_items(its)
        dates = sorted({items[i].date for i in its if i in items and items[i].date})
        G.add_node(str(ent), label=label, type=typ, subtype=typ, aliases=aliases, mentions=len(its),
                   figures=[], dates=dates, sources=srcs[:MAX_SOURCES], n_sources=len(srcs),
                   issues=sorted({k for i in its if i in items for k in items[i].issue_keys}))

    def fact_sources(node) -> tuple[list[dict], list[str]]:
        srcs, its = [], []
        for ev in g.objects(node, _u("evidence")):
            item = g.value(ev, PROV.wasDerivedFrom)
            it = items.get(str(item)) if item is not None else None
            srcs.append(_source(it, _str(g.value(ev, _u("text")))))
        for item in g.objects(node, PROV.wasDerivedFrom):
            its.append(str(item))
        srcs.sort(key=lambda s: (s["date"] or "", s["issue"] or "", s["outlet"] or "", s["text"]))
        return srcs, sorted(set(its))

    def add_reported_by(node: str, its: list[str]) -> None:
        for o in sorted({items[i].outlet_iri for i in its if i in items and items[i].outlet_iri}):
            if o in G:
                G.add_edge(node, o, key="reportedBy", label="reportedBy")

    metric_figure: dict[str, dict] = {}
    for m in sorted(set(g.subjects(RDF.type, _u("Metric"))), key=str):
        value = _str(g.value(m, _u("value")))
        unit = _unit_of(g, m)
        measure = _str(g.value(m, _u("measure"))) or "unknown"
        direction = _str(g.value(m, _u("direction"))) or None
        quals = sorted(str(q) for q in g.objects(m, _u("qualifier")))
        subj = g.value(m, _u("subject"))
        subj_label = (_str(g.value(subj, RDFS.label)) if subj is not None
                      else _str(g.value(m, _u("subjectLabel")))) or "?"
        figure = {"measure": measure, "value": value, "unit": unit, "text": format_figure(value, unit),
                  "direction": direction, "qualifiers": quals, "subject": subj_label}
        metric_figure[str(m)] = figure
        srcs, its = fact_sources(m)
        dates = sorted({str(d) for d in g.objects(m, _u("date"))})
        figure["date"] = dates[0] if dates else None
        label = " ".join(x for x in (subj_label, measure if measure != "unknown" else "", figure["text"]) if x)
        G.add_node(str(m), label=label, type="Metric", subtype="Metric", aliases=[],
                   mentions=len(its), figures=[figure], dates=dates, sources=srcs[:MAX_SOURCES],
                   n_sources=len(srcs),
                   issues=sorted({k for i in its if i in items for k in items[i].issue_keys}))
        if subj is not None and str(subj) in G:
            G.add_edge(str(m), str(subj), key="subject", label="subject")

    etypes_ev = set(EVENT_TYPES)
    for e in sorted(set(g.subjects(RDF.type, _u("Event"))), key=str):
        sub = next((str(t)[len(KG_NS):] for t in g.objects(e, RDF.type)
                    if str(t).startswith(KG_NS) and str(t)[len(KG_NS):] in etypes_ev), "Event")
        srcs, its = fact_sources(e)
        dates = sorted({str(d) for d in g.objects(e, _u("date"))})
        metrics = sorted(str(m) for m in g.objects(e, _u("hasMetric")))
        G.add_node(str(e), label=_str(g.value(e, RDFS.label)) or sub, type="Event", subtype=sub,
                   aliases=[], mentions=len(its),
                   figures=[metric_figure[m] for m in metrics if m in metric_figure][:MAX_FIGURES],
                   dates=dates, sources=srcs[:MAX_SOURCES], n_sources=len(srcs),
                   issues=sorted({k for i in its if i in items for k in items[i].issue_keys}))
        for a in sorted(str(a) for a in g.objects(e, SEM.hasActor)):
            if a in G:
                G.add_edge(str(e), a, key="hasActor", label="hasActor")
        for m in metrics:
            if m in G:
                G.add_edge(str(e), m, key="hasMetric", label="hasMetric")
        add_reported_by(str(e), its)

    # metrics that belong to no event are reported directly; entities list their figures
    for m, fig in metric_figure.items():
        if not any(d.get("label") == "hasMetric" for _, _, d in G.in_edges(m, data=True)):
            add_reported_by(m, sorted(str(i) for i in g.objects(_uri(m), PROV.wasDerivedFrom)))
        for _, s, d in G.out_edges(m, data=True):
            if d["label"] == "subject" and len(G.nodes[s]["figures"]) < MAX_FIGURES:
                G.nodes[s]["figures"].append(fig)
    return G


def _uri(s: str):
    from rdflib import URIRef
    return URIRef(s)


# --------------------------------------------------------------------------- filters

@dataclass
class Report:
    total: int = 0                     # nodes in the whole projection
    shown: int = 0
    dropped: int = 0                   # nodes dropped by --max-nodes
    dropped_by_type: dict = field(default_factory=dict)
    folded: int = 0                    # metrics folded into an event or subject
    focus: list = field(default_factory=list)
    filters: list = field(default_factory=list)

    def message(self, max_nodes: Optional[int]) -> Optional[str]:
        if not self.dropped:
            return None
        kinds = ", ".join(f"{n} {t}" for t, n in sorted(self.dropped_by_type.items(), key=lambda x: (-x[1], x[0])))
        return (f"showing the {self.shown} most-mentioned nodes (--max-nodes {max_nodes}); "
                f"dropped {self.dropped} ({kinds})")


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


def find_focus(G: nx.MultiDiGraph, name: str) -> list[str]:
    """Nodes whose label or any alias equals `name` (case-insensitive, any script);
    entities first. Raises E074 with close names when nothing matches."""
    q = name.strip().casefold()
    exact = [n for n, d in G.nodes(data=True)
             if q and (d["label"].casefold() == q or any(a.casefold() == q for a in d["aliases"]))]
    ents = [n for n in exact if G.nodes[n]["type"] in ENTITY_TYPES]
    if ents or exact:
        return sorted(ents or exact)
    near = sorted({d["label"] for n, d in G.nodes(data=True) if d["type"] in ENTITY_TYPES and q and (
        q in d["label"].casefold() or any(q in a.casefold() for a in d["aliases"]))})
    hint = f"; did you mean: {', '.join(near[:5])}?" if near else ""
    raise KgError("E074", name=name, hint=hint)


def project(graph, *, focus: Optional[str] = None, hops: int = 2, types=None,
            since: Optional[str] = None, until: Optional[str] = None, issue: Optional[str] = None,
            fold_metrics: bool = False, max_nodes: Optional[int] = None) -> nx.MultiDiGraph:
    """The projection of an rdflib graph, filtered. Order: --issue and --since/--until
    select facts (and the entities mentioned then), --fold-metrics, --focus/--hops takes a
    neighbourhood, --types keeps node types, --max-nodes keeps the most mentioned.
    G.graph['report'] is a Report (what was kept and dropped)."""
    G = graph if isinstance(graph, nx.MultiDiGraph) else project_all(graph)
    G = G.copy()
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
                td["figures"].append(fig)
            for s in subjects:       # keep the event connected to what the figure is about
                if events and not G.has_edge(t, s) and not G.has_edge(s, t):
                    G.add_edge(t, s, key="subject", label="subject")
        G.remove_node(m)
        folded += 1
    return folded


# ---------------------------------------------------------------------------- layout

def compute_layout(G: nx.MultiDiGraph, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions in pixels, computed once here so the browser runs no physics. Each
    connected component is laid out on its own (networkx spring_layout below 500 nodes, a
    blocked numpy Fruchterman-Reingold with a bounded iteration count above), scaled by
    its size, and the components are packed in rows, biggest first. Deterministic."""
    U = nx.Graph()
    U.add_nodes_from(sorted(G))
    U.add_edges_from((u, v) for u, v in G.edges() if u != v)
    comps = sorted((sorted(c) for c in nx.connected_components(U)), key=lambda c: (-len(c), c[0]))
    placed: list[tuple[list, "object", float]] = []
    import numpy as np
    for comp in comps:
        n = len(comp)
        if n == 1:
            arr = np.zeros((1, 2))
        elif n == 2:
            arr = np.array([[-0.5, 0.0], [0.5, 0.0]])
        elif n < 500:
            sub = U.subgraph(comp)
            pos = nx.spring_layout(sub, seed=seed, iterations=50 if n < 200 else 30, method="force")
            arr = np.array([pos[c] for c in comp], dtype=float)
        else:
            arr = _fr_big(comp, U, seed)
        arr = arr - arr.mean(axis=0)
        r = float(np.abs(arr).max()) or 1.0
        radius = 0.0 if n == 1 else 75.0 * math.sqrt(n)
        placed.append((comp, arr / r * radius, radius))
    # shelf packing: rows about as wide as the biggest component or sqrt(total area)
    total = sum((2 * r + 80) ** 2 for _, _, r in placed)
    width = max(max((2 * r + 80 for _, _, r in placed), default=0), math.sqrt(total) * 1.2)
    out: dict[str, tuple[float, float]] = {}
    x = y = row_h = 0.0
    for comp, arr, r in placed:
        w = 2 * r + 80
        if x > 0 and x + w > width:
            x, y, row_h = 0.0, y + row_h, 0.0
        cx, cy = x + w / 2, y + w / 2
        for node, (px, py) in zip(comp, arr):
            out[node] = (round(cx + float(px), 1), round(cy + float(py), 1))
        x += w
        row_h = max(row_h, w)
    return out


def _fr_big(comp: list, U: nx.Graph, seed: int, iterations: int = 50, sample: int = 1000):
    """Fruchterman-Reingold for a big component in numpy: attraction along edges, repulsion
    exact up to `sample` nodes and above that estimated each iteration from a fresh random
    sample of `sample` nodes (scaled by n/sample), so an iteration costs O(n * sample), not
    O(n^2); float32, row blocks for bounded memory. Deterministic for a given seed."""
    import numpy as np
    n = len(comp)
    idx = {c: i for i, c in enumerate(comp)}
    edges = np.array([(idx[u], idx[v]) for u, v in U.subgraph(comp).edges()], dtype=np.int64).reshape(-1, 2)
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


# ---------------------------------------------------------------------------- render

def _vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS as shipped inside the installed pyvis package."""
    try:
        import pyvis
    except ImportError:
        raise KgError("E076", reason="the pyvis package is not installed")
    base = Path(pyvis.__file__).resolve().parent / "lib" / f"vis-{VIS_VERSION}"
    js, css = base / "vis-network.min.js", base / "vis-network.css"
    if not js.is_file() or not css.is_file():
        raise KgError("E076", reason=f"{base} has no vis-network.min.js / vis-network.css")
    return js.read_text(encoding="utf-8"), css.read_text(encoding="utf-8")


def json_for_script(obj) -> str:
    """JSON that is safe inside <script>: no '<', '>', '&', U+2028 or U+2029 survive
    literally, so '</script>' or '<!--' in the data cannot end or change the script."""
    s = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (s.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _safe_raw(text: str, tag: str) -> str:
    """Inline third-party code in a <script>/<style> element: it must not close it early."""
    return re.sub(f"</({tag})", r"<\\/\1", text, flags=re.I)


def _size(mentions: int) -> float:
    return round(8 + 7 * math.log2(1 + max(0, mentions)), 1)


def page_data(G: nx.MultiDiGraph, pos: dict, title: str, notice: Optional[str]) -> dict:
    ids = {n: i for i, n in enumerate(sorted(G))}
    nodes = []
    for n in sorted(G):
        d = G.nodes[n]
        x, y = pos.get(n, (0.0, 0.0))
        nodes.append({
            "id": ids[n], "iri": n, "label": d["label"], "type": d["type"], "subtype": d["subtype"],
            "aliases": d["aliases"], "mentions": d["mentions"], "figures": d["figures"][:MAX_FIGURES],
            "dates": d["dates"], "sources": d["sources"], "nSources": d["n_sources"],
            "x": x, "y": y, "size": _size(d["mentions"]),
        })
    edges = [{"from": ids[u], "to": ids[v], "label": d["label"]}
             for u, v, d in sorted(G.edges(data=True), key=lambda e: (ids[e[0]], ids[e[1]], e[2]["label"]))]
    counts = Counter(G.nodes[n]["type"] for n in G)
    types = [{"name": t, "color": STYLE[t][0], "shape": STYLE[t][1], "hollow": STYLE[t][2],
              "count": counts.get(t, 0)}
             for t in NODE_TYPES if counts.get(t)]
    rep: Report = G.graph.get("report") or Report(total=G.number_of_nodes(), shown=G.number_of_nodes())
    return {"title": title, "nodes": nodes, "edges": edges, "types": types, "notice": notice,
            "total": rep.total, "filters": rep.filters, "focus": [ids[f] for f in rep.focus if f in ids],
            "big": len(nodes) > 1500}


def render_html(G: nx.MultiDiGraph, pos: Optional[dict] = None, title: str = "kg graph",
                notice: Optional[str] = None) -> str:
    """The self-contained page (template kg/templates/graph.html)."""
    if pos is None:
        pos = compute_layout(G)
    js, css = _vis_assets()
    data = json_for_script(page_data(G, pos, title, notice))
    tpl = TEMPLATE.read_text(encoding="utf-8")
    parts = {"{{TITLE}}": html.escape(title), "{{VIS_CSS}}": _safe_raw(css, "style"),
             "{{VIS_JS}}": _safe_raw(js, "script"), "{{GRAPH_JSON}}": data}
    # one pass, so nothing substituted is scanned for placeholders again
    return re.sub("|".join(re.escape(k) for k in parts), lambda m: parts[m.group(0)], tpl)


@dataclass
class VizResult:
    out: str
    nodes: int
    edges: int
    total: int
    notice: Optional[str]
    report: Report
    bytes: int


def viz(graph_path: str, out: str, *, focus: Optional[str] = None, hops: int = 2, types=None,
        since: Optional[str] = None, until: Optional[str] = None, issue: Optional[str] = None,
        fold_metrics: bool = False, max_nodes: Optional[int] = None,
        title: Optional[str] = None) -> VizResult:
    """The library API behind `kg viz`: read graph_path, filter, lay out, write `out`."""
    from .io import write_atomic
    if max_nodes is not None and max_nodes < 1:
        raise KgError("E077", value=max_nodes)
    if since and until and since > until:
        raise KgError("E078", since=since, until=until)
    g = load_graph(graph_path)
    G = project(g, focus=focus, hops=hops, types=types, since=since, until=until, issue=issue,
                fold_metrics=fold_metrics, max_nodes=max_nodes)
    rep: Report = G.graph["report"]
    notice = rep.message(max_nodes)
    if title is None:
        title = "kg graph" + (" — " + "; ".join(rep.filters) if rep.filters else "")
    page = render_html(G, compute_layout(G), title=title, notice=notice)
    data = page.encode("utf-8")
    write_atomic(Path(out), data)
    return VizResult(out=out, nodes=G.number_of_nodes(), edges=G.number_of_edges(), total=rep.total,
                     notice=notice, report=rep, bytes=len(data))
