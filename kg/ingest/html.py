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

from ..extract.dates import parse_date
from ..model import Issue
from . import ItemSpec, Reader, clean_str, place_items, register
from ._markup import bound_nesting
from .text import URL_LINE, _parse_title

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


def detect(text: str, name: str) -> int:
    head = text[:4096].lstrip("\ufeff \t\r\n")
    if "<" not in head:
        return 0  # no markup: plain text, whatever the name says (what the tests below conclude)
    head = head.lower()
    ext = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if head.startswith("<!doctype html") or re.match(r"(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<html\b", head, re.S):
        return 95
    if re.search(r"<(?:rss|feed|rdf:rdf)\b", head):
        return 0
    tags = len(re.findall(r"</?(?:p|li|ul|ol|div|h[1-6]|a|br|span|table|td|body)\b[^>]*>", head))
    if ext in ("html", "htm", "xhtml"):
        return 90 if tags else 0  # no markup at all: plain text, whatever the name says
    if head.startswith("<") and tags >= 3:
        return 80
    return 0


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
    """Turns the content root into ItemSpecs, in document order."""

    def __init__(self, base: Optional[str]):
        self.base = base
        self.section: Optional[str] = None
        self.specs: list[ItemSpec] = []
        self.title_line: Optional[str] = None
        self.date: Optional[str] = None
        self.urls: list[str] = []
        self.leads_ok = True

    def link(self, href: Optional[str]) -> Optional[str]:
        if not href:
            return None
        href = href.strip()
        if self.base and not re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I):
            href = urljoin(self.base, href)
        return href if re.match(r"^https?://[^\s<>\"{}|\\^`]+$", href) else None

    def inline(self, node: LexborNode, skip_lists: bool) -> tuple[str, list[str]]:
        """The text of a node as a reader sees it, and the links in it."""
        out: list[str] = []
        urls: list[str] = []

        def rec(n: LexborNode, depth: int):
            if _is_text(n):
                out.append(n.text(deep=False) or "")
                return
            tag = n.tag
            if tag in ("-comment", "_comment", "#comment"):
                return
            if depth > MAX_DEPTH:
                out.append(" " + (n.text(deep=True) or "") + " ")
                return
            if skip_lists and depth > 0 and tag in LISTS:
                return
            if tag == "a":
                u = self.link(n.attributes.get("href"))
                if u:
                    urls.append(u)
            if tag == "img":
                alt = n.attributes.get("alt")
                if alt and n.parent is not None and n.parent.tag == "a":
                    out.append(alt)
                return
            block = tag not in INLINE
            if block or tag == "br":
                out.append(" ")
            for c in n.iter(include_text=True):
                rec(c, depth + 1)
            if block:
                out.append(" ")

        rec(node, 0)
        return clean_str("".join(out)), urls

    def walk(self, node: LexborNode, depth: int = 0) -> None:
        buf: list[LexborNode] = []

        def flush():
            if not buf:
                return
            parts, urls = [], []
            for n in buf:
                t, u = self.inline(n, skip_lists=False)
                parts.append(t)
                urls += u
            buf.clear()
            self.para(clean_str(" ".join(parts)), urls)

        for child in node.iter(include_text=True):
            tag = child.tag
            if _is_text(child) or tag in INLINE:
                buf.append(child)
                continue
            flush()
            if depth > MAX_DEPTH:
                self.para(*self.inline(child, skip_lists=False))
            elif tag in HEADINGS:
                self.heading(HEADINGS[tag], self.inline(child, skip_lists=False)[0])
            elif tag in ITEMS:
                text, urls = self.inline(child, skip_lists=True)
                if text:
                    self.specs.append(ItemSpec(text=text, section=self.section, urls=urls))
                for sub in child.iter(include_text=False):
                    if sub.tag in LISTS:
                        self.walk(sub, depth + 1)
            elif tag in PARAS:
                self.para(*self.inline(child, skip_lists=False))
            elif tag == "hr":
                continue
            else:
                self.walk(child, depth + 1)
        flush()

    def heading(self, level: int, text: str) -> None:
        if not text:
            return
        if level == 1 and self.title_line is None:
            self.title_line = text
            return
        self.section = text

    def para(self, text: str, urls: list[str]) -> None:
        if not text:
            return
        if not self.date and len(text) <= 40:
            d = parse_date(text)
            if d:
                self.date = d
                return
        m = URL_LINE.match(text)
        if m or (len(text) <= 60 and re.match(r"^(?:Source|URL|Link|Web version|View online|来源|原文)\s*[:：]", text, re.I) and urls):
            u = m.group("url") if m else urls[0]
            if u not in self.urls:
                self.urls.append(u)
            return
        self.specs.append(ItemSpec(text=text, section=self.section, kind="lead", urls=urls))


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
    return [issue]


register(Reader("html", (".html", ".htm", ".xhtml"), detect, read_html))
