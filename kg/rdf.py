"""KnowledgeBase -> rdflib Graph under ontology/kg.ttl; Turtle export.

The only stage that knows RDF. IRIs are stable and readable (`…/entity/microsoft`,
`…/issue/ai-weekly/462/item/en-2`); metrics and events get content IRIs (a hash of what
identifies the fact), so the same figure about the same subject on the same date from two
items, outlets or issues is one node with several sources.
"""
from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from typing import Callable, Iterable, Optional

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD, DCTERMS

from .model import Entity, Issue, IssueExtraction, Item, KnowledgeBase
from .resolve import slugify

BASE = "https://w3id.org/newskg/"
KG = Namespace("https://w3id.org/newskg/ontology#")
SDO = Namespace("https://schema.org/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
CUR = Namespace("http://qudt.org/vocab/currency/")
WD = Namespace("http://www.wikidata.org/entity/")
ENT = Namespace(BASE + "entity/")

PREFIXES = {"kg": KG, "schema": SDO, "prov": PROV, "sem": SEM, "qudt": QUDT, "unit": UNIT,
            "cur": CUR, "skos": SKOS, "owl": OWL, "xsd": XSD, "rdfs": RDFS, "rdf": RDF,
            "dcterms": DCTERMS, "wd": WD, "ent": ENT}

_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|[\ud800-\udfff]")


def clean(s: str) -> str:
    """Text safe for any RDF serializer: no control characters, no lone surrogates."""
    return _CTRL.sub("\ufffd", s)


def lit(s: str, lang: Optional[str] = None) -> Literal:
    return Literal(clean(s), lang=lang)


def decimal_literal(v: Decimal) -> Literal:
    s = format(v.normalize(), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return Literal(s, datatype=XSD.decimal)


def date_literal(v: str) -> Literal:
    if len(v) == 10:
        return Literal(v, datatype=XSD.date)
    if len(v) == 7:
        return Literal(v, datatype=XSD.gYearMonth)
    return Literal(v, datatype=XSD.gYear)


def unit_iri(unit: str) -> URIRef:
    if unit == "percent":
        return UNIT.PERCENT
    if unit == "count":
        return UNIT.NUM
    return CUR[unit]


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
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def issue_file_stem(issue: Issue) -> str:
    nl = slugify(issue.newsletter or "newsletter")
    tail = str(issue.number) if issue.number is not None else (issue.date or issue.content_hash[-12:])
    return f"{nl}-{tail}"


def _describe_entity(g: Graph, ent: Entity, aliases: Iterable[tuple[str, str]]) -> None:
    s = entity_iri(ent.id)
    g.add((s, RDF.type, KG.Entity))
    g.add((s, RDF.type, KG[ent.type]))
    g.add((s, RDFS.label, lit(ent.name)))
    for lang, name in sorted(ent.names.items()):
        g.add((s, SKOS.prefLabel, lit(name, lang)))
    for form, lang in sorted(set(aliases)):
        if form != ent.names.get(lang):
            g.add((s, SKOS.altLabel, lit(form, lang)))
    for t in ent.tickers:
        g.add((s, KG.ticker, lit(t)))
    if ent.wikidata:
        g.add((s, OWL.sameAs, WD[ent.wikidata]))
    if ent.homepage and re.match(r"^https?://[^\s<>\"{}|\\^`]+$", ent.homepage):
        g.add((s, SDO.url, URIRef(ent.homepage)))


def _evidence(g: Graph, issue: Issue, item_node: URIRef, start: int, end: int) -> URIRef:
    node = URIRef(f"{item_node}/span/{start}-{end}")
    g.add((node, RDF.type, KG.Evidence))
    g.add((node, KG.text, lit(issue.text[start:end])))
    g.add((node, KG.startOffset, Literal(start)))
    g.add((node, KG.endOffset, Literal(end)))
    g.add((node, PROV.wasDerivedFrom, item_node))
    return node


def metric_key(ix_item_iri: URIRef, kb: KnowledgeBase, ex, met) -> tuple[str, str]:
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


def issue_graph(kb: KnowledgeBase, ix: IssueExtraction) -> Graph:
    """Everything one issue says, with the entities it mentions."""
    g = Graph(bind_namespaces="none")
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    issue = ix.issue
    inode = issue_iri(issue)
    nnode = newsletter_iri(issue)
    g.add((nnode, RDF.type, KG.Newsletter))
    g.add((nnode, SDO.name, lit(issue.newsletter or "newsletter")))
    g.add((inode, RDF.type, KG.Issue))
    g.add((inode, SDO.isPartOf, nnode))
    if issue.number is not None:
        g.add((inode, SDO.issueNumber, Literal(issue.number)))
    if issue.date:
        g.add((inode, SDO.datePublished, Literal(issue.date, datatype=XSD.date)))
    if issue.title:
        g.add((inode, SDO.name, lit(issue.title)))
    for u in issue.urls:
        if re.match(r"^https?://[^\s<>\"{}|\\^`]+$", u):
            g.add((inode, SDO.url, URIRef(u)))
    g.add((inode, KG.sourceFile, lit(issue.source_file)))
    g.add((inode, KG.contentHash, lit(issue.content_hash)))
    aliases: dict[str, set] = {}
    translated: dict[str, dict] = {}   # en item key -> {(value, unit, bound): metric node}
    # English items first, so that their translations can point at their figures
    for ex in sorted(ix.items, key=lambda ex: (ex.item.lang != "en", ex.item.lang, ex.item.position)):
        it = ex.item
        node = item_iri(issue, it)
        g.add((node, RDF.type, KG.Item))
        g.add((node, KG.inIssue, inode))
        g.add((node, SDO.inLanguage, Literal(it.lang)))
        g.add((node, KG.position, Literal(it.position)))
        if it.section:
            g.add((node, KG.section, lit(it.section, it.lang)))
        if it.headline:
            g.add((node, SDO.headline, lit(it.headline, it.lang)))
        g.add((node, SDO.text, lit(issue.text[it.start:it.end], it.lang)))
        g.add((node, KG.startOffset, Literal(it.start)))
        g.add((node, KG.endOffset, Literal(it.end)))
        for u in it.urls:
            if re.match(r"^https?://[^\s<>\"{}|\\^`]+$", u):
                g.add((node, SDO.url, URIRef(u)))
        if ex.date:
            g.add((node, KG.date, date_literal(ex.date)))
        if ex.outlet_id:
            g.add((node, KG.reportedBy, entity_iri(ex.outlet_id)))
            aliases.setdefault(ex.outlet_id, set()).add((it.outlet, it.lang))
        for m in ex.mentions:
            g.add((node, SDO.mentions, entity_iri(m.entity_id)))
            aliases.setdefault(m.entity_id, set()).add((m.text, it.lang))
        metric_nodes = []
        twin = translated.get(ex.translation_of) if ex.translation_of else None
        if ex.translation_of:
            g.add((node, KG.translationOf, URIRef(f"{issue_iri(issue)}/item/{ex.translation_of}")))
        for met in ex.metrics:
            same = twin.get((met.value, met.unit, _bound(met))) if twin else None
            if same is not None:
                # the translation reports the English item's figure: one node, two sources
                mnode = same
                metric_nodes.append(mnode)
                g.add((mnode, PROV.wasDerivedFrom, node))
                g.add((mnode, KG.evidence, _evidence(g, issue, node, met.ev_start, met.ev_end)))
                continue
            h, label = metric_key(node, kb, ex, met)
            mnode = URIRef(BASE + "metric/" + h)
            metric_nodes.append(mnode)
            if it.lang == "en":
                translated.setdefault(it.key, {}).setdefault((met.value, met.unit, _bound(met)), mnode)
            g.add((mnode, RDF.type, KG.Metric))
            g.add((mnode, RDFS.label, lit(label)))
            g.add((mnode, KG.value, decimal_literal(met.value)))
            g.add((mnode, QUDT.unit, unit_iri(met.unit)))
            if met.unit not in ("percent", "count"):
                g.add((mnode, SDO.currency, Literal(met.unit)))
            g.add((mnode, KG.measure, Literal(met.measure)))
            if met.direction:
                g.add((mnode, KG.direction, Literal(met.direction)))
            for q in met.qualifiers:
                g.add((mnode, KG.qualifier, Literal(q)))
            if met.subject is not None:
                g.add((mnode, KG.subject, entity_iri(ex.mentions[met.subject].entity_id)))
            elif met.subject_name:
                g.add((mnode, KG.subjectLabel, lit(met.subject_name)))
            if ex.date:
                g.add((mnode, KG.date, date_literal(ex.date)))
            g.add((mnode, PROV.wasDerivedFrom, node))
            g.add((mnode, KG.evidence, _evidence(g, issue, node, met.ev_start, met.ev_end)))
        for ev in ex.events:
            actors = sorted({ex.mentions[a].entity_id for a in ev.actors})
            h = _hash(ev.type, "|".join(actors) or str(node), ex.date or "")
            enode = URIRef(BASE + "event/" + h)
            g.add((enode, RDF.type, KG.Event))
            g.add((enode, RDF.type, KG[ev.type]))
            names = ", ".join(kb.entities[a].name for a in actors) or "?"
            g.add((enode, RDFS.label, lit(f"{names} {ev.type}" + (f" {ex.date}" if ex.date else ""))))
            for a in actors:
                g.add((enode, SEM.hasActor, entity_iri(a)))
            if ex.date:
                g.add((enode, KG.date, date_literal(ex.date)))
            for mi in ev.metrics:
                g.add((enode, KG.hasMetric, metric_nodes[mi]))
                g.add((metric_nodes[mi], KG.event, enode))
            g.add((enode, PROV.wasDerivedFrom, node))
            g.add((enode, KG.evidence, _evidence(g, issue, node, ev.ev_start, ev.ev_end)))
    for eid in sorted(aliases):
        _describe_entity(g, kb.entities[eid], aliases[eid])
    return g


def kb_graph(kb: KnowledgeBase, each: Optional[Callable[[IssueExtraction, Graph], None]] = None) -> Graph:
    """The merged graph: the union of every issue's graph. `each(ix, graph)` is called with
    every issue's graph as it is built (kg build writes the per-issue files from it, so
    no issue graph is built twice and only one is held at a time)."""
    g = Graph(bind_namespaces="none")
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    for ix in kb.issues:
        ig = issue_graph(kb, ix)
        if each is not None:
            each(ix, ig)
        for t in ig:
            g.add(t)
    mark_conflicts(g)
    return g


def mark_conflicts(g: Graph) -> int:
    """Two metrics about the same subject, measure, unit, qualifiers and date with
    different values (reported by different items) conflict: link them with
    kg:conflictsWith both ways. Returns the number of conflicting pairs."""
    groups: dict[tuple, list[URIRef]] = {}
    for m in g.subjects(RDF.type, KG.Metric):
        subj = g.value(m, KG.subject)
        measure = str(g.value(m, KG.measure))
        date = g.value(m, KG.date)
        if subj is None or date is None or measure == "unknown":
            continue
        quals = tuple(sorted(str(q) for q in g.objects(m, KG.qualifier)))
        key = (subj, measure, str(g.value(m, QUDT.unit)), quals, str(date))
        groups.setdefault(key, []).append(m)
    pairs = 0
    for key, ms in groups.items():
        ms = sorted(set(ms))
        for i, a in enumerate(ms):
            for b in ms[i + 1:]:
                if g.value(a, KG.value) != g.value(b, KG.value) and \
                        set(g.objects(a, PROV.wasDerivedFrom)).isdisjoint(g.objects(b, PROV.wasDerivedFrom)):
                    g.add((a, KG.conflictsWith, b))
                    g.add((b, KG.conflictsWith, a))
                    pairs += 1
    return pairs


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
