"""SPARQL benchmark: the named queries (kg/queries/*.rq) on a synthetic graph of about 1M
triples, with pyoxigraph (the `kg query` store) and with rdflib. Prints figures; not a test.

The graph is generated directly as RDF in the shape kg/rdf.py emits (newsletters, issues,
bilingual items with offsets, entities with labels/aliases/tickers, metrics with units,
qualifiers, evidence spans and sources, events with actors and metrics, a few explicit
kg:conflictsWith), with Zipf-distributed mentions so a few entities (Microsoft, Nvidia, ...)
collect most facts, as in real newsletters. Entity names come from the gazetteer, plus a
long tail of invented ones. Deterministic for a given --seed.

    .venv/bin/python bench/query_bench.py                      # ~1M triples, 5 oxigraph runs, 1 rdflib run
    .venv/bin/python bench/query_bench.py --issues 100 --rdflib-runs 3
    .venv/bin/python bench/query_bench.py --no-rdflib          # oxigraph only (fast)

The graph is written as N-Triples (valid Turtle) to DIR/graph.ttl and loaded through
`kg.query.open_store(DIR)`, the same path `kg query -o DIR` takes. rdflib runs each query in
a forked child with a time cap (--rdflib-cap seconds): a query that hits the cap is
reported as "> cap".
"""
from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg import gazetteer as gz  # noqa: E402
from kg import query as q  # noqa: E402

B = "https://w3id.org/newskg/"
KG = "https://w3id.org/newskg/ontology#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SDO = "https://schema.org/"
PROV_DER = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
XSD = "http://www.w3.org/2001/XMLSchema#"
QUDT_UNIT = "<http://qudt.org/schema/qudt/unit>"
SEM_ACTOR = "<http://semanticweb.cs.vu.nl/2009/11/sem/hasActor>"

EVENT_TYPES = ["StockMove", "EarningsReport", "CapitalExpenditure", "RateDecision", "RegulatoryAction",
               "Funding", "Acquisition", "ProductRelease", "Forecast", "MarketMove", "Partnership",
               "Layoff", "Lawsuit", "ExportControl"]
EVENT_WEIGHTS = [30, 12, 8, 3, 5, 10, 5, 10, 6, 15, 6, 4, 3, 3]
# measure, unit, typical magnitude
MEASURES = [("share_price", "PERCENT", 8), ("price", "PERCENT", 5), ("revenue", "USD", 5e10),
            ("capex", "USD", 3e10), ("eps", "USD", 3), ("funding", "USD", 2e9), ("valuation", "USD", 1e11),
            ("index_level", "PERCENT", 2), ("layoffs", "NUM", 2000), ("rate", "PERCENT", 4.5),
            ("unknown", "PERCENT", 10)]
MEASURE_WEIGHTS = [30, 8, 10, 6, 5, 6, 4, 8, 2, 2, 10]
QUALIFIERS = ["YoY", "QoQ", "quarterly", "annual", "expected", "actual"]
NEWSLETTERS = ["ai-weekly", "chip-digest", "market-brief", "model-watch", "asia-tech", "fintech-daily",
               "cloud-report", "policy-brief"]
BILINGUAL = {"ai-weekly", "asia-tech", "policy-brief"}

# Parameters each named query is benchmarked with (realistic: popular entities, a quarter).
BENCH_PARAMS = [
    ("metrics-about", {"entity": "Microsoft"}),      # the most mentioned entity: ~4,500 rows
    ("metrics-about", {"entity": "TSMC"}),           # a typical large company: ~1,000 rows
    ("top-entities", {"type": "Organization"}),
    ("events-by-type", {"type": "StockMove", "from": "2023-01-01", "to": "2023-03-31"}),
    ("sources-per-entity", {"entity": "Nvidia"}),
    ("co-mentioned", {"entity": "微软"}),
    ("co-mentioned", {"entity": "TSMC"}),
    ("changed-figures", {"entity": "TSMC"}),
    ("conflicts", {"entity": "Nvidia"}),
    ("conflicts", {"entity": "TSMC"}),
]
# The same queries over the whole graph (no entity, no type): reported, no target.
WHOLE_GRAPH = ["top-entities", "events-by-type", "sources-per-entity", "changed-figures", "conflicts"]


def h16(*parts) -> str:
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:16]


def esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def lit(s: str, lang: str = "") -> str:
    return f'"{esc(s)}"' + (f"@{lang}" if lang else "")


def typed(v, dt: str) -> str:
    return f'"{v}"^^<{XSD}{dt}>'


def generate(path: Path, issues: int, seed: int) -> int:
    """Write the synthetic graph as N-Triples; returns the number of triples."""
    rnd = random.Random(seed)
    gaz = gz.load()
    ents = []   # (id, type, name, zh names, en aliases, tickers, wikidata)
    outlets = []
    for e in gaz.entries.values():
        row = (e.id, e.type, e.name, e.aliases_zh, e.aliases_en, e.tickers, e.wikidata)
        (outlets if e.type == "Outlet" else ents).append(row)
    # well-known entities first so that the Zipf head is realistic
    head = ["microsoft", "nvidia", "openai", "apple", "tsmc", "alphabet", "amazon", "meta", "tesla",
            "sp-500", "nasdaq", "federal-reserve", "anthropic", "alibaba", "tencent", "gold", "bitcoin"]
    order = {k: i for i, k in enumerate(head)}
    ents.sort(key=lambda r: (order.get(r[0], len(head)), r[0]))
    tail_types = ["Organization"] * 6 + ["Person"] * 2 + ["Product"] * 2 + ["Place"]
    for i in range(2500):
        ents.append((f"synthetic-{i:04d}", rnd.choice(tail_types), f"Synthetic Co {i:04d}",
                     [f"合成公司{i:04d}"] if i % 3 == 0 else [], [f"SynCo {i:04d}"], [], None))
    weights = [1.0 / (r + 1) for r in range(len(ents))]
    outlet_w = [1.0 / (r + 1) for r in range(len(outlets))]
    orgs = [i for i, e in enumerate(ents) if e[1] in ("Organization", "Index", "Asset")]
    org_w = [weights[i] for i in orgs]

    n = 0
    used: dict[int, set] = {}
    lines: list[str] = []
    out = path.open("w", encoding="utf-8")

    def t(s, p, o):
        nonlocal n
        lines.append(f"{s} {p} {o} .\n")
        n += 1
        if len(lines) > 50000:
            out.writelines(lines)
            lines.clear()

    def evidence(ev, es, ee, item, it):
        t(ev, RDF_TYPE, f"<{KG}Evidence>")
        t(ev, f"<{KG}text>", lit(f"evidence {es}-{ee} of {item}"))
        t(ev, f"<{KG}startOffset>", typed(es, "integer"))
        t(ev, f"<{KG}endOffset>", typed(ee, "integer"))
        t(ev, PROV_DER, it)

    seq = {nl: 100 for nl in NEWSLETTERS}
    base_value: dict[tuple, float] = {}
    import datetime as dt

    metric_nodes: list[tuple] = []
    for k in range(issues):
        nl = NEWSLETTERS[k % len(NEWSLETTERS)]
        seq[nl] += 1
        num = seq[nl]
        # every newsletter appears weekly, on its own weekday
        day = dt.date(2022, 1, 3) + dt.timedelta(days=7 * (k // len(NEWSLETTERS)) + (k % len(NEWSLETTERS)) % 5)
        date = day.isoformat()
        nl_iri = f"<{B}newsletter/{nl}>"
        iss = f"{B}issue/{nl}/{num}"
        I = f"<{iss}>"
        if num == 101:
            t(nl_iri, RDF_TYPE, f"<{KG}Newsletter>")
            t(nl_iri, f"<{SDO}name>", lit(nl.replace("-", " ").title()))
        t(I, RDF_TYPE, f"<{KG}Issue>")
        t(I, f"<{SDO}isPartOf>", nl_iri)
        t(I, f"<{SDO}issueNumber>", typed(num, "integer"))
        t(I, f"<{SDO}datePublished>", typed(date, "date"))
        t(I, f"<{SDO}name>", lit(f"{nl} #{num}: the week in AI and markets"))
        t(I, f"<{KG}sourceFile>", lit(f"{nl}-{num}.txt"))
        t(I, f"<{KG}contentHash>", lit("sha256:" + "%064x" % rnd.getrandbits(256)))
        langs = ["en", "zh"] if nl in BILINGUAL else ["en"]
        n_items = rnd.randint(14, 24)
        offset = 200
        for pos in range(1, n_items + 1):
            k_ment = rnd.choices([1, 2, 3, 4], [30, 35, 25, 10])[0]
            mentioned = sorted({rnd.choices(range(len(ents)), weights)[0] for _ in range(k_ment)})
            subj_pool = [m for m in mentioned if ents[m][1] in ("Organization", "Index", "Asset", "Product")] or mentioned
            outlet = rnd.choices(range(len(outlets)), outlet_w)[0] if rnd.random() < 0.8 else None
            idate = (day - dt.timedelta(days=rnd.choice([0, 1, 1, 2, 3]))).isoformat()
            n_met = rnd.choices([0, 1, 2, 3], [25, 40, 25, 10])[0]
            mets = []
            for _ in range(n_met):
                measure, unit, mag = rnd.choices(MEASURES, MEASURE_WEIGHTS)[0]
                subj = rnd.choice(subj_pool)
                key = (subj, measure)
                if key not in base_value:
                    base_value[key] = mag * rnd.uniform(0.3, 1.7)
                drift = base_value[key] * rnd.uniform(-0.15, 0.15)
                v = round(base_value[key] + drift, 2) if mag < 100 else round(base_value[key] + drift, -6)
                if measure in ("share_price", "price", "index_level") and rnd.random() < 0.5:
                    v = -v
                quals = sorted(rnd.sample(QUALIFIERS, rnd.choice([0, 0, 0, 1, 1, 2])))
                mets.append((measure, unit, v, subj, quals))
            n_ev = rnd.choices([0, 1, 2], [35, 50, 15])[0]
            evs = [(rnd.choices(EVENT_TYPES, EVENT_WEIGHTS)[0],
                    sorted(set(rnd.sample(mentioned, min(len(mentioned), rnd.randint(1, 2))))))
                   for _ in range(n_ev)]
            for lang in langs:
                item = f"{iss}/item/{lang}-{pos}"
                IT = f"<{item}>"
                length = rnd.randint(150, 420)
                start, end = offset, offset + length
                offset = end + 2
                t(IT, RDF_TYPE, f"<{KG}Item>")
                t(IT, f"<{KG}inIssue>", I)
                t(IT, f"<{SDO}inLanguage>", lit(lang))
                t(IT, f"<{KG}position>", typed(pos, "integer"))
                t(IT, f"<{SDO}headline>", lit(f"{ents[mentioned[0]][2]} headline {pos}", lang))
                t(IT, f"<{SDO}text>", lit(f"Item {pos} of {nl} {num} about " + ", ".join(ents[m][2] for m in mentioned), lang))
                t(IT, f"<{KG}startOffset>", typed(start, "integer"))
                t(IT, f"<{KG}endOffset>", typed(end, "integer"))
                t(IT, f"<{KG}date>", typed(idate, "date"))
                if outlet is not None:
                    t(IT, f"<{KG}reportedBy>", f"<{B}entity/{outlets[outlet][0]}>")
                    used.setdefault(-1 - outlet, set()).add(lang)
                for m in mentioned:
                    t(IT, f"<{SDO}mentions>", f"<{B}entity/{ents[m][0]}>")
                    used.setdefault(m, set()).add(lang)
                met_iris = []
                for j, (measure, unit, v, subj, quals) in enumerate(mets):
                    h = h16(subj, measure, unit, v, idate, quals)
                    M = f"<{B}metric/{h}>"
                    met_iris.append(M)
                    es, ee = start + 5 * j, min(end, start + 5 * j + 120)
                    EV = f"<{item}/span/{es}-{ee}>"
                    if lang == langs[0]:
                        t(M, RDF_TYPE, f"<{KG}Metric>")
                        t(M, RDFS_LABEL, lit(f"{ents[subj][2]} {measure} {v} {unit}"))
                        t(M, f"<{KG}value>", typed(format(v, "f").rstrip("0").rstrip(".") if "." in format(v, "f") else format(v, "f"), "decimal"))
                        unit_iri = f"<http://qudt.org/vocab/unit/{unit}>" if unit in ("PERCENT", "NUM") else f"<http://qudt.org/vocab/currency/{unit}>"
                        t(M, QUDT_UNIT, unit_iri)
                        if unit not in ("PERCENT", "NUM"):
                            t(M, f"<{SDO}currency>", lit(unit))
                        t(M, f"<{KG}measure>", lit(measure))
                        if v < 0 or rnd.random() < 0.3:
                            t(M, f"<{KG}direction>", lit("down" if v < 0 else "up"))
                        for qq in quals:
                            t(M, f"<{KG}qualifier>", lit(qq))
                        t(M, f"<{KG}subject>", f"<{B}entity/{ents[subj][0]}>")
                        t(M, f"<{KG}date>", typed(idate, "date"))
                        metric_nodes.append((M, (subj, measure, unit, tuple(quals), idate), v, IT))
                    t(M, PROV_DER, IT)
                    t(M, f"<{KG}evidence>", EV)
                    evidence(EV, es, ee, item, IT)
                for j, (etype, actors) in enumerate(evs):
                    h = h16(etype, actors, idate)
                    E = f"<{B}event/{h}>"
                    es, ee = start + 3 * j, min(end, start + 3 * j + 150)
                    EV = f"<{item}/span/{es}-{ee}>"
                    if lang == langs[0]:
                        t(E, RDF_TYPE, f"<{KG}Event>")
                        t(E, RDF_TYPE, f"<{KG}{etype}>")
                        t(E, RDFS_LABEL, lit(", ".join(ents[a][2] for a in actors) + f" {etype} {idate}"))
                        for a in actors:
                            t(E, SEM_ACTOR, f"<{B}entity/{ents[a][0]}>")
                        t(E, f"<{KG}date>", typed(idate, "date"))
                        if met_iris and j == 0:
                            t(E, f"<{KG}hasMetric>", met_iris[0])
                            t(met_iris[0], f"<{KG}event>", E)
                    t(E, PROV_DER, IT)
                    t(E, f"<{KG}evidence>", EV)
                    evidence(EV, es, ee, item, IT)
    # kg:conflictsWith as kg.rdf.mark_conflicts links them: same subject, measure, unit,
    # qualifiers and date, different values, different items
    by_key: dict[tuple, dict] = {}
    for M, key, v, it in metric_nodes:
        by_key.setdefault(key, {}).setdefault(M, (v, it))
    for group in by_key.values():
        ms = sorted(group)
        for i, a in enumerate(ms):
            for b in ms[i + 1:]:
                if group[a][0] != group[b][0] and group[a][1] != group[b][1]:
                    t(a, f"<{KG}conflictsWith>", b)
                    t(b, f"<{KG}conflictsWith>", a)
    # entity descriptions (as _describe_entity writes them)
    for idx, langs in sorted(used.items()):
        if idx < 0:
            eid, typ, name, zh, en, tick, wd = outlets[-1 - idx]
        else:
            eid, typ, name, zh, en, tick, wd = ents[idx]
        S = f"<{B}entity/{eid}>"
        t(S, RDF_TYPE, f"<{KG}Entity>")
        t(S, RDF_TYPE, f"<{KG}{typ}>")
        t(S, RDFS_LABEL, lit(name))
        t(S, f"<{SKOS}prefLabel>", lit(name, "en"))
        if zh and "zh" in langs:
            t(S, f"<{SKOS}prefLabel>", lit(zh[0], "zh"))
            for a in zh[1:3]:
                t(S, f"<{SKOS}altLabel>", lit(a, "zh"))
        for a in en[:3]:
            t(S, f"<{SKOS}altLabel>", lit(a, "en"))
        for tk in tick:
            t(S, f"<{KG}ticker>", lit(tk))
        if wd:
            t(S, "<http://www.w3.org/2002/07/owl#sameAs>", f"<http://www.wikidata.org/entity/{wd}>")
    out.writelines(lines)
    out.close()
    return n


def _rdflib_child(conn, name, params, runs):
    g = _RDFLIB_GRAPH
    times, nrows = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        nq = q.load_named(name)
        res = q.query_rdflib(g, nq.text, params, named=nq)
        times.append(time.perf_counter() - t0)
        nrows = len(res.rows)
        conn.send(("time", times[-1], nrows))
    conn.send(("done", 0, nrows))


_RDFLIB_GRAPH = None


def rdflib_times(name: str, params: dict, runs: int, cap: float) -> tuple[list[float], bool, int]:
    """Run in a forked child (it shares the parsed graph); give up after cap seconds."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_rdflib_child, args=(child, name, params, runs))
    p.start()
    child.close()
    times, nrows, deadline = [], -1, time.monotonic() + cap
    capped = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not parent.poll(left):
            capped = True
            break
        try:
            kind, secs, nrows = parent.recv()
        except EOFError:
            break
        if kind == "done":
            break
        times.append(secs)
    if p.is_alive():
        p.kill()
    p.join()
    return times, capped, nrows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--issues", type=int, default=1100, help="issues to generate (1100 ≈ 1M triples)")
    ap.add_argument("--seed", type=int, default=462)
    ap.add_argument("--runs", type=int, default=5, help="oxigraph runs per query (median)")
    ap.add_argument("--rdflib-runs", type=int, default=1, help="rdflib runs per query (median)")
    ap.add_argument("--rdflib-cap", type=float, default=300.0, help="seconds before an rdflib query is abandoned")
    ap.add_argument("--no-rdflib", action="store_true", help="skip rdflib (loading 1M triples takes minutes)")
    ap.add_argument("--keep", default=None, help="write the graph and store into this folder and keep them")
    args = ap.parse_args(argv)

    d = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kg-query-bench-"))
    d.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        n = generate(d / "graph.ttl", args.issues, args.seed)
        t_gen = time.perf_counter() - t0
        size = (d / "graph.ttl").stat().st_size
        print(f"graph: {n:,} triples, {args.issues} issues, {size / 1e6:.0f} MB N-Triples (generated in {t_gen:.1f} s)")

        shutil.rmtree(d / "store", ignore_errors=True)
        (d / "store.stamp").unlink(missing_ok=True)
        t0 = time.perf_counter()
        store = q.open_store(d)
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        store2 = q.open_store(d)
        t_reopen = time.perf_counter() - t0
        del store2
        print(f"pyoxigraph: store loaded in {t_load:.1f} s (OUT/store/); reopened fresh in {t_reopen * 1000:.0f} ms")

        # 1. pyoxigraph, before rdflib holds a million Python objects (whose garbage
        #    collection would slow every Python allocation down)
        def timed(name: str, given: dict) -> tuple[float, int]:
            """(median seconds over --runs, rows) of a named query on the store."""
            nq = q.load_named(name)
            params = q.bind_params(nq, given)
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                res = q.run_query(store, nq.text, params, named=nq)
                times.append(time.perf_counter() - t0)
            return statistics.median(times), len(res.rows)

        ox_rows: dict[int, tuple[float, int]] = {i: timed(name, given) for i, (name, given) in enumerate(BENCH_PARAMS)}
        whole: dict[str, tuple[float, int]] = {name: timed(name, {}) for name in WHOLE_GRAPH}

        # 2. rdflib
        global _RDFLIB_GRAPH
        if not args.no_rdflib:
            import gc
            import rdflib
            t0 = time.perf_counter()
            _RDFLIB_GRAPH = rdflib.Graph()
            _RDFLIB_GRAPH.parse(str(d / "graph.ttl"), format="nt")
            gc.collect()
            gc.freeze()
            print(f"rdflib: parsed in {time.perf_counter() - t0:.1f} s")

        print()
        print(f"| query | parameters | rows | pyoxigraph median of {args.runs} | rdflib median of {args.rdflib_runs} | ratio |")
        print("|---|---|---:|---:|---:|---:|")
        for i, (name, given) in enumerate(BENCH_PARAMS):
            nq = q.load_named(name)
            params = q.bind_params(nq, given)
            ox_med, n_ox = ox_rows[i]
            pstr = ", ".join(f"{k}={v}" for k, v in given.items()) or "–"
            if args.no_rdflib:
                rl, ratio = "–", "–"
            else:
                rt, capped, nrows = rdflib_times(name, params, args.rdflib_runs, args.rdflib_cap)
                if capped and not rt:
                    rl, ratio = f"> {args.rdflib_cap:.0f} s", f"> {args.rdflib_cap / ox_med:,.0f}×"
                else:
                    r_med = statistics.median(rt)
                    rl = f"{r_med:.2f} s" + (f" ({len(rt)} run{'s' if len(rt) != 1 else ''})" if capped else "")
                    r = r_med / ox_med
                    ratio = f"{r:.1f}×" if r < 20 else f"{r:,.0f}×"   # 9.9× is not 10×
                    if nrows != n_ox:
                        rl += f" [rows differ: {nrows}]"
            print(f"| {name} | {pstr} | {n_ox} | {ox_med * 1000:.1f} ms | {rl} | {ratio} |", flush=True)
        print()
        print(f"Whole graph (no entity or type parameter), pyoxigraph median of {args.runs}:")
        print()
        print("| query | rows | pyoxigraph |")
        print("|---|---:|---:|")
        for name, (med, n_rows) in whole.items():
            print(f"| {name} | {n_rows} | {med * 1000:.0f} ms |")
    finally:
        if not args.keep:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
