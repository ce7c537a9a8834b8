"""SPARQL over the built graph: the library API behind `kg query`.

pyoxigraph is the query engine; rdflib stays the model and serialization library (and a
reference engine: `query_rdflib` runs the same query, with the same prefixes and
parameters, on an rdflib Graph, so the two can be compared).

* A persistent store `OUT/store/` (a pyoxigraph `Store(path)`) is loaded from
  `OUT/graph.ttl` when it is missing or stale, so a large graph is not re-parsed on every
  query. Staleness is decided by a stamp `OUT/store.stamp` (size, mtime and sha256 of the
  graph.ttl that was loaded): same size and mtime -> fresh; otherwise the sha256 decides.
  After the bulk load the store is compacted (`Store.optimize()`: +0.7 s on 1M triples,
  a larger folder, and every index lookup of every later query ~30% cheaper); a store from
  before that (a stamp without the current `layout`) is reloaded once.
* The prefixes of the ontology and the usual ones (`kg.rdf.PREFIXES`) are predeclared.
* Named queries ship in `kg/queries/NAME.rq`. Their header comments say what they answer
  (the first comment line) and which parameters they take:
  `# param NAME: description` (required) or `# param NAME=DEFAULT: description`.
* Parameters: every occurrence of the variable `?NAME` (or `$NAME`) in the query is
  replaced by the value as escaped RDF terms, found with a SPARQL tokenizer (never inside
  strings, IRIs or comments). The value is never pasted as query text: `"} DROP ALL #`
  stays a string. A named query declares the kind of each parameter:
    - (default) a plain string literal, or an IRI when written `<...>`;
    - `(class)`: a kg: class name (`StockMove` -> kg:StockMove), empty -> UNDEF;
    - `(entity)`: a name matched case-insensitively against every entity's rdfs:label,
      skos:prefLabel, skos:altLabel and kg:ticker (ENTITY_MATCH, run on the same engine
      first), replaced by the matching entity IRIs; empty -> UNDEF (no restriction).
  Class and entity parameters are used as `VALUES ?x { ?param }`: a two-step plan, because
  oxigraph joins a sub-select by hashing (a full scan of the other side: seconds on 1M
  triples) but an inline VALUES by index lookups (see bench/README.md, "SPARQL").
* Safety: read-only (updates are refused), no network (SERVICE, remote FROM and LOAD are
  refused unless allow_remote), an optional timeout.
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Optional, Union

import pyoxigraph as ox

from .errors import KgError
from .namespaces import BASE, PREFIXES as _NS_PREFIXES
from .rdf import PREFIXES as _RDF_PREFIXES

from .resources import QUERIES_DIR  # noqa: E402
PREFIXES: dict[str, str] = dict(_NS_PREFIXES)
FORMATS = ("table", "csv", "tsv", "json", "xml")
STAMP_NAME = "store.stamp"
STORE_LAYOUT = 2   # 2: compacted after the bulk load (a stamp without it is stale)
STORE_NAME = "store"
from .table import MAX_CELL  # noqa: E402,F401 (display columns of a table cell before it is cut)

from .namespaces import XSD  # noqa: E402
_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short",
                               "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
                               "nonPositiveInteger", "unsignedInt", "unsignedLong")}


# --------------------------------------------------------------------------- named queries

@dataclass
class Param:
    name: str
    default: Optional[str]          # None: required
    description: str = ""
    kind: str = "literal"           # "literal" | "class" | "entity"

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass
class NamedQuery:
    name: str
    description: str
    text: str
    path: str
    params: list[Param] = field(default_factory=list)
    example: Optional[str] = None


_PARAM_LINE = re.compile(r"^#\s*param\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((literal|class|entity)\))?"
                         r"\s*(?:=\s*(\S*))?\s*:\s*(.*)$")
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def parse_named(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    desc, params, example = "", [], None
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if not s.startswith("#"):
            break
        m = _PARAM_LINE.match(s)
        if m:
            params.append(Param(m.group(1), m.group(3), m.group(4).strip(), m.group(2) or "literal"))
        elif s.lower().startswith("# example:"):
            example = s.split(":", 1)[1].strip()
        elif not desc:
            desc = s.lstrip("#").strip()
            # "name: what it answers" -> "what it answers"
            if desc.startswith(path.stem + ":"):
                desc = desc[len(path.stem) + 1:].strip()
    return NamedQuery(path.stem, desc, text, str(path), params, example)


def list_queries(directory: Optional[Path] = None) -> list[NamedQuery]:
    d = Path(directory) if directory else QUERIES_DIR
    return [parse_named(p) for p in sorted(d.glob("*.rq"))]


def load_named(name: str, directory: Optional[Path] = None) -> NamedQuery:
    d = Path(directory) if directory else QUERIES_DIR
    p = d / f"{name}.rq"
    if not _NAME_RE.match(name) or not p.is_file():
        known = ", ".join(q.name for q in list_queries(d))
        raise KgError("E120", name=name, known=known)
    return parse_named(p)


def looks_like_name(arg: str) -> bool:
    """A bare word (no spaces, braces or question marks) names a query; anything else is
    SPARQL text."""
    return bool(_NAME_RE.match(arg))


def parse_param(s: str) -> tuple[str, str]:
    name, sep, value = s.partition("=")
    name = name.strip()
    if not sep or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
        raise KgError("E121", value=s)
    return name, value


def bind_params(named: Optional[NamedQuery], given: dict[str, str]) -> dict[str, str]:
    """The parameter values a query runs with: the given ones plus the named query's
    defaults; a named query refuses unknown parameters and requires the required ones."""
    if named is None:
        return dict(given)
    known = {p.name: p for p in named.params}
    for k in given:
        if k not in known:
            raise KgError("E122", name=named.name, param=k,
                          known=", ".join(known) or "no parameters")
    out = {}
    for p in named.params:
        if p.name in given:
            out[p.name] = given[p.name]
        elif p.required:
            raise KgError("E123", name=named.name, param=p.name, desc=p.description)
        else:
            out[p.name] = p.default
    return out


def param_term(value: str) -> Union[ox.Literal, ox.NamedNode]:
    """`<http://…>` is an IRI; anything else a plain string literal (an RDF term, never
    pasted into the query text)."""
    if len(value) > 2 and value.startswith("<") and value.endswith(">"):
        try:
            return ox.NamedNode(value[1:-1])
        except ValueError:
            pass
    return ox.Literal(value)


# --------------------------------------------------------------------------- safety checks

_TOKEN = re.compile(r'''
    (?P<comment>\#[^\r\n]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*)?:(?:[\w\-.:%\\\u00B7-\uFFFF]*[\w\-:%\u00B7-\uFFFF])?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>\S)
''', re.X)

UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_REMOTE_IRI = re.compile(r"^(?:https?|ftp|file):", re.I)


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text) if m.lastgroup != "comment"]


def query_variables(text: str) -> set[str]:
    return {m.group()[1:] for m in _TOKEN.finditer(text) if m.lastgroup == "var"}


ENTITY_MATCH = """SELECT DISTINCT ?e WHERE {
  { ?e skos:prefLabel ?n } UNION { ?e skos:altLabel ?n } UNION { ?e kg:ticker ?n }
  UNION { ?e a kg:Entity ; rdfs:label ?n }
  FILTER (LCASE(STR(?n)) = LCASE(?name))
} ORDER BY ?e"""
NO_MATCH = "<urn:kg:no-matching-entity>"


def param_terms(params: dict[str, str], kinds: Optional[dict[str, str]] = None,
                select=None, notes: Optional[list] = None) -> dict[str, str]:
    """SPARQL text for each parameter value (see the module doc). `select(text)` runs a
    SELECT on the engine and returns its rows (needed for entity parameters)."""
    out = {}
    for k, v in params.items():
        kind = (kinds or {}).get(k, "literal")
        if kind == "literal" or (kind != "literal" and v.startswith("<") and v.endswith(">")):
            out[k] = str(param_term(v))
        elif not v:
            out[k] = "UNDEF"
        elif kind == "class":
            if not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", v):
                raise KgError("E135", param=k, value=v)
            out[k] = f"<{PREFIXES['kg']}{v}>"
        else:
            rows = select(bind_text(ENTITY_MATCH, {"name": str(ox.Literal(v))}))
            iris = [f"<{r[0].value}>" for r in rows if isinstance(r[0], ox.NamedNode)]
            if not iris and notes is not None:
                notes.append(f"no entity matches --param {k}={v!r} (by label, alias or ticker)")
            out[k] = " ".join(iris) or NO_MATCH
    return out


def bind_text(text: str, terms: dict[str, str]) -> str:
    """The query with each `?NAME`/`$NAME` of a parameter replaced by SPARQL term text
    (`param_terms`), outside strings, IRIs and comments."""
    if not terms:
        return text
    out, last = [], 0
    clause = None       # "select" (a projection), "by" (GROUP BY / ORDER BY), "values" or None
    depth = 0           # parentheses inside the clause
    prev = ""           # the previous token, upper-cased
    for m in _TOKEN.finditer(text):
        kind, tok = m.lastgroup, m.group()
        if kind == "comment":
            continue
        up = tok.upper()
        if kind == "word" and up in ("SELECT", "VALUES"):
            clause, depth = up.lower(), 0
        elif kind == "word" and up == "BY" and prev in ("GROUP", "ORDER"):
            clause, depth = "by", 0
        elif (kind == "word" and up in ("WHERE", "FROM", "LIMIT", "OFFSET", "HAVING", "ORDER", "GROUP")) \
                or tok in ("{", "}"):
            clause = None
        elif tok == "(":
            depth += 1
        elif tok == ")":
            depth = max(0, depth - 1)
        if kind == "var" and tok[1:] in terms:
            name, term = tok[1:], terms[tok[1:]]
            if prev == "AS" or clause == "values":
                raise KgError("E144", param=name)
            if clause == "select" and depth == 0:
                term = f"({term} AS {tok})"   # a projected parameter stays a column
            elif clause == "by" and depth == 0:
                term = f"({term})"            # GROUP BY / ORDER BY take an expression
            out.append(text[last:m.start()])
            out.append(term)
            last = m.end()
        prev = up
    out.append(text[last:])
    return "".join(out)


def _declared_prefixes(toks: list[tuple[str, str]]) -> dict[str, str]:
    out = dict(PREFIXES)
    for i, (kind, val) in enumerate(toks[:-2]):
        if kind == "word" and val.upper() == "PREFIX" and toks[i + 1][0] == "pname" and toks[i + 2][0] == "iri":
            out[toks[i + 1][1][:-1]] = toks[i + 2][1][1:-1]
    return out


def check_query(text: str, allow_remote: bool = False) -> None:
    """Refuse updates always, and anything that would reach the network unless allowed."""
    toks = _tokens(text)
    words = [(i, v.upper()) for i, (k, v) in enumerate(toks) if k == "word"]
    for _, w in words:
        if w in UPDATE_WORDS:
            raise KgError("E125", keyword=w)
    if allow_remote:
        return
    prefixes = None
    for i, w in words:
        if w == "SERVICE":
            target = toks[i + 1][1] if i + 1 < len(toks) else ""
            if target.upper() == "SILENT" and i + 2 < len(toks):
                target = toks[i + 2][1]
            raise KgError("E124", what="SERVICE", detail=f"SERVICE {target}")
        if w == "FROM":
            j = i + 1
            if j < len(toks) and toks[j][0] == "word" and toks[j][1].upper() == "NAMED":
                j += 1
            if j >= len(toks):
                continue
            kind, val = toks[j]
            iri = None
            if kind == "iri":
                iri = val[1:-1]
            elif kind == "pname":
                prefixes = prefixes or _declared_prefixes(toks)
                pfx, _, local = val.partition(":")
                iri = prefixes.get(pfx, "") + local
            if iri and _REMOTE_IRI.match(iri):
                raise KgError("E124", what="FROM", detail=f"FROM <{iri}>")
    _check_service_as_the_engine_reads_it(text)


# Every spelling of the keyword the engine could read as SERVICE (it is case-insensitive; the
# regex also takes Unicode case variants, which only makes the check stricter).
_SERVICE_WORD = re.compile("service", re.I)


def _parses(text: str) -> Optional[SyntaxError]:
    """Parse a query with the engine without running it: None when it parses, else the
    SyntaxError. A substitution of a variable the query does not have is refused after
    parsing and before evaluation, so nothing is evaluated (no SERVICE call can happen,
    and a costly query costs nothing here)."""
    probe = "kgprobe"
    while probe in text:
        probe += "x"
    try:
        ox.Store().query(text, prefixes=PREFIXES, substitutions={ox.Variable(probe): ox.Literal("")})
    except SyntaxError as e:
        return e
    except (RuntimeError, ValueError, OSError):
        pass
    return None


def _check_service_as_the_engine_reads_it(text: str) -> None:
    """The tokenizer above reads SPARQL as the grammar says, but a regular expression cannot
    settle every case the engine's parser does ('<' is an IRI or "less than" depending on
    context; the engine takes `SERVICEx:p` as `SERVICE x:p`). So the engine decides: every
    spelling of the word is respelled `SERVICZ` (the same length, so no offset moves, and no
    keyword), and the respelled query is parsed, not run. If the query still parses, none of
    the words was the keyword (a string, an IRI, a name or a comment parses the same with
    either spelling); if it does not, the query is refused: as SERVICE when it parses with
    GRAPH (the same shape) in place of SERVICE, else as the syntax error it has."""
    words = list(_SERVICE_WORD.finditer(text))
    if not words:
        return
    chars = list(text)
    for m in words:
        chars[m.end() - 1] = "z" if text[m.end() - 1].islower() else "Z"
    respelled = "".join(chars)
    err = _parses(respelled)
    if err is None:
        return
    # (no text parsed below holds the keyword: each is harmless even if it were run)
    if _parses(_SERVICE_SILENT.sub("GRAPH ", respelled)) is None:
        m = words[0]
        for m in words:     # which one it is, for the message
            if _parses(respelled[:m.start()] + "GRAPH " + respelled[m.end():].lstrip()) is None:
                break
        target = _SERVICE_SILENT.sub("", text[m.start():]).split("{")[0]
        raise KgError("E124", what="SERVICE", detail=_one_line(f"SERVICE {target}")[:90])
    raise _syntax_error(text, err)


_SERVICE_SILENT = re.compile(r"servic[ez](?:\s+silent(?![\w:]))?\s*", re.I)


# --------------------------------------------------------------------------- the store

def _stat(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_stamp(out: Path) -> Optional[dict]:
    try:
        return json.loads((out / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_stamp(out: Path, stamp: dict) -> None:
    tmp = out / f".{STAMP_NAME}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(stamp, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, out / STAMP_NAME)


def store_is_fresh(out_dir: Union[str, Path]) -> bool:
    out = Path(out_dir)
    graph, store = out / "graph.ttl", out / STORE_NAME
    stamp = _read_stamp(out)
    if not stamp or stamp.get("layout") != STORE_LAYOUT or not store.is_dir() or not graph.is_file():
        return False
    st = _stat(graph)
    if st["size"] == stamp.get("size") and st["mtime_ns"] == stamp.get("mtime_ns"):
        return True
    if st["size"] == stamp.get("size") and _sha256(graph) == stamp.get("sha256"):
        stamp.update(st)            # touched but not changed: keep the store
        try:
            _write_stamp(out, stamp)
        except OSError:
            pass
        return True
    return False


_STALE_STORE = re.compile(r"^\.%s\.(\d+)\.(?:tmp|old)$" % STORE_NAME)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:                 # EPERM: another user's process
        return True
    return True


def remove_stale_stores(out_dir: Union[str, Path]) -> list[str]:
    """Delete the half-built stores (`.store.PID.tmp/`) and replaced ones (`.store.PID.old/`)
    that a `kg query` killed outright (SIGKILL, power loss) left behind: those whose
    process is gone."""
    removed = []
    try:
        entries = list(Path(out_dir).iterdir())
    except OSError:
        return removed
    for p in entries:
        m = _STALE_STORE.match(p.name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(str(p))
    return sorted(removed)


class Deadline(Exception):
    """run_in_thread: the work did not finish in time."""


def run_in_thread(fn, timeout: Optional[float] = None):
    """fn() in a daemon worker thread, waited for in short steps so that this thread gets
    Ctrl-C / SIGTERM at once (pyoxigraph does its work without the GIL, and a long call in
    the main thread would hold signals until it returns). Raises Deadline when it has not
    finished after `timeout` seconds (the worker cannot be stopped: it is abandoned)."""
    import time

    box: dict[str, Any] = {}

    def work():
        try:
            box["result"] = fn()
        except BaseException as e:  # handed to the caller's thread
            box["error"] = e

    t = threading.Thread(target=work, name="kg-query", daemon=True)
    t.start()
    deadline = None if not timeout else time.monotonic() + timeout
    while t.is_alive():
        step = 0.1 if deadline is None else min(0.1, deadline - time.monotonic())
        if step <= 0:
            raise Deadline
        t.join(step)
    if "error" in box:
        raise box["error"]
    return box["result"]


def ensure_store(out_dir: Union[str, Path]) -> tuple[Path, bool]:
    """Make OUT/store/ hold OUT/graph.ttl. Returns (store path, whether it was (re)loaded)."""
    out = Path(out_dir)
    from .layout import graph_path

    graph = graph_path(out)
    if store_is_fresh(out):
        return out / STORE_NAME, False
    data = graph.read_bytes()
    stamp = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "layout": STORE_LAYOUT}
    st = _stat(graph)
    if st["size"] == stamp["size"]:
        stamp["mtime_ns"] = st["mtime_ns"]
    remove_stale_stores(out)
    tmp = out / f".{STORE_NAME}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)

    def load():
        store = ox.Store(str(tmp))
        store.bulk_load(data, format=ox.RdfFormat.TURTLE, base_iri=BASE)
        stamp["triples"] = len(store)
        store.flush()
        # Compact: the bulk load leaves its files as written; compacted, a lookup (the
        # unit of work of every query here) costs ~30% less (bench/README.md, "SPARQL").
        store.optimize()
        del store
        gc.collect()

    try:
        # in a worker thread (pyoxigraph releases the GIL), so that Ctrl-C and SIGTERM
        # reach this thread at once and the half-built store is removed
        run_in_thread(load)
    except SyntaxError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise KgError("E127", path=str(graph), msg=_one_line(str(e)))
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise KgError("E128", path=str(out / STORE_NAME), msg=_one_line(str(e)))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    dest = out / STORE_NAME
    old = out / f".{STORE_NAME}.{os.getpid()}.old"
    if dest.exists():
        os.replace(dest, old)
    try:
        os.replace(tmp, dest)
    except OSError:                 # another process put a store in place meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
    _write_stamp(out, stamp)
    shutil.rmtree(old, ignore_errors=True)
    return dest, True


def open_store(out_dir: Union[str, Path]) -> ox.Store:
    """A read-only handle on OUT/store/, (re)loaded from OUT/graph.ttl first if needed. A
    build folder where the store cannot be written (read-only) is loaded into memory."""
    try:
        path, _ = ensure_store(out_dir)
    except KgError as e:
        if e.code != "E128":
            raise
        from .layout import graph_path
        store = ox.Store()
        try:
            store.bulk_load(graph_path(out_dir).read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=BASE)
        except SyntaxError as err:
            raise KgError("E127", path=str(graph_path(out_dir)), msg=_one_line(str(err)))
        return store
    try:
        return ox.Store.read_only(str(path))
    except OSError as e:
        raise KgError("E128", path=str(path), msg=_one_line(str(e)))


# --------------------------------------------------------------------------- running

@dataclass
class QueryResult:
    """The answer to a query, from the local store, rdflib (query_rdflib) or a remote
    server (kg.remote.query): printed the same way by format_result."""
    kind: str                                   # "select" | "ask" | "graph"
    variables: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)    # e.g. an entity parameter matched nothing
    rows: list[tuple] = field(default_factory=list)   # pyoxigraph terms (None: unbound)
    boolean: Optional[bool] = None
    triples: list = field(default_factory=list)       # pyoxigraph Triples


def _one_line(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def _syntax_error(text: str, e: Exception) -> KgError:
    msg = _one_line(str(e))
    m = re.match(r"error at (\d+):(\d+):\s*(.*)$", msg)
    if not m:
        return KgError("E129", line="?", col="?", msg=msg, near="")
    line, col, detail = int(m.group(1)), int(m.group(2)), m.group(3)
    lines = text.splitlines() or [""]
    src = lines[line - 1] if 0 < line <= len(lines) else ""
    if "Prefix not found" in detail:
        before = src[:max(col - 1, 0)]
        pm = re.search(r"([A-Za-z][\w.-]*)?:[\w.-]*$", before)
        detail = f"unknown prefix {pm.group(1) + ':' if pm and pm.group(1) else ':'!r}" if pm else "unknown prefix"
    if len(detail) > 200:
        detail = detail[:200] + "…"
    near = f' (line {line}: "{src.strip()[:80]}")' if src.strip() else ""
    return KgError("E129", line=line, col=col, msg=detail, near=near)


def _execute(store: ox.Store, text: str) -> QueryResult:
    try:
        res = store.query(text, prefixes=PREFIXES)
    except SyntaxError as e:
        raise _syntax_error(text, e)
    except (OSError, ValueError, RuntimeError) as e:
        raise KgError("E130", msg=_one_line(str(e)))
    try:
        if isinstance(res, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(res))
        if isinstance(res, ox.QuerySolutions):
            variables = [v.value for v in res.variables]
            rows = list(map(tuple, res))    # a solution iterates in variable order
            return QueryResult("select", variables=variables, rows=rows)
        return QueryResult("graph", triples=list(res))
    except (OSError, ValueError, RuntimeError) as e:
        raise KgError("E130", msg=_one_line(str(e)))


def _check_params_used(text: str, params: dict[str, str]) -> None:
    used = query_variables(text)
    for k in params:
        if k not in used:
            raise KgError("E134", param=k)


def _kinds(named: Optional[NamedQuery]) -> dict[str, str]:
    return {p.name: p.kind for p in named.params} if named else {}


def run_query(store: ox.Store, text: str, params: Optional[dict[str, str]] = None,
              allow_remote: bool = False, timeout: Optional[float] = None,
              named: Optional[NamedQuery] = None) -> QueryResult:
    """Check and run a query, in a daemon worker thread (see run_in_thread): with a timeout,
    a KgError E131 is raised when it does not finish in time; on Ctrl-C the caller gets
    KeyboardInterrupt at once. Either way the worker is abandoned: a CLI should exit the
    process promptly after that."""
    check_query(text, allow_remote)
    _check_params_used(text, params or {})

    def execute():
        notes: list[str] = []
        terms = param_terms(params or {}, _kinds(named), lambda t: _execute(store, t).rows, notes)
        res = _execute(store, bind_text(text, terms))
        res.notes = notes
        return res

    try:
        return run_in_thread(execute, timeout)
    except Deadline:
        raise KgError("E131", seconds=f"{timeout:g}")


def query_rdflib(graph, text: str, params: Optional[dict[str, str]] = None,
                 named: Optional[NamedQuery] = None) -> QueryResult:
    """The same query on an rdflib Graph (the reference engine), with the same predeclared
    prefixes and parameter binding; terms are converted to pyoxigraph terms."""
    check_query(text)
    _check_params_used(text, params or {})

    def select(t):
        return [tuple(_from_rdflib(x) for x in row) for row in graph.query(t, initNs=dict(_RDF_PREFIXES))]

    terms = param_terms(params or {}, _kinds(named), select)
    res = graph.query(bind_text(text, terms), initNs=dict(_RDF_PREFIXES))
    if res.type == "ASK":
        return QueryResult("ask", boolean=bool(res.askAnswer))
    if res.type == "SELECT":
        variables = [str(v) for v in res.vars]
        return QueryResult("select", variables=variables,
                           rows=[tuple(_from_rdflib(t) for t in row) for row in res])
    return QueryResult("graph", triples=[ox.Triple(*(_from_rdflib(t) for t in tr)) for tr in res])


def _from_rdflib(t):
    import rdflib

    if t is None:
        return None
    if isinstance(t, rdflib.URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, rdflib.BNode):
        return ox.BlankNode(str(t))
    if t.language:
        return ox.Literal(str(t), language=t.language)
    return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype or XSD + "string")))


def normalize_term(t) -> Any:
    """A comparable form of a term: numbers by value, other literals by lexical form,
    datatype and language; IRIs by string. Used to compare engines."""
    if t is None:
        return None
    if isinstance(t, ox.Literal):
        dt = t.datatype.value if t.datatype else None
        if dt in _NUMERIC:
            try:
                return ("num", Decimal(t.value).normalize())
            except InvalidOperation:
                return ("num", t.value)
        if t.language:
            return ("lit", t.value, t.language.lower())
        return ("lit", t.value, dt)
    if isinstance(t, ox.BlankNode):
        return ("bnode",)
    return ("iri", t.value)


# --------------------------------------------------------------------------- formatting

def compact(iri: str) -> str:
    """prefix:local for a known namespace, <relative> under the data base IRI, else <iri>."""
    best = ""
    for p, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            local = iri[len(ns):]
            if re.match(r"^[\w\-.]*$", local) and not local.endswith("."):
                best = p
    if best:
        return f"{best}:{iri[len(PREFIXES[best]):]}"
    if iri.startswith(BASE):
        return f"<{iri[len(BASE):]}>"
    return f"<{iri}>"


def display(t) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.NamedNode):
        return compact(t.value)
    if isinstance(t, ox.BlankNode):
        return f"_:{t.value}"
    if isinstance(t, ox.Literal):
        return re.sub(r"\s+", " ", t.value)
    return str(t)


def format_table(res: QueryResult, total_width: Optional[int] = None) -> str:
    """An aligned table (kg/table.py: display width, cells cut at MAX_CELL columns, fitted
    to total_width when given), then the number of rows. Values are shown as they are
    (no Markdown stripping: this is the data)."""
    from .table import format_table as table

    rows = [{v: display(t) for v, t in zip(res.variables, row)} for row in res.rows]
    n = len(res.rows)
    return table(rows, list(res.variables), total_width, markdown=False,
                 footer=f"({n} row{'s' if n != 1 else ''})")


_RESULT_FORMATS = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
                   "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}


def _solutions_bytes(res: QueryResult, fmt: str) -> bytes:
    # Round-trip through the W3C serializer of pyoxigraph: build a JSON results document
    # (trivially exact) and let pyoxigraph re-serialize it in the asked format.
    doc = {"head": {"vars": res.variables}, "results": {"bindings": []}}
    for row in res.rows:
        b = {}
        for v, t in zip(res.variables, row):
            if t is None:
                continue
            if isinstance(t, ox.NamedNode):
                b[v] = {"type": "uri", "value": t.value}
            elif isinstance(t, ox.BlankNode):
                b[v] = {"type": "bnode", "value": t.value}
            else:
                d = {"type": "literal", "value": t.value}
                if t.language:
                    d["xml:lang"] = t.language
                elif t.datatype and t.datatype.value != XSD + "string":
                    d["datatype"] = t.datatype.value
                b[v] = d
        doc["results"]["bindings"].append(b)
    raw = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if fmt == "json":
        return raw + b"\n"
    parsed = ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
    data = parsed.serialize(format=_RESULT_FORMATS[fmt])
    return data if data.endswith(b"\n") else data + b"\n"


def turtle(triples) -> bytes:
    """Deterministic Turtle of CONSTRUCT/DESCRIBE results (triples sorted)."""
    ts = sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    used = {p: ns for p, ns in PREFIXES.items()
            if any(str(x).startswith("<" + ns) for t in ts for x in (t.subject, t.predicate, t.object))}
    return ox.serialize(ts, format=ox.RdfFormat.TURTLE, prefixes=used)


def format_result(res: QueryResult, fmt: str = "table", total_width: Optional[int] = None) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    if res.kind == "ask":
        if fmt in ("json", "xml"):
            raw = json.dumps({"head": {}, "boolean": bool(res.boolean)}).encode()
            if fmt == "json":
                return raw + b"\n"
            return ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON).serialize(
                format=ox.QueryResultsFormat.XML) + b"\n"
        return b"true\n" if res.boolean else b"false\n"
    if res.kind == "graph":
        return turtle(res.triples)
    if fmt == "table":
        return format_table(res, total_width).encode("utf-8")
    return _solutions_bytes(res, fmt)


def read_query_file(path: str) -> str:
    import sys

    if path == "-":
        return sys.stdin.read()
    p = Path(path)
    if not p.is_file():
        raise KgError("E001", path=path)
    return p.read_text(encoding="utf-8-sig")
