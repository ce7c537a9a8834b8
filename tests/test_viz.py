"""kg viz without a browser: the projection, its filters, fold-metrics, max-nodes, the
escaping of hostile text and the self-contained page. Graphs are built from the shipped
examples and a hostile issue, with a small gazetteer of our own (rules only, no model)."""
from __future__ import annotations

import json
import re
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
def rdf(built):
    return viz.load_graph(str(built))


@pytest.fixture(scope="module")
def full(rdf):
    return viz.project_all(rdf)


def by_label(G, label):
    hits = [n for n, d in G.nodes(data=True) if d["label"] == label]
    assert hits, f"no node {label!r}"
    return hits[0]


# ---------------------------------------------------------------------- projection

def test_projection_has_entities_events_metrics_with_attributes(full):
    types = {d["type"] for _, d in full.nodes(data=True)}
    assert {"Organization", "Index", "Asset", "Outlet", "Event", "Metric"} <= types
    ms = full.nodes[by_label(full, "Microsoft")]
    assert "微软" in ms["aliases"] and "Microsoft Corp." in ms["aliases"]
    assert ms["mentions"] >= 3                       # 470 en + zh, chip-digest
    assert ms["dates"] and all(re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", x) for x in ms["dates"])
    # an entity's figures are those of the metrics about it
    about = [m for m, _, d in full.in_edges(by_label(full, "Microsoft"), data=True) if d["label"] == "subject"]
    assert about and ms["figures"] == [full.nodes[m]["figures"][0] for m in sorted(about)][:viz.MAX_FIGURES]
    # every source names its outlet and issue, and its text is exactly in an example file
    texts = "".join(p.read_text(encoding="utf-8") for p in EXAMPLES.iterdir() if p.is_file())
    for s in ms["sources"]:
        assert s["issue"] and s["text"] in texts
    assert any(s["outlet"] == "Bloomberg" and s["issue"] == "AI Weekly #470" for s in ms["sources"])


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


def test_event_evidence_is_exact_text_and_figures(full):
    texts = "".join(p.read_text(encoding="utf-8") for p in EXAMPLES.iterdir() if p.is_file())
    events = [n for n, d in full.nodes(data=True) if d["type"] == "Event"]
    assert events
    for ev in events:
        d = full.nodes[ev]
        assert d["sources"] and all(s["text"] and s["text"] in texts and s["issue"] for s in d["sources"])
        metrics = sorted(v for _, v, e in full.out_edges(ev, data=True) if e["label"] == "hasMetric")
        assert d["figures"] == [full.nodes[m]["figures"][0] for m in metrics][:viz.MAX_FIGURES]
    assert any(d["figures"] for _, d in full.nodes(data=True) if d["type"] == "Event")


# ------------------------------------------------------------------------- filters

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


# --------------------------------------------------------------------------- page

def page_json(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


def test_page_is_self_contained(built, tmp_path):
    out = tmp_path / "g.html"
    res = viz.viz(str(built), str(out))
    page = out.read_text(encoding="utf-8")
    assert res.nodes == len(page_json(page)["nodes"]) > 50
    # no external script, stylesheet, image or import: nothing to fetch
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=", page, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page, re.I)
    assert "<link" not in page.lower()
    js, css = viz._vis_assets()
    assert js[:2000] in page and css[:2000] in page       # vis-network inlined from pyvis
    assert "window.kgGraph" in page


def test_output_is_deterministic(built, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    viz.viz(str(built), str(a), fold_metrics=True)
    viz.viz(str(built), str(b), fold_metrics=True)
    assert a.read_bytes() == b.read_bytes()


def test_hostile_text_is_escaped(hostile, tmp_path):
    out = tmp_path / "h.html"
    viz.viz(str(hostile), str(out), title="<i>t</i> </script>")
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
    # the page builds every tooltip, result and legend entry from text, never from markup
    app = page.rsplit("<script>", 1)[1]
    assert "innerHTML" not in app and "insertAdjacentHTML" not in app and "title:" not in app


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


def test_layout_spreads_a_big_component():
    import networkx as nx
    G = nx.MultiDiGraph()
    for i in range(1, 600):
        G.add_edge(f"n{i}", f"n{(i - 1) // 3}")   # one tree of 600 nodes
    pos = viz.compute_layout(G)
    assert len(pos) == 600 and len(set(pos.values())) == 600
    xs = [p[0] for p in pos.values()]
    assert max(xs) - min(xs) > 500


# ---------------------------------------------------------------------------- CLI

def test_cli_viz(built, tmp_path):
    out = tmp_path / "x.html"
    r = CliRunner().invoke(__import__("kg.cli", fromlist=["cli"]).cli,
                           ["viz", "-b", str(built.parent), "-o", str(out), "--max-nodes", "10", "--fold-metrics"])
    assert r.exit_code == 0, r.output
    assert "wrote" in r.stdout and "10 of" in r.stdout
    assert "dropped" in r.stderr and "most-mentioned" in r.stderr
    data = page_json(out.read_text(encoding="utf-8"))
    assert len(data["nodes"]) == 10 and "dropped" in data["notice"]


@pytest.mark.parametrize("args,code", [
    (["-b", "missing"], "E160"),
    (["--focus", "No Such Co"], "E074"),
    (["--types", "Bogus"], "E073"),
    (["--max-nodes", "0"], "E077"),
    (["--since", "2026-04-01", "--until", "2026-03-01"], "E078"),
])
def test_cli_viz_errors(built, tmp_path, args, code):
    from kg.cli import cli
    base = ["viz", "-b", str(built.parent), "-o", str(tmp_path / "y.html")]
    r = CliRunner().invoke(cli, base + args)
    assert r.exit_code == 1 and f"[{code}]" in r.output
    assert len(r.output.strip().splitlines()) == 1 and "Traceback" not in r.output
    assert not (tmp_path / "y.html").exists()
