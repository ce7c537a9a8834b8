"""kg query: named queries, parameters, the persistent store, output formats, safety."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from kg.table import width
from kg import query as q
from kg.build import build
from kg.cli import cli
from kg.errors import KgError

ROOT = Path(__file__).resolve().parents[1]

# Every named query with the parameters it is exercised with; the comparison with rdflib
# runs them all.
CASES = {
    "metrics-about": [{"entity": "Microsoft"}, {"entity": "Nvidia"}],
    "top-entities": [{}, {"type": "Organization"}],
    "events-by-type": [{}, {"type": "StockMove"}, {"from": "2026-03-24", "to": "2026-03-25"}],
    "sources-per-entity": [{}, {"entity": "Nvidia"}],
    "co-mentioned": [{"entity": "Nvidia"}],
    "changed-figures": [{}, {"entity": "TSMC"}],
    "conflicts": [{}],
}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("query") / "out"
    build([str(ROOT / "examples")], str(d), model="none")
    return d


@pytest.fixture(scope="module")
def store(out):
    return q.open_store(out)


@pytest.fixture(scope="module")
def rdflib_graph(out):
    return rdflib.Graph().parse(str(out / "graph.ttl"))


def run(out, *args):
    return CliRunner().invoke(cli, ["query", "-b", str(out), *args])


def _num(s: str) -> str:
    try:
        return str(Decimal(s).normalize())
    except InvalidOperation:
        return s


def _norm(t):
    n = q.normalize_term(t)
    if n and n[0] == "lit" and n[2] == q.XSD + "string":
        # STR() of a decimal: the engines write 5 or 5.0 (both the same value);
        # GROUP_CONCAT's order is unspecified: compare the joined values as a sorted list
        n = ("lit", " | ".join(sorted(_num(p) for p in n[1].split(" | "))), n[2])
    return n


def rows(res):
    """Rows as a multiset of normalized terms (the engines may order unordered rows differently)."""
    return Counter(tuple(_norm(t) for t in r) for r in res.rows)


# ---------------------------------------------------------------- named queries

def test_every_shipped_query_is_exercised_and_documented():
    named = q.list_queries()
    assert {n.name for n in named} == set(CASES)
    for n in named:
        assert n.description and not n.description.startswith("#"), n.name
        first = Path(n.path).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("#"), f"{n.name}: first line must be the comment saying what it answers"


@pytest.mark.parametrize("name", sorted(CASES))
def test_named_queries_agree_with_rdflib(name, store, rdflib_graph):
    nq = q.load_named(name)
    for given in CASES[name]:
        params = q.bind_params(nq, given)
        ox_res = q.run_query(store, nq.text, params, named=nq)
        rl_res = q.query_rdflib(rdflib_graph, nq.text, params, named=nq)
        assert ox_res.variables == rl_res.variables
        assert rows(ox_res) == rows(rl_res), (name, given)


# A small hand-made graph in the shape kg/rdf.py emits, so that what each named query
# answers can be checked exactly (independently of what extraction finds in the examples).
FIXTURE = """
@prefix kg: <https://w3id.org/newskg/ontology#> . @prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ent: <https://w3id.org/newskg/entity/> . @prefix unit: <http://qudt.org/vocab/unit/> .
@prefix cur: <http://qudt.org/vocab/currency/> . @prefix i: <https://w3id.org/newskg/issue/nl/> .
@prefix m: <https://w3id.org/newskg/metric/> . @prefix e: <https://w3id.org/newskg/event/> .
ent:microsoft a kg:Entity, kg:Organization ; rdfs:label "Microsoft" ; skos:prefLabel "Microsoft"@en, "微软"@zh ;
    skos:altLabel "Microsoft Corp."@en ; kg:ticker "MSFT" .
ent:nvidia a kg:Entity, kg:Organization ; rdfs:label "Nvidia" ; skos:prefLabel "Nvidia"@en, "英伟达"@zh .
ent:sp500 a kg:Entity, kg:Index ; rdfs:label "S&P 500" ; skos:prefLabel "S&P 500"@en .
ent:reuters a kg:Entity, kg:Outlet ; rdfs:label "Reuters" ; skos:prefLabel "Reuters"@en .
<https://w3id.org/newskg/newsletter/nl> a kg:Newsletter ; schema:name "NL" .
i:1 a kg:Issue ; schema:isPartOf <https://w3id.org/newskg/newsletter/nl> ; schema:datePublished "2026-03-01"^^xsd:date .
i:2 a kg:Issue ; schema:isPartOf <https://w3id.org/newskg/newsletter/nl> ; schema:datePublished "2026-03-08"^^xsd:date .
<https://w3id.org/newskg/issue/nl/1/item/en-1> a kg:Item ; kg:inIssue i:1 ; kg:reportedBy ent:reuters ;
    schema:mentions ent:microsoft, ent:nvidia .
<https://w3id.org/newskg/issue/nl/2/item/en-1> a kg:Item ; kg:inIssue i:2 ; schema:mentions ent:microsoft .
<https://w3id.org/newskg/issue/nl/2/item/en-2> a kg:Item ; kg:inIssue i:2 ; schema:mentions ent:nvidia, ent:sp500 .
"""


def _metric(name, subject, measure, value, unit, date, item, quals=(), extra=""):
    it = f"<https://w3id.org/newskg/issue/nl/{item}>"
    ev = f"<https://w3id.org/newskg/issue/nl/{item}/span/{name}>"
    q_ = "".join(f' ; kg:qualifier "{x}"' for x in quals)
    d = f' ; kg:date "{date}"^^xsd:{"date" if len(date) == 10 else "gYearMonth"}' if date else ""
    return (f'm:{name} a kg:Metric ; kg:subject ent:{subject} ; kg:measure "{measure}" ; '
            f'kg:value {value} ; qudt:unit {unit}{d}{q_} ; prov:wasDerivedFrom {it} ; kg:evidence {ev}{extra} .\n'
            f'{ev} a kg:Evidence ; kg:text "text of {name}" ; prov:wasDerivedFrom {it} .\n')


def _event(name, cls, date, actors, item):
    it = f"<https://w3id.org/newskg/issue/nl/{item}>"
    acts = "".join(f" ; sem:hasActor ent:{a}" for a in actors)
    d = f' ; kg:date "{date}"^^xsd:{"date" if len(date) == 10 else "gYearMonth"}'
    return f'e:{name} a kg:Event, kg:{cls} ; rdfs:label "{name}"{d}{acts} ; prov:wasDerivedFrom {it} .\n'


FIXTURE += (
    _metric("m1", "microsoft", "capex", "37500000000.0", "cur:USD", "2026-03-01", "1/item/en-1")
    + _metric("m2", "microsoft", "capex", "39800000000.0", "cur:USD", "2026-03-08", "2/item/en-1")
    + _metric("m3", "microsoft", "capex", "41000000000.0", "cur:USD", "2026-03-08", "2/item/en-1")
    + _metric("m4", "nvidia", "revenue", "48000000000.0", "cur:USD", "2026-03", "1/item/en-1", ["expected"])
    + _metric("m5", "nvidia", "revenue", "44000000000.0", "cur:USD", "2026-03", "2/item/en-2")
    + _metric("m6", "nvidia", "share_price", "6.0", "unit:PERCENT", "2026-03-01", "1/item/en-1")
    + _metric("m7", "nvidia", "share_price", "5.0", "unit:PERCENT", "2026-03-02", "1/item/en-1",
              extra=" ; kg:conflictsWith m:m6")
    + _event("msft-move", "StockMove", "2026-03-01", ["microsoft"], "1/item/en-1")
    + _event("nvda-earnings", "EarningsReport", "2026-03-08", ["nvidia", "microsoft"], "2/item/en-2")
    + _event("feb-funding", "Funding", "2026-02", ["nvidia"], "1/item/en-1")
)


@pytest.fixture(scope="module")
def fixture_store(tmp_path_factory):
    d = tmp_path_factory.mktemp("fixture")
    (d / "graph.ttl").write_text(FIXTURE, encoding="utf-8")
    return q.open_store(d)


def sel(store, name, **p):
    nq = q.load_named(name)
    res = q.run_query(store, nq.text, q.bind_params(nq, p), named=nq)
    return [dict(zip(res.variables, (q.display(t) for t in r))) for r in res.rows]


def test_named_queries_answer_exactly_on_a_known_graph(fixture_store):
    st = fixture_store
    msft = sel(st, "metrics-about", entity="Microsoft")
    assert [(r["date"], r["measure"], r["value"], r["unit"], r["issue"], r["outlet"]) for r in msft] == [
        ("2026-03-01", "capex", "37500000000", "cur:USD", "<issue/nl/1>", "Reuters"),
        ("2026-03-08", "capex", "39800000000", "cur:USD", "<issue/nl/2>", ""),
        ("2026-03-08", "capex", "41000000000", "cur:USD", "<issue/nl/2>", "")]
    assert msft[0]["evidence"] == "text of m1"
    top = sel(st, "top-entities")
    assert [(r["label"], r["class"], r["items"]) for r in top] == [
        ("Microsoft", "Organization", "2"), ("Nvidia", "Organization", "2"), ("S&P 500", "Index", "1")]
    assert [r["label"] for r in sel(st, "top-entities", type="Index")] == ["S&P 500"]
    ev = sel(st, "events-by-type")
    assert [r["label"] for r in ev] == ["feb-funding", "msft-move", "nvda-earnings"]
    assert ev[2]["actors"] in ("Microsoft | Nvidia", "Nvidia | Microsoft") and ev[2]["sources"] == "1"
    assert [r["label"] for r in sel(st, "events-by-type", type="StockMove")] == ["msft-move"]
    # a month-precision date is in the range when the month overlaps it
    assert [r["label"] for r in sel(st, "events-by-type", **{"from": "2026-02-20", "to": "2026-03-01"})] == [
        "feb-funding", "msft-move"]
    assert sel(st, "events-by-type", **{"from": "2026-03-02", "to": "2026-03-07"}) == []
    src = sel(st, "sources-per-entity", entity="nvidia")
    assert [(r["outlet"], r["items"], r["issues"], r["first"], r["last"]) for r in src] == [
        ("(no outlet)", "1", "1", "2026-03-08", "2026-03-08"), ("Reuters", "1", "1", "2026-03-01", "2026-03-01")]
    assert len(sel(st, "sources-per-entity")) == 5
    assert [(r["label"], r["items"]) for r in sel(st, "co-mentioned", entity="英伟达")] == [
        ("Microsoft", "1"), ("S&P 500", "1")]
    changed = sel(st, "changed-figures", entity="MSFT")
    assert [(r["measure"], r["values"], r["issues"], r["firstValue"], r["lastValue"]) for r in changed] == [
        ("capex", "3", "2", "37500000000", "41000000000")]
    # m4 (expected) and m5 (no qualifier) are not the same figure: no change
    assert sel(st, "changed-figures", entity="Nvidia") == []
    assert len(sel(st, "changed-figures")) == 1
    conflicts = sel(st, "conflicts")
    assert sorted((r["subject"], r["date"], " | ".join(sorted(r["values"].split(" | "))), r["conflictsWith"])
                  for r in conflicts) == [
        ("Microsoft", "2026-03-08", "39800000000 | 41000000000", "not linked"),
        ("Nvidia", "2026-03-01 / 2026-03-02", "5 | 6", "linked")]
    assert sel(st, "conflicts", entity="Nvidia")[0]["sources"] == "1"


def test_named_queries_agree_with_rdflib_on_the_known_graph(fixture_store):
    g = rdflib.Graph().parse(data=FIXTURE, format="turtle")
    for name, plist in CASES.items():
        nq = q.load_named(name)
        for given in plist + [{"entity": "microsoft"}] * ("entity" in {p.name for p in nq.params}):
            params = q.bind_params(nq, given)
            assert rows(q.run_query(fixture_store, nq.text, params, named=nq)) == rows(
                q.query_rdflib(g, nq.text, params, named=nq))


def test_co_mentioned_ranks_ties_by_name_case_insensitively(tmp_path):
    # codepoint order would put "Fiat" and "Zeta" before "eBay" and "ebay"
    ents = {"x": "X Corp", "ebay": "eBay", "ebay2": "ebay", "fiat": "Fiat", "zeta": "Zeta", "amd": "AMD"}
    ttl = ["@prefix kg: <https://w3id.org/newskg/ontology#> . @prefix schema: <https://schema.org/> .",
           "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix ent: <https://w3id.org/newskg/entity/> .",
           "@prefix i: <https://w3id.org/newskg/issue/nl/1/item/> ."]
    ttl += [f'ent:{k} a kg:Entity, kg:Organization ; rdfs:label "{v}" .' for k, v in ents.items()]
    ttl += ["i:en-1 a kg:Item ; schema:mentions ent:x, ent:ebay, ent:ebay2, ent:fiat, ent:zeta, ent:amd .",
            "i:en-2 a kg:Item ; schema:mentions ent:x, ent:zeta ."]
    (tmp_path / "graph.ttl").write_text("\n".join(ttl) + "\n", encoding="utf-8")
    expected = [("Zeta", "2"), ("AMD", "1"), ("eBay", "1"), ("ebay", "1"), ("Fiat", "1")]
    assert [(r["label"], r["items"]) for r in sel(q.open_store(tmp_path), "co-mentioned", entity="x corp")] == expected
    nq = q.load_named("co-mentioned")
    g = rdflib.Graph().parse(tmp_path / "graph.ttl")
    res = q.query_rdflib(g, nq.text, {"entity": "x corp"}, named=nq)
    assert [(q.display(r[0]), q.display(r[2])) for r in res.rows] == expected


@pytest.mark.parametrize("form", ["Microsoft", "microsoft", "MICROSOFT", "微软", "MSFT", "msft"])
def test_entity_parameter_matches_labels_aliases_and_tickers_in_any_case(form, store):
    nq = q.load_named("metrics-about")
    ref = q.run_query(store, nq.text, {"entity": "Microsoft"}, named=nq)
    res = q.run_query(store, nq.text, {"entity": form}, named=nq)
    assert res.rows and rows(res) == rows(ref)


def test_parameter_values_are_data_not_query_text(store):
    nasty = 'x" ) } ; DROP ALL ; # \\ \n "'
    res = q.run_query(store, "SELECT ?v WHERE { BIND(?p AS ?v) }", {"p": nasty})
    assert [r[0].value for r in res.rows] == [nasty]
    nq = q.load_named("metrics-about")
    res = q.run_query(store, nq.text, {"entity": 'Microsoft" || true || "'}, named=nq)
    assert res.rows == [] and "no entity matches" in res.notes[0]
    # a parameter name inside a string or an IRI is not a variable
    res = q.run_query(store, 'SELECT ?v ?w WHERE { BIND("?p" AS ?v) BIND(?p AS ?w) }', {"p": "x"})
    assert [(r[0].value, r[1].value) for r in res.rows] == [("?p", "x")]
    iri = q.run_query(store, "SELECT ?l WHERE { ?e rdfs:label ?l }",
                      {"e": "<https://w3id.org/newskg/entity/microsoft>"})
    assert [r[0].value for r in iri.rows] == ["Microsoft"]


def test_parameter_errors():
    nq = q.load_named("metrics-about")
    with pytest.raises(KgError) as e:
        q.bind_params(nq, {})
    assert e.value.code == "E123"
    with pytest.raises(KgError) as e:
        q.bind_params(nq, {"entity": "x", "colour": "red"})
    assert e.value.code == "E122"
    with pytest.raises(KgError) as e:
        q.parse_param("no-equals-sign")
    assert e.value.code == "E121"
    assert q.parse_param("entity=a=b") == ("entity", "a=b")
    assert q.bind_params(q.load_named("events-by-type"), {"type": "Funding"}) == {
        "type": "Funding", "from": "0000-01-01", "to": "9999-12-31"}


# ---------------------------------------------------------------- the store

def test_store_is_built_once_and_reloaded_when_graph_changes(tmp_path, out):
    d = tmp_path / "o"
    d.mkdir()
    (d / "graph.ttl").write_bytes((out / "graph.ttl").read_bytes())
    path, loaded = q.ensure_store(d)
    assert loaded and path == d / "store" and path.is_dir()
    assert not q.ensure_store(d)[1]                       # fresh: not re-parsed
    os.utime(d / "graph.ttl", ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    assert not q.ensure_store(d)[1]                       # touched, same content: kept
    with (d / "graph.ttl").open("a", encoding="utf-8") as f:
        f.write('\n<https://w3id.org/newskg/entity/zz-test> <http://www.w3.org/2000/01/rdf-schema#label> "Zed" .\n')
    assert q.ensure_store(d)[1]                           # changed: reloaded
    res = run(d, "SELECT ?l WHERE { ent:zz-test rdfs:label ?l }", "--format", "csv")
    assert res.exit_code == 0 and res.stdout.splitlines() == ["l", "Zed"]
    assert not list(d.glob(".store*"))                    # no temporary folders left


def test_store_from_an_older_layout_is_reloaded_once(tmp_path, out):
    d = tmp_path / "o"
    d.mkdir()
    (d / "graph.ttl").write_bytes((out / "graph.ttl").read_bytes())
    assert q.ensure_store(d)[1]
    stamp = json.loads((d / q.STAMP_NAME).read_text(encoding="utf-8"))
    assert stamp["layout"] == q.STORE_LAYOUT
    del stamp["layout"]                                   # as written before compaction
    (d / q.STAMP_NAME).write_text(json.dumps(stamp), encoding="utf-8")
    assert q.ensure_store(d)[1]                           # reloaded (and compacted)
    assert not q.ensure_store(d)[1]


def test_missing_graph_is_a_one_line_error(tmp_path):
    res = run(tmp_path / "nowhere", "conflicts")
    assert res.exit_code == 1 and "E160" in res.output and "kg build" in res.output
    assert "Traceback" not in res.output


# ---------------------------------------------------------------- CLI and formats

def test_list_names_every_query_with_its_description_and_params(out):
    res = run(out, "--list")
    assert res.exit_code == 0
    for nq in q.list_queries():
        assert nq.name in res.stdout and nq.description in res.stdout
    assert "--param entity=" in res.stdout


def test_table_is_aligned_and_counts_rows(out):
    res = run(out, "metrics-about", "--param", "entity=微软")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].split()[:4] == ["date", "measure", "value", "unit"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[-1].endswith("rows)")
    # columns line up: every cell of the "measure" column starts where its header does
    col = lines[0].index("measure")
    for line in lines[2:-1]:
        assert width(line[:col]) == col or line[col - 2:col] == "  "


def test_w3c_result_formats(out):
    sparql = "SELECT ?e ?l WHERE { ?e a kg:Index ; rdfs:label ?l } ORDER BY ?l"
    got = {f: run(out, sparql, "--format", f) for f in ("csv", "tsv", "json", "xml")}
    assert all(r.exit_code == 0 for r in got.values())
    table = list(csv.reader(io.StringIO(got["csv"].stdout)))
    assert table[0] == ["e", "l"] and len(table) > 2
    assert table[1][0].startswith("https://w3id.org/newskg/entity/")
    tsv = got["tsv"].stdout.splitlines()
    assert tsv[0] == "?e\t?l" and tsv[1].startswith("<https://w3id.org/newskg/entity/")
    doc = json.loads(got["json"].stdout)
    assert doc["head"]["vars"] == ["e", "l"]
    b = doc["results"]["bindings"][0]
    assert b["e"]["type"] == "uri" and b["l"]["type"] == "literal"
    assert len(doc["results"]["bindings"]) == len(table) - 1
    root = ET.fromstring(got["xml"].stdout)
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert len(root.findall(f"{ns}results/{ns}result")) == len(table) - 1


def test_ask_exit_status_and_construct_turtle(out):
    yes = run(out, "ASK { ?m kg:value ?v }")
    no = run(out, 'ASK { ?m kg:value "not a number" }')
    assert (yes.exit_code, yes.stdout.strip()) == (0, "true")
    assert (no.exit_code, no.stdout.strip()) == (1, "false")
    assert json.loads(run(out, "ASK { ?s ?p ?o }", "--format", "json").stdout)["boolean"] is True
    res = run(out, "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a kg:Index ; rdfs:label ?l }")
    assert res.exit_code == 0
    g = rdflib.Graph().parse(data=res.stdout, format="turtle")
    assert len(g) > 2 and "@prefix" in res.stdout
    desc = run(out, "DESCRIBE ent:microsoft")
    assert desc.exit_code == 0 and "Microsoft" in desc.stdout
    assert run(out, "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a kg:Index ; rdfs:label ?l }").stdout == res.stdout


def test_query_from_file_and_stdin(tmp_path, out):
    f = tmp_path / "q.rq"
    f.write_text("# the number of metrics\nSELECT (COUNT(?m) AS ?n) WHERE { ?m a kg:Metric }\n", encoding="utf-8")
    a = run(out, "-f", str(f), "--format", "csv")
    b = CliRunner().invoke(cli, ["query", "-b", str(out), "-f", "-", "--format", "csv"], input=f.read_text())
    assert a.exit_code == 0 and a.stdout == b.stdout and int(a.stdout.split()[1]) > 10


# ---------------------------------------------------------------- safety

@pytest.mark.parametrize("sparql", [
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <http://example.org/g>",
])
def test_updates_are_refused(out, sparql):
    res = run(out, sparql, "--allow-remote")
    assert res.exit_code == 1 and "E125" in res.output and "read-only" in res.output


@pytest.mark.parametrize("sparql", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED wd:Q2283 WHERE { GRAPH ?g { ?s ?p ?o } }",
])
def test_remote_access_is_refused_without_allow_remote(out, sparql):
    res = run(out, sparql)
    assert res.exit_code == 1 and "E124" in res.output and "--allow-remote" in res.output


def test_keywords_in_strings_iris_and_names_are_not_refused(out):
    res = run(out, 'SELECT ?delete WHERE { BIND("INSERT SERVICE LOAD" AS ?delete) '
                   'FILTER(?delete != <http://example.org/drop>) } # DROP ALL')
    assert res.exit_code == 0, res.output
    # FROM a local graph name is fine (the store has no such named graph: no rows)
    assert run(out, "SELECT * FROM <urn:x:g> WHERE { ?s ?p ?o }").exit_code == 0


def test_syntax_error_reports_line_and_column_without_traceback(out):
    res = run(out, "SELECT ?s\nWHERE {\n  ?s kg:value ?v .\n  FILTER(?v = ) }")
    assert res.exit_code == 1
    assert "E129" in res.output and "line 4, column" in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    res = run(out, "SELECT * WHERE { ?s nope:bar ?o }")
    assert res.exit_code == 1 and "unknown prefix 'nope:'" in res.output


def test_unknown_named_query(out):
    res = run(out, "no-such-query")
    assert res.exit_code == 1 and "E120" in res.output and "metrics-about" in res.output


def test_timeout_gives_up_and_the_process_exits(out):
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "kg.cli", "query", "-b", str(out), "--timeout", "1",
         "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"],
        capture_output=True, text=True, timeout=60, cwd=str(ROOT))
    assert proc.returncode == 1
    assert "E131" in proc.stderr and "did not finish within 1 s" in proc.stderr
    assert time.monotonic() - t0 < 30
