"""`kg build --workers N` and `--engine dask --scheduler ADDRESS`: the same output, byte for
byte, as a build with one worker."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import gazetteer as gz
from kg.build import build
from kg.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

SMALL_GAZ = """id\ttype\tname\taliases_en\taliases_zh\tticker\twikidata\thomepage
nvidia\tOrganization\tNvidia\tNVIDIA\t英伟达\tNVDA\tQ182477\t
microsoft\tOrganization\tMicrosoft\tMicrosoft Corp.|Microsoft Corporation\t微软\tMSFT\tQ2283\t
tsmc\tOrganization\tTSMC\tTaiwan Semiconductor Manufacturing\t台积电\tTSM\t\t
alibaba\tOrganization\tAlibaba\t\t阿里巴巴\tBABA\t\t
openai\tOrganization\tOpenAI\t\t\t\t\t
hang-seng\tIndex\tHang Seng\tHang Seng Index\t恒生指数\t\t\t
gold\tAsset\tGold\t\t黄金\t\t\t
bitcoin\tAsset\tBitcoin\t\t比特币\tBTC\t\t
reuters\tOutlet\tReuters\t\t路透社\t\t\t
bloomberg\tOutlet\tBloomberg\t\t彭博社\t\t\t
"""


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory) -> str:
    """The shipped gazetteer when it is there, else a small one (the output must match
    between engines whatever the gazetteer)."""
    if gz.DEFAULT_PATH.exists():
        return str(gz.DEFAULT_PATH)
    p = tmp_path_factory.mktemp("gaz") / "entities.tsv"
    p.write_text(SMALL_GAZ, encoding="utf-8")
    return str(p)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, gazetteer) -> list[str]:
    """The examples plus a few synthetic issues (English and bilingual), so that there are
    more issues than workers and chunks of unequal size."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import corpus
    finally:
        sys.path.remove(str(ROOT / "bench"))
    folder = tmp_path_factory.mktemp("corpus")
    corpus.write_corpus(folder, 6, n_items=6, gazetteer=gazetteer)
    # an absurd figure makes a warning inside extraction: it must come back from the workers
    (folder / "absurd-1.txt").write_text(
        "Absurd Brief - Issue 1: Big Numbers - 2026-04-02\n\n"
        "- Reuters: Nvidia Posts a Big Number – Nvidia reported revenue of $900000 trillion yesterday.\n"
        "- Bloomberg: Gold Steady – Gold rose 1.2% yesterday to $2,950.\n", encoding="utf-8")
    return [str(EXAMPLES), str(folder)]


def outputs(out: Path) -> dict[str, bytes]:
    """Every output file (the incremental-build cache under .kg/ is not output)."""
    files = [out / "graph.ttl"] + sorted((out / "issues").glob("*.ttl"))
    return {str(p.relative_to(out)): p.read_bytes() for p in files}


@pytest.fixture(scope="module")
def serial(tmp_path_factory, inputs, gazetteer):
    out = tmp_path_factory.mktemp("serial")
    res = build(inputs, str(out), gazetteer=gazetteer)
    assert res.issues >= 10
    return res, outputs(out)


def test_workers_give_the_same_output_as_one(tmp_path, inputs, gazetteer, serial):
    res1, files1 = serial
    seen = []
    res = build(inputs, str(tmp_path), gazetteer=gazetteer, workers=2, progress=seen.append)
    assert outputs(tmp_path) == files1
    assert res.warnings == res1.warnings
    assert any("[W004]" in w for w in res.warnings)  # raised in a worker, replayed in order
    assert (res.model, res.issues, res.items, res.triples) == (res1.model, res1.issues, res1.items, res1.triples)
    assert len(seen) == res.issues  # progress reported once per issue


def test_cli_workers_all_cpus(tmp_path, inputs, gazetteer, serial):
    r = CliRunner().invoke(cli, ["build", *inputs, "-o", str(tmp_path), "--gazetteer", gazetteer,
                                 "-q", "--workers", "0"])
    assert r.exit_code in (0, 2), r.output  # 2: the absurd figure was skipped
    assert outputs(tmp_path) == serial[1]


def test_cli_negative_workers_is_a_one_line_error(tmp_path, gazetteer):
    r = CliRunner().invoke(cli, ["build", str(EXAMPLES), "-o", str(tmp_path), "--gazetteer", gazetteer,
                                 "--workers", "-2"])
    assert r.exit_code == 1
    assert "[E023]" in r.output and len(r.output.strip().splitlines()) == 1
    assert not (tmp_path / "graph.ttl").exists()


def test_cli_dask_engine_needs_a_scheduler(tmp_path, gazetteer):
    r = CliRunner().invoke(cli, ["build", str(EXAMPLES), "-o", str(tmp_path), "--gazetteer", gazetteer,
                                 "--engine", "dask"])
    assert r.exit_code == 1
    assert "[E017]" in r.output and "--scheduler" in r.output


needs_dask = pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                                reason="dask.distributed is not installed (pip install 'kg[dask]')")


@needs_dask
def test_dask_engine_gives_the_same_output(tmp_path, inputs, gazetteer, serial):
    from distributed import LocalCluster

    res1, files1 = serial
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        assert len(cluster.workers) == 2
        r = CliRunner().invoke(cli, ["build", *inputs, "-o", str(tmp_path / "cli"), "--gazetteer", gazetteer,
                                     "-q", "--engine", "dask", "--scheduler", cluster.scheduler_address])
        assert r.exit_code in (0, 2), r.output  # 2: the absurd figure was skipped
        seen = []
        res = build(inputs, str(tmp_path / "api"), gazetteer=gazetteer, engine="dask",
                    scheduler=cluster.scheduler_address, progress=seen.append)
    assert outputs(tmp_path / "cli") == files1
    assert outputs(tmp_path / "api") == files1
    assert res.warnings == res1.warnings
    assert res.model == res1.model
    assert len(seen) == res.issues


@needs_dask
def test_dask_scheduler_down_is_a_one_line_error(tmp_path, gazetteer, monkeypatch):
    import socket

    import kg.parallel
    monkeypatch.setattr(kg.parallel, "CONNECT_TIMEOUT", 2.0)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = CliRunner().invoke(cli, ["build", str(EXAMPLES), "-o", str(tmp_path), "--gazetteer", gazetteer,
                                 "--scheduler", f"tcp://127.0.0.1:{port}"])
    assert r.exit_code == 1
    assert "[E015]" in r.output and f"127.0.0.1:{port}" in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert not (tmp_path / "graph.ttl").exists()


def test_rdflib_graphs_hold_what_the_build_writes(tmp_path, inputs, gazetteer):
    """kg.rdf's library API (kb_graph, an rdflib Graph) and the build's own term writer
    give the same triples."""
    import pyoxigraph as ox

    from kg.rdf import issue_graph, kb_graph

    kb = build(inputs, str(tmp_path), gazetteer=gazetteer).kb
    graphs = [issue_graph(kb, ix) for ix in kb.issues] + [kb_graph(kb)]
    store = ox.Store()
    store.load((tmp_path / "graph.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)
    from_build = {str(q.triple) for q in store}
    again = ox.Store()
    again.load(graphs[-1].serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    assert {str(q.triple) for q in again} == from_build and len(from_build) > 100

def test_extraction_does_not_depend_on_which_issues_share_a_batch(inputs, gazetteer):
    """Issues are run through spaCy in batches of many issues' items; an issue's extraction
    must not depend on its neighbours (the cache keys it by its own file, and --workers
    splits issues differently). Compared with the model when one is installed."""
    from kg.build import read_issues
    from kg.extract import extract_issue, extract_issues
    from kg.nlp import load_pipelines
    issues = read_issues(inputs)
    pipes = load_pipelines("auto", gazetteer)
    gaz = gz.load(gazetteer)
    w_one: list[str] = []
    w_all: list[str] = []
    one = [extract_issue(iss, pipes, gaz, w_one.append) for iss in issues]
    together = list(extract_issues(issues, pipes, gaz, w_all.append, batch_items=64))
    assert len(together) == len(issues) > 5
    assert [repr(x) for x in together] == [repr(x) for x in one]
    assert w_all == w_one and w_one  # the absurd figure's warning, in the same order
