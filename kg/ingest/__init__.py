"""Readers: files -> Issue(items).

`read_path(path)` decodes a file, chooses a reader by content (or `fmt`), and returns the
issues in it (a feed or a JSON Lines file may hold several). `discover(paths)` expands
directories. READERS: name -> Reader(extensions, detect, read), the functions named
"module:function" and imported on first use (rdflib's plugin idiom): choosing a reader runs
the detectors of kg.ingest.sniff, which import no reader; selectolax, feedparser and the
mail parser load only when a file needs them. `register` adds a reader.

Hostile input: the decoded text is cleaned without moving any offset (control characters
become spaces, lone surrogates U+FFFD), files larger than MAX_BYTES are refused, and items
longer than MAX_ITEM_CHARS are skipped with a warning. Repairs and skipped parts are
reported in `Issue.warnings` as `[W00x] file:line: ...`.
"""
from __future__ import annotations

import errno
import functools
import hashlib
import importlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Union

from ..errors import KgError, warning
from ..model import Issue, Item
from .text import lang_of, parse_text, split_item

# a newsletter issue is tens of kilobytes; a big feed a few megabytes
MAX_BYTES = int(os.environ.get("KG_MAX_BYTES", 16 * 1024 * 1024))
# spaCy refuses texts over 1,000,000 characters; no news item is near this
MAX_ITEM_CHARS = int(os.environ.get("KG_MAX_ITEM_CHARS", 20_000))


def _load(ref):
    """A callable, or the one a "package.module:function" string names (imported now)."""
    if not isinstance(ref, str):
        return ref
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


@dataclass
class Reader:
    name: str
    extensions: tuple[str, ...]
    # (decoded text, file name) -> confidence 0..100; a callable or "module:function"
    detect_ref: Union[str, Callable[[str, str], int]]
    # (text, source_file, hash) -> issues; a callable or "module:function"
    read_ref: Union[str, Callable[[str, str, str], list[Issue]]]

    @functools.cached_property
    def detect(self) -> Callable[[str, str], int]:
        return _load(self.detect_ref)

    @functools.cached_property
    def read(self) -> Callable[[str, str, str], list[Issue]]:
        return _load(self.read_ref)


def _detect_text(text: str, name: str) -> int:
    return 10  # the fallback reader


def _read_text(text: str, source_file: str, content_hash: str) -> list[Issue]:
    return [parse_text(text, source_file, content_hash)]


READERS: dict[str, Reader] = {r.name: r for r in (
    Reader("text", (".txt", ".md", ".markdown", ".text"), _detect_text, _read_text),
    Reader("html", (".html", ".htm", ".xhtml"), "kg.ingest.sniff:html", "kg.ingest.html:read_html"),
    # ".xml" is not listed: a folder may hold unrelated XML; a feed.xml named on the command
    # line is still read as a feed (the reader is chosen by content)
    Reader("feed", (".rss", ".atom"), "kg.ingest.sniff:feed", "kg.ingest.feed:read_feed"),
    Reader("jsonl", (".jsonl", ".ndjson"), "kg.ingest.sniff:jsonl", "kg.ingest.jsonl:read_jsonl"),
    # files and folders of mail are read from their bytes (read_path); this reads a message
    # that reached a reader as text
    Reader("mail", (".eml", ".emlx", ".mbox"), "kg.ingest.sniff:mail", "kg.ingest.mail:read_mail_text"),
)}
# other names `--format` accepts
ALIASES = {"markdown": "text", "md": "text", "rss": "feed", "atom": "feed", "json": "jsonl",
           "ndjson": "jsonl", "htm": "html", "eml": "mail", "email": "mail", "mbox": "mail",
           "maildir": "mail"}


def register(reader: Reader) -> None:
    READERS[reader.name] = reader


# ---------------------------------------------------------------------------- decoding

_CJK_OR_PUNCT = re.compile(r"[\u00b7\u2010-\u206f\u2460-\u24ff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
# C0/C1 control characters other than tab, line feed and carriage return
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL_OR_SURROGATE = re.compile(_CONTROL.pattern[:-1] + _SURROGATE.pattern[1:])  # one class: a quicker scan than the two
_MOJIBAKE = re.compile(r"(?:Ã[\x80-\xbf¡-ÿ]|â€[™œ\x9d“”˜¦¢]|Â[\xa0-\xbf])")


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _gb_plausible(s: str) -> bool:
    """Did gb18030 decode real Chinese? Misread Latin-1 gives lone ideographs between
    Latin letters ('Z黵ich'); real text has runs of common ideographs and CJK punctuation."""
    non_ascii = [i for i, c in enumerate(s) if ord(c) > 127]
    if not non_ascii:
        return False
    common = sum(1 for i in non_ascii if _CJK_OR_PUNCT.match(s[i]))
    if common < 0.95 * len(non_ascii):
        return False
    squeezed = sum(1 for i in non_ascii
                   if 0 < i < len(s) - 1 and _ASCII_LETTER.match(s[i - 1]) and _ASCII_LETTER.match(s[i + 1]))
    return squeezed <= 0.1 * len(non_ascii)


def _utf16_without_bom(data: bytes) -> Optional[str]:
    """'utf-16-le'/'utf-16-be' when the NUL bytes sit at every other position."""
    head = data[:4096]
    if len(head) < 4:
        return None
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    half = len(head) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def decode_text(data: bytes, path: str) -> tuple[str, str, list[str]]:
    """Bytes -> (text, encoding, warnings). UTF-8 with or without BOM, UTF-16/32 by BOM or
    by its NUL pattern, GB18030 (GBK, GB2312) when that gives real Chinese, mostly-UTF-8
    with a few bad bytes, cp1252/Latin-1, else charset detection. Binary data is E003."""
    warns: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        try:
            return data.decode("utf-8"), "utf-8-sig", warns
        except UnicodeDecodeError as e:
            return _utf8_replace(data, e, path, warns), "utf-8-sig", warns
    for bom, enc in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                     (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            text = data.decode(enc, errors="replace")
            if "\ufffd" in text:
                warns.append(warning("W007", path=path, line=_line_of(text, text.index("\ufffd")),
                                     reason=f"invalid {enc.upper()} replaced by U+FFFD"))
            return text, enc, warns
    try:
        return data.decode("utf-8"), "utf-8", warns
    except UnicodeDecodeError as e:
        first_error = e
    enc16 = _utf16_without_bom(data)
    if enc16:
        text = data.decode(enc16, errors="replace")
        if text.count("\ufffd") <= max(2, len(text) // 1000):
            return text, enc16, warns
    nul = data.find(b"\x00")
    if nul != -1:
        raise KgError("E003", path=path, offset=nul)
    # mostly UTF-8: many valid multi-byte sequences, a few broken bytes (a truncated or
    # spliced file) -> UTF-8 with U+FFFD, not a whole file of mojibake
    lossy = data.decode("utf-8", errors="replace")
    bad = lossy.count("\ufffd") - data.count("\xef\xbf\xbd".encode("latin-1"))
    good = sum(1 for c in lossy if ord(c) > 127 and c != "\ufffd")
    if good >= 4 * bad:
        return _utf8_replace(data, first_error, path, warns), "utf-8", warns
    declared = _declared_charset(data)
    if declared:
        try:
            return data.decode(declared), declared, warns
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        text = data.decode("gb18030")
        if _gb_plausible(text):
            return text, "gb18030", warns
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data[:200_000]).best()
        guess = best.encoding if best is not None else None
    except Exception:  # pragma: no cover - detection is best effort
        guess = None
    # short Western text defeats statistical detection (it says cp1250 for 'déjà'); the
    # Windows Latin-1 superset decodes it right, and fails on bytes it does not define
    for enc in ("cp1252", guess, "latin-1"):
        if not enc:
            continue
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "cp1252" and guess and guess.replace("_", "").startswith(("big5", "shiftjis", "cp932", "euc", "koi8", "cp1251", "iso2022")):
            continue
        return text, enc, warns
    raise KgError("E006", path=path, encodings="utf-8, utf-16, gb18030, cp1252, detected, latin-1")


_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
# what browsers do: the declared name stands for its superset
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "iso-8859-1": "cp1252",
              "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
              "windows-1252": "cp1252"}


def _declared_charset(data: bytes) -> Optional[str]:
    """The charset an HTML page or an XML feed declares in its first 4 KB (not UTF-8,
    which has already failed), or None."""
    m = _DECLARED.search(data[:4096])
    if not m:
        return None
    name = (m.group(1) or m.group(2)).decode("ascii").lower()
    if name.replace("-", "").replace("_", "") in ("utf8", "utf16", "utf32"):
        return None
    return _SUPERSETS.get(name, name)


def _utf8_replace(data: bytes, e: UnicodeDecodeError, path: str, warns: list[str]) -> str:
    text = data.decode("utf-8", errors="replace")
    line = data.count(b"\n", 0, e.start) + 1
    n = text.count("\ufffd")
    warns.append(warning("W007", path=path, line=line,
                         reason=f"{n} invalid UTF-8 byte sequence(s) replaced by U+FFFD"))
    return text


def decode(data: bytes, path: str) -> str:
    """Bytes -> str (see decode_text)."""
    return decode_text(data, path)[0]


def repair_mojibake(text: str) -> tuple[str, int]:
    """UTF-8 that was once decoded as cp1252/Latin-1 and encoded again ('Ã©', 'â€™'):
    undo it line by line where that round-trips, so mojibake is not written into the
    graph. Lines keep their length only when nothing is repaired, so a repaired text is
    a new text (offsets are computed after this step)."""
    # each pattern starts with Ã, â or Â: looking for them is much faster than the regex
    if not ("Ã" in text or "â" in text or "Â" in text) or not _MOJIBAKE.search(text):
        return text, 0
    out, fixed = [], 0
    for line in text.splitlines(keepends=True):
        if _MOJIBAKE.search(line):
            cand = _undo_cp1252(line)
            if cand is not None and cand != line:
                line, fixed = cand, fixed + 1
        out.append(line)
    return "".join(out), fixed


def _undo_cp1252(line: str) -> Optional[str]:
    """The bytes a cp1252 decoder saw (its five undefined bytes come back as C1 controls,
    or as U+FFFD after 'â€', which is then the right double quote), read as UTF-8."""
    line = line.replace("â€\ufffd", "â€\x9d")
    buf = bytearray()
    for c in line:
        try:
            buf += c.encode("cp1252")
        except UnicodeEncodeError:
            if ord(c) < 256:
                buf.append(ord(c))
            else:
                return None
    try:
        return buf.decode("utf-8")
    except UnicodeDecodeError:
        return None


def clean_text(text: str, path: str) -> tuple[str, list[str]]:
    """Control characters -> spaces, lone surrogates -> U+FFFD; lengths are kept, so
    every offset into the cleaned text is an offset into the decoded file."""
    warns: list[str] = []
    if not _CONTROL_OR_SURROGATE.search(text):  # one pass for the usual clean text
        return text, warns
    m = _CONTROL.search(text)
    if m:
        n = len(_CONTROL.findall(text))
        warns.append(warning("W007", path=path, line=_line_of(text, m.start()),
                             reason=f"{n} control character(s) replaced by spaces"))
        text = _CONTROL.sub(" ", text)
    m = _SURROGATE.search(text)
    if m:
        warns.append(warning("W007", path=path, line=_line_of(text, m.start()),
                             reason="unpaired surrogate(s) replaced by U+FFFD"))
        text = _SURROGATE.sub("\ufffd", text)
    return text, warns


def clean_str(s: Optional[str]) -> str:
    """Field values from structured input (JSON, feeds): same cleaning, whitespace runs
    collapsed to one space."""
    if not s:
        return ""
    s = _SURROGATE.sub("\ufffd", _CONTROL.sub(" ", s))
    return " ".join(s.split())


def clean_lines(s: Optional[str]) -> str:
    """clean_str per line, keeping the line breaks between the blocks of a story (its
    headline, its paragraphs), so that a headline stays a sentence of its own."""
    if not s or "\n" not in s:
        return clean_str(s)
    return "\n".join(c for c in (clean_str(ln) for ln in s.split("\n")) if c)


# ------------------------------------------------------------------- rendered documents

@dataclass
class ItemSpec:
    """An item as a structured reader found it, before it has offsets. `line` is where it
    is in the file, for warnings (None: where it lands in the rendered document)."""
    text: str = ""                 # the item's whole text; composed from the parts when empty
    outlet: Optional[str] = None
    headline: str = ""
    body: str = ""
    section: Optional[str] = None
    lang: Optional[str] = None
    kind: str = "item"             # "item" | "lead"
    urls: list[str] = field(default_factory=list)
    date: Optional[str] = None
    line: Optional[int] = None


def compose(outlet: Optional[str], headline: str, body: str) -> str:
    """The text-format shape of an item: 'Outlet: Headline – body'."""
    s = ""
    if outlet:
        s = outlet + ": "
    if headline and body:
        s += headline + " – " + body
    else:
        s += headline or body
    return s


def place_items(issue: Issue, source: str, specs: list[ItemSpec], header: str = "") -> Issue:
    """Give the items of a structured reader their offsets.

    When every item's text occurs verbatim in the decoded file, in order, the items point
    into the file (issue.text = the file). Otherwise (markup inside an item, entities,
    JSON escapes, text composed from several fields) issue.text becomes a *rendered*
    document: the header, then per section a heading line and one `- item` line per item,
    and every offset points into it. Either way issue.text[item.start:item.end] == item.text.
    """
    texts = []
    kept = []
    for sp in specs:
        t = clean_lines(sp.text) if sp.text else clean_str(compose(sp.outlet, sp.headline, sp.body))
        if len(t) > MAX_ITEM_CHARS and sp.line is not None:
            issue.warnings.append(warning(
                "W006", path=issue.source_file, line=sp.line, what=f"an item of {len(t)} characters",
                reason=f"longer than {MAX_ITEM_CHARS} (KG_MAX_ITEM_CHARS)"))
            continue
        kept.append(sp)
        if not sp.text:
            sp.outlet, sp.headline, sp.body = clean_str(sp.outlet) or None, clean_str(sp.headline), clean_str(sp.body)
        elif sp.outlet is None and not sp.headline and not sp.body:
            if sp.kind == "item":
                sp.outlet, sp.headline, sp.body = split_item(t)
            else:
                sp.body = t
        texts.append(t)
    specs = kept
    starts: list[int] = []
    pos = 0
    for t in texts:
        k = source.find(t, pos) if t else -1
        if k == -1:
            starts = []
            break
        starts.append(k)
        pos = k + len(t)
    if starts:
        doc = source
    else:
        parts = [header.rstrip("\n") + "\n\n"] if header.strip() else []
        length = sum(len(p) for p in parts)
        section: Optional[str] = None
        for sp, t in zip(specs, texts):
            sect = clean_str(sp.section) or None
            if sect != section and sect:
                parts.append(("\n" if parts else "") + sect + "\n")
                length += len(parts[-1])
            section = sect
            prefix = "- " if sp.kind == "item" else ""
            starts.append(length + len(prefix))
            parts.append(prefix + t + "\n")
            length += len(parts[-1])
        doc = "".join(parts)
    issue.text = doc
    counters: dict[str, int] = {}
    for sp, t, k in zip(specs, texts, starts):
        if not t.strip():
            continue
        lang = sp.lang if sp.lang in ("en", "zh") else lang_of(t)
        counters[lang] = counters.get(lang, 0) + 1
        issue.items.append(Item(
            lang=lang, position=counters[lang], text=t, start=k, end=k + len(t),
            headline=sp.headline, body=sp.body, outlet=sp.outlet, section=clean_str(sp.section) or None,
            kind=sp.kind, urls=list(dict.fromkeys(u for u in sp.urls if u)), date=sp.date,
            line=sp.line if doc is not source else None))
    return issue


def issue_key(newsletter: Optional[str], number: Optional[int], date: Optional[str]) -> tuple:
    """What makes two issues one in the graph (kg.rdf.issue_iri: newsletter slug, then the
    number, else the date). Readers that find several issues in one file merge those with
    the same key, so that two issues never share an IRI."""
    from ..resolve import slugify
    slug = slugify(newsletter) if newsletter else ""
    return (slug, number, None) if number is not None else (slug, None, date)


# ------------------------------------------------------------------------------ reading

_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a file")


def open_regular(path: str) -> tuple[int, os.stat_result]:
    """An open file descriptor (read-only) of a regular file, and its stat. Anything else is
    refused before a byte is read: a FIFO (opened non-blocking, so the open cannot hang),
    a socket or a device E145, a folder E005, a missing file E001. The caller closes it."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise KgError("E001", path=path)
    except IsADirectoryError:
        raise KgError("E005", path=path, patterns="files")
    except OSError as e:
        if e.errno == errno.ENXIO:      # a Unix socket
            raise KgError("E145", path=path, kind="a socket")
        raise KgError("E001", path=f"{path} ({e.strerror})")
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise KgError("E005", path=path, patterns="files")
        if not stat.S_ISREG(st.st_mode):
            raise KgError("E145", path=path, kind=_kind(st.st_mode))
    except BaseException as e:
        os.close(fd)
        if isinstance(e, OSError):
            raise KgError("E001", path=f"{path} ({e.strerror})")
        raise
    return fd, st


def read_bytes(path: str) -> bytes:
    """A file's bytes. Only a regular file is read (a FIFO would block for ever, /dev/zero
    never end: E145), and never more than MAX_BYTES bytes, counted as they are read (a
    device's or a growing file's size in `stat` says nothing: E012)."""
    fd, st = open_regular(path)
    try:
        if st.st_size > MAX_BYTES:
            raise KgError("E012", path=path, size=st.st_size, limit=MAX_BYTES)
        chunks, n = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - n))
            if not chunk:
                break
            chunks.append(chunk)
            n += len(chunk)
            if n > MAX_BYTES:
                raise KgError("E012", path=path, size=f"more than {MAX_BYTES}", limit=MAX_BYTES)
        data = b"".join(chunks)
    except OSError as e:
        raise KgError("E001", path=f"{path} ({e.strerror})")
    finally:
        os.close(fd)
    if not data.strip():
        raise KgError("E002", path=path)
    return data


BINARY_MAGIC = (b"\x89PNG", b"GIF87a", b"GIF89a", b"%PDF-", b"PK\x03\x04", b"\x7fELF", b"\xff\xd8\xff",
                b"\x1f\x8b", b"\xfd7zXZ", b"SQLite format 3\x00", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")


def looks_binary(data: bytes) -> Optional[int]:
    """Where a file shows it is not text (a known binary signature, or NUL bytes in more
    than 1% of its head, outside UTF-16/32), or None. A stray NUL in a text file is a
    control character: replaced by a space, with a warning."""
    if data.startswith(BINARY_MAGIC):
        return 0
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or _utf16_without_bom(data):
        return None
    head = data[:8192]
    if head.count(b"\x00") > max(1, len(head) // 100):
        return head.find(b"\x00")
    return None


def choose_reader(text: str, name: str, fmt: Optional[str] = None, path: str = "") -> Reader:
    if fmt:
        key = ALIASES.get(fmt, fmt)
        if key not in READERS:
            raise KgError("E011", path=path or name, fmt=fmt, choices=", ".join(sorted(set(READERS) | set(ALIASES))))
        return READERS[key]
    return max(READERS.values(), key=lambda r: (r.detect(text, name), r.name == "text"))


def check_items(issue: Issue, path: str) -> None:
    """Drop items a later stage could not handle, each with a warning naming its line."""
    keep = []
    for it in issue.items:
        def line() -> int:  # only when warning: counting lines for every item is quadratic
            return _line_of(issue.text, it.start) if 0 <= it.start <= len(issue.text) else 0
        if not (0 <= it.start <= it.end <= len(issue.text)) or len(it.text) != it.end - it.start:
            issue.warnings.append(warning("W006", path=path, line=line(), what="an item",
                                          reason="its offsets do not match its text"))
            continue
        span = issue.text[it.start:it.end]
        if not span or span.isspace():
            continue  # an empty bullet ("- "): nothing to read, nothing lost
        if len(it.text) > MAX_ITEM_CHARS:
            issue.warnings.append(warning(
                "W006", path=path, line=line(), what=f"an item of {len(it.text)} characters",
                reason=f"longer than {MAX_ITEM_CHARS} (KG_MAX_ITEM_CHARS)"))
            continue
        keep.append(it)
    if len(keep) != len(issue.items):
        counters: dict[str, int] = {}
        for it in keep:
            counters[it.lang] = counters.get(it.lang, 0) + 1
            it.position = counters[it.lang]
        issue.items = keep


def read_path(path: str, fmt: Optional[str] = None, mail=None, follow_symlinks: bool = False,
              roots: tuple[str, ...] = (), read: Optional[tuple[bytes, str]] = None) -> list[Issue]:
    """The issues in a file (or a Maildir folder). `mail`: kg.ingest.mail.MailOptions, which
    messages of a mailbox to read. Mail is read from its bytes, streamed (see ingest.mail).
    `roots` (input_roots) and `follow_symlinks`: where a Maildir's message files may link to
    (by default inside the Maildir; see discover). `read`: the file's bytes (as read_bytes
    gave them) and their "sha256:<hex>", when the caller has them already (kg.build hashes
    every input for its cache): the file is then neither read nor hashed again."""
    if fmt:
        from . import mail as _mail  # the mail parser (stdlib email) loads on first use
        kind = _mail.kind_of(path, fmt)
        if kind:
            return _mail.read_mail_path(path, kind, mail, follow_symlinks=follow_symlinks, roots=roots)
        data = read[0] if read is not None else read_bytes(path)
    elif read is not None:
        data = read[0]
        from .sniff import sniff_bytes
        kind = sniff_bytes(data[:8192])
        if kind:
            from . import mail as _mail
            return _mail.read_mail_path(path, kind, mail, follow_symlinks=follow_symlinks, roots=roots)
    else:
        # the file is opened once: mail is told by the first bytes of what is read anyway (as
        # mail.kind_of does from a file's head). Where it cannot be read (a folder, a file too
        # large), kind_of decides as before: a Maildir, a large mailbox, or the same error.
        try:
            data = read_bytes(path)
        except KgError:
            from . import mail as _mail
            kind = _mail.kind_of(path)
            if kind:
                return _mail.read_mail_path(path, kind, mail, follow_symlinks=follow_symlinks, roots=roots)
            raise
        from .sniff import sniff_bytes
        kind = sniff_bytes(data[:8192])
        if kind:
            from . import mail as _mail
            return _mail.read_mail_path(path, kind, mail, follow_symlinks=follow_symlinks, roots=roots)
    nul = looks_binary(data)
    if nul is not None:
        raise KgError("E003", path=path, offset=nul)
    text, encoding, warns = decode_text(data, path)
    text = text.replace("\r\n", "\n") if "\r\n" in text else text
    # one scan finds none in the usual text: then neither test below has anything to count
    dirty = _CONTROL_OR_SURROGATE.search(text) is not None
    head = text[:8192] if dirty else ""
    if dirty and len(_CONTROL.findall(head)) > 0.1 * len(head):
        raise KgError("E003", path=path, offset=0)
    text, fixed = repair_mojibake(text)
    if fixed:
        warns.append(warning("W007", path=path, line=1,
                             reason=f"repaired mojibake (UTF-8 read as cp1252) on {fixed} line(s)"))
    if dirty or fixed:      # (a repaired line may hold a control character)
        text, more = clean_text(text, path)
        warns += more
    if not text or text.isspace():
        raise KgError("E002", path=path)
    content_hash = read[1] if read is not None else "sha256:" + hashlib.sha256(data).hexdigest()
    name = os.path.basename(path)
    reader = choose_reader(text, name, fmt, path)
    try:
        issues = reader.read(text, name, content_hash)
    except KgError:
        raise
    except RecursionError:
        raise KgError("E013", path=path, fmt=reader.name, reason="nesting too deep")
    except Exception as e:  # a reader bug or a library failure must not stop the build
        raise KgError("E013", path=path, fmt=reader.name, reason=f"{type(e).__name__}: {e}"[:200])
    for iss in issues:
        check_items(iss, name)
    if not any(iss.items for iss in issues):
        problems = [w for iss in issues for w in iss.warnings if w.startswith("[W006]")]
        if problems:  # say why, e.g. every JSON line was bad
            raise KgError("E013", path=path, fmt=reader.name,
                          reason=f"no usable item ({len(problems)} skipped; first: {problems[0][7:]})"[:300])
        raise KgError("E004", path=path)
    issues = [iss for iss in issues if iss.items]
    if issues:
        issues[0].warnings[:0] = warns
    return issues


def _inside(real: str, folder_real: str) -> bool:
    return real == folder_real or real.startswith(folder_real.rstrip(os.sep) + os.sep)


def input_roots(paths: list[str]) -> tuple[str, ...]:
    """The real paths of the folders among the inputs: what a symbolic link found inside
    them may point into (see discover; a Maildir's messages, kg.ingest.mail)."""
    return tuple(os.path.realpath(p) for p in paths if os.path.isdir(p))


def discover(paths: list[str], follow_symlinks: bool = False,
             skipped: Optional[list[tuple[str, KgError]]] = None) -> list[str]:
    """Files to build: files as given, directories expanded (sorted, hidden files skipped).
    A Maildir folder (cur/, new/) is one input, named or found; so is the `mbox` file of an
    Apple Mail export (`Name.mbox/mbox`).

    Inside a directory, only regular files are taken (a FIFO, a socket or a device is
    skipped: E145), and a symbolic link whose target is outside the directories given is
    skipped (E146) unless `follow_symlinks`: a link must not bring /etc/passwd into the
    graph. A link to a directory (a Maildir too) is followed only with `follow_symlinks`
    (each directory once). What is skipped is added to `skipped` as (path, KgError), or
    raised when `skipped` is None. A file named on the command line is read as named. (The
    messages of a Maildir are checked by the same rules as they are read: kg.ingest.mail.)"""
    from . import mail as _mail  # the mail parser (stdlib email) loads on first use
    exts = sorted({e for r in READERS.values() for e in r.extensions})
    roots = input_roots(paths)
    out: list[str] = []

    def skip(path: str, err: KgError) -> None:
        if skipped is None:
            raise err
        skipped.append((path, err))

    def outside(real: str) -> bool:
        return not follow_symlinks and not any(_inside(real, r) for r in roots)

    for p in paths:
        if os.path.isdir(p) and _mail.is_maildir(p):
            out.append(p)
        elif os.path.isdir(p):
            found = []
            seen_dirs = {os.path.realpath(p)}
            for root, dirs, files in os.walk(p, followlinks=follow_symlinks):
                keep = []
                for d in sorted(dirs):
                    if d.startswith(".") or d in ("gold",):
                        continue
                    full = os.path.join(root, d)
                    real = os.path.realpath(full)
                    if os.path.islink(full):
                        if outside(real):
                            skip(full, KgError("E146", path=full, what="folder", target=real))
                            continue
                        if not follow_symlinks or real in seen_dirs:
                            continue    # its files are found where it points (or already were)
                    seen_dirs.add(real)
                    if _mail.is_maildir(full):
                        found.append(full)  # one input; its messages are read by kg.ingest.mail
                        continue
                    keep.append(d)
                dirs[:] = keep
                for f in sorted(files):
                    if f.startswith(".") or f.lower().endswith(".json") and "gold" in f.lower():
                        continue
                    if (os.path.splitext(f)[1].lower() not in exts and f != "mbox") or f.lower() == "readme.md":
                        continue
                    full = os.path.join(root, f)
                    if os.path.islink(full) and outside(os.path.realpath(full)):
                        skip(full, KgError("E146", path=full, what="file", target=os.path.realpath(full)))
                        continue
                    try:
                        mode = os.stat(full).st_mode
                    except OSError:
                        skip(full, KgError("E001", path=full))
                        continue
                    if not stat.S_ISREG(mode):
                        skip(full, KgError("E145", path=full, kind=_kind(mode)))
                        continue
                    found.append(full)
            if not found:
                if skipped is not None and any(sp.startswith(os.path.join(p, "")) for sp, _ in skipped):
                    continue    # everything in it was skipped, and said so
                raise KgError("E005", path=p, patterns=", ".join("*" + e for e in exts))
            out.extend(sorted(found))
        elif not os.path.lexists(p):
            raise KgError("E001", path=p)
        else:
            out.append(p)
    return out

