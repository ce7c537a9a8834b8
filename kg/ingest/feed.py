"""Reader for RSS 2.0, RSS 1.0 (RDF) and Atom feed files, parsed by feedparser.

A feed is read in one of two ways, decided per file:

* **entries are issues** — when an entry's title reads like an issue title
  ("AI Weekly — Issue 12: ...") or its content holds a list of two or more items: each
  entry becomes an Issue, its content HTML is read like an HTML page (headings are
  sections, list items are items), its date is the entry's published/updated date;
* **entries are items** — otherwise: the feed is one Issue (newsletter and number from the
  channel title, date from the channel, else the newest entry), each entry one item
  `Outlet: Title – summary` whose outlet is the entry's <source> (or the channel title is
  not used as an outlet), whose date is the entry's own date and whose URL is its link.

The decoded text is handed to feedparser as UTF-8 with the XML declaration's encoding
rewritten, so the declared charset cannot undo our decoding. Broken XML (feedparser's
"bozo" flag) is a warning; whatever feedparser could recover is kept.
"""
from __future__ import annotations

import re
import time
from typing import Optional

import feedparser

from ..errors import warning
from ..model import Issue
from . import MAX_ITEM_CHARS, ItemSpec, clean_str, issue_key, place_items
from .sniff import DOCTYPE, DOCTYPE_RE, PROLOG, PROLOG_WINDOW, feed as detect  # noqa: F401
from .html import html_to_specs
from .text import TITLE_EN, TITLE_ZH, _parse_title

XML_DECL = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])[^\"']*\2", re.I)
MAX_ENTRIES = 100_000


def _iso(st: Optional[time.struct_time]) -> Optional[str]:
    if not st:
        return None
    try:
        y, mo, d = st.tm_year, st.tm_mon, st.tm_mday
    except AttributeError:
        return None
    if 1900 <= y <= 2999 and 1 <= mo <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def _entry_date(e) -> Optional[str]:
    return _iso(e.get("published_parsed")) or _iso(e.get("updated_parsed")) or _iso(e.get("created_parsed"))


def _content_html(e) -> str:
    content = e.get("content") or []
    vals = [c.get("value") or "" for c in content if isinstance(c, dict)]
    best = max(vals, key=len) if vals else ""
    summary = e.get("summary") or ""
    return best if len(best) >= len(summary) else summary


def _looks_like_issue(e) -> bool:
    title = clean_str(e.get("title"))
    if title and (TITLE_EN.match(title) or TITLE_ZH.match(title)):
        return True
    html = _content_html(e)
    return len(re.findall(r"<li\b", html, re.I)) >= 2


def _plain(html: str) -> str:
    if "<" not in html and "&" not in html:
        return clean_str(html)
    walker, _ = html_to_specs(html)
    return clean_str(" ".join(sp.text for sp in walker.specs))


def _entry_line(text: str, e, fallback: int) -> int:
    """Line of an entry in the file: where its id, link or title first occurs."""
    for key in ("id", "link", "title"):
        v = e.get(key)
        if v and len(v) >= 8:
            k = text.find(v)
            if k != -1:
                return text.count("\n", 0, k) + 1
    return fallback


def _without_subset(xml: str) -> tuple[str, int]:
    """The feed with its DOCTYPE's internal subset taken out, and the line it was on (0 if
    none): entities it declares are never expanded, neither external ones (XXE) nor nested
    ones (billion laughs) nor literal ones. Its line ends go after the DOCTYPE, so that the
    parser's line numbers stay those of the file."""
    m = PROLOG.match(xml)
    d = DOCTYPE_RE.search(xml, 0, m.start("tag")) if m else None
    if not d or d.group("subset") is None:
        # a subset too broken to match: what feedparser would keep of it (its declarations
        # before the first element) goes all the same
        root = re.search(r"<\w", xml)
        head = xml[:root.start()] if root else xml
        if "<!ENTITY" not in head.upper():
            return xml, 0
        line = head.upper().index("<!ENTITY")
        head = re.sub(r"<!ENTITY[^>]*>", lambda e: "\n" * e.group(0).count("\n"), head, flags=re.I)
        return head + (xml[root.start():] if root else ""), xml.count("\n", 0, line) + 1
    a, b = d.span("subset")
    return xml[:a] + xml[b:d.end()] + "\n" * xml.count("\n", a, b) + xml[d.end():], xml.count("\n", 0, a) + 1


def read_feed(text: str, source_file: str, content_hash: str) -> list[Issue]:
    xml = XML_DECL.sub(lambda m: m.group(1) + m.group(2) + "utf-8" + m.group(2), text, count=1)
    xml, subset_line = _without_subset(xml)
    parsed = feedparser.parse(xml.encode("utf-8", "surrogatepass"),
                              response_headers={"content-type": "application/xml; charset=utf-8"},
                              sanitize_html=True, resolve_relative_uris=False)
    warns: list[str] = []
    if subset_line:
        warns.append(warning("W007", path=source_file, line=subset_line,
                             reason="its DOCTYPE declares an internal subset; ignored (entities are never expanded)"))
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        line = 1
        try:
            line = exc.getLineNumber()  # SAX parse errors know where they happened
        except Exception:
            pass
        reason = str(exc).splitlines()[0][:160] if exc else "malformed feed"
        if not isinstance(exc, feedparser.CharacterEncodingOverride):
            warns.append(warning("W007", path=source_file, line=line,
                                 reason=f"the feed is not well-formed ({reason}); kept what could be read"))
    entries = list(parsed.get("entries") or [])
    if len(entries) > MAX_ENTRIES:
        warns.append(warning("W006", path=source_file, line=1, what=f"{len(entries) - MAX_ENTRIES} entries",
                             reason=f"more than {MAX_ENTRIES} in one feed"))
        entries = entries[:MAX_ENTRIES]
    feed = parsed.get("feed") or {}
    feed_title = clean_str(feed.get("title"))
    feed_link = feed.get("link") or ""
    if any(_looks_like_issue(e) for e in entries[:50]):
        issues = _entries_as_issues(text, entries, feed_title, feed_link, source_file, content_hash, warns)
    else:
        issues = _entries_as_items(text, entries, feed, source_file, content_hash, warns)
    if issues:
        issues[0].warnings[:0] = warns
    return issues


def _url_ok(u: Optional[str]) -> bool:
    return bool(u) and bool(re.match(r"^https?://[^\s<>\"{}|\\^`]+$", u))


def _entries_as_issues(text, entries, feed_title, feed_link, source_file, content_hash, warns) -> list[Issue]:
    # entries that are the same issue (same newsletter and number, or date) are merged
    found: dict[tuple, tuple[Issue, list[ItemSpec], str]] = {}
    for i, e in enumerate(entries, start=1):
        title = clean_str(e.get("title"))
        issue = Issue(newsletter="", number=None, date=None, source_file=source_file,
                      content_hash=content_hash, text=text)
        if not (title and _parse_title(title, issue)):
            _parse_title(feed_title, issue) if feed_title else None
            issue.newsletter = issue.newsletter or feed_title
            issue.title = title or None
        issue.date = _entry_date(e) or issue.date
        link = e.get("link")
        if _url_ok(link):
            issue.urls.append(link)
        walker, _ = html_to_specs(_content_html(e), link or feed_link or None)
        if walker.title_line and not issue.number:
            _parse_title(walker.title_line, issue)
        issue.date = issue.date or walker.date
        for u in walker.urls:
            if u not in issue.urls:
                issue.urls.append(u)
        if not walker.specs:
            warns.append(warning("W006", path=source_file, line=_entry_line(text, e, 1),
                                 what=f"entry {i} ({title[:60]!r})", reason="it has no content"))
            continue
        key = issue_key(issue.newsletter, issue.number, issue.date)
        if key in found:
            first, specs, _ = found[key]
            specs.extend(walker.specs)
            first.urls += [u for u in issue.urls if u not in first.urls]
        else:
            found[key] = (issue, list(walker.specs), "\n".join(x for x in (title, issue.date or "") if x))
    issues = []
    for issue, specs, header in found.values():
        place_items(issue, text, specs, header)
        issues.append(issue)
    return issues


def _entries_as_items(text, entries, feed, source_file, content_hash, warns) -> list[Issue]:
    feed_title = clean_str(feed.get("title"))
    issue = Issue(newsletter="", number=None, date=None, source_file=source_file,
                  content_hash=content_hash, text=text)
    if not (feed_title and _parse_title(feed_title, issue)):
        issue.newsletter = feed_title
        issue.title = clean_str(feed.get("subtitle")) or None
    issue.summary = _plain(feed.get("subtitle") or "") or None
    link = feed.get("link")
    if _url_ok(link):
        issue.urls.append(link)
    specs: list[ItemSpec] = []
    dates = []
    for i, e in enumerate(entries, start=1):
        title = clean_str(e.get("title"))
        summary = _plain(_content_html(e))
        if not title and not summary:
            warns.append(warning("W006", path=source_file, line=_entry_line(text, e, 1),
                                 what=f"entry {i}", reason="it has neither a title nor a summary"))
            continue
        src = e.get("source") or {}
        outlet = clean_str(src.get("title") if isinstance(src, dict) else None) or None
        d = _entry_date(e)
        if d:
            dates.append(d)
        tags = e.get("tags") or []
        section = next((clean_str(t.get("term") or t.get("label")) for t in tags if isinstance(t, dict)
                        and (t.get("term") or t.get("label"))), None)
        urls = [u for u in [e.get("link")] + [ln.get("href") for ln in e.get("links") or [] if isinstance(ln, dict)]
                if _url_ok(u)]
        if title and summary and summary.startswith(title):
            summary = summary[len(title):].lstrip(" .:–—-")
        line = _entry_line(text, e, 1) if len(title) + len(summary) > MAX_ITEM_CHARS else None
        specs.append(ItemSpec(outlet=outlet, headline=title, body=summary, section=section,
                              urls=urls, date=d, line=line))
    issue.date = _iso(feed.get("published_parsed")) or _iso(feed.get("updated_parsed")) or (max(dates) if dates else None)
    header = "\n".join(x for x in (feed_title, issue.date or "") if x)
    place_items(issue, text, specs, header)
    return [issue]

