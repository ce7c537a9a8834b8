"""Reader for plain-text and Markdown newsletter issues.

Understands the seed's shape (a title line with number and date, a Chinese summary, a
Chinese translation, the English original; sections; `- Outlet: Headline – body` bullets)
and plain Markdown newsletters (`#` headings, `- **Outlet**: ...` bullets, `[text](url)`
links, an outlet given in trailing parentheses).

Item texts keep their exact offsets in the file. Markdown markup is *masked* (replaced by
spaces of the same length) in the text handed to the extractors, so that offsets stay
valid while `**`, `[`, `](url)` never reach the NLP.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from itertools import accumulate
from typing import Optional

from ..errors import warning
from ..dates import parse_date
from ..model import Issue, Item
from .stories import (HEADER, dash_search, NUMBER, TERMINAL, TRAILING_CITE, Block, is_cite, issue_number, masthead_date, recognised,
                      sender_name, short, soften_units, stories_of)

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")
CJK_RUN = re.compile(CJK.pattern + "+")
LATIN_RUN = re.compile(LATIN.pattern + "+")
URL = re.compile(r"https?://[^\s<>\"'）)\]]+")

BULLET = re.compile(r"^(?P<indent>[ \t]*)(?P<mark>[-*•·+]|\d+[.)])[ \t]+(?P<rest>.*)$")
NUMBERED_ZH_SECTION = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)[.、．]\s*(?P<title>.+)$")
MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<title>.*?)[ \t#]*$")
# "Outlet: Headline – body" — the separator between headline and body
SEPARATORS = re.compile(r"\s+[–—]+\s+|\s*——\s*|\s+-{1,2}\s+|(?<=\S)—(?=\S)")
COLON = re.compile(r"[:：]")
TRAILER = re.compile(r"^(?:文章标题|文章链接|本站文章|原文链接|版权声明)")
TRAILER_FIRST = "文本原版"
URL_LINE = re.compile(r"^(?:内容来源|来源|原文|Source|URL|Link|Web version|View online)\s*[:：]\s*(?P<url>https?://\S+)\s*$", re.I)
MODE_LINES = {
    "内容总结": "summary", "内容摘要": "summary", "摘要": "summary", "总结": "summary",
    "中文翻译": "zh", "中文版": "zh", "英文来源": "en", "英文原文": "en", "English": "en",
    "English version": "en", "Original": "en",
}
MODE_FIRST = frozenset(k[0] for k in MODE_LINES)     # (a cheap test before the split)
TITLE_ZH = re.compile(r"^(?P<name>.+?)\s*[-–—|]+\s*第\s*(?P<num>\d+)\s*期\s*[:：]?\s*(?P<title>.*?)(?:\s*[-–—|]+\s*(?P<date>[^-–—|]*\d{4}[^-–—|]*))?\s*$")
TITLE_EN = re.compile(r"^(?P<name>.+?)\s*[-–—|,:]+\s*(?:Issue|No\.?|Vol\.?\s*\d+,?\s*No\.?|#)\s*#?(?P<num>\d+)\s*[:：]?\s*(?P<title>.*?)(?:\s*[-–—|]+\s*(?P<date>\d{4}-\d\d?-\d\d?|[^-–—|]*\d{4}[^-–—|]*))?\s*$", re.I)
PERIODICITY_ZH = {"周刊": "Weekly", "周报": "Weekly", "日报": "Daily", "月刊": "Monthly", "月报": "Monthly",
                  "简报": "Brief", "快讯": "Briefing", "通讯": "Newsletter"}
MD_LINK = re.compile(r"\[(?P<text>[^\]\n]*)\]\((?P<url>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
MD_EMPH = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
TRAILING_OUTLET = re.compile(r"\s*[(（](?P<outlet>[A-Z][\w'’&.\- ]{1,40}|[\u4e00-\u9fff]{2,12})[)）]\s*[.。]?\s*$")


def _cjk_count(s: str) -> int:
    """How many CJK characters `s` has. Most texts have none: an ASCII test, then a search for
    the first one, say so far quicker than a list of runs; the runs are listed from there."""
    if s.isascii():
        return 0
    m = CJK.search(s)
    return sum(map(len, CJK_RUN.findall(s, m.start()))) if m else 0


def lang_of(text: str) -> str:
    """'zh' when the text has CJK characters and they are at least a sixth as many as its
    Latin letters, else 'en'. (Characters are counted by runs: a list of every letter
    would cost more than the count.)"""
    cjk = _cjk_count(text)
    if not cjk:
        return "en"
    latin = sum(map(len, LATIN_RUN.findall(text)))
    return "zh" if cjk * 3 >= latin * 0.5 else "en"


def mask_markdown(s: str) -> tuple[str, list[str]]:
    """Replace Markdown markup by spaces of the same length; return it with the link URLs."""
    urls = [m.group("url") for m in MD_LINK.finditer(s)] if "](" in s else []
    s = _mask(s)
    if "http" in s:
        urls.extend(URL.findall(s))
    return s, urls


def _link_blank(m: re.Match) -> str:
    t = m.group("text")
    return " " + t + " " * (len(m.group(0)) - len(t) - 1)


def _emph_blank(m: re.Match) -> str:
    return " " * len(m.group(1)) + m.group(2) + " " * len(m.group(1))


def _mask(s: str) -> str:
    """mask_markdown's text alone: what the readers of block texts want (no URL search)."""
    # each pattern holds a fixed string: testing for it first is far cheaper than the regex's scan
    if "](" in s:
        s = MD_LINK.sub(_link_blank, s)
    if "*" in s or "_" in s or "`" in s:
        s = MD_EMPH.sub(_emph_blank, s)
    return s


def english_name(name: str) -> str:
    """'AI周刊' -> 'AI Weekly': translate a Chinese periodicity word in a newsletter name."""
    for zh, en in PERIODICITY_ZH.items():
        if name.endswith(zh) and LATIN.search(name[: -len(zh)]) and not CJK.search(name[: -len(zh)]):
            return name[: -len(zh)].strip() + " " + en
    return name


NOT_OUTLET_PREFIX = re.compile(r"\d{2,}|[.!?。]$")
ACRONYM = re.compile(r"[A-Z]{1,5}")


@lru_cache(maxsize=4096)
def split_item(rest: str) -> tuple[Optional[str], str, str]:
    """'Outlet: Headline – body' -> (outlet, headline, body); parts may be missing.
    (Cached: a story's headline and the reader both ask for its first block's parts.)"""
    outlet = None
    m = COLON.search(rest)
    if m:
        prefix = rest[: m.start()].strip()
        if prefix and len(prefix) <= 40 and len(prefix.split()) <= 5 and not NOT_OUTLET_PREFIX.search(prefix):
            outlet = prefix
            rest = rest[m.end():]
    sep = dash_search(SEPARATORS, rest)
    if sep:
        headline, body = rest[: sep.start()].strip(), rest[sep.end():].strip()
    else:
        headline, body = "", rest.strip()
    if outlet is None and (")" in body or "）" in body):
        t = TRAILING_OUTLET.search(body)
        if t and not ACRONYM.fullmatch(t.group("outlet").strip()):
            outlet = t.group("outlet").strip()
            body = body[: t.start()].rstrip()
    return outlet, headline, body


# ------------------------------------------------------------------ blocks from text

LIST_MARK = re.compile(r"^(?P<ind>[ \t]*)(?:[-*+]|\d{1,3}[.)])[ \t]+")
GLYPH_BULLET = re.compile(r"^[ \t]*[·•▪●◦‣][ \t]*")
GLYPHS = "·•▪●◦‣"
QUOTE_MARK = re.compile(r"^[ \t]*(?:>[ \t]?)+")
HEADING_MARK = re.compile(r"^[ \t]*#{1,6}[ \t]+|[ \t]+#+[ \t]*$")
WHOLE_BOLD = re.compile(r"^(\*\*|__)(?P<t>(?:(?!\1).)+)\1\W{0,2}$")
WHOLE_LINK = re.compile(r"^(?:\*\*|__)?\[(?P<t>[^\]\n]+)\]\([^)\s]+(?:\s+\"[^\"]*\")?\)(?:\*\*|__)?\W{0,2}$")
BOLD_LEAD = re.compile(r"^(\*\*|__)(?P<t>(?:(?!\1).)+?)\1\s*(?=\S)")
LINK_LEAD = re.compile(r"^\[(?P<t>[^\]\n]+)\]\([^)\s]+\)\s+(?=\S)")
LAST_LINK = re.compile(r"\[(?P<t>[^\]\n]+)\]\([^)\s]+\)\W{0,2}$")
BRACKET_TITLE = re.compile(r"^【[^】]{2,60}】$")
IMAGE_LINE = re.compile(r"^!\[[^\]]*\]\([^)]*\)$")
WRAP_MAX = 100          # a paragraph whose lines are all at most this wide is hard-wrapped


def _width(s: str) -> int:
    """Display width: CJK characters take two columns."""
    return len(s) + _cjk_count(s)


STRAY_EMPH = re.compile(r"(?<!\S)(?:\*\*|__|\*|_)+|(?:\*\*|__|\*|_)+(?!\S)")


def _stray_blank(m: re.Match) -> str:
    return " " * len(m.group(0))


def _flat(s: str) -> str:
    """A block's clean text: Markdown masked, whitespace collapsed. (_mask and _collapsed
    written out: this runs for every block.)"""
    if "](" in s:
        s = MD_LINK.sub(_link_blank, s)
    if "*" in s or "_" in s or "`" in s:
        s = MD_EMPH.sub(_emph_blank, s)
        if "*" in s or "_" in s:
            s = STRAY_EMPH.sub(_stray_blank, s)
    return s if s.isprintable() and "  " not in s and s[:1] != " " and s[-1:] != " " else " ".join(s.split())


def _collapsed(s: str) -> bool:
    """Is `s` what " ".join(s.split()) gives? A printable text has no whitespace but the
    ASCII space (every other character str.split splits at is a control or separator
    character, which isprintable refuses); then only runs and ends of spaces change it."""
    return s.isprintable() and "  " not in s and s[:1] != " " and s[-1:] != " "


def _line_block(kind: str, raw: str, start: int, end: int, level: int = 0, ordered: bool = False) -> Block:
    s = raw.strip()
    b = Block(kind, start, end, _flat(s), level, False, "", ordered)      # (positional: a little cheaper)
    c0 = s[:1]      # each pattern below starts with a fixed character or needs '](': tested first
    if c0 in ("*", "_", "[", "【") and (WHOLE_BOLD.match(s) or WHOLE_LINK.match(s) or BRACKET_TITLE.match(s)):
        b.title = True
    elif c0 in ("*", "_", "["):
        m = BOLD_LEAD.match(s) or (LINK_LEAD.match(s) if kind == "item" else None)
        if m:
            b.lead = _flat(m.group("t"))
    m = LAST_LINK.search(s) if "](" in s else None
    if m:
        b.link_label = _flat(m.group("t"))
    if kind == "para" and c0 == "!" and IMAGE_LINE.match(s):
        b.kind = "media"
    return b


# markdown-it's block rules that need a given character or line: a document without it gets
# a parser without the rule (the same tokens: such a rule, tried on every line and as a
# paragraph's terminator, can never match it). The tests are necessary conditions read off
# the rules' code (markdown-it-py 4): a table's header line has a '|'; a fence '```' or '~~~';
# a quote '>', a link reference '[', an HTML block '<', an ATX heading '#' where they start; a
# thematic break three of '-', '*' or '_' with only spaces or tabs between; a setext underline
# a line of only '-' or '=' after spaces, tabs and quote marks ('\r' ends lines for
# markdown-it too); an indented code block a line with text indented four columns past its
# container's content, which takes four spaces or a tab before the text (markdown-it counts
# only those; without such a line no rule's is_code_block test is true either). On plain-text
# digests this leaves 3 rules of 11 and takes about 45% off the block parse.
RULE_MARKS = (("table", ("|",)), ("fence", ("```", "~~~")), ("blockquote", (">",)), ("reference", ("[",)),
              ("html_block", ("<",)), ("heading", ("#",)))
RULE_LINES = (("hr", re.compile(r"([-*_])[ \t]*\1[ \t]*\1")),
              ("lheading", re.compile(r"(?:^|[\n\r])[ \t>]*(?:-+|=+)[ \t]*(?:[\n\r]|\Z)")))


@lru_cache(maxsize=64)
def _block_parser(without: frozenset = frozenset()):
    """CommonMark block structure only: inline markup is read per block (cheaper, and a
    block's own text is what the flags need)."""
    from markdown_it import MarkdownIt
    md = MarkdownIt("commonmark").enable("table")
    md.core.ruler.disable(["inline", "text_join"])
    if without:
        md.block.ruler.disable(sorted(without))
    return md


# a necessary condition for either of RULE_LINES: one of '-*_=' followed by two more of '-*_'
# (spaces and tabs between) or by the line's end. One scan with a first-character set rules
# both out on most documents (the lheading pattern, which has none, costs 6 times as much).
RULE_LINES_HINT = re.compile(r"[-*_=](?:[ \t]*[-*_][ \t]*[-*_]|[ \t]*(?:[\n\r]|\Z))")


SPACE_RUN = re.compile(r" +")


def _indented_text(src: str) -> bool:
    """Does a line hold text after four spaces or a tab? (A line of spaces alone, like a blanked
    metadata line, is blank to markdown-it, never code.)"""
    if "\t" in src:
        return True
    k = src.find("    ")
    while k >= 0:
        e = SPACE_RUN.match(src, k).end()
        if e < len(src) and src[e] not in "\n\r":
            return True
        k = src.find("    ", e)
    return False


def _rules_without(src: str) -> frozenset:
    """The block rules that can match no line of `src` (see RULE_MARKS)."""
    without = [rule for rule, marks in RULE_MARKS if not any(m in src for m in marks)]
    if not _indented_text(src):
        without.append("code")
    if RULE_LINES_HINT.search(src) is None:
        without += [rule for rule, _ in RULE_LINES]
    else:
        without += [rule for rule, pattern in RULE_LINES if pattern.search(src) is None]
    return frozenset(without)


def _parser_for(src: str):
    return _block_parser(_rules_without(src))


# ------------------------------------------------- the block tokens of a plain-line document

# Most digests are lines of text, bullets and '#' headings, none indented: markdown-it's block
# parse of such a document (list items with their lazy lines, paragraphs) is a few lines of
# bookkeeping, which `_plain_tokens` does in a tenth of the time. It gives the tokens `run`
# reads (type, map; a heading's markup and tag) exactly as markdown-it-py 4 would, read off its
# rules' code, and gives up (None: markdown-it reads the document) on any line where another
# rule could start or a list could nest:
# - a tab or '\r' anywhere, a line break Python's splitlines knows and markdown-it does not;
# - a line starting with spaces and then text (code, or an item's continuation), with '>',
#   '[', '<', '```' or '~~~' (quote, reference, HTML, fence);
# - a line made only of '-*_=|:' and spaces that starts with one of them (a thematic break, a
#   setext underline and a table's delimiter row are such lines);
# - a list marker with no text after it, with five spaces or more before its text (code in
#   the item), or before text that could start any block but a paragraph ('#', '>', '[', '<',
#   a fence, another marker, a line of only '-*_=' and spaces).
PLAIN_SPECIAL = frozenset(" \n-*+0123456789#>[<`~|:_=")
MARKER = re.compile(r"(?:[-*+]|([0-9]{1,9})[.)])(?= |$)")      # (up to the line's end: no newline)
RULE_CHARS = "-*_=|: "
ATX_LINE = re.compile(r"#{1,6}(?: |\n|$)")
BULLETS = {c: (False, c, 0) for c in "-*+"}
class _Tok:
    """The parts of a markdown-it Token that `_TextBlocks.run` reads."""
    __slots__ = ("type", "map", "markup", "tag")

    def __init__(self, type: str, map=None, markup: str = "", tag: str = ""):
        self.type, self.map, self.markup, self.tag = type, map, markup, tag


_ITEM_OPEN = _Tok("list_item_open")


def _plain_tokens(src: str, lines: list[str]) -> Optional[list]:
    """markdown-it's block tokens of a document of unindented text lines, bullets and ATX
    headings, or None when it may hold anything else (see above). `lines`: src.splitlines(True)."""
    if "\t" in src or "\r" in src or len(lines) != src.count("\n") + (src[-1:] not in ("\n", "")):
        return None
    # each line: None blank, 0 text, 1-6 a heading's level, (ordered, marker character, value) an item
    kinds: list = []
    for ln in lines:
        c = ln[0]
        if c not in PLAIN_SPECIAL:
            kinds.append(0)
        elif c == " " or c == "\n":
            if ln.strip(" \n"):
                return None         # an indented text
            kinds.append(None)
        elif c in ">[<" or (c in "`~" and ln.startswith(("```", "~~~"))):
            return None
        elif c in BULLETS and ln[1:2] == " " and len(ln) > 2 and ln[2] not in PLAIN_SPECIAL:
            kinds.append(BULLETS[c])    # '- Text': one space, then what starts no block (the tests below pass)
        elif c == "#":
            m = ATX_LINE.match(ln)
            kinds.append(len(m.group(0).rstrip()) if m else 0)
        else:
            body = ln.rstrip("\n")
            if c in RULE_CHARS and not body.strip(RULE_CHARS):
                return None         # a thematic break, a setext underline, a table's delimiter row
            m = MARKER.match(body) if c in "-*+0123456789" else None
            if m is None:
                kinds.append(0)
                continue
            text = body[m.end():].lstrip(" ")
            if not text or len(body) - len(text) - m.end() > 4 or text[0] in "#>[<" \
                    or text.startswith(("```", "~~~")) or MARKER.match(text) or not text.strip(RULE_CHARS):
                return None
            kinds.append(BULLETS[c] if m.group(1) is None else (True, body[m.end() - 1], int(m.group(1))))
    toks: list = []
    n = len(kinds)
    i = 0
    while i < n:
        k = kinds[i]
        if k is None:
            i += 1
        elif k.__class__ is tuple:
            # a list: items of the same marker character, blank lines between them allowed;
            # an item's text runs on over text lines (lazy continuation), never over a marker
            ordered, mark = k[0], k[1]
            toks.append(_Tok("ordered_list_open" if ordered else "bullet_list_open"))
            while True:
                toks.append(_ITEM_OPEN)
                j = i + 1
                while j < n and kinds[j] == 0:
                    j += 1
                toks.append(_Tok("paragraph_open", [i, j]))
                while j < n and kinds[j] is None:
                    j += 1
                nk = kinds[j] if j < n else None
                if nk.__class__ is tuple and nk[0] == ordered and nk[1] == mark:
                    i = j
                    continue
                break
            toks.append(_Tok("ordered_list_close" if ordered else "bullet_list_close"))
            i = j
        elif k:
            toks.append(_Tok("heading_open", [i, i + 1], "#" * k, "h%d" % k))
            i += 1
        else:
            # a paragraph: up to a blank line, a heading, a bullet or an ordered item numbered 1
            j = i + 1
            while j < n:
                nk = kinds[j]
                if nk == 0 or (nk.__class__ is tuple and nk[0] and nk[2] != 1):
                    j += 1
                else:
                    break
            toks.append(_Tok("paragraph_open", [i, j]))
            i = j
    return toks


class _TextBlocks:
    """Markdown (CommonMark, through markdown-it-py's block tokens and their line maps) and
    plain text -> Blocks with offsets into the file. A paragraph whose lines are not
    hard-wrapped (some line wider than WRAP_MAX columns) is one block per line; a hard-wrapped
    one is reflowed: one block, its wrap newlines turned into spaces in the text the
    extractors see (`wraps`), a short first line before longer ones being its title."""

    def __init__(self, text: str, visible: str):
        self.text = text
        self.visible = visible      # the text with metadata lines blanked (same length)
        self.lines = visible.splitlines(keepends=True)
        self.offsets = [0, *accumulate(map(len, self.lines))]     # each line's start, then the end
        self.blocks: list[Block] = []
        self.wraps: list[int] = []          # offsets of newlines that only wrap a paragraph
        self.masks: list[tuple[int, int]] = []  # markup to blank in the extractors' text

    def run(self) -> list[Block]:
        tokens = _plain_tokens(self.visible, self.lines)
        if tokens is None:
            tokens = _parser_for(self.visible).parse(self.visible)
        depth = -1
        ordered: list[bool] = []
        in_item_first = False
        quote = 0
        i = 0
        while i < len(tokens):
            t = tokens[i]
            typ = t.type
            if typ in ("bullet_list_open", "ordered_list_open"):
                depth += 1
                ordered.append(typ == "ordered_list_open")
            elif typ in ("bullet_list_close", "ordered_list_close"):
                depth -= 1
                ordered.pop()
            elif typ == "list_item_open":
                in_item_first = True
            elif typ == "blockquote_open":
                quote += 1
            elif typ == "blockquote_close":
                quote -= 1
            elif typ == "heading_open" and t.map:
                l0 = t.map[0]
                raw = self.lines[l0].rstrip("\r\n")
                if t.markup in ("=", "-"):    # setext: the title is the line above the underline
                    raw = "".join(self.lines[l0:t.map[1] - 1]).rstrip("\r\n")
                start = self.offsets[l0] + len(raw) - len(raw.lstrip())
                end = self.offsets[l0] + len(raw.rstrip())
                m = re.match(r"^[ \t]*#{1,6}[ \t]*", raw)
                if m:
                    self.masks.append((self.offsets[l0] + m.start(), self.offsets[l0] + m.end()))
                    start = self.offsets[l0] + m.end()
                m = re.search(r"[ \t]+#+[ \t]*$", raw)
                if m and m.start() > 0:
                    self.masks.append((self.offsets[l0] + m.start(), self.offsets[l0] + m.end()))
                    end = self.offsets[l0] + m.start()
                text = HEADING_MARK.sub("", raw)
                b = _line_block("heading", text, start, end, level=int(t.tag[1]))
                self.blocks.append(b)
            elif typ == "hr":
                self.blocks.append(Block("rule", self.offsets[t.map[0]], self.offsets[t.map[0]], ""))
            elif typ in ("paragraph_open", "code_block", "html_block", "fence") and t.map:
                kind = "item" if (depth >= 0 and in_item_first and typ == "paragraph_open") else \
                    ("quote" if quote else "para")
                self._paragraph(t.map[0], t.map[1], kind, max(depth, 0),
                                bool(ordered and ordered[-1]) if kind == "item" else False,
                                strip_marker=kind == "item")
                in_item_first = False
            elif typ == "table_open" and t.map:
                self._table(t.map[0], t.map[1])
                while i < len(tokens) and tokens[i].type != "table_close":
                    i += 1
            i += 1
        return self.blocks

    def _table(self, l0: int, l1: int) -> None:
        rows = []
        for k in range(l0, l1):
            s = self.lines[k].strip()
            if re.fullmatch(r"[|:\- ]+", s):
                continue
            rows.append(" ".join(c.strip() for c in s.strip("|").split("|")))
        start, end = self.offsets[l0], self.offsets[l1 - 1] + len(self.lines[l1 - 1].rstrip("\r\n"))
        for k in range(l0, l1):       # the pipes are markup
            base = self.offsets[k]
            for m in re.finditer(r"\|", self.lines[k]):
                self.masks.append((base + m.start(), base + m.end()))
        self.blocks.append(Block("table", start, end, _flat(" ; ".join(rows))))

    def _paragraph(self, l0: int, l1: int, kind: str, depth: int, ordered: bool, strip_marker: bool) -> None:
        # the paragraph's lines: (start, end, raw text) with markers cut off
        lines = []
        for k in range(l0, min(l1, len(self.lines))):
            raw = self.lines[k].rstrip("\r\n")
            if not raw.strip():
                continue
            base = self.offsets[k]
            cut = 0
            m = QUOTE_MARK.match(raw) if ">" in raw else None     # (each test: the pattern's fixed character)
            if m:
                cut = m.end()
                self.masks.append((base, base + m.end()))
            if strip_marker and k == l0:
                if cut == 0 and raw[1:2] == " " and raw[0] in "-*+" and raw[2:3] not in (" ", "\t"):
                    self.masks.append((base, base + 2))     # ('- Text': LIST_MARK's match, read off)
                    cut = 2
                    m = None
                else:
                    m = LIST_MARK.match(raw, cut)
                if m:
                    self.masks.append((base + m.start(), base + m.end()))
                    cut = m.end()
            rest = raw[cut:]
            lead = rest.lstrip()
            glyph = GLYPH_BULLET.match(raw, cut) if lead[:1] in GLYPHS and lead else None
            if glyph and len(raw) > glyph.end():
                self.masks.append((base + glyph.start(), base + glyph.end()))
            s0 = base + cut + len(rest) - len(lead)
            lines.append((s0, base + len(raw.rstrip()), lead.rstrip(), bool(glyph), k > l0 and s0 == base))
        if not lines:
            return
        if len(lines) == 1:     # (most paragraphs: a bullet, a line) what the groups below give for one line
            s0, e0, raw, glyph, _ = lines[0]
            if glyph:
                raw = GLYPH_BULLET.sub("", raw)
            k = "item" if glyph else kind
            self.blocks.append(_line_block(k, raw, s0, e0, level=depth if k == "item" else 0, ordered=ordered))
            return
        groups: list[list[int]] = [[0]]
        wrapped = False
        if len(lines) > 1:
            widths = [_width(ln[2]) for ln in lines]
            # hard-wrapped: lines of 40 to WRAP_MAX columns (shorter lines are lines of their own)
            wrapped = 40 <= max(widths) <= WRAP_MAX
        for j in range(1, len(lines)):
            new = True
            if wrapped:
                prev = lines[j - 1][2]
                new = lines[j][3] or CITE_LINE_TEXT.match(lines[j][2]) is not None \
                    or IMAGE_LINE.match(lines[j][2]) is not None or IMAGE_LINE.match(prev) is not None
                # a wrapped line is full: the next line's first word would not have fit on it
                nxt_word = lines[j][2].split(None, 1)[0] if lines[j][2].split() else ""
                if CJK.match(nxt_word[:1]):
                    nxt_word = nxt_word[:1]
                if widths[j - 1] + 1 + _width(nxt_word) + 4 <= max(widths):
                    new = True
            if new:
                groups.append([j])
            else:
                groups[-1].append(j)
        for g_i, g in enumerate(groups):
            first, last = lines[g[0]], lines[g[-1]]
            raw = first[2] if len(g) == 1 else " ".join(lines[j][2] for j in g)
            for j in g[1:]:   # the wrap newlines: spaces in the extractors' text
                self.wraps.append(lines[j - 1][1])
            glyph = first[3]
            k = "item" if glyph else (kind if g_i == 0 else ("para" if kind == "item" else kind))
            lvl = depth + 1 if kind == "item" and g_i > 0 else depth
            if kind == "item" and g_i > 0:
                # an unindented line after a bullet of unwrapped lines is no part of it (in
                # CommonMark a 'lazy continuation'; in a plain-text digest a new line)
                k, lvl = ("para", 0) if (not wrapped and first[4]) else ("item", depth + 1)
            if glyph:
                raw = GLYPH_BULLET.sub("", raw)
            b = _line_block(k, raw, first[0], last[1], level=lvl if k == "item" else 0,
                            ordered=ordered and g_i == 0)
            # a short line before longer ones: the title of what follows (the first line of a
            # wrapped paragraph; any such line of a paragraph of unwrapped lines)
            if g_i + 1 < len(groups) and (g_i == 0 or not wrapped) and len(g) == 1 and not glyph \
                    and k == "para" and short(b.text) and not TERMINAL.search(b.text) \
                    and widths[groups[g_i + 1][0]] > 1.3 * widths[g[0]] and not is_cite(b) \
                    and (not short(lines[groups[g_i + 1][0]][2])
                         or TERMINAL.search(TRAILING_CITE.sub("", lines[groups[g_i + 1][-1]][2]).rstrip())):
                b.title = True
            self.blocks.append(b)


CITE_LINE_TEXT = re.compile(r"^\s*[(（]?\s*(?:source|sources|via|来源|消息来源|图片来源)\s*[:：]", re.I)
TERMINAL_TEXT = re.compile(r"[.!?。！？;；:：]['\"’”)]?$")


def _masked_text(text: str, masks: list[tuple[int, int]], wraps: list[int]) -> str:
    """The text the extractors see: Markdown markup blanked, wrap newlines spaces; same length."""
    out = _mask(text)
    if "*" in out or "_" in out:
        out = STRAY_EMPH.sub(lambda m: " " * len(m.group(0)), out)
    # built from slices: a list of every character of the file would cost more than the edits
    if masks:
        pieces, pos = [], 0
        for a, b in sorted(masks):
            a = max(a, pos)     # (masks may overlap)
            if b <= a:
                continue
            seg = out[a:b]
            pieces.append(out[pos:a])
            pieces.append(" " * len(seg) if "\n" not in seg else "".join(c if c == "\n" else " " for c in seg))
            pos = b
        pieces.append(out[pos:])
        out = "".join(pieces)
    if wraps:
        pieces, pos = [], 0
        for w in sorted(set(wraps)):
            if w < len(out) and out[w] == "\n":
                pieces.append(out[pos:w])
                pieces.append(" ")
                pos = w + 1
        pieces.append(out[pos:])
        out = "".join(pieces)
    return out


# -------------------------------------------------------------------- metadata lines


def _read_metadata(text: str, issue: Issue) -> str:
    """Read the issue's metadata from the head of the file: saved-email header lines
    (`Subject:`, `From:`, `Date:`), a title line ('AI Weekly - 第462期: … - 2026年1月29日',
    'Chip Wire #31 — Friday, May 8, 2026'), masthead lines that are only a date or an issue
    number. Returns the text with the lines it used blanked (same length, so offsets hold)."""
    lines = text.splitlines(keepends=True)
    used: list[int] = []
    seen = 0
    headers = True
    headers_done = False
    h_seen = False
    date_header = None
    sender = None
    for k, ln in enumerate(lines[:60]):
        s = ln.strip()
        if not s:
            if seen:
                headers = False
            continue
        if seen >= 15:
            break
        seen += 1
        if headers and FORWARDED.match(s):
            used.append(k)
            continue
        h = HEADER.match(s) if headers else None
        if h:
            key, val = h.group("k").lower(), h.group("v").strip()
            used.append(k)
            h_seen = True
            if key == "subject":
                _title_meta(val, issue)
            elif key == "from":
                sender = sender_name(val)
            elif key in ("date", "sent"):
                date_header = _mail_date(val)
            continue
        first = not headers_done
        headers = False
        headers_done = True
        if seen == 1 or (k < 3 and not issue.newsletter):
            if _parse_title(s, issue):
                used.append(k)
                continue
        if not first and issue.number is not None and issue.date:
            continue        # what follows could give a number or a date only
        plain = _flat(s).strip(" #*_>")
        if first and not s.startswith("#") and not issue.title and not h_seen and _masthead_title(plain, issue):
            used.append(k)
            continue
        if len(plain) > 80:
            continue
        took = False
        if issue.number is None and issue_number(plain) is not None and len(plain) <= 60:
            took = _title_meta(plain, issue, number_only=bool(issue.newsletter) or s.lstrip().startswith(("*", "_")))
        if not issue.date:
            d = masthead_date(plain)
            if d and len(re.sub(r"[\d\W_]", "", plain.replace("Published", "").replace("Reading time", "").replace("min read", ""))) <= 40:
                issue.date = d
                took = True
                if seen == 1 and not issue.newsletter:   # 'TLDR AI 2026-05-08': the name beside the date
                    name = DATE_TEXT.sub(" ", plain).strip(" -–—|,:·*_#")
                    if name and len(name.split()) <= 5 and not CJK.search(name[:1] or "x") or 2 <= len(name) <= 12:
                        issue.newsletter = english_name(name)
        if took:
            used.append(k)
    if not issue.newsletter and sender:
        issue.newsletter = english_name(sender)
    if not issue.date and date_header:
        issue.date = date_header
    if not used:
        return text
    out = list(lines)
    for k in used:
        ln = lines[k]
        body = ln.rstrip("\r\n")
        out[k] = " " * len(body) + ln[len(body):]
    return "".join(out)


DATE_TEXT = re.compile(r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s*)?(?:\d{4}-\d\d?-\d\d?|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|"
                       r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|"
                       r"\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?,?\s+\d{4}|\d{1,2}/\d{1,2}/\d{4})"
                       r"(?:\s*(?:星期|周)[一二三四五六日天])?", re.I)
FORWARDED = re.compile(r"^(?:-{2,}\s*(?:Forwarded|Original)\s+message\s*-{2,}|Begin forwarded message:?)$", re.I)


def _title_meta(s: str, issue: Issue, number_only: bool = False) -> bool:
    """'Chip Wire #31 — Friday, May 8, 2026' / '科技早报 第3089期': name, number, date."""
    if _parse_title(s, issue):
        return True
    n = issue_number(s)
    d = masthead_date(s)
    if n is not None and issue.number is None:
        issue.number = n
    if d and not issue.date:
        issue.date = d
    m = NUMBER.search(s)
    if m and not issue.newsletter and not number_only:
        name = s[:m.start()].strip(" -–—|,:·*_#")
        if name and len(name) <= 40:
            issue.newsletter = english_name(name)
    if not issue.title:
        rest = s[m.end():].strip(" -–—|,:·*_") if m else ""
        if rest and not masthead_date(rest):
            issue.title = rest
    return n is not None or d is not None


MASTHEAD_SPLIT = re.compile(r"\s*[|｜›»:：]\s*|\s+[-–—]\s+")


def _masthead_title(plain: str, issue: Issue) -> bool:
    """The first line of a plain-text issue, when it is a title line ('8点1氪｜腾讯…;…'):
    the issue's title, and the newsletter's name when it comes first before a bar."""
    if not plain or not short(plain) or TERMINAL.search(plain) or issue_number(plain) is not None:
        return False
    parts = [p for p in MASTHEAD_SPLIT.split(plain, 1) if p.strip()]
    if len(parts) == 2 and len(parts[0]) <= 30:
        issue.newsletter = issue.newsletter or english_name(parts[0].strip())
        d = masthead_date(parts[1])
        if d and len(re.sub(r"[\d\W_年月日周星期一二三四五六日天]", "", parts[1])) == 0:
            issue.date = issue.date or d  # '财经快讯｜2026年3月10日（周二）': a name and a date
        else:
            issue.title = parts[1].strip()
        return True
    return False


def _mail_date(v: str) -> Optional[str]:
    import email.utils
    try:
        dt = email.utils.parsedate_to_datetime(v)
    except (TypeError, ValueError, IndexError):
        return masthead_date(v)
    return dt.date().isoformat() if dt else None


# ------------------------------------------------------------------------- the reader


def parse_text(text: str, source_file: str, content_hash: str) -> Issue:
    issue = Issue(newsletter="", number=None, date=None, source_file=source_file,
                  content_hash=content_hash, text=text)
    visible = _read_metadata(text, issue)
    tb = _TextBlocks(text, visible)
    raw_blocks = tb.run()
    blocks: list[Block] = []
    summary: list[str] = []
    mode: Optional[str] = None
    # the first level-1 heading is the issue's title, unless the file has a few of them
    title_taken = sum(1 for b in raw_blocks if b.kind == "heading" and b.level == 1) > 2
    for b in raw_blocks:
        s = b.text
        if b.kind == "heading" and b.level == 1 and not title_taken:
            title_taken = True
            if not _parse_title(s, issue):
                issue.title = s
                if not issue.newsletter and len(s.split()) <= 4:
                    issue.newsletter = english_name(s)
            continue
        # (quick tests first: TRAILER's words start with one of TRAILER_FIRST, URL_LINE holds '://')
        if s[:1] in TRAILER_FIRST and TRAILER.match(s):
            mode = "trailer"
            for u in URL.findall(s):
                if u not in issue.urls:
                    issue.urls.append(u)
            continue
        m = URL_LINE.match(s) if "://" in s else None
        if m:
            if m.group("url") not in issue.urls:
                issue.urls.append(m.group("url"))
            continue
        parts = COLON.split(s, 1) if s.lstrip()[:1] in MODE_FIRST else (s,)
        key = parts[0].strip()
        if key in MODE_LINES and (len(parts) == 1 or not parts[1].strip()):
            mode = MODE_LINES[key]
            blocks.append(Block("boundary", b.start, b.start, ""))
            continue
        if mode == "trailer":
            continue
        if mode == "summary":
            summary.append(s)
            continue
        blocks.append(b)
    if summary:
        issue.summary = "\n".join(summary)
    shown = _masked_text(text, tb.masks, tb.wraps)
    stories = stories_of(blocks)
    counters = {"en": 0, "zh": 0}
    for st in stories:
        sb = st.blocks
        start, end = sb[0].start, sb[-1].end     # (st.start, st.end)
        while start < end and shown[start].isspace():
            start += 1
        while end > start and shown[end - 1].isspace():
            end -= 1
        if end <= start:
            continue
        t = shown[start:end]
        if st.headline is not None:
            h0, h1 = max(st.headline.start, start) - start, st.headline.end - start
            head = t[h0:h1]
            soft = soften_units(head)
            if soft is not head or h1 < h0:     # (unchanged, the three parts would make t again)
                t = t[:h0] + soft + t[h1:]
        lang = lang_of(t)
        counters[lang] = counters.get(lang, 0) + 1
        # (the patterns have no anchor or look-around: searching the span is searching a slice)
        # (each only where its fixed string is: str.find looks far quicker than the pattern)
        if len(sb) == 1:    # (most stories: a bullet) the two lists below for one block
            b0, b1 = sb[0].start, sb[0].end
            urls = URL.findall(text, b0, b1) if text.find("http", b0, b1) >= 0 else []
            if text.find("](", b0, b1) >= 0:
                urls += [m.group("url") for m in MD_LINK.finditer(text, b0, b1)]
        else:
            urls = [u for b in sb if text.find("http", b.start, b.end) >= 0
                    for u in URL.findall(text, b.start, b.end)]
            urls += [m.group("url") for b in sb if text.find("](", b.start, b.end) >= 0
                     for m in MD_LINK.finditer(text, b.start, b.end)]
        bb = st.body_blocks()
        body = bb[0].text if len(bb) == 1 else " ".join([b.text for b in bb])
        headline = st.headline_text
        if headline != (st.headline.lead or st.headline.text if st.headline else ""):
            body = split_item(st.blocks[0].text)[2] or body     # '- Outlet: Headline – body'

        issue.items.append(Item(lang=lang, position=counters[lang], text=t, start=start, end=end,
                                headline=headline, body=body or headline,
                                outlet=st.outlet, section=st.section, kind=st.kind,
                                urls=list(dict.fromkeys([u.rstrip(").,") for u in urls])) if urls else []))
    if len(stories) > 1 and not recognised(stories):
        issue.warnings.append(warning("W009", path=source_file, n=len(stories)))
    return issue

# a title's date that is only a date, '2026年1月29日' or '2026-01-29' (kg.dates' zh_ymd and iso
# patterns, whole): read here, as parse_date would read it, without trying all its patterns
WHOLE_DATE = re.compile(r"\s*(?:(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>[01]?\d)\s*月\s*(?P<d>[0-3]?\d)\s*[日号]|"
                        r"(?P<y2>(?:19|20)\d\d)-(?P<m2>[01]?\d)-(?P<d2>[0-3]?\d))\s*")


def _date_of(s: str) -> Optional[str]:
    """parse_date(s), quicker for a text that is only a date (an invalid one goes to parse_date)."""
    m = WHOLE_DATE.fullmatch(s)
    if m:
        y, mo, d = m.group("y", "m", "d") if m.group("y") else m.group("y2", "m2", "d2")
        if 1 <= int(mo) <= 12:
            try:
                return date(int(y), int(mo), int(d)).isoformat()
            except ValueError:
                pass
    return parse_date(s)


def _parse_title(s: str, issue: Issue) -> bool:
    clean = _mask(s).strip()
    for pat in (TITLE_ZH, TITLE_EN):
        m = pat.match(clean)
        if m:
            issue.newsletter = english_name(m.group("name").strip(" #*_"))
            issue.number = int(m.group("num"))
            issue.title = (m.group("title") or "").strip() or None
            if m.group("date"):
                issue.date = _date_of(m.group("date"))
            return True
    return False
