"""Long work shows progress on a terminal (a tqdm bar on stderr), nothing when piped or
with -q; a build's written files are one line, not one line per file."""
from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from conftest import EXAMPLES
from kg.cli import cli


def on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run `kg ARGS` with stderr on a pseudo-terminal; (status, stdout, what the terminal got)."""
    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "kg.cli", *args], cwd=cwd, stdout=subprocess.PIPE,
                         stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:             # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out = p.stdout.read().decode()
    p.wait(timeout=300)
    os.close(master)
    return p.returncode, out, seen.decode(errors="replace")


def test_build_prints_one_line_for_its_files_and_no_bar_when_piped(tmp_path):
    r = CliRunner().invoke(cli, ["build", str(EXAMPLES), "-o", str(tmp_path / "o"), "--model", "none"])
    assert r.exit_code == 0, r.output
    wrote = [ln for ln in r.stdout.splitlines() if "wrote" in ln]
    assert wrote == [f"wrote {tmp_path / 'o' / 'graph.ttl'} and 3 issue file(s) in {tmp_path / 'o' / 'issues'}"]
    assert "extracting" not in r.stderr and "\r" not in r.output


def test_bars_show_on_a_terminal_and_not_with_quiet(tmp_path):
    code, out, term = on_a_terminal(["build", str(EXAMPLES), "-o", "o", "--model", "none"], tmp_path)
    assert code == 0, term
    assert "extracting" in term and "/3 [" in term and "issue/s" in term
    code, out, term = on_a_terminal(["validate", "-b", "o"], tmp_path)
    assert code == 0, term
    assert "validating" in term and "conforms" in out
    code, out, term = on_a_terminal(["build", str(EXAMPLES), "-o", "o2", "--model", "none", "-q"], tmp_path)
    assert code == 0 and "extracting" not in term and "built 3 issue(s)" in out
    code, out, term = on_a_terminal(["validate", "-b", "o", "-q"], tmp_path)
    assert code == 0 and "validating" not in term
