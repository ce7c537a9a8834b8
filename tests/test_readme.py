"""The README's CLI reference is generated from --help (cog) and must be up to date."""
from __future__ import annotations

from cogapp import Cog

from conftest import ROOT


def test_cli_reference_is_current():
    cog = Cog()
    cog.options.verbosity = 0
    assert cog.main(["cog", "--check", str(ROOT / "README.md")]) == 0, "run: cog -r README.md"


def test_readme_commands_exist():
    text = (ROOT / "README.md").read_text()
    assert "pip install -e '.[dev]' && kg build examples/ -o out/" in text
    assert ".venv/bin/python -m pytest -q" in text
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.rstrip().splitlines()[-1] == ".venv/bin/python -m pytest -q"
