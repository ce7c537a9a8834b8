"""Atomic file output: write to a temporary file beside the target, fsync, rename into
place. A crash or Ctrl-C leaves either the old file or the new one, never half of one.

Modes: a new file gets what the umask allows (0666 & ~umask, as `open()` would give it: the
temporary files of `tempfile` are 0600), a file that is replaced keeps its mode (a
`chmod 644 graph.ttl` survives the next build)."""
from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Optional


# up to this many files, each is fsynced (os.sync would also wait for every other dirty
# page on the machine); beyond, one os.sync is cheaper than an fsync per file
FSYNC_EACH_UP_TO = 16


@lru_cache(maxsize=1)
def umask() -> int:
    """The process's umask, read once (from /proc on Linux; elsewhere set and restored)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def _prepare(target: Path, mask: int, folders: Optional[set] = None) -> int:
    """The mode the file at `target` is to have (its own when it exists, else the umask's),
    failing before anything is written when it cannot be replaced: a folder where graph.ttl
    should be, a file where its folder should be. One stat in the usual case (`folders`:
    the folders already found to be folders, not looked at again)."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        parent = target.parent
        if folders is not None and parent in folders:
            return 0o666 & ~mask
        try:
            if not stat.S_ISDIR(os.stat(parent).st_mode):
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(parent))
            if folders is not None:
                folders.add(parent)
        except FileNotFoundError:
            pass        # made by mkdir (which names a file in the way itself)
        return 0o666 & ~mask
    except NotADirectoryError:
        for parent in target.parents:
            if parent.exists() and not parent.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(parent))
        raise
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    return stat.S_IMODE(st.st_mode)


def _naming(e: OSError, target: Path) -> OSError:
    """The error with the file it was about to write as its file name (a write that fails for
    a full disk names none; a temporary file's name means nothing to a user)."""
    e.filename = str(target)
    e.filename2 = None
    return e


def _open_temp(target: Path, token: str, mode: int, mask: int) -> tuple[int, str]:
    """A new temporary file beside `target` (".NAME.TOKEN.tmp", as remove_stale_temp knows
    them), with `mode`: one open (and a chmod only when the umask would take bits of the
    mode away). Should the name be taken, mkstemp finds another."""
    tmp = os.path.join(target.parent, f".{target.name}.{token}.tmp")
    try:
        fd = os.open(tmp, _TEMP_FLAGS, mode)
    except FileExistsError:
        fd, tmp = tempfile.mkstemp(prefix="." + target.name + ".", suffix=".tmp", dir=target.parent)
        os.fchmod(fd, mode)
        return fd, tmp
    if mode & mask:
        os.fchmod(fd, mode)
    return fd, tmp


_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)


def write_atomic_many(files: list[tuple[str | os.PathLike, bytes]]) -> None:
    """Write several files atomically: every target is checked, every temporary file is
    written and flushed to disk (an fsync each when they are few, one os.sync for many: a
    full build writes a thousand issue files), then each is renamed into place. A failure
    before the renames (a full disk, a read-only folder) leaves every target as it was.
    Each folder is made (or checked) once, and each temporary file takes one open and one
    write (a thousand issue files share a random part of their temporary names)."""
    mask = umask()
    checked: set = set()
    modes = [_prepare(Path(path), mask, checked) for path, _ in files]
    temps: list[tuple[str, Path]] = []
    token = secrets.token_hex(4)
    folders: set = set()
    sync_each = len(files) <= FSYNC_EACH_UP_TO
    try:
        for (path, data), mode in zip(files, modes):
            target = Path(path)
            try:
                if target.parent not in folders:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    folders.add(target.parent)
                fd, tmp = _open_temp(target, token, mode, mask)
                temps.append((tmp, target))
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view):]
                    if sync_each:
                        os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as e:
                raise _naming(e, target)
        if not sync_each:
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
    mode = _prepare(target, umask())
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="." + target.name + ".", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise _naming(e, target)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(e, OSError):
            raise _naming(e, target)
        raise


_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{6,}\.tmp$")


def remove_stale_temp(folder: str | os.PathLike,
                      subdirs: tuple[str, ...] = ("", "issues", ".kg", ".kg/cache", ".kg/terms")) -> list[str]:
    """Delete the temporary files write_atomic leaves behind when a process is killed
    outright (SIGKILL, power loss) between creating and renaming them. Call it before
    writing into `folder`, holding its lock (kg.build.OutputLock): the temporary files of a
    build in progress must not go."""
    removed = []
    for sub in subdirs:
        d = Path(folder) / sub
        if not d.is_dir():
            continue
        for p in d.iterdir():
            if _TEMP.match(p.name) and p.is_file():
                try:
                    p.unlink()
                    removed.append(str(p))
                except OSError:
                    pass
    return sorted(removed)


def cache_dir() -> Path:
    """Where kg keeps what it derives once per machine from data it ships (jieba's tables,
    the gazetteer names' tokens): $KG_CACHE_DIR, else $XDG_CACHE_HOME/kg, else ~/.cache/kg."""
    d = os.environ.get("KG_CACHE_DIR")
    if not d:
        d = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "kg")
    return Path(d)
