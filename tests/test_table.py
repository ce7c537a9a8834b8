"""Tables people can read: Chinese columns line up (display width), Markdown is stripped
from cells, wide tables are cut to the terminal, and every view prints CSV/TSV/JSON whole."""
from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from kg.table import MAX_CELL, cut, render, strip_markdown, width

ROWS = [
    {"name": "英伟达", "type": "Organization", "evidence": "- **The Information**: 英伟达 shares rose 4%"},
    {"name": "Nvidia", "type": "Organization", "evidence": "The Information**: MSFT fell [2%](https://x.example/a)"},
    {"name": "Café Noir", "type": "Outlet", "evidence": "`code` and _emphasis_ and *stars*"},
]
COLS = ["name", "type", "evidence"]


def columns_of(line: str) -> list[int]:
    """Display column where each cell of a table line starts."""
    starts, col, prev_space = [], 0, True
    for i, c in enumerate(line):
        if c != " " and prev_space and (i == 0 or line[i - 2:i] == "  "):
            starts.append(col)
        prev_space = c == " "
        col += width(c)
    return starts


def test_display_width_counts_wide_and_combining_characters():
    assert width("abc") == 3 and width("英伟达") == 6 and width("e\u0301") == 1
    assert cut("英伟达英伟达", 7) == "英伟达…" and width(cut("英伟达英伟达", 7)) <= 7
    assert cut("short", 10) == "short"


def test_chinese_columns_line_up():
    lines = render(ROWS, "table", COLS).splitlines()
    heads = columns_of(lines[0])
    assert len(heads) == 3
    for line in lines[2:]:
        assert columns_of(line)[:3] == heads, line


def test_markdown_is_stripped_from_cells():
    assert strip_markdown("- **The Information**: MSFT") == "The Information: MSFT"
    assert strip_markdown("The Information**: MSFT") == "The Information: MSFT"   # an unbalanced cut
    assert strip_markdown("fell [2%](https://x.example/a) today") == "fell 2% today"
    assert strip_markdown("`code` and _emphasis_ and *stars*") == "code and emphasis and stars"
    assert strip_markdown("3*4 = 12, snake_case_name") == "3*4 = 12, snake_case_name"
    text = render(ROWS, "table", COLS)
    assert "**" not in text and "](" not in text and "`" not in text


def test_long_cells_are_cut_and_wide_tables_fit_the_terminal():
    rows = [{"a": "x" * 200, "b": "short", "c": "英" * 80}]
    lines = render(rows, "table", ["a", "b", "c"]).splitlines()
    assert max(width(ln) for ln in lines) <= 3 * MAX_CELL + 4
    for total in (100, 60, 40):
        lines = render(rows, "table", ["a", "b", "c"], total_width=total).splitlines()
        assert max(width(ln) for ln in lines) <= total, total
        assert "short" in lines[2]          # the narrow column is not cut
        assert lines[2].count("…") == 2


def test_machine_formats_are_whole():
    rows = [{"name": "英伟达", "aliases": ["NVDA", "Nvidia"], "evidence": "x" * 200 + "\tand\nmore", "n": 3}]
    doc = json.loads(render(rows, "json"))
    assert doc == rows
    (back,) = list(csv.DictReader(io.StringIO(render(rows, "csv", ["name", "aliases", "evidence", "n"]))))
    assert back == {"name": "英伟达", "aliases": "NVDA|Nvidia", "evidence": "x" * 200 + "\tand\nmore", "n": "3"}
    tsv = render(rows, "tsv", ["name", "evidence"]).splitlines()
    assert tsv == ["name\tevidence", "英伟达\t" + "x" * 200 + " and more"]


def test_every_row_view_prints_every_machine_format(tmp_path):
    from conftest import EXAMPLES
    from kg.cli import cli

    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["build", str(EXAMPLES), "-o", str(out), "--model", "none", "-q"]).exit_code == 0
    for args in (["entities"], ["timeline", "Nvidia"], ["conflicts"], ["validate"], ["query", "top-entities"]):
        got = {}
        for fmt in ("json", "csv", "tsv"):
            r = CliRunner().invoke(cli, [*args, "-b", str(out), "--format", fmt])
            assert r.exit_code == 0, (args, fmt, r.output)
            got[fmt] = r.stdout
        if args[0] == "validate":
            assert json.loads(got["json"])["conforms"] is True
            continue
        doc = json.loads(got["json"])
        rows = doc["results"]["bindings"] if isinstance(doc, dict) else doc
        n_csv = len(list(csv.reader(io.StringIO(got["csv"])))) - 1
        n_tsv = len(got["tsv"].splitlines()) - 1
        assert len(rows) == n_csv == n_tsv > 0, args
