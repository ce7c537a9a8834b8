"""Reader for an issue saved as an HTML page (a web version or an e-mail newsletter).

Parsing is selectolax (the lexbor HTML5 parser: tolerant of truncated and broken markup).
Boilerplate is removed (scripts, styles, navigation, headers, footers, sidebars, forms,
hidden pre-headers, elements whose class/id/role says nav/menu/footer/cookie/share/...);
the content root is <article>, else <main>, else the body. Then, in document order:

* the first <h1> (else <title>, else og:title) is the issue title line, parsed like the
  text reader's title ("Name — Issue 12: Title — 2026-03-30");
* other headings are sections; each <li> is an item (nested lists give their own items);
  each <p> (or loose text block) outside a list is a lead item, except a short line that
  is only a date (the issue date) or a `Source: URL` line (the issue URL);
* links inside an item are its URLs (relative ones resolved against <base>/canonical).

Item texts are the rendered text of the element with whitespace collapsed. Offsets point
into the file when every item text occurs in it verbatim, else into a rendered document
(see kg.ingest.place_items).
"""
from __future__ import annotations

import re
from typing import Optional
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..errors import warning
from ..dates import parse_date
from ..model import Issue
from . import ItemSpec, clean_str, place_items
from .sniff import html as detect  # noqa: F401 (kg.ingest.html.detect, as before)
from ._markup import bound_nesting
from .stories import DAY_FIRST, Block, numeric_date, recognised, soften_units, stories_of
from .text import URL_LINE, _parse_title, _title_meta

REMOVE_TAGS = ("script", "style", "noscript", "template", "nav", "footer", "aside", "form",
               "iframe", "svg", "button", "select", "input", "textarea", "canvas", "object",
               "embed", "video", "audio", "dialog", "head", "title", "meta", "link")
BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|footer|sidebar|cookies?|consent|banner|subscribe|"
    r"signup|share|sharing|social|advert|ads|promo|breadcrumbs?|related|comments?|skip|"
    r"preheader|masthead|unsubscribe|toolbar|popup|modal)(?:$|[\s_-])", re.I)
BOILER_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"}
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|max-height\s*:\s*0", re.I)
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
LISTS = ("ul", "ol", "menu", "dl")
ITEMS = ("li", "dt", "dd")
PARAS = ("p", "blockquote", "pre", "figcaption", "summary", "address", "caption")
INLINE = {"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "dfn", "em", "font", "i",
          "img", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time",
          "u", "var", "wbr", "del", "ins", "big", "tt", "strike", "label", "-text", "-comment",
          "_text", "_comment"}
MAX_DEPTH = 150


def _is_text(node: LexborNode) -> bool:
    return node.tag in ("-text", "_text")


def _hidden(node: LexborNode) -> bool:
    a = node.attributes
    if "hidden" in a or (a.get("aria-hidden") or "").lower() == "true":
        return True
    return bool(HIDDEN_STYLE.search(a.get("style") or ""))


def _boilerplate(node: LexborNode) -> bool:
    a = node.attributes
    if (a.get("role") or "").lower() in BOILER_ROLES:
        return True
    names = " ".join(v for v in (a.get("class"), a.get("id")) if v)
    return bool(names and BOILERPLATE.search(names))


def _strip(root: LexborNode, keep_headers: bool) -> None:
    doomed = []
    for node in root.traverse(include_text=False):
        if node.tag in REMOVE_TAGS or (node.tag == "header" and not keep_headers) \
                or _hidden(node) or _boilerplate(node):
            doomed.append(node)
    for node in doomed:
        try:
            node.decompose()
        except Exception:  # already gone with an ancestor
            pass


class _Walker:
    """Turns the content root into Blocks (kg.ingest.stories), in document order: headings,
    paragraphs, list items (with their depth), tables of data, images and their captions,
    rules, and the bounds of <section>/<article> elements. The story cutter then makes the
    items; the issue's title line, date and `Source: URL` lines are read on the way."""

    def __init__(self, base: Optional[str]):
        self.base = base
        self.blocks: list[Block] = []
        self.title_line: Optional[str] = None
        self.date: Optional[str] = None
        self.urls: list[str] = []
        self.block_urls: list[list[str]] = []
        self.day_first = False          # the page's locale writes 12/11/2025 as 12 November

    @property
    def specs(self) -> list[ItemSpec]:
        if not hasattr(self, "_specs"):
            self._specs = self._stories()
        return self._specs

    def link(self, href: Optional[str]) -> Optional[str]:
        if not href:
            return None
        href = href.strip()
        if self.base and not re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I):
            href = urljoin(self.base, href)
        return href if re.match(r"^https?://[^\s<>\"{}|\\^`]+$", href) else None

    def inline(self, node: LexborNode, skip_lists: bool) -> tuple[str, list[str]]:
        """The text of a node as a reader sees it, and the links in it."""
        text, urls, _ = self.inline_marked(node, skip_lists)
        return text, urls

    def inline_marked(self, node: LexborNode, skip_lists: bool) -> tuple[str, list[str], list[tuple[str, str]]]:
        """The text of a node, its links, and its text in runs marked 'b' (bold), 'a' (a
        link) or '' (plain): what says whether the block is a title or has a lead."""
        out: list[str] = []
        urls: list[str] = []
        runs: list[tuple[str, str]] = []

        def rec(n: LexborNode, depth: int, mark: str):
            if _is_text(n):
                t = n.text(deep=False) or ""
                out.append(t)
                runs.append((mark, t))
                return
            tag = n.tag
            if tag in ("-comment", "_comment", "#comment"):
                return
            if depth > MAX_DEPTH:
                t = " " + (n.text(deep=True) or "") + " "
                out.append(t)
                runs.append((mark, t))
                return
            if skip_lists and depth > 0 and tag in LISTS:
                return
            m = mark
            if tag == "a":
                u = self.link(n.attributes.get("href"))
                if u:
                    urls.append(u)
                m = mark or "a"
            elif tag in ("b", "strong") or (tag in HEADINGS and depth > 0):
                m = "b"
            if tag == "img":
                alt = n.attributes.get("alt")
                if alt and n.parent is not None and n.parent.tag == "a":
                    out.append(alt)
                return
            block = tag not in INLINE
            if block or tag == "br":
                out.append(" ")
                runs.append(("", " "))
            for c in n.iter(include_text=True):
                rec(c, depth + 1, m)
            if block:
                out.append(" ")
                runs.append(("", " "))

        rec(node, 0, "")
        return clean_str("".join(out)), urls, runs

    def add(self, kind: str, node: Optional[LexborNode], level: int = 0, ordered: bool = False,
            text: Optional[str] = None, urls: Optional[list[str]] = None, skip_lists: bool = False) -> None:
        runs: list[tuple[str, str]] = []
        if node is not None and text is None:
            text, urls, runs = self.inline_marked(node, skip_lists)
        text = text or ""
        if not text and kind not in ("rule", "boundary", "media"):
            return
        k = len(self.blocks)
        b = Block(kind=kind, start=k, end=k + 1, text=text, level=level, ordered=ordered)
        if runs:
            _flags(b, runs)
        self.blocks.append(b)
        self.block_urls.append(list(urls or []))

    def walk(self, node: LexborNode, depth: int = 0, list_depth: int = -1) -> None:
        buf: list[LexborNode] = []

        def flush():
            if not buf:
                return
            only_media = all(n.tag == "img" or (n.tag == "a" and n.css_first("img") is not None
                                                and not (n.text(deep=True) or "").strip())
                             or (_is_text(n) and not (n.text(deep=False) or "").strip()) for n in buf)
            if only_media and any(n.tag in ("img", "a") for n in buf):
                self.add("media", None, text="")
                buf.clear()
                return
            parts, urls, runs = [], [], []
            for n in buf:
                t, u, r = self.inline_marked(n, skip_lists=False)
                parts.append(t)
                urls += u
                runs += r
            buf.clear()
            # inline siblings: their own (raw) spaces separate them, none is added
            text = clean_str("".join(t for _, t in runs)) or clean_str(" ".join(parts))
            if text:
                self.para_text(text, urls, runs)

        for child in node.iter(include_text=True):
            tag = child.tag
            if _is_text(child) or tag in INLINE:
                buf.append(child)
                continue
            flush()
            if depth > MAX_DEPTH:
                self.para_text(*self.inline_marked(child, skip_lists=False))
            elif tag in HEADINGS:
                text = self.inline(child, skip_lists=False)[0]
                if text:
                    self.add("heading", None, level=HEADINGS[tag], text=text)
            elif tag in ITEMS:
                self.add("item", child, level=max(list_depth, 0), ordered=child.parent is not None
                         and child.parent.tag == "ol", skip_lists=True)
                for sub in child.iter(include_text=False):
                    if sub.tag in LISTS:
                        self.walk(sub, depth + 1, list_depth + 1)
            elif tag in LISTS:
                self.walk(child, depth + 1, list_depth + 1)
            elif tag == "figcaption":
                self.add("credit", child)
            elif tag == "figure":
                self.add("media", None, text="")
                for sub in child.iter(include_text=False):
                    if sub.tag == "figcaption":
                        self.add("credit", sub)
            elif tag == "table" and not _layout_table(child):
                # a row a line, its cells between pipes, and a header row (<th> cells, a
                # <thead>, or cells all bold, as e-mail templates write it) followed by a
                # delimiter row: the table as Markdown writes it, which kg.extract.tables reads
                # by its columns
                rows = []
                for tr in child.css("tr"):
                    tds = [td for td in tr.iter(include_text=False) if td.tag in ("td", "th")]
                    marked = [self.inline_marked(td, skip_lists=False) for td in tds]
                    cells = [m[0].replace("|", "/") for m in marked]
                    if not any(cells):
                        continue
                    rows.append(" | ".join(c or "–" for c in cells))
                    if len(rows) == 1 and len(cells) > 1 and (
                            all(td.tag == "th" for td in tds) or (tr.parent is not None and tr.parent.tag == "thead")
                            or all(c and all(mk == "b" for mk, t in m[2] if t.strip()) for c, m in zip(cells, marked))):
                        rows.append(" | ".join("---" for _ in cells))
                if rows:
                    self.add("table", None, text="\n".join(rows))
            elif tag in PARAS:
                self.para_text(*self.inline_marked(child, skip_lists=False))
            elif tag == "hr":
                self.add("rule", None, text="")
            elif tag in ("section", "article") and _container(child):
                self.add("boundary", None, text="")
                self.walk(child, depth + 1, list_depth)
                self.add("boundary", None, text="")
            else:
                self.walk(child, depth + 1, list_depth)
        flush()

    def para_text(self, text: str, urls: list[str], runs: list[tuple[str, str]]) -> None:
        if not text:
            return
        if not self.date and len(text) <= 40:
            d = parse_date(text) or numeric_date(text, self.day_first)
            if d:
                self.date = d
                return
        m = URL_LINE.match(text)
        if m or (len(text) <= 60 and re.match(r"^(?:Source|URL|Link|Web version|View online|来源|原文)\s*[:：]", text, re.I) and urls):
            u = m.group("url") if m else (urls[0] if urls else None)
            if u:
                if u not in self.urls:
                    self.urls.append(u)
                return
        k = len(self.blocks)
        kind = "para"
        g = GLYPH.match(text)
        if g and len(text) > g.end():       # '• Hooli raised …' in a table cell: a bullet
            kind, text = "item", text[g.end():]
            runs = _drop_glyph(runs)
        b = Block(kind=kind, start=k, end=k + 1, text=text)
        _flags(b, runs)
        self.blocks.append(b)
        self.block_urls.append(list(urls))

    def _stories(self) -> list[ItemSpec]:
        specs = []
        stories = stories_of(self.blocks)
        for st in stories:
            texts = [soften_units(b.text) if b is st.headline else b.text
                     for b in st.blocks if b.kind not in ("media", "rule", "boundary") and b.text]
            if not texts:
                continue
            urls = [u for b in st.blocks for u in self.block_urls[b.start]]
            body = " ".join(b.text for b in st.body_blocks() if b.text)
            specs.append(ItemSpec(text="\n".join(texts), headline=st.headline_text, body=body or texts[0],
                                  outlet=st.outlet, section=st.section,
                                  kind=st.kind, urls=urls))
        self.recognised = recognised(stories) if len(specs) > 1 else True
        return specs


def _flags(b: Block, runs: list[tuple[str, str]]) -> None:
    """Title / lead / last link label of a block from its marked runs."""
    marked = [(m, t) for m, t in runs if t.strip()]
    if not marked:
        return
    if all(m for m, _ in marked):
        b.title = True
        return
    first = marked[0][0]
    if first:
        lead = []
        for m, t in marked:
            if m != first:
                break
            lead.append(t)
        lead_text = clean_str("".join(lead))
        if first == "b" or b.kind == "item":
            b.lead = lead_text
    tail = [(m, t) for m, t in marked]
    while tail and not tail[-1][0] and not re.search(r"\w", tail[-1][1]):
        tail.pop()
    if tail and tail[-1][0] == "a":
        lab = []
        for m, t in reversed(tail):
            if m != "a":
                break
            lab.append(t)
        b.link_label = clean_str("".join(reversed(lab)))


CONTAINED = {"p", "ul", "ol", "table", "figure", "div", "blockquote", "section", "article", *HEADINGS}


def _container(node: LexborNode) -> bool:
    """A <section> or <article> that bounds stories: it holds a heading or several blocks of
    its own (WeChat-style pages wrap every paragraph in a <section>: those bound nothing).
    Only its children are looked at, so nested sections cost no more than the page."""
    n = 0
    for c in node.iter(include_text=False):
        if c.tag in HEADINGS:
            return True
        if c.tag in CONTAINED:
            n += 1
    return n >= 2


GLYPH = re.compile(r"^[·•▪●◦‣–-]\s+")


def _drop_glyph(runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out, dropped = [], False
    for m, t in runs:
        if not dropped and t.strip():
            g = GLYPH.match(t.lstrip())
            if g:
                t = t.lstrip()[g.end():]
                dropped = True
            else:
                dropped = True
        out.append((m, t))
    return out


def _layout_table(node: LexborNode) -> bool:
    """A table used for layout (an e-mail's frame), not for data: it holds blocks, or its
    rows are mostly single cells or long text."""
    if node.css_first("p, div, h1, h2, h3, h4, ul, ol, blockquote") is not None or len(node.css("table")) > 1:
        return True
    rows = node.css("tr")
    if not rows:
        return True
    multi = 0
    for tr in rows:
        cells = [c for c in tr.iter(include_text=False) if c.tag in ("td", "th")]
        if len(cells) >= 2 and all(len((c.text(deep=True) or "").strip()) <= 60 for c in cells):
            multi += 1
    return multi * 2 < len(rows)


def _meta(tree: LexborHTMLParser, *names: str) -> Optional[str]:
    for name in names:
        node = tree.css_first(f'meta[property="{name}"]') or tree.css_first(f'meta[name="{name}"]')
        if node is not None and (node.attributes.get("content") or "").strip():
            return node.attributes["content"].strip()
    return None


def _iso(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    m = re.match(r"\s*((?:19|20)\d\d-[01]\d-[0-3]\d)", value)
    if m:
        return parse_date(m.group(1))
    return parse_date(value[:60])


def html_to_specs(fragment_or_page: str, base: Optional[str] = None) -> tuple["_Walker", LexborHTMLParser]:
    """Parse HTML (a page or a fragment) and walk its content: the shared core of the HTML
    reader and of feed entries that carry a whole issue."""
    tree = LexborHTMLParser(bound_nesting(fragment_or_page))  # linear however deep it nests
    b = tree.css_first("base[href]")
    if b is not None:
        base = urljoin(base or "", b.attributes.get("href") or "") or base
    walker = _Walker(base)
    html_node = tree.css_first("html")
    walker.day_first = bool(DAY_FIRST.match((html_node.attributes.get("lang") or "") if html_node is not None else ""))
    body = tree.body
    if body is None:
        return walker, tree
    root = None
    for sel in ("article", "main", '[role="main"]'):
        nodes = body.css(sel)
        if nodes:
            root = max(nodes, key=lambda n: len(n.text(deep=True) or "")) if sel == "article" else nodes[0]
            break
    h1 = body.css_first("h1")
    if h1 is not None:
        walker.title_line = walker.inline(h1, skip_lists=False)[0] or None
    _strip(root or body, keep_headers=root is not None)
    if h1 is not None and walker.title_line:
        try:
            h1.decompose()
        except Exception:
            pass
    walker.walk(root or body)
    return walker, tree


def read_html(text: str, source_file: str, content_hash: str) -> list[Issue]:
    canonical = None
    pre = LexborHTMLParser(bound_nesting(text[:200_000])) if len(text) > 200_000 else None
    probe = pre or LexborHTMLParser(bound_nesting(text))
    node = probe.css_first('link[rel="canonical"]')
    if node is not None:
        canonical = (node.attributes.get("href") or "").strip() or None
    canonical = canonical or _meta(probe, "og:url")
    walker, tree = html_to_specs(text, canonical)
    issue = Issue(newsletter="", number=None, date=None, source_file=source_file,
                  content_hash=content_hash, text=text)
    title_node = tree.css_first("title")
    candidates = [walker.title_line, title_node.text(deep=True) if title_node is not None else None,
                  _meta(tree, "og:title")]
    for cand in candidates:
        cand = clean_str(cand)
        if cand and _parse_title(cand, issue):
            break
    if not issue.newsletter:
        site = _meta(tree, "og:site_name", "application-name")
        if site:
            issue.newsletter = clean_str(site)
        elif walker.title_line and _title_meta(clean_str(walker.title_line), issue) and issue.newsletter:
            pass                                                # '<h1>港股晨報 第128期</h1>'
        elif walker.title_line and len(walker.title_line.split()) <= 4:
            issue.newsletter = clean_str(walker.title_line)     # '<h1>Axios Pro Rata</h1>'

        issue.title = clean_str(walker.title_line or (candidates[1] or "")) or None
    if not issue.date:
        t = tree.css_first("time[datetime]")
        issue.date = walker.date or _iso(_meta(tree, "article:published_time", "date", "dc.date",
                                               "DC.date", "pubdate", "publish-date")) \
            or _iso(t.attributes.get("datetime") if t is not None else None)
    for u in ([canonical] if canonical else []) + walker.urls:
        if u and re.match(r"^https?://[^\s<>\"{}|\\^`]+$", u) and u not in issue.urls:
            issue.urls.append(u)
    header = "\n".join(x for x in (clean_str(walker.title_line) or issue.title or "",
                                   issue.date or "") if x)
    place_items(issue, text, walker.specs, header)
    if not walker.recognised:
        issue.warnings.append(warning("W009", path=source_file, n=len(walker.specs)))
    return [issue]

