"""Issue #16, "Nothing lost, nothing leaked": one regression test per defect found by
attacking kg, each named after the behaviour that failed before the fix."""
from __future__ import annotations

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
        r = run("query", "-o", built, sparql)
        assert r.exit_code == 1 and "[E124]" in r.output, (sparql, r.output)
        r = run("query", "-o", built, "-f", "-", input=sparql)
        assert r.exit_code == 1 and "[E124]" in r.output, (sparql, r.output)
    time.sleep(0.2)
    assert listener.connections == []
    # the same words inside strings, IRIs, names and comments are no SERVICE
    ok = run("query", "-o", built, 'SELECT ?x WHERE { BIND("a SERVICE" AS ?x) '
             "FILTER(?x != <http://example.org/service>) FILTER(!STRSTARTS(?x, 'service')) } # SERVICE")
    assert ok.exit_code == 0, ok.output


# --- 16. a parameter in the SELECT list -------------------------------------------------

def test_parameter_in_the_select_list_was_a_syntax_error(built):
    nvidia = "<https://w3id.org/newskg/entity/nvidia>"
    r = run("query", "-o", built, "--format", "csv", "SELECT ?e ?l WHERE { ?e rdfs:label ?l }", "-p", f"e={nvidia}")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == ["e,l", "https://w3id.org/newskg/entity/nvidia,Nvidia"]
    # also in ORDER BY / GROUP BY and a sub-select, and a literal parameter
    r = run("query", "-o", built, "--format", "csv",
            "SELECT ?e (COUNT(?i) AS ?n) WHERE { { SELECT ?e ?i WHERE { ?i schema:mentions ?e } } } "
            "GROUP BY ?e ORDER BY ?e", "-p", f"e={nvidia}")
    assert r.exit_code == 0, r.output
    head, row = r.output.splitlines()
    assert head == "e,n" and row.startswith("https://w3id.org/newskg/entity/nvidia,") and int(row.split(",")[1]) > 0
    r = run("query", "-o", built, "--format", "csv", "SELECT ?w WHERE { }", "-p", "w=Gold")
    assert r.exit_code == 0 and r.output.splitlines() == ["w", "Gold"], r.output


# --- 15. Ctrl-C and killed store loads --------------------------------------------------

def _kg(*args) -> list[str]:
    return [sys.executable, "-m", "kg.cli", *[str(a) for a in args]]


def test_ctrl_c_did_not_stop_a_long_query(built, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built, out)
    assert run("query", "-o", out, "ASK {}").exit_code == 0          # the store is built
    proc = subprocess.Popen(_kg("query", "-o", out, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"),
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
    proc = subprocess.Popen(_kg("query", "-o", out, "ASK { ?s ?p ?o }"), stdout=subprocess.PIPE,
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
    r = run("query", "-o", out, "ASK { ?s ?p ?o }")
    assert r.exit_code == 0 and r.output.strip() == "true"
    assert sorted(p.name for p in out.iterdir()) == ["graph.ttl", "store", "store.stamp"]
