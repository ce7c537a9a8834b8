"""The library API behind `kg build`: files in, Turtle out.

read -> extract -> resolve -> rdf -> write (atomically). One bad file is reported and
skipped; the rest is built."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import gazetteer as gz
from .errors import KgError, warning
from .extract import extract_issues
from .memory import keep_freed_memory, keep_survivors, long_lived_results
from .ingest import discover, input_roots, read_bytes, read_path
from .ingest.mail import Selection, kind_of as mail_kind
from .model import Issue, IssueExtraction, KnowledgeBase
from .atomic import write_atomic_many
from .nlp import load_pipelines, model_name_for
from .rdf import Rendered, issue_file_stem, issue_iri, merged_stats, issue_signature, merge_rendered, render_issue
from .resolve import clean_label, issue_order, resolve


@dataclass
class Overrides:
    newsletter: Optional[str] = None
    number: Optional[int] = None
    date: Optional[str] = None
    url: Optional[str] = None

    def apply(self, issue: Issue) -> None:
        if self.newsletter:
            issue.newsletter = self.newsletter
        if self.number is not None:
            issue.number = self.number
        if self.date:
            issue.date = self.date
        if self.url and self.url not in issue.urls:
            issue.urls.insert(0, self.url)


@dataclass
class BuildResult:
    out_dir: str
    model: Optional[str]
    files: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    issues: int = 0
    items: int = 0
    entities: int = 0
    events: int = 0
    metrics: int = 0
    triples: int = 0
    extracted: int = 0              # issues extracted in this build
    reused: int = 0                 # files whose cached extraction was reused
    # the resolved entities and issues; an issue reused from the cache and not rendered
    # again is its resolution record (kg.incremental.IssueRecord: mentions and figure
    # values, no text, evidence or events). build(..., rebuild=True) gives full extractions.
    kb: Optional[KnowledgeBase] = None


def read_issues(paths: list[str], fmt: Optional[str] = None, overrides: Optional[Overrides] = None,
                result: Optional[BuildResult] = None, mail=None, follow_symlinks: bool = False,
                roots: Optional[tuple[str, ...]] = None,
                read: Optional[dict[str, tuple[bytes, str]]] = None) -> list[Issue]:
    """Read every file; a file that fails is recorded in result.skipped (or raised when
    there is no result to record it in). `mail`: which messages of mailboxes to read
    (kg.ingest.mail.MailOptions). `follow_symlinks`: see kg.ingest.discover; `roots`: the
    input folders (by default the folders among `paths`). `read`: file -> (its bytes, their
    "sha256:<hex>") for files the caller has read already (see kg.ingest.read_path)."""
    issues: list[Issue] = []
    skipped: Optional[list] = [] if result is not None else None
    files = discover(paths, follow_symlinks, skipped)
    if result is not None:
        result.skipped.extend((p, str(e)) for p, e in skipped)
    roots = input_roots(paths) if roots is None else roots
    for path in files:
        try:
            got = read_path(path, fmt, mail, follow_symlinks=follow_symlinks, roots=roots,
                            read=read.get(path) if read else None)
        except KgError as e:
            if result is None:
                raise
            result.skipped.append((path, str(e)))
            continue
        for iss in got:
            if overrides:
                overrides.apply(iss)
            if not iss.newsletter:
                iss.newsletter = Path(path).stem.rstrip("-_0123456789") or Path(path).stem
            iss.newsletter = clean_label(iss.newsletter) or iss.newsletter  # a name: no invisible characters
            if result is not None:
                if not iss.date:
                    result.warnings.append(warning("W002", path=path, fallback="no date"))
                if iss.number is None:
                    result.warnings.append(warning("W003", path=path, fallback="the date or a content hash in its IRI"))
                result.warnings.extend(iss.warnings)
            issues.append(iss)
        if result is not None:
            result.files.append(path)
    return issues


def _read_mail(path: str, kind: str, options, overrides: Overrides, cache, rebuild: bool,
               cached: dict, fresh: list, result: BuildResult, seen: dict, follow_symlinks: bool = False,
               roots: tuple[str, ...] = ()) -> list[str]:
    """The messages of a mail file or folder (.eml, mbox, Maildir), streamed, each one a unit
    of the build with its own cache entry (keyed by its content without the headers mail
    clients rewrite, and by the name it is built under), so that adding messages to an mbox
    extracts only the new ones. Returns the units, in order. A message that cannot be read
    is reported with its position and Message-ID in result.skipped; `seen` (Message-ID ->
    where) is shared by all mail of the build, so the same message twice is built once.
    A Maildir's message files obey the input rules (`follow_symlinks`, `roots`: see
    kg.ingest.mail._maildir): one that is not a regular file, or links outside the input
    folders, is skipped and reported (E145, E146)."""
    sel = Selection(path, kind, options, seen, follow_symlinks=follow_symlinks, roots=roots)
    units: list[str] = []
    try:
        for cand in sel.candidates():
            hit = None if rebuild else cache.get_records(cand.unit, cand.key)
            if hit is not None:
                cached[cand.unit] = hit
                result.reused += 1
                units.append(cand.unit)
                continue
            try:
                issue = cand.read()
            except KgError as e:
                result.skipped.append((cand.unit, str(e)))
                continue
            overrides.apply(issue)
            if issue.newsletter:
                issue.newsletter = clean_label(issue.newsletter) or issue.newsletter  # as read_issues does
            sel.count(issue)
            result.warnings.extend(issue.warnings)
            if kind in ("eml", "emlx"):  # a saved message is a file: the usual notes
                if not issue.date:
                    result.warnings.append(warning("W002", path=path, fallback="no date"))
                if issue.number is None:
                    result.warnings.append(warning("W003", path=path, fallback="the date or a content hash in its IRI"))
            fresh.append((cand.unit, cand.key, [issue]))
            units.append(cand.unit)
    except KgError as e:  # the mailbox itself cannot be read (what was read of it is kept)
        result.skipped.append((path, str(e)))
    result.skipped.extend(sel.failed)
    if units:
        result.files.append(path)
    elif not sel.duplicates and not any(u == path or u.startswith(path + "#") for u, _ in result.skipped):
        result.skipped.append((path, str(sel.nothing_selected())))  # says what was left out, and why
        return units
    result.warnings.extend(sel.notes())
    return units


def extract_all(issues: list[Issue], model: Optional[str] = "auto", gazetteer: Optional[str] = None,
                progress: Optional[Callable[[Issue], None]] = None,
                warn: Optional[Callable[[str], None]] = None, workers: int = 1, engine: str = "local",
                scheduler: Optional[str] = None) -> tuple[list[IssueExtraction], Optional[str]]:
    if workers != 1 or engine != "local" or scheduler:
        # a process pool (workers) or a Dask cluster (engine="dask"): same output, see kg/parallel.py
        from .parallel import extract
        return extract(issues, model, gazetteer, workers, "dask" if scheduler else engine, scheduler,
                       progress, warn)
    pipes = load_pipelines(model, gazetteer)
    gaz = gz.load(gazetteer)
    out = []
    keep_freed_memory()
    keep_survivors()  # the issues read
    for ex in extract_issues(issues, pipes, gaz, warn):
        out.append(ex)
        keep_survivors()
        if progress:
            progress(ex.issue)
    return out, pipes.model


class OutputLock:
    """An exclusive lock on an output folder while a build writes into it: an flock on
    OUT/.kg/lock, which holds the builder's process id. A second build into the same folder
    stops at once (E141, naming that process) instead of both writing and the last one
    winning. The kernel releases the lock when the process ends, however it ends."""

    def __init__(self, out_dir: str):
        self.out_dir = out_dir
        self.path = Path(out_dir) / ".kg" / "lock"
        self.fd: Optional[int] = None

    def __enter__(self) -> "OutputLock":
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as e:
            raise _write_error(e, self.out_dir)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                pid = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
            finally:
                os.close(fd)
            raise KgError("E141", out=self.out_dir, pid=pid)
        self.fd = fd
        try:        # who holds it, for the message of a second build (best effort: a full disk)
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        except OSError:
            pass
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            import fcntl
            try:
                try:
                    os.ftruncate(self.fd, 0)
                except OSError:
                    pass
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            finally:
                os.close(self.fd)
                self.fd = None


def _write_error(e: OSError, out_dir: str) -> KgError:
    return KgError("E142", path=e.filename or out_dir, reason=e.strerror or type(e).__name__)


def build(paths: list[str], out_dir: str, model: Optional[str] = "auto", fmt: Optional[str] = None,
          overrides: Optional[Overrides] = None, gazetteer: Optional[str] = None,
          progress: Optional[Callable[[Issue], None]] = None,
          on_start: Optional[Callable[[int], None]] = None, workers: int = 1, engine: str = "local",
          scheduler: Optional[str] = None, rebuild: bool = False, follow_symlinks: bool = False,
          prune: bool = False, mail=None) -> BuildResult:
    """Build OUT/graph.ttl and OUT/issues/*.ttl from the inputs.

    Incremental: files whose content, and the pipeline, are unchanged since the last build
    into OUT reuse their cached extraction (OUT/.kg/); `rebuild=True` re-extracts all.
    The output reflects exactly the current inputs: an issue whose file was removed from an
    input folder given again goes, and so does a message no longer in (or no longer selected
    from) a mailbox given again. An issue built from an input that is not given this time
    (a message counts as built from its mbox or Maildir) is not removed silently: the build
    stops (E140) naming it, unless `prune`. `mail`: kg.ingest.mail.MailOptions.

    Safety: the folder is locked while the build writes (E141 for a second build); a cache
    entry that fails its checksum is rebuilt; the merged graph is checked before it replaces
    graph.ttl; an output that cannot be written is one error (E142) with the previous output
    kept and no cache entry of the failed build left behind."""
    args = (paths, out_dir, model, fmt, overrides, gazetteer, progress, on_start, workers, engine, scheduler,
            follow_symlinks, prune, mail)
    for p in paths:     # before the folder is made (and locked): a mistyped input leaves nothing
        if not os.path.lexists(p):
            raise KgError("E001", path=p)
    existed = os.path.exists(out_dir)
    try:
        return _locked_build(args, out_dir, rebuild)
    except BaseException:
        if not existed:     # a failed first build leaves no folder behind
            _remove_empty(out_dir)
        raise


def _remove_empty(out_dir: str) -> None:
    out = Path(out_dir)
    try:
        (out / ".kg" / "lock").unlink()
    except OSError:
        pass
    for d in (out / ".kg" / "cache", out / ".kg" / "terms", out / ".kg", out / "issues", out):
        try:
            d.rmdir()
        except OSError:
            pass


def _locked_build(args: tuple, out_dir: str, rebuild: bool) -> BuildResult:
    from .incremental import DamagedCache
    from .atomic import remove_stale_temp

    with OutputLock(out_dir):
        remove_stale_temp(out_dir)  # left by a build that was killed outright
        for attempt in range(3):
            try:
                with long_lived_results():
                    return _build(*args, rebuild=rebuild)
            except DamagedCache as e:
                if rebuild:
                    raise KgError("E149", out=out_dir, reason=str(e.args[-1]) if e.args else "a damaged cache entry")
                # the damaged entry goes: the next attempt extracts its file again; a third
                # attempt, or damage that no entry explains, builds everything again
                if e.args and e.args[0]:
                    try:
                        Path(e.args[0]).unlink()
                    except OSError:
                        pass
                if attempt == 1 or not (e.args and e.args[0]):
                    rebuild = True
    raise AssertionError("unreachable")  # pragma: no cover


def _covered(src: str, inputs: list[tuple[str, str]]) -> bool:
    """Whether an input file (an absolute path from the manifest) is among the inputs given
    now (each as (absolute path, real path)): one of them, or inside one of the folders."""
    real = os.path.realpath(src)
    for ab, rp in inputs:
        for a, b in ((src, ab), (real, rp)):
            if a == b or a.startswith(b.rstrip(os.sep) + os.sep):
                return True
    return False


def _shown(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def _input_of(unit: str) -> str:
    """The input file a unit of an earlier build's manifest came from: the message
    'inbox.mbox#3' (kg.build._read_mail) came from the mailbox 'inbox.mbox'."""
    head, sep, tail = unit.rpartition("#")
    if sep and tail.isdigit() and not os.path.lexists(unit):
        return head
    return unit


def _would_lose(cache, to_remove: list[str], paths: list[str]) -> list[str]:
    """Of the issue files a build would remove, those not built from an input given now:
    'NAME (built from FILE)'. A file the manifest does not know (a build before kg recorded
    sources, or a file kg did not write) counts as such, unless every input of the previous
    build is given again."""
    inputs = [(os.path.abspath(p), os.path.realpath(p)) for p in paths]
    sources = cache.manifest.get("sources", {})
    old_files = [os.path.abspath(_input_of(f)) for f in cache.manifest.get("files", {})]
    all_given = "sources" not in cache.manifest and bool(old_files) \
        and all(_covered(f, inputs) for f in old_files)
    lost = []
    for name in to_remove:
        src = sources.get(name)
        if src is not None and _covered(src, inputs):
            continue
        if src is None and all_given:
            continue
        lost.append(f"{name} (built from {_shown(src)})" if src else f"{name} (source unknown)")
    return lost


def _check_merged(data: bytes, header: bytes) -> Optional[str]:
    """Cheap checks of the merged graph before it replaces graph.ttl (a full parse costs
    1.6 s at 1,000 issues; every block in it has passed its checksum or was just rendered):
    no NUL byte, the prefixes first, a complete last statement."""
    nul = data.find(b"\x00")
    if nul != -1:
        return f"a NUL byte at offset {nul}"
    if not data.startswith(header):
        return "it does not start with the prefixes"
    if data != header and not data.endswith(b" .\n"):
        return "its last statement is incomplete"
    return None


def _build(paths: list[str], out_dir: str, model: Optional[str], fmt: Optional[str],
           overrides: Optional[Overrides], gazetteer: Optional[str],
           progress: Optional[Callable[[Issue], None]], on_start: Optional[Callable[[int], None]],
           workers: int, engine: str, scheduler: Optional[str], follow_symlinks: bool, prune: bool,
           mail, rebuild: bool) -> BuildResult:
    from .incremental import Cache, TermCache, pipeline_key

    result = BuildResult(out_dir=out_dir, model=None)
    overrides = overrides or Overrides()
    gaz_path = str(gazetteer or gz.DEFAULT_PATH)
    pipes_model = model_name_for(model) if engine == "local" and not scheduler else model
    key = pipeline_key(pipes_model, gaz_path, repr((fmt, overrides)))
    cache = Cache(out_dir, key, enabled=True)
    terms_cache = TermCache(out_dir, enabled=not rebuild)
    try:
        return _build_into(result, cache, terms_cache, paths, out_dir, model, fmt, overrides, gazetteer,
                           progress, on_start, workers, engine, scheduler, follow_symlinks, prune, mail, rebuild)
    except OSError as e:
        # a full disk, a read-only folder, OUT/issues a file, graph.ttl a folder: one line,
        # the previous output as it was, and no entry of this build left filling the disk
        cache.discard_created()
        terms_cache.discard_created()
        raise _write_error(e, out_dir)
    except KgError as e:
        if e.code == "E140":
            raise       # a deliberate stop: what was extracted stays for the build with --prune
        cache.discard_created()
        terms_cache.discard_created()
        raise


@dataclass
class _Unit:
    """One issue of this build: its extraction (a cached one's resolution record, see
    kg.incremental.IssueRecord, or a full extraction), the name of that extraction (its
    cache entry and position: the issue's signature hashes it instead of the extraction)
    and the input it was read from (absolute; a message: its mail file or Maildir)."""
    ix: IssueExtraction
    key: str
    source: str


def _build_into(result: BuildResult, cache, terms_cache, paths: list[str], out_dir: str, model: Optional[str],
                fmt: Optional[str], overrides: Overrides, gazetteer: Optional[str],
                progress: Optional[Callable[[Issue], None]], on_start: Optional[Callable[[int], None]],
                workers: int, engine: str, scheduler: Optional[str], follow_symlinks: bool, prune: bool,
                mail, rebuild: bool) -> BuildResult:
    from .incremental import DamagedCache
    from .rdf import TURTLE_HEADER

    files, cached, fresh, container = _read_inputs(result, cache, paths, fmt, overrides, follow_symlinks, mail,
                                                   rebuild)
    new_issues = [iss for _, _, got in fresh for iss in got]
    if not new_issues and not cached:
        raise KgError("E007", reasons="; ".join(msg for _, msg in result.skipped) or "no input")
    if on_start:
        on_start(len(new_issues))
    result.model = model_name_for(model) if engine == "local" and not scheduler else model
    if new_issues:
        extractions, result.model = extract_all(new_issues, model, gazetteer, progress, result.warnings.append,
                                                 workers, engine, scheduler)
        k = 0
        for path, chash, got in fresh:
            exs = extractions[k:k + len(got)]
            k += len(got)
            cache.put(path, chash, exs)  # before resolve: resolution is redone on every build
            cached[path] = exs  # the cache holds the pickled pre-resolution state
    result.extracted = len(new_issues)
    units = _one_unit_per_issue(result, cache, files, cached, container)
    kb = resolve([u.ix for u in units], gz.load(gazetteer))
    result.kb = kb
    units.sort(key=lambda u: issue_order(u.ix))  # as resolve sorted kb.issues
    if any(u.ix is not ix for u, ix in zip(units, kb.issues)):
        raise AssertionError("the issues are not in the knowledge base's order")
    out = Path(out_dir)
    parts, files_out, outputs, sources = _render(kb, units, cache, terms_cache, out)
    merged, conflict_pairs = merge_rendered(parts)
    problem = _check_merged(merged, TURTLE_HEADER)
    if problem:
        raise DamagedCache(None, problem) if not rebuild else KgError("E149", out=out_dir, reason=problem)
    files_out.append((out / "graph.ttl", merged))
    # an issue that is no longer among the outputs leaves the folder; one that was built
    # from an input not given this time only with prune (E140 names them)
    issues_dir = out / "issues"
    to_remove = sorted(p.name for p in issues_dir.glob("*.ttl") if p.name not in outputs) \
        if issues_dir.is_dir() else []
    if to_remove and not prune:
        lost = _would_lose(cache, to_remove, paths)
        if lost:
            shown = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
            raise KgError("E140", out=out_dir, n=len(lost), issues=shown)
    write_atomic_many(files_out)  # one sync for all; graph.ttl is renamed last
    result.written.extend(str(p) for p, _ in files_out)
    for name in to_remove:
        (issues_dir / name).unlink()
    terms_cache.prune()
    cache.outputs = outputs
    cache.sources = sources
    cache.inputs = [os.path.abspath(p) for p in paths]
    cache.commit()
    result.issues = len(kb.issues)
    result.items = sum(len(ix.items) for ix in kb.issues)
    result.entities = len(kb.entities)
    stats = merged_stats(parts)
    stats["triples"] += 2 * conflict_pairs  # the conflict links, both ways
    result.metrics, result.events, result.triples = stats["metrics"], stats["events"], stats["triples"]
    return result


def _read_inputs(result: BuildResult, cache, paths: list[str], fmt: Optional[str], overrides: Overrides,
                 follow_symlinks: bool, mail, rebuild: bool) -> tuple[list[str], dict, list, dict]:
    """Every input file, and the messages of mail files (each cached on its own): the units
    of the build, in order. Returns (units, their cached extractions' records by unit, the
    units to extract as (unit, content hash, issues read), the mail file or Maildir of each
    message)."""
    skipped: list = []
    files = discover(paths, follow_symlinks, skipped)
    result.skipped.extend((p, str(e)) for p, e in skipped)
    cached: dict[str, list[IssueExtraction]] = {}
    fresh: list[tuple[str, str, list[Issue]]] = []
    units: list[str] = []
    container: dict[str, str] = {}  # a message -> the mail file or Maildir it is in (its source, for --prune)
    seen_messages: dict[str, str] = {}
    roots = input_roots(paths)
    for path in files:
        kind = mail_kind(path, fmt)
        if kind:
            got_units = _read_mail(path, kind, mail, overrides, cache, rebuild, cached, fresh, result, seen_messages,
                                   follow_symlinks, roots)
            container.update((u, path) for u in got_units)
            units += got_units
            continue
        units.append(path)
        try:
            data = read_bytes(path)
        except KgError as e:
            result.skipped.append((path, str(e)))
            continue
        chash = "sha256:" + hashlib.sha256(data).hexdigest()
        hit = None if rebuild else cache.get_records(path, chash)
        if hit is not None:
            cached[path] = hit
            result.files.append(path)
            result.reused += 1
            continue
        got = read_issues([path], fmt, overrides, result, read={path: (data, chash)})  # not read twice
        if got:
            fresh.append((path, chash, got))
    return units, cached, fresh, container


def _one_unit_per_issue(result: BuildResult, cache, files: list[str], cached: dict,
                        container: dict[str, str]) -> list[_Unit]:
    """The extracted issues, in input order. Two files that are the same issue (a text and
    an HTML copy, say) would mix their items under one IRI: the first file wins, the later
    one is reported (W008) and skipped."""
    units: list[_Unit] = []
    seen_issue: dict[str, str] = {}
    for path in files:
        if path not in cached:
            continue
        entry = cache.entry_name(cache.used[path]["hash"])
        for i, ex in enumerate(cached[path]):
            iri = str(issue_iri(ex.issue))
            if iri in seen_issue:
                result.skipped.append((path, warning("W008", path=path, issue=iri, other=seen_issue[iri])))
                continue
            seen_issue[iri] = path
            units.append(_Unit(ex, f"{entry}#{i}", os.path.abspath(container.get(path, path))))
    return units


def _render(kb: KnowledgeBase, units: list[_Unit], cache, terms_cache,
            out: Path) -> tuple[list[Rendered], list[tuple[Path, bytes]], dict[str, str], dict[str, str]]:
    """Each issue's rendering (from the rendering cache when its signature is there and the
    issue's file holds the Turtle it describes) and the issue files to write (those rendered
    again). Returns (renderings, files to write, issue file -> signature, issue file -> its
    input)."""
    from .incremental import IssueRecord

    stems: dict[str, int] = {}
    files_out: list[tuple[Path, bytes]] = []
    parts: list[Rendered] = []
    outputs: dict[str, str] = {}
    sources: dict[str, str] = {}
    sig_memo: dict = {}
    render_memo: dict = {}
    issues_dir = out / "issues"
    for u in units:
        ix = u.ix
        stem = issue_file_stem(ix.issue)
        stems[stem] = stems.get(stem, 0) + 1
        if stems[stem] > 1:
            stem = f"{stem}-{stems[stem]}"
        sig = issue_signature(kb, ix, u.key, sig_memo)
        name = f"{stem}.ttl"
        path = issues_dir / name
        hit = terms_cache.get(sig, path)  # the issue's file is part of its cached rendering
        if hit is not None:
            part = Rendered.from_plain(*hit)  # the file holds its Turtle: not rewritten
        else:
            full = cache.load_full(ix) if isinstance(ix, IssueRecord) else ix
            part = render_issue(kb, full, render_memo)
            terms_cache.put(sig, part.as_plain(), part.turtle)
            files_out.append((path, part.turtle))
        parts.append(part)
        keep_survivors()
        outputs[name] = sig
        sources[name] = u.source
    return parts, files_out, outputs, sources
