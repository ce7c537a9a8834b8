"""Read views over a built graph: `kg entities`, `kg timeline ENTITY`, `kg conflicts`.

They read OUT/graph.ttl with pyoxigraph and return plain rows (lists of dicts); the CLI
formats them as a table, JSON or CSV."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Optional

import pyoxigraph as ox

from .errors import KgError
from .rdf import PREFIXES as _RDF_PREFIXES

# the builder's own prefixes, so that these queries read the graph in its own terms
PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(_RDF_PREFIXES.items()))


def load_store(graph_path: str) -> ox.Store:
    p = Path(graph_path)
    if not p.exists():
        raise KgError("E001", path=f"{graph_path} (run `kg build` first)")
    store = ox.Store()
    store.load(p.read_bytes(), format=ox.RdfFormat.TURTLE)
    return store


def _val(term) -> Optional[str]:
    if term is None:
        return None
    return term.value


def _rows(store: ox.Store, query: str) -> list[dict]:
    res = store.query(PREFIXES + query)
    names = [v.value for v in res.variables]
    return [{n: _val(sol[n]) for n in names} for sol in res]


def entities(store: ox.Store) -> list[dict]:
    """Canonical entities with type, aliases, and how many items and issues mention them."""
    rows = _rows(store, """
SELECT ?e ?name ?type (COUNT(DISTINCT ?item) AS ?items) (COUNT(DISTINCT ?issue) AS ?issues)
       (GROUP_CONCAT(DISTINCT ?alias; SEPARATOR="|") AS ?aliases)
WHERE {
  ?e a kg:Entity ; rdfs:label ?name ; a ?t .
  FILTER(?t != kg:Entity)
  BIND(STRAFTER(STR(?t), "#") AS ?type)
  OPTIONAL { { ?item schema:mentions ?e } UNION { ?item kg:reportedBy ?e } ?item kg:inIssue ?issue }
  OPTIONAL { { ?e skos:altLabel ?alias } UNION { ?e skos:prefLabel ?alias } }
}
GROUP BY ?e ?name ?type
""")
    for r in rows:
        r["items"] = int(r["items"])
        r["issues"] = int(r["issues"])
        r["aliases"] = sorted({a for a in (r["aliases"] or "").split("|") if a and a != r["name"]})
        r["id"] = r.pop("e").rsplit("/", 1)[-1]
    rows.sort(key=lambda r: (-r["items"], r["name"].casefold(), r["id"]))
    return rows


def find_entity(store: ox.Store, name: str) -> list[dict]:
    """Entities whose label, preferred label or alias equals `name` (case-insensitive)."""
    q = """
SELECT DISTINCT ?e ?name WHERE {
  VALUES ?needle { %s }
  ?e a kg:Entity ; rdfs:label ?name .
  { ?e rdfs:label ?l } UNION { ?e skos:prefLabel ?l } UNION { ?e skos:altLabel ?l } UNION { ?e kg:ticker ?l }
  FILTER(LCASE(STR(?l)) = ?needle)
}""" % ox.Literal(name.casefold())  # an escaped literal, never pasted text
    res = store.query(PREFIXES + q)
    return sorted(({"iri": s["e"].value, "name": s["name"].value} for s in res), key=lambda r: r["iri"])


def timeline(store: ox.Store, name: str) -> list[dict]:
    """Every event and metric about an entity, in date order, with its sources."""
    found = find_entity(store, name)
    if not found:
        raise KgError("E024", name=name)
    iri = ox.NamedNode(found[0]["iri"])
    q = """
SELECT ?date ?kind ?what ?value ?unit ?outlet ?issue ?evidence ?node WHERE {
  VALUES ?ent { %s }
  {
    ?node a kg:Metric ; kg:subject ?ent ; rdfs:label ?what ; kg:value ?value ; qudt:unit ?u .
    BIND("metric" AS ?kind) BIND(STRAFTER(STR(?u), "/vocab/") AS ?unit)
  } UNION {
    ?node a kg:Event ; sem:hasActor ?ent ; rdfs:label ?what .
    BIND("event" AS ?kind)
  }
  ?node prov:wasDerivedFrom ?item ; kg:evidence ?ev .
  ?ev prov:wasDerivedFrom ?item ; kg:text ?evidence .
  ?item kg:inIssue ?iss .
  ?iss schema:isPartOf/schema:name ?nl .
  OPTIONAL { ?iss schema:issueNumber ?num }
  BIND(CONCAT(?nl, " #", COALESCE(STR(?num), "?")) AS ?issue)
  OPTIONAL { ?node kg:date ?d }
  BIND(COALESCE(STR(?d), "") AS ?date)
  OPTIONAL { ?item kg:reportedBy/rdfs:label ?outlet }
}""" % iri
    res = store.query(PREFIXES + q)
    names = [v.value for v in res.variables]
    rows = [{n: _val(s[n]) for n in names} for s in res]
    rows.sort(key=lambda r: (r["date"], r["kind"], r["what"], r["issue"], r["outlet"] or "", r["evidence"]))
    return rows


def conflicts(store: ox.Store) -> list[dict]:
    """Pairs of metrics where sources disagree on the same quantity."""
    return _rows(store, """
SELECT ?subject ?measure ?date ?value_a ?source_a ?value_b ?source_b ?a ?b WHERE {
  ?a kg:conflictsWith ?b .
  FILTER(STR(?a) < STR(?b))
  ?a kg:subject/rdfs:label ?subject ; kg:measure ?measure ; kg:value ?value_a ; kg:date ?date .
  ?b kg:value ?value_b .
  { SELECT ?a (GROUP_CONCAT(DISTINCT ?oa; SEPARATOR=", ") AS ?source_a) WHERE {
      ?a prov:wasDerivedFrom ?ia . OPTIONAL { ?ia kg:reportedBy/rdfs:label ?oa } } GROUP BY ?a }
  { SELECT ?b (GROUP_CONCAT(DISTINCT ?ob; SEPARATOR=", ") AS ?source_b) WHERE {
      ?b prov:wasDerivedFrom ?ib . OPTIONAL { ?ib kg:reportedBy/rdfs:label ?ob } } GROUP BY ?b }
}
ORDER BY ?subject ?measure ?date ?a ?b""")


def render(rows: list[dict], fmt: str, columns: Optional[list[str]] = None) -> str:
    columns = columns or (list(rows[0].keys()) if rows else [])
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow(["|".join(r[c]) if isinstance(r[c], list) else ("" if r[c] is None else r[c]) for c in columns])
        return buf.getvalue().rstrip("\n")
    cells = [[("|".join(r[c]) if isinstance(r[c], list) else ("" if r[c] is None else str(r[c])))
              .replace("\n", " ")[:70] for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)
