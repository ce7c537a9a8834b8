"""Readers: files -> Issue(items).

`read_path(path)` decodes a file, chooses a reader by content (or `fmt`), and returns the
issues in it (a feed may hold several). `discover(paths)` expands directories.
Readers register themselves in READERS: name -> Reader(detect, read, extensions).
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from ..errors import KgError
from ..model import Issue
from .text import parse_text

MAX_BYTES = 64 * 1024 * 1024


@dataclass
class Reader:
    name: str
    extensions: tuple[str, ...]
    detect: Callable[[str, str], int]      # (decoded text, file name) -> confidence 0..100
    read: Callable[[str, str, str], list[Issue]]  # (text, source_file, hash) -> issues


def _detect_text(text: str, name: str) -> int:
    return 10  # the fallback reader


def _read_text(text: str, source_file: str, content_hash: str) -> list[Issue]:
    return [parse_text(text, source_file, content_hash)]


READERS: dict[str, Reader] = {
    "text": Reader("text", (".txt", ".md", ".markdown", ".text"), _detect_text, _read_text),
}


def register(reader: Reader) -> None:
    READERS[reader.name] = reader


def decode(data: bytes, path: str) -> str:
    """Bytes -> str: UTF-8 (with or without BOM), UTF-16 by BOM, else charset detection."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    nul = data.find(b"\x00")
    if nul != -1:
        raise KgError("E003", path=path, offset=nul)
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data).best()
        if best is not None:
            return str(best)
    except ImportError:  # pragma: no cover - charset_normalizer is a dependency
        pass
    for enc in ("gb18030", "latin-1"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise KgError("E006", path=path, encodings="utf-8, utf-16, detected, gb18030, latin-1")


def read_bytes(path: str) -> bytes:
    p = Path(path)
    if not p.exists():
        raise KgError("E001", path=path)
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise KgError("E012", path=path, size=size, limit=MAX_BYTES)
    data = p.read_bytes()
    if not data.strip():
        raise KgError("E002", path=path)
    return data


def looks_binary(data: bytes) -> Optional[int]:
    """Offset of the first NUL byte in a non-UTF-16 file, or None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    nul = data.find(b"\x00", 0, 8192)
    return None if nul == -1 else nul


def read_path(path: str, fmt: Optional[str] = None) -> list[Issue]:
    data = read_bytes(path)
    nul = looks_binary(data)
    if nul is not None:
        raise KgError("E003", path=path, offset=nul)
    text = decode(data, path)
    text = text.replace("\r\n", "\n") if "\r\n" in text else text
    if not text.strip():
        raise KgError("E002", path=path)
    content_hash = "sha256:" + hashlib.sha256(data).hexdigest()
    name = os.path.basename(path)
    if fmt:
        if fmt not in READERS:
            raise KgError("E011", path=path, fmt=fmt, choices=", ".join(sorted(READERS)))
        reader = READERS[fmt]
    else:
        reader = max(READERS.values(), key=lambda r: (r.detect(text, name), r.name == "text"))
    issues = reader.read(text, name, content_hash)
    if not any(iss.items for iss in issues):
        raise KgError("E004", path=path)
    return issues


def discover(paths: list[str]) -> list[str]:
    """Files to build: files as given, directories expanded (sorted, hidden files skipped)."""
    exts = sorted({e for r in READERS.values() for e in r.extensions})
    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            found = []
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("gold",))
                for f in sorted(files):
                    if f.startswith(".") or f.lower().endswith(".json") and "gold" in f.lower():
                        continue
                    if os.path.splitext(f)[1].lower() in exts and f.lower() != "readme.md":
                        found.append(os.path.join(root, f))
            if not found:
                raise KgError("E005", path=p, patterns=", ".join("*" + e for e in exts))
            out.extend(sorted(found))
        elif not os.path.exists(p):
            raise KgError("E001", path=p)
        else:
            out.append(p)
    return out
