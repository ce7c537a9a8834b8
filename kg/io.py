"""Atomic file output: write to a temporary file beside the target, fsync, rename into
place. A crash or Ctrl-C leaves either the old file or the new one, never half of one."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path


# up to this many files, each is fsynced (os.sync would also wait for every other dirty
# page on the machine); beyond, one os.sync is cheaper than an fsync per file
FSYNC_EACH_UP_TO = 16


def write_atomic_many(files: list[tuple[str | os.PathLike, bytes]]) -> None:
    """Write several files atomically: every temporary file is written and flushed to disk
    (an fsync each when they are few, one os.sync for many: a full build writes a thousand
    issue files), then each is renamed into place."""
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            target = Path(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix="." + target.name + ".", suffix=".tmp", dir=target.parent)
            temps.append((tmp, target))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                if len(files) <= FSYNC_EACH_UP_TO:
                    f.flush()
                    os.fsync(f.fileno())
        if len(files) > FSYNC_EACH_UP_TO:
            os.sync()
        for tmp, target in temps:
            os.replace(tmp, target)
        temps = []
    finally:
        for tmp, _ in temps:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass


def write_atomic(path: str | os.PathLike, data: bytes, sync: bool = True) -> None:
    """Write one file atomically; `sync=False` skips the fsync (for caches, where a torn
    file after a power loss is detected and rebuilt)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + target.name + ".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{6,}\.tmp$")


def remove_stale_temp(folder: str | os.PathLike,
                      subdirs: tuple[str, ...] = ("", "issues", ".kg", ".kg/cache")) -> list[str]:
    """Delete the temporary files write_atomic leaves behind when a process is killed
    outright (SIGKILL, power loss) between creating and renaming them. Call it before
    writing into `folder`; two builds must not write into the same folder at once."""
    removed = []
    for sub in subdirs:
        d = Path(folder) / sub
        if not d.is_dir():
            continue
        for p in d.iterdir():
            if p.is_file() and _TEMP.match(p.name):
                try:
                    p.unlink()
                    removed.append(str(p))
                except OSError:
                    pass
    return sorted(removed)
