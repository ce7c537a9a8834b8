"""kg viz in a real browser: headless Chromium (Debian's `chromium`) driven by Playwright,
the page opened from file:// with every non-file request aborted. Skips when Playwright or
the browser is missing (CI installs both)."""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from kg import viz

from test_viz import EXAMPLES, HOSTILE, build_graph, write_gazetteer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from offline_page import CHROMIUM_ARGS, open_offline  # noqa: E402

CHROMIUM = os.environ.get("KG_CHROMIUM") or "/usr/bin/chromium"


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
def page_file(tmp_path_factory):
    """The examples plus a hostile issue, built and drawn."""
    d = tmp_path_factory.mktemp("vizb")
    src = d / "hostile-9.txt"
    src.write_text(HOSTILE, encoding="utf-8")
    graph = build_graph([EXAMPLES, src], d / "out", write_gazetteer(d / "gaz.tsv"))
    out = d / "graph.html"
    res = viz.viz(str(graph), str(out))
    return out, res


@pytest.fixture
def opened(browser, page_file):
    out, _ = page_file
    page = open_offline(browser, out, {"width": 1280, "height": 800}, 30000)
    yield page
    page.close()


NONBLANK = """() => {
  const c = document.querySelector('#kg-graph canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n;
}"""


def node_xy(page, node_id):
    return page.evaluate("""(id) => {
      const net = window.kgGraph.network, p = net.canvasToDOM(net.getPositions([id])[id]);
      const r = document.querySelector('#kg-graph').getBoundingClientRect();
      return [r.left + p.x, r.top + p.y];
    }""", node_id)


def test_page_renders_offline_and_runs_no_injected_code(opened, page_file, tmp_path):
    page = opened.page
    _, res = page_file
    assert page.evaluate("window.kgGraph.nodeCount") == res.nodes > 50
    assert page.evaluate("window.kgGraph.network.body.data.nodes.length") == res.nodes
    assert page.evaluate("window.kgGraph.edgeCount") == res.edges
    assert page.evaluate(NONBLANK) > 2000                    # the canvas has been drawn on
    assert page.evaluate("document.querySelectorAll('#kg-types input[type=checkbox]').length") >= 6
    # hover a node from the hostile issue: its tooltip shows the markup as text
    nid = page.evaluate("""() => window.kgGraph.data.nodes.find(
        n => n.sources.some(s => s.text.includes('window.__xss=1'))).id""")
    page.evaluate("(id) => window.kgGraph.network.focus(id, {scale: 1.5, animation: false})", nid)
    page.wait_for_timeout(100)
    x, y = node_xy(page, nid)
    page.mouse.move(x, y)
    page.wait_for_selector("#kg-tip", state="visible", timeout=5000)
    tip = page.inner_text("#kg-tip")
    assert "<img src=x onerror" in tip
    assert page.evaluate("document.querySelectorAll('#kg-tip *:not(div):not(span):not(ul):not(li)').length") == 0
    page.screenshot(path=str(tmp_path / "tooltip.png"))
    # no injected script or handler ran, nothing asked for the network, no page error
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("document.querySelectorAll('img, iframe, #kg-graph script').length") == 0
    assert opened.attempted == []
    assert opened.errors == []


def test_search_box_focuses_a_node_by_chinese_alias(opened, tmp_path):
    page = opened.page
    page.fill("#kg-search", "微软")
    assert page.is_visible("#kg-results button")
    assert page.inner_text("#kg-results button >> nth=0").startswith("Microsoft")
    page.press("#kg-search", "Enter")
    focused = page.evaluate("window.kgGraph.focused")
    assert page.evaluate("(id) => window.kgGraph.node(id).label", focused) == "Microsoft"
    assert page.evaluate("window.kgGraph.network.getSelectedNodes()") == [focused]
    # the neighbourhood is highlighted, the rest dimmed
    hl = page.evaluate("window.kgGraph.highlighted")
    assert focused in hl and len(hl) > 1
    page.wait_for_timeout(600)                                # focus animation
    x, y = node_xy(page, focused)
    assert 0 < x < 1280 - 230 and 44 < y < 800               # on screen, in the graph pane
    page.screenshot(path=str(tmp_path / "search.png"))
    assert page.evaluate("window.__xss") is None and opened.attempted == [] and opened.errors == []


def test_type_checkbox_hides_and_shows_nodes(opened):
    page = opened.page
    total = page.evaluate("window.kgGraph.visibleCount()")
    n_metric = page.evaluate("window.kgGraph.data.nodes.filter(n => n.type === 'Metric').length")
    assert n_metric > 0
    page.uncheck("#kg-types input[data-type=Metric]")
    assert page.evaluate("window.kgGraph.visibleCount()") == total - n_metric
    page.check("#kg-types input[data-type=Metric]")
    assert page.evaluate("window.kgGraph.visibleCount()") == total


def test_click_highlights_neighbourhood(opened):
    page = opened.page
    nid = page.evaluate("""() => window.kgGraph.data.nodes.find(n => n.label === 'Nvidia').id""")
    page.evaluate("(id) => window.kgGraph.network.focus(id, {scale: 3, animation: false})", nid)
    x, y = node_xy(page, nid)
    page.mouse.click(x, y)
    # the node under the pointer (Nvidia, unless a neighbour is drawn on top of it)
    sel = page.evaluate("window.kgGraph.network.getSelectedNodes()")
    assert len(sel) == 1
    hl = page.evaluate("window.kgGraph.highlighted")
    assert set(hl) == {sel[0]} | set(page.evaluate("(id) => window.kgGraph.network.getConnectedNodes(id)", sel[0]))
    assert len(hl) > 1
    page.mouse.click(5, 790)                                  # the background clears it
    assert page.evaluate("window.kgGraph.highlighted") is None
