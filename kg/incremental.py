"""Incremental builds: a manifest and caches under OUT/.kg/.

Extraction (the NLP) is the expensive stage. Resolution is redone over every current input
on every build, so an incremental build gives byte-identical output to a full one. A file's
cached extraction is keyed by its content hash and by the pipeline (kg's own source, the
gazetteer, the model, the reader options): a changed file, gazetteer, model or kg version
re-extracts. One file (cache/*.kge) holds it twice: first as resolution records (marshal),
which is all resolution and the issue signatures read, then whole (plain tuples, see
_full_dumps), which is loaded only for an issue that must be rendered again. Each issue's rendering is cached under
its signature, all issues in one index (terms/index.rdx, see TermCache): what the merged
graph needs besides the issue's Turtle, and the length and CRC-32 of that Turtle, which is
read back from the issue's own file (issues/*.ttl) rather than stored twice. Every entry
and the index carry a CRC-32 of their content: a damaged entry or index, or an issue file
that is not the Turtle its entry describes, is a cache miss (extracted or rendered again,
and rewritten), never part of the output. Extraction entries are written in place (no
temporary file and rename): one cut short (a killed build, a power loss) fails its
checksum and is extracted again. The manifest is written last; it also says which input
file each issue file was built from, and which inputs were given, so that a build can tell
an issue the user removed from one it was simply not given this time (kg.build, `prune`)."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import marshal
import os
import pickle
import struct
import sys
import zlib
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from dataclasses import dataclass
from typing import ClassVar, Optional

from . import gazetteer as gz
from .atomic import write_atomic
from .model import DateMention, EventMention, Issue, IssueExtraction, Item, ItemExtraction, Mention, MetricMention

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
# marshal's format belongs to the Python version: records written by another are not read
_MARSHAL_TAG = ("kg", 1, sys.version_info[:2])
# a cache entry: a header (magic, the records' length, a CRC-32 of the records and one of
# the whole extraction), the records, the whole extraction (_full_dumps)
ENTRY_SUFFIX = ".kge"
_KGE_MAGIC = b"KGE3"   # KGE2: the extraction always pickled
_KGE_HEADER = struct.Struct("<4sQII")
# the renderings' index (TermCache): magic, a CRC-32 of the marshalled entries, the marshalled
# entries ({signature: (the length and CRC-32 of the issue file's Turtle, what
# kg.rdf.Rendered.as_plain gives)}). The files of the earlier layout (one KGR2 file per issue,
# terms/*.rdr, holding the Turtle itself) are not read, and removed (their issues are rendered
# again, once).
_RDR_MAGIC = b"KGR3"
_RDX_NAME = "index.rdx"
_RDR_HEADER = struct.Struct("<4sI")
# CRC-32 (zlib) detects damage (a zeroed block, a torn write, a flipped bit) at a fraction of
# a cryptographic hash's cost: on the 38 MB of issue files an incremental build of 1,000
# issues reads back, 0.01 s (see README, "Safety")
_crc = zlib.crc32


@lru_cache(maxsize=1)
def code_hash() -> str:
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for p in sorted(root.rglob("*.py")):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def pipeline_key(model: Optional[str], gazetteer_path: str, options: str) -> str:
    h = hashlib.sha256()
    for part in (str(FORMAT_VERSION), code_hash(), model or "none", options):
        h.update(part.encode() + b"\x1f")
    h.update(gz.content(gazetteer_path))       # the curated and the generated file
    return h.hexdigest()[:16]


def _unlink_all(paths: list[Path]) -> None:
    """Remove the files and empty the list (a file already gone is fine)."""
    for p in paths:
        try:
            p.unlink()
        except OSError:
            pass
    paths.clear()


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)


def _write_entry(target: Path, data: bytes, replace: bool) -> None:
    """Write a cache entry in place: created anew (a file already there when `replace`, a
    damaged entry, is removed first; a link is never written through), its data, closed.
    Three system calls where a temporary file and a rename take eight; no fsync (see the
    module's docstring: an entry cut short fails its checksum). Interrupted (Ctrl-C, an
    error), the entry is removed. An OSError names the entry."""
    if replace:
        try:
            os.unlink(target)
        except FileNotFoundError:
            pass
    fd = os.open(target, _NEW_FILE, 0o666)   # the umask applies, as for any new file
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except BaseException as e:
        os.close(fd)
        try:
            os.unlink(target)
        except OSError:
            pass
        if isinstance(e, OSError):
            e.filename, e.filename2 = str(target), None
        raise
    os.close(fd)


class DamagedCache(Exception):
    """A cached extraction cannot be read (kg.build then builds again with rebuild=True)."""


class Cache:
    def __init__(self, out_dir: str, key: str, enabled: bool = True):
        self.dir = Path(out_dir) / ".kg"
        self.key = key
        self.enabled = enabled
        self.manifest = self._read_manifest() if enabled else {}
        self.used: dict[str, dict] = {}
        self.outputs: dict[str, str] = {}   # issue file name -> signature of its content
        self.sources: dict[str, str] = {}   # issue file name -> the input file it was built from
        self.inputs: list[str] = []         # the inputs given (real paths)
        self.created: list[Path] = []       # entries this build wrote anew
        self._full: dict[str, list[IssueExtraction]] = {}
        self._made_dir = False

    def _read_manifest(self) -> dict:
        p = self.dir / MANIFEST
        try:
            m = json.loads(p.read_text(encoding="utf-8"))
            return m if m.get("format") == FORMAT_VERSION else {}
        except (OSError, ValueError):
            return {}

    def entry_name(self, content_hash: str) -> str:
        return hashlib.sha256(f"{self.key}:{content_hash}".encode()).hexdigest()[:24] + ENTRY_SUFFIX

    def get_records(self, path: str, content_hash: str) -> Optional[list["IssueRecord"]]:
        """What resolution and the incremental output need of a file's cached extraction
        (see IssueRecord), read without unpickling the extraction (a third of the time).
        None when there is none, or it is damaged (its checksum does not match): the file
        is then extracted again and the entry rewritten."""
        if not self.enabled:
            return None
        name = self.entry_name(content_hash)
        try:
            with (self.dir / "cache" / name).open("rb") as fh:
                magic, n, crc, _ = _KGE_HEADER.unpack(fh.read(_KGE_HEADER.size))
                raw = fh.read(n)
            if magic != _KGE_MAGIC or len(raw) != n or _crc(raw) != crc:
                return None
            tag, recs = marshal.loads(raw)
            if tag != _MARSHAL_TAG:
                return None
            out = [IssueRecord.from_tuple(r) for r in recs]
        except Exception:
            return None
        for i, r in enumerate(out):
            r.source, r.index = name, i
        self.used[path] = {"hash": content_hash, "cache": name}
        return out

    def load_full(self, rec: "IssueRecord") -> IssueExtraction:
        """The cached extraction a record stands for, with the record's resolution applied;
        DamagedCache when it cannot be read, fails its checksum or does not match its record."""
        exs = self._full.get(rec.source)
        try:
            if exs is None:
                with (self.dir / "cache" / rec.source).open("rb") as fh:
                    magic, n, _, crc = _KGE_HEADER.unpack(fh.read(_KGE_HEADER.size))
                    fh.seek(_KGE_HEADER.size + n)
                    raw = fh.read()
                if magic != _KGE_MAGIC or _crc(raw) != crc:
                    raise ValueError("checksum mismatch")
                exs = self._full[rec.source] = _full_loads(raw)
            return rec.apply_to(exs[rec.index])
        except Exception as e:
            raise DamagedCache(str(self.dir / "cache" / rec.source)) from e

    def put(self, path: str, content_hash: str, exs: list[IssueExtraction]) -> None:
        """Cache a file's extraction (before resolution, which changes it)."""
        name = self.entry_name(content_hash)
        recs = marshal.dumps((_MARSHAL_TAG, [IssueRecord.to_tuple(ex) for ex in exs]))
        full = _full_dumps(exs)
        cdir = self.dir / "cache"
        if not self._made_dir:
            cdir.mkdir(parents=True, exist_ok=True)
            self._made_dir = True
        target = cdir / name
        there = os.path.lexists(target)
        if not there:
            self.created.append(target)
        _write_entry(target, b"".join((_KGE_HEADER.pack(_KGE_MAGIC, len(recs), _crc(recs), _crc(full)), recs, full)),
                     there)
        self.used[path] = {"hash": content_hash, "cache": name}

    def discard_created(self) -> None:
        """Remove the entries this build wrote: a build that failed (a full disk, say) leaves
        no cache entry behind that no manifest refers to."""
        _unlink_all(self.created)

    def commit(self) -> None:
        """Write the manifest (last) and drop cache entries no input uses any more."""
        keep = {v["cache"] for v in self.used.values()}
        cdir = self.dir / "cache"
        if cdir.exists():
            for f in cdir.iterdir():
                if f.suffix in (ENTRY_SUFFIX, ".pkl", ".res") and f.name not in keep:  # .pkl, .res: an earlier layout
                    f.unlink()
        manifest = {"format": FORMAT_VERSION, "pipeline": self.key,
                    "files": {k: self.used[k] for k in sorted(self.used)},
                    "outputs": dict(sorted(self.outputs.items())),
                    "sources": dict(sorted(self.sources.items())), "inputs": sorted(self.inputs)}
        write_atomic(self.dir / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())


class TermCache:
    """What the merged graph needs of each rendered issue besides its Turtle (its figure
    facts, how many triples its own subjects have), with the length and CRC-32 of that
    Turtle, keyed by a signature of everything its rendering
    reads (its resolved extraction and the entities it refers to). An incremental build
    re-renders only issues whose signature changed or whose file (issues/*.ttl, read back
    as the Turtle) is not what the entry describes, and the merged graph is the
    concatenation of the issues' blocks, so adding one issue to a thousand costs little
    more than that one issue.

    All entries are one file (terms/index.rdx: a header with a CRC-32, then the marshalled
    entries, about 2 KB an issue): read once, written once after the build's output
    (`prune`), so a build creates no file per issue for them. A damaged index is no index:
    every issue is rendered again. A build that fails or stops before it leaves the index
    as it was (an issue file it did write then no longer matches its entry: a miss)."""

    def __init__(self, out_dir: str, enabled: bool = True):
        self.dir = Path(out_dir) / ".kg" / "terms"
        self.path = self.dir / _RDX_NAME
        self.enabled = enabled
        self.used: set[str] = set()
        self.created: list[Path] = []      # none: the index is written last, by prune
        self.entries: dict[str, tuple] = self._read() if enabled else {}
        self.changed = False

    def _read(self) -> dict:
        try:
            raw = self.path.read_bytes()
            magic, crc = _RDR_HEADER.unpack_from(raw)
            body = memoryview(raw)[_RDR_HEADER.size:]
            if magic != _RDR_MAGIC or _crc(body) != crc:
                return {}
            tag, entries = marshal.loads(body)
            return entries if tag == _MARSHAL_TAG and isinstance(entries, dict) else {}
        except Exception:
            return {}

    def get(self, sig: str, turtle_path: Path):
        """(the plain rendering, the issue's Turtle) cached under `sig`, the Turtle read from
        `turtle_path` (the issue's file); None when there is none, or the file is not the
        Turtle the entry describes (edited, damaged, another issue's, missing): the issue is
        then rendered again and its file rewritten."""
        self.used.add(sig)
        entry = self.entries.get(sig)
        if entry is None:
            return None
        try:
            size, turtle_crc, value = entry
            with open(turtle_path, "rb") as fh:
                turtle = fh.read(size + 1)
            if len(turtle) != size or _crc(turtle) != turtle_crc:
                return None
            return value, turtle
        except Exception:
            return None

    def put(self, sig: str, value: tuple, turtle: bytes) -> None:
        """value: plain tuples, strings and numbers (kg.rdf.Rendered.as_plain); `turtle`: what
        the issue's file will hold (only its length and checksum are kept)."""
        self.used.add(sig)
        self.entries[sig] = (len(turtle), _crc(turtle), value)
        self.changed = True

    def discard_created(self) -> None:
        """See Cache.discard_created: nothing to remove (the index is written by prune, after
        the output)."""
        _unlink_all(self.created)

    def prune(self) -> None:
        """Write the index with the entries this build used (after the issue files they
        describe are written), when it changed; remove any other file of the folder (the
        one-file-per-issue .rdr of an earlier layout)."""
        keep = {sig: self.entries[sig] for sig in sorted(self.used) if sig in self.entries}
        if self.changed or len(keep) != len(self.entries) or not self.enabled:
            body = marshal.dumps((_MARSHAL_TAG, keep))
            write_atomic(self.path, _RDR_HEADER.pack(_RDR_MAGIC, _crc(body)) + body, sync=False)
        self.entries = keep
        for f in self.dir.iterdir():
            if f.name != _RDX_NAME:
                f.unlink()


# --- the full extraction ------------------------------------------------------------------
# A file's extraction is stored as plain tuples of its objects' fields (marshal) rather than
# pickled: pickle reduces every object (about 270 an issue) through copyreg and saves its
# attribute dict key by key, most of the time of caching an extraction; the tuples take a
# quarter less, and read back as fast. Objects are made again as pickle makes them (without
# calling __init__, the fields set from the tuple). What the tuples keep: every field of the
# model's dataclasses (dataclasses.fields, so a field added to kg/model.py is kept too), a
# figure's Decimal as its text, and an item extraction's item as its position in the issue
# when it is the issue's own item object (as pickle keeps that sharing). An extraction with
# anything else (a value marshal cannot write, a figure value that is no Decimal) is pickled
# instead; the first byte says which (tests/test_merge.py compares both on real extractions).

def _names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


_ISSUE_F = tuple(n for n in _names(Issue) if n != "items")
_ITEM_F = _names(Item)
_MENTION_F = _names(Mention)
_METRIC_F = _names(MetricMention)
_EVENT_F = _names(EventMention)
_DATE_F = _names(DateMention)
_IX_F = _names(ItemExtraction)
_IX_REST = _IX_F[5:]
# the layout the tuples assume; another model pickles (the tuples' first fields are these)
_TUPLES_FIT = (_IX_F[:5] == ("item", "mentions", "metrics", "events", "dates") and _METRIC_F[0] == "value"
               and _names(IssueExtraction) == ("issue", "items") and "items" in _names(Issue))
_get_issue, _get_item, _get_mention = attrgetter(*_ISSUE_F), attrgetter(*_ITEM_F), attrgetter(*_MENTION_F)
_get_metric, _get_event, _get_date = attrgetter(*_METRIC_F), attrgetter(*_EVENT_F), attrgetter(*_DATE_F)
_get_ix_rest = attrgetter(*_IX_REST) if len(_IX_REST) > 1 else (lambda x: tuple([getattr(x, n) for n in _IX_REST]))


class _Unfit(Exception):
    """An extraction the tuples do not describe exactly: it is pickled."""


def _metric_tuple(m) -> tuple:
    t = _get_metric(m)
    if type(t[0]) is not Decimal:
        raise _Unfit
    return (str(t[0]),) + t[1:]


def _issue_tuple(ix: IssueExtraction) -> tuple:
    issue = ix.issue
    if type(ix) is not IssueExtraction or type(issue) is not Issue:
        raise _Unfit
    own = {id(it): k for k, it in enumerate(issue.items)}
    items = []
    for x in ix.items:
        if type(x) is not ItemExtraction or type(x.item) is not Item:
            raise _Unfit
        k = own.get(id(x.item))
        items.append((_get_item(x.item) if k is None else k, [_get_mention(m) for m in x.mentions],
                      [_metric_tuple(m) for m in x.metrics], [_get_event(e) for e in x.events],
                      [_get_date(d) for d in x.dates], *_get_ix_rest(x)))
    return _get_issue(issue), [_get_item(it) for it in issue.items], items


def _full_dumps(exs: list[IssueExtraction]) -> bytes:
    if _TUPLES_FIT:
        try:
            return b"M" + marshal.dumps((_MARSHAL_TAG, [_issue_tuple(ix) for ix in exs]))
        except (_Unfit, ValueError, AttributeError):
            pass
    return b"P" + pickle.dumps(exs, protocol=pickle.HIGHEST_PROTOCOL)


def _maker(cls, names: tuple[str, ...]):
    new = object.__new__

    def make(values):
        obj = new(cls)
        obj.__dict__.update(zip(names, values))
        return obj
    return make


_new_issue, _new_item, _new_mention = _maker(Issue, _ISSUE_F), _maker(Item, _ITEM_F), _maker(Mention, _MENTION_F)
_new_metric, _new_event, _new_date = _maker(MetricMention, _METRIC_F), _maker(EventMention, _EVENT_F), \
    _maker(DateMention, _DATE_F)


def _full_loads(raw: bytes) -> list[IssueExtraction]:
    if raw[:1] == b"P":
        return pickle.loads(memoryview(raw)[1:])
    if raw[:1] != b"M":
        raise ValueError("not an extraction")
    tag, issues = marshal.loads(memoryview(raw)[1:])
    if tag != _MARSHAL_TAG:
        raise ValueError("written by another Python")
    out = []
    new = object.__new__
    for head, item_tuples, xs in issues:
        issue = _new_issue(head)
        own = issue.items = [_new_item(t) for t in item_tuples]
        items = []
        for x in xs:
            ie = new(ItemExtraction)
            d = ie.__dict__
            ref = x[0]
            d["item"] = own[ref] if type(ref) is int else _new_item(ref)
            d["mentions"] = [_new_mention(t) for t in x[1]]
            d["metrics"] = [_new_metric((Decimal(t[0]),) + t[1:]) for t in x[2]]
            d["events"] = [_new_event(t) for t in x[3]]
            d["dates"] = [_new_date(t) for t in x[4]]
            d.update(zip(_IX_REST, x[5:]))
            items.append(ie)
        ix = new(IssueExtraction)
        ix.issue, ix.items = issue, items
        out.append(ix)
    return out


# --- resolution records ------------------------------------------------------------------
# Resolution (kg.resolve) and the per-issue signature read only the issue's identity, each
# item's language, position, kind and outlet, its mentions' text, type and id, and its
# figures' value and unit. A file's cached extraction is also stored as these records
# (marshal: plain tuples), so that an incremental build resolves all issues without
# unpickling every extraction; the full extraction is loaded only for an issue that must
# be rendered again. Each record class stands for the kg.model class named in its
# docstring, with that class's attribute names (`MODEL`), so that kg.resolve runs on
# either unchanged; tests/test_merge.py checks that every name is the model's and holds
# the model's value, and that resolution gives the same on records as on extractions.

@dataclass(slots=True)
class IssueHead:
    """kg.model.Issue as resolution reads it."""
    MODEL: ClassVar[type] = Issue
    newsletter: str
    number: Optional[int]
    date: Optional[str]
    source_file: str
    content_hash: str


@dataclass(slots=True)
class ItemHead:
    """kg.model.Item as resolution reads it."""
    MODEL: ClassVar[type] = Item
    lang: str
    position: int
    outlet: Optional[str]
    kind: str

    key = Item.key  # "en-2": the same property as kg.model.Item's


@dataclass(slots=True)
class MentionRecord:
    """kg.model.Mention as resolution reads it (and sets: entity_id, type)."""
    MODEL: ClassVar[type] = Mention
    text: str
    type: str
    entity_id: Optional[str]


@dataclass(slots=True)
class FigureRecord:
    """kg.model.MetricMention as resolution reads it: its unit, and its value (kept as text;
    made a Decimal only when read, when a translation is aligned)."""
    MODEL: ClassVar[type] = MetricMention
    value_text: str
    unit: str

    @property
    def value(self) -> Decimal:
        return Decimal(self.value_text)


@dataclass(slots=True)
class ItemRecord:
    """kg.model.ItemExtraction as resolution reads it (and sets: outlet_id, translation_of)."""
    MODEL: ClassVar[type] = ItemExtraction
    item: ItemHead
    outlet_id: Optional[str]
    translation_of: Optional[str]
    mentions: list[MentionRecord]
    metrics: list[FigureRecord]


@dataclass(slots=True)
class IssueRecord:
    """kg.model.IssueExtraction as resolution sees it; `source` and `index` say which
    cached extraction (the cache entry's name, the position in it) it stands for."""
    MODEL: ClassVar[type] = IssueExtraction
    issue: IssueHead
    items: list[ItemRecord]
    source: Optional[str] = None
    index: int = 0

    @staticmethod
    def to_tuple(ix: IssueExtraction) -> tuple:
        iss = ix.issue
        return (iss.newsletter, iss.number, iss.date, iss.source_file, iss.content_hash, tuple([
            (ex.item.lang, ex.item.position, ex.item.outlet, ex.item.kind, ex.outlet_id, ex.translation_of,
             tuple([(m.text, m.type, m.entity_id) for m in ex.mentions]),
             tuple([(str(f.value), f.unit) for f in ex.metrics]))
            for ex in ix.items]))   # lists made into tuples: a comprehension is cheaper than a generator

    @classmethod
    def from_tuple(cls, t: tuple) -> "IssueRecord":
        return cls(IssueHead(*t[:5]), [
            ItemRecord(ItemHead(lang, pos, outlet, kind), oid, tr, [MentionRecord(*m) for m in ms],
                       [FigureRecord(*f) for f in fs])
            for lang, pos, outlet, kind, oid, tr, ms, fs in t[5]])

    def apply_to(self, ix: IssueExtraction) -> IssueExtraction:
        """Copy what resolution decided onto the full extraction this record stands for."""
        if len(ix.items) != len(self.items) or any(len(r.mentions) != len(x.mentions)
                                                   for r, x in zip(self.items, ix.items)):
            raise ValueError("the extraction does not match its record")
        for rec, ex in zip(self.items, ix.items):
            ex.outlet_id, ex.translation_of = rec.outlet_id, rec.translation_of
            for rm, m in zip(rec.mentions, ex.mentions):
                m.entity_id, m.type = rm.entity_id, rm.type
        return ix
