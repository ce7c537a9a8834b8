from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import RDF

from kg.cli import cli
from kg.rdf import KG

from conftest import EXAMPLES


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_build_examples(tmp_path):
    r = run("build", str(EXAMPLES), "-o", str(tmp_path), "--model", "none")
    assert r.exit_code == 0, r.output
    assert "built 3 issue(s)" in r.output and "rules only" in r.output
    for word in ("entities", "events", "metrics", "triples"):
        assert word in r.output
    issues = sorted(p.name for p in (tmp_path / "issues").glob("*.ttl"))
    assert issues == ["ai-weekly-470.ttl", "chip-digest-12.ttl", "market-brief-88.ttl"]
    g = Graph().parse(tmp_path / "graph.ttl")
    assert len(set(g.subjects(RDF.type, KG.Issue))) == 3
    # no temporary files are left behind
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_build_seed(tmp_path, seed_path):
    r = run("build", str(seed_path), "-o", str(tmp_path), "--model", "none")
    assert r.exit_code == 0, r.output
    g = Graph().parse(tmp_path / "graph.ttl")
    items = set(g.subjects(RDF.type, KG.Item))
    assert len(items) == 32  # 15 + 15 bullet items and the two lead paragraphs


def test_help_explains_every_option():
    r = run("build", "--help")
    for opt in ("--out", "--model", "--input-format", "--newsletter", "--number", "--date", "--url", "--gazetteer"):
        assert opt in r.output


def test_missing_file(tmp_path):
    r = CliRunner().invoke(cli, ["build", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "o")])
    assert r.exit_code == 1
    assert "E001" in r.output and "nope.txt" in r.output
    assert "Traceback" not in r.output


def test_empty_dir_and_empty_file(tmp_path):
    (tmp_path / "d").mkdir()
    r = CliRunner().invoke(cli, ["build", str(tmp_path / "d"), "-o", str(tmp_path / "o")])
    assert r.exit_code == 1 and "E005" in r.output
    (tmp_path / "d" / "a.txt").write_text("")
    r = CliRunner().invoke(cli, ["build", str(tmp_path / "d"), "-o", str(tmp_path / "o")])
    assert r.exit_code == 1 and "E002" in r.output and "E007" in r.output
    assert not (tmp_path / "o" / "graph.ttl").exists()


def test_one_bad_file_is_skipped_and_the_rest_built(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text((EXAMPLES / "market-brief-88.txt").read_text())
    (d / "bad.txt").write_bytes(b"\x00\x01\x02binary\x00" * 20)
    r = CliRunner().invoke(cli, ["build", str(d), "-o", str(tmp_path / "o"), "--model", "none"])
    assert r.exit_code == 2, r.output
    assert "skipped" in r.output and "bad.txt" in r.output and "E003" in r.output
    assert (tmp_path / "o" / "issues" / "market-brief-88.ttl").exists()


def test_metadata_from_the_command_line(tmp_path):
    f = tmp_path / "plain.md"
    f.write_text("- Reuters: Nvidia rises – Nvidia rose 3% yesterday.\n")
    r = run("build", str(f), "-o", str(tmp_path / "o"), "--model", "none", "--newsletter", "Plain News",
            "--number", "5", "--date", "2026-02-03", "--url", "https://example.org/5")
    assert r.exit_code == 0, r.output
    ttl = (tmp_path / "o" / "issues" / "plain-news-5.ttl").read_text()
    assert "issue/plain-news/5" in ttl and '"2026-02-03"^^xsd:date' in ttl
    assert '"2026-02-02"^^xsd:date' in ttl  # "yesterday" resolved against the given date
    assert "https://example.org/5" in ttl


def test_bad_date_option(tmp_path):
    r = CliRunner().invoke(cli, ["build", str(EXAMPLES), "--date", "29/01/2026"])
    assert r.exit_code == 2 and "not a date" in r.output
