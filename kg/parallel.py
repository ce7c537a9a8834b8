"""Parallel extraction: the extraction step of `kg build` (`kg.build.extract_all`) run on a
process pool on this machine (`--workers N`) or on an existing Dask cluster
(`--engine dask --scheduler ADDRESS`).

Extraction is per issue and independent of every other issue, so issues are cut into
contiguous chunks, each chunk is extracted in a worker with the same pipelines
(`kg.nlp.load_pipelines`, cached per process) and the results are put back in input
order. Warnings raised in a worker are returned with its results and replayed in input
order, so the output (and the warnings) are the same, byte for byte, as with one worker.
Resolution, merging and writing stay on the client (`kg.build.build`).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable, Optional

from . import gazetteer as gz
from .errors import KgError
from .model import Issue, IssueExtraction

ENGINES = ("local", "dask")
CONNECT_TIMEOUT = 10.0  # seconds to wait for the Dask scheduler

# one chunk result: (issue indexes, extractions, warnings per issue, model name) or an error
_ChunkResult = tuple


def _extract_chunk(chunk: list[tuple[int, Issue]], model: Optional[str],
                   gazetteer: Optional[str]) -> _ChunkResult:
    """Worker side: extract a chunk of (index, issue). KgError does not survive pickling
    (its args are the formatted message), so it is returned as ("error", code, kwargs)."""
    from .extract import extract_issues
    from .memory import keep_freed_memory
    keep_freed_memory()
    from .nlp import load_pipelines
    try:
        pipes = load_pipelines(model, gazetteer)
        gaz = gz.load(gazetteer)
        idx, exs, warns = [], [], []
        pending: list[str] = []
        for (i, _), ex in zip(chunk, extract_issues([iss for _, iss in chunk], pipes, gaz, pending.append)):
            exs.append(ex)
            idx.append(i)
            warns.append(list(pending))  # extract_issues reports an issue's warnings just before yielding it
            pending.clear()
        return ("ok", idx, exs, warns, pipes.model)
    except KgError as e:
        return ("error", e.code, e.kwargs)


def _chunks(issues: list[Issue], n_chunks: int) -> list[list[tuple[int, Issue]]]:
    """Contiguous chunks of (index, issue), sizes differing by at most one."""
    n = len(issues)
    n_chunks = max(1, min(n_chunks, n))
    size, extra = divmod(n, n_chunks)
    out, start = [], 0
    for k in range(n_chunks):
        end = start + size + (1 if k < extra else 0)
        out.append([(i, issues[i]) for i in range(start, end)])
        start = end
    return out


class _Collector:
    """Puts chunk results back in input order and replays warnings in input order."""

    def __init__(self, issues: list[Issue], progress: Optional[Callable[[Issue], None]]):
        self.issues = issues
        self.progress = progress
        self.results: list[Optional[IssueExtraction]] = [None] * len(issues)
        self.warnings: list[list[str]] = [[] for _ in issues]
        self.models: set = set()

    def add(self, res: _ChunkResult) -> None:
        if res[0] == "error":
            raise KgError(res[1], **res[2])
        _, idx, exs, warns, model = res
        self.models.add(model)
        for i, ex, ws in zip(idx, exs, warns):
            # give the result back the caller's own Issue / Item objects (the worker's are copies)
            orig = self.issues[i]
            ex.issue = orig
            for item_ex, item in zip(ex.items, orig.items):
                item_ex.item = item
            self.results[i] = ex
            self.warnings[i] = ws
            if self.progress:
                self.progress(orig)

    def finish(self, warn: Optional[Callable[[str], None]]) -> tuple[list[IssueExtraction], Optional[str]]:
        if len(self.models) > 1:
            names = ", ".join(sorted(str(m) for m in self.models))
            raise KgError("E050", models=names)
        if warn:
            for ws in self.warnings:
                for w in ws:
                    warn(w)
        model = next(iter(self.models)) if self.models else None
        return [r for r in self.results if r is not None], model


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def extract_local(issues: list[Issue], model: Optional[str], gazetteer: Optional[str], workers: int,
                  progress: Optional[Callable[[Issue], None]] = None,
                  warn: Optional[Callable[[str], None]] = None) -> tuple[list[IssueExtraction], Optional[str]]:
    """Extraction on a pool of `workers` processes on this machine (0 = one per CPU)."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    if workers < 0:
        raise KgError("E023", n=workers)
    workers = workers or default_workers()
    workers = max(1, min(workers, len(issues)))
    col = _Collector(issues, progress)
    # fork is much cheaper than spawn (the parent's imports are shared); fall back elsewhere
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else None)
    # a few chunks per worker: balances uneven issues without paying per-issue overhead
    chunks = _chunks(issues, workers * 4)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futs = [pool.submit(_extract_chunk, c, model, gazetteer) for c in chunks]
        try:
            for f in as_completed(futs):
                col.add(f.result())
        except BaseException:
            for f in futs:
                f.cancel()
            raise
    return col.finish(warn)


# --- Dask -------------------------------------------------------------------------------

def _gazetteer_on_worker(name: str, data: bytes) -> str:
    """Worker side: the client's gazetteer, written once per worker machine under a name
    derived from its content (a remote worker cannot read the client's files)."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"kg-gazetteer-{digest}-{name}"
    if not path.exists():
        from .atomic import write_atomic
        write_atomic(path, data)
    return str(path)


def _extract_chunk_dask(chunk, model, gaz_name: str, gaz_data: bytes) -> _ChunkResult:
    return _extract_chunk(chunk, model, _gazetteer_on_worker(gaz_name, gaz_data))


def extract_dask(issues: list[Issue], model: Optional[str], gazetteer: Optional[str], scheduler: str,
                 progress: Optional[Callable[[Issue], None]] = None,
                 warn: Optional[Callable[[str], None]] = None,
                 partitions: Optional[int] = None,
                 timeout: Optional[float] = None) -> tuple[list[IssueExtraction], Optional[str]]:
    """Extraction on an existing Dask cluster (`scheduler` = 'tcp://host:8786'). The workers
    need `kg` (and the spaCy model) installed; the gazetteer is sent along with the work."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise KgError("E014")
    gaz_path = Path(gazetteer) if gazetteer else gz.DEFAULT_PATH
    gaz_data = gz.content(gazetteer)    # as one file: the shipped one is two (curated, generated)
    try:
        client = Client(scheduler, timeout=timeout or CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise KgError("E015", address=scheduler, reason=str(e).splitlines()[0] if str(e) else type(e).__name__)
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        chunks = _chunks(issues, partitions or n_workers * 4)
        gaz_future = client.scatter(gaz_data, broadcast=True)
        futs = [client.submit(_extract_chunk_dask, c, model, gaz_path.name, gaz_future, pure=False)
                for c in chunks]
        col = _Collector(issues, progress)
        try:
            for f in as_completed(futs, loop=client.loop):
                col.add(f.result())
        except BaseException:
            client.cancel(futs)
            raise
        return col.finish(warn)
    finally:
        client.close()


def extract(issues: list[Issue], model: Optional[str], gazetteer: Optional[str], workers: int = 1,
            engine: str = "local", scheduler: Optional[str] = None,
            progress: Optional[Callable[[Issue], None]] = None,
            warn: Optional[Callable[[str], None]] = None) -> tuple[list[IssueExtraction], Optional[str]]:
    """Dispatch used by kg.build.extract_all when workers != 1 or engine != 'local'."""
    if engine not in ENGINES:
        raise KgError("E016", engine=engine, choices=", ".join(ENGINES))
    if engine == "dask":
        if not scheduler:
            raise KgError("E017")
        return extract_dask(issues, model, gazetteer, scheduler, progress, warn)
    return extract_local(issues, model, gazetteer, workers, progress, warn)
