"""`kg eval`: score the pipeline against gold annotations (../shared/eval/FORMAT.md).

Per gold item, the predicted item is the one of the same language whose text contains the
gold `match`. Entities: (canonical name, type) pairs, names compared case-insensitively
after the gazetteer's alias resolution, optional entities neither rewarded nor punished.
Metrics: values within 0.5% and equal units, matched one to one; subject accuracy over the
matched ones. Events: (type, actor) pairs. Source: the item's outlet. Date: the item's
date, compared at the gold's precision (gold "2026-01" accepts any day of that month).
Scores are micro-averaged over items, per language and overall.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import gazetteer as gz
from .errors import KgError
from .view import issue_view


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0


@dataclass
class Acc:
    ok: int = 0
    n: int = 0

    def add(self, other: "Acc") -> None:
        self.ok += other.ok
        self.n += other.n

    @property
    def value(self) -> float:
        return self.ok / self.n if self.n else 1.0


@dataclass
class Scores:
    entities: Counts = field(default_factory=Counts)
    metrics: Counts = field(default_factory=Counts)
    events: Counts = field(default_factory=Counts)
    subject: Acc = field(default_factory=Acc)
    source: Acc = field(default_factory=Acc)
    date: Acc = field(default_factory=Acc)
    items: int = 0

    def add(self, o: "Scores") -> None:
        for k in ("entities", "metrics", "events", "subject", "source", "date"):
            getattr(self, k).add(getattr(o, k))
        self.items += o.items

    def as_dict(self) -> dict:
        d = {"items": self.items}
        for k in ("entities", "metrics", "events"):
            c = getattr(self, k)
            d[k] = {"precision": round(c.p, 4), "recall": round(c.r, 4), "f1": round(c.f1, 4),
                    "tp": c.tp, "fp": c.fp, "fn": c.fn}
        for k in ("subject", "source", "date"):
            a = getattr(self, k)
            d[k + "_accuracy"] = {"accuracy": round(a.value, 4), "correct": a.ok, "total": a.n}
        return d


def _canon(name: Optional[str], gaz: gz.Gazetteer) -> Optional[str]:
    if name is None:
        return None
    eid = gaz.lookup(name)
    return (gaz.entries[eid].name if eid else name).casefold()


def find_corpus(gold_path: Path, corpus: str, corpus_dirs: list[str]) -> Path:
    cands = [gold_path.parent / corpus, gold_path.parent.parent / "corpus" / corpus,
             gold_path.parent.parent / corpus]
    cands += [Path(d) / corpus for d in corpus_dirs]
    for c in cands:
        if c.exists():
            return c
    raise KgError("E001", path=f"{corpus} (looked beside {gold_path} and in {', '.join(corpus_dirs) or 'no corpus dir'})")


def evaluate(gold_files: list[str], model: Optional[str] = "auto", corpus_dirs: Optional[list[str]] = None,
             gazetteer: Optional[str] = None) -> dict:
    from .build import Overrides, extract_all, read_issues
    from .resolve import resolve

    gaz = gz.load(gazetteer)
    per_lang: dict[str, Scores] = {}
    per_file: dict[str, dict[str, Scores]] = {}
    overall = Scores()
    errors: list[dict] = []
    used_model = None
    files = []
    for gf in gold_files:
        gpath = Path(gf)
        if not gpath.exists():
            raise KgError("E001", path=gf)
        gold = json.loads(gpath.read_text(encoding="utf-8"))
        cpath = find_corpus(gpath, gold["corpus"], corpus_dirs or [])
        meta = gold.get("issue", {})
        ov = Overrides(date=None if meta.get("date") is None else None)
        issues = read_issues([str(cpath)], None, ov)
        for iss in issues:
            if not iss.date and meta.get("date"):
                iss.date = meta["date"]
        exs, used_model = extract_all(issues, model, gazetteer)
        kb = resolve(exs, gaz)
        # a file may hold several issues (a feed): each gold item is scored in the issue
        # whose items hold its match (the first one, when none does)
        views = [(issue_view(kb, ix, used_model), ix.issue.text) for ix in kb.issues]
        files.append(str(gpath))
        mine = per_file.setdefault(str(gpath), {})
        for g in gold["items"]:
            lang = g.get("lang", "en")
            sc = per_lang.setdefault(lang, Scores())
            fs = mine.setdefault(lang, Scores())
            view, src = next(((v, t) for v, t in views if any(
                it["lang"] == lang and g["match"] in t[it["span"][0]:it["span"][1]] for it in v["items"])), views[0])
            s, errs = score_item(g, view, src, gaz)
            for e in errs:
                e.update({"gold_file": gpath.name, "lang": lang, "match": g["match"]})
            errors.extend(errs)
            sc.add(s)
            fs.add(s)
            overall.add(s)
    return {"model": used_model, "gold_files": files,
            # one row per gold file and language (the pooled rows below are their micro-average)
            "files": {f: {k: v.as_dict() for k, v in sorted(per_file[f].items())} for f in files},
            "languages": {k: v.as_dict() for k, v in sorted(per_lang.items())},
            "overall": overall.as_dict(), "errors": errors}


def score_item(g: dict, view: dict, src: str, gaz: gz.Gazetteer) -> tuple[Scores, list[dict]]:
    s = Scores(items=1)
    errs: list[dict] = []
    lang = g.get("lang", "en")
    # the item's span, or its headline when a reader kept the headline outside the span
    cands = [it for it in view["items"] if it["lang"] == lang and (
        g["match"] in src[it["span"][0]:it["span"][1]] or g["match"] in (it.get("headline") or ""))]
    pred = cands[0] if len(cands) == 1 else None
    if pred is None:
        errs.append({"kind": "item", "error": f"no single {lang} item contains the match ({len(cands)} found)"})
        pred = {"entities": [], "metrics": [], "events": [], "source": None, "date": None, "id": None}
    # entities
    gold_e = {(_canon(e["name"], gaz), e["type"]) for e in g.get("entities", [])}
    opt_e = {(_canon(e["name"], gaz), e["type"]) for e in g.get("optional_entities", [])}
    opt_names = {n for n, _ in opt_e}
    # predicted names through the same alias resolution as the gold's (a name the builder
    # kept in its Chinese or traditional form is the gazetteer's canonical name)
    pred_e = {(_canon(e["name"], gaz), e["type"]) for e in pred["entities"]}
    for pe in sorted(pred_e):
        if pe in gold_e:
            s.entities.tp += 1
        elif pe in opt_e or pe[0] in opt_names:
            continue
        else:
            s.entities.fp += 1
            errs.append({"kind": "entity", "error": "spurious", "item": pred["id"], "value": list(pe)})
    for ge in sorted(gold_e - pred_e):
        s.entities.fn += 1
        errs.append({"kind": "entity", "error": "missed", "item": pred["id"], "value": list(ge)})
    # metrics: one-to-one by value (within 0.5%) and unit
    unused = list(pred["metrics"])
    for gm in g.get("metrics", []):
        hit = None
        for pm in unused:
            if pm["unit"] == gm["unit"] and _close(pm["value"], gm["value"]):
                hit = pm
                break
        if hit is None:
            s.metrics.fn += 1
            errs.append({"kind": "metric", "error": "missed", "item": pred["id"], "value": gm})
            continue
        unused.remove(hit)
        s.metrics.tp += 1
        s.subject.n += 1
        if _canon(gm.get("subject"), gaz) == (hit["subject"] or "").casefold() or (
                hit["subject"] and _canon(hit["subject"], gaz) == _canon(gm.get("subject"), gaz)):
            s.subject.ok += 1
        else:
            errs.append({"kind": "subject", "error": "wrong subject", "item": pred["id"],
                         "value": {"gold": gm.get("subject"), "predicted": hit["subject"], "metric": hit["text"]}})
    for pm in unused:
        s.metrics.fp += 1
        errs.append({"kind": "metric", "error": "spurious", "item": pred["id"],
                     "value": {"text": pm["text"], "value": pm["value"], "unit": pm["unit"], "subject": pm["subject"]}})
    # events
    gold_ev = {(e["type"], _canon(e.get("actor"), gaz)) for e in g.get("events", [])}
    pred_ev = set()
    gold_types = {t for t, _ in gold_ev}
    for e in pred["events"]:
        typ = e["type"]
        if typ not in gold_types and EVENT_PARENT.get(typ) in gold_types:
            typ = EVENT_PARENT[typ]
        for a in e["actors"] or [None]:
            pred_ev.add((typ, _canon(a, gaz)))
    s.events.tp += len(gold_ev & pred_ev)
    for pe in sorted(pred_ev - gold_ev, key=str):
        s.events.fp += 1
        errs.append({"kind": "event", "error": "spurious", "item": pred["id"], "value": list(pe)})
    for ge in sorted(gold_ev - pred_ev, key=str):
        s.events.fn += 1
        errs.append({"kind": "event", "error": "missed", "item": pred["id"], "value": list(ge)})
    # source and date
    s.source.n += 1
    gsrc = _canon(g.get("source"), gaz)
    psrc = (pred.get("source") or None)
    if (psrc.casefold() if psrc else None) == gsrc:
        s.source.ok += 1
    else:
        errs.append({"kind": "source", "error": "wrong source", "item": pred["id"],
                     "value": {"gold": g.get("source"), "predicted": psrc}})
    if g.get("date"):
        s.date.n += 1
        pd = pred.get("date") or ""
        if pd == g["date"] or (len(g["date"]) < len(pd) and pd.startswith(g["date"])):
            s.date.ok += 1
        else:
            errs.append({"kind": "date", "error": "wrong date", "item": pred["id"],
                         "value": {"gold": g["date"], "predicted": pred.get("date")}})
    return s, errs


# event types of ours that are a kind of one of the gold format's types
EVENT_PARENT = {"ExportControl": "RegulatoryAction"}


def _close(a: float, b: float) -> bool:
    if b == 0:
        return a == 0
    return abs(a - b) <= 0.005 * abs(b)


def format_table(res: dict) -> str:
    """The score table: with several gold files, a row per file and language first, then
    the pooled (micro-averaged) rows per language and overall."""
    rows = [("scope", "items", "ent P", "ent R", "ent F1", "met P", "met R", "met F1", "subj acc",
             "evt P", "evt R", "evt F1", "src acc", "date acc")]
    scopes = []
    files = res.get("files") or {}
    if len(files) > 1:
        for f, langs in files.items():
            scopes += [(f"{Path(f).name.removesuffix('.gold.json')} {lang}", d) for lang, d in langs.items()]
        scopes += [(f"pooled {lang}", d) for lang, d in res["languages"].items()]
    else:
        scopes += list(res["languages"].items())
    scopes.append(("overall", res["overall"]))
    for name, d in scopes:
        rows.append((name, str(d["items"]),
                     *(f"{d['entities'][k]:.3f}" for k in ("precision", "recall", "f1")),
                     *(f"{d['metrics'][k]:.3f}" for k in ("precision", "recall", "f1")),
                     f"{d['subject_accuracy']['accuracy']:.3f}",
                     *(f"{d['events'][k]:.3f}" for k in ("precision", "recall", "f1")),
                     f"{d['source_accuracy']['accuracy']:.3f}", f"{d['date_accuracy']['accuracy']:.3f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    rule = "  ".join("-" * w for w in widths)
    lines.insert(1, rule)
    if len(files) > 1:  # a rule between the per-file rows and the pooled ones
        lines.insert(len(lines) - len(res["languages"]) - 1, rule)
    head = f"model: {res['model'] or 'none (rules only)'}; gold: {', '.join(Path(f).name for f in res['gold_files'])}"
    return head + "\n" + "\n".join(lines)


def format_errors(res: dict) -> str:
    out = []
    for e in res["errors"]:
        out.append(f"{e['gold_file']} [{e['lang']}] {e.get('item') or '-'} ({e['match'][:40]}): "
                   f"{e['kind']} {e['error']}: {json.dumps(e.get('value'), ensure_ascii=False)}")
    return "\n".join(out)
