"""The gazetteer: known entities with type, canonical name, English and Chinese aliases,
ticker, Wikidata id and home page, in two data files of one format (see
ontology/gazetteer/README.md): the curated ontology/gazetteer/entities.tsv, read first, and
ontology/gazetteer/generated.tsv, which scripts/gen_gazetteer.py writes from maintained
lists (stock index constituents, countries, states, big cities). The curated file owns every
form it has: a later row loses a form an earlier row owns."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

from .errors import KgError
from .model import ENTITY_TYPES

from .resources import GAZETTEER_PATH as DEFAULT_PATH, ONTOLOGY_DIR  # noqa: F401 (ONTOLOGY_DIR: API)

# written by scripts/gen_gazetteer.py; loaded after DEFAULT_PATH whenever that is loaded
GENERATED_PATH = DEFAULT_PATH.with_name("generated.tsv")
COLUMNS = ["id", "type", "name", "aliases_en", "aliases_zh", "ticker", "wikidata", "homepage"]
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class GazEntry:
    id: str
    type: str
    name: str
    aliases_en: list[str] = field(default_factory=list)
    aliases_zh: list[str] = field(default_factory=list)
    tickers: list[str] = field(default_factory=list)
    wikidata: Optional[str] = None
    homepage: Optional[str] = None

    def surface_forms(self, lang: str) -> list[str]:
        if lang == "zh":
            return self.aliases_zh
        return [self.name] + self.aliases_en + self.tickers


@dataclass
class Gazetteer:
    entries: dict[str, GazEntry]
    path: str = ""

    def __post_init__(self):
        self._by_form: dict[str, str] = {}
        self._by_norm: dict[str, str] = {}
        for e in self.entries.values():
            for form in [e.name] + e.aliases_en + e.aliases_zh + e.tickers:
                self._by_form.setdefault(form, e.id)
                self._by_norm.setdefault(normalize(form), e.id)

    def lookup(self, form: str) -> Optional[str]:
        """Entity id for a surface form: exact first, then normalized ("Microsoft Corp.",
        "NVIDIA", "Meta's" all find their entity)."""
        if form in self._by_form:
            return self._by_form[form]
        return self._by_norm.get(normalize(form))

    def outlets(self) -> list[GazEntry]:
        return [e for e in self.entries.values() if e.type == "Outlet"]


# legal suffixes (cleanco's terms, checked against the index constituents' legal names; kg does
# not import cleanco): "Aegon N.V.", "Saab AB", "KSB SE & Co. KGaA", "Eli Lilly and Company"
_SUFFIX = re.compile(r"(?:,?\s+(?:(?:&|and)\s+(?:co|company|plc)|inc|incorporated|corp|corporation|co|company|"
                     r"ltd|limited|llc|plc|group|holdings|ag|sa|se|nv|gmbh|n\.v|s\.a|s\.p\.a|spa|ab|sca|kgaa|"
                     r"oyj|asa)\.?)+$", re.I)
_POSS = re.compile(r"(?:['’]s|['’])$")
# compiled once (re.sub with a pattern string looks it up in re's cache on every call: a
# third of the time of a call, and the gazetteer's ~9,000 forms are normalized on every load)
_THE = re.compile(r"^the\s+", re.I)
_PUNCT = re.compile(r"[\s\-_.,·・&'’\"“”]+")


@lru_cache(maxsize=1 << 16)
def normalize(name: str) -> str:
    """Case-, punctuation- and suffix-insensitive key for a name. Cached: resolution and the
    readers look the same names up again and again (a pure function of its text)."""
    # (each pattern only where it can match, which most names rule out: _POSS needs an
    # apostrophe; _THE a white space after three characters; _SUFFIX a white space, and a
    # text has one only where it has a space or is not printable, since str.isprintable refuses
    # every white space but the ASCII space; re's \s is str.isspace)
    s = name.strip()
    if "'" in s or "’" in s:
        s = _POSS.sub("", s)
    if s[3:4].isspace():
        s = _THE.sub("", s)
    if " " in s or not s.isprintable():
        s = _SUFFIX.sub("", s)                  # "Moody's Corporation"
    if "'" in s or "’" in s:
        s = _POSS.sub("", s)
    s = _PUNCT.sub(" ", s).strip().casefold()
    return s


def _split(v: str) -> list[str]:
    return [a.strip() for a in (v or "").split("|") if a.strip()]


def files(path: Optional[str] = None) -> list[Path]:
    """The files a gazetteer is read from, in order: `path` alone, or, for the shipped
    gazetteer (no path, or the curated file's own path), the curated file and then the
    generated one beside it."""
    p = Path(path) if path else DEFAULT_PATH
    if GENERATED_PATH.exists() and p.resolve() == DEFAULT_PATH.resolve():
        return [p, GENERATED_PATH]
    return [p]


def content(path: Optional[str] = None) -> bytes:
    """The gazetteer as one TSV (the header, then every file's rows in load order), which
    loads to the same entries: what a cache key hashes and what remote workers receive."""
    parts = []
    for i, p in enumerate(files(path)):
        try:
            data = p.read_bytes()
        except OSError:
            raise KgError("E001", path=str(p))
        if i:
            lines = data.splitlines(keepends=True)
            head = next((k for k, ln in enumerate(lines) if not ln.startswith(b"#")), len(lines))
            data = b"".join(lines[:head] + lines[head + 1:])   # its comments, without its header
            if parts and not parts[-1].endswith(b"\n"):
                parts.append(b"\n")
        parts.append(data)
    return b"".join(parts)


def load(path: Optional[str] = None) -> Gazetteer:
    return _load_cached(tuple(str(p) for p in files(path)))


def load_file(path) -> Gazetteer:
    """One gazetteer file on its own (scripts/gen_gazetteer.py reads the curated one so)."""
    return _load_cached((str(path),))


@lru_cache(maxsize=8)
def _load_cached(paths: tuple[str, ...]) -> Gazetteer:
    entries: dict[str, GazEntry] = {}
    owned: set[str] = set()
    for path in paths:
        _read(path, entries, owned)
    return Gazetteer(entries=entries, path=paths[0])


def _read(path: str, entries: dict[str, GazEntry], owned: set[str]) -> None:
    """Add the rows of one file to `entries`. One owner per surface form: a row whose name
    an earlier row owns is skipped, and a row's other forms that an earlier row owns are
    left out of it (the committed files have none: tests/test_gazetteer.py checks)."""
    p = Path(path)
    if not p.exists():
        raise KgError("E001", path=path)
    with p.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header, lineno = None, 0
        for header in reader:           # comment lines may come before the header
            lineno += 1
            if not (header and header[0].startswith("#")):
                break
        if header != COLUMNS:
            raise KgError("E009", path=path, line=lineno, reason=f"header must be {' '.join(COLUMNS)}")
        for lineno, row in enumerate(reader, start=lineno + 1):
            if not row or not "".join(row).strip() or row[0].startswith("#"):
                continue
            row = row + [""] * (len(COLUMNS) - len(row))
            if len(row) > len(COLUMNS):
                raise KgError("E009", path=path, line=lineno, reason=f"{len(row)} columns")
            rid, typ, name = row[0].strip(), row[1].strip(), row[2].strip()
            if not ID_RE.match(rid):
                raise KgError("E009", path=path, line=lineno, reason=f"bad id {rid!r}")
            if typ not in ENTITY_TYPES:
                raise KgError("E009", path=path, line=lineno, reason=f"unknown type {typ!r}")
            if rid in entries:
                raise KgError("E009", path=path, line=lineno, reason=f"duplicate id {rid!r}")
            if not name:
                raise KgError("E009", path=path, line=lineno, reason="empty name")
            if name in owned:
                continue
            en, zh, tickers = ([a for a in _split(v) if a not in owned] for v in row[3:6])
            e = GazEntry(id=rid, type=typ, name=name, aliases_en=en, aliases_zh=zh, tickers=tickers,
                         wikidata=row[6].strip() or None, homepage=row[7].strip() or None)
            entries[rid] = e
            owned.update([e.name, *e.aliases_en, *e.aliases_zh, *e.tickers])
