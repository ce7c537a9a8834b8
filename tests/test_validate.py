"""kg validate: the built graph against ontology/shapes.ttl."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from kg.build import build
from kg.cli import cli
from kg.validate import ADVANCED, INFERENCE, SHAPES_PATH, validate_graph

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SEED = CORPUS / "aiweekly-462.txt"
KG = "https://w3id.org/newskg/ontology#"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The examples, plus the seed issue when the shared corpus is there."""
    out = tmp_path_factory.mktemp("validate") / "out"
    inputs = [str(ROOT / "examples")] + ([str(SEED)] if SEED.exists() else [])
    res = build(inputs, str(out))
    assert not res.skipped
    return out


def test_validation_mode_is_the_one_documented_in_the_shapes():
    header = SHAPES_PATH.read_text(encoding="utf-8").split("@prefix", 1)[0]
    m = re.search(r'inference="(\w+)"', header)
    assert m and m.group(1) == INFERENCE
    assert ("advanced=True" in header) == ADVANCED


def test_built_graph_conforms(built):
    res = CliRunner().invoke(cli, ["validate", "-b", str(built)])
    assert res.exit_code == 0, res.stdout
    assert "conforms" in res.stdout and "Violation" not in res.stdout


@pytest.mark.skipif(not SEED.exists(), reason="the shared corpus is not here")
def test_seed_issue_is_in_the_validated_graph(built):
    g = rdflib.Graph().parse(str(built / "graph.ttl"))
    issues = {str(s) for s in g.subjects(rdflib.RDF.type, rdflib.URIRef(KG + "Issue"))}
    assert any(i.endswith("/462") for i in issues)


def _break(g: rdflib.Graph) -> tuple[str, str, str]:
    """Three defects: an issue with two dates, a metric whose value is not a decimal, and
    an item that mentions something that is not an entity."""
    issue = sorted(g.subjects(rdflib.RDF.type, rdflib.URIRef(KG + "Issue")))[0]
    g.add((issue, rdflib.URIRef("https://schema.org/datePublished"),
           rdflib.Literal("1999-12-31", datatype=rdflib.XSD.date)))
    metric = sorted(g.subjects(rdflib.RDF.type, rdflib.URIRef(KG + "Metric")))[0]
    g.set((metric, rdflib.URIRef(KG + "value"), rdflib.Literal("lots")))
    item = sorted(g.subjects(rdflib.RDF.type, rdflib.URIRef(KG + "Item")))[0]
    g.add((item, rdflib.URIRef("https://schema.org/mentions"), rdflib.URIRef("https://example.org/nobody")))
    return str(issue), str(metric), str(item)


def test_cli_prints_violations_readably_with_exit_1(tmp_path):
    # the small conforming sample of the ontology's tests, broken the same way (fast)
    g = rdflib.Graph().parse(str(ROOT / "tests" / "data" / "shapes_sample.ttl"))
    issue, metric, item = _break(g)
    out = tmp_path / "broken"
    out.mkdir()
    g.serialize(str(out / "graph.ttl"), format="turtle")

    res = CliRunner().invoke(cli, ["validate", "-b", str(out)])
    assert res.exit_code == 1
    text = res.stdout
    assert "Issue may have one schema:datePublished" in text
    lines = text.splitlines()
    assert lines[0].split() == ["severity", "focus", "path", "value", "message", "shape", "component"]
    assert any("schema:datePublished" in ln and ln.startswith("Violation") for ln in lines)
    assert any(" kg:value " in ln and "lots" in ln for ln in lines)
    assert "does not conform" in text and "3 violations" in text
    assert "Traceback" not in res.output

    res = CliRunner().invoke(cli, ["validate", "-b", str(out), "--format", "json"])
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert doc["conforms"] is False and doc["violations"] == 3
    assert {(r["focus"], r["path"]) for r in doc["results"]} == {
        (issue, "https://schema.org/datePublished"), (metric, KG + "value"), (item, "https://schema.org/mentions")}
    r0 = doc["results"][0]
    assert set(r0) >= {"focus", "path", "message", "severity", "value", "shape", "component"}


def test_warnings_alone_do_not_fail(tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix kg: <https://w3id.org/newskg/ontology#> .
<urn:s> a sh:NodeShape ; sh:targetClass kg:Thing ;
    sh:property [ sh:path kg:p ; sh:minCount 1 ; sh:severity sh:Warning ; sh:message "a Thing should have kg:p" ] .
""", encoding="utf-8")
    g = rdflib.Graph().parse(data="<urn:a> a <https://w3id.org/newskg/ontology#Thing> .", format="turtle")
    rep = validate_graph(g, shapes)
    assert rep.conforms and [r.severity for r in rep.results] == ["Warning"]


def test_missing_graph_is_a_one_line_error(tmp_path):
    res = CliRunner().invoke(cli, ["validate", "-b", str(tmp_path / "none")])
    assert res.exit_code == 1 and "E160" in res.output and "Traceback" not in res.output
