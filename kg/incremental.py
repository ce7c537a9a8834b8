"""Incremental builds: a manifest and an extraction cache under OUT/.kg/.

Extraction (the NLP) is the expensive stage; resolution and serialization are cheap and
are always redone over every current input, so an incremental build gives byte-identical
output to a full one. A file's cached extraction is keyed by its content hash and by the
pipeline (kg's own source, the gazetteer, the model, the reader options): a changed file,
gazetteer, model or kg version re-extracts. The manifest is written last."""
from __future__ import annotations

import hashlib
import json
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Optional

from .io import write_atomic
from .model import IssueExtraction

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


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
    h.update(Path(gazetteer_path).read_bytes())
    return h.hexdigest()[:16]


class Cache:
    def __init__(self, out_dir: str, key: str, enabled: bool = True):
        self.dir = Path(out_dir) / ".kg"
        self.key = key
        self.enabled = enabled
        self.manifest = self._read_manifest() if enabled else {}
        self.used: dict[str, dict] = {}
        self.outputs: dict[str, str] = {}   # issue file name -> signature of its content

    def _read_manifest(self) -> dict:
        p = self.dir / MANIFEST
        try:
            m = json.loads(p.read_text(encoding="utf-8"))
            return m if m.get("format") == FORMAT_VERSION else {}
        except (OSError, ValueError):
            return {}

    def entry_name(self, content_hash: str) -> str:
        return hashlib.sha256(f"{self.key}:{content_hash}".encode()).hexdigest()[:24] + ".pkl"

    def get(self, path: str, content_hash: str) -> Optional[list[IssueExtraction]]:
        if not self.enabled:
            return None
        name = self.entry_name(content_hash)
        f = self.dir / "cache" / name
        if not f.exists():
            return None
        try:
            with f.open("rb") as fh:
                exs = pickle.load(fh)
        except Exception:
            return None
        self.used[path] = {"hash": content_hash, "cache": name}
        return exs

    def put(self, path: str, content_hash: str, exs: list[IssueExtraction]) -> None:
        name = self.entry_name(content_hash)
        write_atomic(self.dir / "cache" / name, pickle.dumps(exs, protocol=pickle.HIGHEST_PROTOCOL), sync=False)
        self.used[path] = {"hash": content_hash, "cache": name}

    def commit(self) -> None:
        """Write the manifest (last) and drop cache entries no input uses any more."""
        keep = {v["cache"] for v in self.used.values()}
        cdir = self.dir / "cache"
        if cdir.exists():
            for f in cdir.glob("*.pkl"):
                if f.name not in keep:
                    f.unlink()
        manifest = {"format": FORMAT_VERSION, "pipeline": self.key,
                    "files": {k: self.used[k] for k in sorted(self.used)},
                    "outputs": dict(sorted(self.outputs.items()))}
        write_atomic(self.dir / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())


class TermCache:
    """Each issue's rendered Turtle and figure facts, keyed by a signature of everything
    its rendering reads (its resolved extraction and the entities it refers to). An
    incremental build re-renders only issues whose signature changed, and the merged
    graph is the concatenation of the issues' blocks, so adding one issue to a thousand
    costs little more than that one issue."""

    def __init__(self, out_dir: str, enabled: bool = True):
        self.dir = Path(out_dir) / ".kg" / "terms"
        self.enabled = enabled
        self.used: set[str] = set()

    def get(self, sig: str):
        self.used.add(sig)
        if not self.enabled:
            return None
        f = self.dir / (sig + ".pkl")
        try:
            with f.open("rb") as fh:
                return pickle.load(fh)
        except Exception:
            return None

    def put(self, sig: str, value) -> None:
        self.used.add(sig)
        write_atomic(self.dir / (sig + ".pkl"), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), sync=False)

    def prune(self) -> None:
        if self.dir.exists():
            for f in self.dir.glob("*.pkl"):
                if f.stem not in self.used:
                    f.unlink()
