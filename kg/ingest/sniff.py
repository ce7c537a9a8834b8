"""Which reader a file is for: the readers' `detect` functions, (decoded text, file name) ->
confidence 0..100, kept apart from the readers so that choosing one imports none of them
(selectolax, feedparser and the mail parser load only when a file needs them; kg.ingest's
READERS names each reader's functions as "module:function").
"""
from __future__ import annotations

import json
import re
from typing import Optional

# ------------------------------------------------------------------------------- HTML

def html(text: str, name: str) -> int:
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


# ------------------------------------------------------------------------- RSS / Atom

# a DOCTYPE, with its internal subset if it has one ("[ <!ENTITY x '...'> ]": declarations
# hold ">" and "]" in quoted values and comments)
DOCTYPE = (r"<!DOCTYPE(?:[^>\[\"']|\"[^\"]*\"|'[^']*')*+"
           r"(?P<subset>\[(?:\"[^\"]*\"|'[^']*'|<!--(?:[^-]|-(?!->))*-->|[^\]\"'<]|<(?!!--))*+\])?\s*>")
# the prolog (declaration, comments, processing instructions, DOCTYPE), then the root's name
PROLOG = re.compile(r"(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|" + DOCTYPE + r"\s*)*<(?P<tag>[\w:.-]+)", re.S | re.I)
DOCTYPE_RE = re.compile(DOCTYPE, re.S | re.I)
PROLOG_WINDOW = 1 << 20  # a DOCTYPE's internal subset is read up to 1 MB when detecting


def feed(text: str, name: str) -> int:
    head = text[:PROLOG_WINDOW].lstrip("\ufeff \t\r\n")
    if not head.startswith("<"):
        return 0
    # skip the declaration, comments, processing instructions and a doctype (with an
    # internal subset: issue #16, item 13)
    m = PROLOG.match(head)
    if not m:
        return 0
    tag = m.group("tag").lower()
    if tag in ("rss", "feed", "rdf:rdf", "atom:feed"):
        return 95
    return 0


# ---------------------------------------------------------------------------- JSON Lines

ISSUE_KEYS = {"newsletter", "number", "date", "title", "url", "urls", "items", "summary"}
ITEM_KEYS = {"text", "outlet", "headline", "body", "section", "lang", "url", "urls", "date", "kind"}


def jsonl(text: str, name: str) -> int:
    if not text[:65536].lstrip().startswith("{"):
        return 0  # the first line that is not blank does not start with "{" (the loop's verdict)
    ext = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    for line in text[:65536].splitlines():
        s = line.strip()
        if not s:
            continue
        if not s.startswith("{"):
            return 0
        try:
            obj = json.loads(s)
        except (ValueError, RecursionError):
            return 70 if ext in ("jsonl", "ndjson", "json") else 0  # a text that starts with "{"
        if isinstance(obj, dict):
            return 95 if ext in ("jsonl", "ndjson", "json") or obj.keys() & (ISSUE_KEYS | ITEM_KEYS) else 60
        return 0
    return 0


# --------------------------------------------------------------------------------- mail

_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")
_MAIL_FIELDS = re.compile(rb"^(?:from|date|subject|message-id|mime-version|received|return-path|to|"
                          rb"delivered-to|list-id|list-unsubscribe|content-type|reply-to|sender|x-[\w-]+)[ \t]*:", re.I)
_STRONG_FIELDS = re.compile(rb"^(?:from|message-id|mime-version|received|return-path|delivered-to)[ \t]*:", re.I)


def sniff_bytes(head: bytes) -> Optional[str]:
    """'mbox', 'mmdf', 'emlx' or 'eml' when the first bytes of a file are mail, else None."""
    s = head.lstrip(b"\r\n")
    if s.startswith(b"\x01\x01\x01\x01"):
        return "mmdf"
    kind = "eml"
    if s.startswith(b"From ") and b"\n" in s[:1000]:
        kind, s = "mbox", s.split(b"\n", 1)[1]
    elif re.match(rb"^\s*\d{1,12}\s*\r?\n", s):  # Apple Mail's .emlx: the message's length, then the message
        kind, s = "emlx", s.split(b"\n", 1)[1]
    if s[:1] not in (b" ", b"\t") and _HEADER_LINE.match(s) is None:
        return None     # (the loop's verdict on its first line, blank or not a field, without the split)
    lines = s.replace(b"\r\n", b"\n").split(b"\n")
    fields = strong = 0
    for ln in lines[:200]:
        if not ln.strip():
            break
        if ln[:1] in (b" ", b"\t"):
            continue  # a folded line
        if not _HEADER_LINE.match(ln):
            return None
        fields += bool(_MAIL_FIELDS.match(ln))
        strong += bool(_STRONG_FIELDS.match(ln))
    if kind == "mbox":
        return kind if fields else None
    return kind if strong and fields >= 2 else None


def mail(text: str, name: str) -> int:
    return 97 if sniff_bytes(text[:8192].encode("utf-8", "surrogateescape")) else 0
