"""Merging across issues and languages; incremental builds; timeline and conflicts."""
from __future__ import annotations

import json
import shutil
from decimal import Decimal

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from kg.cli import cli
from kg.rdf import ENT, KG

from conftest import EXAMPLES, extract_text


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("merged")
    r = CliRunner().invoke(cli, ["build", str(EXAMPLES), "-o", str(out), "--model", "none", "-q"])
    assert r.exit_code == 0, r.output
    return out, Graph().parse(out / "graph.ttl")


def test_one_node_per_real_world_thing(built):
    out, g = built
    ms = ENT["microsoft"]
    alts = {(str(o), o.language) for o in g.objects(ms, SKOS.altLabel)} | \
           {(str(o), o.language) for o in g.objects(ms, SKOS.prefLabel)}
    # "Microsoft Corp." in 470, "MSFT" and "Microsoft Corporation" in chip-digest, 微软 in the translation
    assert {("Microsoft Corp.", "en"), ("MSFT", "en"), ("Microsoft Corporation", "en"), ("微软", "zh")} <= alts
    issues = {str(i) for item in g.subjects(URIRef("https://schema.org/mentions"), ms) for i in g.objects(item, KG.inIssue)}
    assert len(issues) == 2
    nv = {str(o) for o in g.objects(ENT["nvidia"], SKOS.altLabel)}
    assert "NVIDIA" in nv
    # no second Microsoft or Nvidia node
    labels = [str(o) for o in g.objects(None, RDFS.label)]
    assert labels.count("Microsoft") == 1 and labels.count("Nvidia") == 1


def test_false_friends_stay_apart(built):
    out, g = built
    assert (ENT["metaculus"], RDF.type, KG.Entity) in g
    assert not any("Metaculus" in str(o) for o in g.objects(ENT["meta"], SKOS.altLabel))


def test_unknown_names_merge_conservatively(rules):
    text = ("Tiny Weekly - Issue 3: x - 2026-02-02\n\n"
            "- Reuters: Lumora Systems Inc. raises $5 million – Lumora Systems Inc. said so.\n"
            "- Reuters: Lumora again – LUMORA SYSTEMS hired staff; Lumora Labs is another company.\n")
    kb, ix = extract_text(text, rules)
    names = {e.name for e in kb.entities.values()}
    assert "Lumora Systems" in names and "Lumora Labs" in names
    lum = [e for e in kb.entities.values() if e.name == "Lumora Systems"][0]
    assert ("Lumora Systems Inc.", "en") in lum.aliases


def test_bilingual_alignment_counts_a_fact_once(built):
    out, g = built
    zh_items = [i for i in g.subjects(RDF.type, KG.Item) if str(g.value(i, URIRef("https://schema.org/inLanguage"))) == "zh"
                and "/ai-weekly/470/" in str(i)]
    linked = [(z, g.value(z, KG.translationOf)) for z in zh_items if g.value(z, KG.translationOf) is not None]
    assert len(linked) >= 10
    for z, e in linked:
        assert g.value(z, KG.reportedBy) == g.value(e, KG.reportedBy)
    # the Microsoft -9% move is one metric derived from the English item and its translation
    m = [m for m in g.subjects(KG.subject, ENT["microsoft"]) if Decimal(str(g.value(m, KG.value))) == -9]
    assert len(m) == 1
    langs = {str(g.value(i, URIRef("https://schema.org/inLanguage"))) for i in g.objects(m[0], PROV.wasDerivedFrom)}
    assert langs == {"en", "zh"}


def test_same_figure_from_two_issues_is_one_metric_with_two_sources(built):
    out, g = built
    ms = [m for m in g.subjects(KG.subject, ENT["nvidia"]) if Decimal(str(g.value(m, KG.value))) == Decimal("41.3e9")]
    assert len(ms) == 1
    issues = {str(g.value(i, KG.inIssue)) for i in g.objects(ms[0], PROV.wasDerivedFrom)}
    assert len(issues) == 2


def test_conflicts_are_marked_and_listed(built):
    out, g = built
    pairs = list(g.subject_objects(KG.conflictsWith))
    assert pairs
    for a, b in pairs:
        assert (b, KG.conflictsWith, a) in g
        assert g.value(a, KG.subject) == g.value(b, KG.subject)
        assert g.value(a, KG.value) != g.value(b, KG.value)
    r = CliRunner().invoke(cli, ["conflicts", "-b", str(out), "--format", "json"])
    rows = json.loads(r.output)
    assert any(row["subject"] == "TSMC" and row["measure"] == "capex" for row in rows)


def test_entities_and_timeline(built):
    out, g = built
    r = CliRunner().invoke(cli, ["entities", "-b", str(out), "--format", "json"])
    rows = {row["name"]: row for row in json.loads(r.output)}
    assert rows["Microsoft"]["issues"] == 2 and "MSFT" in rows["Microsoft"]["aliases"]
    for name in ("微软", "MSFT", "microsoft corporation"):
        r = CliRunner().invoke(cli, ["timeline", name, "-b", str(out), "--format", "json"])
        assert r.exit_code == 0, r.output
        tl = json.loads(r.output)
        assert tl and [t["date"] for t in tl] == sorted(t["date"] for t in tl)
        assert all(t["evidence"] for t in tl)
    r = CliRunner().invoke(cli, ["timeline", "Microsoft", "-b", str(out), "--format", "csv"])
    assert r.output.splitlines()[0].startswith("date,kind,what")
    r = CliRunner().invoke(cli, ["timeline", "No Such Corp", "-b", str(out)])
    assert r.exit_code == 1 and "E024" in r.output


def test_incremental_build_equals_full_build(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for f in ("aiweekly-470.txt", "chip-digest-12.md"):
        shutil.copy(EXAMPLES / f, src / f)
    inc, full = tmp_path / "inc", tmp_path / "full"
    run = lambda *a: CliRunner().invoke(cli, ["build", *map(str, a), "--model", "none", "-q"])
    r = run(src, "-o", inc)
    assert "2 extracted" in r.output
    snapshot = (inc / "graph.ttl").read_bytes()
    r = run(src, "-o", inc)  # nothing new: nothing extracted, nothing added
    assert "0 extracted, 2 unchanged" in r.output
    assert (inc / "graph.ttl").read_bytes() == snapshot
    shutil.copy(EXAMPLES / "market-brief-88.txt", src)
    r = run(src, "-o", inc)
    assert "1 extracted, 2 unchanged" in r.output
    run(src, "-o", full, "--rebuild")
    for f in ("graph.ttl", "issues/aiweekly-470.ttl".replace("aiweekly", "ai-weekly"), "issues/market-brief-88.ttl"):
        assert (inc / f).read_bytes() == (full / f).read_bytes(), f
    # removing an issue removes its facts, and entities only it mentioned
    (src / "chip-digest-12.md").unlink()
    run(src, "-o", inc)
    g = Graph().parse(inc / "graph.ttl")
    assert (ENT["metaculus"], RDF.type, KG.Entity) not in g
    assert not (inc / "issues" / "chip-digest-12.ttl").exists()
    assert len(set(g.subjects(RDF.type, KG.Issue))) == 2


def test_renderings_cache_is_one_index_and_an_earlier_layout_is_rebuilt(tmp_path):
    """The renderings' cache is one file (terms/index.rdx), not a file per issue, and keeps
    no second copy of an issue's Turtle. A cache of an earlier layout (a KGR2 file per
    issue, or an index of another version) is not read: its issues are rendered again, the
    output is the same as a full rebuild, and the old files go."""
    import marshal
    import struct
    import zlib
    src, inc, full = tmp_path / "in", tmp_path / "inc", tmp_path / "full"
    src.mkdir()
    for f in ("aiweekly-470.txt", "chip-digest-12.md", "market-brief-88.txt"):
        shutil.copy(EXAMPLES / f, src / f)
    run = lambda *a: CliRunner().invoke(cli, ["build", *map(str, a), "--model", "none", "-q"])
    assert run(src, "-o", full, "--rebuild").exit_code == 0
    assert run(src, "-o", inc).exit_code == 0
    terms = inc / ".kg" / "terms"
    assert [p.name for p in terms.iterdir()] == ["index.rdx"]
    index = (terms / "index.rdx").read_bytes()
    issue_bytes = sum(p.stat().st_size for p in (inc / "issues").glob("*.ttl"))
    assert len(index) < issue_bytes / 2          # facts and offsets, not the Turtle again
    assert _outputs(inc) == _outputs(full)
    # an index of another version (its magic) and files of the earlier layout
    body = index[8:]
    (terms / "index.rdx").write_bytes(struct.pack("<4sI", b"KGR2", zlib.crc32(body)) + body)
    old = terms / ("0" * 32 + ".rdr")
    old.write_bytes(b"KGR2" + bytes(60))
    for f in (inc / "issues").glob("*.ttl"):
        f.write_bytes(f.read_bytes().replace(b"kg:Item", b"kg:Itom"))   # what an earlier kg wrote
    r = run(src, "-o", inc)
    assert r.exit_code == 0 and "0 extracted" in r.output, r.output
    assert _outputs(inc) == _outputs(full)       # rendered again, every issue file rewritten
    assert [p.name for p in terms.iterdir()] == ["index.rdx"]
    again = (terms / "index.rdx").read_bytes()
    assert again[:4] == b"KGR3" and marshal.loads(again[8:]) == marshal.loads(index[8:])  # the same entries


def test_a_cached_rendering_reads_back_as_rendered(tmp_path):
    """The renderings' cache keeps no Turtle and no shared statements: they are read back
    from the issue's file. What comes back is what was rendered (merged_stats counts from
    it): the same shared statements (entities, also those whose IRI is written whole,
    figures, events, the newsletter), facts and own triples."""
    from kg.model import Entity
    from kg.rdf import Rendered, render_issue
    from kg.resolve import resolve
    from kg import gazetteer as gz
    from conftest import EXAMPLES as ex
    from kg.build import read_issues, extract_all
    issues = read_issues([str(ex / "aiweekly-470.txt"), str(ex / "chip-digest-12.md")])
    exs, _ = extract_all(issues, model=None)
    kb = resolve(exs, gz.load(None))
    kb.entities["acme"] = Entity("acme", "Acme", "ORG")
    kb.entities["acme+co"] = Entity("acme+co", "Acme & Co", "ORG")   # its IRI is written whole: no prefixed name
    for ix in kb.issues:
        for i, eid in enumerate(("acme", "acme+co")):
            if ix.items[0].mentions[i:i + 1]:
                ix.items[0].mentions[i].entity_id = eid
        r = render_issue(kb, ix)
        back = Rendered.from_plain(r.as_plain(), r.turtle)
        assert sorted(back.shared) == sorted(r.shared) and back.facts == r.facts and back.own == r.own
        assert any(s.startswith("\nmetric:") for s in back.shared) and any(s.startswith("\nent:") for s in back.shared)
        assert any(s.startswith("\n<https://w3id.org/newskg/entity/acme+co>") for s in back.shared)


def _outputs(out):
    files = [out / "graph.ttl"] + sorted((out / "issues").glob("*.ttl"))
    return {str(p.relative_to(out)): p.read_bytes() for p in files}


def test_incremental_build_renders_reused_issues_from_their_records(tmp_path):
    """A reused issue is resolved from its compact record; when it must be rendered again
    (its rendering cache is gone, or a new issue changes an entity it mentions), the full
    extraction is loaded and the output is the same as a full rebuild."""
    src, inc, full = tmp_path / "in", tmp_path / "inc", tmp_path / "full"
    src.mkdir()
    for f in EXAMPLES.glob("*.*"):
        if f.suffix in (".txt", ".md"):
            shutil.copy(f, src / f.name)
    (src / "robot-notes-1.txt").write_text(
        "Robot Notes - Issue 1: Arms Race - 2026-03-02\n\n"
        "- Reuters: Acme Robotics Raises Cash – Acme Robotics raised $40 million yesterday.\n", encoding="utf-8")
    run = lambda *a: CliRunner().invoke(cli, ["build", *map(str, a), "--model", "none", "-q"])
    assert run(src, "-o", inc).exit_code == 0
    # 1. the rendering cache is gone: every issue is rendered again from the extraction cache
    shutil.rmtree(inc / ".kg" / "terms")
    r = run(src, "-o", inc)
    assert "0 extracted" in r.output, r.output
    run(src, "-o", full, "--rebuild")
    assert _outputs(inc) == _outputs(full)
    # 2. a new issue writes the company's name differently, more often: its label changes
    #    in the cached issue too, which is rendered again
    (src / "robot-notes-2.txt").write_text(
        "Robot Notes - Issue 2: Arms Race Again - 2026-03-09\n\n"
        "- Reuters: ACME Robotics Hires – ACME Robotics added 300 jobs; ACME Robotics shares rose 3%.\n",
        encoding="utf-8")
    r = run(src, "-o", inc)
    assert "1 extracted" in r.output, r.output
    run(src, "-o", full, "--rebuild")
    assert _outputs(inc) == _outputs(full)
    assert b'"ACME Robotics"' in (inc / "issues" / "robot-notes-1.ttl").read_bytes()
    # 3. a damaged extraction behind a record that must be rendered: the build starts
    #    again as a rebuild, same output
    for f in (inc / ".kg" / "cache").glob("*.kge"):  # the records stay, the pickle after them goes
        data = f.read_bytes()
        f.write_bytes(data[:8 + int.from_bytes(data[:8], "little")] + b"not a pickle")
    shutil.rmtree(inc / ".kg" / "terms")
    r = run(src, "-o", inc)
    assert r.exit_code == 0 and "5 extracted" in r.output, r.output
    assert _outputs(inc) == _outputs(full)
    # 4. damaged records are not trusted: the files are extracted again, same output
    for f in (inc / ".kg" / "cache").glob("*.kge"):
        data = f.read_bytes()
        f.write_bytes(data[:8] + b"not a record" + data[20:])
    r = run(src, "-o", inc)
    assert "5 extracted, 0 unchanged" in r.output, r.output
    assert _outputs(inc) == _outputs(full)


def _model_names(cls) -> set[str]:
    import dataclasses
    return {f.name for f in dataclasses.fields(cls)} | {n for n, v in vars(cls).items() if isinstance(v, property)}


def _same_as_model(rec, obj, where="issue") -> None:
    """Every attribute the record has under a model name holds the model object's value
    (records within records and lists of them compared in turn)."""
    from kg import incremental
    record_types = tuple(c for c in vars(incremental).values() if isinstance(c, type) and hasattr(c, "MODEL"))
    assert isinstance(obj, rec.MODEL), where
    for name in _model_names(type(rec)) & _model_names(rec.MODEL):
        a, b = getattr(rec, name), getattr(obj, name)
        if isinstance(a, record_types):
            _same_as_model(a, b, f"{where}.{name}")
        elif isinstance(a, list) and a and isinstance(a[0], record_types):
            assert len(a) == len(b), f"{where}.{name}"
            for k, (x, y) in enumerate(zip(a, b)):
                _same_as_model(x, y, f"{where}.{name}[{k}]")
        else:
            assert a == b, f"{where}.{name}: {a!r} != {b!r}"


def test_resolution_records_stand_for_the_model_and_resolve_the_same(rules):
    """The records an incremental build resolves from (kg.incremental) and the full
    extractions a full build resolves cannot drift apart: each record class names only
    attributes its kg.model class has, each holds the extraction's value, and resolution
    decides the same on records as on extractions (ids, types, outlets, translations,
    entities, signatures)."""
    import copy

    from kg import gazetteer as gz
    from kg import incremental
    from kg.build import read_issues
    from kg.extract import extract_issues
    from kg.rdf import issue_signature
    from kg.resolve import resolve

    record_types = [c for c in vars(incremental).values() if isinstance(c, type) and hasattr(c, "MODEL")]
    assert {c.MODEL.__name__ for c in record_types} >= {"Issue", "Item", "Mention", "MetricMention",
                                                         "ItemExtraction", "IssueExtraction"}
    bookkeeping = {"value_text", "source", "index"}   # a record's own: what it stands for, a value as text
    for c in record_types:
        assert _model_names(c) - bookkeeping <= _model_names(c.MODEL), c.__name__

    issues = read_issues([str(p) for p in sorted(EXAMPLES.glob("*.*")) if p.suffix in (".txt", ".md")])
    exs = list(extract_issues(issues, rules, gz.load()))
    records = [incremental.IssueRecord.from_tuple(incremental.IssueRecord.to_tuple(ix)) for ix in exs]
    for rec, ix in zip(records, exs):
        _same_as_model(rec, ix)

    full = resolve(copy.deepcopy(exs))
    from_records = resolve(records)

    def decided(kb):
        return [(ix.issue.source_file, [(ex.item.key, ex.outlet_id, ex.translation_of,
                                         [(m.text, m.type, m.entity_id) for m in ex.mentions]) for ex in ix.items])
                for ix in kb.issues]

    assert decided(full) == decided(from_records) and any(ex.translation_of for ix in full.issues for ex in ix.items)
    assert full.entities == from_records.entities and len(full.entities) > 20
    assert [issue_signature(full, ix, "k") for ix in full.issues] == \
        [issue_signature(from_records, ix, "k") for ix in from_records.issues]


def test_build_counts_are_the_merged_graphs(tmp_path):
    """The triples, figures and events a build reports are those of graph.ttl, though
    issues describe the same entities (with other forms), figures and events again."""
    from kg.build import build
    src = tmp_path / "in"
    src.mkdir()
    for f in ("aiweekly-470.txt", "chip-digest-12.md", "market-brief-88.txt"):
        shutil.copy(EXAMPLES / f, src / f)
    (src / "robot-notes-1.txt").write_text(
        "Robot Notes - Issue 1: Arms Race - 2026-03-02\n\n"
        "- Reuters: Acme Robotics Raises Cash – Acme Robotics raised $40 million on 2026-03-01.\n", encoding="utf-8")
    (src / "robot-notes-2.txt").write_text(
        "Robot Notes - Issue 2: Arms Race Again - 2026-03-09\n\n"
        "- Bloomberg: ACME Robotics Raises Cash – ACME Robotics raised $40 million on 2026-03-01.\n",
        encoding="utf-8")
    res = build([str(src)], str(tmp_path / "out"), model="none")
    g = Graph().parse(tmp_path / "out" / "graph.ttl")
    assert res.triples == len(g)
    assert res.metrics == len(set(g.subjects(RDF.type, KG.Metric)))
    assert res.events == len(set(g.subjects(RDF.type, KG.Event)))


class _Text(str):
    """A str subclass (marshal cannot write it)."""


def _objects(x):
    """Every model object reachable from x (dataclass instances, through lists), in order."""
    import dataclasses
    out = []
    if dataclasses.is_dataclass(x):
        out.append(x)
        for f in dataclasses.fields(x):
            out += _objects(getattr(x, f.name))
    elif isinstance(x, list):
        for v in x:
            out += _objects(v)
    return out


def test_cached_extraction_reads_back_as_pickle_gives_it(rules):
    """A cached extraction (plain tuples, kg.incremental._full_dumps) reads back as pickle
    would give it back: every object of the same class with the same attributes, a figure's
    value the same Decimal (exponent and all), an item extraction's item the issue's own item
    object exactly when it was; an item replaced by another (a Chinese item's outlet, say)
    stays its own object. What the tuples cannot describe is pickled (and reads back too)."""
    import dataclasses
    import pickle
    from kg.build import read_issues
    from kg.incremental import _full_dumps, _full_loads
    from kg.model import Item, MetricMention
    issues = read_issues([str(p) for p in sorted(EXAMPLES.iterdir()) if p.is_file()])
    from kg.extract import extract_issues
    exs = list(extract_issues(issues, rules))
    assert sum(len(ex.metrics) for ix in exs for ex in ix.items) > 20
    # the edges: a replaced item, figures with exponents and signs, an empty item extraction
    exs[0].items[1].item = dataclasses.replace(exs[0].items[1].item, outlet="Elsewhere")
    exs[0].items[0].metrics.append(MetricMention(Decimal("-1.50E+3"), "USD", "$1.5K", 0, 5, qualifiers=["actual"]))
    exs[0].items[0].metrics.append(MetricMention(Decimal("0.00"), "percent", "0%", 0, 2))
    for ix in exs:
        raw = _full_dumps([ix])
        assert raw[:1] == b"M"
        back, = _full_loads(raw)
        want, = pickle.loads(pickle.dumps([ix]))
        assert back == want
        a, b = _objects(back), _objects(want)
        assert [type(o) for o in a] == [type(o) for o in b] and [vars(o) for o in a] == [vars(o) for o in b]
        for x, y in zip(back.items, want.items):
            assert (x.item in back.issue.items and any(x.item is it for it in back.issue.items)) == \
                any(y.item is it for it in want.issue.items)
        for m in (m for x in back.items for m in x.metrics):
            assert type(m.value) is Decimal
    back0, = _full_loads(_full_dumps([exs[0]]))
    assert back0.items[0].item is back0.issue.items[0]
    assert back0.items[1].item is not back0.issue.items[1] and back0.items[1].item.outlet == "Elsewhere"
    # a figure value no Decimal, a text of a str subclass: pickled, and read back the same
    odd = pickle.loads(pickle.dumps(exs[1]))
    odd.items[0].metrics.append(MetricMention(1.5, "USD", "$1.5", 0, 4))
    odd2 = pickle.loads(pickle.dumps(exs[1]))
    odd2.issue.items.append(Item("en", 99, _Text("x"), 0, 1))
    for ix in (odd, odd2):
        raw = _full_dumps([ix])
        assert raw[:1] == b"P"
        assert _full_loads(raw) == [ix]
