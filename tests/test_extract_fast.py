"""Shortcuts in extract_item's own work and the entity rules give what the plain forms give:
_dedupe_metrics, assign_subjects given the main actor (or no figures), the MAKER_OF keys,
entity_spans' overlap loop, the headline filter made only when a model span is in the headline."""
from __future__ import annotations

import random
from decimal import Decimal

import spacy
from spacy.tokens import Span

from kg import gazetteer as gz
from kg.extract import _dedupe_metrics, assign_subjects, entities as E, extract_item
from kg.extract._bounds import Bounds
from kg.extract.metrics import find_metrics
from kg.extract.subjects import main_actor
from kg.model import Issue, Item, Mention, MetricMention
from kg.nlp import GAZETTEER_SPANS


def plain_dedupe(metrics):
    """_dedupe_metrics as first written (the spec)."""
    best, order = {}, []
    for m in metrics:
        key = (m.value, m.unit, tuple(q for q in m.qualifiers if q in ("lower_bound", "upper_bound", "actual", "expected")))
        if key not in best:
            best[key] = m
            order.append(key)
        elif best[key].subject is None and best[key].subject_name is None and (m.subject is not None or m.subject_name):
            best[key] = m
    return [best[k] for k in order]


def test_dedupe_metrics_is_the_plain_form():
    rnd = random.Random(7)
    quals = ["lower_bound", "upper_bound", "actual", "expected", "change", "YoY"]
    for _ in range(3000):
        ms = [MetricMention(value=Decimal(rnd.choice([1, 2, 3])), unit=rnd.choice(["USD", "percent"]), text="x",
                            start=i, end=i + 1, qualifiers=rnd.sample(quals, rnd.randint(0, 3)),
                            subject=rnd.choice([None, None, 0, 1]), subject_name=rnd.choice([None, None, "", "AI industry"]))
              for i in range(rnd.randint(0, 7))]
        got = _dedupe_metrics(ms)
        assert [id(m) for m in got] == [id(m) for m in plain_dedupe(ms)]
        assert got is not ms  # a new list, as before
    # the headline's figure first, the body's with a subject replaces it in its place
    a = MetricMention(value=Decimal(5), unit="USD", text="$5", start=0, end=2)
    b = MetricMention(value=Decimal(7), unit="USD", text="$7", start=5, end=7)
    c = MetricMention(value=Decimal(5), unit="USD", text="$5", start=9, end=11, subject=0)
    assert _dedupe_metrics([a, b, c]) == [c, b]


def _mentions(text: str, names: dict[str, str]) -> list[Mention]:
    out = []
    for name, typ in names.items():
        i = text.find(name)
        while i != -1:
            out.append(Mention(text=name, start=100 + i, end=100 + i + len(name), type=typ, source="rule"))
            i = text.find(name, i + 1)
    return sorted(out, key=lambda m: (m.start, -m.end))


SENTENCES = [
    ("Quorra Robotics raised $40 million from Velmora Capital. The company said revenue rose 12% to $9 million.",
     {"Quorra Robotics": "Organization", "Velmora Capital": "Organization"}),
    ("It fell 3%. Kelvara Systems, which owns a stake in Tollgate, said Tollgate's sales rose 8% while "
     "the chip industry slowed 2%.", {"Kelvara Systems": "Organization", "Tollgate": "Organization"}),
    ("Nightjar Phone 3 costs $799 and Nightjar Phone 3 Pro starts at $999, Nightjar Labs said.",
     {"Nightjar Phone 3": "Product", "Nightjar Labs": "Organization"}),
    ("No figures here: Quorra Robotics hired Jane Doe.", {"Quorra Robotics": "Organization", "Jane Doe": "Person"}),
]


def test_assign_subjects_given_the_main_actor_is_the_same():
    for text, names in SENTENCES:
        mentions = _mentions(text, names)
        for start in (0, 7):
            runs = []
            for given in (False, True):
                metrics = find_metrics(text, "en", 100, None, Bounds(text))
                if given:
                    assign_subjects(text, 100, mentions, metrics, "AI", Bounds(text), "en", start,
                                    main_actor(mentions, 100, start))
                else:
                    assign_subjects(text, 100, mentions, metrics, "AI", Bounds(text), "en", start)
                runs.append([(m.start, m.subject, m.subject_name) for m in metrics])
            assert runs[0] == runs[1], text
    text, names = SENTENCES[0]
    metrics = find_metrics(text, "en", 100, None, Bounds(text))
    assign_subjects(text, 100, _mentions(text, names), metrics, "AI", Bounds(text), "en")
    assert [m.subject for m in metrics if m.unit == "USD"][:1] == [0]  # Quorra Robotics raised $40 million
    assign_subjects(text, 100, _mentions(text, names), [], "AI", Bounds(text), "en")  # no figures: nothing to do
    # a sector word before the figure in its clause ("the chip industry slowed 2%"), in English and
    # by proximity (the names before a figure in its clause are made only where they are needed)
    text, names = SENTENCES[1]
    for lang, want in (("en", [(1, None), (2, None), (None, "chip industry")]),
                       ("zh", [(0, None), (2, None), (None, "chip industry")])):
        metrics = find_metrics(text, lang, 100, None, Bounds(text))
        assign_subjects(text, 100, _mentions(text, names), metrics, "AI", Bounds(text), lang)
        assert [(m.subject, m.subject_name) for m in metrics] == want, lang


def test_maker_of_is_scanned_only_when_a_key_is_in_the_text():
    rnd = random.Random(3)
    words = ["maker", "makers", "developer", "creator", "seller", "make", "of", "the", "Ozempic", "and", "Wegovy", ",",
             "Maker", "sell", "develop", "creators", "\n", "Quorra"]
    texts = ["".join(rnd.choice(words) + rnd.choice([" ", "  ", "\n", ""]) for _ in range(rnd.randint(1, 10)))
             for _ in range(5000)]
    found = 0
    for t in texts:
        if not E.may_contain(t, E.MAKER_KEYS):
            assert E.MAKER_OF.search(t) is None, t
        found += E.MAKER_OF.search(t) is not None
    assert found > 20  # the matches it must keep finding
    got = E.rule_mentions("Novo Nordisk, the maker of Ozempic and Wegovy, rose.", "en", 0, [])
    assert [(m.text, m.type) for m in got if m.type == "Product"] == [("Ozempic", "Product"), ("Wegovy", "Product")]


def test_entity_spans_drop_model_spans_a_gazetteer_name_overlaps():
    nlp = spacy.blank("en")
    doc = nlp("Acme Robotics and Jane Doe met Quorra in Boston today")
    doc.ents = [Span(doc, 0, 2, "ORG"), Span(doc, 3, 5, "PERSON"), Span(doc, 6, 7, "ORG"), Span(doc, 8, 9, "GPE")]
    doc.user_data[GAZETTEER_SPANS] = [(5, 13, "Organization", "acme"), (31, 37, "Organization", "quorra")]
    assert E.entity_spans(doc) == [
        (5, 13, "Organization", "acme"), (18, 26, "PERSON", None), (31, 37, "Organization", "quorra"),
        (41, 47, "GPE", None)]
    doc.user_data[GAZETTEER_SPANS] = []
    assert E.entity_spans(doc) == [(0, 13, "ORG", None), (18, 26, "PERSON", None), (31, 37, "ORG", None),
                                   (41, 47, "GPE", None)]


def _headline_item(head: str, body: str, ents: list[tuple[str, str]]):
    nlp = spacy.blank("en")
    text = head + "\n" + body
    doc = nlp(text)
    spans = []
    for name, label in ents:
        i = text.find(name)
        while i != -1:
            spans.append(doc.char_span(i, i + len(name), label))
            i = text.find(name, i + 1)
    doc.ents = sorted(spans, key=lambda sp: sp.start)
    doc.user_data[GAZETTEER_SPANS] = []
    it = Item(lang="en", position=1, text=text, start=0, end=len(text), headline=head)
    issue = Issue(newsletter="t", number=1, date="2026-01-05", source_file="t.txt", content_hash="sha256:0", text=text,
                  items=[it])
    return [(m.text, m.start) for m in extract_item(it, doc, issue, gz.load(), "AI").mentions if m.source == "model"]


def test_a_model_name_only_in_the_headline_is_dropped():
    """The headline filter (the text without the headline made only when a model span lies in
    the headline): a model span there counts only when the body names it too."""
    got = _headline_item("Kelvara Dynamics Beats Nightjar Mobile", "Analysts at Kelvara Dynamics expect more.",
                         [("Kelvara Dynamics", "ORG"), ("Nightjar Mobile", "ORG")])
    assert got == [("Kelvara Dynamics", 0), ("Kelvara Dynamics", 51)]
    # no model span in the headline: the body's are all kept
    got = _headline_item("Good Quarter for Chips", "Analysts at Kelvara Dynamics and Nightjar Mobile expect more.",
                         [("Kelvara Dynamics", "ORG"), ("Nightjar Mobile", "ORG")])
    assert got == [("Kelvara Dynamics", 35), ("Nightjar Mobile", 56)]

