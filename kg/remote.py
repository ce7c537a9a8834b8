"""A remote SPARQL 1.1 server: load a built graph into it (`kg push`, the Graph Store HTTP
Protocol) and query it (`kg query --endpoint`, the SPARQL 1.1 Protocol).

Push: by default one named graph per issue, named by the issue's IRI
(`kg.rdf.issue_iri`, read back from OUT/issues/*.ttl), so re-pushing an issue replaces
exactly that issue's facts; with `graph=IRI`, the merged OUT/graph.ttl goes into that one
graph. The links between figures of different issues (kg:conflictsWith), which only the
merged graph holds, go into a graph of their own (LINKS_GRAPH), so that the server holds
every triple of graph.ttl. `mode="replace"` is an HTTP PUT (the graph's old content goes),
`"merge"` a POST (triples are added). Each graph is uploaded in one request, so the server
applies it whole or not at all; on the first failure the push stops and the error says
which graphs were pushed, which were not, and which one is unknown (the connection broke
after it was sent).

Credentials: `user:password@` in the endpoint URL or `user` (HTTP Basic); a password and
the values of the URL's query parameters (`?access_token=…`) are never printed (***).
`timeout` is a deadline for a whole request, not for each socket read.

Standard library only (urllib); no network access other than to the given endpoint.
"""
from __future__ import annotations

import base64
import http.client
import os
import re
import socket
import threading
import time
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
CONFLICTS_WITH = ns.KG + "conflictsWith"
# per-issue push: the triples of graph.ttl that belong to no one issue (the conflict links)
LINKS_GRAPH = ns.BASE + "graph/links"
SHOW_AT_MOST = 5


@dataclass
class PushResult:
    endpoint: str
    mode: str
    pushed: list[tuple[str, str]] = field(default_factory=list)   # (graph IRI, file)
    bytes: int = 0


# --- HTTP ---------------------------------------------------------------------------------

def split_credentials(endpoint: str) -> tuple[str, Optional[str], Optional[str]]:
    """(the URL without `user:password@`, user, password): urllib would read the password
    as part of the host name (and print it in its errors)."""
    parts = urllib.parse.urlsplit(endpoint)
    if "@" not in parts.netloc:
        return endpoint, None, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, sep, password = userinfo.partition(":")
    return (urllib.parse.urlunsplit(parts._replace(netloc=hostport)),
            urllib.parse.unquote(user), urllib.parse.unquote(password) if sep else None)


def display_url(endpoint: str) -> str:
    """The endpoint as it may be printed: a password in it and every query parameter value
    (`?access_token=…`) shown as ***."""
    try:
        parts = urllib.parse.urlsplit(endpoint)
    except ValueError:
        return "<the endpoint URL>"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, sep, _ = userinfo.partition(":")
        netloc = f"{user}{':***' if sep else ''}@{hostport}"
    query = "&".join(f"{k}=***" if sep else k for k, sep, _ in
                     (kv.partition("=") for kv in parts.query.split("&") if kv)) if parts.query else ""
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc, query=query))


def _secrets(endpoint: str, password: Optional[str]) -> list[str]:
    """Strings that must never be printed: the password and the values of query parameters,
    as given and as percent-decoded (longest first, so that no part of one is left)."""
    out = {password} if password else set()
    parts = urllib.parse.urlsplit(endpoint)
    if "@" in parts.netloc:
        userinfo = parts.netloc.rpartition("@")[0]
        if ":" in userinfo:
            pw = userinfo.partition(":")[2]
            out |= {pw, urllib.parse.unquote(pw)}
    for kv in parts.query.split("&"):
        v = kv.partition("=")[2]
        if v:
            out |= {v, urllib.parse.unquote_plus(v)}
    return sorted((s for s in out if len(s) >= 1), key=len, reverse=True)


def _scrub(text: str, secrets: list[str]) -> str:
    for sec in secrets:
        text = text.replace(sec, "***")
    return text


def _reason(e: BaseException) -> str:
    r = getattr(e, "reason", None) or e
    s = str(r).strip() or type(r).__name__
    return s.splitlines()[0]


class _Deadline:
    """A deadline for one whole request: when it passes, every socket the request opened is
    shut down, so that a read blocked on a server that sends one byte a second returns."""

    def __init__(self, seconds: Optional[float]):
        self.seconds = seconds
        self.expired = False
        self._socks: list = []
        self._lock = threading.Lock()
        self._timer = None
        if seconds is not None:
            self.end = time.monotonic() + seconds
            self._timer = threading.Timer(seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()

    def remaining(self) -> float:
        if self.seconds is None:
            return TIMEOUT
        return max(0.001, min(TIMEOUT, self.end - time.monotonic()))

    @property
    def connected(self) -> bool:
        """Whether a connection to the server was made."""
        return bool(self._socks)

    def watch(self, sock) -> None:
        with self._lock:
            self._socks.append(sock)
            expired = self.expired
        if expired:
            self._shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            socks = list(self._socks)
        for s in socks:
            self._shut(s)

    @staticmethod
    def _shut(sock) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _opener(deadline: _Deadline):
    """urllib with connections whose sockets the deadline can shut down."""
    import http.client

    class Conn(http.client.HTTPConnection):
        def connect(self):
            super().connect()
            deadline.watch(self.sock)

    class SConn(http.client.HTTPSConnection):
        def connect(self):
            super().connect()
            deadline.watch(self.sock)

    class Handler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(Conn, req)

    class SHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(SConn, req, context=self._context)

    return urllib.request.build_opener(Handler, SHandler)


class _Sent(Exception):
    """The request failed after its body was (possibly) received by the server: whether the
    server applied it is unknown. args: (KgError,)"""


def _request(method: str, url: str, data: Optional[bytes], headers: dict, timeout: Optional[float],
             endpoint: str, auth: Optional[tuple[str, str]] = None, secrets: Optional[list] = None,
             until: Optional[float] = None) -> tuple[bytes, str]:
    """One HTTP request; KgError E018 (unreachable, or no complete answer within `timeout`
    seconds, a deadline for the whole request: connecting, sending and reading the answer;
    `until`, a time.monotonic() value, ends it earlier when several requests share it) /
    E019 (an error status). A failure after the request was sent is raised as _Sent(KgError).
    Nothing printed holds the password or a query parameter value of the endpoint."""
    secrets = secrets if secrets is not None else _secrets(endpoint, auth[1] if auth else None)
    shown = display_url(endpoint)
    if not re.match(r"^https?://", endpoint, re.I):
        raise KgError("E018", url=shown, reason="the endpoint must be an http:// or https:// URL")
    headers = dict(headers)
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1] or ''}".encode("utf-8")).decode("ascii")
        headers["Authorization"] = "Basic " + token
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    seconds = timeout if until is None or timeout is None else min(timeout, max(0.001, until - time.monotonic()))
    deadline = _Deadline(seconds)
    try:
        with _opener(deadline).open(req, timeout=deadline.remaining()) as resp:
            body = resp.read()
            if deadline.expired:
                raise OSError("the answer was cut off")
            return body, resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        try:
            body = e.read().decode("utf-8", "replace")
        except Exception:  # pragma: no cover - broken connection while reading the error
            body = ""
        msg = " ".join(body.split())[:300] or (e.reason or "")
        raise KgError("E019", url=shown, status=e.code, reason=_scrub(msg, secrets))
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as e:
        if deadline.expired:
            reason = f"no complete answer within {timeout:g} s (--timeout)"
        else:
            reason = _scrub(_reason(e), secrets)
        err = KgError("E018", url=shown, reason=reason)
        if deadline.connected and data is not None:
            raise _Sent(err)    # connected: the body may have reached the server
        raise err
    finally:
        deadline.cancel()


def _with_params(endpoint: str, **params) -> str:
    sep = "&" if "?" in endpoint else "?"
    return endpoint + sep + urllib.parse.urlencode(params)


def credentials(endpoint: str, user: Optional[str] = None) -> tuple[str, Optional[tuple[str, str]]]:
    """(the endpoint without credentials, (user, password) or None): from `user:password@` in
    the URL, or `user` ("NAME" or "NAME:PASSWORD"), the password else from the environment
    variable KG_SPARQL_PASSWORD."""
    url, u, p = split_credentials(endpoint)
    if user:
        u, sep, pw = user.partition(":")
        p = pw if sep else None
    if u is None:
        return url, None
    if p is None:
        p = os.environ.get("KG_SPARQL_PASSWORD", "")
    return url, (u, p)


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


def cross_issue_links(out_dir: str) -> bytes:
    """The triples of OUT/graph.ttl that no issue file holds, as Turtle: the kg:conflictsWith
    links between figures (kg.rdf.merge_rendered adds them to the merged graph only)."""
    import pyoxigraph as ox
    path = Path(out_dir) / "graph.ttl"
    if not path.is_file():
        raise KgError("E021", path=out_dir)
    try:
        links = [t for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
                 if t.predicate.value == CONFLICTS_WITH]
    except (SyntaxError, ValueError, OSError) as e:
        raise KgError("E022", path=str(path), n=f"none (the file cannot be read: {_reason(e)})")
    return ox.serialize(sorted(set(links), key=str), format=ox.RdfFormat.TURTLE,
                        prefixes={"kg": ns.KG, "metric": ns.BASE + "metric/"})


def push(out_dir: str, endpoint: str, graph: Optional[str] = None, mode: str = "replace",
         timeout: float = TIMEOUT, on_pushed: Optional[Callable[[str, str], None]] = None,
         user: Optional[str] = None) -> PushResult:
    """Upload the built graph in out_dir to a Graph Store Protocol endpoint (for Oxigraph
    `http://HOST:PORT/store`, for Fuseki `http://HOST:PORT/DATASET/data`). Per issue (no
    `graph`), the links between issues (kg:conflictsWith, in graph.ttl only) go last into
    their own graph, LINKS_GRAPH, so that the server holds every triple of graph.ttl.
    `timeout`: seconds each request may take in all. Credentials: `user:password@` in the
    endpoint, or `user` (see credentials); they are sent as HTTP Basic auth, never printed."""
    if mode not in MODES:
        raise KgError("E052", mode=mode, choices=", ".join(MODES))
    url, auth = credentials(endpoint, user)
    secrets = _secrets(endpoint, auth[1] if auth else None)
    todo: list[tuple[str, str, Callable[[], bytes]]] = [
        (iri, str(path), path.read_bytes) for iri, path in plan(out_dir, graph)]
    if graph is None:
        links = cross_issue_links(out_dir)
        if mode == "replace" or links.strip():  # replace: links that are no longer true go
            todo.append((LINKS_GRAPH, f"{Path(out_dir) / 'graph.ttl'} (links between issues)", lambda: links))
    res = PushResult(endpoint=display_url(endpoint), mode=mode)
    for k, (iri, source, read) in enumerate(todo):
        data = read()
        try:
            _request(MODES[mode], _with_params(url, graph=iri), data,
                     {"Content-Type": "text/turtle; charset=utf-8"}, timeout, url, auth, secrets)
        except (KgError, _Sent) as e:
            unknown = isinstance(e, _Sent)
            err = e.args[0] if unknown else e
            rest = [g for g, _, _ in todo[k + 1 if unknown else k:]]
            shown = ", ".join(f"<{g}>" for g in rest[:SHOW_AT_MOST])
            if len(rest) > SHOW_AT_MOST:
                shown += f" and {len(rest) - SHOW_AT_MOST} more"
            reason = str(err).split("] ", 1)[-1]
            if unknown:
                raise KgError("E143", graph=iri, reason=reason, n_ok=len(res.pushed), n_bad=len(rest),
                              not_pushed=shown or "none")
            raise KgError("E020", graph=iri, reason=reason, n_ok=len(res.pushed), n_bad=len(rest),
                          not_pushed=shown)
        res.pushed.append((iri, source))
        res.bytes += len(data)
        if on_pushed:
            on_pushed(iri, source)
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


def query(endpoint: str, sparql: str, timeout: Optional[float] = None, user: Optional[str] = None,
          until: Optional[float] = None) -> QueryResult:
    """Run a query on a SPARQL 1.1 Protocol endpoint (for Oxigraph `http://HOST:PORT/query`,
    for Fuseki `http://HOST:PORT/DATASET/sparql`), as a POST with the query as the body
    (application/sparql-query). The answer is parsed into pyoxigraph terms. `timeout`: a
    deadline in seconds for the whole request (None: none, but a server silent for TIMEOUT
    seconds is given up); `until` (time.monotonic()) ends it earlier, for a deadline that
    several requests share. Credentials as for push."""
    import pyoxigraph as ox

    url, auth = credentials(endpoint, user)
    shown = display_url(endpoint)
    form = query_form(sparql)
    accept = ("text/turtle, application/n-triples;q=0.9" if form == "graph"
              else "application/sparql-results+json, application/sparql-results+xml;q=0.9")
    try:
        body, ctype = _request("POST", url, sparql.encode("utf-8"),
                               {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept},
                               timeout, url, auth, _secrets(endpoint, auth[1] if auth else None), until)
    except _Sent as e:          # a query changes nothing: it simply failed
        raise e.args[0]
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
        raise KgError("E019", url=shown, status=200,
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
