"""kg entities / timeline / conflicts read the build through its query store, and
`kg conflicts` gives the rows of `kg query conflicts` (one definition, issue 16 item 10)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, SEED
from kg.cli import cli


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    o = tmp_path_factory.mktemp("explore") / "out"
    inputs = [str(EXAMPLES)] + ([str(SEED)] if SEED.exists() else [])
    r = CliRunner().invoke(cli, ["build", *inputs, "-o", str(o), "--model", "none", "-q"])
    assert r.exit_code == 0, r.output
    return o


def run(*args) -> list:
    r = CliRunner().invoke(cli, list(map(str, args)))
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def query_rows(out: Path, *params: str) -> list[dict]:
    doc = run("query", "conflicts", "-b", out, "--format", "json", *params)
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


def key(row: dict) -> tuple:
    return tuple(str(row.get(k, "")) for k in ("subject", "measure", "qualifier", "date", "values", "sources",
                                               "outlets", "conflictsWith"))


def test_conflicts_and_query_conflicts_give_the_same_rows(out):
    mine = run("conflicts", "-b", out, "--format", "json")
    theirs = query_rows(out)
    assert len(mine) == len(theirs) >= 1
    assert [key(r) for r in mine] == [key(r) for r in theirs]
    # no conflict that is not there (issue 15): revenue growth is no share-price move, a
    # $40B raise is no valuation
    assert not [r for r in mine if (r["subject"], r["measure"]) in {("Nvidia", "share_price"), ("OpenAI", "valuation")}]
    # the build's kg:conflictsWith pair is among them, with both outlets
    tsmc = [r for r in mine if r["subject"] == "TSMC" and r["measure"] == "capex"]
    assert tsmc and tsmc[0]["conflictsWith"] == "linked" and "Reuters" in tsmc[0]["outlets"]


def test_conflicts_about_one_entity(out):
    mine = run("conflicts", "-b", out, "--entity", "台积电", "--format", "json")
    theirs = query_rows(out, "-p", "entity=台积电")
    assert [key(r) for r in mine] == [key(r) for r in theirs] and {r["subject"] for r in mine} == {"TSMC"}
    r = CliRunner().invoke(cli, ["conflicts", "-b", str(out), "--entity", "No Such Corp"])
    assert r.exit_code == 1 and "[E024]" in r.output


def test_views_read_the_query_store_and_follow_a_new_build(out, tmp_path):
    b = tmp_path / "b"
    assert CliRunner().invoke(cli, ["build", str(EXAMPLES / "chip-digest-12.md"), "-o", str(b), "--model", "none",
                                    "-q"]).exit_code == 0
    names = {r["name"] for r in run("entities", "-b", b, "--format", "json")}
    assert (b / "store").is_dir() and (b / "store.stamp").is_file()
    assert CliRunner().invoke(cli, ["build", str(EXAMPLES), "-o", str(b), "--model", "none", "-q"]).exit_code == 0
    more = {r["name"] for r in run("entities", "-b", b, "--format", "json")}
    assert names < more                 # the store was reloaded from the new graph.ttl


def test_a_build_folder_that_cannot_hold_a_store_is_read_in_memory(out, monkeypatch):
    from kg import query
    from kg.errors import KgError

    def refuse(out_dir):
        raise KgError("E128", path=str(out_dir), msg="Read-only file system")

    monkeypatch.setattr(query, "ensure_store", refuse)
    rows = run("entities", "-b", out, "--format", "json")
    assert any(r["name"] == "Nvidia" for r in rows)
    r = CliRunner().invoke(cli, ["validate", "-b", str(out)])
    assert r.exit_code == 0 and "conforms" in r.stdout
