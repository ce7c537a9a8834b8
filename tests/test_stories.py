"""One item per story, from the document's structure (issue #14).

* every gold item of the shared eval files (../shared, skipped when absent) and of our own
  layouts (tests/data/layouts) lies in one item that holds its whole story: the headline
  line and the line of its last sentence (line numbers in tests/data/shared_story_lines.json,
  annotated by reading the corpus; no corpus text is copied into the repo);
* our own layouts: stories, headlines, kinds, outlets, sections, issue metadata;
* each rule of kg/ingest/stories.py on short sentences of our own.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

import pytest

from kg.ingest import read_path
from kg.ingest.stories import (Block, classify, cut, find_outlet, masthead_date, numeric_date, stories_of,
                               tokens)
from kg.ingest.text import parse_text

ROOT = Path(__file__).resolve().parent
LAYOUTS = ROOT / "data" / "layouts"
SHARED = ROOT.parent.parent / "shared"
STORY_LINES = json.loads((ROOT / "data" / "shared_story_lines.json").read_text(encoding="utf-8"))


def _squash(s: str) -> str:
    """Text without markup or whitespace: what a story must contain, however it is rendered."""
    s = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", s)
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s)
    s = re.sub(r"<[^>]+>", "", s)
    s = html.unescape(s)
    s = re.sub(r"^\s*(?:[-*+·•]|\d+[.)])\s+", "", s)
    s = s.replace("**", "").replace("__", "")
    s = re.sub(r"(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)", "", s)
    s = s.replace("|", "")      # a table's cell separators (Markdown, and the HTML reader's rendering)
    return re.sub(r"\s+", "", s.replace("<![CDATA[", "").replace("]]>", ""))


def _items(path: Path):
    out = []
    for iss in read_path(str(path)):
        for it in iss.items:
            out.append((iss, it))
    return out


def _holder(items, lang: str, match: str):
    found = [(iss, it) for iss, it in items if it.lang == lang and match in iss.text[it.start:it.end]]
    assert len(found) == 1, f"{match!r}: {len(found)} items hold it"
    return found[0]


def _check_story(corpus: Path, items, g: dict, lines: list[int]):
    src = corpus.read_text(encoding="utf-8").splitlines()
    iss, it = _holder(items, g.get("lang", "en"), g["match"])
    text = _squash(it.text)
    head, last = _squash(src[lines[0] - 1]), _squash(src[lines[1] - 1])
    assert head[:25] in text, f"{g['match']!r}: the headline (line {lines[0]}) is not in its item"
    assert last[-25:] in text, f"{g['match']!r}: the last sentence (line {lines[1]}) is not in its item"
    assert it.kind in ("item", "lead")


SHARED_CASES = [(gold, int(i)) for gold, ms in STORY_LINES.items() if not gold.startswith("_") for i in ms]


@pytest.mark.parametrize("gold_name,index", SHARED_CASES)
def test_shared_gold_items_hold_their_whole_story(gold_name, index):
    gold_path = SHARED / "eval" / gold_name
    if not gold_path.exists():
        pytest.skip("../shared is not beside this checkout")
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    corpus = SHARED / "corpus" / gold["corpus"]
    _check_story(corpus, _cached_items(corpus), gold["items"][index], STORY_LINES[gold_name][str(index)])


_CACHE: dict = {}


def _cached_items(path: Path):
    if path not in _CACHE:
        _CACHE[path] = _items(path)
    return _CACHE[path]


def test_every_shared_gold_item_is_annotated():
    """The line annotations cover every gold item of every shared file (a new gold item
    needs its story's lines here)."""
    if not (SHARED / "eval").exists():
        pytest.skip("../shared is not beside this checkout")
    for gold_path in sorted((SHARED / "eval").glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        assert set(STORY_LINES.get(gold_path.name, {})) >= {str(i) for i in range(len(gold["items"]))}, gold_path.name


# -------------------------------------------------------------------- our own layouts

OWN = sorted(LAYOUTS.glob("*.gold.json"))


@pytest.mark.parametrize("gold_path", OWN, ids=[p.stem for p in OWN])
def test_own_layout_gold_items_are_whole_news_items(gold_path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    corpus = LAYOUTS / gold["corpus"]
    items = _items(corpus)
    news = [it for _, it in items if it.kind in ("item", "lead")]
    assert len(news) == len(gold["items"]), [(it.kind, it.headline) for _, it in items]
    for g in gold["items"]:
        iss, it = _holder(items, g["lang"], g["match"])
        assert it.kind == "item" and it.headline, g["match"]
        # one story: exactly one gold match per item, the headline first in the item
        assert it.text.lstrip().startswith(it.headline[:10]) or it.headline in it.text
    issue = items[0][0]
    meta = gold["issue"]
    assert (issue.newsletter, issue.number, issue.date) == (meta["newsletter"], meta["number"], meta["date"])


def _by_kind(path: Path) -> dict:
    out: dict = {}
    for _, it in _items(path):
        out.setdefault(it.kind, []).append(it)
    return out


def test_numbered_hard_wrapped_email_digest():
    kinds = _by_kind(LAYOUTS / "chipwire-31.txt")
    items = kinds["item"]
    assert [it.headline for it in items][:2] == ["AMD WINS BIG CLOUD DEAL", "ARM LICENSING REVENUE JUMPS"]
    assert [it.outlet for it in items] == ["Reuters", "Bloomberg", "Financial Times", "Yonhap", "TechCrunch"]
    amd = items[0]
    # the story's two paragraphs are one item; the wrap newlines are spaces for the extractors
    assert "AMD said on Thursday that Oracle will deploy 50,000 of its MI450 accelerators" in amd.text
    assert amd.text.rstrip().endswith("(Source: Reuters)")
    assert "Oracle did not comment" in amd.text
    # greeting, teaser list, sign-off and the team's name are boilerplate
    bp = [it.text for it in kinds["boilerplate"]]
    assert any(t.startswith("Good morning") for t in bp)
    assert any(t.startswith("In today's issue") for t in bp)
    assert any("unsubscribe" in t for t in bp)
    assert "lead" not in kinds


def test_substack_markdown_with_via_lines_and_subheadings():
    kinds = _by_kind(LAYOUTS / "cloudnotes-2025-06-14.md")
    items = kinds["item"]
    assert [it.section for it in items] == ["Deals", "Deals", "Infrastructure", "Infrastructure", "Infrastructure"]
    assert [it.outlet for it in items] == ["CNBC", "The Information", "Reuters", "Bloomberg", "The Verge"]
    meta = items[2]
    # "#### Why it matters" is a part of the story, not a story
    assert meta.headline == "Meta takes a 49% stake in Scale AI"
    assert "Why it matters" in meta.text and "more than $29 billion" in meta.text
    # Markdown markup is blanked, never seen by the extractors
    assert "#" not in meta.text and "*" not in meta.text
    assert [it.text[:2] for it in kinds["boilerplate"]] == ["Hi", "Th", "Su"]   # greeting, sign-off, "Subscribe now"


def test_html_bullet_digest_with_sponsor_teaser_and_signoff():
    kinds = _by_kind(LAYOUTS / "fintech-brief-2025-10-02.html")
    items = kinds["item"]
    assert [it.section for it in items] == ["Payments"] * 3 + ["Banking"] * 3
    assert [it.outlet for it in items] == ["Axios", "The Wall Street Journal", "Reuters", "Financial Times",
                                           "CNBC", "Bloomberg"]
    assert items[0].headline == "Stripe's tender offer values it at $106.7 billion."
    assert [it.headline for it in kinds["sponsor"]] == ["Presented by Ledgerly"]
    assert "Book a demo" in kinds["sponsor"][0].text
    bp = " ".join(it.text for it in kinds["boilerplate"])
    assert "In today's issue" in bp and "See you Monday" in bp and "Unsubscribe" in bp


def test_bracket_titled_chinese_brief():
    kinds = _by_kind(LAYOUTS / "keji-zaobao-3089.txt")
    items = kinds["item"]
    assert items[0].headline == "【小米三季度营收同比增长22%】"
    assert [it.outlet for it in items] == ["界面新闻", "财新", "彭博", "路透", "华尔街日报"]
    # the picture credit stays in its story and is no outlet
    assert "图片来源" in items[2].text and items[2].outlet == "彭博"
    assert [it.headline for it in kinds["sponsor"]] == ["【广告】"]
    # the 今日导读 teaser repeats the stories' words: boilerplate
    assert any("今日导读" in it.text for it in kinds["boilerplate"])
    assert any(it.text.startswith("以上就是") for it in kinds["boilerplate"])


def test_no_triples_from_sponsor_or_boilerplate(tmp_path, rules):
    """Sponsor and boilerplate items are listed but give no facts, and nothing of them
    reaches the graph."""
    from kg import gazetteer as gz
    from kg.extract import extract_issue
    from kg.rdf import kb_graph, to_turtle
    from kg.resolve import resolve
    for name in ("fintech-brief-2025-10-02.html", "keji-zaobao-3089.txt"):
        issue = read_path(str(LAYOUTS / name))[0]
        ex = extract_issue(issue, rules, gz.load())
        skipped = [x for x in ex.items if x.item.kind in ("sponsor", "boilerplate")]
        assert skipped and all(not (x.mentions or x.metrics or x.events) for x in skipped)
        kb = resolve([ex], gz.load())
        ttl = to_turtle(kb_graph(kb)).decode("utf-8")
        for x in skipped:
            assert x.item.text[:20] not in ttl


# ------------------------------------------------------------------------ unit rules


def _text_issue(text: str):
    return parse_text(text, "t.md", "sha256:" + hashlib.sha256(text.encode()).hexdigest())


def _news(text: str):
    return [it for it in _text_issue(text).items if it.kind in ("item", "lead")]


def test_headline_line_then_paragraph_is_one_item_with_the_headline_figures():
    its = _news("Acme raises $500 million at a $6 billion valuation\n"
                "The robotics startup said on Tuesday that the round was led by Northwind Capital.\n")
    assert len(its) == 1
    assert its[0].headline == "Acme raises $500 million at a $6 billion valuation"
    assert "$500 million" in its[0].text and "Northwind" in its[0].text


def test_bold_linked_title_line_and_its_paragraph_are_one_item():
    its = _news("**[Globex buys Initech for $2 billion](https://example.com/a)**\n\n"
                "Globex agreed to buy the office-software maker in an all-cash deal.\n\n"
                "**[Hooli cuts 5% of staff](https://example.com/b)**\n\n"
                "Hooli said it would let go about 1,200 people.\n")
    assert [it.headline for it in its] == ["Globex buys Initech for $2 billion", "Hooli cuts 5% of staff"]
    assert "all-cash deal" in its[0].text


def test_labelled_parts_do_not_cut_a_story():
    its = _news("## News\n\n**Umbrella ships a new model**\n\nUmbrella released Umbra-2 on Monday.\n\n"
                "**What's new:** It reads video.\n\n**Why it matters:** Video is where the data is.\n\n"
                "**Initrode wins a chip order**\n\nInitrode will supply 10,000 chips.\n")
    assert [it.headline for it in its] == ["Umbrella ships a new model", "Initrode wins a chip order"]
    assert "Video is where the data is" in its[0].text
    assert its[0].section == "News"


def test_deeper_subheading_stays_in_its_story():
    its = _news("### Vandelay imports more\n\nVandelay said imports rose 8%.\n\n#### Context\n\n"
                "It is the third rise in a row.\n\n### Kramerica folds\n\nKramerica closed on Friday.\n")
    assert len(its) == 2 and "third rise in a row" in its[0].text


def test_heading_followed_by_headlines_is_a_section():
    its = _news("## Markets\n\n### Stocks slip\n\nThe index fell 1%.\n\n### Oil rises\n\nBrent gained 2%.\n")
    assert [(it.section, it.headline) for it in its] == [("Markets", "Stocks slip"), ("Markets", "Oil rises")]


def test_bullet_digest_gives_a_story_per_bullet():
    its = _news("## Briefly\n\n- **Soylent raises $40 million.** The food startup closed a round. (TechCrunch)\n"
                "- **Wonka recalls bars.** The maker pulled 2 million bars. (Reuters)\n")
    assert [it.outlet for it in its] == ["TechCrunch", "Reuters"]
    assert [it.headline for it in its] == ["Soylent raises $40 million.", "Wonka recalls bars."]


def test_plain_bullets_after_a_story_paragraph_belong_to_it():
    its = _news("## Cyberdyne's big day\n\nCyberdyne shares jumped 20%.\n\n"
                "- Revenue rose 12% to $3 billion.\n- The company raised its outlook.\n")
    assert len(its) == 1 and "raised its outlook" in its[0].text


def test_numbered_title_and_hard_wrapped_paragraph():
    text = ("1. TYRELL BUYS A FACTORY\n\nTyrell said on Monday that it will buy a plant in Ohio for\n"
            "$300 million, its first purchase outside California in a decade.\n(Source: Reuters)\n")
    issue = _text_issue(text)
    [it] = issue.items
    assert it.headline == "TYRELL BUYS A FACTORY" and it.outlet == "Reuters"
    # reflowed for the extractors, same offsets
    assert "for $300 million" in it.text and len(it.text) == it.end - it.start
    assert issue.text[it.start:it.end].replace("\n", " ") == it.text.replace("\n", " ")


def test_sponsor_blocks():
    for block in ("**Sponsored by Acme Bank**\n\nOpen an account and get 4% APY.",
                  "TOGETHER WITH QUILLPAD\n\n## Notes that write themselves\n\nTry it free for 30 days.",
                  "【合作推广】云服务年终特惠，新用户首月立减50%。",
                  "**Presented by Ledgerly**\n\nClose your books in two days."):
        kinds = {it.kind for it in _text_issue("## Today\n\n" + block + "\n").items}
        assert kinds == {"sponsor"}, block


def test_greetings_signoffs_and_footers_are_boilerplate():
    for line in ("Good morning! Here is what happened while you slept.", "Hey there, happy Monday!",
                 "That's all for today. See you tomorrow.", "以上就是今天的全部内容，我们明天见。",
                 "You are receiving this email because you signed up. Unsubscribe here.",
                 "本文由编辑部整理，转载请注明出处。"):
        assert [it.kind for it in _text_issue(line + "\n").items] == ["boilerplate"], line


def test_teaser_detected_by_repeated_words_not_by_phrase():
    stories = ("### Globex buys Initech\n\nGlobex agreed to buy Initech.\n\n"
               "### Hooli cuts staff\n\nHooli let go 1,200 people.\n\n"
               "### Pied Piper raises money\n\nPied Piper raised $20 million.\n")
    teaser = "In today's issue:\n\n- Globex buys Initech\n- Hooli cuts staff\n- Pied Piper raises money\n\n"
    kinds = [it.kind for it in _text_issue(teaser + stories).items]
    assert kinds == ["boilerplate", "item", "item", "item"]
    # the same phrase over lines that repeat nothing later is no teaser
    other = "In today's issue:\n\n- Weather in Lisbon\n- A poem about trains\n- Reader mail\n\n"
    assert _text_issue(other + stories).items[0].kind != "boilerplate"


def test_outlets_where_cited():
    def outlet(text):
        return find_outlet(cut([Block("para", 0, len(text), text)])[0])
    assert outlet("Acme rose 5%. (Source: Reuters)") == "Reuters"
    assert outlet("Acme rose 5% on the news (AP).") == "AP"
    # a company in parentheses is what the sentence is about, not who reported it
    assert outlet("Money is flowing to companies with profits (Meta).") is None
    assert outlet("腾讯股价上涨5%。（来源：界面新闻）") == "界面新闻"
    assert outlet("腾讯股价上涨5%。（香港商报）") == "香港商报"
    assert outlet("百度发布了新模型。（图片来源：视觉中国）") is None
    b = Block("para", 0, 10, "Acme rose 5%. Learn more at Reuters", link_label="Learn more at Reuters")
    assert find_outlet(cut([b])[0]) == "Reuters"
    via = cut([Block("heading", 0, 1, "Acme rises", level=3), Block("para", 1, 2, "Acme rose 5%."),
               Block("para", 2, 3, "Via CNBC")])
    assert find_outlet(via[0]) == "CNBC"


def test_image_credit_is_not_an_outlet():
    blocks = [Block("heading", 0, 1, "Stocks fall", level=2), Block("para", 1, 2, "The index fell 2%."),
              Block("media", 2, 3, ""), Block("para", 3, 4, "Source: Koyfin")]
    [s] = stories_of(blocks)
    assert s.outlet is None


def test_masthead_dates_and_numbers():
    assert masthead_date("Friday, May 8, 2026") == "2026-05-08"
    assert masthead_date("August 16, 2025") == "2025-08-16"
    assert masthead_date("2025年11月14日 星期五") == "2025-11-14"
    assert numeric_date("12/11/2025") == "2025-12-11"
    assert numeric_date("12/11/2025", day_first=True) == "2025-11-12"
    assert numeric_date("25/11/2025") == "2025-11-25"
    issue = _text_issue("Subject: Byte Digest No. 12 — Friday, May 8, 2026\nFrom: Byte Digest <hi@byte.example>\n\n"
                        "## Chips\n\n### Acme rises\n\nAcme rose 5%.\n")
    assert (issue.newsletter, issue.number, issue.date) == ("Byte Digest", 12, "2026-05-08")
    issue = _text_issue("科技晚报 第77期\n2025年11月14日\n\n【Acme上涨】\nAcme股价上涨5%。\n")
    assert (issue.newsletter, issue.number, issue.date) == ("科技晚报", 77, "2025-11-14")


def test_unrecognised_layout_still_gives_items_and_a_warning():
    issue = _text_issue("Acme rose 5% on Monday after its results.\n\nGlobex fell 3% on the same day.\n\n"
                        "Initech was flat.\n")
    assert len(issue.items) == 3
    assert any(w.startswith("[W009]") for w in issue.warnings)


def test_chinese_tokens_are_bigrams():
    assert {"小米", "米发"} <= tokens("小米发布")
    assert "the" not in tokens("The Acme deal")


def test_classify_keeps_news_after_a_greeting():
    blocks = [Block("para", 0, 1, "Hi all, a short one today."), Block("heading", 1, 2, "Acme rises", level=2),
              Block("para", 2, 3, "Acme rose 5%.")]
    ss = cut(blocks)
    classify(ss)
    assert [s.kind for s in ss] == ["boilerplate", "item"]


def test_units_in_capitalised_headlines_reach_the_extractors():
    issue = _text_issue("1. GLOBEX RAISES $2.5 BILLION\n\nGlobex closed the round on Monday.\n")
    [it] = issue.items
    assert "$2.5 billion" in it.text and it.headline == "GLOBEX RAISES $2.5 BILLION"
    assert len(it.text) == it.end - it.start


def test_numeric_masthead_date_follows_the_page_locale():
    from kg.ingest.html import read_html
    page = ("<html lang='{}'><body><p>12/11/2025</p><h2>Acme rises</h2><p>Acme rose 5% (Reuters).</p>"
            "<h2>Globex falls</h2><p>Globex fell 2% (AP).</p></body></html>")
    assert read_html(page.format("en-US"), "a.html", "h")[0].date == "2025-12-11"
    assert read_html(page.format("en-GB"), "a.html", "h")[0].date == "2025-11-12"


def test_title_marked_sponsor_at_its_end_and_referral_lines():
    issue = _text_issue("Byte Brief 2026-05-08\n\nNotesBot writes your minutes (Sponsor)\n"
                        "NotesBot joins your calls and writes the recap. Try it free.\n\n"
                        "Initech buys a printer maker (2 minute read)\n"
                        "Initech agreed on Monday to buy a printer maker for $80 million.\n\n"
                        "Enjoying Byte Brief? Tell your friends and earn a mug!\n")
    assert (issue.newsletter, issue.date) == ("Byte Brief", "2026-05-08")
    assert [(it.kind, it.outlet) for it in issue.items] == [("sponsor", None), ("item", None), ("boilerplate", None)]
    assert issue.items[1].headline == "Initech buys a printer maker (2 minute read)"


def test_html_email_of_layout_tables():
    """An e-mail built of one-cell tables: cells are blocks, not a data table; a bold linked
    title and its cells are one story; '•' cells are bullets."""
    from kg.ingest.html import read_html
    page = ("<html><body><table><tr><td>Deal Sheet — June 3, 2026</td></tr></table>"
            "<table><tr><td><a href='https://x.example/1'><strong>Globex's $4 billion bet</strong></a></td></tr>"
            "<tr><td>Globex agreed on Monday to buy Initech for $4 billion in cash.</td></tr>"
            "<tr><td><strong>Why it matters:</strong> It doubles Globex's software revenue.</td></tr></table>"
            "<table><tr><td><strong>Venture deals</strong></td></tr>"
            "<tr><td>• <strong>Hooli</strong>, a search startup, raised $50 million.</td></tr>"
            "<tr><td>• <strong>Pied Piper</strong>, a compression startup, raised $12 million.</td></tr></table>"
            "<table><tr><td>Nasdaq</td><td>21,886.06</td><td>+0.03%</td></tr>"
            "<tr><td>Dow</td><td>45,490.92</td><td>-0.48%</td></tr></table></body></html>")
    issue = read_html(page, "deal.html", "h")[0]
    assert issue.date == "2026-06-03"
    news = [it for it in issue.items if it.kind in ("item", "lead")]
    assert news[0].headline == "Globex's $4 billion bet" and "doubles Globex" in news[0].text
    assert [it.section for it in news[1:3]] == ["Venture deals"] * 2
    assert news[1].text.startswith("Hooli, a search startup")
    # the data table: a row a line, its cells between pipes
    assert "Nasdaq | 21,886.06 | +0.03%\nDow | 45,490.92" in news[3].text


def test_sections_wrapping_single_paragraphs_do_not_cut_stories():
    """WeChat-style pages wrap each paragraph in its own <section>: a title and its
    paragraphs stay one story; a <section> holding a heading and paragraphs bounds one."""
    from kg.ingest.html import read_html
    page = ("<html><body><section><section><p><strong>宏达电子一季度营收增长12%</strong></p></section>"
            "<section><p>宏达电子周二公布一季度营收5亿元，同比增长12%。</p></section>"
            "<section><p>公司预计二季度延续增长。</p></section></section>"
            "<section><h2>Acme rises</h2><p>Acme rose 5%.</p></section><p>Unrelated note.</p></body></html>")
    items = read_html(page, "wx.html", "h")[0].items
    assert items[0].headline == "宏达电子一季度营收增长12%" and "二季度延续增长" in items[0].text
    assert items[1].headline == "Acme rises" and "Unrelated" not in items[1].text


def test_outlet_prefix_of_a_paragraph_when_it_is_an_outlet():
    its = _news("【苹果拟明年推出折叠屏手机】\n彭博：苹果计划明年秋季推出首款折叠屏iPhone，售价约2000美元。\n\n"
                "【宏达电子扩产】\n记者：宏达电子周二宣布投资10亿元扩建工厂。\n")
    assert [it.outlet for it in its] == ["彭博", None]


def test_chart_credit_under_an_image_line_is_no_outlet():
    its = _news("MARKETS\n\nStocks slip as yields rise\nThe S&P 500 fell 0.8% on Tuesday as yields climbed.\n"
                "![Chart of the index](https://img.example/c.png)\nSource: Koyfin\n\n"
                "Oil jumps on supply worries\nBrent crude rose 3% to $84 a barrel on Tuesday. (Reuters)\n")
    assert [(it.section, it.outlet) for it in its] == [("MARKETS", None), ("MARKETS", "Reuters")]


def test_byline_stays_in_its_story_and_is_no_title():
    its = _news("OpenAI's new chip\nBy Jane Doe\n\nOpenAI is working on a chip with Broadcom, people said.\n\n"
                "Globex's quiet quarter\nBy Sam Roe and Lee Park\n\nGlobex reported flat revenue of $2 billion.\n")
    assert [it.headline for it in its] == ["OpenAI's new chip", "Globex's quiet quarter"]
    assert "By Jane Doe" in its[0].text and "working on a chip" in its[0].text


def test_loose_list_of_titled_stories():
    text = ("## Briefs\n\nA quiet day for deals.\n\n- **Acme raises $5 million**\n\n  Acme said on Monday it raised "
            "$5 million.\n\n- **Globex falls 3%**\n\n  Globex fell 3% on weak sales.\n")
    its = _news(text)
    assert [it.headline for it in its] == ["Briefs", "Acme raises $5 million", "Globex falls 3%"]
    assert "raised $5 million" in its[1].text and "weak sales" in its[2].text


def test_calendar_of_upcoming_releases_is_boilerplate():
    issue = _text_issue("### Acme beats estimates\n\nAcme reported revenue of $3 billion on Monday.\n\n"
                        "### On the calendar\n\n- Tuesday: Globex earnings\n- Wednesday: CPI report\n"
                        "- Thursday: Initech earnings\n")
    assert [it.kind for it in issue.items] == ["item", "boilerplate"]


def test_a_short_news_section_gives_a_story_per_plain_bullet():
    its = _news("## In brief\n\n- Acme opened a battery plant in Ohio on Monday.\n"
                "- Globex cut 200 jobs at its Dutch unit.\n")
    assert len(its) == 2 and all(it.section == "In brief" for it in its)
    assert "Ohio" in its[0].text and "Globex" not in its[0].text
    its = _news("## 行业快讯\n\n- 星河科技完成3亿元B轮融资。\n- 蓝海物流宣布裁员约300人。\n")
    assert len(its) == 2 and "蓝海物流" not in its[0].text
    # a headline's plain bullets are still its story's parts
    its = _news("## Cyberdyne beats estimates\n\n- Revenue rose 12% to $3 billion.\n- Margins widened.\n")
    assert len(its) == 1 and "Margins widened" in its[0].text


def test_related_posts_and_follow_prompts_are_boilerplate():
    issue = _text_issue("> 点击上方蓝字关注我们，每周更新\n\n## 一、星河科技发布新品\n\n星河科技周二发布了新款扫地机器人。\n\n"
                        "**往期推荐**\n\n- [2025年十大关键词](https://example.com/a)\n- [一文看懂融资潮](https://example.com/b)\n")
    kinds = [(it.kind, it.text.strip()[:6]) for it in issue.items]
    assert [k for k, _ in kinds if k in ("item", "lead")] == ["item"], kinds
    issue = _text_issue("### Acme ships a robot\n\nAcme shipped a robot on Monday.\n\n"
                        "## Related reading\n\n- [Acme's last robot](https://example.com/c)\n")
    assert [it.kind for it in issue.items if it.kind in ("item", "lead")] == ["item"]
