"""A remote SPARQL 1.1 server: load a built graph into it (`kg push`, the Graph Store HTTP
Protocol) and query it (`kg query --endpoint`, the SPARQL 1.1 Protocol).

Push: by default one named graph per issue, named by the issue's IRI
(`kg.rdf.issue_iri`, read back from OUT/issues/*.ttl), so re-pushing an issue replaces
exactly that issue's facts; with `graph=IRI`, the merged OUT/graph.ttl goes into that one
graph. `mode="replace"` is an HTTP PUT (the graph's old content goes), `"merge"` a POST
(triples are added). Each graph is uploaded in one request, so the server applies it whole
or not at all; on the first failure the push stops and the error says which graphs were
pushed and which were not.

Standard library only (urllib); no network access other than to the given endpoint.
"""
from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import namespaces as ns
from .errors import KgError
from .query import QueryResult  # one result type: kg query --endpoint prints like a local query

MODES = {"replace": "PUT", "merge": "POST"}
TIMEOUT = 60.0
IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
KG_ISSUE = ns.KG + "Issue"
RDF_TYPE = ns.RDF + "type"
SHOW_AT_MOST = 5


@dataclass
class PushResult:
    endpoint: str
    mode: str
    pushed: list[tuple[str, str]] = field(default_factory=list)   # (graph IRI, file)
    bytes: int = 0


# --- HTTP --------------------------------------------------------------------------------

def _reason(e: BaseException) -> str:
    r = getattr(e, "reason", None) or e
    s = str(r).strip() or type(r).__name__
    return s.splitlines()[0]


def _request(method: str, url: str, data: Optional[bytes], headers: dict, timeout: float,
             endpoint: str) -> tuple[bytes, str]:
    """One HTTP request; KgError E018 (unreachable) / E019 (error status) on failure."""
    if not re.match(r"^https?://", endpoint, re.I):
        raise KgError("E018", url=endpoint, reason="the endpoint must be an http:// or https:// URL")
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.read(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        try:
            body = e.read().decode("utf-8", "replace")
        except Exception:  # pragma: no cover - broken connection while reading the error
            body = ""
        msg = " ".join(body.split())[:300] or (e.reason or "")
        raise KgError("E019", url=endpoint, status=e.code, reason=msg)
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise KgError("E018", url=endpoint, reason=_reason(e))


def _with_params(endpoint: str, **params) -> str:
    sep = "&" if "?" in endpoint else "?"
    return endpoint + sep + urllib.parse.urlencode(params)


# --- push --------------------------------------------------------------------------------

def issue_graph_iri(path: Path) -> str:
    """The IRI of the one kg:Issue described in a per-issue Turtle file."""
    import pyoxigraph as ox
    try:
        subjects = {t.subject.value for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
                    if t.predicate.value == RDF_TYPE and t.object.value == KG_ISSUE}
    except (SyntaxError, ValueError, OSError) as e:
        raise KgError("E022", path=str(path), n=f"none (the file cannot be read: {_reason(e)})")
    if len(subjects) != 1:
        raise KgError("E022", path=str(path), n=len(subjects))
    return subjects.pop()


def plan(out_dir: str, graph: Optional[str] = None) -> list[tuple[str, Path]]:
    """(graph IRI, Turtle file) for every graph a push would upload, in a stable order."""
    out = Path(out_dir)
    merged = out / "graph.ttl"
    issue_files = sorted((out / "issues").glob("*.ttl")) if (out / "issues").is_dir() else []
    if graph is not None:
        if not IRI_RE.match(graph):
            raise KgError("E051", iri=graph)
        if not merged.is_file():
            raise KgError("E021", path=out_dir)
        return [(graph, merged)]
    if not issue_files:
        raise KgError("E021", path=out_dir)
    return [(issue_graph_iri(p), p) for p in issue_files]


def push(out_dir: str, endpoint: str, graph: Optional[str] = None, mode: str = "replace",
         timeout: float = TIMEOUT, on_pushed: Optional[Callable[[str, str], None]] = None) -> PushResult:
    """Upload the built graph in out_dir to a Graph Store Protocol endpoint (for Oxigraph
    `http://HOST:PORT/store`, for Fuseki `http://HOST:PORT/DATASET/data`)."""
    if mode not in MODES:
        raise KgError("E052", mode=mode, choices=", ".join(MODES))
    todo = plan(out_dir, graph)
    res = PushResult(endpoint=endpoint, mode=mode)
    for k, (iri, path) in enumerate(todo):
        data = path.read_bytes()
        try:
            _request(MODES[mode], _with_params(endpoint, graph=iri), data,
                     {"Content-Type": "text/turtle; charset=utf-8"}, timeout, endpoint)
        except KgError as e:
            rest = [g for g, _ in todo[k:]]
            shown = ", ".join(f"<{g}>" for g in rest[:SHOW_AT_MOST])
            if len(rest) > SHOW_AT_MOST:
                shown += f" and {len(rest) - SHOW_AT_MOST} more"
            reason = str(e).split("] ", 1)[-1]
            raise KgError("E020", graph=iri, reason=reason, n_ok=len(res.pushed), n_bad=len(rest),
                          not_pushed=shown)
        res.pushed.append((iri, str(path)))
        res.bytes += len(data)
        if on_pushed:
            on_pushed(iri, str(path))
    return res


# --- query -------------------------------------------------------------------------------

_PROLOGUE = re.compile(r"^(?:\s+|#[^\n]*\n?|(?:PREFIX\s+[\w.\-]*:\s*<[^>]*>)|(?:BASE\s+<[^>]*>))*", re.I)


def query_form(sparql: str) -> str:
    """'select' | 'ask' | 'graph' (CONSTRUCT / DESCRIBE), from the first keyword after the prologue."""
    rest = sparql[_PROLOGUE.match(sparql).end():]
    word = re.match(r"[A-Za-z]*", rest).group(0).upper()
    if word in ("CONSTRUCT", "DESCRIBE"):
        return "graph"
    if word == "ASK":
        return "ask"
    return "select"


RESULT_TYPES = {"application/sparql-results+json": "JSON", "application/json": "JSON",
                "application/sparql-results+xml": "XML", "text/csv": "CSV",
                "text/tab-separated-values": "TSV"}
GRAPH_TYPES = {"text/turtle": "TURTLE", "application/n-triples": "N_TRIPLES", "text/plain": "N_TRIPLES",
               "application/rdf+xml": "RDF_XML", "application/ld+json": "JSON_LD"}


def query(endpoint: str, sparql: str, timeout: float = TIMEOUT) -> QueryResult:
    """Run a query on a SPARQL 1.1 Protocol endpoint (for Oxigraph `http://HOST:PORT/query`,
    for Fuseki `http://HOST:PORT/DATASET/sparql`), as a POST with the query as the body
    (application/sparql-query). The answer is parsed into pyoxigraph terms."""
    import pyoxigraph as ox

    form = query_form(sparql)
    accept = ("text/turtle, application/n-triples;q=0.9" if form == "graph"
              else "application/sparql-results+json, application/sparql-results+xml;q=0.9")
    body, ctype = _request("POST", endpoint, sparql.encode("utf-8"),
                           {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept},
                           timeout, endpoint)
    mime = ctype.split(";")[0].strip().lower()
    try:
        if form == "graph":
            fmt = getattr(ox.RdfFormat, GRAPH_TYPES.get(mime, "TURTLE"))
            return QueryResult("graph", triples=list(ox.parse(body, format=fmt)))
        fmt = getattr(ox.QueryResultsFormat, RESULT_TYPES.get(mime, "JSON"))
        res = ox.parse_query_results(body, format=fmt)
        if isinstance(res, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(res))
        variables = [v.value for v in res.variables]
        rows = [tuple(sol[i] for i in range(len(variables))) for sol in res]
        return QueryResult("select", variables=variables, rows=rows)
    except (SyntaxError, ValueError, OSError) as e:
        raise KgError("E019", url=endpoint, status=200,
                      reason=f"cannot read the answer ({mime or 'no Content-Type'}): {_reason(e)}")


def _term_syntax(value: str) -> str:
    """A --param value as SPARQL syntax, as kg.query binds it: an IRI when written <...>,
    else a plain string literal."""
    v = value.strip()
    if v.startswith("<") and v.endswith(">") and IRI_RE.match(v[1:-1]):
        return v
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


_SCAN = re.compile(r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|'
                   r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"\s]*>|\bWHERE\b|\{', re.I)


def with_params(sparql: str, params: dict[str, str]) -> str:
    """A query with its parameters bound for a remote server (which has no parameter API):
    a `VALUES (?a ?b) { (... ...) }` block at the start of the WHERE group, so every
    pattern and filter of that group sees the values."""
    if not params:
        return sparql
    names = list(params)
    block = (" VALUES (" + " ".join("?" + n for n in names) + ") { ("
             + " ".join(_term_syntax(params[n]) for n in names) + ") } ")
    need_where = query_form(sparql) == "graph" and re.match(
        r"\s*CONSTRUCT\s*\{", sparql[_PROLOGUE.match(sparql).end():], re.I) is not None
    seen_where = False
    for m in _SCAN.finditer(sparql):
        tok = m.group(0)
        if tok.upper() == "WHERE":
            seen_where = True
        elif tok == "{" and (seen_where or not need_where):
            return sparql[:m.end()] + block + sparql[m.end():]
    return sparql


def with_prefixes(sparql: str, prefixes: Optional[dict] = None) -> str:
    """The query with the prefixes kg predeclares locally (kg, schema, prov, ent, ...)
    declared in its text, except those it declares itself: a remote server knows none."""
    if prefixes is None:
        from .rdf import PREFIXES as prefixes
    declared = {m.group(1) for m in re.finditer(r"PREFIX\s+([\w.\-]*):", sparql, re.I)}
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()) if p not in declared)
    return head + sparql
