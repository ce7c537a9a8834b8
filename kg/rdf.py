"""KnowledgeBase -> rdflib Graph under ontology/kg.ttl; Turtle export.

The only stage that knows RDF. IRIs are stable and readable (`…/entity/microsoft`,
`…/issue/ai-weekly/462/item/en-2`); metrics and events get content IRIs (a hash of what
identifies the fact), so the same figure about the same subject on the same date from two
items, outlets or issues is one node with several sources.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from decimal import Decimal
from typing import Callable, Iterable, Optional

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD, DCTERMS

from .model import NON_NEWS_KINDS, Entity, Issue, IssueExtraction, Item, KnowledgeBase
from .resolve import clean_label, slugify

from . import namespaces as ns

BASE = ns.BASE
KG = Namespace(ns.KG)
SDO = Namespace(ns.SCHEMA)
SEM = Namespace(ns.SEM)
QUDT = Namespace(ns.QUDT)
UNIT = Namespace(ns.UNIT)
CUR = Namespace(ns.CUR)
WD = Namespace(ns.WD)
ENT = Namespace(ns.ENT)

PREFIXES = {"kg": KG, "schema": SDO, "prov": PROV, "sem": SEM, "qudt": QUDT, "unit": UNIT,
            "cur": CUR, "skos": SKOS, "owl": OWL, "xsd": XSD, "rdfs": RDFS, "rdf": RDF,
            "dcterms": DCTERMS, "wd": WD, "ent": ENT}

# units of figures that are no currency (kg.extract.metrics): QUDT's where it has one, the
# ontology's own for index points, basis points and multiples ("35x")
OTHER_UNITS = {"percent": UNIT.PERCENT, "count": UNIT.NUM, "GW": UNIT.GigaW, "MW": UNIT.MegaW,
               "points": KG.IndexPoint, "bps": KG.BasisPoint, "times": KG.Multiple}


def unit_iri(unit: str) -> URIRef:
    return OTHER_UNITS.get(unit) or CUR[unit]


def newsletter_iri(issue: Issue) -> URIRef:
    return URIRef(BASE + "newsletter/" + slugify(issue.newsletter or "newsletter"))


def issue_iri(issue: Issue) -> URIRef:
    nl = slugify(issue.newsletter or "newsletter")
    if issue.number is not None:
        part = str(issue.number)
    elif issue.date:
        part = issue.date
    else:
        part = "h-" + issue.content_hash.split(":")[-1][:12]
    return URIRef(f"{BASE}issue/{nl}/{part}")


def item_iri(issue: Issue, item: Item) -> URIRef:
    return URIRef(f"{issue_iri(issue)}/item/{item.lang}-{item.position}")


def entity_iri(eid: str) -> URIRef:
    return ENT[eid]


def _hash(*parts) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def issue_file_stem(issue: Issue) -> str:
    nl = slugify(issue.newsletter or "newsletter")
    tail = str(issue.number) if issue.number is not None else (issue.date or issue.content_hash[-12:])
    return f"{nl}-{tail}"


def metric_key(ix_item_iri, kb: KnowledgeBase, ex, met) -> tuple[str, str]:
    """(IRI hash, label) of a metric: what identifies the fact, not where it was read."""
    if met.subject is not None:
        subj = ex.mentions[met.subject].entity_id
        subj_name = kb.entities[subj].name
    elif met.subject_name:
        subj, subj_name = "sector:" + met.subject_name.casefold(), met.subject_name
    else:
        subj, subj_name = "item:" + str(ix_item_iri), "?"
    quals = ",".join(sorted(met.qualifiers))
    value = format(met.value.normalize(), "f")
    h = _hash(subj, met.measure, met.unit, value, ex.date or "", quals, met.direction or "")
    label = f"{subj_name} {met.measure} {value} {met.unit}" + (f" ({quals})" if quals else "")
    return h, label


def _bound(met) -> str:
    return ",".join(q for q in met.qualifiers if q in ("lower_bound", "upper_bound", "actual", "expected"))


# ---------------------------------------------------------------------------------------
# The build's own writer. Triples are held as Turtle term strings (no rdflib store: the
# store's per-triple overhead was most of a build's time and memory), grouped by subject:
# Terms = {subject: {predicate: [objects]}}. Output: subjects, predicates (a, rdfs:label,
# then the rest) and objects sorted as strings, so the same input gives the same bytes.
# ---------------------------------------------------------------------------------------

Terms = dict  # subject term -> {predicate term -> [object terms]}

_NS_ORDER = sorted(((str(ns), p) for p, ns in PREFIXES.items()), key=lambda t: -len(t[0]))
_NS_ORDER = [(BASE + "metric/", "metric"), (BASE + "event/", "event")] + _NS_ORDER
TURTLE_PREFIXES = dict(sorted({**{p: str(ns) for p, ns in PREFIXES.items()},
                               "metric": BASE + "metric/", "event": BASE + "event/"}.items()))
_PN_LOCAL = re.compile(r"^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:[A-Za-z0-9_\-.]|%[0-9A-Fa-f]{2})*$")
_IRI_SAFE = re.compile(r"^[^\s<>\"{}|\\^`\x00-\x20]+$")
_ESC = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESC_RE = re.compile(r'[\\"\n\r\t]')


# the first namespace of _NS_ORDER an IRI starts with (alternatives are tried in order)
_NS_START = re.compile("|".join(re.escape(ns) for ns, _ in _NS_ORDER))
_NS_PREFIX = dict(_NS_ORDER)


def N(iri: str) -> str:
    """An IRI as a Turtle term: a prefixed name when the local part allows it."""
    m = _NS_START.match(iri)
    if m:
        local = iri[m.end():]
        if local and _PN_LOCAL.match(local) and not local.endswith("."):
            return _NS_PREFIX[m.group()] + ":" + local
    assert _IRI_SAFE.match(iri), f"unsafe IRI {iri!r}"
    return "<" + iri + ">"


_LIT_RE = re.compile(r'[\\"\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]')


def _lit_esc(m: re.Match) -> str:
    return _ESC.get(m.group(0), "\ufffd")


def S(text: str, lang: Optional[str] = None) -> str:
    """A string literal (language-tagged when lang is given); control characters and lone
    surrogates become U+FFFD (text safe for any RDF parser)."""
    body = _LIT_RE.sub(_lit_esc, text)
    return f'"{body}"@{lang}' if lang else f'"{body}"'


def I(n: int) -> str:
    return str(int(n))


def D(v: Decimal) -> str:
    """An xsd:decimal in Turtle's short form (always with a '.')."""
    s = format(v.normalize(), "f")
    return s if "." in s else s + ".0"


def DATE(v: str) -> str:
    dt = "xsd:date" if len(v) == 10 else "xsd:gYearMonth" if len(v) == 7 else "xsd:gYear"
    return f'"{v}"^^{dt}'


A, LABEL = "a", "rdfs:label"


@lru_cache(maxsize=None)
def _entity_term(eid: str) -> str:
    return N(str(entity_iri(eid)))


@lru_cache(maxsize=None)
def _unit_term(unit: str) -> str:
    return N(str(unit_iri(unit)))


def _add(t: Terms, s: str, p: str, o: str) -> None:
    ps = t.get(s)
    if ps is None:
        t[s] = {p: [o]}
        return
    os_ = ps.get(p)
    if os_ is None:
        ps[p] = [o]
    else:
        os_.append(o)


def _url_ok(u: Optional[str]) -> bool:
    return bool(u) and bool(re.match(r"^https?://[^\s<>\"{}|\\^`]+$", u))


def _entity_terms(ent: Entity, aliases: Iterable[tuple[str, str]]) -> tuple[str, dict]:
    """An entity's subject term and its predicates: what the graph says about the entity
    itself, with the forms (surface form, lang) it has in an issue."""
    t: Terms = {}
    s = _entity_term(ent.id)
    _add(t, s, A, "kg:Entity")
    _add(t, s, A, "kg:" + ent.type)
    _add(t, s, LABEL, S(ent.name))
    for lang, name in sorted(ent.names.items()):
        _add(t, s, "skos:prefLabel", S(name, lang))
    for form, lang in sorted({(clean_label(f) or f, lang) for f, lang in aliases}):  # labels: no invisible characters
        if form != ent.names.get(lang):
            _add(t, s, "skos:altLabel", S(form, lang))
    for tk in ent.tickers:
        _add(t, s, "kg:ticker", S(tk))
    if ent.wikidata and re.match(r"^Q\d+$", ent.wikidata):
        _add(t, s, "owl:sameAs", "wd:" + ent.wikidata)
    if _url_ok(ent.homepage):
        _add(t, s, "schema:url", N(ent.homepage))
    return s, t[s]


def _evidence_terms(t: Terms, issue: Issue, item_node: str, item_iri_: str, start: int, end: int) -> str:
    node = N(f"{item_iri_}/span/{start}-{end}")
    if node not in t:
        _add(t, node, A, "kg:Evidence")
        _add(t, node, "kg:text", S(issue.text[start:end]))
        _add(t, node, "kg:startOffset", I(start))
        _add(t, node, "kg:endOffset", I(end))
        _add(t, node, "prov:wasDerivedFrom", item_node)
    return node


class MetricFacts(dict):
    """metric term -> (subject, measure, unit, qualifiers, date, value) and its items; what
    conflict detection needs, gathered while emitting (no graph to query afterwards)."""


def issue_terms(kb: KnowledgeBase, ix: IssueExtraction, facts: Optional[MetricFacts] = None) -> Terms:
    """Everything one issue says, with the entities it mentions, as Turtle terms."""
    t, aliases = _issue_own_terms(kb, ix, facts)
    for eid in sorted(aliases):
        s, ps = _entity_terms(kb.entities[eid], aliases[eid])
        t[s] = ps
    return t


def _issue_own_terms(kb: KnowledgeBase, ix: IssueExtraction,
                     facts: Optional[MetricFacts]) -> tuple[Terms, dict[str, set]]:
    """What one issue says as Turtle terms, and the entities it refers to with the forms
    they have in it (entity id -> {(surface form, lang)}); the entities' own descriptions
    are left to _entity_terms (no other subject describes an entity)."""
    t: Terms = {}
    issue = ix.issue
    inode_iri = str(issue_iri(issue))
    inode = N(inode_iri)
    nnode = N(str(newsletter_iri(issue)))
    _add(t, nnode, A, "kg:Newsletter")
    _add(t, nnode, "schema:name", S(issue.newsletter or "newsletter"))
    _add(t, inode, A, "kg:Issue")
    _add(t, inode, "schema:isPartOf", nnode)
    if issue.number is not None:
        _add(t, inode, "schema:issueNumber", I(issue.number))
    if issue.date:
        _add(t, inode, "schema:datePublished", DATE(issue.date))
    if issue.title:
        _add(t, inode, "schema:name", S(issue.title))
    for u in issue.urls:
        if _url_ok(u):
            _add(t, inode, "schema:url", N(u))
    _add(t, inode, "kg:sourceFile", S(issue.source_file))
    _add(t, inode, "kg:contentHash", S(issue.content_hash))
    aliases: dict[str, set] = {}
    translated: dict[str, dict] = {}   # en item key -> {(value, unit, bound): metric term}
    # English items first, so that their translations can point at their figures
    for ex in sorted(ix.items, key=lambda ex: (ex.item.lang != "en", ex.item.lang, ex.item.position)):
        it = ex.item
        if it.kind in NON_NEWS_KINDS:
            continue    # sponsor and boilerplate blocks stay out of the graph
        node_iri = f"{inode_iri}/item/{it.lang}-{it.position}"
        node = N(node_iri)
        _add(t, node, A, "kg:Item")
        _add(t, node, "kg:inIssue", inode)
        _add(t, node, "schema:inLanguage", S(it.lang))
        _add(t, node, "kg:position", I(it.position))
        if it.section:
            _add(t, node, "kg:section", S(it.section, it.lang))
        if it.headline:
            _add(t, node, "schema:headline", S(it.headline, it.lang))
        _add(t, node, "schema:text", S(issue.text[it.start:it.end], it.lang))
        _add(t, node, "kg:startOffset", I(it.start))
        _add(t, node, "kg:endOffset", I(it.end))
        for u in it.urls:
            if _url_ok(u):
                _add(t, node, "schema:url", N(u))
        if ex.date:
            _add(t, node, "kg:date", DATE(ex.date))
        if ex.outlet_id:
            _add(t, node, "kg:reportedBy", _entity_term(ex.outlet_id))
            aliases.setdefault(ex.outlet_id, set()).add((it.outlet, it.lang))
        for m in ex.mentions:
            _add(t, node, "schema:mentions", _entity_term(m.entity_id))
            aliases.setdefault(m.entity_id, set()).add((m.text, it.lang))
        metric_nodes = []
        twin = translated.get(ex.translation_of) if ex.translation_of else None
        if ex.translation_of:
            _add(t, node, "kg:translationOf", N(f"{inode_iri}/item/{ex.translation_of}"))
        for met in ex.metrics:
            same = twin.get((met.value, met.unit, _bound(met))) if twin else None
            if same is not None:
                # the translation reports the English item's figure: one node, two sources
                metric_nodes.append(same)
                _add(t, same, "prov:wasDerivedFrom", node)
                _add(t, same, "kg:evidence", _evidence_terms(t, issue, node, node_iri, met.ev_start, met.ev_end))
                if facts is not None and same in facts:
                    facts[same][1].add(node)
                continue
            h, label = metric_key(node_iri, kb, ex, met)
            mnode = "metric:" + h
            metric_nodes.append(mnode)
            if it.lang == "en":
                translated.setdefault(it.key, {}).setdefault((met.value, met.unit, _bound(met)), mnode)
            value, unit = D(met.value), _unit_term(met.unit)
            _add(t, mnode, A, "kg:Metric")
            _add(t, mnode, LABEL, S(label))
            _add(t, mnode, "kg:value", value)
            _add(t, mnode, "qudt:unit", unit)
            if met.unit not in OTHER_UNITS:
                _add(t, mnode, "schema:currency", S(met.unit))
            _add(t, mnode, "kg:measure", S(met.measure))
            if met.direction:
                _add(t, mnode, "kg:direction", S(met.direction))
            quals = sorted(set(met.qualifiers))
            for q in quals:
                _add(t, mnode, "kg:qualifier", S(q))
            subj = None
            if met.subject is not None:
                subj = _entity_term(ex.mentions[met.subject].entity_id)
                _add(t, mnode, "kg:subject", subj)
            elif met.subject_name:
                _add(t, mnode, "kg:subjectLabel", S(met.subject_name))
            if ex.date:
                _add(t, mnode, "kg:date", DATE(ex.date))
            _add(t, mnode, "prov:wasDerivedFrom", node)
            _add(t, mnode, "kg:evidence", _evidence_terms(t, issue, node, node_iri, met.ev_start, met.ev_end))
            if facts is not None:
                key = (subj, met.measure, unit, tuple(quals), ex.date)
                entry = facts.setdefault(mnode, (key, set(), value))
                entry[1].add(node)
        for ev in ex.events:
            actors = sorted({ex.mentions[a].entity_id for a in ev.actors})
            h = _hash(ev.type, "|".join(actors) or node_iri, ex.date or "")
            enode = "event:" + h
            _add(t, enode, A, "kg:Event")
            _add(t, enode, A, "kg:" + ev.type)
            names = ", ".join(kb.entities[a].name for a in actors) or "?"
            _add(t, enode, LABEL, S(f"{names} {ev.type}" + (f" {ex.date}" if ex.date else "")))
            for a in actors:
                _add(t, enode, "sem:hasActor", _entity_term(a))
            if ex.date:
                _add(t, enode, "kg:date", DATE(ex.date))
            for mi in ev.metrics:
                _add(t, enode, "kg:hasMetric", metric_nodes[mi])
                _add(t, metric_nodes[mi], "kg:event", enode)
            _add(t, enode, "prov:wasDerivedFrom", node)
            _add(t, enode, "kg:evidence", _evidence_terms(t, issue, node, node_iri, ev.ev_start, ev.ev_end))
    return t, aliases


def merge_terms(into: Terms, t: Terms) -> None:
    for s, ps in t.items():
        dst = into.get(s)
        if dst is None:
            into[s] = {p: list(os_) for p, os_ in ps.items()}
            continue
        for p, os_ in ps.items():
            d = dst.get(p)
            if d is None:
                dst[p] = list(os_)
            else:
                d.extend(os_)


def conflict_terms(t: Terms, facts: MetricFacts) -> int:
    """Two figures about the same subject, measure, unit, qualifiers and date with different
    values, read from different items, conflict: kg:conflictsWith both ways. Returns the
    number of conflicting pairs."""
    groups: dict[tuple, list[str]] = {}
    for m, (key, items, value) in facts.items():
        subj, measure, unit, quals, date = key
        if subj is None or date is None or measure == "unknown":
            continue
        groups.setdefault(key, []).append(m)
    pairs = 0
    for key in sorted(groups, key=repr):
        ms = sorted(set(groups[key]))
        for i, a in enumerate(ms):
            for b in ms[i + 1:]:
                if facts[a][2] != facts[b][2] and facts[a][1].isdisjoint(facts[b][1]):
                    _add(t, a, "kg:conflictsWith", b)
                    _add(t, b, "kg:conflictsWith", a)
                    pairs += 1
    return pairs


def kb_terms(kb: KnowledgeBase, each: Optional[Callable[[IssueExtraction, Terms], None]] = None) -> Terms:
    """The merged graph: the union of every issue's terms, conflicts marked. `each(ix, terms)`
    is called with each issue's terms as they are made (kg build writes the per-issue files
    from them)."""
    merged: Terms = {}
    facts = MetricFacts()
    for ix in kb.issues:
        t = issue_terms(kb, ix, facts)
        if each is not None:
            each(ix, t)
        merge_terms(merged, t)
    conflict_terms(merged, facts)
    return merged


TURTLE_HEADER = "".join("@prefix %s: <%s> .\n" % kv for kv in TURTLE_PREFIXES.items()).encode("utf-8")


def issue_signature(kb: KnowledgeBase, ix: IssueExtraction, extraction_key: Optional[str] = None,
                    memo: Optional[dict] = None) -> str:
    """A hash of everything issue_terms reads for this issue: the extraction (named by
    `extraction_key`, the cache's key for it, when given; else hashed whole), what
    resolution decided about it, and the records of the entities it refers to. `memo`
    (one dict per knowledge base) keeps each entity's record between calls."""
    ids = sorted({m.entity_id for ex in ix.items for m in ex.mentions} |
                 {ex.outlet_id for ex in ix.items if ex.outlet_id})
    memo = {} if memo is None else memo
    ents = []
    for i in ids:
        r = memo.get(i)
        if r is None:
            e = kb.entities[i]
            r = memo[i] = repr((e.id, e.name, e.type, sorted(e.names.items()), list(e.tickers), e.wikidata,
                                e.homepage))
        ents.append(r)
    resolved = [(ex.outlet_id, ex.translation_of, [(m.entity_id, m.type) for m in ex.mentions]) for ex in ix.items]
    # repr, not pickle: a pickle also records which objects are shared, which differs
    # between fresh and cached extractions of the same text
    what = extraction_key if extraction_key else repr(ix)
    h = hashlib.sha256(repr((what, resolved, ents, _RENDER_VERSION)).encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:32]


_RENDER_VERSION = "2"


_SHARED = ("ent:", "metric:", "event:", "<" + BASE + "newsletter/")


class Rendered(tuple):
    """One issue, rendered: (turtle bytes, figure facts, shared triples, own triples, events).

    * figure facts: ((metric term, (subject, measure, unit, qualifiers, date), items, value), ...),
      what conflict detection needs;
    * shared triples: the triples of subjects other issues may describe too (entities,
      figures, events, the newsletter), one "s p o" per line, so that the merged graph's
      triples can be counted without duplicates;
    * own triples: how many triples the issue's own subjects (issue, items, evidence) have;
    * events: the issue's event terms, one per line.

    Plain tuples, strings and numbers, so that it marshals (kg.incremental caches it)."""


def render_issue(kb: KnowledgeBase, ix: IssueExtraction, memo: Optional[dict] = None) -> "Rendered":
    """One issue's Turtle file, the facts conflict detection needs, and what counting the
    merged graph's triples needs. An entity's description depends only on the entity and
    the forms it has in the issue: `memo` (one dict per knowledge base) keeps each one
    rendered between calls."""
    memo = {} if memo is None else memo
    facts = MetricFacts()
    t, aliases = _issue_own_terms(kb, ix, facts)
    statements: list[tuple[str, str]] = []
    shared: list[str] = []
    own = 0
    for s, ps in t.items():
        if s.startswith(_SHARED):
            text, _ = _statement(s, ps, shared)
        else:
            text, n = _statement(s, ps)
            own += n
        statements.append((s, text))
    for eid, forms in aliases.items():  # entities are shared subjects
        key = (eid, frozenset(forms))
        entry = memo.get(key)
        if entry is None:
            s, ps = _entity_terms(kb.entities[eid], forms)
            triples: list[str] = []
            text, _ = _statement(s, ps, triples)
            entry = memo[key] = (s, text, triples)
        statements.append(entry[:2])
        shared += entry[2]
    statements.sort()
    fs = tuple((m, key, tuple(sorted(items)), value) for m, (key, items, value) in sorted(facts.items()))
    events = "\n".join(sorted(s for s in t if s.startswith("event:")))
    turtle = TURTLE_HEADER + "".join(text for _, text in statements).encode("utf-8")
    return Rendered((turtle, fs, "\n".join(shared), own, events))


def merged_stats(parts: list) -> dict:
    """Distinct triples, figures and events of the merged graph."""
    shared: set[str] = set()
    metrics: set[str] = set()
    events: set[str] = set()
    own = 0
    for _, facts, sh, n, evs in parts:
        own += n
        if sh:
            shared.update(sh.split("\n"))
        metrics.update(f[0] for f in facts)  # every figure of an issue is among its facts
        if evs:
            events.update(evs.split("\n"))
    return {"triples": own + len(shared), "metrics": len(metrics), "events": len(events)}


def merge_rendered(parts: list) -> tuple[bytes, int]:
    """The merged graph: every issue's block (in issue order) and, last, the conflicts. A
    subject described by several issues (an entity, a figure two issues report) appears
    in each block; the triples are their union. Returns (Turtle, conflicting pairs)."""
    facts = MetricFacts()
    for part in parts:
        for m, key, items, value in part[1]:
            have = facts.get(m)
            if have is None:
                facts[m] = (key, set(items), value)
            else:
                have[1].update(items)
    t: Terms = {}
    pairs = conflict_terms(t, facts)
    chunks = [TURTLE_HEADER]
    n = len(TURTLE_HEADER)
    for part in parts:
        chunks.append(part[0][n:])
    if t:
        chunks.append(write_turtle(t)[n:])
    return b"".join(chunks), pairs


@lru_cache(maxsize=None)
def _predicate_order(preds: tuple[str, ...]) -> tuple[str, ...]:
    """a, rdfs:label, then the other predicates sorted. Cached: subjects of one kind have
    their predicates in the same order, and there are few kinds."""
    order = sorted(preds)
    if LABEL in preds:
        order.remove(LABEL)
        order.insert(0, LABEL)
    if A in preds:
        order.remove(A)
        order.insert(0, A)
    return tuple(order)


def _statement(s: str, ps: dict, triples: Optional[list[str]] = None) -> tuple[str, int]:
    """A subject's Turtle statement (predicates: a, rdfs:label, then sorted; objects sorted,
    duplicates dropped) and how many distinct triples it states; they are added to
    `triples`, when given, as "s p o" lines."""
    order = _predicate_order(tuple(ps))
    chunks: list[str] = []   # one per predicate: "p o1,\n        o2"
    n = 0
    pre = s + " "
    for p in order:
        objs = ps[p]
        if len(objs) == 1:
            chunk = p + " " + objs[0]
            n += 1
            if triples is not None:
                triples.append(pre + chunk)
        else:
            objs = sorted(set(objs))
            chunk = p + " " + ",\n        ".join(objs)
            n += len(objs)
            if triples is not None:
                triples += [pre + p + " " + o for o in objs]
        chunks.append(chunk)
    return "\n" + s + " " + " ;\n    ".join(chunks) + " .\n", n


def write_turtle(t: Terms) -> bytes:
    """Deterministic Turtle from terms: sorted subjects, predicates (a, rdfs:label first),
    objects; duplicates dropped."""
    return TURTLE_HEADER + "".join(_statement(s, t[s])[0] for s in sorted(t)).encode("utf-8")


def parse_terms(t: Terms) -> Graph:
    g = Graph(bind_namespaces="none")
    for p, ns in TURTLE_PREFIXES.items():
        g.bind(p, Namespace(ns))
    g.parse(data=write_turtle(t).decode("utf-8"), format="turtle")
    return g


def issue_graph(kb: KnowledgeBase, ix: IssueExtraction) -> Graph:
    """One issue's graph as an rdflib Graph (for library users; the build writes terms)."""
    return parse_terms(issue_terms(kb, ix))


def kb_graph(kb: KnowledgeBase) -> Graph:
    """The merged graph as an rdflib Graph (for library users; the build writes terms)."""
    return parse_terms(kb_terms(kb))


def to_turtle(g: Graph) -> bytes:
    """Deterministic Turtle: no blank nodes are minted, and the serializer sorts subjects,
    predicates and objects. Byte for byte what rdflib's Turtle serializer writes (see
    _fast_turtle), several times faster."""
    if g.base is not None:
        assert not any(isinstance(t, BNode) for trip in g for t in trip), "builder minted a blank node"
        return g.serialize(format="turtle", encoding="utf-8")
    return _fast_turtle(g)


def _fast_turtle(g: Graph) -> bytes:
    """rdflib's TurtleSerializer (7.x) output for a graph without blank nodes, without its
    per-node overhead: the same preprocessing (prefix registration in triple order, object
    reference counts), subject order (rdfs:Class members, then by reference count and IRI),
    predicate order (rdf:type, rdfs:label, then sorted), object order (rdflib's own sort)
    and layout; names and literals go through the serializer's own get_pname and
    Literal._literal_n3, memoized. Checked against g.serialize(format="turtle") in
    tests/test_parallel.py (byte-identical output)."""
    from collections import defaultdict

    from rdflib.plugins.serializers.turtle import TurtleSerializer

    ser = TurtleSerializer(g)
    ser.reset()
    pnames: dict = {}

    def pname(node, gen: bool):
        key = (node, gen)
        try:
            return pnames[key]
        except KeyError:
            v = pnames[key] = ser.get_pname(node, gen_prefix=gen)
            return v

    refs: dict = defaultdict(int)
    subjects: dict = {}
    a = RDF.type
    for trip in g.triples((None, None, None)):
        s, p, o = trip
        if isinstance(s, BNode) or isinstance(p, BNode) or isinstance(o, BNode):
            raise AssertionError("builder minted a blank node")
        refs[o] += 1
        # prefixes are registered in the order rdflib's preprocessTriple registers them
        pname(s, False)
        if p is not a and p != a:
            pname(p, True)
        pname(o, False)
        if isinstance(o, Literal) and o.datatype:
            pname(o.datatype, False)
        subjects[s] = True

    labels: dict = {}

    def dt_name(dt):
        return pname(dt, False)

    def label(node, verb: bool) -> str:
        if isinstance(node, Literal):
            key = (str(node), node.language, node.datatype, 1)
        else:
            key = (node, verb)
        try:
            return labels[key]
        except KeyError:
            pass
        if node == RDF.nil:
            v = "()"
        elif verb and node == a:
            v = "a"
        elif isinstance(node, Literal):
            v = node._literal_n3(use_plain=True, qname_callback=dt_name)
        else:
            v = pname(node, verb) or node.n3()
        labels[key] = v
        return v

    top = sorted(s for s in g.subjects(RDF.type, RDFS.Class))
    seen = set(top)
    rest = [x[1] for x in sorted((refs.get(s, 0), s) for s in subjects if s not in seen)]
    out: list[str] = ["@prefix %s: <%s> .\n" % (pfx, uri) for pfx, uri in sorted(ser.namespaces.items())]
    first_preds = [p for p in ser.predicateOrder]
    for s in top + rest:
        # objects in the store's order for this subject, as rdflib's buildPredicateHash sees
        # them (sorting is stable: ties keep that order)
        ps: dict = {}
        for _, p, o in g.triples((s, None, None)):
            ol = ps.get(p)
            if ol is None:
                ps[p] = [o]
            else:
                ol.append(o)
        out.append("\n")
        out.append(label(s, False))
        order = [p for p in first_preds if p in ps]
        order += sorted(p for p in ps if p not in order)
        for k, p in enumerate(order):
            objs = ps[p]
            objs.sort()
            out.append(" " + label(p, True) if k == 0 else " ;\n    " + label(p, True))
            out.append(" " + label(objs[0], False))
            for o in objs[1:]:
                out.append(",\n        " + label(o, False))
        out.append(" .\n")
    out.append("\n")
    return "".join(out).encode("utf-8", "replace")
