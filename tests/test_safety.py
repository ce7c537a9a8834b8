"""Issue #16, "Nothing lost, nothing leaked": one regression test per defect found by
attacking kg, each named after the behaviour that failed before the fix."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def run(*args, **kw):
    return CliRunner().invoke(cli, [str(a) for a in args], **kw)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The examples, built once (rules only): copy it before changing it."""
    out = tmp_path_factory.mktemp("safety") / "out"
    build([str(EXAMPLES)], str(out), model="none")
    return out


class Listener:
    """A TCP port on 127.0.0.1 that records every connection made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            c.settimeout(1)
            try:
                self.connections.append(c.recv(500))
            except OSError:
                self.connections.append(b"")
            c.close()

    def close(self):
        self.sock.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


# --- 1. SERVICE refusal ------------------------------------------------------------------

def _service_attacks(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ # x\rSERVICE <{url}> {{ ?s ?p ?o }} }}",            # the engine ends a comment at CR
        f"SELECT * WHERE {{ # x\r\nSERVICE <{url}> {{ ?s ?p ?o }} }}",
        # '<' is "less than" to the engine, the start of an IRI to a regular expression
        f"SELECT * WHERE {{ BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b)SERVICE#>\n<{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX x: <{url.rsplit('/', 1)[0]}/> SELECT * WHERE {{ SERVICEx:p {{ ?s ?p ?o }} }}",  # no space
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    ]


def test_service_hidden_after_a_carriage_return_reached_the_network(built, listener):
    url = f"http://127.0.0.1:{listener.port}/p"
    for sparql in _service_attacks(url):
        r = run("query", "-b", built, sparql)
        assert r.exit_code == 1 and "[E124]" in r.output, (sparql, r.output)
        r = run("query", "-b", built, "-f", "-", input=sparql)
        assert r.exit_code == 1 and "[E124]" in r.output, (sparql, r.output)
    time.sleep(0.2)
    assert listener.connections == []
    # the same words inside strings, IRIs, names and comments are no SERVICE
    ok = run("query", "-b", built, 'SELECT ?x WHERE { BIND("a SERVICE" AS ?x) '
             "FILTER(?x != <http://example.org/service>) FILTER(!STRSTARTS(?x, 'service')) } # SERVICE")
    assert ok.exit_code == 0, ok.output


# --- 16. a parameter in the SELECT list -------------------------------------------------

def test_parameter_in_the_select_list_was_a_syntax_error(built):
    nvidia = "<https://w3id.org/newskg/entity/nvidia>"
    r = run("query", "-b", built, "--format", "csv", "SELECT ?e ?l WHERE { ?e rdfs:label ?l }", "-p", f"e={nvidia}")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == ["e,l", "https://w3id.org/newskg/entity/nvidia,Nvidia"]
    # also in ORDER BY / GROUP BY and a sub-select, and a literal parameter
    r = run("query", "-b", built, "--format", "csv",
            "SELECT ?e (COUNT(?i) AS ?n) WHERE { { SELECT ?e ?i WHERE { ?i schema:mentions ?e } } } "
            "GROUP BY ?e ORDER BY ?e", "-p", f"e={nvidia}")
    assert r.exit_code == 0, r.output
    head, row = r.output.splitlines()
    assert head == "e,n" and row.startswith("https://w3id.org/newskg/entity/nvidia,") and int(row.split(",")[1]) > 0
    r = run("query", "-b", built, "--format", "csv", "SELECT ?w WHERE { }", "-p", "w=Gold")
    assert r.exit_code == 0 and r.output.splitlines() == ["w", "Gold"], r.output
    # a variable the query assigns itself cannot be a parameter: one clear line
    r = run("query", "-b", built, "SELECT ?w WHERE { BIND(1 AS ?w) }", "-p", "w=Gold")
    assert r.exit_code == 1 and "[E144]" in r.output and "assigns ?w itself" in r.output


# --- 15. Ctrl-C and killed store loads --------------------------------------------------

def _kg(*args) -> list[str]:
    return [sys.executable, "-m", "kg.cli", *[str(a) for a in args]]


def test_ctrl_c_did_not_stop_a_long_query(built, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built, out)
    assert run("query", "-b", out, "ASK {}").exit_code == 0          # the store is built
    proc = subprocess.Popen(_kg("query", "-b", out, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    time.sleep(3)
    assert proc.poll() is None, proc.communicate()
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("kg query did not stop on SIGINT")
    assert proc.returncode == 130 and "interrupted (SIGINT)" in err, err
    assert time.monotonic() - t0 < 10


def _big_graph(out: Path, n: int) -> None:
    out.mkdir()
    with open(out / "graph.ttl", "w") as f:
        f.write("@prefix ex: <http://example.org/> .\n")
        for i in range(n):
            f.write(f'ex:s{i} ex:p{i % 13} "value {i}" ; ex:q ex:o{i % 1000} .\n')


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_killed_query_left_half_built_stores(tmp_path):
    out = tmp_path / "out"
    _big_graph(out, 150_000)
    # one left by a kg query killed outright (SIGKILL) earlier: its process is gone
    stale = out / f".store.{_dead_pid()}.tmp"
    (stale / "sub").mkdir(parents=True)
    (stale / "sub" / "000001.sst").write_bytes(b"x" * 1000)
    proc = subprocess.Popen(_kg("query", "-b", out, "ASK { ?s ?p ?o }"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    tmp = out / f".store.{proc.pid}.tmp"
    for _ in range(600):                    # SIGTERM while the store is being loaded
        if tmp.exists() or proc.poll() is not None:
            break
        time.sleep(0.02)
    if not tmp.exists():
        proc.kill()
        pytest.fail("the store was loaded before the test could interrupt it")
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143 and "interrupted (SIGTERM)" in err, err
    assert not stale.exists()               # removed when the store load started
    # what the interrupted load was writing is gone, now or at the latest with the next query
    r = run("query", "-b", out, "ASK { ?s ?p ?o }")
    assert r.exit_code == 0 and r.output.strip() == "true"
    assert sorted(p.name for p in out.iterdir()) == ["graph.ttl", "store", "store.stamp"]


# --- 9. the server's answer is the local answer ------------------------------------------

@pytest.fixture(scope="module")
def union_server(tmp_path_factory):
    """A server of its own (the one of test_remote.py holds what its tests pushed)."""
    from test_remote import oxigraph_server
    yield from oxigraph_server(tmp_path_factory.mktemp("oxdb"))


def test_server_answers_differed_from_local_answers_after_push(union_server, built):
    from collections import Counter

    from kg import query as q
    from test_query import CASES
    r = run("push", "--endpoint", union_server + "/store", "-b", built, "-q")
    assert r.exit_code == 0, r.output
    store = q.open_store(built)

    def local(text, params=None, named=None):
        return q.run_query(store, text, params or {}, named=named)

    def remote_(text, params=None, named=None):
        from kg import remote
        sel = lambda t: remote.query(union_server + "/query", remote.with_prefixes(t, q.PREFIXES)).rows  # noqa: E731
        terms = q.param_terms(params or {}, q._kinds(named), sel)
        return remote.query(union_server + "/query", remote.with_prefixes(q.bind_text(text, terms), q.PREFIXES))

    def rows(res):
        return [tuple(q.normalize_term(t) for t in row) for row in res.rows]

    links = "SELECT ?a ?b WHERE { ?a kg:conflictsWith ?b } ORDER BY ?a ?b"
    assert len(rows(local(links))) == 2
    assert rows(remote_(links)) == rows(local(links))          # the links between issues were not pushed
    for name, cases in CASES.items():
        nq = q.load_named(name)
        for params in cases:
            bound = q.bind_params(nq, params)
            want, got = rows(local(nq.text, bound, nq)), rows(remote_(nq.text, bound, nq))
            assert want, (name, params)
            # the same rows, in the same order where the query orders them
            assert Counter(got) == Counter(want), (name, params)
            assert got == want, (name, params)


class _Server:
    """A local HTTP server whose answer a test chooses: `behave(handler)` per request."""

    def __init__(self, behave):
        import http.server

        outer = self
        self.requests: list[dict] = []

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self):
                n = int(self.headers.get("Content-Length", 0) or 0)
                body = self.rfile.read(n) if n else b""
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                       "method": self.command, "body": body})
                behave(self)

            do_PUT = do_POST = do_GET = _any

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_port
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _answer(h, status: int, body: bytes = b"", ctype: str = "text/plain"):
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


# --- 2. credentials ----------------------------------------------------------------------

def test_credentials_in_the_endpoint_were_printed(built, monkeypatch):
    import base64

    def echo(h):      # a server that echoes the request line in its error, as many do
        if "fail" in h.path:
            _answer(h, 403, f"forbidden: {h.command} {h.path}".encode())
        elif h.command == "POST" and "query" in h.path:
            _answer(h, 200, b'{"head":{},"boolean":true}', "application/sparql-results+json")
        else:
            _answer(h, 204)

    srv = _Server(echo)
    try:
        base = f"127.0.0.1:{srv.port}"
        # user:password@ in the URL: HTTP Basic, and the password never printed
        r = run("push", "--endpoint", f"http://admin:s3cr%3At@{base}/store", "-b", built)
        assert r.exit_code == 0, r.output
        assert {q["auth"] for q in srv.requests} == {"Basic " + base64.b64encode(b"admin:s3cr:t").decode()}
        assert "s3cr" not in r.output and f"http://admin:***@{base}/store" in r.output
        # a token in the query string: sent, never printed (success line, E019, E020)
        srv.requests.clear()
        r = run("push", "--endpoint", f"http://{base}/store?access_token=tok123", "-b", built)
        assert r.exit_code == 0 and "tok123" not in r.output and "access_token=***" in r.output
        assert all("access_token=tok123" in q["path"] for q in srv.requests)
        r = run("push", "--endpoint", f"http://{base}/fail?access_token=tok123", "-b", built)
        assert r.exit_code == 1 and "[E020]" in r.output and "HTTP 403" in r.output and "tok123" not in r.output
        r = run("query", "--endpoint", f"http://u:pw9876@{base}/fail?key=tok123", "ASK {}")
        assert r.exit_code == 1 and "[E019]" in r.output and "tok123" not in r.output and "pw9876" not in r.output
        r = run("query", "--endpoint", f"http://u:pw9876@{base}/query", "ASK {}")
        assert r.exit_code == 0 and r.output.strip() == "true"
        # --user, and the password from the environment
        srv.requests.clear()
        monkeypatch.setenv("KG_SPARQL_PASSWORD", "envpw")
        r = run("query", "--endpoint", f"http://{base}/query", "--user", "bob", "ASK {}")
        assert r.exit_code == 0 and srv.requests[-1]["auth"] == "Basic " + base64.b64encode(b"bob:envpw").decode()
    finally:
        srv.close()
    # a server that is down: the error names the host, not the password
    from test_remote import free_port
    r = run("push", "--endpoint", f"http://admin:secret@127.0.0.1:{free_port()}/store", "-b", built)
    assert r.exit_code == 1 and "[E020]" in r.output and "secret" not in r.output, r.output


# --- 14. --timeout is a deadline ---------------------------------------------------------

def _one_byte_a_second(h):
    body = b'{"head":{},"boolean":true}'
    h.send_response(200)
    h.send_header("Content-Type", "application/sparql-results+json")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    for b in body:
        try:
            h.wfile.write(bytes([b]))
            h.wfile.flush()
        except OSError:
            return
        time.sleep(1)


def test_a_server_sending_one_byte_a_second_was_waited_for_without_end(built):
    srv = _Server(_one_byte_a_second)
    try:
        t0 = time.monotonic()
        r = run("query", "--endpoint", f"http://127.0.0.1:{srv.port}/query", "--timeout", "2", "ASK {}")
        assert r.exit_code == 1 and "[E018]" in r.output and "within 2 s" in r.output, r.output
        assert time.monotonic() - t0 < 6
        t0 = time.monotonic()
        r = run("push", "--endpoint", f"http://127.0.0.1:{srv.port}/store", "-b", built, "--timeout", "2")
        assert r.exit_code == 1 and "within 2 s" in r.output, r.output
        assert time.monotonic() - t0 < 6
    finally:
        srv.close()


# --- 9. a server that dies mid-request ---------------------------------------------------

def test_graph_in_flight_when_the_server_died_was_reported_as_not_pushed(built):
    import socket as _socket

    def die_on_second(h):
        if len(srv.requests) == 1:
            _answer(h, 204)
        else:           # the body was read; the server goes away without an answer
            h.connection.shutdown(_socket.SHUT_RDWR)
            h.close_connection = True

    srv = _Server(die_on_second)
    try:
        r = run("push", "--endpoint", f"http://127.0.0.1:{srv.port}/store", "-b", built)
    finally:
        srv.close()
    from kg import remote
    first, second, third = (remote.issue_graph_iri(f) for f in sorted((built / "issues").glob("*.ttl")))
    err = r.output.strip().splitlines()[-1]
    assert r.exit_code == 1 and err.startswith("Error: [E143]"), r.output
    assert "pushed 1 graph(s)" in err and f"<{second}> unknown" in err
    not_pushed = err.split("not pushed", 1)[1]
    assert f"<{second}>" not in not_pushed and f"<{third}>" in not_pushed and "not pushed 2:" in err


# --- helpers for the build tests -----------------------------------------------------------

def _issue(number: int, extra: str = "") -> str:
    return (f"Safety Notes - Issue {number}: Test - 2026-04-0{number % 9 + 1}\n\n"
            f"Markets\n- Reuters: Gold Rises - Gold rose 2% to $3,010 an ounce on Tuesday.{extra}\n")


def _tree(out: Path) -> dict[str, bytes]:
    """Every file under OUT (the query store aside) with its content."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and "store" not in p.parts and p.name != "lock"}


def _build_cli(*args, timeout=120, env=None, **kw):
    return subprocess.run(_kg("build", "--model", "none", *args), capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, env=env, **kw)


# --- 3. symbolic links out of the input folder ---------------------------------------------

def test_symlink_out_of_the_input_folder_put_its_file_in_the_graph(tmp_path):
    inp, outside = tmp_path / "in", tmp_path / "outside"
    inp.mkdir()
    outside.mkdir()
    (inp / "a.txt").write_text(_issue(1))
    (inp / "passwd.txt").symlink_to("/etc/passwd")
    (outside / "secret.txt").write_text(_issue(2, " Top secret figure: Acme rose 7%."))
    (inp / "secret.txt").symlink_to(outside / "secret.txt")
    (inp / "sub").symlink_to(outside, target_is_directory=True)
    (inp / "same.txt").symlink_to(inp / "a.txt")          # inside the folder: not a leak
    r = run("build", inp, "-o", tmp_path / "out", "--model", "none")
    assert r.exit_code == 2, r.output
    graph = (tmp_path / "out" / "graph.ttl").read_text()
    assert "root:" not in graph and "secret" not in graph.lower()
    for name in ("passwd.txt", "secret.txt", "sub"):
        assert f"[E146] {inp / name}: a symbolic link" in r.output and "--follow-symlinks" in r.output
    assert "same.txt" in r.output and "W008" in r.output     # read, and the same issue as a.txt
    r = run("build", inp, "-o", tmp_path / "out2", "--model", "none", "--follow-symlinks")
    assert "Top secret figure" in (tmp_path / "out2" / "graph.ttl").read_text()


# --- 11. FIFOs, devices, files whose size stat does not know -----------------------------

def test_fifo_in_the_input_folder_hung_the_build(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.txt").write_text(_issue(1))
    os.mkfifo(inp / "pipe.txt")
    (inp / "zero.txt").symlink_to("/dev/zero")
    for args in ([inp], [inp, "--follow-symlinks"], [inp / "pipe.txt", inp / "a.txt"], ["/dev/zero", inp / "a.txt"]):
        try:
            p = _build_cli(*args, "-o", tmp_path / "out", timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"kg build {args} hung")
        assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
        assert "built 1 issue(s)" in p.stdout
        assert "[E145]" in p.stderr and ("named pipe" in p.stderr or "character device" in p.stderr), p.stderr
    p = _build_cli(inp / "pipe.txt", "-o", tmp_path / "out3", timeout=60)
    assert p.returncode == 1 and "not a regular file (a named pipe (FIFO))" in p.stderr


def test_file_whose_size_stat_does_not_know_was_read_without_bound(tmp_path):
    # /proc files say 0 bytes in stat and hold more: the limit counts the bytes read
    env = dict(os.environ, KG_MAX_BYTES="1000")
    p = _build_cli("/proc/self/maps", "-o", tmp_path / "out", env=env)
    assert p.returncode == 1 and "[E012]" in p.stderr and "more than 1000 bytes" in p.stderr, p.stderr


# --- 4. a damaged cache -------------------------------------------------------------------

def test_damaged_rendering_cache_put_nul_bytes_into_graph_ttl(built, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built, out)
    good = (out / "graph.ttl").read_bytes()
    good_issues = {f.name: f.read_bytes() for f in (out / "issues").glob("*.ttl")}
    rdx = out / ".kg" / "terms" / "index.rdx"        # the renderings' index: every issue's entry
    data = bytearray(rdx.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 4096] = bytes(4096)
    rdx.write_bytes(bytes(data))
    r = run("build", EXAMPLES, "-o", out, "--model", "none")
    assert r.exit_code == 0, r.output
    assert b"\x00" not in (out / "graph.ttl").read_bytes()
    assert (out / "graph.ttl").read_bytes() == good
    assert bytes(data) != rdx.read_bytes()           # the bad index was rebuilt
    # the cached renderings hold no Turtle: an issue's Turtle is read back from its file,
    # checked against the length and CRC-32 its entry keeps. A damaged issue file (NUL bytes
    # in it, the same length) is not merged into graph.ttl: the issue is rendered again and
    # its file rewritten; so is an issue file cut short, or one that is missing
    big = max((out / "issues").glob("*.ttl"), key=lambda p: p.stat().st_size)
    raw = bytearray(big.read_bytes())
    raw[len(raw) // 2:len(raw) // 2 + 64] = bytes(64)
    big.write_bytes(bytes(raw))
    r = run("build", EXAMPLES, "-o", out, "--model", "none")
    assert r.exit_code == 0 and "0 extracted" in r.output, r.output
    assert (out / "graph.ttl").read_bytes() == good
    assert big.read_bytes() == good_issues[big.name]
    big.write_bytes(good_issues[big.name][:-40])
    other = next(f for f in sorted((out / "issues").glob("*.ttl")) if f != big)
    other.unlink()
    r = run("build", EXAMPLES, "-o", out, "--model", "none")
    assert r.exit_code == 0, r.output
    assert (out / "graph.ttl").read_bytes() == good
    assert {f.name: f.read_bytes() for f in (out / "issues").glob("*.ttl")} == good_issues
    # a damaged extraction: its records (read on every build) and its pickled part (read when
    # the issue is rendered again) are both checked; the file is extracted again
    kge = max((out / ".kg" / "cache").glob("*.kge"), key=lambda p: p.stat().st_size)
    raw = bytearray(kge.read_bytes())
    raw[40:44] = b"\xff\xff\xff\xff"
    kge.write_bytes(bytes(raw))
    r = run("build", EXAMPLES, "-o", out, "--model", "none")
    assert r.exit_code == 0 and "1 extracted, 2 unchanged" in r.output, r.output
    raw = bytearray(kge.read_bytes())
    raw[-100:-96] = b"\x00\x00\x00\x00"
    kge.write_bytes(bytes(raw))
    (out / ".kg" / "terms" / "index.rdx").unlink()   # every issue is rendered again
    r = run("build", EXAMPLES, "-o", out, "--model", "none")
    assert r.exit_code == 0 and "1 extracted" in r.output, r.output
    assert (out / "graph.ttl").read_bytes() == good
    from kg.build import _check_merged
    from kg.rdf import TURTLE_HEADER
    assert _check_merged(good, TURTLE_HEADER) is None
    assert "NUL" in _check_merged(good[:5000] + b"\x00" + good[5001:], TURTLE_HEADER)
    assert "incomplete" in _check_merged(good[:-20], TURTLE_HEADER)


# --- 5. the default output folder ---------------------------------------------------------

def test_building_other_inputs_into_a_build_silently_removed_its_issues(built, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(built, tmp_path / "out")       # kg build examples/ (into the default out/)
    before = _tree(tmp_path / "out")
    Path("plain.md").write_text("- Reuters: Gold Rises - Gold rose 2% to $3,010 an ounce on Tuesday.\n")
    r = run("build", "plain.md", "--newsletter", "Plain News", "--number", "5", "--date", "2026-02-03",
            "--model", "none")
    assert r.exit_code == 1, r.output
    line = r.output.strip().splitlines()[-1]
    assert "[E140]" in line and "would remove 3 issue(s)" in line and "--prune" in line
    for name in ("ai-weekly-470.ttl", "chip-digest-12.ttl", "market-brief-88.ttl"):
        assert name in line
    assert "aiweekly-470.txt" in line
    # no output changed (plain.md's extraction stays cached for the build with --prune)
    outputs = lambda t: {k: v for k, v in t.items() if not k.startswith((".kg/cache", ".kg/terms"))}  # noqa: E731
    assert outputs(_tree(tmp_path / "out")) == outputs(before)
    # adding: give the inputs of the build too
    Path("x.txt").write_text(_issue(5))
    r = run("build", EXAMPLES, "x.txt", "--model", "none")
    assert r.exit_code == 0 and "built 4 issue(s)" in r.output, r.output
    assert len(list((tmp_path / "out" / "issues").glob("*.ttl"))) == 4
    # --prune: the user says so
    r = run("build", "plain.md", "--newsletter", "Plain News", "--number", "5", "--model", "none", "--prune")
    assert r.exit_code == 0, r.output
    assert [p.name for p in (tmp_path / "out" / "issues").glob("*.ttl")] == ["plain-news-5.ttl"]


def test_removing_a_file_from_an_input_folder_still_removes_its_issues(tmp_path):
    inp = tmp_path / "in"
    shutil.copytree(EXAMPLES, inp)
    out, full = tmp_path / "out", tmp_path / "full"
    assert run("build", inp, "-o", out, "--model", "none").exit_code == 0
    (inp / "chip-digest-12.md").unlink()
    r = run("build", inp, "-o", out, "--model", "none")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (out / "issues").glob("*.ttl")) == ["ai-weekly-470.ttl", "market-brief-88.ttl"]
    # and is byte for byte a build of what is left; the same inputs again change nothing
    assert run("build", inp, "-o", full, "--model", "none").exit_code == 0
    assert (out / "graph.ttl").read_bytes() == (full / "graph.ttl").read_bytes()
    before = _tree(out)
    assert run("build", inp, "-o", out, "--model", "none").exit_code == 0
    assert _tree(out) == before
    # a file kg did not write (no manifest knows it) is not removed without --prune
    (out / "issues" / "mine.ttl").write_text("# my notes\n")
    r = run("build", inp, "-o", out, "--model", "none")
    assert r.exit_code == 1 and "mine.ttl (source unknown)" in r.output
    assert (out / "issues" / "mine.ttl").exists()


# --- 6. two builds into one folder --------------------------------------------------------

@contextlib.contextmanager
def holding_lock(out: Path):
    """Another process holds OUT's build lock (kg.build.OutputLock) while the block runs;
    yields its process id."""
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from kg.build import OutputLock\n"
        f"with OutputLock({str(out)!r}):\n"
        "    print('locked', flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()


def test_two_builds_into_one_folder_both_wrote(built, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built, out)
    before = _tree(out)
    with holding_lock(out) as pid:
        (tmp_path / "x.txt").write_text(_issue(3))
        r = run("build", EXAMPLES, tmp_path / "x.txt", "-o", out, "--model", "none")
        assert r.exit_code == 1, r.output
        line = r.output.strip()
        assert line.startswith("Error: [E141]") and f"(process {pid})" in line and "\n" not in line
        assert _tree(out) == before
    # the lock goes with the process that held it
    r = run("build", EXAMPLES, tmp_path / "x.txt", "-o", out, "--model", "none")
    assert r.exit_code == 0, r.output


# --- 7. output I/O errors -----------------------------------------------------------------

def _entries(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for d in ("cache", "terms") for p in (out / ".kg" / d).iterdir())


def _one_line_error(p_or_r) -> str:
    err = getattr(p_or_r, "stderr", None)
    text = err if err is not None else p_or_r.output
    assert "Traceback" not in text, text
    lines = [ln for ln in text.strip().splitlines() if not ln.startswith("warning:")]
    assert len(lines) == 1, text
    return lines[0]


def test_output_io_errors_ended_in_tracebacks(built, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built, out)
    (tmp_path / "x.txt").write_text(_issue(4))     # a new input: new cache entries would be written
    entries = _entries(out)
    # graph.ttl is a folder
    (out / "graph.ttl").unlink()
    (out / "graph.ttl").mkdir()
    before = _tree(out)
    r = run("build", EXAMPLES, tmp_path / "x.txt", "-o", out, "--model", "none")
    assert r.exit_code == 1
    assert _one_line_error(r) == f"Error: [E142] {out / 'graph.ttl'}: cannot write the build output: Is a directory"
    assert _tree(out) == before and _entries(out) == entries
    # OUT/issues is a file
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "issues").write_text("not a folder")
    r = run("build", EXAMPLES, "-o", fresh, "--model", "none")
    assert r.exit_code == 1 and "[E142]" in _one_line_error(r) and "Not a directory" in r.output
    assert not (fresh / "graph.ttl").exists()
    assert list((fresh / ".kg" / "cache").iterdir()) == []
    # a first build that fails leaves no folder behind
    r = run("build", tmp_path / "x.txt", tmp_path / "missing.txt", "-o", tmp_path / "new")
    assert r.exit_code == 1 and "[E001]" in r.output and not (tmp_path / "new").exists()
    (tmp_path / "empty.txt").write_text("")
    r = run("build", tmp_path / "empty.txt", "-o", tmp_path / "new", "--model", "none")
    assert r.exit_code == 1 and "[E007]" in r.output and not (tmp_path / "new").exists()


def test_file_too_large_for_the_disk_left_orphan_cache_entries(built, tmp_path):
    import resource

    out = tmp_path / "out"
    shutil.copytree(built, out)
    (tmp_path / "x.txt").write_text(_issue(4))
    before, entries = _tree(out), _entries(out)

    def limit():        # files may not grow past 20 KB: graph.ttl (100 KB) cannot be written
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    p = _build_cli(EXAMPLES, tmp_path / "x.txt", "-o", out, preexec_fn=limit)
    assert p.returncode == 1
    line = _one_line_error(p)
    assert line.startswith("Error: [E142]") and "File too large" in line, line
    assert _tree(out) == before and _entries(out) == entries


def test_full_disk_left_orphan_cache_entries(built, tmp_path):
    """A real ENOSPC: the build folder on a small tmpfs (needs a mount namespace)."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {tmp_path}"],
                           capture_output=True)
    if probe.returncode != 0:
        probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {tmp_path}"],
                               capture_output=True)
        if probe.returncode != 0:
            pytest.skip("cannot mount a tmpfs here")
        unshare = ["unshare", "-m"]
    else:
        unshare = ["unshare", "-rm"]
    work = tmp_path / "disk"
    work.mkdir()
    (tmp_path / "x.txt").write_text(_issue(4))
    size = sum(f.stat().st_size for f in built.rglob("*") if f.is_file())
    script = f"""
set -e
mount -t tmpfs -o size={size + 4 * 1024 * 1024} tmpfs {work}  # room for the copy's page rounding; the filler takes the rest
cp -a {built} {work}/out
before=$(cd {work}/out && find . -type f | sort | xargs sha256sum | sha256sum)
dd if=/dev/zero of={work}/filler bs=4k count=100000 2>/dev/null || true
truncate -s -64K {work}/filler       # room for the new cache entries, not for graph.ttl
set +e
{sys.executable} -m kg.cli build --model none {EXAMPLES} {tmp_path / 'x.txt'} -o {work}/out 2>{work}/../err.txt
echo "rc=$?"
after=$(cd {work}/out && find . -type f | sort | xargs sha256sum | sha256sum)
[ "$before" = "$after" ] && echo same || echo changed
ls -A {work}/out/.kg/cache {work}/out/.kg/terms {work}/out {work}/out/issues | grep -c '\\.tmp$' || true
find {work}/out/.kg/cache {work}/out/.kg/terms -type f | wc -l
"""
    p = subprocess.run(unshare + ["sh", "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    err = (tmp_path / "err.txt").read_text()
    assert "rc=1" in p.stdout, (p.stdout, p.stderr, err)
    assert "Traceback" not in err and "No space left on device" in err, err
    # it failed after the new extraction was cached (at a rendering or at graph.ttl)
    assert f"[E142] {work}/out/" in err and f"{work}/out/.kg/cache/" not in err, err
    assert "same" in p.stdout.split(), (p.stdout, err)     # previous output and cache as they were
    *_, temps, n_entries = p.stdout.strip().splitlines()
    assert temps == "0"                                      # no temporary file left
    assert int(n_entries) == 3 + 1                           # the 3 extractions and the renderings' index before


# --- 8. file modes ------------------------------------------------------------------------

def test_output_files_were_created_0600(tmp_path):
    out = tmp_path / "out"
    p = subprocess.run(_kg("build", "--model", "none", EXAMPLES, "-o", out), cwd=ROOT, capture_output=True,
                       text=True, preexec_fn=lambda: os.umask(0o022))
    assert p.returncode == 0, p.stderr
    p = subprocess.run(_kg("viz", "-b", out, "-o", out / "graph.html"), cwd=ROOT,
                       capture_output=True, text=True, preexec_fn=lambda: os.umask(0o022))
    assert p.returncode == 0, p.stderr
    mode = lambda f: oct(f.stat().st_mode & 0o777)  # noqa: E731
    for f in [out / "graph.ttl", out / "graph.html", out / ".kg" / "manifest.json",
              *(out / "issues").glob("*.ttl")]:
        assert mode(f) == "0o644", f
    # a mode the user set is kept by the next build; a stricter umask is honoured
    (out / "graph.ttl").chmod(0o640)
    (tmp_path / "x.txt").write_text(_issue(4))
    p = subprocess.run(_kg("build", "--model", "none", EXAMPLES, tmp_path / "x.txt", "-o", out), cwd=ROOT,
                       capture_output=True, text=True, preexec_fn=lambda: os.umask(0o077))
    assert p.returncode == 0, p.stderr
    assert mode(out / "graph.ttl") == "0o640"
    assert mode(out / "issues" / "safety-notes-4.ttl") == "0o600"


# --- 17. JSON Lines warnings name the input's line ----------------------------------------

def test_json_lines_warning_named_a_line_of_the_rendered_document(tmp_path):
    f = tmp_path / "news.jsonl"
    f.write_text(
        '{"newsletter": "Line News", "number": 3, "date": "2026-03-01", "title": "T", "items": ['
        '{"outlet": "Reuters", "headline": "Gold", "body": "Gold rose 2% to $3,010 an ounce."}]}\n'
        "\n"
        '{"newsletter": "Line News", "number": 3, "issue_date": "2026-03-01", "outlet": "AP", '
        '"headline": "Oil", "body": "Oil fell 1% to $71 a barrel."}\n'
        '{"newsletter": "Line News", "number": 3, "issue_date": "2026-03-01", "outlet": "Reuters", '
        '"headline": "Absurd", "body": "Acme rose 999999999999999% on Tuesday."}\n')
    r = run("build", f, "-o", tmp_path / "out", "--model", "none")
    assert r.exit_code == 2 and "[W004] news.jsonl:4: absurd figure '999999999999999%'" in r.output, r.output


# --- 18. invisible and bidi control characters in names ------------------------------------

def test_invisible_characters_in_names_made_different_names_look_the_same(tmp_path):
    import rdflib
    from rdflib.namespace import RDFS, SKOS

    f = tmp_path / "bidi.txt"
    f.write_text("Bidi Notes - Issue 1: Test - 2026-04-01\n\nMarkets\n"
                 "- Acme News: Gold Rises - Gold rose 2% to $3,010 an ounce on Tuesday.\n"
                 "- Acme\u200b News: Oil Falls - Oil fell 1% to $71 a barrel on Tuesday.\n"
                 "- \u202eAcme News\u202c: Copper Gains - Copper rose 3% on Tuesday.\n"
                 "- Reu\u2066ters\u2069: Silver Slips - Silver fell 2% on Tuesday.\n", encoding="utf-8")
    r = run("build", f, "-o", tmp_path / "out", "--model", "none", "--newsletter", "Bidi\u200d Notes")
    assert r.exit_code == 0, r.output
    g = rdflib.Graph().parse(tmp_path / "out" / "graph.ttl")
    invisible = ("\u200b", "\u200d", "\u202e", "\u202c", "\u2066", "\u2069")
    labels = [str(o) for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel) for o in g.objects(None, p)]
    assert not [lb for lb in labels if any(c in lb for c in invisible)], labels
    acme = {s for s, o in g.subject_objects(RDFS.label) if str(o) == "Acme News"}
    assert [str(s) for s in acme] == ["https://w3id.org/newskg/entity/acme-news"]   # one entity, not three
    assert not any(any(c in str(t) for c in invisible) for trip in g for t in trip if isinstance(t, rdflib.URIRef))
    assert (tmp_path / "out" / "issues" / "bidi-notes-1.ttl").exists()
    # the evidence keeps the text as it was
    assert "Acme\u200b News: Oil Falls" in (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")
    from kg.resolve import clean_label, slugify
    assert clean_label("\u202eNvi\u200bdia\ufe0f  Corp\u2069") == "Nvidia Corp"
    assert slugify("Nvi\u200bdia") == "nvidia" and slugify("英\u200b伟达") == slugify("英伟达")


# --- 12. quadratic HTML: elements that never close ------------------------------------------

def _items(path: Path) -> list:
    from kg.ingest import read_path
    return [it for issue in read_path(str(path)) for it in issue.items]


@pytest.mark.parametrize("unit,tag", [("<ul><li>", "li"), ("<ol><li>", "li"), ("<dl><dd>", "dd")])
def test_unclosed_nested_lists_were_parsed_in_quadratic_time(unit, tag):
    # 20,000 <ul><li> that never close: lexbor nests them 40,000 deep and its scope checks
    # made the parse quadratic (1 MB: 133 s); the pre-pass bounds the depth, and every list
    # item past it is still a list item of its own, with its text (how a reader groups nested
    # items is the reader's; bench/hostile_html_bench.py for the times)
    from selectolax.lexbor import LexborHTMLParser

    from kg.ingest._markup import bound_nesting

    page = "<html><body>" + "".join(f"{unit}Acme unit {k} sales rose {k % 90 + 1}% on Monday." for k in range(20_000))
    items = LexborHTMLParser(bound_nesting(page)).css(tag)
    assert [(n.text(deep=False) or "").strip() for n in items] == \
        [f"Acme unit {k} sales rose {k % 90 + 1}% on Monday." for k in range(20_000)]


@pytest.mark.parametrize("unit", ["<div>", "<span>", "<b>", "<font color=red>", "<table><tr><td>", "<table><td>",
                                  "<svg><g>", "<blockquote>", "<b id=1><div>", "<section><article>", "<dl><dt>"])
def test_hostile_nesting_kept_every_text(unit):
    from selectolax.lexbor import LexborHTMLParser

    from kg.ingest._markup import bound_nesting

    page = "<html><body>" + "".join(f"{unit}Acme word{k} rose. " for k in range(5_000))
    text = LexborHTMLParser(bound_nesting(page)).body.text()
    assert all(f"word{k} rose" in text for k in range(5_000))


@pytest.mark.parametrize("unit", ["<div>", "<table><tr><td>", "<table><td>", "<section><article>",
                                  "<div><p>"])
def test_hostile_nesting_past_the_bound_still_made_items(tmp_path, unit):
    f = tmp_path / "deep.html"
    f.write_text("<html><body><h1>Deep Weekly — Issue 2 — 2026-03-30</h1>"
                 + "".join(f"{unit}Acme word{k} rose 3% on Monday. " for k in range(5_000)), encoding="utf-8")
    assert [it.text for it in _items(f)] == [f"Acme word{k} rose 3% on Monday." for k in range(5_000)]


def test_page_wrapped_in_thousands_of_elements_kept_its_items(tmp_path):
    f = tmp_path / "wrapped.html"
    f.write_text("<html><body><h1>Deep Weekly — Issue 3 — 2026-03-30</h1>" + "<div><table><tr><td>" * 1000
                 + "<h2>Markets</h2><ul><li>Reuters: Intel Rallies – Intel shares rose 4%.</li>"
                 "<li>AP: Oil Falls – Oil fell 1% to $71 a barrel.</li></ul>" + "</td></tr></table></div>" * 1000
                 + "<ul><li>Bloomberg: Gold Gains – Gold rose 2% on Tuesday.</li></ul></body></html>", encoding="utf-8")
    items = _items(f)
    assert [(it.section, it.outlet) for it in items] == [("Markets", "Reuters"), ("Markets", "AP"),
                                                          ("Markets", "Bloomberg")]


def test_hostile_html_in_a_feed_entry_or_a_mail_part_was_not_bounded(tmp_path):
    from email.message import EmailMessage
    from html import escape

    body = "".join(f"<div><table><tr><td>Acme unit {k} sales rose {k % 90 + 1}% on Monday." for k in range(5_000))
    feed = tmp_path / "deep.rss"
    feed.write_text('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Deep Weekly</title>'
                    '<item><title>Deep Weekly — Issue 4: Units</title><pubDate>Mon, 30 Mar 2026 08:00:00 GMT</pubDate>'
                    f"<description>{escape(body)}</description></item></channel></rss>", encoding="utf-8")
    msg = EmailMessage()
    msg["From"] = "Deep Weekly <news@example.com>"
    msg["Subject"] = "Deep Weekly — Issue 5"
    msg["Date"] = "Mon, 30 Mar 2026 08:00:00 +0000"
    msg["List-Id"] = "Deep Weekly <deep.example.com>"
    msg["Message-ID"] = "<deep-5@example.com>"
    msg.set_content("<html><body>" + body + "</body></html>", subtype="html")
    mail = tmp_path / "deep.eml"
    mail.write_bytes(msg.as_bytes())
    for f in (feed, mail):
        texts = [it.text for it in _items(f)]
        assert len(texts) == 5_000 and texts[-1] == "Acme unit 4999 sales rose 50% on Monday.", f


def test_ordinary_pages_pass_the_nesting_bound_unchanged():
    from kg.ingest._markup import bound_nesting

    pages = [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("examples/**/*.htm*"))]
    pages += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(ROOT.glob("tests/data/**/*.htm*"))]
    # sloppy but ordinary: implied ends of <p>, <li>, <dt>/<dd>, cells, rows, options, headings;
    # markup-looking text in scripts, styles, comments, attribute values and SVG
    row = "<tr><td>Nvidia<td>$48B<td><b>up</b>"
    sloppy = ("<!doctype html><html><head><title>T</title><style>div > p { color: red }</style>"
              "<script>if (a < b) document.write('<div><div><ul>'); // </scr' + 'ipt>\n</script></head><body>"
              + "<p>lead <a href='x>y'>one</a><p>two" * 200
              + "<ul>" + "<li>item <i>i</i>" * 300 + "</ul>"
              + "<dl>" + "<dt>term<dd>definition" * 200 + "</dl>"
              + "<table>" + row * 300 + "</table>"
              + "<select>" + "<option>o" * 200 + "</select>"
              + "<h2>one<h3>two</h3>" * 100
              + "<!-- <div><div><div> -->" * 200
              + "<svg viewBox='0 0 1 1'>" + "<path d='M0 0'/>" * 300 + "</svg>"
              + "<form><input name=q></form>" * 200 + "</body></html>")
    for page in pages + [sloppy]:
        assert bound_nesting(page) is page


@pytest.mark.parametrize("unit", [
    "<ul><li>x", "<div>x", "<table><tr><td>x", "<svg><g>x", "<b id=1><div>x",
    "<script><!--<script></script></ul></ul></script><ul><li>x",   # script data's escapes
    "<form><noscript></li><li></form>",                             # </form> leaves what it holds open
    "<select><marquee>x", "<h1><nobr>x", "<svg><tbody a=x/><em id=1><code>",
])
def test_hostile_markup_cannot_nest_deeper_than_the_bound(unit):
    from selectolax.lexbor import LexborHTMLParser

    from kg.ingest._markup import MAX_DEPTH, bound_nesting

    page = "<html><body>" + unit * 3000
    tree = LexborHTMLParser(bound_nesting(page))
    deepest, stack = 0, [(tree.root, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        c = node.child
        while c is not None:
            stack.append((c, d + 1))
            c = c.next
    assert deepest <= 2 * MAX_DEPTH


# --- 13. a feed with an internal DTD subset -------------------------------------------------

FEED_WITH_SUBSET = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE rss [
  <!-- declarations hold ">" and "]" in values and comments: ] > -->
  %s
]>
<rss version="2.0"><channel><title>Subset News</title><link>https://example.com/</link>
<item><title>Nvidia &ent; Revenue</title><link>https://example.com/1</link><description>Nvidia said revenue rose 5%% to $48 billion on Monday.</description></item>
<item><title>Intel Cuts Jobs</title><link>https://example.com/2</link><description>Intel cut 1,200 jobs on Tuesday.</description></item>
</channel></rss>
"""
LAUGHS = "".join(f'<!ENTITY l{k + 1} "' + f"&l{k};" * 10 + '">' for k in range(9))


@pytest.mark.parametrize("decl", [
    '<!ENTITY ent "a > b ] c">',                                   # a literal entity
    '<!ENTITY ent SYSTEM "file:///etc/passwd">',                   # XXE
    '<!ENTITY l0 "lol">' + LAUGHS + '<!ENTITY ent "&l9;">',        # billion laughs
    '<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;',          # an external parameter entity
])
def test_feed_with_an_internal_dtd_subset_was_read_as_plain_text(tmp_path, decl):
    from kg.ingest import READERS, read_path

    f = tmp_path / "news.xml"
    f.write_text(FEED_WITH_SUBSET % decl, encoding="utf-8")
    text = f.read_text(encoding="utf-8")
    assert max(READERS.values(), key=lambda r: r.detect(text, f.name)).name == "feed"
    (issue,) = read_path(str(f))
    assert issue.newsletter == "Subset News"
    assert [it.headline for it in issue.items] == ["Nvidia &ent; Revenue", "Intel Cuts Jobs"]   # never expanded
    assert not any("<item>" in it.text or "ENTITY" in it.text or "root:" in it.text for it in issue.items)
    assert any("[W007]" in w and "news.xml:2:" in w and "entities are never expanded" in w for w in issue.warnings)


def test_a_subset_too_broken_to_match_still_declared_entities(tmp_path):
    # feedparser keeps the literal entities of a DOCTYPE it can find; one kg cannot match
    # (an unbalanced quote) loses its declarations all the same
    f = tmp_path / "news.rss"
    f.write_text(FEED_WITH_SUBSET % '<!ENTITY ent "forty billion"><!ENTITY x "unbalanced \'>', encoding="utf-8")
    from kg.ingest import read_path

    (issue,) = read_path(str(f), "feed")
    assert [it.headline for it in issue.items] == ["Nvidia &ent; Revenue", "Intel Cuts Jobs"]
