"""Reader for newsletters as they arrive: `.eml` files, mbox archives, Maildir folders.

Parsing is the standard library's: `email` (EmailMessage, get_body) for messages, `mailbox`
for mbox (also MMDF) files; a Maildir folder's message files (`cur/` and `new/`; `tmp/` holds
deliveries still being written and is not read) are listed as `mailbox.Maildir` lists them,
here, so that each is checked as kg's input rules ask (a regular file; no symbolic link out
of the input folders unless --follow-symlinks). Containers are chosen by content (`From `
first line: mbox; a block of mail headers: one message; a folder with `cur/` and `new/`:
Maildir), like the other readers. Only regular files are opened (kg.ingest.open_regular);
an mbox is streamed, so it may be larger than KG_MAX_BYTES, but no message is read beyond
its size.

A mailbox is streamed: the mbox's table of contents is built line by line and each message
is read on its own; a message larger than MAX_MESSAGE_BYTES is not read whole but skimmed
(its text parts kept, other parts' bodies skipped while reading). One message is one issue:

* body: `get_body()` picks the HTML part (read by the HTML reader) else `text/plain` (read by
  the text reader, `format=flowed` unwrapped, the signature after `-- ` dropped); quoted-
  printable and base64 are decoded by `email`, charsets by their superset (GB2312/GBK ->
  GB18030, Big5 -> Big5-HKSCS, ISO-2022-JP -> ISO-2022-JP-2, Latin-1/ASCII -> cp1252) and by
  kg's detection when undeclared or wrong;
* before reading, the HTML loses tracking pixels, hidden pre-headers and the footer and
  header blocks of mailing lists (unsubscribe, preferences, "view in browser", referral,
  copyright); a text part loses the same paragraphs; link URLs of tracking redirects are
  replaced by their target when the target is in the URL;
* metadata from the headers: newsletter = `List-Id` name, else the `From` display name; title
  and number from `Subject` ("#462", "Issue 12", "第3089期"); date = the `Date` header's date
  in the sender's time zone; URL = the "view in browser" link, else `Archived-At`, else an
  http(s) `List-Post`; RFC 2047 encoded words decoded with the same charset supersets.

The issue's text is a rendered document (title, date, then the items), so that offsets do not
point into MIME-encoded bytes and a 10,000-message mailbox keeps only what is read.
"""
from __future__ import annotations

import base64
import binascii
import codecs
import email.errors
import email.header
import email.message
import email.parser
import email.policy
import email.utils
import hashlib
import mailbox
import os
import re
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator, Optional
from urllib.parse import parse_qsl, unquote, urlsplit

from ..errors import KgError, warning
from ..model import Issue
from . import (_CONTROL, ALIASES, READERS, _inside, check_items, clean_text, decode_text, looks_binary,
               open_regular, repair_mojibake)
from .sniff import mail as detect, sniff_bytes  # noqa: F401
from .text import english_name, parse_text

# a newsletter is tens to hundreds of kilobytes; bigger messages carry attachments, which
# are skimmed over, not read
MAX_MESSAGE_BYTES = int(os.environ.get("KG_MAX_MESSAGE_BYTES", 16 * 1024 * 1024))
MAX_TEXT_BYTES = 4 * 1024 * 1024   # one text part of a skimmed message
EXTENSIONS = (".eml", ".emlx", ".mbox")

# header fields a mail client rewrites as the message is read, flagged or labelled; left out
# of the content hash, so that reading a message does not make it new
VOLATILE = {"status", "x-status", "x-keywords", "x-uid", "x-imap", "x-imapbase", "x-mozilla-status",
            "x-mozilla-status2", "x-mozilla-keys", "x-gmail-labels", "x-gm-thrid", "content-length",
            "lines", "x-evolution-source", "x-apple-mail-remote-attachments"}

# ------------------------------------------------------------------------------ options


@dataclass(frozen=True)
class MailOptions:
    """Which messages of a mailbox to build (`kg build --from/--list-id/--since/--until`).
    Several values of one option: any of them; different options: all of them."""
    senders: tuple[str, ...] = ()
    list_ids: tuple[str, ...] = ()
    since: Optional[str] = None
    until: Optional[str] = None

    def describe(self) -> str:
        parts = [f"--from {v}" for v in self.senders] + [f"--list-id {v}" for v in self.list_ids]
        if self.since:
            parts.append(f"--since {self.since}")
        if self.until:
            parts.append(f"--until {self.until}")
        return " ".join(parts)


# ------------------------------------------------------------------------------ charsets

CHARSET_SUPERSETS = {
    "gb2312": ("gb18030",), "gbk": ("gb18030",), "x-gbk": ("gb18030",), "cp936": ("gb18030",),
    "euc-cn": ("gb18030",), "gb_2312-80": ("gb18030",), "csgb2312": ("gb18030",),
    "big5": ("big5hkscs", "cp950"), "x-x-big5": ("big5hkscs", "cp950"), "cn-big5": ("big5hkscs", "cp950"),
    "iso-2022-jp": ("iso2022_jp_2", "iso2022_jp_ext", "iso2022_jp_2004"),
    "shift_jis": ("cp932",), "shift-jis": ("cp932",), "sjis": ("cp932",), "x-sjis": ("cp932",),
    "euc-jp": ("euc_jis_2004",), "ks_c_5601-1987": ("cp949",), "euc-kr": ("cp949",),
    "iso-8859-1": ("cp1252",), "latin1": ("cp1252",), "latin-1": ("cp1252",), "windows-1252": ("cp1252",),
    "us-ascii": ("utf-8", "cp1252"), "ascii": ("utf-8", "cp1252"), "ansi_x3.4-1968": ("utf-8", "cp1252"),
    "tis-620": ("cp874",), "iso-8859-11": ("cp874",), "utf8": ("utf-8",),
}
UNKNOWN_CHARSETS = {"unknown-8bit", "x-unknown", "unknown", "8bit", "default", "x-user-defined"}


def _decode_bytes(data: bytes, charset: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """(text, codec) with the declared charset read as its superset, or (None, reason)."""
    cs = (charset or "").strip().strip("\"'").lower()
    if not cs or cs in UNKNOWN_CHARSETS:
        return None, None
    reason = f"unknown charset {cs!r}"
    for enc in CHARSET_SUPERSETS.get(cs, (cs,)):
        try:
            codecs.lookup(enc)
        except (LookupError, ValueError, TypeError):  # an unknown name, a NUL in it
            continue
        try:
            return data.decode(enc), enc  # LookupError for codecs that are no charset (base64, rot13)
        except (UnicodeDecodeError, LookupError, ValueError):
            reason = f"the text does not decode as its declared charset {cs!r}"
    return None, reason


def decode_header_value(value: Optional[str]) -> str:
    """A raw header value -> text: RFC 2047 encoded words decoded with charset supersets,
    raw 8-bit bytes (RFC 6532) as UTF-8 (else GB18030 or cp1252), folding removed."""
    if not value:
        return ""
    value = re.sub(r"\r?\n(?=[ \t])", "", str(value))
    try:
        parts = email.header.decode_header(value)
    except Exception:  # a malformed encoded word: keep the raw text
        parts = [(value, None)]
    out = []
    for chunk, cs in parts:
        if isinstance(chunk, str):  # no encoded word in the value
            out.append(_unescape_8bit(chunk))
        elif cs is None:            # text between encoded words (decode_header gives it raw-unicode-escape'd)
            out.append(_unescape_8bit(chunk.decode("raw-unicode-escape", "replace")))
        else:
            text, _ = _decode_bytes(chunk, cs)
            out.append(text if text is not None else _guess_decode(chunk))
    return " ".join("".join(out).split())


def _unescape_8bit(s: str) -> str:
    """Raw 8-bit bytes of a header (kept by email as surrogates) -> text."""
    if not _has_surrogates(s):
        return s
    return _guess_decode(s.encode("utf-8", "surrogateescape"))


def _has_surrogates(s: str) -> bool:
    return any("\udc80" <= c <= "\udcff" for c in s)


def _guess_decode(b: bytes) -> str:
    for enc in ("utf-8", "gb18030"):
        try:
            return b.decode(enc)
        except UnicodeDecodeError:
            pass
    return b.decode("cp1252", "replace")


# --------------------------------------------------------------------------- containers

@dataclass
class MessageRef:
    """One message of a container, not yet read."""
    container: str                  # the path as given
    kind: str                       # "eml" | "emlx" | "mbox" | "mmdf" | "maildir"
    position: int                   # 1-based, in the container's order
    size: int
    open: Callable[[], object]      # -> a binary file object at the message's first byte
    name: str = ""                  # Maildir: the message's unique name
    last: bool = False              # the last message of a single-file mailbox
    truncated_tail: bool = False    # ... whose file does not end with a line break

    @property
    def where(self) -> str:
        if self.kind in ("eml", "emlx"):
            return self.container
        return f"{self.container}#{self.position}" + (f" ({self.name})" if self.name else "")


def _open(path: str):
    """A binary file object of a regular file; E145 for a FIFO, a socket or a device (which
    would hang or never end), E001 when it is gone (kg.ingest.open_regular)."""
    fd, _ = open_regular(path)
    return os.fdopen(fd, "rb")


def _head(path: str, n: int = 8192) -> bytes:
    """The first `n` bytes of a regular file (fewer at its end), b"" when it cannot be read.
    (Read from the descriptor: a buffered file object would cost more than the read.)"""
    try:
        fd, _ = open_regular(path)
    except (KgError, OSError):
        return b""
    try:
        chunks, got = [], 0
        while got < n:
            chunk = os.read(fd, n - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)
    except OSError:
        return b""
    finally:
        os.close(fd)


def is_maildir(path: str) -> bool:
    return os.path.isdir(os.path.join(path, "cur")) and os.path.isdir(os.path.join(path, "new"))


def kind_of(path: str, fmt: Optional[str] = None) -> Optional[str]:
    """How to read `path` as mail, or None when it is not mail (or --format names another reader)."""
    if fmt and ALIASES.get(fmt, fmt) != "mail":
        return None
    if os.path.isdir(path):
        return "maildir" if is_maildir(path) else None
    if not os.path.isfile(path):
        return None
    kind = sniff_bytes(_head(path))
    if kind is None and fmt:
        return "eml"  # --format mail: read it as one message, whatever it looks like
    return kind


def iter_messages(path: str, kind: str, follow_symlinks: bool = False,
                  roots: tuple[str, ...] = ()) -> Iterator[MessageRef]:
    """The messages of a container, in order, without reading them. Raises E095 when the
    container cannot be opened, E145 when it is not a regular file (a FIFO named on the
    command line), E146 when a Maildir's cur/ or new/ leads outside `roots` (see _maildir)."""
    try:
        if kind in ("eml", "emlx"):
            yield _single(path, kind)
        elif kind in ("mbox", "mmdf"):
            yield from _single_file_mailbox(path, kind)
        elif kind == "maildir":
            yield from _maildir(path, follow_symlinks, roots)
        else:  # pragma: no cover - kind_of gives one of the above
            raise ValueError(kind)
    except OSError as e:
        raise KgError("E095", path=path, reason=e.strerror or str(e))
    except mailbox.Error as e:
        raise KgError("E095", path=path, reason=str(e) or type(e).__name__)


def _single(path: str, kind: str) -> MessageRef:
    size = os.path.getsize(path)
    skip = 0
    if kind == "emlx":
        with _open(path) as f:
            first = f.readline(4096)
        skip = len(first)
        try:
            size = min(int(first.strip()), size - skip)
        except ValueError:
            size -= skip

    def opener():
        f = _open(path)
        f.seek(skip)
        return f
    return MessageRef(path, kind, 1, size, opener)


def _single_file_mailbox(path: str, kind: str) -> Iterator[MessageRef]:
    cls = mailbox.MMDF if kind == "mmdf" else mailbox.mbox
    _open(path).close()  # a regular file (mailbox would open a FIFO and wait); streamed, so no size limit
    box = cls(path, factory=None, create=False)
    try:
        keys = list(box.iterkeys())  # the table of contents (offsets), read line by line
        with _open(path) as f:
            f.seek(0, os.SEEK_END)
            end = f.tell()
            f.seek(max(0, end - 1))
            tail_ok = f.read(1) in (b"\n", b"")
        for i, key in enumerate(keys, start=1):
            fh = box.get_file(key)
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.close()

            def opener(key=key):
                return box.get_file(key)
            yield MessageRef(path, kind, i, size, opener, last=i == len(keys),
                             truncated_tail=i == len(keys) and not tail_ok)
    finally:
        box.close()


def _maildir(path: str, follow_symlinks: bool = False, roots: tuple[str, ...] = ()) -> Iterator[MessageRef]:
    """A Maildir's messages: the files of cur/ and new/ (tmp/ holds deliveries still being
    written), as mailbox.Maildir lists them (a message's key is its file name up to the
    colon; names starting with a dot are no messages), in the order of their keys. Listed
    here because the input rules need each message's file, which mailbox does not name:
    only regular files are read (E145; a FIFO dropped into cur/ would hang the build), and a
    message file, cur/ or new/ that leads outside the input folders (`roots`; the Maildir
    itself when none are given) is skipped (E146) unless `follow_symlinks`."""
    within = roots or (os.path.realpath(path),)

    def outside(real: str) -> bool:
        return not follow_symlinks and not any(_inside(real, r) for r in within)

    entries = []
    for sub in ("cur", "new"):
        folder = os.path.join(path, sub)
        real = os.path.realpath(folder)
        if outside(real):
            raise KgError("E146", path=folder, what="folder", target=real)
        with os.scandir(folder) as it:
            for e in it:
                if e.name.startswith(".") or e.is_dir():
                    continue
                entries.append((e.name.split(":")[0], sub, e.name, e.is_symlink()))
    for i, (key, sub, name, link) in enumerate(sorted(entries), start=1):  # keys start with the delivery time
        full = os.path.join(path, sub, name)
        try:
            size = os.stat(full).st_size
        except OSError:  # moved or deleted while we read (or a dangling link)
            continue

        def opener(full=full, link=link):
            if link and outside(os.path.realpath(full)):
                raise KgError("E146", path=full, what="file", target=os.path.realpath(full))
            return _open(full)
        yield MessageRef(path, "maildir", i, size, opener, name=key)


# ------------------------------------------------------------------------------ loading

@dataclass
class Loaded:
    """A message's bytes (whole, or skimmed when it was too big) and what identifies it."""
    ref: MessageRef
    data: bytes
    content_hash: str
    skimmed: Optional[str] = None   # what skimming left out


def _split_head(data: bytes) -> tuple[bytes, bytes]:
    m = re.search(rb"\r?\n\r?\n", data)
    if not m:
        return data, b""
    return data[:m.end()], data[m.end():]


def _stable_head(head: bytes) -> bytes:
    """The header block without the fields mail clients rewrite (VOLATILE)."""
    out, drop = [], False
    for ln in head.splitlines(keepends=True):
        if ln[:1] in (b" ", b"\t"):
            if not drop:
                out.append(ln)
            continue
        name = ln.split(b":", 1)[0].strip().lower()
        drop = name.decode("latin-1") in VOLATILE
        if not drop:
            out.append(ln)
    return b"".join(out)


def load(ref: MessageRef) -> Loaded:
    f = ref.open()
    try:
        if ref.size <= MAX_MESSAGE_BYTES:
            data = f.read(ref.size)  # never more than the size checked (a file growing meanwhile)
            head, body = _split_head(data)
            h = hashlib.sha256(_stable_head(head))
            h.update(body)
            return Loaded(ref, data, "sha256:" + h.hexdigest())
        data, note, digest = _skim(f, ref.size)
        return Loaded(ref, data, "sha256:" + digest, skimmed=note)
    finally:
        f.close()


def _skim(f, size: int) -> tuple[bytes, str, str]:
    """Read a too-big message line by line, keeping its headers, the headers of every MIME
    part and the bodies of text parts (up to MAX_TEXT_BYTES each); other bodies are hashed
    and counted, not kept. Returns (kept bytes, what was left out, sha256 of the whole)."""
    h = hashlib.sha256()
    out = bytearray()
    read = 0

    def lines():
        nonlocal read
        while read < size:
            ln = f.readline(min(1 << 16, size - read))
            if not ln:
                return
            read += len(ln)
            h.update(ln)
            yield ln

    it = lines()
    head = bytearray()
    for ln in it:
        head += ln
        if not ln.strip():
            break
    hdr = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(bytes(head))
    h = hashlib.sha256(_stable_head(bytes(head)))  # the hash of the stable header block and what follows
    out += head
    skipped: dict[str, int] = {}
    boundaries: list[bytes] = []
    keep, kept_part = True, 0
    ctype = hdr.get_content_type()
    if ctype.startswith("multipart/") and hdr.get_param("boundary"):
        boundaries.append(str(hdr.get_param("boundary")).encode("latin-1", "replace"))
        keep = False  # the preamble
    elif not ctype.startswith("text/"):
        keep = False
        skipped[ctype] = 0
    cut = False
    for ln in it:
        s = ln.rstrip(b"\r\n")
        if boundaries and s.startswith(b"--"):
            hit = next((b for b in reversed(boundaries) if s in (b"--" + b, b"--" + b + b"--")), None)
            if hit is not None:
                out += ln
                if s.endswith(b"--") and s == b"--" + hit + b"--":
                    while boundaries and boundaries[-1] != hit:
                        boundaries.pop()
                    if boundaries:
                        boundaries.pop()
                    keep = False  # an epilogue
                    continue
                while boundaries and boundaries[-1] != hit:
                    boundaries.pop()
                part_head = bytearray()
                for pl in it:
                    part_head += pl
                    if not pl.strip():
                        break
                out += part_head
                ph = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(bytes(part_head))
                pt = ph.get_content_type()
                if pt.startswith("multipart/") and ph.get_param("boundary"):
                    boundaries.append(str(ph.get_param("boundary")).encode("latin-1", "replace"))
                    keep = False
                elif pt.startswith("text/") and ph.get_content_disposition() != "attachment":
                    keep, kept_part, current = True, 0, pt
                else:
                    keep, current = False, pt
                    skipped[pt] = skipped.get(pt, 0)
                continue
        if keep:
            kept_part += len(ln)
            if kept_part <= MAX_TEXT_BYTES:
                out += ln
            else:
                cut = True
        else:
            key = current if boundaries or skipped else ctype
            skipped[key] = skipped.get(key, 0) + len(ln)
    what = ", ".join(f"{t} ({n / 1e6:.1f} MB)" for t, n in skipped.items() if n) or "nothing"
    note = f"its non-text parts were not read: {what}"
    if cut:
        note += f"; a text part was cut at {MAX_TEXT_BYTES} bytes"
    return bytes(out), note, h.hexdigest()


# ------------------------------------------------------------------------------ envelope

@dataclass
class Envelope:
    """What the headers say, read without the body."""
    message_id: Optional[str] = None
    subject: str = ""
    sender_name: str = ""
    sender_addr: str = ""
    list_name: str = ""
    list_id: str = ""
    list_unsubscribe: bool = False
    date: Optional[str] = None          # ISO, in the sender's time zone
    archived_at: Optional[str] = None
    list_post: Optional[str] = None
    content_type: str = ""


def _raw_headers(msg) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in msg.raw_items():
        out.setdefault(k.lower(), []).append(str(v))
    return out


def envelope(data: bytes) -> Envelope:
    head, _ = _split_head(data)
    msg = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(head)
    raw = _raw_headers(msg)

    def first(name: str) -> str:
        v = raw.get(name)
        return re.sub(r"\r?\n(?=[ \t])", "", v[0]).strip() if v else ""

    env = Envelope()
    mid = first("message-id")
    m = re.search(r"<([^<>\s]+)>", mid)
    env.message_id = ("<" + m.group(1) + ">") if m else (mid.split()[0] if mid.split() else None)
    env.subject = decode_header_value(first("subject"))
    name, addr = email.utils.parseaddr(_unescape_8bit(first("from")))
    env.sender_name = decode_header_value(name).strip(" \"'")
    env.sender_addr = addr.strip().lower()
    lid = first("list-id")
    if lid:
        m = re.match(r"^(.*?)<([^<>]*)>\s*$", lid, re.S)
        env.list_name = decode_header_value(m.group(1)).strip(" \"'") if m else ""
        env.list_id = (m.group(2) if m else lid).strip().lower()
    env.list_unsubscribe = bool(first("list-unsubscribe"))
    env.date = _header_date(first("date"))
    env.archived_at = _angle_url(first("archived-at"))
    env.list_post = _angle_url(first("list-post"))
    env.content_type = (first("content-type").split(";")[0].strip().lower() or "text/plain")
    return env


def _header_date(value: str) -> Optional[str]:
    if not value:
        return None
    try:
        d = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if d is None or not 1900 <= d.year <= 2999:
        return None
    return d.date().isoformat()  # the date where the sender was: the newsletter's own date


def _angle_url(value: str) -> Optional[str]:
    for u in re.findall(r"<([^<>]+)>", value) or [value]:
        u = u.strip()
        if re.match(r"^https?://[^\s<>\"{}|\\^`]+$", u):
            return u
    return None


def is_newsletter(env: Envelope) -> bool:
    return bool(env.list_id or env.list_unsubscribe)


def _sender_matches(env: Envelope, value: str) -> bool:
    v = value.strip().lower().strip("<>")
    addr = env.sender_addr
    if "@" in v:
        return addr.endswith(v) if v.startswith("@") else addr == v
    domain = addr.rsplit("@", 1)[-1] if "@" in addr else ""
    if domain and "." in v and (domain == v or domain.endswith("." + v)):
        return True
    return bool(v) and v in env.sender_name.lower()


def _list_matches(env: Envelope, value: str) -> bool:
    v = value.strip().lower().strip("<>")
    return bool(v) and (v in env.list_id or (bool(env.list_name) and v == env.list_name.lower()))


def select(env: Envelope, opts: Optional[MailOptions], single: bool = False) -> Optional[str]:
    """None when the message is to be built, else why not: 'not-newsletter', 'from',
    'list-id', 'date'. `single`: the message is a file of its own (.eml, .emlx, a saved or
    forwarded message): the user named it, so it needs no mailing-list header to count as a
    newsletter (forwarding and saving often drop them); the filters given still apply."""
    opts = opts or MailOptions()
    if opts.senders:
        if not any(_sender_matches(env, v) for v in opts.senders):
            return "from"
    elif not single and not is_newsletter(env):
        return "not-newsletter"
    if opts.list_ids and not any(_list_matches(env, v) for v in opts.list_ids):
        return "list-id"
    if opts.since or opts.until:
        if not env.date or (opts.since and env.date < opts.since) or (opts.until and env.date > opts.until):
            return "date"
    return None


# ------------------------------------------------------------------------------ URLs

REDIRECT_KEYS = {"url", "u", "q", "target", "targeturl", "redirect", "redirect_url", "redirect_uri", "redirecturl",
                 "dest", "destination", "link", "l", "r", "href", "to", "goto", "out", "next", "rurl", "uri"}
_URL_OK = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def unwrap_url(url: str, depth: int = 0) -> str:
    """The target of a tracking redirect when it is in the URL (`…/redirect?url=…`,
    `click.…?u=…`, a percent-encoded or base64 URL in the path), else the URL itself."""
    if depth > 3 or not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    for key, val in parse_qsl(parts.query, keep_blank_values=False):
        if key.lower() in REDIRECT_KEYS:
            v = val.strip()
            if re.match(r"^https?%3a", v, re.I):
                v = unquote(v)
            if _URL_OK.match(v):
                return unwrap_url(v, depth + 1)
    for seg in parts.path.split("/"):
        if len(seg) < 12:
            continue
        v = unquote(seg)
        if re.match(r"^https?://", v, re.I) and _URL_OK.match(v):
            return unwrap_url(v, depth + 1)
        if re.fullmatch(r"[A-Za-z0-9_-]{16,}={0,2}", seg):
            try:
                dec = base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                continue
            m = re.search(r"https?://[^\s\"'<>\\]+", dec)
            if m and _URL_OK.match(m.group(0)):
                return unwrap_url(m.group(0), depth + 1)
    return url


# --------------------------------------------------------------------- boilerplate

# sentences that only list mail has: the footer of a mailing list
FOOTER_SENTENCE = re.compile(
    r"you(?:'|’)?re\s+receiving\s+th|you\s+are\s+receiving\s+th|you\s+received\s+this\s+(?:e-?mail|message|newsletter)|"
    r"(?:this|the)\s+(?:e-?mail|message|newsletter)\s+was\s+sent\s+to|no\s+longer\s+(?:wish|want)\s+to\s+receive|"
    r"to\s+stop\s+receiving|(?:was|is)\s+this\s+(?:e-?mail|newsletter)\s+forwarded|forwarded\s+this\s+(?:e-?mail|newsletter)|"
    r"all\s+rights\s+reserved|(?:©|\(c\)|copyright\s*©?)\s*(?:19|20)\d\d|"
    r"如果您?不想再收到|不再接收|取消订阅|退订|版权所有", re.I)
# a referral block: these words and a link to a referral or sharing page
REFERRAL = re.compile(r"refer\s+(?:a\s+friend|your\s+friends|friends)|referral|share\s+(?:this\s+)?(?:newsletter|e-?mail|issue)|"
                      r"invite\s+(?:a\s+)?friends?|推荐给(?:朋友|好友)|转发给(?:朋友|好友)|分享给(?:朋友|好友)", re.I)
REFERRAL_URL = re.compile(r"refer|share|invite|ref=|referral", re.I)
# the text of a link (or a text line) that is list furniture
FOOTER_LINK = re.compile(
    r"^\W*(?:unsubscribe(?:\s+here)?|opt[\s-]out|update\s+(?:your\s+)?(?:e-?mail\s+|subscription\s+)?preferences|"
    r"manage\s+(?:your\s+)?(?:subscriptions?|preferences|e-?mail\s+settings)|(?:e-?mail\s+)?preferences|"
    r"(?:view|read)\s+(?:this\s+(?:e-?mail|newsletter|issue|post)\s+|it\s+)?(?:in\s+(?:your\s+|a\s+)?browser|on\s+the\s+web|as\s+a\s+web\s*page)|"
    r"view\s+(?:this\s+(?:e-?mail|newsletter|issue)\s+|it\s+)?online|"
    r"web\s+version|open\s+in\s+(?:your\s+)?browser|refer\s+a\s+friend|"
    r"share\s+(?:this\s+)?(?:newsletter|e-?mail|issue)|forward\s+(?:this\s+)?(?:e-?mail|newsletter|to\s+a\s+friend)|"
    r"subscribe(?:\s+(?:here|now|for\s+free))?|sign\s+up(?:\s+here)?|"
    r"取消订阅|退订|在浏览器中(?:查看|打开)|网页版|推荐给(?:朋友|好友)|转发给(?:朋友|好友))\W*$", re.I)
VIEW_ONLINE = re.compile(
    r"(?:view|read)\s+(?:this\s+(?:e-?mail|newsletter|issue|post)\s+|it\s+)?(?:in\s+(?:your\s+|a\s+)?browser|on\s+the\s+web|as\s+a\s+web\s*page)|"
    r"view\s+(?:this\s+(?:e-?mail|newsletter|issue)\s+|it\s+)?online|"
    r"web\s+version|open\s+in\s+(?:your\s+)?browser|在浏览器中(?:查看|打开|阅读)|网页版", re.I)
MAX_FOOTER_CHARS = 600
HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$|!)", re.I)
ZERO_HEIGHT = re.compile(r"max-height\s*:\s*0(?:px)?\s*(?:;|$|!)", re.I)
PREHEADER = re.compile(r"(?:^|[\s_-])(?:pre-?header|preview-?text|preview|mcnPreviewText|hidden-preheader)(?:$|[\s_-])", re.I)
BLOCKS = {"p", "td", "th", "li", "div", "table", "tr", "center", "section", "footer", "header", "h1", "h2", "h3",
          "h4", "h5", "h6", "blockquote"}


def clean_html(html: str) -> tuple[str, Optional[str]]:
    """Drop tracking pixels, hidden pre-headers and list boilerplate from an HTML part.
    Returns the cleaned HTML and the "view in browser" link (its redirect unwrapped)."""
    from selectolax.lexbor import LexborHTMLParser

    from ._markup import bound_nesting

    tree = LexborHTMLParser(bound_nesting(html))  # linear however deep it nests
    doomed = []
    for node in tree.css("img"):
        a = node.attributes
        style = (a.get("style") or "").lower()
        w, h = (a.get("width") or "").strip().rstrip("px"), (a.get("height") or "").strip().rstrip("px")
        tiny = w in ("0", "1") or h in ("0", "1") or re.search(r"(?:width|height)\s*:\s*[01]px", style)
        if tiny or HIDDEN.search(style):
            doomed.append(node)
    for node in tree.css("[style], [class], [id]"):
        a = node.attributes
        style = a.get("style") or ""
        names = " ".join(v for v in (a.get("class"), a.get("id")) if v)
        if HIDDEN.search(style) or (ZERO_HEIGHT.search(style) and "overflow" in style.lower()) \
                or (names and PREHEADER.search(names)):
            doomed.append(node)
    _decompose(doomed)
    view_url = None
    doomed = []
    for a in tree.css("a"):
        text = " ".join((a.text(deep=True) or "").split())
        if not text:
            continue
        if VIEW_ONLINE.search(text) and len(text) <= 80:
            href = (a.attributes.get("href") or "").strip()
            if view_url is None and _URL_OK.match(href):
                view_url = unwrap_url(href)
        if FOOTER_LINK.match(text) or (VIEW_ONLINE.search(text) and len(text) <= 80):
            doomed.append(_block_of(a))
    for node in tree.css("p, td, th, li, div, span, center, small, font"):
        if _footer_block(node) and not any(_footer_block(c) for c in node.traverse(include_text=False)
                                           if c.mem_id != node.mem_id and c.tag in BLOCKS):
            # the innermost block that says it: a parent that holds more keeps the rest
            doomed.append(_block_of(node) if node.tag in ("span", "small", "font") else node)
    _decompose(doomed)
    return tree.html or "", view_url


def _footer_block(node) -> bool:
    text = node.text(deep=True) or ""
    if len(text) > MAX_FOOTER_CHARS:
        return False
    if FOOTER_SENTENCE.search(text):
        return True
    return bool(REFERRAL.search(text)) and any(REFERRAL_URL.search(a.attributes.get("href") or "")
                                                for a in node.css("a"))


def _block_of(node):
    """The nearest block around a node whose text is short enough to be boilerplate."""
    cur, best = node, node
    while cur is not None and cur.parent is not None:
        cur = cur.parent
        if cur.tag in ("body", "html"):
            break
        if len(cur.text(deep=True) or "") > MAX_FOOTER_CHARS:
            break
        if cur.tag in BLOCKS:
            best = cur
            if cur.tag in ("p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"):
                break
    return best


def _decompose(nodes) -> None:
    for n in nodes:
        try:
            n.decompose()
        except Exception:  # already gone with an ancestor
            pass


def unflow(text: str, delsp: bool) -> str:
    """RFC 3676 format=flowed: join soft line breaks (a line ending in a space), undo
    space-stuffing; quoted lines join only with lines of the same quote depth. (Written
    here: 20 lines, and the one package for it has not been maintained since 2016.)"""
    out: list[str] = []
    buf = ""
    depth_buf = None
    for line in text.split("\n"):
        if line == "-- ":  # the signature separator is never flowed
            if depth_buf is not None:
                out.append(buf)
            out.append(line)
            buf, depth_buf = "", None
            continue
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        if body.startswith(" "):
            body = body[1:]  # space-stuffed
        if depth_buf is not None and depth != depth_buf:
            out.append(buf)
            buf, depth_buf = "", None
        prefix = ">" * depth + (" " if depth else "")
        soft = body.endswith(" ")
        piece = body[:-1] if soft and delsp else body
        if depth_buf is None:
            buf, depth_buf = prefix + piece, depth
        else:
            buf += piece
        if not soft:
            out.append(buf)
            buf, depth_buf = "", None
    if depth_buf is not None:
        out.append(buf)
    return "\n".join(out)


_TEXT_URL = re.compile(r"https?://[^\s<>()\[\]\"']+")


def clean_plain(text: str) -> tuple[str, Optional[str]]:
    """A text part without its signature and the paragraphs of list boilerplate; returns
    the text and the "view in browser" link."""
    sig = re.search(r"^-- $", text, re.M)
    if sig:
        text = text[:sig.start()]
    view_url = None
    paras = re.split(r"(\n[ \t]*\n)", text)
    kept = []
    for i in range(0, len(paras), 2):
        p = paras[i]
        sep = paras[i + 1] if i + 1 < len(paras) else ""
        lines = p.split("\n")
        drop_para = len(p) <= MAX_FOOTER_CHARS and (bool(FOOTER_SENTENCE.search(p)) or (
            bool(REFERRAL.search(p)) and any(REFERRAL_URL.search(u) for u in _TEXT_URL.findall(p))))
        keep_lines = []
        for ln in lines:
            bare = _TEXT_URL.sub("", ln).strip(" \t:：<>()[]|-–—*")
            if VIEW_ONLINE.search(bare) and len(bare) <= 80:
                m = _TEXT_URL.search(ln)
                if m and view_url is None:
                    view_url = unwrap_url(m.group(0))
                continue
            if bare and FOOTER_LINK.match(bare):
                continue
            if not bare and _TEXT_URL.search(ln) and keep_lines == [] and len(lines) == 1:
                keep_lines.append(ln)
                continue
            keep_lines.append(ln)
        if drop_para:
            continue
        kept.append("\n".join(keep_lines) + sep)
    return "".join(kept), view_url


# ------------------------------------------------------------------------------ reading

_FWD = re.compile(r"^(?:\s*(?:fwd?|fw|转发|轉寄|转寄)\s*[:：]\s*)+", re.I)
_NUMBER = (re.compile(r"第\s*(\d{1,6})\s*期"),
           re.compile(r"\b(?:issue|edition|newsletter|no\.?|number|vol\.?\s*\d+\s*,?\s*no\.?)\s*#?\s*(\d{1,6})\b", re.I),
           re.compile(r"(?:^|[\s(\[|])#\s?(\d{1,6})(?=$|[\s:：|,.)\]–—-])"))
_JUNK_NAME = re.compile(r"[A-Za-z0-9]*\d[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]{10,}|\bmc\s+list\b|list-id", re.I)


def _plausible_name(s: str) -> bool:
    """A List-Id phrase a person wrote ("Circuit Notes"), not an ESP's id ("1a2b3c… mc list")."""
    return bool(s) and len(s) <= 80 and not _JUNK_NAME.search(s) and bool(re.search(r"[^\W\d_]", s))


def subject_parts(subject: str) -> tuple[str, Optional[str], Optional[int], Optional[str]]:
    """Subject -> (clean subject, newsletter name, number, title) through the text reader's
    title-line rules, else a number found anywhere in it."""
    s = _FWD.sub("", subject).strip()
    s = re.sub(r"^\[[^\]]{1,60}\]\s*", "", s) or s
    if not s:
        return "", None, None, None
    probe = parse_text(s + "\n", "subject", "")
    if probe.number is not None:
        return s, probe.newsletter or None, probe.number, probe.title
    for rx in _NUMBER:
        m = rx.search(s)
        if m:  # "AI Weekly #462: Chips Rally": the name before the number, the title after it
            before = s[:m.start()].strip(" \t-–—|:：,([")
            after = s[m.end():].strip(" \t-–—|:：,)]")
            return s, before or None, int(m.group(1)), after or s
    return s, None, None, s


def _issue_name(env: Envelope, reader_name: str, subject_name: Optional[str]) -> str:
    for cand in (env.list_name if _plausible_name(env.list_name) else "", env.sender_name, subject_name,
                 reader_name):
        if cand and cand.strip():
            return english_name(" ".join(cand.split()))
    addr = env.sender_addr
    return addr.rsplit("@", 1)[-1] if "@" in addr else (addr or "newsletter")


def source_name(ref: MessageRef, env: Envelope, content_hash: str) -> str:
    """kg:sourceFile of a message: the file of a saved message; for a message in a mailbox,
    the mailbox's name and the message's Message-ID (else its content hash): what it is,
    not where it happens to be in the mailbox."""
    base = os.path.basename(os.path.normpath(ref.container))
    if ref.kind in ("eml", "emlx"):
        return base
    return f"{base} {env.message_id or content_hash[:19]}"


def _msgid(env: Envelope) -> str:
    return env.message_id or "(no Message-ID)"


def read_message(msg: Loaded, env: Envelope) -> Issue:
    """One message -> one issue (KgError E090-E094 when it cannot be)."""
    ref = msg.ref
    where, mid = ref.where, _msgid(env)
    warns: list[str] = []
    if msg.skimmed:
        warns.append(warning("W043", where=where, msgid=mid, size=f"{ref.size:,}", limit=f"{MAX_MESSAGE_BYTES:,}",
                             what=msg.skimmed))
    try:
        m = email.parser.BytesParser(_class=_Message, policy=email.policy.compat32).parsebytes(msg.data)
    except Exception as e:  # the parser is tolerant; this is a bug in it or absurd input
        raise KgError("E091", where=where, msgid=mid, reason=f"the message cannot be parsed ({type(e).__name__}: {e})"[:200])
    defects = sorted({type(d).__name__ for part in m.walk() for d in part.defects})
    if ref.last and (ref.truncated_tail or "CloseBoundaryNotFoundDefect" in defects) and not msg.skimmed:
        raise KgError("E092", where=where, msgid=mid)
    if defects and not msg.skimmed:
        warns.append(warning("W044", where=where, msgid=mid,
                             reason=f"malformed MIME ({', '.join(d.replace('Defect', '') for d in defects)}); read what could be"))
    src = source_name(ref, env, msg.content_hash)
    issue, problems = None, []
    for kind in ("html", "plain"):
        try:
            part = m.get_body(preferencelist=(kind,))
        except Exception as e:
            problems.append(f"{kind} part: {type(e).__name__}")
            continue
        if part is None:
            continue
        try:
            issue = _read_part(part, kind, src, msg.content_hash, where, mid, warns)
        except _PartError as e:
            problems.append(str(e))
            continue
        if issue is not None:
            break
        problems.append(f"no newsletter items in its {kind} part")
    if issue is None:
        if not problems:
            types = sorted({p.get_content_type() for p in m.walk() if not p.is_multipart()}) or ["nothing"]
            raise KgError("E090", where=where, msgid=mid, types=", ".join(types))
        if all(p.startswith("no newsletter items") for p in problems):
            raise KgError("E094", where=where, msgid=mid)
        raise KgError("E091", where=where, msgid=mid, reason="; ".join(problems)[:300])
    _apply_headers(issue, env)
    if kind == "html":
        _render(issue, subject_parts(env.subject)[0] or issue.title or "")
    issue.warnings[:0] = warns
    return issue


class _Message(email.message.EmailMessage):
    """email's EmailMessage (get_body, iter_parts) on the compat32 header policy: headers
    stay strings, parsed only where they are used (measured on the benchmark's messages:
    0.8 ms a message against 4.0 ms with policy.default, which builds a header object at
    every access; kg decodes the headers it shows itself, see decode_header_value)."""

    def is_attachment(self) -> bool:
        return self.get_content_disposition() == "attachment"


class _PartError(Exception):
    """A body part that cannot be read (the message may have another)."""


def _part_text(part, where: str, mid: str, warns: list[str]) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception as e:
        raise _PartError(f"its {part.get_content_type()} part cannot be decoded ({type(e).__name__})")
    if payload is None or not payload.strip():
        raise _PartError(f"its {part.get_content_type()} part is empty")
    bad_b64 = any(isinstance(d, (email.errors.InvalidBase64LengthDefect, email.errors.InvalidBase64CharactersDefect))
                  for d in part.defects)
    if any(isinstance(d, email.errors.InvalidBase64LengthDefect) for d in part.defects):
        # email gives such a part back undecoded: what it holds is not the text
        raise _PartError(f"its {part.get_content_type()} part is broken base64")
    if looks_binary(payload) is not None:
        raise KgError("E091", where=where, msgid=mid,
                      reason=f"its {part.get_content_type()} part is not text ({part.get('content-transfer-encoding', '7bit')} content that does not decode)")
    charset = part.get_content_charset()  # RFC 2231 values collapsed
    text, enc = _decode_bytes(payload, charset)
    if bad_b64 and (text is None or _CONTROL.search(text)):
        # characters that are not base64 were dropped and what is left is not text
        raise _PartError(f"its {part.get_content_type()} part is broken base64")
    if text is None:
        try:
            text, used, more = decode_text(payload, where)
        except KgError as e:
            raise _PartError(str(e).split("] ", 1)[-1])
        if enc:  # a declared charset that is unknown or wrong
            warns.append(warning("W044", where=where, msgid=mid, reason=f"{enc}; read as {used}"))
        warns.extend(w.replace(where + ":", f"{where} {mid}: line", 1) for w in more)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text, fixed = repair_mojibake(text)
    if fixed:
        warns.append(warning("W044", where=where, msgid=mid, reason=f"repaired mojibake on {fixed} line(s)"))
    text, more = clean_text(text, where)
    warns.extend(more)
    return text


def _read_part(part, kind: str, src: str, content_hash: str, where: str, mid: str, warns: list[str]) -> Optional[Issue]:
    text = _part_text(part, where, mid, warns)
    if kind == "html":
        html, view_url = clean_html(text)
        try:
            issues = READERS["html"].read(html, src, content_hash)
        except KgError as e:
            raise _PartError(str(e).split("] ", 1)[-1])
        except RecursionError:
            raise _PartError("its HTML part is nested too deep")
        except Exception as e:  # a reader bug or a library failure must not stop the mailbox
            raise _PartError(f"the HTML reader failed: {type(e).__name__}: {e}"[:200])
        if not issues:
            return None
        issue = issues[0]
        for other in issues[1:]:
            issue.items += other.items
        _render(issue, "")  # and again once the headers have given title and date (read_message)
    else:
        if part.get_param("format", "").lower() == "flowed":
            text = unflow(text, part.get_param("delsp", "").lower() == "yes")
        text, view_url = clean_plain(text)
        if not text.strip():
            return None
        issue = parse_text(text, src, content_hash)
    check_items(issue, src)
    issue.items = [it for it in issue.items if it.text.strip()]
    if not issue.items:
        return None
    for it in issue.items:
        it.urls = list(dict.fromkeys(unwrap_url(u) for u in it.urls))
    urls = [u for u in (view_url,) if u] + [unwrap_url(u) for u in issue.urls]
    issue.urls = list(dict.fromkeys(u for u in urls if _URL_OK.match(u)))
    return issue


def _render(issue: Issue, title: str) -> None:
    """The issue's text becomes a rendered document (the subject, the date, per section a
    heading and one line per item) and item offsets point into it: the HTML source of a mail
    is mostly layout, and offsets into it mean nothing to a reader of the message."""
    header = "\n".join(x for x in (title, issue.date or "") if x)
    parts = [header + "\n\n"] if header else []
    pos = sum(len(p) for p in parts)
    section = None
    counters: dict[str, int] = {}
    for it in issue.items:
        if it.section and it.section != section:
            parts.append(("\n" if parts else "") + it.section + "\n")
            pos += len(parts[-1])
        section = it.section
        prefix = "- " if it.kind == "item" else ""
        it.start = pos + len(prefix)
        it.end = it.start + len(it.text)
        counters[it.lang] = counters.get(it.lang, 0) + 1
        it.position = counters[it.lang]
        parts.append(prefix + it.text + "\n")
        pos += len(parts[-1])
    issue.text = "".join(parts)


def _apply_headers(issue: Issue, env: Envelope) -> None:
    subject, subject_name, number, title = subject_parts(env.subject)
    issue.newsletter = _issue_name(env, issue.newsletter, subject_name)
    if number is not None:
        issue.number = number
    if title:
        issue.title = title
    elif subject and not issue.title:
        issue.title = subject
    issue.date = env.date or issue.date
    extra = [u for u in (env.archived_at, env.list_post) if u]
    view = issue.urls[:1] if issue.urls else []
    issue.urls = list(dict.fromkeys(view + extra + issue.urls))


# ------------------------------------------------------------------ a whole container

@dataclass
class Candidate:
    """A message selected for the build: `unit` names it in the build, `key` is its cache
    key (what the message is, and the name it is built under)."""
    unit: str
    key: str
    where: str
    msg: Loaded
    env: Envelope

    def read(self) -> Issue:
        try:
            return read_message(self.msg, self.env)
        except KgError:
            raise
        except RecursionError:
            raise KgError("E091", where=self.where, msgid=_msgid(self.env), reason="its MIME structure is nested too deep")
        except Exception as e:  # a bug, or input no one foresaw: this message is skipped, not the mailbox
            raise KgError("E091", where=self.where, msgid=_msgid(self.env),
                          reason=f"kg could not read it ({type(e).__name__}: {e})"[:200])


@dataclass
class Selection:
    """Goes through a container's messages, yields those to build and keeps count of what it
    left out (reported once per container, see notes())."""
    path: str
    kind: str
    options: Optional[MailOptions] = None
    seen: dict = field(default_factory=dict)   # Message-ID (else content hash) -> where first seen; shared by containers
    follow_symlinks: bool = False                  # a Maildir's message files: see _maildir
    roots: tuple = ()
    total: int = 0
    left_out: dict = field(default_factory=dict)   # why -> count
    duplicates: list = field(default_factory=list)
    failed: list = field(default_factory=list)     # (where, message) of messages that could not be read
    selected: int = 0
    read: int = 0                                  # messages read (not reused from the cache)
    no_number: int = 0
    no_date: int = 0

    def candidates(self) -> Iterator[Candidate]:
        for ref in iter_messages(self.path, self.kind, self.follow_symlinks, self.roots):
            self.total += 1
            try:
                msg = load(ref)
            except KgError as e:  # not a regular file (E145), a link leaving the input folders (E146)
                if ref.kind in ("eml", "emlx"):
                    raise
                self.failed.append((ref.where, str(e)))
                continue
            except OSError as e:
                self.failed.append((ref.where, str(KgError("E091", where=ref.where, msgid="",
                                                           reason=f"it cannot be read ({e.strerror or e})"))))
                continue
            try:
                env = envelope(msg.data)
            except Exception as e:  # nothing in a message may stop the mailbox
                self.failed.append((ref.where, str(KgError("E091", where=ref.where, msgid="", reason=(
                    f"its headers cannot be read ({type(e).__name__}: {e})")[:200]))))
                continue
            why = select(env, self.options, single=ref.kind in ("eml", "emlx"))
            if why:
                self.left_out[why] = self.left_out.get(why, 0) + 1
                continue
            ident = env.message_id or msg.content_hash
            if ident in self.seen:
                self.duplicates.append(warning("W042", where=ref.where, msgid=_msgid(env), other=self.seen[ident]))
                continue
            self.seen[ident] = ref.where
            self.selected += 1
            src = source_name(ref, env, msg.content_hash)
            unit = self.path if ref.kind in ("eml", "emlx") else f"{self.path}#{ref.position}"
            yield Candidate(unit, f"mail:{src}:{msg.content_hash}", ref.where, msg, env)

    def count(self, issue: Issue) -> None:
        """Note what a message read in this build lacks."""
        self.read += 1
        self.no_number += issue.number is None
        self.no_date += not issue.date

    def _filtered(self) -> int:
        return sum(v for k, v in self.left_out.items() if k in ("from", "list-id", "date"))

    def notes(self) -> list[str]:
        out = list(self.duplicates)
        n = self.left_out.get("not-newsletter", 0)
        if n:
            out.append(warning("W040", path=self.path, n=f"{n:,}", total=f"{self.total:,}"))
        if self._filtered():
            out.append(warning("W041", path=self.path, n=f"{self._filtered():,}", total=f"{self.total:,}",
                               filters=(self.options or MailOptions()).describe()))
        if self.kind not in ("eml", "emlx"):  # a saved message gets the usual W002/W003
            if self.no_number:
                out.append(warning("W045", path=self.path, n=f"{self.no_number:,}", total=f"{self.read:,}"))
            if self.no_date:
                out.append(warning("W046", path=self.path, n=f"{self.no_date:,}", total=f"{self.read:,}"))
        return out

    def nothing_selected(self) -> KgError:
        """E093: why a container gave no message to build."""
        if self.total == 0:
            return KgError("E093", path=self.path, summary="it holds no message")
        parts = []
        n = self.left_out.get("not-newsletter", 0)
        if n:
            parts.append(f"{n:,} without List-Id or List-Unsubscribe (name their sender with --from)")
        if self._filtered():
            parts.append(f"{self._filtered():,} left out by {(self.options or MailOptions()).describe()}")
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} already read from another file")
        if self.failed:
            parts.append(f"{len(self.failed)} unreadable")
        return KgError("E093", path=self.path, summary=f"of its {self.total:,} message(s), " + ", ".join(parts))


def read_mail_path(path: str, kind: str, options: Optional[MailOptions] = None, follow_symlinks: bool = False,
                   roots: tuple[str, ...] = ()) -> list[Issue]:
    """Every selected message of a container as an issue (kg.ingest.read_path's mail branch;
    `kg build` reads mail through kg.build, which caches each message on its own). A message
    that fails becomes a warning of the first issue; one saved message that fails raises.
    `follow_symlinks`, `roots`: see _maildir."""
    sel = Selection(path, kind, options, follow_symlinks=follow_symlinks, roots=roots)
    issues: list[Issue] = []
    errors: list[KgError] = []
    for cand in sel.candidates():
        try:
            iss = cand.read()
        except KgError as e:
            errors.append(e)
            continue
        sel.count(iss)
        issues.append(iss)
    if not issues:
        if errors and kind in ("eml", "emlx"):
            raise errors[0]
        if errors or sel.failed:
            first = str(errors[0]) if errors else sel.failed[0][1]
            raise KgError("E093", path=path, summary=f"no message could be read; first: {first}"[:400])
        raise sel.nothing_selected()
    issues[0].warnings[:0] = [str(e) for e in errors] + [m for _, m in sel.failed] + sel.notes()
    return issues


# --------------------------------------------------------------------- registration

def read_mail_text(text: str, source_file: str, content_hash: str) -> list[Issue]:
    """The Reader interface (decoded text in): for a message that reached a reader as text;
    files and folders are read from their bytes by read_mail_path."""
    data = text.encode("utf-8", "surrogateescape")
    ref = MessageRef(source_file, "eml", 1, len(data), lambda: None)
    msg = Loaded(ref, data, content_hash or "sha256:" + hashlib.sha256(data).hexdigest())
    return [read_message(msg, envelope(data))]

