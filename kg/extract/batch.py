"""Batching: the items of consecutive issues go through spaCy together, then each item through
the rules (kg.extract.extract_item). Plain data in, plain data out."""
from __future__ import annotations

from typing import Callable, Iterable, Iterator, Optional

from .. import gazetteer as gz
from ..model import NON_NEWS_KINDS, Issue, IssueExtraction, ItemExtraction
from ..nlp import Pipelines
from . import extract_item, issue_sector, zh


# texts per nlp.pipe call: the model's forward pass is ~6% faster on batches of 64-256
# texts than on one issue's dozen; its output does not depend on the batch (tests check)
BATCH_ITEMS = 256


def extract_issue(issue: Issue, pipes: Pipelines, gaz: Optional[gz.Gazetteer] = None,
                  warn: Optional[Callable[[str], None]] = None) -> IssueExtraction:
    return next(extract_issues([issue], pipes, gaz, warn))


def extract_issues(issues: Iterable[Issue], pipes: Pipelines, gaz: Optional[gz.Gazetteer] = None,
                   warn: Optional[Callable[[str], None]] = None,
                   batch_items: int = BATCH_ITEMS) -> Iterator[IssueExtraction]:
    """Extract issues in order, running the items of consecutive issues through spaCy
    together (about `batch_items` texts at a time). Warnings are reported issue by issue,
    in item order, before the issue is yielded, as extract_issue one by one would."""
    gaz = gaz or gz.load()
    chunk: list[Issue] = []
    n = 0
    for issue in issues:
        chunk.append(issue)
        n += len(issue.items)
        if n >= batch_items:
            yield from _extract_chunk(chunk, pipes, gaz, warn, batch_items)
            chunk, n = [], 0
    if chunk:
        yield from _extract_chunk(chunk, pipes, gaz, warn, batch_items)


def _extract_chunk(issues: list[Issue], pipes: Pipelines, gaz: gz.Gazetteer,
                   warn: Optional[Callable[[str], None]], batch_items: int) -> Iterator[IssueExtraction]:
    by_lang: dict[str, list[tuple[int, int]]] = {}
    for a, issue in enumerate(issues):
        for i, it in enumerate(issue.items):
            if it.kind not in NON_NEWS_KINDS:   # sponsor and boilerplate blocks give no facts
                by_lang.setdefault(it.lang, []).append((a, i))
    sectors = [issue_sector(issue) for issue in issues]
    done: list[list[Optional[ItemExtraction]]] = [[None] * len(issue.items) for issue in issues]
    warned: list[list[list[str]]] = [[[] for _ in issue.items] for issue in issues]
    for lang, refs in by_lang.items():
        nlp = pipes.for_lang(lang)
        # Chinese: traditional characters read as simplified, offset for offset (kg.extract.zh)
        items = [issues[a].items[i] for a, i in refs]
        read = [zh.prepare_item(it) for it in items] if lang == "zh" else items
        texts = [it.text for it in read]
        for (a, i), it, doc in zip(refs, read, nlp.pipe(texts, batch_size=max(1, min(batch_items, len(texts))))):
            done[a][i] = extract_item(it, doc, issues[a], gaz, sectors[a],
                                      warned[a][i].append if warn else None)
            if lang == "zh":
                zh.restore_texts(done[a][i], issues[a].items[i])
    for a, issue in enumerate(issues):
        for i, it in enumerate(issue.items):
            if done[a][i] is None:
                done[a][i] = ItemExtraction(item=it, date=it.date or issue.date)
        if warn:
            for ws in warned[a]:
                for w in ws:
                    warn(w)
        yield IssueExtraction(issue=issue, items=done[a])
