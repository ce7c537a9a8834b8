"""kg viz without a browser: reading the graph, the entity map (nodes, weighted edges, the
cap, outlets, filters, the texts the page keeps), the full view (--all) and its filters, the
page's file name, the escaping of hostile text and the self-contained page. Graphs are built
from the shipped examples and a hostile issue, with a small gazetteer of our own (rules
only, no model); expected values are computed from the Turtle with rdflib, independently of
kg.viz."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import viz
from kg.errors import KgError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

GAZ_ROWS = [
    ("microsoft", "Organization", "Microsoft", "Microsoft Corp.|Microsoft Corporation", "微软", "MSFT"),
    ("nvidia", "Organization", "Nvidia", "NVIDIA", "英伟达", "NVDA"),
    ("tsmc", "Organization", "TSMC", "Taiwan Semiconductor Manufacturing", "台积电", ""),
    ("anthropic", "Organization", "Anthropic", "", "", ""),
    ("openai", "Organization", "OpenAI", "", "", ""),
    ("federal-reserve", "Organization", "Federal Reserve", "the Fed|Fed", "美联储", ""),
    ("alibaba", "Organization", "Alibaba", "", "阿里巴巴", ""),
    ("tencent", "Organization", "Tencent", "", "腾讯", ""),
    ("sp-500", "Index", "S&P 500", "", "标普500指数", ""),
    ("nasdaq", "Index", "Nasdaq", "Nasdaq Composite", "纳斯达克指数", ""),
    ("hang-seng", "Index", "Hang Seng", "Hang Seng Index", "恒生指数", ""),
    ("gold", "Asset", "Gold", "", "黄金", ""),
    ("bitcoin", "Asset", "Bitcoin", "", "比特币", ""),
    ("reuters", "Outlet", "Reuters", "", "路透社", ""),
    ("bloomberg", "Outlet", "Bloomberg", "", "彭博社", ""),
    ("cnbc", "Outlet", "CNBC", "", "", ""),
]

HOSTILE = """Hostile Digest - Issue 9: injection test - 2026-04-02
Source: https://example.org/hostile-9

Markets
- Reuters: <img src=x onerror="window.__xss=1"> Microsoft soars – Microsoft shares rose 5% on Tuesday.
- Bloomberg: </script><script>window.__xss=2</script> Nvidia raises $2 billion – Nvidia raised $2 billion on Monday </script><!-- in a funding round.
- CNBC: Gold \u2028jumps & <b>bolds</b> – Gold rose 2% to $3,100 an ounce on Tuesday.
"""


def write_gazetteer(path: Path) -> Path:
    head = "id\ttype\tname\taliases_en\taliases_zh\tticker\twikidata\thomepage\n"
    path.write_text(head + "".join("\t".join(r) + "\t\t\n" for r in GAZ_ROWS), encoding="utf-8")
    return path


def build_graph(inputs: list[Path], out: Path, gaz: Path) -> Path:
    from kg.build import build
    build([str(p) for p in inputs], str(out), model="none", gazetteer=str(gaz))
    return out / "graph.ttl"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("viz")
    gaz = write_gazetteer(d / "gaz.tsv")
    return build_graph([EXAMPLES], d / "out", gaz)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    gaz = write_gazetteer(d / "gaz.tsv")
    src = d / "hostile-9.txt"
    src.write_text(HOSTILE, encoding="utf-8")
    return build_graph([src], d / "out", gaz)


@pytest.fixture(scope="module")
def build(built):
    return viz.read_graph(str(built))


@pytest.fixture(scope="module")
def full(build):
    return viz.project_all(build)


@pytest.fixture(scope="module")
def rdf(built):
    """The same graph parsed by rdflib, for expected values."""
    from rdflib import Graph
    return Graph().parse(str(built), format="turtle")


KG = "https://w3id.org/newskg/ontology#"
SDO = "https://schema.org/"


def U(iri):
    from rdflib import URIRef
    return URIRef(iri)


def by_label(G, label):
    hits = [n for n, d in G.nodes(data=True) if d["label"] == label]
    assert hits, f"no node {label!r}"
    return hits[0]


# ---------------------------------------------------------------------- projection

def test_projection_has_entities_events_metrics_with_attributes(full, build):
    types = {d["type"] for _, d in full.nodes(data=True)}
    assert {"Organization", "Index", "Asset", "Outlet", "Event", "Metric"} <= types
    ms = full.nodes[by_label(full, "Microsoft")]
    assert "微软" in ms["aliases"] and "Microsoft Corp." in ms["aliases"]
    assert ms["mentions"] >= 3                       # 470 en + zh, chip-digest
    assert ms["dates"] and all(re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", x) for x in ms["dates"])
    # an entity's figures are those of the metrics about it
    about = [m for m, _, d in full.in_edges(by_label(full, "Microsoft"), data=True) if d["label"] == "subject"]
    assert about and ms["figures"] == [full.nodes[m]["figures"][0] for m in sorted(about)]
    # its items are its sources: each names its issue, and its text is exactly in an example file
    texts = "".join(p.read_text(encoding="utf-8") for p in EXAMPLES.iterdir() if p.is_file())
    assert len(ms["items"]) == ms["mentions"]
    for i in ms["items"]:
        assert build.items[i].issue and build.items[i].text in texts
    assert any(build.items[i].outlet == "Bloomberg" and build.items[i].issue == "AI Weekly #470" for i in ms["items"])


def test_read_graph_matches_rdflib(build, rdf):
    from rdflib.namespace import RDF, RDFS
    ents = {str(e) for e in rdf.subjects(RDF.type, U(KG + "Entity"))}
    assert set(build.entities) == ents
    for e in ents:
        assert build.entities[e].label == str(rdf.value(U(e), RDFS.label))
        mentioned = {str(i) for i in rdf.subjects(U(SDO + "mentions"), U(e))} | \
                    {str(i) for i in rdf.subjects(U(KG + "reportedBy"), U(e))}
        assert set(build.entities[e].items) == mentioned
    assert set(build.metrics) == {str(m) for m in rdf.subjects(RDF.type, U(KG + "Metric"))}
    assert set(build.events) == {str(m) for m in rdf.subjects(RDF.type, U(KG + "Event"))}
    for m, rec in build.metrics.items():
        subj = rdf.value(U(m), U(KG + "subject"))
        assert rec.subject == (str(subj) if subj is not None else None)
        assert rec.dates == sorted(str(d) for d in rdf.objects(U(m), U(KG + "date")))


def test_read_graph_errors(tmp_path):
    with pytest.raises(KgError) as e:
        viz.read_graph(str(tmp_path / "missing.ttl"))
    assert e.value.code == "E071"
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix kg: <https://w3id.org/newskg/ontology#> .\nkg:a kg:b \"unterminated .\n", encoding="utf-8")
    with pytest.raises(KgError) as e:
        viz.read_graph(str(bad))
    assert e.value.code == "E072" and "\n" not in str(e.value)


def test_edges_carry_relation_names(full):
    labels = {d["label"] for _, _, d in full.edges(data=True)}
    assert {"hasActor", "hasMetric", "subject", "reportedBy"} <= labels
    for u, v, d in full.edges(data=True):
        tu, tv = full.nodes[u]["type"], full.nodes[v]["type"]
        if d["label"] == "hasActor":
            assert tu == "Event" and tv not in ("Event", "Metric")
        if d["label"] == "hasMetric":
            assert (tu, tv) == ("Event", "Metric")
        if d["label"] == "reportedBy":
            assert tv == "Outlet"


def test_event_evidence_is_exact_text_and_figures(full, build):
    texts = "".join(p.read_text(encoding="utf-8") for p in EXAMPLES.iterdir() if p.is_file())
    events = [n for n, d in full.nodes(data=True) if d["type"] == "Event"]
    assert events
    for ev in events:
        d = full.nodes[ev]
        assert d["sources"] and all(t and t in texts and build.items[i].issue for t, i in d["sources"])
        metrics = sorted(v for _, v, e in full.out_edges(ev, data=True) if e["label"] == "hasMetric")
        assert d["figures"] == [full.nodes[m]["figures"][0] for m in metrics]
    assert any(d["figures"] for _, d in full.nodes(data=True) if d["type"] == "Event")


# ------------------------------------------------------------------- --all: filters

@pytest.mark.parametrize("name", ["Microsoft", "microsoft", "MICROSOFT CORP.", "微软", "MSFT"])
def test_focus_matches_label_or_alias_case_insensitively(full, name):
    G = viz.project(full, focus=name, hops=1)
    ms = by_label(full, "Microsoft")
    assert G.graph["report"].focus == [ms]
    assert set(G) == {ms} | set(full.to_undirected().neighbors(ms))


def test_focus_hops(full):
    ms = by_label(full, "Microsoft")
    assert set(viz.project(full, focus="微软", hops=0)) == {ms}
    one, two = viz.project(full, focus="微软", hops=1), viz.project(full, focus="微软", hops=2)
    assert set(one) < set(two)


def test_focus_unknown_name_is_a_one_line_error(full):
    with pytest.raises(KgError) as e:
        viz.project(full, focus="Micro")
    assert e.value.code == "E074" and "Microsoft" in str(e.value) and "\n" not in str(e.value)


def test_types_filter(full):
    G = viz.project(full, types="Organization,Event")
    assert {d["type"] for _, d in G.nodes(data=True)} == {"Organization", "Event"}
    assert G.number_of_nodes() == sum(1 for _, d in full.nodes(data=True) if d["type"] in ("Organization", "Event"))
    funding = viz.project(full, types="funding")
    assert funding.number_of_nodes() and all(d["subtype"] == "Funding" for _, d in funding.nodes(data=True))
    with pytest.raises(KgError) as e:
        viz.project(full, types="Org")
    assert e.value.code == "E073"


def test_date_window(full):
    G = viz.project(full, since="2026-03-24", until="2026-03-24")
    assert 0 < G.number_of_nodes() < full.number_of_nodes()
    for _, d in G.nodes(data=True):
        assert "2026-03-24" in d["dates"] or any(x == "2026-03" for x in d["dates"])
    # a month-precision date overlaps a window inside that month
    assert viz._overlaps("2026-03", "2026-03-10", "2026-03-12")
    assert not viz._overlaps("2026-02", "2026-03-01", None)


def test_issue_filter(full):
    G = viz.project(full, issue="12")
    assert 0 < G.number_of_nodes() < full.number_of_nodes()
    assert all("12" in d["issues"] for _, d in G.nodes(data=True))
    assert set(viz.project(full, issue="chip-digest/12")) == set(G)
    with pytest.raises(KgError) as e:
        viz.project(full, issue="999")
    assert e.value.code == "E075"


def test_fold_metrics_moves_figures_into_event_or_subject(full):
    G = viz.project(full, fold_metrics=True)
    rep = G.graph["report"]
    n_metrics = sum(1 for _, d in full.nodes(data=True) if d["type"] == "Metric")
    left = [n for n, d in G.nodes(data=True) if d["type"] == "Metric"]
    assert rep.folded == n_metrics - len(left) > 0
    for m in left:          # only metrics with neither event nor subject entity stay
        assert not any(d["label"] in ("hasMetric", "subject") for *_, d in full.in_edges(m, data=True))
        assert not any(d["label"] == "subject" for *_, d in full.out_edges(m, data=True))
    for m in (n for n, d in full.nodes(data=True) if d["type"] == "Metric" and n not in G):
        fig = full.nodes[m]["figures"][0]
        owners = [u for u, _, d in full.in_edges(m, data=True) if d["label"] == "hasMetric"] or \
                 [v for _, v, d in full.out_edges(m, data=True) if d["label"] == "subject"][:1]
        assert any(fig in G.nodes[o]["figures"] for o in owners)


def test_max_nodes_keeps_most_mentioned_and_reports(full):
    G = viz.project(full, max_nodes=20)
    rep = G.graph["report"]
    assert G.number_of_nodes() == 20 and rep.dropped == full.number_of_nodes() - 20
    kept = min(full.nodes[n]["mentions"] for n in G)
    dropped = max(d["mentions"] for n, d in full.nodes(data=True) if n not in G)
    assert kept >= dropped
    assert sum(rep.dropped_by_type.values()) == rep.dropped
    msg = rep.message(20)
    assert "20 most-mentioned" in msg and f"dropped {rep.dropped}" in msg


def test_max_nodes_never_drops_the_focus(full):
    G = viz.project(full, focus="Gold", hops=2, max_nodes=1)
    assert [G.nodes[n]["label"] for n in G] == ["Gold"]


# ---------------------------------------------------------------------- entity map

def rdf_items_of(rdf, e):
    """Items that mention entity e or, for an outlet, that it reported."""
    return {str(i) for i in rdf.subjects(U(SDO + "mentions"), U(e))} | \
           {str(i) for i in rdf.subjects(U(KG + "reportedBy"), U(e))}


def test_map_nodes_are_entities_ranked_by_mentions(build, rdf):
    m = viz.entity_map(build)
    from rdflib.namespace import RDF
    ents = {str(e) for e in rdf.subjects(RDF.type, U(KG + "Entity"))}
    assert set(m.order) <= ents and len(m.order) > 30
    counts = {e: len(rdf_items_of(rdf, e)) for e in m.order}
    assert [len(m.items[e]) for e in m.order] == [counts[e] for e in m.order]
    assert [counts[e] for e in m.order] == sorted(counts.values(), reverse=True)
    # outlets report the news: in the page, unticked at first, so the first view is about the news
    assert m.hidden_types == ["Outlet"]
    assert all(build.entities[e].type != "Outlet" for e in m.drawn)
    assert len(m.drawn) == sum(1 for e in m.order if build.entities[e].type != "Outlet")


def test_map_edges_are_weighted_and_labelled_with_the_strongest_relation(build, rdf):
    m = viz.entity_map(build)
    assert m.edges
    from rdflib.namespace import RDF
    for e in m.edges:
        a, b = U(e.a), U(e.b)
        shared = len(rdf_items_of(rdf, e.a) & rdf_items_of(rdf, e.b))
        events = [ev for ev in rdf.subjects(RDF.type, U(KG + "Event"))
                  if {a, b} <= set(rdf.objects(ev, U("http://semanticweb.cs.vu.nl/2009/11/sem/hasActor"))) |
                  {rdf.value(x, U(KG + "subject")) for x in rdf.objects(ev, U(KG + "hasMetric"))}]
        assert e.weight == shared + len(events) > 0
        assert len(e.dates) == e.weight
        if events:
            kinds = Counter(str(t)[len(KG):] for ev in events for t in rdf.objects(ev, RDF.type)
                            if str(t) not in (KG + "Event",))
            assert e.label == max(sorted(kinds), key=lambda k: kinds[k])
        else:
            assert e.label in (viz.CO_MENTION, viz.REPORTS)


def tiny_build():
    """Entities a, b, c and outlet o; items 1-3; a Partnership of a and b, an Acquisition by
    a of c (c as the subject of its figure), a Funding of b alone."""
    R = viz
    ents = {k: R.EntityRec(k, k.upper(), "Outlet" if k == "o" else "Organization", [], its)
            for k, its in {"a": ["i1", "i2", "i3"], "b": ["i1", "i2"], "c": ["i3"], "o": ["i1"]}.items()}
    items = {i: R.ItemRec(i, date=f"2026-01-0{k}", issue="Digest #1", issue_keys=("1",), outlet="O",
                          outlet_iri="o" if i == "i1" else None, text=f"text {i}")
             for k, i in enumerate(["i1", "i2", "i3"], start=1)}
    fig = {"measure": "price", "value": "2", "unit": "USD", "text": "$2", "direction": None,
           "qualifiers": [], "subject": "C", "date": "2026-01-03"}
    metrics = {"m1": R.FactRec("m1", "Metric", "Metric", "C price $2", ["2026-01-03"], ["i3"], [], figure=fig,
                               subject="c")}
    events = {"e1": R.FactRec("e1", "Event", "Partnership", "A B", ["2026-01-02"], ["i2"], [], actors=["a", "b"]),
              "e2": R.FactRec("e2", "Event", "Acquisition", "A C", ["2026-01-03"], ["i3"], [], actors=["a"],
                              metrics=["m1"]),
              "e3": R.FactRec("e3", "Event", "Funding", "B", ["2026-01-01"], ["i1"], [], actors=["b"])}
    return R.Build(items=items, entities=ents, metrics=metrics, events=events)


def test_map_prunes_to_the_strongest_edges():
    """A hub h co-mentioned k+1 times with x_k, and one item that mentions them all: each x
    keeps h and its EDGES_PER_NODE - 1 first neighbours by label, not all eleven."""
    R = viz
    xs = [f"x{k}" for k in range(10)]
    items, ents = {}, {e: R.EntityRec(e, e.upper(), "Organization", [], []) for e in ["h"] + xs}
    for k, x in enumerate(xs):
        for j in range(k + 1):
            i = f"i{k}-{j}"
            items[i] = R.ItemRec(i, date="2026-01-01", text="t")
            ents["h"].items.append(i)
            ents[x].items.append(i)
    items["all"] = R.ItemRec("all", date="2026-01-02", text="t")
    for e in ents.values():
        e.items = sorted(e.items + ["all"])
    m = viz.entity_map(R.Build(items=items, entities=ents, metrics={}, events={}))
    kept = {(e.a, e.b): e.weight for e in m.edges}
    assert len(kept) < 55                                   # 11 nodes: 55 pairs
    assert all(("h", x) in kept for x in xs)                # everyone's strongest
    assert kept[("h", "x9")] == 11
    hub = sorted((w, b) for (a, b), w in kept.items() if a == "h")[-viz.EDGES_PER_NODE:]
    assert [b for _, b in hub] == xs[-viz.EDGES_PER_NODE:]


def test_map_edge_weights_and_relations_on_known_input():
    b = tiny_build()
    m = viz.entity_map(b)
    edges = {(e.a, e.b): e for e in m.edges}
    assert set(edges) == {("a", "b"), ("a", "c"), ("a", "o"), ("b", "o")}
    ab, ac = edges[("a", "b")], edges[("a", "c")]
    assert ab.kinds == Counter({"co-mentioned": 2, "Partnership": 1}) and ab.weight == 3
    assert ab.label == "Partnership" and ab.dates == ["2026-01-01", "2026-01-02", "2026-01-02"]
    assert ac.kinds == Counter({"co-mentioned": 1, "Acquisition": 1}) and ac.label == "Acquisition"
    assert edges[("a", "o")].label == "reports" and edges[("a", "o")].weight == 1
    assert m.order == ["a", "b", "c", "o"] and m.drawn == ["a", "b", "c"]
    assert m.events == {"a": ["e1", "e2"], "b": ["e1", "e3"], "c": [], "o": []}
    assert m.figures["c"] == ["m1"]
    # in a window, only what is dated in it
    w = viz.entity_map(b, since="2026-01-02", until="2026-01-02")
    assert w.order == ["a", "b"] and {(e.a, e.b): e.weight for e in w.edges} == {("a", "b"): 2}


def test_map_keeps_each_entitys_strongest_edges(build):
    m = viz.entity_map(build)
    every = viz._entity_edges(build, set(build.items), set(build.metrics) | set(build.events), set(m.order))
    kept = {(e.a, e.b) for e in m.edges}
    assert kept <= set(every)
    for n in m.order:
        outlet = build.entities[n].type == "Outlet"
        mine = sorted((e for e in every.values() if n in (e.a, e.b) and
                       (outlet or build.entities[e.b if e.a == n else e.a].type != "Outlet")),
                      key=lambda e: -e.weight)
        strongest = [e for e in mine if e.weight == mine[0].weight] if mine else []
        assert all((e.a, e.b) in kept for e in mine[:viz.EDGES_PER_NODE]) 
        assert not strongest or any((e.a, e.b) in kept for e in strongest)


def test_map_cap_draws_the_most_mentioned_and_says_so(build):
    m = viz.entity_map(build, max_nodes=10)
    assert len(m.drawn) == 10 and m.cap == 10
    assert m.drawn == [e for e in m.order if build.entities[e].type != "Outlet"][:10]
    assert m.report.hidden == len(m.order) - 10
    msg = m.report.message(10)
    assert "10 most-mentioned" in msg and f"other {len(m.order) - 10}" in msg and "search" in msg


def test_map_types_focus_dates_issue(build, rdf):
    outlets = viz.entity_map(build, types="Outlet")
    assert outlets.order and all(build.entities[e].type == "Outlet" for e in outlets.order)
    assert outlets.hidden_types == [] and len(outlets.drawn) == len(outlets.order)
    with pytest.raises(KgError) as e:
        viz.entity_map(build, types="Organization,Event")
    assert e.value.code == "E080" and "--all" in str(e.value)
    focus = viz.entity_map(build, focus="微软", hops=1)
    ms = focus.order[0]
    assert build.entities[ms].label == "Microsoft" and focus.report.focus == [ms]
    linked = {e.a for e in focus.edges if e.b == ms} | {e.b for e in focus.edges if e.a == ms}
    assert set(focus.order) == {ms} | linked
    with pytest.raises(KgError) as e:
        viz.entity_map(build, focus="Micro")
    assert e.value.code == "E074" and "Microsoft" in str(e.value)
    window = viz.entity_map(build, since="2026-03-24", until="2026-03-24")
    for e in window.order:
        assert all(build.items[i].date == "2026-03-24" for i in window.items[e])
    assert 0 < len(window.order) < len(viz.entity_map(build).order)
    with pytest.raises(KgError) as e:
        viz.entity_map(build, since="2030-01-01")
    assert e.value.code == "E075" and "2030-01-01" in str(e.value)
    issue = viz.entity_map(build, issue="12")
    assert all("12" in build.items[i].issue_keys for e in issue.order for i in issue.items[e])
    with pytest.raises(KgError) as e:
        viz.entity_map(build, issue="999")
    assert e.value.code == "E075"


def test_text_priority_and_budget(build):
    its = [f"i{k:02d}" for k in range(10)]                 # oldest first
    order = viz._text_priority(its)
    assert order[:3] == ["i09", "i08", "i07"] and sorted(order) == its
    assert order[3] == "i03"                                # then the middle of the rest
    m = viz.entity_map(build)
    ranked = [(e, m.items[e]) for e in m.order]
    everything = viz.choose_texts(build, ranked, budget=10 ** 9)
    assert everything == {i for _, its in ranked for i in its}
    budget = 3000
    some = viz.choose_texts(build, ranked, budget=budget)
    assert 0 < sum(len(build.items[i].text.encode()) for i in some) <= budget
    # round robin: the most-mentioned entity's latest item is in before anyone's second
    assert m.items[m.order[0]][-1] in some


# --------------------------------------------------------------------------- page

def page_json(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


def test_map_page_data_holds_every_entity_with_figures_events_and_sources(built, build, rdf, tmp_path):
    out = tmp_path / "m.html"
    res = viz.viz(str(built), str(out), max_nodes=5)
    data = page_json(out.read_text(encoding="utf-8"))
    assert data["mode"] == "map" and data["cap"] == 5 and res.nodes == 5
    labels = [n["label"] for n in data["nodes"]]
    assert len(labels) == res.total > 5                      # every entity, drawn or not
    from rdflib.namespace import RDF
    for n in data["nodes"]:
        e = next(x for x, r in build.entities.items() if r.label == n["label"] and r.aliases == n["al"])
        dated = [m for m in rdf.subjects(U(KG + "subject"), U(e))
                 if (m, RDF.type, U(KG + "Metric")) in rdf and rdf.value(m, U(KG + "date")) is not None]
        assert sum(1 for f in n["fg"] if data["figs"][f][0] >= 0) == len(dated)
        acting = {ev for ev in rdf.subjects(U("http://semanticweb.cs.vu.nl/2009/11/sem/hasActor"), U(e))}
        assert len(n["ev"]) == len(acting)
        assert len(n["it"]) == n["m"] == len(rdf_items_of(rdf, e))
        for k in n["it"]:
            date = data["items"]["d"][k]
            assert date == -1 or data["dates"][date] in {str(d) for i in rdf_items_of(rdf, e)
                                                         for d in rdf.objects(U(i), U(KG + "date"))} | \
                {str(d) for i in rdf_items_of(rdf, e) for iss in rdf.objects(U(i), U(KG + "inIssue"))
                 for d in rdf.objects(iss, U(SDO + "datePublished"))}
    texts = "".join(p.read_text(encoding="utf-8") for p in EXAMPLES.iterdir() if p.is_file())
    assert all(t is None or t in texts for t in data["items"]["t"])
    assert data["dates"] == sorted(data["dates"])
    for e in data["edges"]:
        assert len(e[3]) == sum(n for _, n in e[4])


def test_page_is_self_contained(built, tmp_path):
    for args in ({}, {"all_nodes": True}):
        out = tmp_path / "g.html"
        res = viz.viz(str(built), str(out), **args)
        page = out.read_text(encoding="utf-8")
        assert res.nodes > 15 and len(page_json(page)["nodes"]) >= res.nodes
        # no external script, stylesheet, image or import: nothing to fetch
        assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=", page, re.I)
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page, re.I)
        assert "<link" not in page.lower()
        js, css = viz._vis_assets()
        assert js[:2000] in page and css[:2000] in page       # vis-network inlined from pyvis
        assert "window.kgGraph" in page and "Noto Sans CJK SC" in page


def test_output_is_deterministic(built, tmp_path):
    for args in ({}, {"all_nodes": True, "fold_metrics": True}):
        a, b = tmp_path / "a.html", tmp_path / "b.html"
        viz.viz(str(built), str(a), **args)
        viz.viz(str(built), str(b), **args)
        assert a.read_bytes() == b.read_bytes()


def test_output_does_not_depend_on_the_hash_seed(built, tmp_path):
    """The same page from processes with different string hashing (a set of names iterated
    in hash order once moved the layout's random start)."""
    import os
    import subprocess
    import sys
    pages = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}.html"
        r = subprocess.run([sys.executable, "-m", "kg.cli", "viz", "-b", str(built.parent), "-o", str(out), "-q"],
                           cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert r.returncode == 0, r.stderr
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]


@pytest.mark.parametrize("all_nodes", [False, True])
def test_hostile_text_is_escaped(hostile, tmp_path, all_nodes):
    out = tmp_path / "h.html"
    viz.viz(str(hostile), str(out), title="<i>t</i> </script>", all_nodes=all_nodes)
    page = out.read_text(encoding="utf-8")
    # exactly the page's own three script elements open and close (vis-network's own code
    # holds a harmless "<script>" string literal)
    js, _ = viz._vis_assets()
    ours = page.replace(js, "")
    assert len(re.findall(r"<script\b", ours, re.I)) == 3
    assert len(re.findall(r"</script", page, re.I)) == 3
    assert "<img src=x" not in page and "<!--" not in page.split("<script", 1)[1]
    assert "\u2028" not in page and "<i>t</i>" not in page and "&lt;i&gt;t&lt;/i&gt;" in page
    data = page_json(page)
    text = json.dumps(data, ensure_ascii=False)
    assert '<img src=x onerror=\\"window.__xss=1\\">' in text      # kept as text, byte for byte
    assert "</script><script>window.__xss=2</script>" in text
    # the page builds every panel, result and legend entry from text, never from markup
    app = page.rsplit("<script>", 1)[1]
    assert "innerHTML" not in app and "insertAdjacentHTML" not in app and "title:" not in app
    assert "document.write" not in app and "eval(" not in app


def test_json_for_script_escapes_breakouts():
    s = viz.json_for_script({"a": "</script><!-- & \u2028\u2029 >"})
    assert not re.search(r"[<>&\u2028\u2029]", s)
    assert json.loads(s) == {"a": "</script><!-- & \u2028\u2029 >"}


def test_format_figure():
    assert viz.format_figure("48000000000", "USD") == "$48B"
    assert viz.format_figure("-9", "percent") == "-9%"
    assert viz.format_figure("2950", "USD") == "$2,950"
    assert viz.format_figure("46000000000", "CNY") == "46B CNY"
    assert viz.format_figure("1800", "count") == "1,800"


def test_plot_value_signs_changes_by_direction():
    fig = {"value": "3", "direction": "down", "qualifiers": ["change"]}
    assert viz._plot_value(fig) == -3
    assert viz._plot_value({**fig, "qualifiers": []}) == 3          # a level that fell to 3
    assert viz._plot_value({"value": "2.5", "direction": None, "qualifiers": []}) == 2.5
    assert viz._plot_value({"value": "n/a", "direction": None, "qualifiers": []}) is None


def test_layout_spreads_a_big_component():
    import networkx as nx
    G = nx.MultiDiGraph()
    for i in range(1, 600):
        G.add_edge(f"n{i}", f"n{(i - 1) // 3}")   # one tree of 600 nodes
    pos = viz.compute_layout(G)
    assert len(pos) == 600 and len(set(pos.values())) == 600
    xs = [p[0] for p in pos.values()]
    assert max(xs) - min(xs) > 500


def test_map_layout_keeps_drawn_nodes_apart(build):
    m = viz.entity_map(build)
    pos = viz.map_layout(m)
    assert set(pos) == set(m.order)
    import itertools
    import math
    for a, b in itertools.combinations(m.drawn, 2):
        d = math.dist(pos[a], pos[b])
        assert d >= viz.node_size(len(m.items[a])) + viz.node_size(len(m.items[b])) - 1


def test_default_out_names_the_view(tmp_path):
    g = str(tmp_path / "out" / "graph.ttl")
    base = tmp_path / "out"
    assert viz.default_out(g) == str(base / "graph.html")
    assert viz.default_out(g, all_nodes=True) == str(base / "graph-all.html")
    assert viz.default_out(g, focus="Microsoft Corp.", hops=1) == str(base / "graph-focus-microsoft-corp-1hops.html")
    assert viz.default_out(g, focus="微软") == str(base / "graph-focus-微软-2hops.html")
    assert viz.default_out(g, since="2026-01-01", until="2026-02-01") == \
        str(base / "graph-since-2026-01-01-until-2026-02-01.html")
    assert viz.default_out(g, max_nodes=50) == str(base / "graph-max50.html")
    assert viz.default_out(g, max_nodes=viz.DEFAULT_MAX_NODES) == str(base / "graph.html")
    long = viz.default_out(g, focus="x" * 300)
    assert len(Path(long).name) < 130 and long != viz.default_out(g, focus="x" * 299)


# ---------------------------------------------------------------------------- CLI

def cli():
    from kg.cli import cli as c
    return c


def test_cli_viz(built, tmp_path):
    out = tmp_path / "x.html"
    r = CliRunner().invoke(cli(), ["viz", "-b", str(built.parent), "-o", str(out), "--max-nodes", "10"])
    assert r.exit_code == 0, r.output
    assert "wrote" in r.stdout and "entity map, 10 of" in r.stdout
    assert "most-mentioned" in r.stderr and "search" in r.stderr
    data = page_json(out.read_text(encoding="utf-8"))
    assert data["cap"] == 10 and len(data["nodes"]) > 10
    r = CliRunner().invoke(cli(), ["viz", "-b", str(built.parent), "-o", str(out), "--all", "--max-nodes", "10",
                                   "--fold-metrics"])
    assert r.exit_code == 0, r.output
    assert "10 of" in r.stdout and "dropped" in r.stderr
    assert len(page_json(out.read_text(encoding="utf-8"))["nodes"]) == 10


def test_cli_viz_default_file_never_lands_on_another_view(built, tmp_path):
    import shutil
    g = tmp_path / "b" / "graph.ttl"
    g.parent.mkdir()
    shutil.copy(built, g)
    run = lambda *a: CliRunner().invoke(cli(), ["viz", "-b", str(g.parent), *a])  # noqa: E731
    r = run()
    assert r.exit_code == 0 and f"wrote {g.parent / 'graph.html'}" in r.stdout
    r = run("--focus", "Microsoft")
    assert r.exit_code == 0 and "graph-focus-microsoft-2hops.html" in r.stdout and "[W030]" not in r.stderr
    r = run("--all")
    assert r.exit_code == 0 and "graph-all.html" in r.stdout
    assert sorted(p.name for p in g.parent.glob("*.html")) == [
        "graph-all.html", "graph-focus-microsoft-2hops.html", "graph.html"]
    r = run()                                          # the same view again: an update
    assert r.exit_code == 0 and "[W030]" not in r.stderr
    # a page asked for with -o over another view: the command says what it replaced
    r = run("--focus", "Nvidia", "-o", str(g.parent / "graph.html"))
    assert r.exit_code == 0 and "[W030]" in r.stderr and "entity map" in r.stderr
    r = run("-o", str(g.parent / "graph.html"))
    assert "[W030]" in r.stderr and "focus Nvidia (2 hops)" in r.stderr
    (g.parent / "notes.html").write_text("<p>mine</p>", encoding="utf-8")
    r = run("-o", str(g.parent / "notes.html"))
    assert "[W030]" in r.stderr and "did not write" in r.stderr
    r = run("--fold-metrics")
    assert r.exit_code == 0 and "[W031]" in r.stderr


@pytest.mark.parametrize("args,code", [
    (["-b", "missing"], "E160"),
    (["--focus", "No Such Co"], "E074"),
    (["--types", "Bogus"], "E073"),
    (["--types", "Event"], "E080"),
    (["--max-nodes", "0"], "E077"),
    (["--since", "2026-04-01", "--until", "2026-03-01"], "E078"),
])
def test_cli_viz_errors(built, tmp_path, args, code):
    base = ["viz", "-b", str(built.parent), "-o", str(tmp_path / "y.html")]
    r = CliRunner().invoke(cli(), base + args)
    assert r.exit_code == 1 and f"[{code}]" in r.output
    assert len(r.output.strip().splitlines()) == 1 and "Traceback" not in r.output
    assert not (tmp_path / "y.html").exists()
