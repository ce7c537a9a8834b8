"""Hostile and broken input: nothing crashes, nothing half-written, every skipped part is
a warning naming file and line, and the exit status says whether anything was skipped.
Big files are generated in tmp_path at test time."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from functools import lru_cache
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st
from rdflib import Graph
from rdflib.namespace import RDF

from kg.build import Overrides, build
from kg.cli import cli
from kg.errors import KgError
from kg.ingest import MAX_BYTES, MAX_ITEM_CHARS, read_path
from kg.rdf import KG

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SHAPES = ROOT / "ontology" / "shapes.ttl"
GOOD = (DATA / "issue.txt").read_text(encoding="utf-8")


def run(args: list[str]):
    return CliRunner().invoke(cli, ["build", *args, "--model", "none"])


def parses_back(ttl: bytes) -> Graph:
    """The Turtle parses with rdflib and with pyoxigraph, to the same number of distinct
    triples (the merged graph repeats a subject that several issues describe)."""
    g = Graph()
    g.parse(data=ttl.decode("utf-8"), format="turtle")
    assert len({str(q.triple) for q in pyoxigraph.parse(ttl, format=pyoxigraph.RdfFormat.TURTLE)}) == len(g)
    return g


@lru_cache(maxsize=1)
def shapes() -> Graph:
    return Graph().parse(SHAPES)


def conforms(g: Graph) -> None:
    """SHACL validation in the mode the top of ontology/shapes.ttl documents."""
    import pyshacl
    ok, _, text = pyshacl.validate(g, shacl_graph=shapes(), inference="none", advanced=True)
    assert ok, text[:3000]


def good_file(d: Path) -> Path:
    p = d / "good.txt"
    p.write_text(GOOD, encoding="utf-8")
    return p


def built_items(out: Path) -> int:
    g = Graph().parse(out / "graph.ttl")
    return len(set(g.subjects(RDF.type, KG.Item)))


# ------------------------------------------------------------------- whole bad files

@pytest.mark.parametrize("name,data,code", [
    ("empty.txt", b"", "E002"),
    ("blank.txt", b"  \n\n\t \n", "E002"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "E003"),
    ("noise.html", bytes((i * 7919) % 256 for i in range(20000)), "E003"),
    ("controls.txt", bytes(range(1, 32)) * 100, "E003"),
])
def test_bad_file_is_skipped_and_the_rest_built(tmp_path, name, data, code):
    d = tmp_path / "in"
    d.mkdir()
    good_file(d)
    (d / name).write_bytes(data)
    r = run([str(d), "-o", str(tmp_path / "o")])
    assert r.exit_code == 2, r.output
    assert f"[{code}]" in r.output and name in r.output
    assert "Traceback" not in r.output
    assert built_items(tmp_path / "o") == 6


def test_50_mb_file_is_refused_quickly(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    good_file(d)
    big = d / "huge.txt"
    line = ("- Reuters: Nvidia Rises – Nvidia shares rose 3% on Monday. " * 20 + "\n").encode()
    with big.open("wb") as f:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            f.write(line)
    assert big.stat().st_size > MAX_BYTES
    t = time.perf_counter()
    r = run([str(d), "-o", str(tmp_path / "o")])
    assert time.perf_counter() - t < 20
    assert r.exit_code == 2 and "[E012]" in r.output and "huge.txt" in r.output
    assert built_items(tmp_path / "o") == 6


def test_truncated_html_builds_what_is_there(tmp_path):
    page = (DATA / "issue.html").read_text(encoding="utf-8")
    cut = page[: page.index("Financial Times") + 5]  # inside the fourth item
    p = tmp_path / "cut.html"
    p.write_text(cut, encoding="utf-8")
    (issue,) = read_path(str(p))
    assert [it.outlet for it in issue.items if it.kind == "item"][:3] == ["Reuters", "Bloomberg", "The Verge"]
    res = build([str(p)], str(tmp_path / "o"), model="none")
    conforms(parses_back((tmp_path / "o" / "graph.ttl").read_bytes()))
    assert res.items >= 4


def test_truncated_feed_warns_and_keeps_the_entries_before_the_cut(tmp_path):
    feed = (DATA / "feed.rss").read_text(encoding="utf-8")
    cut = feed[: feed.index("Intel was sued") + 10]
    p = tmp_path / "cut.rss"
    p.write_text(cut, encoding="utf-8")
    (issue,) = read_path(str(p))
    assert [it.outlet for it in issue.items][:3] == ["Reuters", "Bloomberg", "The Verge"]
    assert any("[W007]" in w and "cut.rss:" in w and "not well-formed" in w for w in issue.warnings)


def test_deeply_nested_html_does_not_crash(tmp_path):
    p = tmp_path / "deep.html"
    p.write_text("<html><body>" + "<div>" * 5000 + "<ul><li>Reuters: Intel Rallies – Intel shares rose 4%.</li></ul>"
                 + "</div>" * 5000 + "</body></html>", encoding="utf-8")
    (issue,) = read_path(str(p))
    assert any("Intel shares rose 4%" in it.text for it in issue.items)


def test_feed_with_10000_entries(tmp_path):
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Wire</title>\n']
    for i in range(10_000):
        parts.append(f"<item><title>Intel update {i}</title><link>https://example.org/w/{i}</link>"
                     f"<description>Intel shares rose {i % 9 + 1}.5% on the day.</description>"
                     f"<pubDate>Mon, {i % 28 + 1:02d} Jun 2026 10:00:00 GMT</pubDate></item>\n")
    p = tmp_path / "wire.rss"
    p.write_text("".join(parts) + "</channel></rss>\n", encoding="utf-8")
    (issue,) = read_path(str(p))
    assert len(issue.items) == 10_000
    assert issue.items[-1].date == "2026-06-04" and issue.items[-1].urls == ["https://example.org/w/9999"]
    assert issue.text[issue.items[-1].start:issue.items[-1].end] == issue.items[-1].text
    # and the whole pipeline (about 12 s on 2 cores; bench/ingest_bench.py for figures)
    res = build([str(p)], str(tmp_path / "o"), model="none")
    assert res.items == 10_000 and not res.skipped
    ttl = (tmp_path / "o" / "graph.ttl").read_bytes()
    assert b"/item/en-10000>" in ttl and b"/item/en-10001>" not in ttl


# ------------------------------------------------------------ bad parts inside a file

def test_one_mb_line_is_skipped_with_file_and_line(tmp_path):
    p = tmp_path / "long.txt"
    p.write_text(GOOD.replace("\nMarkets\n", "\nMarkets\n- Axios: Long – " + "Intel rose 1% and " * 60_000 + "\n"),
                 encoding="utf-8")
    r = run([str(p), "-o", str(tmp_path / "o")])
    assert r.exit_code == 2, r.output
    assert f"long.txt:7: skipped an item of" in r.output and str(MAX_ITEM_CHARS) in r.output
    assert built_items(tmp_path / "o") == 6


def test_long_jsonl_line_and_surrogates_and_control_characters(tmp_path):
    lines = [
        json.dumps({"newsletter": "Wire", "number": 1, "issue_date": "2026-06-01",
                    "text": "Reuters: Intel Rallies – Intel shares rose 4% \ud800 on \x07 Monday."}),
        json.dumps({"newsletter": "Wire", "number": 1, "issue_date": "2026-06-01", "body": "x" * 1_000_000}),
        json.dumps({"newsletter": "Wire", "number": 1, "issue_date": "2026-06-01",
                    "outlet": 'Re"ut<ers>\\\n', "headline": "Quotes \"'<>&\\ and\nnewlines",
                    "body": "Nvidia said <script>alert(1)</script> \"sales\" rose 5% \\ yesterday."}),
    ]
    p = tmp_path / "odd.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run([str(p), "-o", str(tmp_path / "o")])
    assert r.exit_code == 2, r.output
    assert "odd.jsonl:2: skipped an item of 1000000 characters" in r.output
    ttl = (tmp_path / "o" / "graph.ttl").read_bytes()
    g = parses_back(ttl)
    conforms(g)
    text = ttl.decode("utf-8")
    assert "\ud800" not in text and "\x07" not in text
    assert "Intel shares rose 4% \ufffd on   Monday" in text or "Intel shares rose 4% \ufffd on Monday" in text


def test_control_characters_in_a_text_file_are_replaced_with_a_warning(tmp_path):
    p = tmp_path / "ctl.txt"
    p.write_text(GOOD.replace("Micron Technology shares", "Micron\x00 Technology\x1b shares\x7f"), encoding="utf-8")
    r = run([str(p), "-o", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert "ctl.txt:7: 3 control character(s) replaced by spaces" in r.output
    conforms(parses_back((tmp_path / "o" / "graph.ttl").read_bytes()))


def test_absurd_numbers_are_skipped_with_warnings(tmp_path):
    p = tmp_path / "absurd.txt"
    p.write_text(GOOD.replace("- Axios: Export", "- CNBC: Big Numbers – Nvidia said sales hit $1e308 and margins grew "
                              "999999999999999% on Monday.\n- Axios: Export"), encoding="utf-8")
    r = run([str(p), "-o", str(tmp_path / "o")])
    assert r.exit_code == 2, r.output
    assert "[W004]" in r.output and "absurd.txt:" in r.output and "999999999999999%" in r.output
    g = parses_back((tmp_path / "o" / "graph.ttl").read_bytes())
    conforms(g)
    assert "999999999999999" not in (tmp_path / "o" / "graph.ttl").read_text(encoding="utf-8").split("kg:text")[0]


def test_names_with_quotes_brackets_backslashes_in_html_and_text(tmp_path):
    html = tmp_path / "odd.html"
    html.write_text("<html><body><h1>Odd &quot;News&quot; — Issue 3: &lt;b&gt; \\ — 2026-06-01</h1><ul>"
                    "<li>O'Brien &amp; \"Sons\" &lt;Media&gt;: Acme \\ Co. Rises – Acme\\ Corp shares rose 3% on "
                    "&lt;Monday&gt; after \"record\" sales of $5 billion.</li></ul></body></html>", encoding="utf-8")
    txt = tmp_path / "odd.txt"
    txt.write_text('Odd "News" — Issue 4: <b> \\ — 2026-06-02\n\n- O\'Brien & "Sons" <Media>: Acme \\ Co. Rises – '
                   'Acme\\ Corp shares rose 3% after "record" sales.\n', encoding="utf-8")
    r = run([str(html), str(txt), "-o", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    g = parses_back((tmp_path / "o" / "graph.ttl").read_bytes())
    conforms(g)
    assert len(set(g.subjects(RDF.type, KG.Item))) == 2


def test_issue_dates_at_the_edge_of_the_calendar(tmp_path):
    """Found by the property test: 'yesterday' in an issue of 0001-01-01 overflowed."""
    p = tmp_path / "edge.jsonl"
    p.write_text("\n".join(json.dumps({"newsletter": "Edge", "number": n, "date": d, "items": [
        {"body": "Intel shares rose 3% yesterday, last week and last month, on Tuesday."}]})
        for n, d in ((1, "0001-01-01"), (2, "9999-12-31"))) + "\n", encoding="utf-8")
    res = build([str(p)], str(tmp_path / "o"), model="none")
    assert res.issues == 2
    conforms(parses_back((tmp_path / "o" / "graph.ttl").read_bytes()))


# ---------------------------------------------------------------- property-based test

WORDS = ["Nvidia", "Intel", "Reuters", "rose", "fell", "$5 billion", "3.5%", "yesterday", "英伟达", "上涨",
         "\"", "'", "<", ">", "\\", "&", "\n", "–", "—", ":", "- ", "#", "*", "$1e308", "999999999999999%",
         "\x00", "\x1b", "\ud800", "\u2028", "\ufeff", "Q3", "2026-02-30", "亿美元", "http://x.org/a b"]
free_text = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=40).map(" ".join)
items = st.fixed_dictionaries({}, optional={
    "outlet": free_text, "headline": free_text, "body": free_text, "text": free_text, "section": free_text,
    "lang": st.sampled_from(["en", "zh", "xx"]), "url": st.one_of(free_text, st.just("https://example.org/a")),
    "date": st.one_of(st.just("2026-05-01"), free_text)})
# random items in issues that have the number and date the shapes require (bad numbers and
# dates are warnings: see test_ingest_formats.py::test_jsonl_bad_lines_...)
issues = st.fixed_dictionaries({
    "items": st.lists(items, max_size=4), "newsletter": free_text,
    "number": st.integers(0, 10 ** 6), "date": st.dates().map(lambda d: d.isoformat())},
    optional={"title": free_text, "url": free_text, "summary": free_text})


def _build_and_check(path: Path, out: Path, overrides=None) -> None:
    try:
        res = build([str(path)], str(out), model="none", overrides=overrides)
    except KgError:
        return  # nothing usable in the input: reported as one line, nothing written
    for f in res.written:
        g = parses_back(Path(f).read_bytes())
        if f.endswith("graph.ttl"):
            conforms(g)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=free_text, ext=st.sampled_from([".txt", ".html", ".rss", ".jsonl"]))
def test_random_text_always_gives_valid_turtle(tmp_path_factory, text, ext):
    d = tmp_path_factory.mktemp("h")
    p = d / ("in" + ext)
    if ext == ".html":
        text = "<html><body><h1>" + text[:20] + "</h1><ul><li>" + text + "</li></ul></body></html>"
    elif ext == ".rss":
        text = "<rss><channel><title>x</title><item><title>" + text + "</title></item></channel></rss>"
    p.write_bytes(text.encode("utf-8", "surrogatepass"))
    # the shapes require an issue number and date: what a user passes when the file lacks them
    _build_and_check(p, d / "o", Overrides(number=1, date="2026-05-14"))


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(lines=st.lists(issues, min_size=1, max_size=3))
def test_random_issue_structures_always_give_valid_turtle(tmp_path_factory, lines):
    d = tmp_path_factory.mktemp("j")
    p = d / "in.jsonl"
    p.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    _build_and_check(p, d / "o")


# ------------------------------------------------------------------- interrupted builds

def _big_feed(path: Path, n: int = 3000) -> None:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Wire</title>\n']
    for i in range(n):
        parts.append(f"<item><title>Intel update {i}</title><description>Intel shares rose {i % 9 + 1}.5% "
                     f"after sales of ${i % 50 + 1} billion.</description>"
                     f"<pubDate>Mon, {i % 28 + 1:02d} Jun 2026 10:00:00 GMT</pubDate></item>\n")
    path.write_text("".join(parts) + "</channel></rss>\n", encoding="utf-8")


def _catching_sigterm(pid: int) -> bool:
    """Has the process installed its SIGTERM handler (SigCgt bit 15 in /proc)?"""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    return False


def _temp_files(out: Path) -> list[str]:
    return sorted(str(p) for p in out.rglob("*.tmp"))


@pytest.fixture
def previous_build(tmp_path):
    out = tmp_path / "out"
    r = run([str(DATA / "issue.txt"), "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    big = tmp_path / "big.rss"
    _big_feed(big)
    return out, (out / "graph.ttl").read_bytes(), big


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to see the signal handler")
@pytest.mark.parametrize("sig,status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_interrupt_leaves_the_previous_output_intact(previous_build, sig, status):
    out, before, big = previous_build
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(big), "-o", str(out), "--model", "none"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True)
    deadline = time.monotonic() + 60
    while not _catching_sigterm(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # reading / extracting the big feed takes seconds
    assert proc.poll() is None, "the build finished before it could be interrupted"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == status, err
    assert err.strip().splitlines()[-1].startswith("kg build: interrupted (")
    assert "Traceback" not in err
    assert (out / "graph.ttl").read_bytes() == before
    assert _temp_files(out) == []


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to see the signal handler")
def test_killed_build_keeps_output_and_next_build_removes_its_temp_files(previous_build):
    out, before, big = previous_build
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(big), "-o", str(out), "--model", "none"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 60
    while not _catching_sigterm(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    assert proc.poll() is None
    proc.kill()
    proc.wait(timeout=30)
    assert (out / "graph.ttl").read_bytes() == before
    # what a SIGKILL between mkstemp and rename leaves behind
    (out / ".graph.ttl.k1ll3d_x.tmp").write_bytes(before[:100])
    (out / "issues" / ".circuit-notes-7.ttl.abc12345.tmp").write_bytes(b"@prefix")
    r = run([str(DATA / "issue.txt"), "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert _temp_files(out) == []
    assert (out / "graph.ttl").read_bytes() == before
