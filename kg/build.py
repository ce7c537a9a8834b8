"""The library API behind `kg build`: files in, Turtle out.

read -> extract -> resolve -> rdf -> write (atomically). One bad file is reported and
skipped; the rest is built."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import gazetteer as gz
from .errors import KgError, warning
from .extract import extract_issues
from .ingest import discover, read_bytes, read_path
from .ingest.mail import Selection, kind_of as mail_kind
from .model import Issue, IssueExtraction, KnowledgeBase
from .io import write_atomic_many
from .nlp import load_pipelines, model_name_for
from .rdf import issue_file_stem, issue_iri, merged_stats, issue_signature, merge_rendered, render_issue
from .resolve import resolve


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
                result: Optional[BuildResult] = None, mail=None) -> list[Issue]:
    """Read every file; a file that fails is recorded in result.skipped (or raised when
    there is no result to record it in). `mail`: which messages of mailboxes to read
    (kg.ingest.mail.MailOptions)."""
    issues: list[Issue] = []
    for path in discover(paths):
        try:
            got = read_path(path, fmt, mail)
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
               cached: dict, fresh: list, result: BuildResult, seen: dict) -> list[str]:
    """The messages of a mail file or folder (.eml, mbox, Maildir), streamed, each one a unit
    of the build with its own cache entry (keyed by its content without the headers mail
    clients rewrite, and by the name it is built under), so that adding messages to an mbox
    extracts only the new ones. Returns the units, in order. A message that cannot be read
    is reported with its position and Message-ID in result.skipped; `seen` (Message-ID ->
    where) is shared by all mail of the build, so the same message twice is built once."""
    sel = Selection(path, kind, options, seen)
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
    for ex in extract_issues(issues, pipes, gaz, warn):
        out.append(ex)
        if progress:
            progress(ex.issue)
    return out, pipes.model


def build(paths: list[str], out_dir: str, model: Optional[str] = "auto", fmt: Optional[str] = None,
          overrides: Optional[Overrides] = None, gazetteer: Optional[str] = None,
          progress: Optional[Callable[[Issue], None]] = None,
          on_start: Optional[Callable[[int], None]] = None, workers: int = 1, engine: str = "local",
          scheduler: Optional[str] = None, rebuild: bool = False, mail=None) -> BuildResult:
    """Build OUT/graph.ttl and OUT/issues/*.ttl from the inputs.

    Incremental: files whose content, and the pipeline, are unchanged since the last build
    into OUT reuse their cached extraction (OUT/.kg/); `rebuild=True` re-extracts all.
    The output always reflects exactly the current inputs (a removed file's facts go). A
    cached extraction that turns out unreadable makes the build start again as a rebuild."""
    from .incremental import DamagedCache
    args = (paths, out_dir, model, fmt, overrides, gazetteer, progress, on_start, workers, engine, scheduler)
    try:
        return _build(*args, rebuild=rebuild, mail=mail)
    except DamagedCache:
        if rebuild:
            raise
        return _build(*args, rebuild=True, mail=mail)


def _build(paths: list[str], out_dir: str, model: Optional[str], fmt: Optional[str],
           overrides: Optional[Overrides], gazetteer: Optional[str],
           progress: Optional[Callable[[Issue], None]], on_start: Optional[Callable[[int], None]],
           workers: int, engine: str, scheduler: Optional[str], rebuild: bool, mail=None) -> BuildResult:
    from .incremental import Cache, IssueRecord, TermCache, pipeline_key

    result = BuildResult(out_dir=out_dir, model=None)
    overrides = overrides or Overrides()
    gaz_path = str(gazetteer or gz.DEFAULT_PATH)
    pipes_model = model_name_for(model) if engine == "local" and not scheduler else model
    key = pipeline_key(pipes_model, gaz_path, repr((fmt, overrides)))
    cache = Cache(out_dir, key, enabled=True)
    files = discover(paths)
    cached: dict[str, list[IssueExtraction]] = {}
    fresh: list[tuple[str, str, list[Issue]]] = []
    units: list[str] = []   # files, and the messages of mail files (each cached on its own)
    seen_messages: dict[str, str] = {}
    for path in files:
        kind = mail_kind(path, fmt)
        if kind:
            units += _read_mail(path, kind, mail, overrides, cache, rebuild, cached, fresh, result, seen_messages)
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
        got = read_issues([path], fmt, overrides, result)
        if got:
            fresh.append((path, chash, got))
    files = units
    new_issues = [iss for _, _, got in fresh for iss in got]
    if not new_issues and not cached:
        raise KgError("E007", reasons="; ".join(msg for _, msg in result.skipped) or "no input")
    if on_start:
        on_start(len(new_issues))
    result.model = pipes_model
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
    # an extraction is named by its cache entry (content hash + pipeline) and position
    ext_keys = {id(ex): f"{cache.entry_name(cache.used[path]['hash'])}#{i}"
                for path in files if path in cached for i, ex in enumerate(cached[path])}
    # two files that are the same issue (a text and an HTML copy, say) would mix their
    # items under one IRI: the first file wins, the later one is reported and skipped
    seen_issue: dict[str, str] = {}
    for path in files:
        if path not in cached:
            continue
        keep = []
        for ex in cached[path]:
            iri = str(issue_iri(ex.issue))
            if iri in seen_issue:
                result.skipped.append((path, warning("W008", path=path, issue=iri, other=seen_issue[iri])))
            else:
                seen_issue[iri] = path
                keep.append(ex)
        cached[path] = keep
    all_exs = [ex for path in files if path in cached for ex in cached[path]]
    kb = resolve(all_exs, gz.load(gazetteer))
    result.kb = kb
    out = Path(out_dir)
    stems: dict[str, int] = {}
    files_out: list[tuple[Path, bytes]] = []
    parts = []
    terms_cache = TermCache(out_dir, enabled=not rebuild)
    previous = cache.manifest.get("outputs", {})
    outputs: dict[str, str] = {}
    sig_memo: dict = {}
    render_memo: dict = {}
    for ix in kb.issues:
        stem = issue_file_stem(ix.issue)
        stems[stem] = stems.get(stem, 0) + 1
        if stems[stem] > 1:
            stem = f"{stem}-{stems[stem]}"
        sig = issue_signature(kb, ix, ext_keys.get(id(ix)), sig_memo)
        part = terms_cache.get(sig)
        if part is None:
            full = cache.load_full(ix) if isinstance(ix, IssueRecord) else ix
            part = render_issue(kb, full, render_memo)
            terms_cache.put(sig, part)
        parts.append(part)
        path = out / "issues" / f"{stem}.ttl"
        outputs[path.name] = sig
        if rebuild or previous.get(path.name) != sig or not path.exists():
            files_out.append((path, part[0]))  # unchanged issue files are not rewritten
    merged, conflict_pairs = merge_rendered(parts)
    files_out.append((out / "graph.ttl", merged))
    write_atomic_many(files_out)  # one sync for all; graph.ttl is renamed last
    result.written.extend(str(p) for p, _ in files_out)
    # an issue that is no longer among the inputs leaves the output
    if (out / "issues").exists():
        for old in (out / "issues").glob("*.ttl"):
            if old.name not in outputs:
                old.unlink()
    terms_cache.prune()
    cache.outputs = outputs
    cache.commit()
    result.issues = len(kb.issues)
    result.items = sum(len(ix.items) for ix in kb.issues)
    result.entities = len(kb.entities)
    stats = merged_stats(parts)
    stats["triples"] += 2 * conflict_pairs  # the conflict links, both ways
    result.metrics, result.events, result.triples = stats["metrics"], stats["events"], stats["triples"]
    return result
