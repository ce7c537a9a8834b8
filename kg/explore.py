"""Read views over a built graph: `kg entities`, `kg timeline ENTITY`, `kg conflicts`.

They read the build through its query store (kg/query.py: BUILD/store/, loaded from
BUILD/graph.ttl once and reopened in milliseconds after that) and return plain rows (lists
of dicts); the CLI prints them with kg/table.py."""
from __future__ import annotations

from typing import Optional

import pyoxigraph as ox

from .errors import KgError
from .namespaces import PREFIXES as _PREFIXES

# the builder's own prefixes, so that these queries read the graph in its own terms
PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(_PREFIXES.items()))


def load_store(build_dir: str) -> ox.Store:
    """The build's query store (read-only); KgError E160 when the folder holds no build."""
    from .query import open_store
    return open_store(build_dir)


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


CONFLICT_COLUMNS = ["subject", "measure", "unit", "qualifier", "date", "values", "sources", "outlets",
                    "conflictsWith"]


def conflicts(store: ox.Store, entity: Optional[str] = None) -> list[dict]:
    """Figures on which sources disagree: the rows of the named query `conflicts`
    (kg/queries/conflicts.rq), the one definition `kg conflicts` and `kg query conflicts`
    share. Values are plain: text, numbers as numbers, IRIs shortened (kg.query.compact)."""
    from .query import bind_params, display, load_named, run_query

    nq = load_named("conflicts")
    res = run_query(store, nq.text, bind_params(nq, {"entity": entity} if entity else {}), named=nq)
    if entity and res.notes:
        raise KgError("E024", name=entity)
    rows = []
    for row in res.rows:
        r = {}
        for name, t in zip(res.variables, row):
            if isinstance(t, ox.Literal) and t.datatype is not None and t.datatype.value.endswith("#integer"):
                r[name] = int(t.value)
            else:
                r[name] = display(t)
        r["entity"] = r.pop("s")
        rows.append(r)
    return rows
