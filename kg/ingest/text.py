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
from typing import Optional

from ..extract.dates import parse_date
from ..model import Issue, Item

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
URL_LINE = re.compile(r"^(?:内容来源|来源|原文|Source|URL|Link|Web version|View online)\s*[:：]\s*(?P<url>https?://\S+)\s*$", re.I)
MODE_LINES = {
    "内容总结": "summary", "内容摘要": "summary", "摘要": "summary", "总结": "summary",
    "中文翻译": "zh", "中文版": "zh", "英文来源": "en", "英文原文": "en", "English": "en",
    "English version": "en", "Original": "en",
}
TITLE_ZH = re.compile(r"^(?P<name>.+?)\s*[-–—|]+\s*第\s*(?P<num>\d+)\s*期\s*[:：]?\s*(?P<title>.*?)(?:\s*[-–—|]+\s*(?P<date>[^-–—|]*\d{4}[^-–—|]*))?\s*$")
TITLE_EN = re.compile(r"^(?P<name>.+?)\s*[-–—|,:]+\s*(?:Issue|No\.?|Vol\.?\s*\d+,?\s*No\.?|#)\s*#?(?P<num>\d+)\s*[:：]?\s*(?P<title>.*?)(?:\s*[-–—|]+\s*(?P<date>\d{4}-\d\d?-\d\d?|[^-–—|]*\d{4}[^-–—|]*))?\s*$", re.I)
PERIODICITY_ZH = {"周刊": "Weekly", "周报": "Weekly", "日报": "Daily", "月刊": "Monthly", "月报": "Monthly",
                  "简报": "Brief", "快讯": "Briefing", "通讯": "Newsletter"}
MD_LINK = re.compile(r"\[(?P<text>[^\]\n]*)\]\((?P<url>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
MD_EMPH = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
TRAILING_OUTLET = re.compile(r"\s*[(（](?P<outlet>[A-Z][\w'’&.\- ]{1,40}|[\u4e00-\u9fff]{2,12})[)）]\s*[.。]?\s*$")


def lang_of(text: str) -> str:
    """'zh' when the text has CJK characters and they are at least a sixth as many as its
    Latin letters, else 'en'. (Characters are counted by runs: a list of every letter
    would cost more than the count.)"""
    cjk = sum(map(len, CJK_RUN.findall(text)))
    if not cjk:
        return "en"
    latin = sum(map(len, LATIN_RUN.findall(text)))
    return "zh" if cjk * 3 >= latin * 0.5 else "en"


def mask_markdown(s: str) -> tuple[str, list[str]]:
    """Replace Markdown markup by spaces of the same length; return it with the link URLs."""
    urls: list[str] = []

    def link(m: re.Match) -> str:
        urls.append(m.group("url"))
        t = m.group("text")
        return " " + t + " " * (len(m.group(0)) - len(t) - 1)

    s = MD_LINK.sub(link, s)
    if "*" in s or "_" in s or "`" in s:  # far cheaper than the regex's own scan
        s = MD_EMPH.sub(lambda m: " " * len(m.group(1)) + m.group(2) + " " * len(m.group(1)), s)
    for u in URL.findall(s):
        urls.append(u)
    return s, urls


def english_name(name: str) -> str:
    """'AI周刊' -> 'AI Weekly': translate a Chinese periodicity word in a newsletter name."""
    for zh, en in PERIODICITY_ZH.items():
        if name.endswith(zh) and LATIN.search(name[: -len(zh)]) and not CJK.search(name[: -len(zh)]):
            return name[: -len(zh)].strip() + " " + en
    return name


def split_item(rest: str) -> tuple[Optional[str], str, str]:
    """'Outlet: Headline – body' -> (outlet, headline, body); parts may be missing."""
    outlet = None
    m = COLON.search(rest)
    if m:
        prefix = rest[: m.start()].strip()
        if prefix and len(prefix) <= 40 and len(prefix.split()) <= 5 and not re.search(r"\d{2,}|[.!?。]$", prefix):
            outlet = prefix
            rest = rest[m.end():]
    sep = SEPARATORS.search(rest)
    if sep:
        headline, body = rest[: sep.start()].strip(), rest[sep.end():].strip()
    else:
        headline, body = "", rest.strip()
    if outlet is None:
        t = TRAILING_OUTLET.search(body)
        if t and not re.fullmatch(r"[A-Z]{1,5}", t.group("outlet").strip()):
            outlet = t.group("outlet").strip()
            body = body[: t.start()].rstrip()
    return outlet, headline, body


def _is_heading_line(s: str) -> bool:
    s = s.strip()
    if not s or len(s) > 100:
        return False
    if re.search(r"[.!。!;；]$", s) and not s.endswith("..."):
        return False
    return True


def parse_text(text: str, source_file: str, content_hash: str) -> Issue:
    lines = text.splitlines(keepends=True)
    offsets = []
    pos = 0
    for ln in lines:
        offsets.append(pos)
        pos += len(ln)

    issue = Issue(newsletter="", number=None, date=None, source_file=source_file,
                  content_hash=content_hash, text=text)
    mode: Optional[str] = None          # None | summary | zh | en | trailer
    section: dict[str, Optional[str]] = {"en": None, "zh": None}
    pending: list[str] = []             # heading-like lines not yet attached
    counters = {"en": 0, "zh": 0}
    summary: list[str] = []
    title_done = False

    # bullets whose next meaningful line is an item and which have no separator are sections
    def next_nonblank(i: int) -> Optional[str]:
        for j in range(i + 1, len(lines)):
            if lines[j].strip():
                return lines[j]
        return None

    def add_item(lang: str, kind: str, start: int, masked: str, outlet, headline, body, urls, sect):
        """`masked`: the item's text in the file from `start`, Markdown masked."""
        counters[lang] += 1
        issue.items.append(Item(lang=lang, position=counters[lang], text=masked, start=start,
                                end=start + len(masked), headline=headline, body=body,
                                outlet=outlet, section=sect, kind=kind, urls=list(dict.fromkeys(urls))))

    para: list[tuple[int, str]] = []    # (line index, stripped line) of the current paragraph

    def flush_para():
        nonlocal para, pending
        if not para:
            return
        i0, first = para[0]
        start = offsets[i0] + (len(lines[i0]) - len(lines[i0].lstrip()))
        last_i, last = para[-1]
        end = offsets[last_i] + len(lines[last_i].rstrip("\r\n"))
        raw = text[start:end]
        if mode == "summary":
            summary.append(raw.strip())
        else:
            lang = lang_of(raw)
            headline = pending[-1] if pending else ""
            if len(pending) >= 2:
                section[lang] = pending[-2]
            clean, _ = mask_markdown(headline)
            masked, urls = mask_markdown(raw)
            add_item(lang, "lead", start, masked, None, clean.strip(), masked.strip(), urls, section[lang])
        para = []
        pending = []

    for i, line in enumerate(lines):
        s = line.strip()
        if not s:
            flush_para()
            continue
        if not title_done:
            title_done = True
            if _parse_title(s, issue):
                continue
        if TRAILER.match(s):
            flush_para()
            mode = "trailer"
            for u in URL.findall(s):
                if u not in issue.urls:
                    issue.urls.append(u)
            continue
        m = URL_LINE.match(s)
        if m:
            flush_para()
            if m.group("url") not in issue.urls:
                issue.urls.append(m.group("url"))
            continue
        parts = COLON.split(s, 1)  # a mode line: "英文来源:" or "English", nothing after a colon
        key = parts[0].strip()
        if key in MODE_LINES and (len(parts) == 1 or not parts[1].strip()):
            flush_para()
            mode = MODE_LINES[key]
            pending = []
            continue
        if mode == "trailer":
            continue
        if not issue.date and re.fullmatch(r"[*_]*[^*_]{4,40}[*_]*", s) and parse_date(s.strip("*_ ")):
            issue.date = parse_date(s.strip("*_ "))
            continue
        h = MD_HEADING.match(s)
        if h:
            flush_para()
            title = mask_markdown(h.group("title"))[0].strip()
            if len(h.group("hashes")) == 1 and not issue.newsletter:
                _parse_title(title, issue)
                continue
            lang = lang_of(title)
            section[lang] = title
            pending = []
            continue
        b = BULLET.match(line.rstrip("\r\n"))
        if b and mode != "summary":
            flush_para()
            rest = b.group("rest")
            rest_start = offsets[i] + b.start("rest")
            lang = lang_of(rest)
            masked_rest, urls = mask_markdown(rest)
            outlet, headline, body = split_item(masked_rest)
            nxt = next_nonblank(i)
            nxt_b = BULLET.match(nxt.rstrip("\r\n")) if nxt else None
            is_numbered = b.group("mark")[0].isdigit()
            # a headline is what split_item found before a separator: then there is one
            no_sep = not headline and not SEPARATORS.search(masked_rest)
            if outlet and nxt_b and len(rest) <= 100 and no_sep and (
                    SEPARATORS.search(nxt_b.group("rest")) or is_numbered):
                section[lang] = rest.strip()
                pending = []
                continue
            if is_numbered and len(rest) <= 60 and nxt_b and not nxt_b.group("mark")[0].isdigit():
                section[lang] = rest.strip()
                pending = []
                continue
            # masking keeps lengths and never reaches into trailing whitespace: the masked
            # item is the masked rest without it
            masked = masked_rest[:len(rest.rstrip())]
            add_item(lang, "item", rest_start, masked, outlet.strip() if outlet else None, headline, body, urls,
                     section[lang])
            pending = []
            continue
        zs = NUMBERED_ZH_SECTION.match(s)
        if zs and mode != "summary" and _is_heading_line(s):
            flush_para()
            section[lang_of(s)] = zs.group("title").strip()
            pending = []
            continue
        if _is_heading_line(s) and not para:
            nxt = next_nonblank(i)
            if nxt is not None and not BULLET.match(nxt.rstrip("\r\n")) or (nxt and _is_heading_line(nxt)):
                pending.append(s)
                if mode == "summary":
                    summary.append(s)
                continue
            if nxt is not None and BULLET.match(nxt.rstrip("\r\n")):
                section[lang_of(s)] = s
                pending = []
                continue
        para.append((i, s))
        if i + 1 < len(lines) and not lines[i + 1].strip():
            flush_para()
    flush_para()
    if summary:
        issue.summary = "\n".join(summary)
    return issue


def _parse_title(s: str, issue: Issue) -> bool:
    clean = mask_markdown(s)[0].strip()
    for pat in (TITLE_ZH, TITLE_EN):
        m = pat.match(clean)
        if m:
            issue.newsletter = english_name(m.group("name").strip(" #*_"))
            issue.number = int(m.group("num"))
            issue.title = (m.group("title") or "").strip() or None
            if m.group("date"):
                issue.date = parse_date(m.group("date"))
            return True
    return False
