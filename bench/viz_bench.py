"""Benchmark for `kg viz`: synthetic graphs of about 500 and 5,000 nodes -> HTML -> headless
Chromium; prints the time to interactive and the HTML size.

    .venv/bin/python bench/viz_bench.py [--sizes 500,5000] [--runs 3] [--keep DIR]

A graph is written as Turtle with the same vocabulary and shapes `kg build` emits
(entities with aliases, items in issues reported by outlets, events with actors and
metrics, metrics with subjects, evidence spans), with Zipf-distributed actors so that a
few hubs collect many edges, as in real news. Time to interactive is measured in the page:
navigation start (performance.timeOrigin) to `window.kgReady`, which the page sets on the
first `afterDrawing` of the network (the laid-out graph on the canvas). The page is opened
from file:// with every other request aborted. Not a test: it prints figures.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from offline_page import CHROMIUM_ARGS, open_offline  # noqa: E402

ENTITY_TYPES = ["Organization"] * 6 + ["Person", "Place", "Product", "Index", "Asset"]
EVENT_TYPES = ["StockMove", "EarningsReport", "Funding", "Acquisition", "ProductRelease",
               "MarketMove", "Partnership", "CapitalExpenditure"]
MEASURES = [("revenue", "USD"), ("price", "percent"), ("capex", "USD"), ("valuation", "USD"),
            ("layoffs", "count"), ("share_price", "percent")]


def synthetic_graph(n_nodes: int, seed: int = 1):
    """An rdflib Graph with about n_nodes viz nodes: 20% entities (20 of them outlets),
    35% events, 45% metrics."""
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

    B = "https://w3id.org/newskg/"
    KG = Namespace(B + "ontology#")
    SDO = Namespace("https://schema.org/")
    SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
    QUDT = Namespace("http://qudt.org/schema/qudt/")
    rnd = random.Random(seed)
    g = Graph()
    n_ent = max(30, n_nodes // 5)
    n_out = 20
    n_ev = int(n_nodes * 0.35)
    n_met = n_nodes - n_ent - n_ev
    ents = []
    for i in range(n_ent - n_out):
        e = URIRef(f"{B}entity/e{i}")
        t = rnd.choice(ENTITY_TYPES)
        g.add((e, RDF.type, KG.Entity)); g.add((e, RDF.type, KG[t]))
        g.add((e, RDFS.label, Literal(f"Company {i}" if t == "Organization" else f"{t} {i}")))
        g.add((e, SKOS.prefLabel, Literal(f"公司{i}", lang="zh")))
        g.add((e, SKOS.altLabel, Literal(f"Co{i} Inc.", lang="en")))
        ents.append(e)
    outlets = []
    for i in range(n_out):
        o = URIRef(f"{B}entity/outlet{i}")
        g.add((o, RDF.type, KG.Entity)); g.add((o, RDF.type, KG.Outlet))
        g.add((o, RDFS.label, Literal(f"Outlet {i}")))
        outlets.append(o)
    weights = [1 / (r + 1) for r in range(len(ents))]            # Zipf: a few hubs
    n_issues = max(1, n_ev // 10)
    issues = []
    for k in range(n_issues):
        iss = URIRef(f"{B}issue/synthetic/{k + 1}")
        g.add((iss, RDF.type, KG.Issue)); g.add((iss, SDO.issueNumber, Literal(k + 1)))
        g.add((iss, SDO.isPartOf, URIRef(B + "newsletter/synthetic")))
        issues.append(iss)
    g.add((URIRef(B + "newsletter/synthetic"), SDO.name, Literal("Synthetic Weekly")))
    metrics_left = n_met
    for j in range(n_ev):
        iss = issues[j % n_issues]
        item = URIRef(f"{iss}/item/en-{j // n_issues + 1}")
        day = f"2026-{1 + (j * 7) % 12:02d}-{1 + (j * 13) % 28:02d}"
        actor = rnd.choices(ents, weights)[0]
        other = rnd.choices(ents, weights)[0]
        text = (f"{g.value(actor, RDFS.label)} and {g.value(other, RDFS.label)} did something "
                f"newsworthy on {day}, reported with a figure or two.")
        g.add((item, RDF.type, KG.Item)); g.add((item, KG.inIssue, iss))
        g.add((item, SDO.text, Literal(text, lang="en"))); g.add((item, KG.date, Literal(day, datatype=XSD.date)))
        g.add((item, KG.reportedBy, rnd.choice(outlets)))
        g.add((item, SDO.mentions, actor)); g.add((item, SDO.mentions, other))
        span = URIRef(f"{item}/span/0-{len(text)}")
        g.add((span, RDF.type, KG.Evidence)); g.add((span, KG.text, Literal(text)))
        g.add((span, PROV.wasDerivedFrom, item))
        ev = URIRef(f"{B}event/{j:08x}")
        et = rnd.choice(EVENT_TYPES)
        g.add((ev, RDF.type, KG.Event)); g.add((ev, RDF.type, KG[et]))
        g.add((ev, RDFS.label, Literal(f"{g.value(actor, RDFS.label)} {et} {day}")))
        g.add((ev, SEM.hasActor, actor))
        if rnd.random() < 0.3:
            g.add((ev, SEM.hasActor, other))
        g.add((ev, KG.date, Literal(day, datatype=XSD.date)))
        g.add((ev, PROV.wasDerivedFrom, item)); g.add((ev, KG.evidence, span))
        n_m = min(metrics_left, 1 if j % 3 else 2) if j < n_ev - 1 else metrics_left
        for q in range(n_m):
            m = URIRef(f"{B}metric/{j:08x}{q}")
            measure, unit = rnd.choice(MEASURES)
            val = rnd.randint(1, 900) * (10 ** 8 if unit == "USD" else 1)
            g.add((m, RDF.type, KG.Metric)); g.add((m, RDFS.label, Literal(f"m {j} {q}")))
            g.add((m, KG.value, Literal(str(val), datatype=XSD.decimal)))
            g.add((m, QUDT.unit, URIRef("http://qudt.org/vocab/unit/PERCENT") if unit == "percent" else
                   URIRef("http://qudt.org/vocab/unit/NUM") if unit == "count" else
                   URIRef("http://qudt.org/vocab/currency/USD")))
            g.add((m, KG.measure, Literal(measure))); g.add((m, KG.subject, actor))
            g.add((m, KG.date, Literal(day, datatype=XSD.date)))
            g.add((m, PROV.wasDerivedFrom, item)); g.add((m, KG.evidence, span))
            g.add((ev, KG.hasMetric, m)); g.add((m, KG.event, ev))
        metrics_left -= n_m
    return g


def time_to_interactive(browser, html: Path) -> float:
    opened = open_offline(browser, html, {"width": 1400, "height": 900}, 120000)
    ms = opened.page.evaluate("window.kgReady")
    n = opened.page.evaluate("window.kgGraph.nodeCount")
    opened.close()
    if opened.attempted:
        raise SystemExit(f"the page asked for the network: {opened.attempted[:3]}")
    return ms, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="500,5000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", default=None, help="Folder to keep the Turtle and HTML files in.")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from kg import viz
    folder = Path(a.keep or tempfile.mkdtemp(prefix="kg-viz-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=a.chromium, args=CHROMIUM_ARGS)
        for size in (int(s) for s in a.sizes.split(",")):
            g = synthetic_graph(size)
            ttl = folder / f"graph-{size}.ttl"
            ttl.write_bytes(g.serialize(format="turtle", encoding="utf-8"))
            html = folder / f"graph-{size}.html"
            t0 = time.perf_counter()
            rdf = viz.load_graph(str(ttl))
            t1 = time.perf_counter()
            G = viz.project(rdf)
            t2 = time.perf_counter()
            pos = viz.compute_layout(G)
            t3 = time.perf_counter()
            page = viz.render_html(G, pos, title=f"synthetic {size}")
            html.write_text(page, encoding="utf-8")
            t4 = time.perf_counter()
            tti, n = [], 0
            for _ in range(a.runs):
                ms, n = time_to_interactive(browser, html)
                tti.append(ms)
            rows.append((n, G.number_of_edges(), html.stat().st_size, t1 - t0, t2 - t1, t3 - t2, t4 - t3,
                         statistics.median(tti), max(tti)))
        browser.close()
    print(f"{'nodes':>6} {'edges':>6} {'HTML MB':>8} {'parse s':>8} {'project s':>9} {'layout s':>8} "
          f"{'render s':>8} {'TTI ms (median)':>16} {'TTI ms (max)':>13}")
    for r in rows:
        print(f"{r[0]:>6} {r[1]:>6} {r[2] / 1e6:>8.2f} {r[3]:>8.2f} {r[4]:>9.2f} {r[5]:>8.2f} {r[6]:>8.2f} "
              f"{r[7]:>16.0f} {r[8]:>13.0f}")
    print(f"(files in {folder}; TTI = navigation start to the first drawing of the laid-out network, "
          f"headless Chromium, {a.runs} runs)")


if __name__ == "__main__":
    main()
