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
from dataclasses import dataclass
from typing import Callable, Iterable, NamedTuple, Optional

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD, DCTERMS

from .model import NON_NEWS_KINDS, Entity, EventMention, Issue, IssueExtraction, Item, ItemExtraction, KnowledgeBase, MetricMention
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
               "GWh": UNIT["GigaW-HR"], "MWh": UNIT["MegaW-HR"],
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


def metric_key(ix_item_iri, kb: KnowledgeBase, ex, met, value: Optional[str] = None) -> tuple[str, str]:
    """(IRI hash, label) of a metric: what identifies the fact, not where it was read.
    `value`: _plain(met.value) when the caller has it already."""
    if met.subject is not None:
        subj = ex.mentions[met.subject].entity_id
        subj_name = kb.entities[subj].name
    elif met.subject_name:
        subj, subj_name = "sector:" + met.subject_name.casefold(), met.subject_name
    else:
        subj, subj_name = "item:" + str(ix_item_iri), "?"
    quals = ",".join(sorted(met.qualifiers))
    if value is None:
        value = _plain(met.value)
    h = _hash(subj, met.measure, met.unit, value, ex.date or "", quals, met.direction or "")
    label = f"{subj_name} {met.measure} {value} {met.unit}" + (f" ({quals})" if quals else "")
    return h, label


def _plain(v: Decimal) -> str:
    """A figure's value as plain decimal text ("37500000000", "1.5")."""
    return format(v.normalize(), "f")


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
    # (most texts have nothing to escape: every character _LIT_RE matches but '"' and '\\' is
    # one str.isprintable rejects, and that test and two `in` scans cost less than the regex's)
    if not text.isprintable() or '"' in text or "\\" in text:
        text = _LIT_RE.sub(_lit_esc, text)
    return f'"{text}"@{lang}' if lang else f'"{text}"'


def I(n: int) -> str:
    return str(int(n))


def D(v: Decimal) -> str:
    """An xsd:decimal in Turtle's short form (always with a '.')."""
    s = _plain(v)
    return s if "." in s else s + ".0"


@lru_cache(maxsize=4096)
def DATE(v: str) -> str:
    dt = "xsd:date" if len(v) == 10 else "xsd:gYearMonth" if len(v) == 7 else "xsd:gYear"
    return f'"{v}"^^{dt}'


A, LABEL = "a", "rdfs:label"

# a literal of a small vocabulary (languages, measures, units, qualifiers, directions):
# made once per value
_word = lru_cache(maxsize=4096)(S)


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


def _describe(t: Terms, s: str, ps: dict) -> None:
    """Add a subject's predicates ({predicate: [objects]}, lists of its own) to what `t`
    says of it. A subject is described once per call rather than triple by triple."""
    have = t.get(s)
    if have is None:
        t[s] = ps
        return
    for p, objs in ps.items():
        d = have.get(p)
        if d is None:
            have[p] = objs
        else:
            d.extend(objs)


_URL_OK = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def _url_ok(u: Optional[str]) -> bool:
    return bool(u) and bool(_URL_OK.match(u))


def _entity_terms(ent: Entity, aliases: Iterable[tuple[str, str]]) -> tuple[str, dict]:
    """An entity's subject term and its predicates: what the graph says about the entity
    itself, with the forms (surface form, lang) it has in an issue."""
    s = _entity_term(ent.id)
    ps = {A: ["kg:Entity", "kg:" + ent.type], LABEL: [S(ent.name)]}
    if ent.names:
        ps["skos:prefLabel"] = [S(name, lang) for lang, name in sorted(ent.names.items())]
    alt = [S(form, lang)
           for form, lang in sorted({(clean_label(f) or f, lang) for f, lang in aliases})  # labels: no invisible characters
           if form != ent.names.get(lang)]
    if alt:
        ps["skos:altLabel"] = alt
    if ent.tickers:
        ps["kg:ticker"] = [S(tk) for tk in ent.tickers]
    if ent.wikidata and re.match(r"^Q\d+$", ent.wikidata):
        ps["owl:sameAs"] = ["wd:" + ent.wikidata]
    if _url_ok(ent.homepage):
        ps["schema:url"] = [N(ent.homepage)]
    return s, ps


class _At(NamedTuple):
    """Where a fact is read: the issue, the item's extraction, the item's term and IRI."""
    issue: Issue
    ex: ItemExtraction
    node: str
    iri: str


def _evidence_terms(t: Terms, at: _At, start: int, end: int) -> str:
    if at.node[0] == "<":   # the item's IRI is written whole: so is its span's (a '/' more)
        node = f"{at.node[:-1]}/span/{start}-{end}>"
    else:
        node = N(f"{at.iri}/span/{start}-{end}")
    if node not in t:
        t[node] = {A: ["kg:Evidence"], "kg:text": [S(at.issue.text[start:end])], "kg:startOffset": [str(start)],
                   "kg:endOffset": [str(end)], "prov:wasDerivedFrom": [at.node]}  # offsets: ints
    return node


class FigureKey(NamedTuple):
    """What a figure is about: two figures with the same key and different values, read
    from different items, conflict (conflict_terms). Terms as the graph writes them."""
    subject: Optional[str]          # the subject entity's term; None when it is no entity
    measure: str
    unit: str                       # the unit's term
    qualifiers: tuple[str, ...]     # sorted
    date: Optional[str]


@dataclass(slots=True)
class FigureFacts:
    """One figure node: its key, the item terms that report it, its value's term."""
    key: FigureKey
    items: set[str]
    value: str


class MetricFacts(dict[str, FigureFacts]):
    """metric term -> FigureFacts: what conflict detection needs, gathered while the terms
    are made (no graph to query afterwards). A figure met again (in a translation, another
    item or issue) keeps its first key and value and gains the items."""

    def add(self, metric: str, key: FigureKey, value: str, items: Iterable[str]) -> None:
        have = self.get(metric)
        if have is None:
            self[metric] = FigureFacts(key, set(items), value)
        else:
            have.items.update(items)


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
    inode = _issue_head_terms(t, issue, inode_iri)
    aliases: dict[str, set] = {}
    translated: dict[str, dict] = {}   # en item key -> {(value, unit, bound): metric term}
    # English items first, so that their translations can point at their figures
    for ex in sorted(ix.items, key=lambda ex: (ex.item.lang != "en", ex.item.lang, ex.item.position)):
        it = ex.item
        if it.kind in NON_NEWS_KINDS:
            continue    # sponsor and boilerplate blocks stay out of the graph
        node_iri = f"{inode_iri}/item/{it.lang}-{it.position}"
        at = _At(issue, ex, N(node_iri), node_iri)
        _item_terms(t, at, inode, aliases)
        twin = translated.get(ex.translation_of) if ex.translation_of else None
        if ex.translation_of:
            _add(t, at.node, "kg:translationOf", N(f"{inode_iri}/item/{ex.translation_of}"))
        metric_nodes = []
        for met in ex.metrics:
            same_figure = (met.value, met.unit, _bound(met))
            mnode = twin.get(same_figure) if twin else None
            if mnode is not None:
                # the translation reports the English item's figure: one node, two sources
                _add(t, mnode, "prov:wasDerivedFrom", at.node)
                _add(t, mnode, "kg:evidence", _evidence_terms(t, at, met.ev_start, met.ev_end))
                if facts is not None and mnode in facts:
                    facts[mnode].items.add(at.node)
            else:
                mnode = _figure_terms(t, kb, at, met, facts)
                if it.lang == "en":
                    translated.setdefault(it.key, {}).setdefault(same_figure, mnode)
            metric_nodes.append(mnode)
        for ev in ex.events:
            _event_terms(t, kb, at, ev, metric_nodes)
    return t, aliases


def _issue_head_terms(t: Terms, issue: Issue, inode_iri: str) -> str:
    """The issue and its newsletter; returns the issue's term."""
    inode = N(inode_iri)
    nnode = N(str(newsletter_iri(issue)))
    _describe(t, nnode, {A: ["kg:Newsletter"], "schema:name": [S(issue.newsletter or "newsletter")]})
    ps = {A: ["kg:Issue"], "schema:isPartOf": [nnode], "kg:sourceFile": [S(issue.source_file)],
          "kg:contentHash": [S(issue.content_hash)]}
    if issue.number is not None:
        ps["schema:issueNumber"] = [I(issue.number)]
    if issue.date:
        ps["schema:datePublished"] = [DATE(issue.date)]
    if issue.title:
        ps["schema:name"] = [S(issue.title)]
    urls = [N(u) for u in issue.urls if _url_ok(u)]
    if urls:
        ps["schema:url"] = urls
    _describe(t, inode, ps)
    return inode


def _item_terms(t: Terms, at: _At, inode: str, aliases: dict[str, set]) -> None:
    """The item: its text and place in the issue, its outlet and the entities it mentions
    (their forms are added to `aliases`)."""
    it, ex, node = at.ex.item, at.ex, at.node
    lang = it.lang
    ps = {A: ["kg:Item"], "kg:inIssue": [inode], "schema:inLanguage": [_word(lang)], "kg:position": [I(it.position)],
          "schema:text": [S(at.issue.text[it.start:it.end], lang)], "kg:startOffset": [I(it.start)],
          "kg:endOffset": [I(it.end)]}
    if it.section:
        ps["kg:section"] = [S(it.section, lang)]
    if it.headline:
        ps["schema:headline"] = [S(it.headline, lang)]
    urls = [N(u) for u in it.urls if _url_ok(u)]
    if urls:
        ps["schema:url"] = urls
    if ex.date:
        ps["kg:date"] = [DATE(ex.date)]
    if ex.outlet_id:
        ps["kg:reportedBy"] = [_entity_term(ex.outlet_id)]
        aliases.setdefault(ex.outlet_id, set()).add((it.outlet, lang))
    if ex.mentions:
        ps["schema:mentions"] = [_entity_term(m.entity_id) for m in ex.mentions]
        for m in ex.mentions:
            forms = aliases.get(m.entity_id)
            if forms is None:
                aliases[m.entity_id] = {(m.text, lang)}
            else:
                forms.add((m.text, lang))
    _describe(t, node, ps)


def _figure_terms(t: Terms, kb: KnowledgeBase, at: _At, met: MetricMention,
                  facts: Optional[MetricFacts]) -> str:
    """A figure's node (a content IRI: the same figure read elsewhere is the same node),
    with its evidence; its facts go into `facts`. Returns its term."""
    ex = at.ex
    plain = _plain(met.value)
    h, label = metric_key(at.iri, kb, ex, met, plain)
    mnode = "metric:" + h
    value, unit = plain if "." in plain else plain + ".0", _unit_term(met.unit)  # D(met.value)
    ps = {A: ["kg:Metric"], LABEL: [S(label)], "kg:value": [value], "qudt:unit": [unit],
          "kg:measure": [_word(met.measure)], "prov:wasDerivedFrom": [at.node],
          "kg:evidence": [_evidence_terms(t, at, met.ev_start, met.ev_end)]}
    if met.unit not in OTHER_UNITS:
        ps["schema:currency"] = [_word(met.unit)]
    if met.direction:
        ps["kg:direction"] = [_word(met.direction)]
    quals = sorted(set(met.qualifiers))
    if quals:
        ps["kg:qualifier"] = [_word(q) for q in quals]
    subj = None
    if met.subject is not None:
        subj = _entity_term(ex.mentions[met.subject].entity_id)
        ps["kg:subject"] = [subj]
    elif met.subject_name:
        ps["kg:subjectLabel"] = [S(met.subject_name)]
    if ex.date:
        ps["kg:date"] = [DATE(ex.date)]
    _describe(t, mnode, ps)
    if facts is not None:
        facts.add(mnode, FigureKey(subj, met.measure, unit, tuple(quals), ex.date), value, (at.node,))
    return mnode


def _event_terms(t: Terms, kb: KnowledgeBase, at: _At, ev: EventMention, metric_nodes: list[str]) -> None:
    """An event's node (a content IRI: its type, actors and date), linked both ways to the
    item's figures it reports (`metric_nodes`: the item's figure terms, in order)."""
    ex = at.ex
    actors = sorted({ex.mentions[a].entity_id for a in ev.actors})
    h = _hash(ev.type, "|".join(actors) or at.iri, ex.date or "")
    enode = "event:" + h
    names = ", ".join(kb.entities[a].name for a in actors) or "?"
    ps = {A: ["kg:Event", "kg:" + ev.type], LABEL: [S(f"{names} {ev.type}" + (f" {ex.date}" if ex.date else ""))],
          "prov:wasDerivedFrom": [at.node], "kg:evidence": [_evidence_terms(t, at, ev.ev_start, ev.ev_end)]}
    if actors:
        ps["sem:hasActor"] = [_entity_term(a) for a in actors]
    if ex.date:
        ps["kg:date"] = [DATE(ex.date)]
    if ev.metrics:
        ps["kg:hasMetric"] = [metric_nodes[mi] for mi in ev.metrics]
        for mi in ev.metrics:
            _add(t, metric_nodes[mi], "kg:event", enode)
    _describe(t, enode, ps)


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
    groups: dict[FigureKey, list[str]] = {}
    for m, f in facts.items():
        if f.key.subject is None or f.key.date is None or f.key.measure == "unknown":
            continue
        groups.setdefault(f.key, []).append(m)
    pairs = 0
    for key in sorted(groups, key=lambda k: repr(tuple(k))):
        ms = sorted(set(groups[key]))
        for i, a in enumerate(ms):
            for b in ms[i + 1:]:
                if facts[a].value != facts[b].value and facts[a].items.isdisjoint(facts[b].items):
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
    resolved = [(ex.outlet_id, ex.translation_of, [(m.entity_id, m.type) for m in ex.mentions]) for ex in ix.items]
    # repr, not pickle: a pickle also records which objects are shared, which differs
    # between fresh and cached extractions of the same text
    what = extraction_key if extraction_key else repr(ix)
    h = hashlib.sha256(repr((what, resolved, _RENDER_VERSION)).encode("utf-8", "surrogatepass"))
    for i in ids:   # each entity's record, encoded once a knowledge base; a NUL after each (no repr has one)
        r = memo.get(i)
        if r is None:
            e = kb.entities[i]
            r = memo[i] = repr((e.id, e.name, e.type, sorted(e.names.items()), list(e.tickers), e.wikidata,
                                e.homepage)).encode("utf-8", "surrogatepass") + b"\x00"
        h.update(r)
    return h.hexdigest()[:32]


_RENDER_VERSION = "3"


_SHARED = ("ent:", "metric:", "event:", "<" + BASE + "newsletter/")
# the subjects render_issue counts as shared: those above, and every entity (one whose IRI is
# written whole too)
_SHARED_SUBJECT = _SHARED + ("<" + str(ENT),)
_SHARED_SUBJECT_BYTES = tuple(p.encode("utf-8") for p in _SHARED_SUBJECT)


class Fact(NamedTuple):
    """One figure of a rendered issue, as conflict detection needs it (see FigureFacts)."""
    metric: str
    key: FigureKey
    items: tuple[str, ...]          # sorted
    value: str


class Rendered(NamedTuple):
    """One issue, rendered (render_issue); kg.incremental caches it (as_plain), without the
    Turtle, which the issue's file holds."""
    turtle: bytes                   # the issue's Turtle file
    facts: tuple[Fact, ...]         # its figures, by metric term
    # the statements (as in `turtle`) of subjects other issues may describe too (entities,
    # figures, events, the newsletter), so that the merged graph's triples can be counted
    # without duplicates (merged_stats)
    shared: tuple[str, ...]
    own: int                        # how many triples the issue's own subjects (issue, items, evidence) have

    def as_plain(self) -> tuple:
        """Plain tuples, strings and numbers (what marshal writes), without the Turtle (and
        so without `shared`, which from_plain finds in it again)."""
        return (tuple((f.metric, tuple(f.key), f.items, f.value) for f in self.facts), self.own)

    @classmethod
    def from_plain(cls, t: tuple, turtle: bytes) -> "Rendered":
        """The rendering from as_plain's tuple and the issue's Turtle. Its shared statements
        are those of the Turtle whose subject is shared: each statement (_statement) is a
        line break, the subject, a space ... " ." and a line break, and no term holds a line
        break, so two line breaks in a row only ever separate statements."""
        facts, own = t
        # the statements without their first and last line break, as bytes: only the shared
        # ones are decoded
        body = turtle[len(TURTLE_HEADER) + 1:-1]
        shared = tuple("\n" + st.decode("utf-8") + "\n" for st in body.split(b"\n\n")
                       if st.startswith(_SHARED_SUBJECT_BYTES)) if body else ()
        return cls(turtle, tuple(Fact(m, FigureKey(*key), items, value) for m, key, items, value in facts),
                   shared, own)


def render_issue(kb: KnowledgeBase, ix: IssueExtraction, memo: Optional[dict] = None) -> Rendered:
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
        text, n = _statement(s, ps)
        if s.startswith(_SHARED):
            shared.append(text)
        else:
            own += n
        statements.append((s, text))
    for eid, forms in aliases.items():  # entities are shared subjects
        key = (eid, frozenset(forms))
        entry = memo.get(key)
        if entry is None:
            s, ps = _entity_terms(kb.entities[eid], forms)
            entry = memo[key] = (s, _statement(s, ps)[0])
        statements.append(entry)
        shared.append(entry[1])
    statements.sort()
    fs = tuple(Fact(m, f.key, tuple(sorted(f.items)), f.value) for m, f in sorted(facts.items()))
    # each statement encoded on its own: most are ASCII (a copy), and a Chinese text does not
    # widen the whole issue's text to two bytes a character before it is encoded
    turtle = b"".join([TURTLE_HEADER, *[text.encode("utf-8") for _, text in statements]])
    return Rendered(turtle, fs, tuple(shared), own)


def merged_stats(parts: list[Rendered]) -> dict:
    """Distinct triples, figures and events of the merged graph. A shared subject stated
    the same way by every issue that describes it (most are) counts its statement's triples;
    one stated differently by some (an entity with other forms, a figure with another
    source) counts the union of its statements' triples."""
    # shared subject -> its statement, or the set of its distinct statements once an issue
    # states it differently (a set is made only then: most are stated one way, and the set
    # would hash every statement)
    statements: dict[str, str | set[str]] = {}
    metrics: set[str] = set()
    own = 0
    for part in parts:
        own += part.own
        metrics.update([f.metric for f in part.facts])  # every figure of an issue is among its facts
        for st in part.shared:
            s = st[1:st.index(" ", 1)]
            have = statements.get(s)
            if have is None:
                statements[s] = st
            elif type(have) is str:
                if have != st:
                    statements[s] = {have, st}
            else:
                have.add(st)
    shared = 0
    for sts in statements.values():
        if type(sts) is str:
            shared += sts.count(_NEXT_OBJECT) + sts.count(_NEXT_PREDICATE) + 1
        else:
            shared += len({po for st in sts for po in _predicate_objects(st)})
    events = sum(1 for s in statements if s.startswith("event:"))
    return {"triples": own + shared, "metrics": len(metrics), "events": events}


# how _statement separates a subject's predicates and a predicate's objects: no term holds a
# line break (literals escape it, IRIs have no white space), so they split a statement again
_NEXT_PREDICATE = " ;\n    "
_NEXT_OBJECT = ",\n        "


def _predicate_objects(st: str):
    """The (predicate, object) pairs of a statement made by _statement."""
    body = st[st.index(" ", 1) + 1:-3]      # "\ns " ... " .\n"
    for chunk in body.split(_NEXT_PREDICATE):
        p, objs = chunk.split(" ", 1)
        for o in objs.split(_NEXT_OBJECT):
            yield p, o


def merge_rendered(parts: list[Rendered]) -> tuple[bytes, int]:
    """The merged graph: every issue's block (in issue order) and, last, the conflicts. A
    subject described by several issues (an entity, a figure two issues report) appears
    in each block; the triples are their union. Returns (Turtle, conflicting pairs)."""
    facts = MetricFacts()
    for part in parts:
        for f in part.facts:
            facts.add(f.metric, f.key, f.value, f.items)
    t: Terms = {}
    pairs = conflict_terms(t, facts)
    chunks = [TURTLE_HEADER]
    n = len(TURTLE_HEADER)
    for part in parts:
        chunks.append(memoryview(part.turtle)[n:])  # joined without a copy of each block first
    if t:
        chunks.append(write_turtle(t)[n:])
    return b"".join(chunks), pairs


@lru_cache(maxsize=None)
def _predicate_order(preds: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """a, rdfs:label, then the other predicates sorted; each with what precedes its objects
    in a statement (" p " for the first, " ;\n    p " for the others). Cached: subjects of
    one kind have their predicates in the same order, and there are few kinds."""
    order = sorted(preds)
    if LABEL in preds:
        order.remove(LABEL)
        order.insert(0, LABEL)
    if A in preds:
        order.remove(A)
        order.insert(0, A)
    return tuple((p, (" " if i == 0 else _NEXT_PREDICATE) + p + " ") for i, p in enumerate(order))


def _statement(s: str, ps: dict) -> tuple[str, int]:
    """A subject's Turtle statement (predicates: a, rdfs:label, then sorted; objects sorted,
    duplicates dropped) and how many distinct triples it states."""
    parts = ["\n", s]
    add = parts.append
    n = len(ps)     # one triple a predicate, and more for a predicate with several objects
    for p, head in _predicate_order(tuple(ps)):
        objs = ps[p]
        add(head)
        if len(objs) == 1:
            add(objs[0])
        else:
            objs = sorted(set(objs))
            add(_NEXT_OBJECT.join(objs))
            n += len(objs) - 1
    add(" .\n")
    return "".join(parts), n


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
    """Deterministic Turtle of an rdflib graph (for library users; the build writes its own
    terms with write_turtle): no blank nodes are minted, and rdflib's serializer sorts
    subjects, predicates and objects. (A hand-made copy of rdflib 7's serializer, 2.5x
    faster, went: it read rdflib internals that rdflib 8 removes, and the build never
    called it.)"""
    assert not any(isinstance(t, BNode) for trip in g for t in trip), "builder minted a blank node"
    return g.serialize(format="turtle", encoding="utf-8")
