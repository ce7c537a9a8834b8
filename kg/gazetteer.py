"""The gazetteer: a maintained data file (ontology/gazetteer/entities.tsv) of known
entities with type, canonical name, English and Chinese aliases, ticker, Wikidata id and
home page. See ontology/gazetteer/README.md for the format."""
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


_SUFFIX = re.compile(r"(?:,?\s+(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|plc|"
                     r"group|holdings|ag|sa|se|nv|gmbh)\.?)+$", re.I)
_POSS = re.compile(r"(?:['’]s|['’])$")


def normalize(name: str) -> str:
    """Case-, punctuation- and suffix-insensitive key for a name."""
    s = name.strip()
    s = _POSS.sub("", s)
    s = re.sub(r"^the\s+", "", s, flags=re.I)
    s = _SUFFIX.sub("", s)
    s = re.sub(r"[\s\-_.,·・&'’\"“”]+", " ", s).strip().casefold()
    return s


def _split(v: str) -> list[str]:
    return [a.strip() for a in (v or "").split("|") if a.strip()]


def load(path: Optional[str] = None) -> Gazetteer:
    return _load_cached(str(path or DEFAULT_PATH))


@lru_cache(maxsize=8)
def _load_cached(path: str) -> Gazetteer:
    p = Path(path)
    if not p.exists():
        raise KgError("E001", path=path)
    entries: dict[str, GazEntry] = {}
    with p.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header != COLUMNS:
            raise KgError("E009", path=path, line=1, reason=f"header must be {' '.join(COLUMNS)}")
        for lineno, row in enumerate(reader, start=2):
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
            entries[rid] = GazEntry(
                id=rid, type=typ, name=name, aliases_en=_split(row[3]), aliases_zh=_split(row[4]),
                tickers=_split(row[5]), wikidata=row[6].strip() or None, homepage=row[7].strip() or None)
    return Gazetteer(entries=entries, path=path)
