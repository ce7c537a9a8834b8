"""`kg push` and `kg query --endpoint` against a real Oxigraph server (`oxigraph serve`,
started here on a free 127.0.0.1 port and stopped afterwards)."""
from __future__ import annotations

import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import remote
from kg.build import build
from kg.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
ISSUE_IRIS = {"https://w3id.org/newskg/issue/ai-weekly/470", "https://w3id.org/newskg/issue/chip-digest/12",
              "https://w3id.org/newskg/issue/market-brief/88"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_cli() -> str | None:
    here = Path(sys.executable).parent / "oxigraph"
    return str(here) if here.exists() else shutil.which("oxigraph")


def oxigraph_server(location: Path):
    """`oxigraph serve --union-default-graph` (as the README runs it) on a free 127.0.0.1 port:
    yields its base URL and stops it afterwards; skips when it is missing or cannot start."""
    exe = oxigraph_cli()
    if exe is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    try:
        proc = subprocess.Popen([exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                                 "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except OSError as e:
        pytest.skip(f"oxigraph serve cannot start: {e}")
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.skip("oxigraph serve exited: " + proc.stderr.read().decode(errors="replace"))
                time.sleep(0.1)
        else:
            pytest.skip("oxigraph serve did not start")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from oxigraph_server(tmp_path_factory.mktemp("oxdb"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    build([str(EXAMPLES)], str(out))
    return out


DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def canon(t) -> tuple:
    """A triple with xsd:decimal literals by value: the server stores values, so `46.0`
    comes back as `46`."""
    o = t.object
    if isinstance(o, ox.Literal) and o.datatype and o.datatype.value == DECIMAL:
        o = ("decimal", Decimal(o.value).normalize())
    return (t.subject, t.predicate, o)


def local_triples(path: Path) -> set:
    return {canon(t) for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)}


def remote_graph(base: str, iri: str) -> set:
    res = remote.query(base + "/query", f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
    assert res.kind == "graph"
    return {canon(t) for t in res.triples}


def test_push_one_named_graph_per_issue(server, built):
    r = CliRunner().invoke(cli, ["push", "--endpoint", server + "/store", "-b", str(built)])
    assert r.exit_code == 0, r.output
    assert "pushed 4 graph(s)" in r.output          # the 3 issues and the links between them
    res = remote.query(server + "/query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a kg:Issue } }"
                       .replace("kg:Issue", "<https://w3id.org/newskg/ontology#Issue>"))
    assert {row[0].value for row in res.rows} >= ISSUE_IRIS
    for f in sorted((built / "issues").glob("*.ttl")):
        iri = remote.issue_graph_iri(f)
        assert iri in ISSUE_IRIS
        assert remote_graph(server, iri) == local_triples(f)  # every triple, nothing else


def test_push_merged_graph_replace_then_merge(server, built, tmp_path):
    g = "https://example.org/graph/all"
    small = tmp_path / "small"
    build([str(EXAMPLES / "market-brief-88.txt")], str(small))
    run = CliRunner().invoke
    r = run(cli, ["push", "--endpoint", server + "/store", "-b", str(built), "--graph", g, "-q"])
    assert r.exit_code == 0, r.output
    assert remote_graph(server, g) == local_triples(built / "graph.ttl")
    # replace: the graph's old content goes
    r = run(cli, ["push", "--endpoint", server + "/store", "-b", str(small), "--graph", g, "--mode", "replace"])
    assert r.exit_code == 0, r.output
    assert remote_graph(server, g) == local_triples(small / "graph.ttl")
    # merge: triples are added
    r = run(cli, ["push", "--endpoint", server + "/store", "-b", str(built), "--graph", g, "--mode", "merge"])
    assert r.exit_code == 0, r.output
    assert remote_graph(server, g) == local_triples(small / "graph.ttl") | local_triples(built / "graph.ttl")


def test_remote_select_and_ask(server, built):
    CliRunner().invoke(cli, ["push", "--endpoint", server + "/store", "-b", str(built), "-q"])
    res = remote.query(server + "/query", """
        PREFIX kg: <https://w3id.org/newskg/ontology#>
        PREFIX schema: <https://schema.org/>
        SELECT ?issue ?n WHERE { GRAPH ?issue { ?issue a kg:Issue ; schema:issueNumber ?n } } ORDER BY ?n""")
    assert res.kind == "select" and res.variables == ["issue", "n"]
    got = {(row[0].value, int(row[1].value)) for row in res.rows}
    assert {("https://w3id.org/newskg/issue/chip-digest/12", 12),
            ("https://w3id.org/newskg/issue/market-brief/88", 88),
            ("https://w3id.org/newskg/issue/ai-weekly/470", 470)} <= got
    ask = remote.query(server + "/query", "ASK { GRAPH ?g { ?s ?p \"no such literal anywhere\" } }")
    assert ask.kind == "ask" and ask.boolean is False


def test_query_syntax_error_is_reported(server):
    with pytest.raises(remote.KgError) as e:
        remote.query(server + "/query", "SELEC nonsense")
    assert e.value.code == "E019" and "HTTP 400" in str(e.value)


def test_push_to_a_server_that_is_down(built):
    r = CliRunner().invoke(cli, ["push", "--endpoint", f"http://127.0.0.1:{free_port()}/store", "-b", str(built)])
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and "[E020]" in lines[0]
    assert "pushed 0 graph(s), not pushed 4" in lines[0] and "cannot reach" in lines[0]


def test_query_a_server_that_is_down():
    with pytest.raises(remote.KgError) as e:
        remote.query(f"http://127.0.0.1:{free_port()}/query", "ASK {}")
    assert e.value.code == "E018"


def test_push_not_a_build_folder_or_bad_iri(tmp_path, built):
    r = CliRunner().invoke(cli, ["push", "--endpoint", "http://127.0.0.1:9/store", "-b", str(tmp_path)])
    assert r.exit_code == 1 and "[E160]" in r.output
    r = CliRunner().invoke(cli, ["push", "--endpoint", "http://127.0.0.1:9/store", "-b", str(built),
                                 "--graph", "not an iri"])
    assert r.exit_code == 1 and "[E051]" in r.output


class _FlakyStore(http.server.BaseHTTPRequestHandler):
    """Accepts the first upload, answers 500 to every later one."""
    received: list = []

    def do_PUT(self):
        n = int(self.headers.get("Content-Length", 0))
        self.rfile.read(n)
        type(self).received.append(self.path)
        if len(type(self).received) == 1:
            self.send_response(204)
            self.end_headers()
        else:
            body = b"disk full"
            self.send_response(500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *a):
        pass


def test_partial_push_says_which_graphs_were_pushed(built):
    _FlakyStore.received = []
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _FlakyStore)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_port}/store"
        r = CliRunner().invoke(cli, ["push", "--endpoint", url, "-b", str(built)])
    finally:
        httpd.shutdown()
    files = sorted((built / "issues").glob("*.ttl"))
    first, second, third = (remote.issue_graph_iri(f) for f in files)
    assert r.exit_code == 1
    assert f"pushed <{first}>" in r.output                 # reported as it went
    err = r.output.strip().splitlines()[-1]
    assert err.startswith("Error: [E020]") and f"<{second}>" in err and "HTTP 500: disk full" in err
    assert "pushed 1 graph(s), not pushed 3" in err and f"<{third}>" in err and f"<{remote.LINKS_GRAPH}>" in err
    assert len(_FlakyStore.received) == 2                  # stopped at the first failure


def test_cli_query_endpoint_prints_like_a_local_query(server, built):
    if "endpoint" not in {p.name for p in cli.commands["query"].params}:
        pytest.skip("kg query has no --endpoint option in this checkout")
    run = CliRunner().invoke
    assert run(cli, ["push", "--endpoint", server + "/store", "-b", str(built), "-q"]).exit_code == 0
    # the server runs with --union-default-graph: its default graph is the union of the issue
    # graphs (plus what other tests pushed: hence DISTINCT), so the same query prints the same answer
    sparql = ("SELECT DISTINCT ?issue ?item ?text WHERE { ?item kg:inIssue ?issue ; schema:headline ?text "
              "FILTER(CONTAINS(?text, ?word)) } ORDER BY ?issue ?item")
    local = run(cli, ["query", sparql, "-b", str(built), "--format", "csv", "-p", "word=Gold"])
    remote_ = run(cli, ["query", sparql, "--endpoint", server + "/query", "--format", "csv", "-p", "word=Gold"])
    assert local.exit_code == 0 and remote_.exit_code == 0, (local.output, remote_.output)
    assert remote_.output == local.output
    assert remote_.output.count("\n") >= 3 and "Gold" in remote_.output
    ask = run(cli, ["query", "ASK { ?m a kg:Metric ; kg:unit ?u }", "--endpoint", server + "/query"])
    assert ask.exit_code in (0, 1) and ask.output.strip() in ("true", "false")
    bad = run(cli, ["query", "SELECT ?x WHERE { ?x kg:nope }", "--endpoint", server + "/query"])
    assert bad.exit_code == 1 and "HTTP 400" in bad.output and len(bad.output.strip().splitlines()) == 1
    down = run(cli, ["query", "ASK {}", "--endpoint", f"http://127.0.0.1:{free_port()}/query"])
    assert down.exit_code == 1 and "[E018]" in down.output
