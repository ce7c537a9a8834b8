"""The oxigraph validator (kg/shacl.py) finds what pyshacl finds: the same focus node,
path, value, message, severity, shape and component for every result, on graphs that
break every constraint of ontology/shapes.ttl and every other construct the engine
implements; shapes it does not implement fall back to pyshacl with W021."""
from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import cli
from kg.validate import validate_graph

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "shapes_sample.ttl"

PREFIXES = """
@prefix kg: <https://w3id.org/newskg/ontology#> . @prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> . @prefix cur: <http://qudt.org/vocab/currency/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix ent: <https://w3id.org/newskg/entity/> . @prefix iss: <https://w3id.org/newskg/issue/> .
"""

# one or more defects for every constraint of ontology/shapes.ttl (an ill-typed literal
# only where no SPARQL constraint does arithmetic on it: rdflib's SPARQL engine, under
# pyshacl, fails with a TypeError there)
BROKEN = PREFIXES + """
<https://example.org/not-an-entity-iri> a kg:Entity , kg:Organization ; rdfs:label "Bad IRI" ;
    skos:prefLabel "Bad IRI"@en .
ent:two-types a kg:Entity , kg:Person , kg:Place ; rdfs:label "Two" , "Deux" ; skos:prefLabel "Two"@en , "Two again"@en .
ent:no-type a kg:Entity ; skos:prefLabel "plain, not tagged" ; skos:altLabel "plain alias" ;
    kg:ticker "" ; owl:sameAs <https://example.org/Q1> ; schema:url "https://not-an-iri.example" .
ent:outlet-org a kg:Entity , kg:Outlet , kg:Organization ; rdfs:label "Outlet Org"@en ; skos:prefLabel "O"@en .

<https://w3id.org/newskg/event/e1> a kg:Event ; rdfs:label "no subtype" ; sem:hasActor <https://example.org/nobody> ;
    kg:date "2025-01-01"^^xsd:date , "2025-01-02"^^xsd:date .
<https://w3id.org/newskg/event/e2> a kg:Event , kg:Funding , kg:Layoff ; rdfs:label "two subtypes" ;
    kg:date "yesterday" ; kg:hasMetric ent:two-types ;
    prov:wasDerivedFrom <https://w3id.org/newskg/issue/harbor-signals/12/item/en-1> ;
    kg:evidence <https://w3id.org/newskg/issue/harbor-signals/12/item/en-1/span/0-5> .
<https://w3id.org/newskg/bad-event> a kg:Event , kg:Forecast ; rdfs:label "" .

<https://w3id.org/newskg/issue/harbor-signals/12/item/en-1/span/0-5> a kg:Evidence ;
    kg:text "much too long for five" ; kg:startOffset 0 ; kg:endOffset 5 ;
    prov:wasDerivedFrom <https://w3id.org/newskg/issue/harbor-signals/12/item/en-1> .
<https://w3id.org/newskg/issue/harbor-signals/12/item/en-2/span/9-3> a kg:Evidence ;
    kg:text "abc" ; kg:startOffset 9 , -4 ; kg:endOffset 3 ;
    prov:wasDerivedFrom <https://w3id.org/newskg/issue/harbor-signals/12/item/en-1> .
<https://w3id.org/newskg/issue/harbor-signals/12/item/en-1/span/1-2> a kg:Evidence ;
    kg:text "x" ; kg:startOffset 1 ; kg:endOffset "2"^^xsd:decimal .

<https://w3id.org/newskg/issue/harbor-signals/13> a kg:Issue ;
    schema:isPartOf <https://w3id.org/newskg/newsletter/other> ; schema:issueNumber 14 , -1 ;
    schema:datePublished "2025-13-45"^^xsd:date ; schema:name "a" , "b" ; schema:url "x" ;
    kg:contentHash "md5:abc" .
<https://w3id.org/newskg/newsletter/other> a kg:Newsletter .

<https://w3id.org/newskg/issue/harbor-signals/12/item/zh-9> a kg:Item ;
    kg:inIssue <https://w3id.org/newskg/issue/harbor-signals/13> ; schema:inLanguage "fr" ;
    kg:position "abc"^^xsd:integer ; schema:text "English text"@en ; kg:startOffset 10 ; kg:endOffset 4 ;
    kg:section "plain section" ; kg:reportedBy ent:two-types , ent:no-type ;
    kg:translationOf <https://w3id.org/newskg/issue/harbor-signals/12/item/en-1> ;
    schema:mentions "a string" ; kg:date "2025"^^xsd:gYear .

<https://w3id.org/newskg/metric/m1> a kg:Metric ; kg:value "1.5"^^xsd:double ; qudt:unit unit:METER ;
    schema:currency "usd" , "EUR" ; kg:measure "Bad Measure" ; kg:direction "sideways" ; kg:qualifier "" ;
    kg:subject ent:two-types , ent:no-type ; kg:conflictsWith <https://w3id.org/newskg/metric/m1> ,
    <https://w3id.org/newskg/metric/m2> ; rdfs:label "m1" .
<https://w3id.org/newskg/metric/m2> a kg:Metric ; kg:value 2.0 ; qudt:unit cur:EUR ; schema:currency "USD" ;
    kg:measure "revenue" ; kg:event ent:no-type ; rdfs:label "m2"@en .
"""

# the constructs the engine implements that ontology/shapes.ttl does not use
OTHER_SHAPES = PREFIXES + """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
ex:S1 a sh:NodeShape ; sh:targetNode ex:a , ex:b ; sh:nodeKind sh:BlankNodeOrIRI ;
    sh:property [ sh:path ex:n ; sh:minInclusive 0 ; sh:maxExclusive 10 ; sh:minCount 2 ] ,
                [ sh:path ex:s ; sh:maxLength 3 ; sh:pattern "^a" ; sh:flags "i" ; sh:severity sh:Warning ;
                  sh:message "short, starting with a" ] ,
                [ sh:path ex:n ; sh:lessThan ex:m ; sh:maxInclusive 8 ; sh:minExclusive 1 ] ,
                [ sh:path ex:p ; sh:equals ex:q ] , [ sh:path ex:p ; sh:disjoint ex:r ] ,
                [ sh:path ex:t ; sh:hasValue "must" ] ,
                [ sh:path [ sh:inversePath ex:owns ] ; sh:maxCount 1 ; sh:class ex:Owner ] .
ex:S2 a sh:NodeShape ; sh:targetObjectsOf ex:owns ; sh:in ( ex:a ex:b ) ; sh:severity sh:Info .
ex:S3 a sh:NodeShape ; sh:targetSubjectsOf ex:s ;
    sh:sparql [ sh:select "SELECT $this ?value WHERE { $this <https://example.org/s> ?value . FILTER(STRLEN(?value) > 2) }" ;
                sh:message "long s {?value} on {$this}" ] .
ex:Owner a rdfs:Class .
ex:Sub rdfs:subClassOf ex:Owner .
"""

OTHER_DATA = PREFIXES + """
@prefix ex: <https://example.org/> .
ex:a ex:n 5 , 12 , -1 ; ex:m 3 ; ex:s "Abcd" , "b" ; ex:p ex:x , ex:y ; ex:q ex:y , ex:z ; ex:r ex:x .
ex:b ex:n 2 ; ex:t "must" ; ex:s "ab" .
ex:o1 a ex:Sub ; ex:owns ex:a . ex:o2 ex:owns ex:a , ex:c . ex:o3 a ex:Owner ; ex:owns ex:b .
"""


def findings(rep):
    return sorted((v.severity, v.focus, v.path or "", v.message, v.value or "", v.shape or "", v.component or "")
                  for v in rep.results)


def both(g: rdflib.Graph, shapes=None):
    fast = validate_graph(g, shapes)
    ref = validate_graph(g, shapes, engine="pyshacl")
    assert fast.engine == "oxigraph" and ref.engine == "pyshacl"
    return fast, ref


def test_same_findings_on_a_graph_that_breaks_every_shape():
    g = rdflib.Graph().parse(SAMPLE)
    g.parse(data=BROKEN, format="turtle")
    # and a few removals: an item without its offsets, an issue without its newsletter
    item = rdflib.URIRef("https://w3id.org/newskg/issue/harbor-signals/12/item/en-2")
    kg = rdflib.Namespace("https://w3id.org/newskg/ontology#")
    g.remove((item, kg.startOffset, None))
    g.remove((item, kg.position, None))
    fast, ref = both(g)
    assert findings(fast) == findings(ref)
    assert not fast.conforms and len(fast.results) > 60
    # every constraint component of the shapes is exercised
    comps = {v.component for v in fast.results}
    assert comps >= {"MinCountConstraintComponent", "MaxCountConstraintComponent", "DatatypeConstraintComponent",
                     "ClassConstraintComponent", "NodeKindConstraintComponent", "PatternConstraintComponent",
                     "MinLengthConstraintComponent", "MinInclusiveConstraintComponent", "InConstraintComponent",
                     "OrConstraintComponent", "UniqueLangConstraintComponent", "LessThanOrEqualsConstraintComponent",
                     "QualifiedMinCountConstraintComponent", "QualifiedMaxCountConstraintComponent",
                     "SPARQLConstraintComponent"}
    # and every SPARQL constraint of the shapes fires at least once
    sparql_messages = {v.message for v in fast.results if v.component == "SPARQLConstraintComponent"}
    shapes_text = (ROOT / "ontology" / "shapes.ttl").read_text(encoding="utf-8")
    assert len(sparql_messages) >= shapes_text.count("sh:SPARQLConstraint ;") - 1


def test_same_findings_for_the_other_supported_constructs():
    shapes = rdflib.Graph().parse(data=OTHER_SHAPES, format="turtle")
    path = Path(__file__).parent / "data" / "_other_shapes.ttl"
    g = rdflib.Graph().parse(data=OTHER_DATA, format="turtle")
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "shapes.ttl"
        shapes.serialize(str(p), format="turtle")
        fast, ref = both(g, p)
    # shapes without sh:message: pyshacl words its own messages, so compare all but those
    strip = lambda rep: sorted(t[:3] + t[4:] for t in findings(rep))   # noqa: E731
    assert strip(fast) == strip(ref)
    withmsg = [t for t in findings(fast) if t[3] in ("short, starting with a",) or t[3].startswith("long s")]
    assert withmsg == [t for t in findings(ref) if t[3] in ("short, starting with a",) or t[3].startswith("long s")]
    assert {v.severity for v in fast.results} == {"Violation", "Warning", "Info"}
    assert not path.exists()


def test_the_built_examples_conform_on_both_engines(tmp_path):
    from conftest import EXAMPLES
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["build", str(EXAMPLES), "-o", str(out), "--model", "none", "-q"]).exit_code == 0
    g = rdflib.Graph().parse(out / "graph.ttl")
    fast, ref = both(g)
    assert fast.conforms and ref.conforms and findings(fast) == findings(ref) == []
    for engine in ("oxigraph", "pyshacl"):
        r = CliRunner().invoke(cli, ["validate", "-b", str(out), "--engine", engine])
        assert r.exit_code == 0 and "conforms" in r.stdout, r.output


def test_unsupported_shapes_fall_back_to_pyshacl_with_a_warning(tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(PREFIXES + """@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:s> a sh:NodeShape ; sh:targetClass kg:Thing ; sh:not [ sh:class kg:Other ] .
""", encoding="utf-8")
    g = rdflib.Graph().parse(data=PREFIXES + "<urn:a> a kg:Thing , kg:Other .", format="turtle")
    rep = validate_graph(g, shapes)
    assert rep.engine == "pyshacl" and rep.notes and "[W021]" in rep.notes[0] and "sh:not" in rep.notes[0]
    assert [v.component for v in rep.results] == ["NotConstraintComponent"]


@pytest.mark.parametrize("engine", ["oxigraph", "pyshacl"])
def test_build_validate_flag(tmp_path, engine):
    from conftest import EXAMPLES
    r = CliRunner().invoke(cli, ["build", str(EXAMPLES), "-o", str(tmp_path / "o"), "--model", "none", "--validate"])
    assert r.exit_code == 0, r.output
    assert "conforms" in r.stdout
