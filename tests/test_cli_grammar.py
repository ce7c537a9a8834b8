"""Every command follows one grammar (kg/cli.py, top): -o/--out is what a command writes,
-b/--build the build it reads (one default, one error), --format the output format with
the same choices wherever they apply, --input-format the input format; choices are
checked; old spellings are hidden aliases that print one W020 line."""
from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kg import cli as cli_mod
from kg.cli import cli

from conftest import EXAMPLES

READERS = {"entities", "timeline", "conflicts", "query", "validate", "push", "viz"}
WRITERS = {"build": click.Path, "viz": click.Path}     # commands with a visible -o/--out
PROGRESS = {"build", "validate", "push", "viz"}        # long work: a bar, and -q to silence it
# the arguments a command needs besides the options under test
NEEDS = {"timeline": ["Nvidia"], "push": ["--endpoint", "http://127.0.0.1:9/store"], "query": ["ASK {}"],
         "build": [str(EXAMPLES)], "extract": [str(EXAMPLES)], "eval": [str(EXAMPLES / "gold")]}


def options(cmd: click.Command, hidden: bool = False) -> list[click.Option]:
    return [p for p in cmd.params if isinstance(p, click.Option) and p.hidden == hidden]


def named(cmd: click.Command, flag: str) -> list[click.Option]:
    return [p for p in options(cmd) if flag in p.opts]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("grammar") / "out"
    r = CliRunner().invoke(cli, ["build", str(EXAMPLES), "-o", str(out), "--model", "none", "-q"])
    assert r.exit_code == 0, r.output
    return out


def test_every_command_is_walked():
    assert set(cli.commands) >= READERS | set(WRITERS) | {"extract", "eval"}


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_out_names_what_the_command_writes(name):
    cmd = cli.commands[name]
    outs = named(cmd, "-o") + named(cmd, "--out")
    if name in WRITERS:
        (o,) = set(outs)
        assert o.opts == ["-o", "--out"] and isinstance(o.type, click.Path)
        assert "write" in o.help.lower() or "output" in o.help.lower()
    else:
        assert not outs, f"kg {name} prints; it has no -o/--out"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_a_build_is_read_with_one_option_and_one_default(name):
    cmd = cli.commands[name]
    b = [p for p in cmd.params if p.name == "build_dir"]
    if name not in READERS:
        assert not b and not named(cmd, "-b")
        return
    (o,) = b
    assert o.opts == ["-b", "--build"] and o.default == cli_mod.DEFAULT_BUILD and not o.hidden
    assert o.help == cli.commands["entities"].params[0].help   # the same words everywhere


@pytest.mark.parametrize("name", sorted(READERS))
def test_no_build_is_one_error(name, tmp_path):
    r = CliRunner().invoke(cli, [name, *NEEDS.get(name, []), "-b", str(tmp_path / "nothing")])
    assert r.exit_code == 1, r.output
    assert "[E160]" in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_format_is_the_output_format(name):
    cmd = cli.commands[name]
    fmts = named(cmd, "--format")
    assert not named(cmd, "--json") and not named(cmd, "--csv"), "use --format"
    if not fmts:
        assert name in {"build", "push", "viz"}, f"kg {name} prints rows: it needs --format"
        return
    (f,) = fmts
    assert f.name == "fmt" and f.opts == ["--format"]
    want = {"query": cli_mod.QUERY_FORMATS, "extract": cli_mod.DOCUMENT_FORMATS}.get(name, cli_mod.TABLE_FORMATS)
    assert tuple(f.type.choices) == want and f.default == want[0]
    ins = named(cmd, "--input-format")
    if name in {"build", "extract"}:
        assert ins and tuple(ins[0].type.choices) == tuple(cli_mod.INPUT_FORMATS)
    else:
        assert not ins


def test_query_formats_extend_the_table_formats():
    assert cli_mod.QUERY_FORMATS[:len(cli_mod.TABLE_FORMATS)] == cli_mod.TABLE_FORMATS


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_quiet_where_there_is_long_work(name):
    q = named(cli.commands[name], "-q")
    assert bool(q) == (name in PROGRESS)
    if q:
        assert q[0].opts == ["-q", "--quiet"] and q[0].is_flag


def test_a_short_option_means_one_thing_everywhere():
    seen: dict[str, str] = {}
    for name, cmd in cli.commands.items():
        for o in options(cmd):
            longs = [x for x in o.opts if x.startswith("--")]
            for short in (x for x in o.opts if len(x) == 2):
                assert seen.setdefault(short, longs[0]) == longs[0], f"{short} in kg {name}"


def test_choices_are_checked_and_named():
    r = CliRunner().invoke(cli, ["entities", "--type", "Company"])
    assert r.exit_code == 2
    assert "Company" in r.output and "Organization" in r.output and "Outlet" in r.output
    r = CliRunner().invoke(cli, ["entities", "--format", "yaml"])
    assert r.exit_code == 2 and "table" in r.output and "tsv" in r.output


def test_entity_types_filter_case_insensitively(built):
    r = CliRunner().invoke(cli, ["entities", "-b", str(built), "--type", "outlet,PERSON", "--format", "json"])
    assert r.exit_code == 0, r.output
    types = {row["type"] for row in json.loads(r.stdout)}
    assert types and types <= {"Outlet", "Person"}


def _legacy_cases(built: Path) -> dict[tuple[str, str], tuple[list[str], list[str]]]:
    """(command, hidden option) -> (old spelling, new spelling) of one invocation."""
    b, g = str(built), str(built / "graph.ttl")
    return {
        ("entities", "--out"): (["entities", "-o", b], ["entities", "-b", b]),
        ("timeline", "--out"): (["timeline", "Nvidia", "-o", b], ["timeline", "Nvidia", "-b", b]),
        ("timeline", "--json"): (["timeline", "Nvidia", "-b", b, "--json"],
                                 ["timeline", "Nvidia", "-b", b, "--format", "json"]),
        ("timeline", "--csv"): (["timeline", "Nvidia", "-b", b, "--csv"],
                                ["timeline", "Nvidia", "-b", b, "--format", "csv"]),
        ("conflicts", "--out"): (["conflicts", "-o", b], ["conflicts", "-b", b]),
        ("query", "--out"): (["query", "ASK { ?s ?p ?o }", "-o", b], ["query", "ASK { ?s ?p ?o }", "-b", b]),
        ("validate", "--out"): (["validate", "-o", b], ["validate", "-b", b]),
        ("validate", "--json"): (["validate", "-b", b, "--json"], ["validate", "-b", b, "--format", "json"]),
        ("push", "--out"): (["push", "--endpoint", "http://127.0.0.1:9/store", "-o", str(built.parent / "none")],
                            ["push", "--endpoint", "http://127.0.0.1:9/store", "-b", str(built.parent / "none")]),
        ("viz", "--graph"): (["viz", "--graph", g, "-o", str(built.parent / "a.html")],
                             ["viz", "-b", b, "-o", str(built.parent / "a.html")]),
        ("build", "--format"): (["build", str(EXAMPLES), "-o", str(built.parent / "old"), "--model", "none", "-q",
                                 "--format", "markdown"],
                                ["build", str(EXAMPLES), "-o", str(built.parent / "new"), "--model", "none", "-q",
                                 "--input-format", "markdown"]),
        ("eval", "--json"): (["eval", *map(str, sorted((EXAMPLES / "gold").glob("*.json"))), "--model", "none",
                              "--json"],
                             ["eval", *map(str, sorted((EXAMPLES / "gold").glob("*.json"))), "--model", "none",
                              "--format", "json"]),
        ("extract", "--json"): (["extract", str(EXAMPLES / "chip-digest-12.md"), "--model", "none", "--json"],
                                ["extract", str(EXAMPLES / "chip-digest-12.md"), "--model", "none", "--format",
                                 "json"]),
    }


def _without(text: str, parts: list[str]) -> str:
    for p in parts:
        text = text.replace(p, "")
    return text


def test_every_old_spelling_still_works_with_one_deprecation_line(built):
    cases = _legacy_cases(built)
    hidden = {(name, max(o.opts, key=len)) for name, cmd in cli.commands.items() for o in options(cmd, hidden=True)}
    assert hidden == set(cases), "every hidden option is a deprecated alias tested here"
    for (name, opt), (old, new) in sorted(cases.items()):
        a, b = CliRunner().invoke(cli, old), CliRunner().invoke(cli, new)
        assert a.exit_code == b.exit_code, (name, opt, a.output)
        same = [str(built.parent / d) for d in ("none", "old", "new")]
        assert _without(a.stdout, same) == _without(b.stdout, same), (name, opt)
        assert a.stderr.count("[W020]") == 1 and "[W020]" not in b.stderr, (name, opt, a.stderr)


def test_extract_takes_an_old_input_format_value_with_a_deprecation_line():
    path = str(EXAMPLES / "chip-digest-12.md")
    a = CliRunner().invoke(cli, ["extract", path, "--model", "none", "--format", "markdown"])
    b = CliRunner().invoke(cli, ["extract", path, "--model", "none", "--input-format", "markdown"])
    assert a.exit_code == b.exit_code == 0 and a.stdout == b.stdout
    assert a.stderr.count("[W020]") == 1 and "--input-format" in a.stderr
