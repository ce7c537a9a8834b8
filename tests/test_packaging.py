"""A normal (non-editable) install carries everything kg reads at run time: the wheel
holds the ontology, shapes, gazetteer, named queries and page template, and kg finds them
through importlib.resources (.ci/run also installs the wheel and builds with it)."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from kg import resources


def test_data_files_are_found_through_the_package():
    for p in (resources.SHAPES_PATH, resources.ONTOLOGY_PATH, resources.GAZETTEER_PATH,
              resources.QUERIES_DIR / "conflicts.rq", resources.TEMPLATES_DIR / "graph.html"):
        assert p.is_file(), p
    # the repository's top-level ontology/ folder is the package kg.ontology
    assert resources.SHAPES_PATH.read_bytes() == (ROOT / "ontology" / "shapes.ttl").read_bytes()


@pytest.mark.skipif(not (ROOT / "pyproject.toml").exists(), reason="not a source checkout")
def test_wheel_ships_the_data_files(tmp_path: Path):
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                        "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True)
    if r.returncode != 0 and ("No module named" in r.stderr or "bdist_wheel" in r.stderr):
        pytest.skip("pip/setuptools cannot build a wheel here: " + r.stderr.strip().splitlines()[-1])
    assert r.returncode == 0, r.stderr
    (whl,) = tmp_path.glob("kg-*.whl")
    names = set(zipfile.ZipFile(whl).namelist())
    wanted = {"kg/ontology/kg.ttl", "kg/ontology/shapes.ttl", "kg/ontology/gazetteer/entities.tsv",
              "kg/ontology/gazetteer/generated.tsv",
              "kg/templates/graph.html", "kg/templates/graph.js", "kg/templates/graph.css", "kg/resources.py"}
    wanted |= {f"kg/queries/{p.name}" for p in (ROOT / "kg" / "queries").glob("*.rq")}
    assert wanted <= names, sorted(wanted - names)
    # nothing outside the kg package (no top-level "ontology" that would shadow others)
    assert {n.split("/")[0] for n in names} == {"kg", whl.name[:-len("-py3-none-any.whl")] + ".dist-info"}
