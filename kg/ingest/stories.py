"""One story cutter for every layout: Blocks -> Stories.

Each reader turns its input into a list of `Block`s (a heading with its level, a paragraph,
a list item with its depth, a quote, a rule, a table, an image or its credit), each with its
offsets and a few flags the reader can see in the markup: the whole block is bold or a link
(a title line), a numbered title (`1. AMD WINS BIG CLOUD DEAL`), a `【…】` title, a bold or
linked lead (`**Anthropic lands $3.5B.** The Claude maker…`). `cut(blocks)` then groups them
into stories, the same way for Markdown, plain text, HTML and feeds:

* a story starts at a headline block (a heading whose next block is a paragraph, a title
  line, a bullet's lead, a numbered or 【】 title, a short line followed by a paragraph)
  and takes every following paragraph, bullet and quote up to the next story start;
* labelled sub-parts inside a story ("What's new:", "Why it matters", a bold label, a
  heading of a deeper level than the story's) do not cut it;
* a heading (or a short line) directly followed by story headlines or by a list of
  stories is a section name; a bullet digest gives a story per bullet;
* paragraphs with no headline are a story each.

Stories then get a kind: "item" (with a headline) or "lead" (a paragraph alone), or, kept
out of the graph, "sponsor" (sponsor / together with / presented by / 广告 / 合作推广) and
"boilerplate" (greetings, sign-offs, referral and unsubscribe footers, calendars, teaser
lists whose lines repeat later stories' headlines). `find_outlet` reads the cited outlet:
`(Source: Reuters)`, `*Via CNBC*`, `（来源：界面新闻）`, a trailing `(AP)` or link label
(`[Learn more at Reuters](…)`), an `Outlet:` or `彭博：` prefix; image and chart credits
(`图片来源：`, a credit right after an image) are not outlets.

Everything is linear in the number of blocks: each block is looked at a bounded number of
times (its next content block is precomputed once), and teaser look-ahead is capped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

# --------------------------------------------------------------------------- blocks


@dataclass(slots=True)
class Block:
    kind: str                 # heading | para | item | quote | rule | boundary | media | credit | table
    start: int                # offsets into the text the reader hands on (end exclusive)
    end: int
    text: str                 # the block's clean text, markup removed, whitespace collapsed
    level: int = 0            # heading level (1-6), list depth (0 = top level)
    title: bool = False       # the whole block is bold / a link / a numbered or 【】 title
    lead: str = ""            # a bold or linked lead at the start ("**Acme raises $5M.** …")
    ordered: bool = False     # a numbered list item
    urls: list[str] = field(default_factory=list)
    link_label: str = ""      # the text of the block's last link, when the block ends with it


@dataclass
class Story:
    blocks: list[Block]
    headline: Optional[Block] = None
    section: Optional[str] = None
    kind: str = "item"        # item | lead | sponsor | boilerplate
    outlet: Optional[str] = None

    @property
    def start(self) -> int:
        return self.blocks[0].start

    @property
    def end(self) -> int:
        return self.blocks[-1].end

    @property
    def headline_text(self) -> str:
        """(Read several times per story once it is cut: kept, keyed on what it is made of.)"""
        h = self.headline
        if h is None:
            return ""
        key = (h.text, h.lead, h.kind, len(self.blocks))
        memo = self.__dict__.get("_headline_memo")
        if memo is not None and memo[0] == key:
            return memo[1]
        out = self._headline_text(h)
        self.__dict__["_headline_memo"] = (key, out)
        return out

    def _headline_text(self, h: Block) -> str:
        if h.kind == "item" and len(self.blocks) == 1 and (
                not h.lead or h.text[len(h.lead):].lstrip().startswith((":", "："))):
            head = _split_item(h.text)[1]     # '- Outlet: Headline – body', '- **Outlet**: …'
            if head:
                return head
        if h.lead:
            rest = h.text[len(h.lead):].lstrip() if h.text.startswith(h.lead) else ""
            if rest[:1] in (",", ";") or rest[:1].islower():
                return h.text       # '**Hooli**, a search startup, raised …': a bold name, no headline
            return h.lead
        return h.text

    def body_blocks(self) -> list[Block]:
        bl = self.blocks
        if len(bl) == 1:    # (most stories: one block, often the headline)
            return [] if bl[0] is self.headline else [bl[0]]
        return [b for b in bl if b is not self.headline]


def _split_item(s: str) -> tuple[Optional[str], str, str]:
    """kg.ingest.text.split_item. That module imports this one, so it is looked up on the first
    call, which puts it in this name's place (an import statement costs a microsecond a call)."""
    global _split_item
    from .text import split_item
    _split_item = split_item
    return split_item(s)


# ------------------------------------------------------------------------- patterns

TERMINAL = re.compile(r"[.!?。！？;；,，:：…]$")
SPONSOR = re.compile(
    r"^\W*(?:(?:today'?s\s+|this\s+(?:issue|newsletter)\s+is\s+)?sponsor(?:ed)?\b|together\s+with\b|presented\s+by\b|"
    r"brought\s+to\s+you\s+by\b|in\s+partnership\s+with\b|a\s+message\s+from\b|partner\s+(?:content|message)\b|"
    r"advertisement\b|\w[\w &'’.-]{0,40}\s+sponsored\s+by\b|"
    r"【?\s*(?:广告|合作推广|推广|赞助|商务合作|软文)\s*】?)", re.I)
GREETING = re.compile(
    r"^\W*(?:good\s+(?:morning|afternoon|evening)|hi\b|hey\b|hello\b|dear\s+\w+|welcome\s+(?:back|to)\b|"
    r"happy\s+\w+day\b|greetings\b|早上好|大家好|各位读者|亲爱的)", re.I)
SIGNOFF = re.compile(
    r"^\W*(?:that'?s\s+(?:all|it)\b|that\s+is\s+all\b|see\s+you\b|thanks?\s+(?:you\s+)?for\s+reading\b|until\s+next\b|"
    r"(?:cheers|best|regards|onward|stay\s+curious)[,!.]?\s*$|--\s*\S|—\s*\S.{0,60}$|"
    r"以上(?:就是|是)|我们(?:明天|下期|下周)见|下期见|明天见)", re.I)
FOOTER = re.compile(
    r"unsubscribe|opt\s+out|update\s+your\s+(?:email\s+)?preferences|referral|refer\s+a\s+friend|"
    r"forward(?:ed)?\s+(?:this|to\s+a\s+friend)|view\s+(?:this\s+email\s+)?in\s+(?:your\s+)?browser|"
    r"privacy\s+policy|all\s+rights\s+reserved|copyright|©|you\s+are\s+receiving|sign\s+up\b|subscribe\b|"
    r"tell\s+(?:your\s+)?friends|share\s+(?:it|this|us)\s+with|^\W*(?:share|read\s+online|view\s+online|open\s+in\s+app)\W*$|"
    r"转载|版权|本文由|授权|退订|订阅|关注我们|点击上方|设为星标|点个在看", re.I)
# A necessary condition for a FOOTER match, tested on the lower-cased text without re.I: a
# word of each of FOOTER's branches. FOOTER is an unanchored case-insensitive alternation
# that `re` tries at every position (30 us a 100-character story on the bench corpus, most of
# `classify`); this test takes 2 us and rules out nearly every story. It is exact: checked over
# all of Unicode, a character matches a lower-case letter under re.I only if its lower case is
# that letter, except 'İ', 'ı', 'ſ' (a text with one goes straight to FOOTER), and lower()
# keeps \s and \W as they are.
FOOTER_WORDS = (r"subscribe|opt\s|update\s|refer|forward|browser|privacy|rights|copyright|©|receiving|"
                r"sign\s|friends|share(?:\W|$)|online|app\W*$|转载|版权|本文由|授权|退订|订阅|关注我们|点击上方|设为星标|点个在看")
# The same words, each written from a rarer letter of it, with a look-behind for the letters
# before that one ('f(?<=ref)er' is 'refer'): the same matches, but the first-character set
# `re` skips through is letters a sixth of English text, not nearly half (twice as fast).
FOOTER_HINT = re.compile(r"b(?:(?<=sub)scribe|rowser)|p(?:(?<=op)t\s|(?<=up)date\s|rivacy|(?<=app)\W*$)|"
                         r"f(?:(?<=ref)er|orward|riends)|g(?:(?<=rig)hts|(?<=sig)n\s)|y(?<=copy)right|©|v(?<=receiv)ing|"
                         r"l(?<=onl)ine|h(?<=sh)are(?:\W|$)|转载|版权|本文由|授权|退订|订阅|关注我们|点击上方|设为星标|点个在看")


def footer(s: str) -> bool:
    """FOOTER.search(s), with the cheap necessary test above first."""
    if (s.isascii() or "ı" not in s and "ſ" not in s and "İ" not in s) and FOOTER_HINT.search(s.lower()) is None:
        return False
    return FOOTER.search(s) is not None


# a title marked as paid for at its end: 'Notion AI Meeting Notes (Sponsor)'
SPONSOR_TAIL = re.compile(r"[(\[（【]\s*(?:sponsor(?:ed)?|ad|advertisement|partner|promoted|广告|推广|赞助)\s*[)\]）】]\s*$", re.I)
def sponsor_tail(s: str) -> bool:
    """SPONSOR_TAIL.search(s): a closing bracket ends the text (before spaces, which rstrip and
    the pattern's \\s agree on), tested first."""
    return s.rstrip()[-1:] in (")", "]", "）", "】") and SPONSOR_TAIL.search(s) is not None


CALENDAR = re.compile(r"^\W*(?:calendar|coming\s+up|on\s+the\s+calendar|what'?s\s+(?:next|ahead|coming)|"
                      r"the\s+week\s+ahead|upcoming|earnings\s+(?:calendar|this\s+week)|日程|日历|下周前瞻)\b", re.I)
# links to the newsletter's own earlier posts: "往期推荐", "Related reading"
RELATED = re.compile(r"^\W*(?:往期(?:推荐|回顾|精选)|推荐阅读|相关阅读|延伸阅读|related\s+(?:reading|posts|stories|articles)|"
                     r"you\s+(?:might|may)\s+also\s+like|recommended\s+reading|from\s+the\s+archive)\W*$", re.I)
# labelled parts of one story: they never start a story
SUBPART = re.compile(
    r"^\W*(?:what'?s\s+new|how\s+it\s+works|why\s+it\s+matters|behind\s+the\s+news|we'?re\s+thinking|results?|"
    r"yes,?\s+but|zoom\s+(?:in|out)|the\s+bottom\s+line|bottom\s+line|big\s+picture|the\s+big\s+picture|"
    r"between\s+the\s+lines|go\s+deeper|what'?s\s+next|context|background|details|the\s+details|by\s+the\s+numbers|"
    r"key\s+(?:numbers|takeaways?)|takeaways?|our\s+take|the\s+takeaway|why\s+now|what\s+it\s+means|"
    r"背景|点评|解读|影响)\W*$", re.I)
# a cited outlet on its own line or at the end of a paragraph
CITE_LINE = re.compile(
    r"^\s*[(（\[]?\s*(?:source|sources|via|from|h/t|来源|消息来源|信源)\s*[:：]?\s*(?P<o>[^()（）\[\]\n]{2,60}?)\s*[)）\]]?\s*[.。]?\s*$",
    re.I)
TRAILING_CITE = re.compile(
    r"[(（]\s*(?:(?i:source|via|来源|消息来源)\s*[:：]?\s*)?(?P<o>[A-Z][\w'’&.\- ]{0,40}|[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z]{1,14})\s*[)）]\s*[.。]?\s*$")
# a Chinese aside in parentheses, not a credit: "(如Meta)", "(应用层)" in ASCII parentheses
ZH_ASIDE = re.compile(r"^\((?!(?:来源|消息来源))|^（\s*(?:如|即|含|包括|约|指|例如|比如)")
LINK_CITE = re.compile(
    r"^(?:learn\s+more|read\s+(?:more|the\s+(?:full\s+)?story)|more|full\s+story|details)\s+(?:at|on|from|in)\s+(?P<o>[A-Z][\w'’&.\- ]{1,40})$",
    re.I)
PREFIX_OUTLET = re.compile(r"^(?P<o>[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z]{1,11}|[A-Z][\w'’&.]*(?:\s+(?:[A-Z][\w'’&.]*|&|and|of|the)){0,4})\s*[:：]\s*\S")
# credits are not outlets
CREDIT = re.compile(r"^\s*[(（]?\s*(?:图片来源|图源|图片|摄影|图/|image|photo|illustration|chart|gif|video)\b", re.I)
NOT_OUTLET = re.compile(r"^(?:AI|US|UK|EU|CEO|CFO|IPO|GPU|YoY|QoQ|est|e\.g|i\.e|see|via|and|the|note|update[ds]?|"
                        r"sponsor(?:ed)?|ad|advertisement|partner|promoted|"
                        r"图片来源.*|图源.*|视觉中国|Getty.*|Giphy|Shutterstock|Unsplash|AP Photo.*)$", re.I)
DATELINE = re.compile(r"\d")
BYLINE = re.compile(r"^\W*(?:[Bb]y|[Ww]ritten\s+by|[Ww]ords\s+by|[Rr]eporting\s+by)\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}"
                    r"(?:\s*(?:,|and|&)\s*[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})*\s*$|^\W*(?:作者|记者|撰文|编辑)\s*[:：｜|]")
TEASER_HEAD = re.compile(r"in\s+(?:today'?s|this)\s+(?:issue|edition|email)|today'?s\s+(?:stories|headlines|issue)|"
                         r"inside\b|导读|导览|看点|要闻速览|目录", re.I)
# a section of short news, one a bullet: "In brief", "Quick hits", "融资快讯", "行业简讯"
DIGEST_HEAD = re.compile(r"\b(?:in\s+brief|briefly|quick\s+(?:hits|takes|bites)|(?:more|other)\s+(?:news|headlines|deals)|"
                         r"news\s+roundup|deals?\s+roundup)\b|快讯|速递|简讯|短讯|一句话新闻", re.I)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’.-]*|\d[\d.,]*|[\u3400-\u9fff]+")
STOP = frozenset("a an the of to in on for and or but with at by from as is are was its it this that these "
                 "after over into new more than up down says said will be has have s".split())
TEASER_LOOKAHEAD = 40       # later stories a teaser line is compared with (a cap keeps it linear)


_CJK = re.compile(r"[\u3400-\u9fff]")
LETTER = re.compile(r"[A-Za-z\u3400-\u9fff]")


# The cutter, the classifier and the outlet finder ask these of the same block text: cached
# (pure functions of the text; a bullet digest asks each twice).
@lru_cache(maxsize=1024)
def sponsored(s: str) -> bool:
    return SPONSOR.match(s) is not None


@lru_cache(maxsize=1024)
def prefix_outlet(s: str) -> Optional[re.Match]:
    return PREFIX_OUTLET.match(s)


def trailing_cite(s: str) -> Optional[re.Match]:
    """TRAILING_CITE.search(s); the pattern needs a closing parenthesis, looked for first."""
    return TRAILING_CITE.search(s) if ")" in s or "）" in s else None


# GREETING and SIGNOFF are anchored ('^\W*' then words): a text that starts with a word character
# can only match when that character starts one of their words, which under re.I are these
# (all of Unicode checked in the tests). Most texts are ruled out without the pattern.
GREETING_FIRST = frozenset("gGhHdDwW早大各亲")
SIGNOFF_FIRST = frozenset("tTsSſuUcCbBrRoO以我下明")


def _word_start_rules_out(s: str, first: frozenset) -> bool:
    c = s[:1]
    return bool(c) and c not in first and (c.isalnum() or c == "_")     # (re's \w)


def greeting(s: str) -> bool:
    return not _word_start_rules_out(s, GREETING_FIRST) and GREETING.match(s) is not None


def signoff(s: str) -> bool:
    return not _word_start_rules_out(s, SIGNOFF_FIRST) and SIGNOFF.match(s) is not None


def has_cjk(s: str) -> bool:
    return not s.isascii() and _CJK.search(s) is not None


def short(s: str) -> bool:
    """A line short enough to be a headline or a label."""
    if has_cjk(s):
        return len(s) <= 48
    return len(s) <= 110 and len(s.split()) <= 16


def is_label(b: Block) -> bool:
    """A sub-part label: 'What's new:', '**Zoom out:** …', a bold lead ending with a colon."""
    lead = b.lead or (b.text if b.title else "")
    if lead and (lead.rstrip().endswith((":", "：")) or SUBPART.match(lead)):
        return True
    return bool(SUBPART.match(b.text))


def is_cite(b: Block) -> Optional[str]:
    """The outlet of a block that only cites one ('(Source: Reuters)', '*Via CNBC*')."""
    if b.kind not in ("para", "quote") or len(b.text) > 80:
        return None
    if CREDIT.match(b.text):
        return None
    m = CITE_LINE.match(b.text)
    if m:
        o = m.group("o").strip(" *_.")
        if o and not NOT_OUTLET.match(o) and not DATELINE.search(o[:1]):
            return o
    return None


def tokens(s: str) -> set[str]:
    """Content words (English, case-folded) and character bigrams (Chinese)."""
    if not has_cjk(s):      # (once for the text: a word of a text without CJK has none)
        out = {w.casefold().strip(".,'’") for w in WORD.findall(s)}
        out -= STOP
        out.discard("")
        return out
    out = set()
    for w in WORD.findall(s):
        if has_cjk(w):
            out.update(w[i:i + 2] for i in range(max(1, len(w) - 1)))
        else:
            w = w.casefold().strip(".,'’")
            if w and w not in STOP:
                out.add(w)
    return out


# ----------------------------------------------------------------------------- cutter


def _next_content(blocks: list[Block]) -> list[int]:
    """For each block, the index of the next block that is text (not an image, a credit or
    a cite line), or len(blocks). One backward pass."""
    nxt = [len(blocks)] * len(blocks)
    following = len(blocks)
    for i in range(len(blocks) - 1, -1, -1):
        nxt[i] = following
        if blocks[i].kind not in ("media", "credit", "boundary", "byline"):
            following = i
    return nxt


def _digest_bullet(b: Block) -> bool:
    """A bullet that is a story by itself: a bold or linked lead that is no label, an
    `Outlet: Headline – body` shape, or a trailing `(Outlet)`."""
    if b.kind != "item":
        return False
    if b.lead and not is_label(b):
        return True
    if dash_search(SEPARATOR, b.text) and prefix_outlet(b.text):
        return True
    return len(b.text) > 60 and trailing_cite(b.text) is not None


SEPARATOR = re.compile(r"\s+[–—]+\s+|——|\s+-{1,2}\s+|(?<=\S)—(?=\S)")
DASHES = ("-", "–", "—")


@lru_cache(maxsize=1024)
def dash_search(pattern: re.Pattern, s: str) -> Optional[re.Match]:
    """pattern.search(s) for a headline/body separator (SEPARATOR, text.SEPARATORS): each of
    their matches holds a dash and starts at it or at the spaces just before it, so the search
    starts there and finds the same match; `re` would otherwise try every position before it
    (a leading \s+ or lookbehind gives it no first character to skip to). Cached: the cutter,
    the outlet finder and split_item ask it of the same bullet several times."""
    d = -1
    for dash in DASHES:
        k = s.find(dash, 0, d if d >= 0 else len(s))
        if k >= 0:
            d = k
    if d < 0:
        return None
    while d > 0 and s[d - 1].isspace():      # str.isspace is re's \s (checked over Unicode)
        d -= 1
    return pattern.search(s, d)


def _headline_like(b: Block) -> bool:
    """A one-line block that can be a title: short, no sentence punctuation at its end."""
    bare = TRAILING_CITE.sub("", b.text) if b.text.endswith((")", "）")) else b.text   # '… Tuesday. (Reuters)'
    return short(b.text) and not TERMINAL.search(bare.rstrip("*_ ")) and not is_label(b) \
        and not greeting(b.text) and not signoff(b.text) and LETTER.search(b.text) is not None


CREDIT_LABEL = re.compile(r"^\s*(?:source|credit|image|photo)\s*:", re.I)


def _mark_credits(blocks: list[Block]) -> None:
    """A short plain line right after an image is its credit ('Giphy', 'Source: Koyfin')."""
    for b in blocks:
        if b.title and LETTER.search(b.text) is None:
            b.title = False         # a footnote's number, a bare figure: no title
        if b.kind == "para" and len(b.text) <= (20 if has_cjk(b.text) else 60) and BYLINE.match(b.text) \
                and not TERMINAL.search(b.text):
            b.kind = "byline"       # 'By Jane Doe': part of the story, never its title
    for i in range(1, len(blocks)):
        b = blocks[i]
        if blocks[i - 1].kind == "media" and b.kind == "para" and not b.title and not b.lead \
                and (len(b.text.split()) <= 6 and not TERMINAL.search(b.text) or CREDIT.match(b.text)
                     or CREDIT_LABEL.match(b.text)) and len(b.text) <= 60:
            b.kind = "credit"


def cut(blocks: list[Block]) -> list[Story]:
    """Group blocks into stories (see the module's doc)."""
    stories: list[Story] = []
    _mark_credits(blocks)
    nxt = _next_content(blocks)
    # which heading levels are section levels: their headings mostly introduce other
    # headlines or lists, not a paragraph
    votes: dict[int, int] = {}
    for i, b in enumerate(blocks):
        if b.kind == "heading":
            n = blocks[nxt[i]] if nxt[i] < len(blocks) else None
            if n is None:
                continue
            sect = (n.kind == "heading" and n.level > b.level) or n.title or bool(n.lead and not is_label(n)) \
                or n.kind == "item"
            votes[b.level] = votes.get(b.level, 0) + (1 if sect else -1)

    cur: Optional[Story] = None
    head_kind: Optional[str] = None     # heading | title | lead | bullet | sponsor | None (no headline)
    cur_level = 0
    section: Optional[str] = None
    section_kind: Optional[str] = None  # sponsor | boilerplate | None
    intro_colon = False                 # the current headless story ends with "...:" (its list follows)

    def close():
        nonlocal cur, head_kind, cur_level, intro_colon, section
        if cur is not None and head_kind == "heading" and len(cur.blocks) == 1 and cur.kind != "sponsor":
            section = cur.blocks[0].text.strip(" :：*_#") or section   # a heading with nothing under it
        elif cur is not None and cur.blocks:
            stories.append(cur)
        cur, head_kind, cur_level, intro_colon = None, None, 0, False

    def open_story(b: Block, kind: Optional[str], headline: bool = True, level: int = 0):
        nonlocal cur, head_kind, cur_level, intro_colon
        close()
        cur = Story(blocks=[b], headline=b if headline else None, section=section)
        if section_kind:
            cur.kind = section_kind
        head_kind, cur_level = kind, level
        intro_colon = b.text.rstrip().endswith((":", "："))

    def append(b: Block):
        nonlocal intro_colon
        cur.blocks.append(b)
        if b.kind != "item":
            intro_colon = b.text.rstrip().endswith((":", "："))

    def set_section(b: Block, level: int = 0):
        nonlocal section, section_kind
        close()
        section = b.text.strip(" :：*_#") or None
        if sponsored(b.text):
            section_kind = "sponsor"
        elif CALENDAR.match(b.text) or RELATED.match(b.text):
            section_kind = "boilerplate"
        else:
            section_kind = None

    for i, b in enumerate(blocks):
        n = blocks[nxt[i]] if nxt[i] < len(blocks) else None
        k = b.kind
        if k in ("rule", "boundary"):
            close()
            section_kind = None
            if k == "boundary":     # the end of a <section>, a change of language: a new section
                section = None
            continue
        if k in ("media", "credit"):
            continue            # images and their credits are no text of a story
        if k == "byline":
            if cur is not None:
                append(b)
            continue
        if k == "heading":
            if cur is not None and head_kind == "heading" and (b.level > cur_level or is_label(b)):
                append(b)       # a sub-heading inside the story
                continue
            if sponsored(b.text):
                if n is not None and (n.kind == "heading" or n.title):
                    set_section(b, b.level)
                else:
                    open_story(b, "heading", level=b.level)
                    cur.kind = "sponsor"
                continue
            list_intro = n is not None and n.kind == "item" and not _digest_bullet(n) and short(n.text) \
                and not _section_bullet(n, blocks, nxt, nxt[i]) and not DIGEST_HEAD.search(b.text)
            sect = n is None or (n.kind == "heading" and n.level > b.level) or n.title \
                or bool(n.lead and not is_label(n)) or (n.kind == "item" and not list_intro) \
                or (votes.get(b.level, 0) > 0 and not list_intro)
            if sect:
                set_section(b, b.level)
            else:
                open_story(b, "heading", level=b.level)
            continue
        cite = is_cite(b) if k in ("para", "quote") else None     # (is_cite's own first test)
        if cite and cur is not None:
            append(b)
            continue
        if k == "item":
            if b.level > 0 and cur is not None:
                append(b)
                continue
            if _section_bullet(b, blocks, nxt, i):
                set_section(b)
                continue
            if (b.ordered or b.title) and _headline_like(b) and n is not None \
                    and n.kind in ("para", "quote", "table") and not n.title:
                open_story(b, "title")      # "1. AMD WINS BIG CLOUD DEAL" and its paragraphs
                continue
            if sponsored(b.text):
                open_story(b, "sponsor")
                cur.kind = "sponsor"
                continue
            if _digest_bullet(b):
                open_story(b, "bullet")
                continue
            if cur is not None and (head_kind in ("heading", "title", "sponsor") or intro_colon
                                    or (head_kind == "lead" and False)):
                append(b)
                continue
            open_story(b, "bullet")
            continue
        # paragraphs, quotes, tables
        if CREDIT.match(b.text) and len(b.text) <= 60:
            if cur is not None:
                append(b)       # an image credit: kept in the story's text, never an outlet
            continue
        if greeting(b.text) or signoff(b.text) or (
                footer(b.text) and (len(b.text) < 300 and not b.title and not b.lead or len(b.text) <= 40)):
            open_story(b, None, headline=False)     # greetings, sign-offs, footers: a story of their own
            continue
        if sponsored(b.text) and (b.title or b.lead or short(b.text) or b.text.startswith("【")):
            if (b.title or short(b.text)) and n is not None and (n.kind == "heading" or n.title):
                set_section(b)
                continue
            open_story(b, "sponsor", headline=b.title or short(b.text))
            cur.kind = "sponsor"
            continue
        if cur is not None and head_kind in ("heading", "title") and len(cur.blocks) == 1 \
                and k == "para" and not b.title and not b.lead and short(b.text):
            append(b)           # a dek under a headline
            continue
        if b.title or (k == "para" and _headline_like(b) and n is not None and not is_cite(n)):
            # a title line: a section name when stories or a list of stories follow it
            if n is None or n.kind == "heading" or n.title or (n.lead and not is_label(n)) \
                    or (n.kind == "item" and (_digest_bullet(n) or not short(n.text))) \
                    or (n.kind == "para" and _headline_like(n) and not b.title and not n.title
                        and (nxt[nxt[i]] < len(blocks) and blocks[nxt[nxt[i]]].kind == "para"
                             and not _headline_like(blocks[nxt[nxt[i]]]))):
                if b.title or _headline_like(b):
                    set_section(b)
                    continue
            if is_label(b) and cur is not None and head_kind is not None:
                append(b)
                continue
            if n is None or n.kind in ("rule", "boundary"):
                open_story(b, None, headline=False)     # a lone line before a rule: no headline
                continue
            if not b.title and n is not None and n.kind not in ("para", "quote", "table", "item"):
                pass    # a short line before a heading or a rule: a paragraph of its own
            elif cur is not None and head_kind == "heading" and len(b.text.split()) < 4 and not has_cjk(b.text):
                append(b)
                continue
            else:
                open_story(b, "title")
                continue
        if b.lead and not is_label(b):
            if cur is not None and head_kind in ("heading", "title", "sponsor"):
                append(b)       # "**Wall Street yawned.** Apple stock slipped…" inside a story
            else:
                open_story(b, "lead")
            continue
        if cur is not None and head_kind is not None and not (
                head_kind == "bullet" and k in ("para", "table") and not cite):
            append(b)
            continue
        # a paragraph with no headline: a story of its own
        open_story(b, None, headline=False)
    close()
    return stories


def _section_bullet(b: Block, blocks: list[Block], nxt: list[int], i: int) -> bool:
    """A bullet that names the section of the bullets after it: short, no separator, and
    the next bullet is a digest bullet ('- Public Markets: The $37.5 Billion Shock')."""
    if i >= len(blocks) or blocks[i].kind != "item" or blocks[i].level > 0:
        return False
    b = blocks[i]
    if len(b.text) > 100 or dash_search(SEPARATOR, b.text) or b.lead:
        return False
    j = nxt[i]
    if j >= len(blocks) or blocks[j].kind != "item":
        return False
    n = blocks[j]
    if b.ordered and not n.ordered:
        return True
    return bool(prefix_outlet(b.text)) and bool(dash_search(SEPARATOR, n.text))


# ------------------------------------------------------------------------- kinds


def classify(stories: list[Story]) -> None:
    """Set each story's kind: sponsor and boilerplate stories stay out of the graph."""
    for s in stories:
        if s.kind in ("sponsor", "boilerplate"):
            continue
        first = s.blocks[0]
        text = first.text
        if sponsored(text) and (s.headline is not None or len(text) < 300) \
                or (s.headline is not None and sponsor_tail(s.headline_text)):
            s.kind = "sponsor"
        elif s.headline is None or s.headline is first and (len(s.blocks) == 1 or not s.body_blocks()):
            whole = text if len(s.blocks) == 1 else " ".join(b.text for b in s.blocks)
            if greeting(text) or signoff(text) or (len(whole) < 400 and footer(whole)):
                s.kind = "boilerplate"
            elif s.headline is None:
                s.kind = "lead"
        elif CALENDAR.match(s.headline_text):
            s.kind = "boilerplate"
    mark_teasers(stories)


TEASER_SPLIT = re.compile(r"[；;|｜]\s*|\s+[·•]\s+")


def _teaser_lines(s: Story) -> list[str]:
    lines: list[str] = []
    for b in s.body_blocks() if s.headline is not None else s.blocks:
        if b.kind in ("item", "para"):
            lines.extend(p for p in TEASER_SPLIT.split(b.text) if p.strip())
    return [ln for ln in lines if ln.strip()]


def mark_teasers(stories: list[Story]) -> None:
    """A story made of short lines most of which repeat the words of later stories'
    headlines (or first sentences) is a teaser list: boilerplate. Each story is compared
    with at most TEASER_LOOKAHEAD later stories; their word sets are computed once."""
    cache: dict[int, set[str]] = {}

    def words(k: int) -> set[str]:
        if k not in cache:
            s = stories[k]
            body = " ".join(b.text for b in s.body_blocks())[:160]
            cache[k] = tokens(s.headline_text + " " + body)
        return cache[k]

    for i, s in enumerate(stories):
        if s.kind in ("sponsor", "boilerplate") or (s.headline is not None and len(s.blocks) == 1):
            continue        # (a headline alone has no teaser lines: its one block is the headline)
        lines = _teaser_lines(s)
        # teaser lines are headlines: short, most without a full stop
        if len(lines) < 2 or any(not short(ln) for ln in lines) \
                or sum(1 for ln in lines if ln.rstrip().endswith((".", "。"))) * 2 > len(lines):
            continue
        later = range(i + 1, min(len(stories), i + 1 + TEASER_LOOKAHEAD))
        hits = 0
        for ln in lines:
            t = tokens(ln)
            if len(t) < 1:
                continue
            need = 2 if len(t) >= 3 else 1
            if any(len(t & words(k)) >= need for k in later):
                hits += 1
        if hits >= max(2, (len(lines) * 3 + 4) // 5):
            s.kind = "boilerplate"


# ------------------------------------------------------------------------- outlets


TWO_DIGITS = re.compile(r"\d{2,}")


@lru_cache(maxsize=4096)
def _clean_outlet(o: str) -> Optional[str]:
    """(Cached: a digest names the same few outlets on every line.)"""
    o = o.strip(" *_.。,，:：")
    if not o or len(o) > 50 or NOT_OUTLET.match(o) or CREDIT.match(o) or TWO_DIGITS.search(o):
        return None
    if not has_cjk(o) and len(o.split()) > 5:
        return None
    return o


@lru_cache(maxsize=1)
def _gazetteer():
    from .. import gazetteer as gz
    return gz.load()


def _known_non_outlet(name: str) -> bool:
    """A name the gazetteer knows as a company, product, index or asset: '(Meta)' at the
    end of a sentence names the company, not the outlet that reported it."""
    g = _gazetteer()
    eid = g.lookup(name.strip())
    return eid is not None and g.entries[eid].type != "Outlet"


def _known_outlet(name: str) -> bool:
    g = _gazetteer()
    eid = g.lookup(name.strip())
    return eid is not None and g.entries[eid].type == "Outlet"


CITE_WORD = re.compile(r"[(（]\s*(?i:source|via|来源|消息来源)")


def find_outlet(s: Story) -> Optional[str]:
    """The outlet a story cites: a cite line, a trailing `(Outlet)` or `（来源：X）` at the end
    of one of its paragraphs or bullets (the last one wins), a trailing link label
    ('Learn more at Reuters'), or an `Outlet:` / `彭博：` prefix of a bullet."""
    found: Optional[str] = None
    for b in s.blocks:
        if b.kind in ("media", "credit"):
            continue
        c = is_cite(b) if b.kind in ("para", "quote") else None
        if c:
            found = _clean_outlet(c) or found
            continue
        if b.kind in ("para", "item", "quote"):
            m = trailing_cite(b.text)
            if m and not CREDIT.match(b.text[m.start() + 1:]) and (
                    CITE_WORD.match(m.group(0))
                    or not (_known_non_outlet(m.group("o")) or has_cjk(m.group("o")) and ZH_ASIDE.match(m.group(0)))):
                o = _clean_outlet(m.group("o"))
                if o:
                    found = o
                    continue
            if b.link_label:
                m = LINK_CITE.match(b.link_label.strip())
                if m:
                    o = _clean_outlet(m.group("o"))
                    if o:
                        found = o
                        continue
    if s.headline is not None and s.headline.kind == "item":
        m = prefix_outlet(s.headline.text)
        if m and dash_search(SEPARATOR, s.headline.text):   # '- Outlet: Headline – body': the prefix wins
            found = _clean_outlet(m.group("o")) or found
    if found is None:
        # '彭博：苹果将…', 'Reuters: Apple will…' opening the story's first paragraph: the
        # prefix is an outlet when the gazetteer knows it as one ('记者：' is not)
        first = next((b for b in s.blocks if b is not s.headline and b.kind in ("para", "item")), s.headline)
        m = prefix_outlet(first.text) if first is not None else None
        if m and _known_outlet(m.group("o")):
            found = m.group("o")
    return found


UNIT_WORDS = re.compile(r"\b(?:THOUSAND|MILLION|BILLION|TRILLION|PERCENT|Thousand|Million|Billion|Trillion|Percent)\b")
UNIT_TAIL = re.compile(UNIT_WORDS.pattern[2:])


def soften_units(s: str) -> str:
    """A headline in Title Case or capitals writes its figures' units so ('$1.1 BILLION',
    'a $273 Billion Selloff'): lower-case them for the extractors (same length)."""
    # (UNIT_TAIL, the pattern without its leading \b, has a first-character set: a quick no)
    # (and before it, the words' tails, which str's search finds quicker still)
    if not ("illion" in s or "ILLION" in s or "ercent" in s or "ERCENT" in s or "housand" in s or "HOUSAND" in s):
        return s
    return UNIT_WORDS.sub(lambda m: m.group(0).lower(), s) if UNIT_TAIL.search(s) and UNIT_WORDS.search(s) else s


def stories_of(blocks: list[Block]) -> list[Story]:
    """cut + classify + outlets: what every reader calls."""
    stories = cut(blocks)
    classify(stories)
    for s in stories:
        s.outlet = find_outlet(s)
    return stories


def recognised(stories: list[Story]) -> bool:
    """Did the cutter find any structure (a headline, a section, a bullet)? A file of bare
    paragraphs is still read, with a warning that its layout was not recognised."""
    return any(s.headline is not None or s.section for s in stories)


# ------------------------------------------------------------------- issue metadata

NUMBER = re.compile(r"(?:(?<![\w#])#\s?|\bNo\.\s?|\bIssue\s+#?|\bNr\.\s?|\bVol\.\s*\d+,?\s*No\.\s?|第\s*)(?P<n>\d{1,6})(?:\s*期)?", re.I)
NUMERIC_DATE = re.compile(r"(?<![\d/.])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>(?:19|20)\d\d)(?![\d/.])")
HEADER = re.compile(r"^(?P<k>Subject|From|Date|To|Cc|Sent|Reply-To)\s*:\s*(?P<v>.*)$", re.I)
# locales that write the day first (12/11/2025 is 12 November)
DAY_FIRST = re.compile(r"^(?:en-(?:gb|au|nz|ie|in|za)|fr|de|es|it|nl|pt|ru|pl|sv|da|nb|fi|tr)\b", re.I)


def numeric_date(s: str, day_first: bool = False) -> Optional[str]:
    """'12/11/2025' -> ISO, month first unless `day_first` (the newsletter's locale) or the
    first number cannot be a month."""
    m = NUMERIC_DATE.search(s)
    if not m:
        return None
    a, b, y = int(m.group("a")), int(m.group("b")), int(m.group("y"))
    mo, d = (b, a) if day_first or a > 12 else (a, b)
    if mo > 12:
        mo, d = d, mo
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def masthead_date(s: str, day_first: bool = False) -> Optional[str]:
    """A date in a masthead or header line: 'Friday, May 8, 2026', '2025年11月14日',
    '2026-05-08', '12/11/2025' (order from the locale)."""
    from ..dates import parse_date
    return parse_date(s) or numeric_date(s, day_first)


def issue_number(s: str) -> Optional[int]:
    m = NUMBER.search(s)
    return int(m.group("n")) if m else None


def sender_name(v: str) -> str:
    """'Chip Wire <editors@chipwire.example>' -> 'Chip Wire'."""
    v = v.strip()
    m = re.match(r'^"?(?P<name>[^"<]+?)"?\s*<[^>]+>$', v)
    if m:
        return m.group("name").strip()
    return "" if "@" in v else v
