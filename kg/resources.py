"""The data files kg ships inside its package, found with importlib.resources, so that
they are there in every kind of install (a wheel, `pip install .`, pipx, or an editable
checkout): the ontology (`kg.ontology`, the repository's top-level ontology/ folder
mapped into the package by pyproject.toml), the named queries and the page template."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _dir(package: str, *parts: str) -> Path:
    # An installed package (a wheel unpacked into site-packages, or an editable checkout)
    # is a folder, so importlib.resources gives a real path; kg is not zip-safe.
    return Path(str(files(package).joinpath(*parts)))


ONTOLOGY_DIR = _dir("kg.ontology")
SHAPES_PATH = ONTOLOGY_DIR / "shapes.ttl"
ONTOLOGY_PATH = ONTOLOGY_DIR / "kg.ttl"
GAZETTEER_PATH = ONTOLOGY_DIR / "gazetteer" / "entities.tsv"
QUERIES_DIR = _dir("kg", "queries")
TEMPLATES_DIR = _dir("kg", "templates")
