"""CPU of one `kg build` stage by stage (process_time, and system time apart). Run by hand;
prints figures (not a test).

    .venv/bin/python bench/corpus.py 1000 /tmp/c1000
    .venv/bin/python bench/build_stages.py /tmp/c1000 [--model none] [--profile render out.prof]

Stages: reading the inputs (kg.build._read_inputs), loading the pipelines, the gazetteer
matcher inside the pipe, the rules (kg.extract.extract_item, item by item), caching
extractions (Cache.put), resolution, rendering (kg.build._render, with the renderings'
cache), merging, writing the output, counting (merged_stats), the caches' commit; `nlp` is
the rest of the extraction (spaCy's pipe). --profile STAGE FILE: cProfile of that stage.
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--model", default="auto")
    ap.add_argument("--profile", nargs=2, metavar=("STAGE", "FILE"))
    a = ap.parse_args()
    import kg.build as B
    import kg.extract.batch as X
    import kg.incremental as I
    import kg.nlp as N

    cpu: dict[str, float] = {}
    system: dict[str, float] = {}
    prof = cProfile.Profile() if a.profile else None

    def wrap(owner, name: str, label: str) -> None:
        f = getattr(owner, name)

        @functools.wraps(f)
        def timed(*args, **kw):
            on = prof is not None and label == a.profile[0]
            if on:
                prof.enable()
            c, s = time.process_time(), os.times().system
            try:
                return f(*args, **kw)
            finally:
                cpu[label] = cpu.get(label, 0.0) + time.process_time() - c
                system[label] = system.get(label, 0.0) + os.times().system - s
                if on:
                    prof.disable()
        setattr(owner, name, timed)

    for owner, name, label in [
            (B, "_read_inputs", "read"), (B, "load_pipelines", "load"), (N.GazetteerMatcher, "__call__", "matcher"),
            (X, "extract_item", "rules"), (B, "extract_all", "extract"),
            (I.Cache, "put", "cache.put"), (B, "resolve", "resolve"), (B, "_render", "render"), (B, "merge_rendered", "merge"),
            (B, "write_atomic_many", "write"), (B, "merged_stats", "stats"), (I.Cache, "commit", "commit"),
            (I.TermCache, "prune", "commit")]:
        wrap(owner, name, label)
    out = tempfile.mkdtemp(prefix="kg-stages-")
    try:
        c = time.process_time()
        B.build([a.corpus], out, model=a.model, workers=1)
        cpu["total"] = time.process_time() - c
        cpu["nlp"] = cpu["extract"] - cpu.get("rules", 0.0) - cpu.get("load", 0.0) - cpu.get("matcher", 0.0)
    finally:
        shutil.rmtree(out)
    print("cpu   ", json.dumps({k: round(v, 3) for k, v in cpu.items()}))
    print("system", json.dumps({k: round(v, 3) for k, v in system.items()}))
    if prof:
        prof.dump_stats(a.profile[1])


if __name__ == "__main__":
    main()
