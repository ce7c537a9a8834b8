from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.rdf import D, KG, issue_iri, to_turtle, kb_graph
from kg.resolve import slugify
from kg.model import Issue

from conftest import EXAMPLES, ROOT, extract_text

IRI_SAFE = set("abcdefghijklmnopqrstuvwxyz0123456789-%ABCDEF")


@pytest.mark.parametrize("name", [
    'Acme "Quoted" Corp', "<script>alert(1)</script>", "two words", "line\nbreak", "微软",
    "Ünïcödé GmbH", "a/b\\c?d#e", "''", "   ", "Meta's", "x" * 500, "\ud800broken",
])
def test_slugs_are_iri_safe_and_readable(name):
    s = slugify(name)
    assert s and set(s) <= IRI_SAFE, s
    assert len(s) <= 100
    URIRef("https://w3id.org/newskg/entity/" + s)  # rdflib accepts it
    pyoxigraph.NamedNode("https://w3id.org/newskg/entity/" + s)


def test_readable_iris():
    assert slugify("Microsoft") == "microsoft"
    assert slugify("Federal Reserve") == "federal-reserve"
    assert slugify("微软") == "%E5%BE%AE%E8%BD%AF"
    i = Issue(newsletter="AI Weekly", number=462, date="2026-01-29", source_file="x", content_hash="sha256:0", text="")
    assert str(issue_iri(i)) == "https://w3id.org/newskg/issue/ai-weekly/462"


def test_decimal_literals_are_plain_decimals():
    # Turtle's decimal short form: always a "." and never an exponent
    assert D(Decimal("37.5") * 10 ** 9) == "37500000000.0"
    assert D(Decimal("-12")) == "-12.0"
    assert D(Decimal("4.140")) == "4.14"
    assert Literal("37500000000.0", datatype=XSD.decimal).toPython() == Decimal("37.5e9")


def test_hostile_names_round_trip(rules):
    text = ('Hostile Weekly - Issue 1: t - 2026-01-02\n\n'
            '- Reuters: Bad "names" – CEO Jane Doe said Evil<>"\\ Corp. rose 5% and 微软 fell 2%.\n'
            '- <b>Outlet</b>: x – Acme "Quoted" Inc. raised $10 million.\n')
    kb, ix = extract_text(text, rules)
    ttl = to_turtle(kb_graph(kb))
    g = Graph().parse(data=ttl.decode(), format="turtle")
    assert len(g) > 10
    store = pyoxigraph.Store()
    store.load(ttl, format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(g)
    # exact text survives the round trip
    texts = {str(o) for o in g.objects(None, URIRef("https://schema.org/text"))}
    assert any('Evil<>"\\ Corp.' in t for t in texts)


def _build(out):
    return subprocess.run([sys.executable, "-m", "kg.cli", "build", str(EXAMPLES), "-o", str(out), "-q"],
                          cwd=ROOT, capture_output=True, text=True, env={"PYTHONHASHSEED": "random", "PATH": ""})


def test_deterministic_output(tmp_path):
    a, b = _build(tmp_path / "a"), _build(tmp_path / "b")
    assert a.returncode == 0, a.stderr
    assert b.returncode == 0, b.stderr
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.ttl"))
    assert len(files) >= 4
    for f in files:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_graph_parses_back_with_rdflib_and_oxigraph(tmp_path):
    assert _build(tmp_path).returncode == 0
    data = (tmp_path / "graph.ttl").read_bytes()
    g = Graph().parse(data=data.decode(), format="turtle")
    store = pyoxigraph.Store()
    store.load(data, format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(g) > 500
    # every metric has a decimal value, a unit, a source item and evidence text
    metrics = set(g.subjects(RDF.type, KG.Metric))
    assert metrics
    for m in metrics:
        assert g.value(m, KG.value).datatype == XSD.decimal
        assert g.value(m, URIRef("http://qudt.org/schema/qudt/unit")) is not None
        ev = g.value(m, KG.evidence)
        assert str(g.value(ev, KG.text)).strip()


# --- the writer's shortcuts give what the plain forms give -----------------------------------

LITERAL_CASES = ["Acme rose 4% on Monday.", 'He said "no".', "a\\b", "two\nlines", "tab\there", "cr\rlf",
                 "bell\x07", "del\x7f", "lone \ud800 surrogate", "nbsp\xa0here", "zero\u200bwidth",
                 "line\u2028sep", "腾讯股价上涨3%。", "", " ", "\x00", "emoji 🚀 ok", "\x85next line"]


def _literal_plain(text, lang=None):
    """kg.rdf.S without its shortcut: the pattern over every text."""
    from kg.rdf import _LIT_RE, _lit_esc
    body = _LIT_RE.sub(_lit_esc, text)
    return f'"{body}"@{lang}' if lang else f'"{body}"'


@pytest.mark.parametrize("text", LITERAL_CASES)
def test_literal_shortcut_escapes_as_the_pattern(text):
    """S skips the escaping pattern for a printable text with no quote and no backslash; the
    texts at the edges (printable characters the pattern escapes, characters neither
    printable nor escaped) come out as the pattern alone gives them."""
    from kg.rdf import S
    for lang in (None, "en"):
        assert S(text, lang) == _literal_plain(text, lang)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hst  # noqa: E402


@settings(max_examples=400, deadline=None)
@given(hst.text(hst.characters(blacklist_categories=()), max_size=40))
def test_literal_shortcut_on_random_text(text):
    from kg.rdf import S
    assert S(text) == _literal_plain(text)


def test_statement_counts_distinct_triples():
    """_statement's count is one triple a predicate, and a predicate's distinct objects."""
    from kg.rdf import _statement
    text, n = _statement("ent:acme", {"a": ["kg:Entity", "kg:Organization", "kg:Entity"],
                                      "rdfs:label": ['"Acme"'], "skos:altLabel": ['"ACME"@en', '"ACME"@en']})
    assert n == 4
    assert text == ('\nent:acme a kg:Entity,\n        kg:Organization ;\n    rdfs:label "Acme" ;\n'
                    '    skos:altLabel "ACME"@en .\n')


def _merged_stats_plain(parts):
    """kg.rdf.merged_stats as first written: every shared subject's statements in a set."""
    from kg.rdf import _predicate_objects
    statements, metrics, own = {}, set(), 0
    for part in parts:
        own += part.own
        metrics.update(f.metric for f in part.facts)
        for st in part.shared:
            statements.setdefault(st[1:st.index(" ", 1)], set()).add(st)
    shared = sum(len({po for st in sts for po in _predicate_objects(st)}) for sts in statements.values())
    return {"triples": own + shared, "metrics": len(metrics), "events": sum(1 for s in statements if s.startswith("event:"))}


@settings(max_examples=200, deadline=None)
@given(hst.lists(hst.lists(hst.tuples(hst.sampled_from(["ent:acme", "ent:beta", "event:e1", "metric:m1"]),
                                      hst.lists(hst.sampled_from(['"A"', '"B"@en', '"C"@zh', "kg:X"]), min_size=1,
                                                max_size=3)), max_size=4), max_size=5))
def test_merged_stats_counts_as_sets_of_statements(issues):
    """A subject stated the same way by every issue, differently by two, by three: counted as
    the union of its statements' triples, as the set-based form counts them."""
    from kg.rdf import Rendered, _statement, merged_stats
    parts = []
    for k, subjects in enumerate(issues):
        shared = tuple(_statement(s, {"a": ["kg:Thing"], "rdfs:label": list(objs)})[0] for s, objs in subjects)
        parts.append(Rendered(b"", (), shared, k))
    assert merged_stats(parts) == _merged_stats_plain(parts)
