"""kg viz in a real browser: headless Chromium (Debian's `chromium`) driven by Playwright,
the page opened from file:// with every non-file request aborted. Expected values come
from the Turtle (rdflib), not from the page's own data. Skips when Playwright or the
browser is missing (CI installs both)."""
from __future__ import annotations

import itertools
import os
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from kg import viz

from test_viz import EXAMPLES, HOSTILE, KG, SDO, U, build_graph, write_gazetteer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from offline_page import CHROMIUM_ARGS, open_offline  # noqa: E402

CHROMIUM = os.environ.get("KG_CHROMIUM") or "/usr/bin/chromium"
VIEW = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def browser():
    pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium)")
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    """The examples plus a hostile issue, built."""
    d = tmp_path_factory.mktemp("vizb")
    src = d / "hostile-9.txt"
    src.write_text(HOSTILE, encoding="utf-8")
    return build_graph([EXAMPLES, src], d / "out", write_gazetteer(d / "gaz.tsv"))


@pytest.fixture(scope="module")
def rdf(graph):
    from rdflib import Graph
    return Graph().parse(str(graph), format="turtle")


def items_of(rdf, e):
    return {i for i in rdf.subjects(U(SDO + "mentions"), e)} | {i for i in rdf.subjects(U(KG + "reportedBy"), e)}


def entities(rdf):
    """{label: (iri, type, item count)} for every entity."""
    from rdflib.namespace import RDF, RDFS
    out = {}
    for e in rdf.subjects(RDF.type, U(KG + "Entity")):
        t = next(str(t)[len(KG):] for t in rdf.objects(e, RDF.type) if str(t) != KG + "Entity")
        out[str(rdf.value(e, RDFS.label))] = (e, t, len(items_of(rdf, e)))
    return out


def write(graph, tmp_path_factory, name, **kw):
    out = tmp_path_factory.mktemp(name) / "graph.html"
    return out, viz.viz(str(graph), str(out), **kw)


@pytest.fixture(scope="module")
def map_file(graph, tmp_path_factory):
    return write(graph, tmp_path_factory, "map")


@pytest.fixture(scope="module")
def capped_file(graph, tmp_path_factory):
    return write(graph, tmp_path_factory, "capped", max_nodes=6)


@pytest.fixture(scope="module")
def full_file(graph, tmp_path_factory):
    return write(graph, tmp_path_factory, "full", all_nodes=True)


def opened_page(browser, path):
    return open_offline(browser, path, VIEW, 30000)


@pytest.fixture
def opened(browser, map_file):
    page = opened_page(browser, map_file[0])
    yield page
    page.close()


def node_id(page, label):
    return page.evaluate("(l) => window.kgGraph.data.nodes.findIndex(n => n.label === l)", label)


def node_xy(page, nid):
    return page.evaluate("""(id) => {
      const net = window.kgGraph.network, p = net.canvasToDOM(net.getPositions([id])[id]);
      const r = document.querySelector('#kg-graph').getBoundingClientRect();
      return [r.left + p.x, r.top + p.y];
    }""", nid)


def click_node(page, nid):
    page.evaluate("(id) => window.kgGraph.network.focus(id, {scale: 2.5, animation: false})", nid)
    page.wait_for_timeout(50)
    x, y = node_xy(page, nid)
    page.mouse.click(x, y)
    page.wait_for_timeout(50)


NONBLANK = """() => {
  const c = document.querySelector('#kg-graph canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n;
}"""

INK = """(b) => {           // dark pixels inside a label's box: the text was drawn there
  const c = document.querySelector('#kg-graph canvas'), r = window.devicePixelRatio || 1;
  const d = c.getContext('2d').getImageData(Math.floor(b.x0 * r), Math.floor(b.y0 * r),
      Math.max(1, Math.ceil((b.x1 - b.x0) * r)), Math.max(1, Math.ceil((b.y1 - b.y0) * r))).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && d[i] < 90 && d[i + 1] < 90 && d[i + 2] < 90) n++;
  return n;
}"""


def test_page_renders_offline_and_runs_no_injected_code(opened, map_file, tmp_path):
    page = opened.page
    _, res = map_file
    assert page.evaluate("window.kgGraph.nodeCount") == res.nodes > 15
    assert page.evaluate("window.kgGraph.network.body.data.nodes.length") == res.nodes
    assert page.evaluate("window.kgGraph.edgeCount") == res.edges
    assert page.evaluate(NONBLANK) > 2000                    # the canvas has been drawn on
    # the panel of an entity from the hostile issue shows its markup as text
    click_node(page, node_id(page, "Microsoft"))
    assert page.inner_text("#kg-panel h2") == "Microsoft"
    panel = page.inner_text("#kg-panel")
    assert "<img src=x onerror" in panel
    assert page.evaluate("document.querySelectorAll('#kg-panel img, #kg-panel script, #kg-panel iframe').length") == 0
    page.screenshot(path=str(tmp_path / "panel.png"))
    # no injected script or handler ran, nothing asked for the network, no page error
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("document.querySelectorAll('img, iframe, #kg-graph script').length") == 0
    assert opened.attempted == [] and opened.errors == []


def test_first_view_shows_readable_labels_for_the_top_entities(opened, rdf, tmp_path):
    page = opened.page
    ents = entities(rdf)
    top = sorted((lab for lab, (_, t, n) in ents.items() if t != "Outlet"), key=lambda lab: (-ents[lab][2], lab))[:8]
    labels = page.evaluate("window.kgGraph.labels()")
    page.screenshot(path=str(tmp_path / "first-view.png"))
    shown = {lab["label"]: lab for lab in labels}
    assert set(top) <= set(shown), f"top entities without a label: {set(top) - set(shown)}"
    pane = page.evaluate("[document.querySelector('#kg-graph').clientWidth, document.querySelector('#kg-graph').clientHeight]")
    for lab in labels:                                       # readable size, inside the pane
        assert lab["px"] >= 12 and 0 <= lab["x0"] < lab["x1"] <= pane[0] and 0 <= lab["y0"] < lab["y1"] <= pane[1]
    for a, b in itertools.combinations(labels, 2):           # no two labels overlap
        assert a["x1"] <= b["x0"] or b["x1"] <= a["x0"] or a["y1"] <= b["y0"] or b["y1"] <= a["y0"], (a, b)
    for lab in top:                                          # and the text is on the canvas
        assert page.evaluate(INK, shown[lab]) > 15, lab
    font = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--kg-font')")
    assert "Noto Sans CJK SC" in font and "Microsoft YaHei" in font


def test_search_brings_in_an_entity_that_is_not_drawn(browser, capped_file, rdf, tmp_path):
    from rdflib.namespace import RDFS, SKOS
    path, res = capped_file
    opened = opened_page(browser, path)
    page = opened.page
    try:
        assert page.evaluate("window.kgGraph.nodeCount") == res.nodes == 6
        assert page.evaluate("window.kgGraph.hiddenCount()") > 0
        assert "not drawn" in page.inner_text("#kg-notice")
        drawn = set(page.evaluate("window.kgGraph.drawnIds()"))
        drawn_labels = {page.evaluate("(i) => window.kgGraph.node(i).label", i) for i in drawn}
        # an entity with a Chinese alias that is not among the first six (rdflib's view)
        ents = entities(rdf)
        zh = {str(rdf.value(e, RDFS.label)): str(a) for e in (v[0] for v in ents.values())
              for a in rdf.objects(e, SKOS.prefLabel) if getattr(a, "language", None) == "zh"}
        name = min((lab for lab in zh if lab not in drawn_labels and ents[lab][1] != "Outlet" and ents[lab][2]),
                   key=lambda lab: (ents[lab][2], lab))
        target = node_id(page, name)
        assert target not in drawn
        page.fill("#kg-search", zh[name])                    # by its Chinese alias
        first = page.inner_text("#kg-results button >> nth=0")
        assert first.startswith(name) and "not drawn" in first
        page.press("#kg-search", "Enter")
        page.wait_for_timeout(600)                           # the fit animation
        now = set(page.evaluate("window.kgGraph.drawnIds()"))
        assert target in now and page.evaluate("window.kgGraph.selected") == target
        nbrs = set(page.evaluate("""(id) => window.kgGraph.data.edges.filter(e => e[0] === id || e[1] === id)
                                        .map(e => e[0] === id ? e[1] : e[0])""", target))
        assert nbrs and nbrs <= now                          # with its neighbours
        # the neighbours are those it shares items with (rdflib)
        mine = items_of(rdf, ents[name][0])
        for j in nbrs:
            lab = page.evaluate("(j) => window.kgGraph.node(j).label", j)
            assert mine & items_of(rdf, ents[lab][0])
        x, y = node_xy(page, target)
        assert 0 < x < VIEW["width"] - 380 and 48 < y < VIEW["height"]    # on screen, in the graph pane
        assert page.inner_text("#kg-panel h2") == name
        assert any(lab.get("id") == target for lab in page.evaluate("window.kgGraph.labels()"))
        page.screenshot(path=str(tmp_path / "search.png"))
        assert opened.attempted == [] and opened.errors == []
    finally:
        opened.close()


def test_clicking_a_node_with_figures_shows_one_point_per_dated_figure(opened, rdf, tmp_path):
    from rdflib.namespace import RDF
    page = opened.page
    ents = entities(rdf)
    dated = {lab: [str(d) for m in rdf.subjects(U(KG + "subject"), e) if (m, RDF.type, U(KG + "Metric")) in rdf
                   for d in [rdf.value(m, U(KG + "date"))] if d is not None]
             for lab, (e, t, _) in ents.items() if t != "Outlet"}
    label = max(dated, key=lambda lab: (len(dated[lab]), lab))
    assert len(dated[label]) >= 3
    click_node(page, node_id(page, label))
    assert page.inner_text("#kg-panel h2") == label
    points = page.evaluate("Array.from(document.querySelectorAll('#kg-panel svg circle.kg-pt')).map(c => c.getAttribute('data-date'))")
    assert Counter(points) == Counter(dated[label])
    assert page.evaluate("document.querySelectorAll('#kg-panel .kg-chart').length") >= 1
    page.screenshot(path=str(tmp_path / "chart.png"))


def test_period_filter_resizes_and_filters(opened, rdf):
    page = opened.page
    ents = entities(rdf)
    day = "2026-03-24"

    def in_day(e):
        n = 0
        for i in items_of(rdf, e):
            d = rdf.value(i, U(KG + "date"))
            if d is None:
                d = rdf.value(rdf.value(i, U(KG + "inIssue")), U(SDO + "datePublished"))
            n += str(d) == day
        return n

    before = page.evaluate("window.kgGraph.nodeCount")
    page.fill("#kg-from", day)
    page.fill("#kg-to", day)
    page.dispatch_event("#kg-to", "change")
    drawn = page.evaluate("window.kgGraph.drawnIds().map(i => [window.kgGraph.node(i).label, window.kgGraph.periodMentions(i)])")
    assert 0 < len(drawn) < before
    expected = {lab for lab, (e, t, _) in ents.items() if t != "Outlet" and in_day(e)}
    assert {lab for lab, _ in drawn} == expected
    for lab, n in drawn:
        assert n == in_day(ents[lab][0])
    page.click("#kg-all-time")
    assert page.evaluate("window.kgGraph.nodeCount") == before


def test_type_checkboxes(opened, rdf):
    page = opened.page
    ents = entities(rdf)
    n_outlets = sum(1 for _, t, n in ents.values() if t == "Outlet" and n)
    total = page.evaluate("window.kgGraph.nodeCount")
    assert not page.is_checked("#kg-types input[data-type=Outlet]")     # outlets start unticked
    page.check("#kg-types input[data-type=Outlet]")
    assert page.evaluate("window.kgGraph.nodeCount") == total + n_outlets
    n_index = sum(1 for _, t, n in ents.values() if t == "Index" and n)
    page.uncheck("#kg-types input[data-type=Index]")
    assert page.evaluate("window.kgGraph.nodeCount") == total + n_outlets - n_index


def test_full_view_still_works(browser, full_file, tmp_path):
    path, res = full_file
    opened = opened_page(browser, path)
    page = opened.page
    try:
        assert page.evaluate("window.kgGraph.nodeCount") == res.nodes > 100
        assert page.evaluate("window.kgGraph.edgeCount") == res.edges
        assert page.evaluate(NONBLANK) > 2000
        metric = page.evaluate("window.kgGraph.data.nodes.findIndex(n => n.type === 'Metric' && n.sp.length)")
        click_node(page, metric)
        assert page.evaluate("window.kgGraph.selected") is not None
        assert "Evidence" in page.inner_text("#kg-panel") or "Figures" in page.inner_text("#kg-panel")
        page.screenshot(path=str(tmp_path / "full.png"))
        assert page.evaluate("window.__xss") is None and opened.attempted == [] and opened.errors == []
    finally:
        opened.close()
