from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
SEED = SHARED / "corpus" / "aiweekly-462.txt"
SEED_GOLD = SHARED / "eval" / "aiweekly-462.gold.json"


def model_installed() -> bool:
    from kg.nlp import DEFAULT_MODELS
    return any(importlib.util.find_spec(n) is not None for n in DEFAULT_MODELS)


@pytest.fixture(scope="session")
def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip("the seed corpus (../shared/corpus/aiweekly-462.txt) is not beside this checkout")
    return SEED


@pytest.fixture(scope="session")
def rules():
    """Pipelines without a statistical model (gazetteer + rules)."""
    from kg.nlp import load_pipelines
    return load_pipelines("none")


def extract_text(text: str, pipes, name: str = "t.txt"):
    """Run ingest + extraction + resolution on a text; return the resolved IssueExtraction."""
    import hashlib

    from kg import gazetteer as gz
    from kg.extract import extract_issue
    from kg.ingest.text import parse_text
    from kg.resolve import resolve

    issue = parse_text(text, name, "sha256:" + hashlib.sha256(text.encode()).hexdigest())
    kb = resolve([extract_issue(issue, pipes, gz.load())], gz.load())
    return kb, kb.issues[0]
