from __future__ import annotations

import pytest

from kg.errors import KgError
from kg.ingest import discover, read_path
from kg.ingest.text import parse_text, split_item

from conftest import EXAMPLES


def test_seed_segmentation(seed_path):
    issue = read_path(str(seed_path))[0]
    assert (issue.newsletter, issue.number, issue.date) == ("AI Weekly", 462, "2026-01-29")
    assert "https://aiweekly.co/issues/462" in issue.urls
    en = [it for it in issue.items if it.lang == "en" and it.kind == "item"]
    zh = [it for it in issue.items if it.lang == "zh" and it.kind == "item"]
    # 15 bullets per language, and the lead story under its title line (issue #14: a title
    # line and its paragraph are one story with a headline, no longer a headless "lead")
    assert len(en) == 16
    assert en[0].headline == "The AI bubble explodes ? CapEx Crash" and en[0].section == "In the News"
    assert "Blind Spending" in en[0].text
    assert len({it.section for it in en[1:]}) == 5
    assert len(zh) == 16
    assert zh[0].headline == "新闻聚焦:AI泡沫破裂?资本支出暴跌"
    assert len({it.section for it in zh[1:]}) == 5
    # the Chinese summary is no item
    assert [it.kind for it in issue.items if it.kind not in ("item",)] == []
    assert issue.summary and "微软" in issue.summary
    first = en[1]
    assert (first.outlet, first.headline) == ("CTV News", "Microsoft Plunges 12%")
    assert first.section.startswith("Public Markets")
    assert first.body.startswith("Microsoft shares suffered")
    zfirst = zh[1]
    assert (zfirst.outlet, zfirst.headline) == ("CTV新闻", "微软股价暴跌12%")
    for it in issue.items:  # every item keeps its exact span in the file
        assert issue.text[it.start:it.end] == it.text
        assert it.text.strip()


@pytest.mark.parametrize("line,outlet,headline,body", [
    ("Reuters: Chip stocks slide – Nvidia fell 3%.", "Reuters", "Chip stocks slide", "Nvidia fell 3%."),
    ("Reuters: Chip stocks slide — Nvidia fell 3%.", "Reuters", "Chip stocks slide", "Nvidia fell 3%."),
    ("Reuters: Chip stocks slide - Nvidia fell 3%.", "Reuters", "Chip stocks slide", "Nvidia fell 3%."),
    ("路透社:芯片股下挫——英伟达下跌3%。", "路透社", "芯片股下挫", "英伟达下跌3%。"),
    ("路透社: 芯片股下挫 —— 英伟达下跌3%。", "路透社", "芯片股下挫", "英伟达下跌3%。"),
    ("Nvidia unveils a new chip (Bloomberg)", "Bloomberg", "", "Nvidia unveils a new chip"),
])
def test_item_line_forms(line, outlet, headline, body):
    assert split_item(line) == (outlet, headline, body)


def test_markdown_issue():
    issue = read_path(str(EXAMPLES / "chip-digest-12.md"))[0]
    assert issue.newsletter == "Chip Digest" and issue.number == 12
    assert issue.date == "2026-03-30"
    items = [it for it in issue.items if it.kind == "item"]
    assert len(items) == 8
    assert all(it.outlet for it in items)
    # markdown markup is masked in the analysed text, offsets still point into the file
    for it in issue.items:
        assert len(it.text) == it.end - it.start
        assert "**" not in it.text and "](" not in it.text
    assert any(u.startswith("https://") for it in items for u in it.urls)


def test_plain_english_issue():
    issue = read_path(str(EXAMPLES / "market-brief-88.txt"))[0]
    assert (issue.newsletter, issue.number, issue.date) == ("Market Brief", 88, "2026-04-02")
    assert len([it for it in issue.items if it.kind == "item"]) == 7


def test_title_forms():
    i = parse_text("Chip Digest - Issue 7: Fabs - March 3, 2026\n\n- Reuters: A – b\n", "x.txt", "sha256:0")
    assert (i.newsletter, i.number, i.date, i.title) == ("Chip Digest", 7, "2026-03-03", "Fabs")
    i = parse_text("AI周刊 - 第9期:标题 - 2026年2月1日\n\n- 路透社:甲——乙\n", "x.txt", "sha256:0")
    assert (i.newsletter, i.number, i.date) == ("AI Weekly", 9, "2026-02-01")


def test_bad_inputs(tmp_path):
    with pytest.raises(KgError) as e:
        read_path(str(tmp_path / "missing.txt"))
    assert e.value.code == "E001"
    (tmp_path / "empty.txt").write_text("  \n")
    with pytest.raises(KgError) as e:
        read_path(str(tmp_path / "empty.txt"))
    assert e.value.code == "E002"
    (tmp_path / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(KgError) as e:
        read_path(str(tmp_path / "bin.txt"))
    assert e.value.code == "E003"
    (tmp_path / "d").mkdir()
    with pytest.raises(KgError) as e:
        discover([str(tmp_path / "d")])
    assert e.value.code == "E005"
