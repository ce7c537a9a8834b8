"""Process-wide memory tuning for long runs: malloc for extraction (kg.build and its worker
processes call it before extracting), the garbage collector for what a build keeps."""
from __future__ import annotations

import ctypes
import ctypes.util
import platform
import gc
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator


@lru_cache(maxsize=None)
def keep_freed_memory() -> None:
    """Ask glibc's malloc to keep the memory it frees (once; nothing on other C libraries).
    Between the model's batches, extraction allocates many small objects; glibc then hands
    the model's freed arrays back to the OS and takes them again for the next batch, each
    page through a page fault: 0.9 s of system time per 1,000 issues (860,000 faults;
    spaCy's bare pipe: 60,000). Raised mmap and trim thresholds (32 MB, 128 MB) keep them
    in the heap. It applies to the whole process."""
    if platform.libc_ver()[0] != "glibc":
        return
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return
    mallopt(-3, 32 * 2**20)   # M_MMAP_THRESHOLD
    mallopt(-1, 128 * 2**20)  # M_TRIM_THRESHOLD


_holding = 0


@contextmanager
def long_lived_results() -> Iterator[None]:
    """The cyclic garbage collector kept off what a long run has made and keeps.

    A build holds every issue's extraction, record and rendering until it writes (about
    600 MB at 1,000 issues) and meanwhile allocates millions of short-lived objects; each of
    the collector's passes then walks the growing set of survivors again: 2–3 CPU s per
    1,000 issues. Inside this context `keep_survivors()` moves everything alive out of the
    collector's view (gc.freeze), so a pass walks only what came after, and the first
    generation's threshold is larger (fewer passes). Reference cycles made afterwards are
    still collected; objects are only ever freed by reference counting or by the collector
    after the context, which hands the frozen objects back (gc.unfreeze: the whole
    process's, a caller's own frozen objects too) and restores the thresholds."""
    global _holding
    was = gc.get_threshold()
    if not _holding:
        gc.set_threshold(max(FIRST_GENERATION, was[0]), *was[1:])
    _holding += 1
    try:
        yield
    finally:
        _holding -= 1
        if not _holding:
            gc.unfreeze()
            gc.set_threshold(*was)


# the collector's first-generation threshold inside long_lived_results (Python's is 700)
FIRST_GENERATION = 20_000


def keep_survivors() -> None:
    """Inside long_lived_results: what is alive now is not walked by the collector again."""
    if _holding:
        gc.freeze()
