"""The reader's shortcuts give what the plain patterns give (kg/ingest/stories.py, text.py).

Reading skips work a cheap test proves useless: a footer pattern behind a lower-case hint, a
separator search started at the first dash, markdown-it without the block rules a document's
characters rule out. Each shortcut is compared here with the plain form on sentences of our
own, chosen at the edges of the shortcut (case folding, dashes after spaces, '\\r' line ends).
"""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from kg.ingest.stories import FOOTER, SEPARATOR, dash_search, footer, tokens
from kg.ingest.text import SEPARATORS, _parser_for, parse_text, split_item

FOOTER_CASES = [
    ("Unsubscribe | Update your preferences", True),
    ("Shares of Acme rose 4% after the update.", False),
    ("Share this with a friend who likes chips.", True),
    ("Share", True),
    ("Apple shipped a new app on Monday.", False),
    ("Open in app", True),
    ("Designers sign up for the beta", True),
    ("The chip design team signed a deal.", False),
    ("© 2026 Chip Wire", True),
    ("本文由作者授权发布", True),
    ("苹果发布新款芯片", False),
    ("PRİVACY POLİCY", True),      # 'İ' matches 'i' under re.I, its lower case is two characters
    ("You are receıving this", True),   # dotless i
    ("ſubſcribe now", True),       # long s
    ("Refer A Friend", True),
]


@pytest.mark.parametrize("text,expected", FOOTER_CASES)
def test_footer_hint_agrees_with_footer_pattern(text, expected):
    assert (FOOTER.search(text) is not None) is expected
    assert footer(text) is expected


SEPARATOR_CASES = [
    "Reuters: Acme Raises $5M – The startup closed a round.",
    "Acme Raises $5M —— the startup closed a round",
    "Acme Raises $5M -- the startup closed a round",
    "Acme Raises $5M - the startup closed a round",
    "Acme—the startup—closed a round",
    "well-known chip-maker ships",          # dashes that separate nothing
    "Acme \u00a0\t– body after odd spaces",
    "—leading dash then text",
    "no dash at all",
    "a - b – c — d",
]


@pytest.mark.parametrize("text", SEPARATOR_CASES)
def test_dash_search_finds_the_same_separator(text):
    for pattern in (SEPARATOR, SEPARATORS):
        plain = pattern.search(text)
        fast = dash_search(pattern, text)
        assert (plain.span() if plain else None) == (fast.span() if fast else None)


def test_split_item_parts():
    assert split_item("Reuters: Acme Raises $5M – The startup closed a round.") == \
        ("Reuters", "Acme Raises $5M", "The startup closed a round.")
    assert split_item("Acme closed a round of $5M to build chips (Nikkei Asia)") == \
        ("Nikkei Asia", "", "Acme closed a round of $5M to build chips")


MARKDOWN_DOCS = [
    "Chip news\n=========\n\nAcme ships.\n",
    "Chip news\r---\rAcme ships.",                 # '\r' ends a line for markdown-it
    "> Acme ships.\n> * * *\n> More.\n",
    "- Acme ships\n  ---\n- Beta ships\n",
    "Acme ships\n    code line\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "<div>\nhtml block\n</div>\n\n# Heading\n\n```\nfenced\n```\n\n[ref]: https://example.com\n",
    "- Reuters: Acme Raises $5M – The startup closed a round.\n- Bloomberg: Beta Falls 3% – Shares slid.\n",
    "Title line\n_ _ _\nText after a rule\n",
    "- item\n\n      code in an item\n- next\n",
    "-     code after a marker\n1.  three spaces\n",
    ">     code in a quote\n>    not code\n",
    "\tcode after a tab\n  \tand after spaces and a tab\n",
    "   three spaces: a paragraph\n- a\n   - b\n      c\n",
    "Title\n        \nText after a line of spaces\n    \r    x\n",
    "Title\n          \n- item\n",
]


def _sig(tokens_):
    return [(t.type, t.map, t.markup, t.tag, t.nesting, t.content, t.level) for t in tokens_]


@pytest.mark.parametrize("doc", MARKDOWN_DOCS)
def test_block_parser_without_unusable_rules_gives_the_same_tokens(doc):
    full = MarkdownIt("commonmark").enable("table")
    full.core.ruler.disable(["inline", "text_join"])
    assert _sig(_parser_for(doc).parse(doc)) == _sig(full.parse(doc))


def test_plain_digest_parser_leaves_out_rules():
    doc = MARKDOWN_DOCS[6]
    active = _parser_for(doc).block.ruler.get_active_rules()
    assert "list" in active and "paragraph" in active
    assert not {"table", "fence", "blockquote", "hr", "heading", "lheading", "html_block", "code"} & set(active)


def test_tokens_of_mixed_text():
    assert tokens("Acme 芯片出货") == {"acme", "芯片", "片出", "出货"}
    assert tokens("Acme ships the chips") == {"acme", "ships", "chips"}


def test_digest_read_with_shortcuts():
    text = ("Chip Wire #31 — May 8, 2026\n\n"
            "- Reuters: Acme Raises $5M – The startup closed a round on Monday.\n"
            "- Bloomberg: Beta Shares Fall 3% – Beta slid after its outlook.\n\n"
            "Unsubscribe | Update your preferences\n")
    issue = parse_text(text, "chipwire-31.txt", "sha256:x")
    news = [(it.headline, it.outlet) for it in issue.items if it.kind == "item"]
    assert news == [("Acme Raises $5M", "Reuters"), ("Beta Shares Fall 3%", "Bloomberg")]
    assert [it.kind for it in issue.items][-1] == "boilerplate"


RULE_LINE_DOCS = [
    "Title\n=\n", "Title\n---\t \n", "Title\r- \rmore", "text ending in a dash -", "x\n> ===\n",
    "- - -\n", "*\t*  *", "_ _\n_", "a-b-c\n", "well-known -- chip", "--\n", "= \t",
]


def _rule_lines_ruled_out_only_when_absent(doc):
    from kg.ingest.text import RULE_LINES, RULE_LINES_HINT
    if RULE_LINES_HINT.search(doc) is None:
        assert all(p.search(doc) is None for _, p in RULE_LINES)


@pytest.mark.parametrize("doc", RULE_LINE_DOCS + MARKDOWN_DOCS)
def test_rule_lines_hint_is_necessary(doc):
    _rule_lines_ruled_out_only_when_absent(doc)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="-*_= \t\n\r>a", max_size=12))
def test_rule_lines_hint_is_necessary_on_any_text(doc):
    _rule_lines_ruled_out_only_when_absent(doc)


@pytest.mark.parametrize("doc", ["Acme 芯片出货 and more", "plain ascii", "", "混合 text 中文", "é accented"])
def test_lang_and_width_ascii_shortcuts(doc):
    from kg.ingest.text import CJK_RUN, _width, lang_of
    assert _width(doc) == len(doc) + sum(map(len, CJK_RUN.findall(doc)))
    cjk = sum(map(len, CJK_RUN.findall(doc)))
    latin = len(re.findall(r"[A-Za-z]", doc))
    assert lang_of(doc) == ("zh" if cjk and cjk * 3 >= latin * 0.5 else "en")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab \t\n\u3000\u2028\xa0\x1c*_", max_size=10))
def test_flat_collapses_whitespace_as_split_join(s):
    from kg.ingest.text import _collapsed
    assert _collapsed(s) == (" ".join(s.split()) == s)


def _masked_plain(text, masks, wraps):
    from kg.ingest.text import STRAY_EMPH, mask_markdown
    out, _ = mask_markdown(text)
    if "*" in out or "_" in out:
        out = STRAY_EMPH.sub(lambda m: " " * len(m.group(0)), out)
    chars = list(out)
    for a, b in masks:
        for k in range(a, b):
            if chars[k] != "\n":
                chars[k] = " "
    for w in wraps:
        if w < len(chars) and chars[w] == "\n":
            chars[w] = " "
    return "".join(chars)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab \n", max_size=12).flatmap(lambda t: st.tuples(
    st.just(t),
    st.lists(st.tuples(st.integers(0, len(t)), st.integers(0, len(t))).map(sorted).map(tuple), max_size=3),
    st.lists(st.integers(0, len(t) + 2), max_size=3))))
def test_masked_text_blanks_like_a_char_list(case):
    from kg.ingest.text import _masked_text
    text, masks, wraps = case
    assert _masked_text(text, masks, wraps) == _masked_plain(text, masks, wraps)


@pytest.mark.parametrize("s", ["Acme Raises $1.1 BILLION", "a $273 Billion Selloff", "XMillion", "Billions", "none here",
                               "Chip Sales Up 5 Percent – body"])
def test_soften_units_shortcut(s):
    from kg.ingest.stories import UNIT_WORDS, soften_units
    assert soften_units(s) == UNIT_WORDS.sub(lambda m: m.group(0).lower(), s)


@pytest.mark.parametrize("s", ["Acme – ships", "Acme 芯片 ships 出货", "ascii only", "", "\uf900 compat ideograph", "– 中"])
def test_cjk_count_and_has_cjk_shortcuts(s):
    from kg.ingest.stories import _CJK, has_cjk
    from kg.ingest.text import CJK, _cjk_count
    assert _cjk_count(s) == len(CJK.findall(s))
    assert has_cjk(s) == (_CJK.search(s) is not None)


@pytest.mark.parametrize("s", ["The Acme chips, Acme's 'sales' rose 3.5% in Q1.", "U.S. chips – and the AI's run",
                               "Acme 芯片出货 rose", "", "A an THE of"])
def test_tokens_of_english_by_the_set_comprehension(s):
    from kg.ingest.stories import STOP, WORD, has_cjk
    if not has_cjk(s):
        plain = set()
        for w in WORD.findall(s):
            w = w.casefold().strip(".,'’")
            if w and w not in STOP:
                plain.add(w)
        assert tokens(s) == plain


FOOTER_PIECES = ["subscribe", "opt ", "opt\t", "update ", "refer", "forward", "browser", "privacy", "rights", "copyright",
                 "©", "receiving", "sign ", "friends", "share", "share.", "online", "app", "app!", "转载", "授权", "关注我们",
                 "x", " ", "\n", "sha", "re", "ap", "p", "ri", "ghts", "su", "bscribe", "ing", "receiv", "onl", "ine", "copy"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FOOTER_PIECES), max_size=5).map("".join))
def test_footer_hint_written_from_rare_letters_finds_the_same_words(low):
    from kg.ingest.stories import FOOTER_HINT, FOOTER_WORDS
    assert (FOOTER_HINT.search(low) is None) == (re.search(FOOTER_WORDS, low) is None)


@pytest.mark.parametrize("s", ["Acme shipped chips on Tuesday. (Reuters)", "苹果发布芯片（来源：界面新闻）", "no parenthesis here",
                               "(Source: AP)", "Acme (the chip maker) ships"])
def test_trailing_cite_looks_for_the_parenthesis_first(s):
    from kg.ingest.stories import TRAILING_CITE, trailing_cite
    plain, fast = TRAILING_CITE.search(s), trailing_cite(s)
    assert (plain.span() if plain else None) == (fast.span() if fast else None)


def _mask_markdown_plain(s):
    from kg.ingest.text import MD_EMPH, MD_LINK, URL
    urls = []

    def link(m):
        urls.append(m.group("url"))
        t = m.group("text")
        return " " + t + " " * (len(m.group(0)) - len(t) - 1)
    s = MD_LINK.sub(link, s)
    s = MD_EMPH.sub(lambda m: " " * len(m.group(1)) + m.group(2) + " " * len(m.group(1)), s)
    urls.extend(URL.findall(s))
    return s, urls


@pytest.mark.parametrize("s", ["**Acme** raised [$5M](https://a.example/x) – see https://b.example/y",
                               "[one](u1) and [two](u2 \"t\") `code` _em_", "plain text", "http://bare.example/z [x](y)"])
def test_mask_markdown_lists_the_same_urls(s):
    from kg.ingest.text import _mask, mask_markdown
    assert mask_markdown(s) == _mask_markdown_plain(s)
    assert _mask(s) == mask_markdown(s)[0]


def test_greeting_and_signoff_first_characters_are_all_that_can_start_them():
    import sys
    from kg.ingest.stories import GREETING_FIRST, SIGNOFF_FIRST
    # the first character of each of their words, as re.I matches it, over all of Unicode
    for first, letters in ((GREETING_FIRST, "ghdw早大各亲"), (SIGNOFF_FIRST, "tsucbro以我下明")):
        cls = re.compile("[" + letters + "]", re.I)
        assert {chr(c) for c in range(sys.maxunicode + 1) if cls.match(chr(c))} == set(first)
    # and the word-character test is re's \w
    word = re.compile(r"\w")
    assert all((chr(c).isalnum() or c == 95) == bool(word.match(chr(c))) for c in range(sys.maxunicode + 1))


@pytest.mark.parametrize("s", ["Good morning, chip fans", "hello there", "Dear readers", "Acme ships chips",
                               "— The editors", "-- Jane", "That's all for today", "Cheers!", "ſee you Monday",
                               "以上就是今天的内容", "苹果发布芯片", "_under", "42 chips", "", "...hi"])
def test_greeting_and_signoff_shortcuts(s):
    from kg.ingest.stories import GREETING, SIGNOFF, greeting, signoff
    assert greeting(s) == (GREETING.match(s) is not None)
    assert signoff(s) == (SIGNOFF.match(s) is not None)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=" \t\n\r->*_=#|`~<[a1.", max_size=24))
def test_block_parser_without_unusable_rules_on_any_text(doc):
    test_block_parser_without_unusable_rules_gives_the_same_tokens(doc)


# ------------------------------------------- _plain_tokens: markdown-it's tokens, read directly

_READ_TYPES = {"bullet_list_open", "bullet_list_close", "ordered_list_open", "ordered_list_close", "list_item_open",
               "paragraph_open", "heading_open", "hr", "code_block", "html_block", "fence", "table_open",
               "blockquote_open", "blockquote_close"}


def _read_sig(tokens_):
    """What _TextBlocks.run reads of the tokens."""
    return [(t.type, t.map if t.type in ("paragraph_open", "heading_open") else None,
             (t.markup, t.tag) if t.type == "heading_open" else None) for t in tokens_ if t.type in _READ_TYPES]


def _plain_or_none(doc):
    from kg.ingest.text import _plain_tokens
    return _plain_tokens(doc, doc.splitlines(True))


def _plain_agrees(doc):
    got = _plain_or_none(doc)
    if got is not None:
        full = MarkdownIt("commonmark").enable("table")
        full.core.ruler.disable(["inline", "text_join"])
        assert _read_sig(got) == _read_sig(full.parse(doc)), repr(doc)
    return got is not None


PLAIN_DOCS = [
    "Chip Wire #31 - May 8, 2026\n\n- Reuters: Acme Raises $5M – The startup closed a round.\n"
    "- Bloomberg: Beta Falls 3% – Shares slid.\n\nUnsubscribe here\n",
    "Intro line\n- a bullet right after text\nlazy line of the bullet\n* another list\n+ and another\n",
    "1. first\n2. second\n\n3. third after a blank\n1) new list: other delimiter\n",
    "A paragraph\n2. is not a list here\n1. but this is\n",
    "# Title\n## Section ##\nText under it\n####### seven is text\n#hashtag is text\n#\n- item\n# heading ends the list\n",
    "- item\n\n\n- same list after blanks\ntext after an item\n\ntext after a blank\n",
    "0. zero\n01. one with a zero\n9999999999. ten digits is text\n123456789. nine digits\n",
    "      \nSpaces-only lines are blank\n   \n- x\n",
    "中文标题\n\u3000全角空格开头\n\xa0no-break space\n- 项目\n",
    "-  two spaces\n1.    four spaces\n+ -x\n1)x\n",
    "no newline at the end",
    "",
]


@pytest.mark.parametrize("doc", PLAIN_DOCS)
def test_plain_tokens_read_plain_line_documents_as_markdown_it(doc):
    assert _plain_agrees(doc)       # (each is read without markdown-it, and the same)


@pytest.mark.parametrize("doc", MARKDOWN_DOCS)
def test_plain_tokens_agree_on_the_markdown_documents(doc):
    _plain_agrees(doc)


@pytest.mark.parametrize("doc", [
    "- item\n  continued with an indent\n", "- - nested\n", "- 1. nested\n", "-\n", "- \n", "1.\n",
    "-      five spaces: code\n", "- > quote in an item\n", "- # heading in an item\n", "a\n---\n", "* * *\n",
    "a | b\n--|--\n", "x\ty\n", "a\rb\n", "a\x0cb\n", "a\u2028b\n", "> q\n", "[r]: /u\n", "<div>\n", "```\nx\n```\n", "- #tag\n", "a\n- ", "x\n* "])
def test_plain_tokens_leave_other_documents_to_markdown_it(doc):
    assert _plain_or_none(doc) is None


_PLAIN_PIECES = ["- a", "* b", "+ c", "1. d", "2) e", "3. f", "01. g", "1) h", "0. w", "", "   ", "# h", "## h2 ##",
                 "####### i", "#j", "#", "text", "x y", "-x", "1.5 pct", "中文", "\u3000x", "-  two", "1.    four",
                 "9999999999. big", "123456789. nine", "- #x", "+ -x", "1)x", "a | b",
                 # pieces that send a document to markdown-it
                 "  indented", "    code", "> q", "---", "- - x", "-     x", "1.", "-", "|a|", "* * *", "=", "a\u2028b",
                 "[r]: u", "<div>", "```", "- 1. n", "x\ty", "a\rb", "- ", "* ", "***", "- ***", "1. ---", "- =x", "_ _ _", "1) ===", ":---:|", "- :--", "=", "|x"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PLAIN_PIECES), max_size=12), st.sampled_from(["", "\n", "\n\n"]))
def test_plain_tokens_on_random_line_documents(lines, end):
    _plain_agrees("\n".join(lines) + end)


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet=" \n-*+_=1.)#a>|:\u3000", max_size=30))
def test_plain_tokens_on_any_text(doc):
    _plain_agrees(doc)


@pytest.mark.parametrize("doc", PLAIN_DOCS[:6])
def test_issue_read_with_plain_tokens_is_the_issue_read_through_markdown_it(doc, monkeypatch):
    import kg.ingest.text as T
    fast = parse_text(doc, "wire-31.txt", "sha256:x")
    monkeypatch.setattr(T, "_plain_tokens", lambda *a: None)
    assert parse_text(doc, "wire-31.txt", "sha256:x") == fast


MAIL_OR_NOT = {
    "digest.txt": "Chip Wire #31 - May 8, 2026\n\n- Reuters: Acme Raises $5M – The startup closed a round.\n",
    "saved.txt": "From: Chip Wire <editors@chipwire.example>\nSubject: Chip Wire #32\nDate: Fri, 15 May 2026 08:00:00 +0000\n\n"
                 "- Reuters: Beta Falls 3% – Shares slid after its outlook.\n",
    "box.mbox": "From editors@chipwire.example Fri May 15 08:00:00 2026\nFrom: Chip Wire <editors@chipwire.example>\n"
                "Subject: Chip Wire #33\nDate: Fri, 22 May 2026 08:00:00 +0000\nList-Id: <wire.chipwire.example>\n\n"
                "- Bloomberg: Gamma Ships a Chip – The chip is out.\n",
}


@pytest.mark.parametrize("name", sorted(MAIL_OR_NOT))
def test_read_path_tells_mail_from_the_bytes_it_reads(name, tmp_path):
    """read_path opens a file once; it reads what kind_of + read_mail_path (or the text reader) read."""
    from kg.ingest import read_path
    from kg.ingest import mail
    p = tmp_path / name
    p.write_text(MAIL_OR_NOT[name], encoding="utf-8")
    kind = mail.kind_of(str(p))
    assert (kind is None) is (name == "digest.txt")
    plain = mail.read_mail_path(str(p), kind, None) if kind else read_path(str(p), fmt="text")
    assert read_path(str(p)) == plain


def _sniff_bytes_plain(head):
    """kg.ingest.sniff.sniff_bytes without its first-line shortcut."""
    import re as _re
    from kg.ingest.sniff import _HEADER_LINE, _MAIL_FIELDS, _STRONG_FIELDS
    s = head.lstrip(b"\r\n")
    if s.startswith(b"\x01\x01\x01\x01"):
        return "mmdf"
    kind = "eml"
    if s.startswith(b"From ") and b"\n" in s[:1000]:
        kind, s = "mbox", s.split(b"\n", 1)[1]
    elif _re.match(rb"^\s*\d{1,12}\s*\r?\n", s):
        kind, s = "emlx", s.split(b"\n", 1)[1]
    fields = strong = 0
    for ln in s.replace(b"\r\n", b"\n").split(b"\n")[:200]:
        if not ln.strip():
            break
        if ln[:1] in (b" ", b"\t"):
            continue
        if not _HEADER_LINE.match(ln):
            return None
        fields += bool(_MAIL_FIELDS.match(ln))
        strong += bool(_STRONG_FIELDS.match(ln))
    if kind == "mbox":
        return kind if fields else None
    return kind if strong and fields >= 2 else None


@pytest.mark.parametrize("name", sorted(MAIL_OR_NOT))
def test_sniff_bytes_first_line_shortcut_on_files(name):
    from kg.ingest.sniff import sniff_bytes
    data = MAIL_OR_NOT[name].encode()
    for head in (data, data.replace(b"\n", b"\r\n"), b"\r\n" + data, b" " + data, b"\n\n" + data):
        assert sniff_bytes(head) == _sniff_bytes_plain(head)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from([b"From: a@b.example", b"Subject: x", b"Date: y", b"Message-ID: <m>", b"From x y",
                                 b"  folded", b"\tfolded", b"", b"\r", b"text line", b"12", b"List-Id: <l>", b"x:",
                                 b"Received: z", b"\x01\x01\x01\x01", b"a b: c"]), max_size=6),
       st.sampled_from([b"\n", b"\r\n", b"\r"]))
def test_sniff_bytes_first_line_shortcut(lines, sep):
    from kg.ingest.sniff import sniff_bytes
    head = sep.join(lines)
    assert sniff_bytes(head) == _sniff_bytes_plain(head)


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="ab *_`[]()h:/ \t\n\u3000\xa0", max_size=24))
def test_flat_is_mask_stray_emphasis_and_split_join(s):
    from kg.ingest.text import STRAY_EMPH, _flat, _mask
    plain = _mask(s)
    if "*" in plain or "_" in plain:
        plain = STRAY_EMPH.sub(lambda m: " " * len(m.group(0)), plain)
    assert _flat(s) == " ".join(plain.split())


@pytest.mark.parametrize("s", ["**Acme** ships [the chip](https://x.example)", "[**bold link**](u) and _it_", "`code`  here ",
                               "a__b__c", "* stray", "plain text"])
def test_flat_on_markdown_lines(s):
    test_flat_is_mask_stray_emphasis_and_split_join.hypothesis.inner_test(s)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["THOUSAND", "Thousand", "thousand", "MILLION", "Million", "BILLION", "Billion", "TRILLION",
                                 "Trillion", "PERCENT", "Percent", "percent", "Millions", "XBillion", "$1.1", " ", "–", "a"]),
                max_size=6))
def test_soften_units_tail_hint(parts):
    test_soften_units_shortcut("".join(parts))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="a\x00\x08\t\n\x0b\x0c\r\x0e\x1f \x7e\x7f\x9f\xa0\ud7ff\ud800\udfff\ue000", max_size=8))
def test_control_or_surrogate_is_either_pattern(s):
    from kg.ingest import _CONTROL, _CONTROL_OR_SURROGATE, _SURROGATE
    either = [m.span() for m in re.finditer(_CONTROL.pattern + "|" + _SURROGATE.pattern, s)]
    assert [m.span() for m in _CONTROL_OR_SURROGATE.finditer(s)] == either


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="-*+ \t1.)a\u3000", max_size=6))
def test_list_mark_read_off_a_dash_and_one_space(raw):
    """_paragraph's shortcut: a line '- X' (X no space or tab) has LIST_MARK's match (0, 2)."""
    from kg.ingest.text import LIST_MARK
    if raw[1:2] == " " and raw[0] in "-*+" and raw[2:3] not in (" ", "\t"):
        assert LIST_MARK.match(raw).span() == (0, 2)


@pytest.mark.parametrize("s", ["2024年1月4日", " 2026 年 12 月 31 号 ", "2026-05-08", "2026-5-8", "2026年2月30日", "2026-13-01",
                               "2100年1月1日", "1899-01-01", "2026年0月5日", "2026-02-29", "2024-02-29", "２０２６年1月2日",
                               "2026年1月2日 周五", "Friday, May 8, 2026", "2026-05-08-1", "", "  "])
def test_whole_date_read_as_parse_date(s):
    from kg.dates import parse_date
    from kg.ingest.text import _date_of
    assert _date_of(s) == parse_date(s)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(["2026", "1999", "2099", "2100", "1899", "20", "２０２６", "0", "1", "2", "9", "12", "13", "29",
                                 "30", "31", "32", "年", "月", "日", "号", "-", " ", "\u3000", "a"]), max_size=8))
def test_whole_date_read_as_parse_date_random(parts):
    test_whole_date_read_as_parse_date("".join(parts))


@settings(max_examples=800, deadline=None)
@given(st.sampled_from(["2026", "1999", "2100", "1899", "２０２６", "202"]), st.sampled_from(["年", " 年 ", "-", "--"]),
       st.sampled_from(["0", "1", "01", "2", "9", "12", "13", "1２"]), st.sampled_from(["月", "月 ", "-", " "]),
       st.sampled_from(["0", "1", "08", "28", "29", "30", "31", "32", "3"]), st.sampled_from(["日", "号", " 日", "", " ", "日 x"]),
       st.sampled_from(["", " ", "\u3000"]))
def test_whole_date_shapes_read_as_parse_date(y, s1, m, s2, d, end, pad):
    test_whole_date_read_as_parse_date(pad + y + s1 + m + s2 + d + end + pad)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(["Notion AI", " ", "(", ")", "[", "]", "（", "）", "【", "】", "Sponsor", "sponsored", "ad",
                                 "广告", "\u3000", "\n", "\xa0", ".", "x"]), max_size=6))
def test_sponsor_tail_tests_the_last_character_first(parts):
    from kg.ingest.stories import SPONSOR_TAIL, sponsor_tail
    s = "".join(parts)
    assert sponsor_tail(s) == (SPONSOR_TAIL.search(s) is not None)


@pytest.mark.parametrize("s", ["Notion AI Meeting Notes (Sponsor)", "Acme ships (Sponsored) \n", "芯片【广告】", "Acme (Reuters)",
                               "Deal [ad]\u3000", "no bracket"])
def test_sponsor_tail_on_titles(s):
    test_sponsor_tail_tests_the_last_character_first.hypothesis.inner_test([s])


@pytest.mark.parametrize("doc", PLAIN_DOCS + MARKDOWN_DOCS)
def test_a_story_headline_is_its_first_block(doc):
    """classify and mark_teasers take a one-block story with a headline as its headline alone."""
    from kg.ingest import stories as S
    from kg.ingest.text import _TextBlocks
    for st in S.cut(_TextBlocks(doc, doc).run()):
        assert st.headline is None or st.headline is st.blocks[0]


@pytest.mark.parametrize("name", sorted(MAIL_OR_NOT))
def test_read_path_given_the_bytes_reads_what_it_reads_itself(name, tmp_path):
    """read_path given a file's bytes and hash (kg.build has read and hashed every input for
    its cache) gives what it gives reading the file itself: a text, and mail told from the bytes."""
    import hashlib
    from kg.ingest import read_path
    p = tmp_path / name
    p.write_text(MAIL_OR_NOT[name], encoding="utf-8")
    data = p.read_bytes()
    given_bytes = read_path(str(p), read=(data, "sha256:" + hashlib.sha256(data).hexdigest()))
    assert given_bytes == read_path(str(p))
    assert read_path(str(p), fmt="text", read=(data, "sha256:" + hashlib.sha256(data).hexdigest())) == \
        read_path(str(p), fmt="text")


def test_a_build_reads_each_input_once(tmp_path, monkeypatch):
    """A build reads each input file once (its hash for the cache and its issues from the same
    bytes), and reads again only what changed."""
    import kg.build
    import kg.ingest
    from kg.build import build
    src = tmp_path / "in"
    src.mkdir()
    for name in ("digest.txt", "saved.txt", "box.mbox"):
        (src / name).write_text(MAIL_OR_NOT[name], encoding="utf-8")
    (src / "notes-1.txt").write_text("Notes - Issue 1 - 2026-03-02\n\n- Reuters: Acme Raises Cash – Acme raised "
                                     "$40 million.\n", encoding="utf-8")
    reads: list[str] = []
    real = kg.ingest.read_bytes

    def counted(path):
        reads.append(path)
        return real(path)
    monkeypatch.setattr(kg.ingest, "read_bytes", counted)
    monkeypatch.setattr(kg.build, "read_bytes", counted)
    res = build([str(src)], str(tmp_path / "out"), model="none")
    assert res.issues == 4
    plain = [p for p in reads if p.endswith(("digest.txt", "notes-1.txt"))]
    assert sorted(plain) == [str(src / "digest.txt"), str(src / "notes-1.txt")]
