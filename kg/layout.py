"""What a build folder holds (the folder `kg build -o DIR` writes, which every command that
reads a build takes as `-b/--build DIR`): graph.ttl (the merged graph), issues/*.ttl (one
per issue), store/ and store.stamp (the query store, kg/query.py), .kg/ (the incremental
build's caches, kg/incremental.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Union

from .errors import KgError

GRAPH = "graph.ttl"
ISSUES = "issues"


def graph_path(build_dir: Union[str, Path]) -> Path:
    """BUILD/graph.ttl; KgError E160 when the folder holds no build."""
    p = Path(build_dir) / GRAPH
    if not p.is_file():
        raise KgError("E160", path=str(build_dir))
    return p
