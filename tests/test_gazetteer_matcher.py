"""kg's gazetteer matcher (kg.nlp.GazetteerMatcher) picks the entities spaCy's span_ruler
with prioritize_new_ents_filter, which it replaced, put in doc.ents: the same names, types
and ids, the same model entities dropped where a name overlaps them."""
from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import spacy
from spacy.matcher import PhraseMatcher

from kg import gazetteer as gz
from kg.extract.entities import entity_spans
from kg.nlp import GazetteerMatcher, _patterns, load_pipelines, resolve_model
from tests.conftest import model_installed

ROOT = Path(__file__).resolve().parents[1]
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
RULER = {"spans_key": None, "annotate_ents": True, "overwrite": False,
         "ents_filter": {"@misc": "spacy.prioritize_new_ents_filter.v1"}}


def span_ruler(nlp, patterns):
    ruler = nlp.add_pipe("span_ruler", config=RULER)
    with nlp.select_pipes(disable=[n for n in nlp.pipe_names if n != "span_ruler"]):
        ruler.add_patterns([{"label": t, "pattern": f, "id": i} for f, t, i in patterns])
    return nlp


def ruler_ents(doc):
    return [(e.start_char, e.end_char, e.label_, e.ent_id_ or None) for e in doc.ents]


def lines(lang: str) -> list[str]:
    files = [f for f in sorted((ROOT / "examples").glob("*.*")) if f.suffix in (".txt", ".md")]
    files += sorted(SHARED_CORPUS.glob("*.txt")) if SHARED_CORPUS.is_dir() else []
    out = []
    for f in files:
        out += [ln for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
    cjk = [ln for ln in out if any("\u4e00" <= c <= "\u9fff" for c in ln)]
    return cjk if lang == "zh" else [ln for ln in out if ln not in cjk]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_same_entities_as_spacy_span_ruler_without_a_model(lang):
    pats = _patterns(gz.load(), lang)
    old = span_ruler(spacy.blank(lang), pats)
    new = load_pipelines("none").for_lang(lang)
    texts = lines(lang)
    assert len(texts) > 10
    for text in texts:
        want = ruler_ents(old(text))
        if lang == "zh" and any(cuts_a_word(text, s, e) for s, e, _, _ in want):
            continue  # kg keeps whole Latin words (test_chinese_text_keeps_latin_words_whole)
        assert want == entity_spans(new(text)), text


def cuts_a_word(text: str, s: int, e: int) -> bool:
    def w(c):
        return c.isascii() and c.isalnum()
    return (s > 0 and w(text[s]) and w(text[s - 1])) or (e < len(text) and w(text[e - 1]) and w(text[e]))


def test_chinese_text_keeps_latin_words_whole():
    # spaCy's Chinese tokenizer splits Latin words into letters: a name must not match part of one
    pats = [("Sto", "Organization", "sto"), ("Meta", "Organization", "meta"), ("AMD", "Organization", "amd"),
            ("Apple", "Organization", "apple"), ("苹果", "Organization", "apple"), ("GPT-4", "Product", "gpt-4")]
    nlp = spacy.blank("zh")
    m = GazetteerMatcher(nlp, pats, whole_words=True)

    def found(text):
        return [text[s:e] for s, e, _, _ in m(nlp(text)).user_data["kg.gazetteer"]]
    assert found("苹果在Apple Store发售") == ["苹果", "Apple"]
    assert found("Metaculus预测Meta上涨；AMD、Sto和GPT-4o") == ["Meta", "AMD", "Sto"]
    assert found("AMDs与MetaAI") == []
    assert found("Meta's 模型；(AMD)") == ["Meta", "AMD"]
    # the English pipeline's tokenizer keeps words whole already; it is left as spaCy matches
    en = spacy.blank("en")
    assert [d.text for d in en("Metaculus AMDs")] == ["Metaculus", "AMDs"]


@pytest.mark.skipif(not model_installed(), reason="no statistical model installed")
def test_same_entities_as_spacy_span_ruler_after_the_model():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base, name = resolve_model("auto")
    old = span_ruler(base, _patterns(gz.load(), "en"))
    new = load_pipelines(name).en
    dropped = 0
    for text in lines("en"):
        doc = new(text)
        assert ruler_ents(old(text)) == entity_spans(doc), text
        dropped += len(doc.ents) + len(doc.user_data["kg.gazetteer"]) - len(entity_spans(doc))
    assert dropped > 0  # the texts have model entities that a gazetteer name overrides


def test_ties_and_overlaps_resolved_as_spacy_does():
    # one surface form for two entries; a longer name over a shorter one; equal lengths
    pats = [("Nova", "Organization", "nova-corp"), ("Nova", "Product", "nova-model"),
            ("Nova Labs", "Organization", "nova-labs"), ("Labs Day", "Organization", "labsday"),
            ("Acme", "Organization", "acme"), ("Acme", "Organization", "acme")]
    old = span_ruler(spacy.blank("en"), pats)
    new = spacy.blank("en")
    matcher = GazetteerMatcher(new, pats)
    for text in ["Nova Labs Day", "Nova shipped", "Acme and Nova", "Labs Day at Nova Labs", "NovaLabs"]:
        assert ruler_ents(old(text)) == entity_spans(matcher(new(text))), text


@pytest.mark.skipif(not model_installed(), reason="no statistical model installed")
def test_model_runs_only_what_its_ner_needs_and_finds_the_same_entities():
    # the shared tok2vec feeds the tagger and parser kg excludes; the NER has its own
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lean, name = resolve_model("auto")
        full = spacy.load(name)
    assert "tok2vec" in full.pipe_names and "tok2vec" not in lean.pipe_names
    assert lean.pipe_names == ["ner"]
    texts = lines("en")
    assert len(texts) > 50
    for a, b in zip(full.pipe(texts), lean.pipe(texts)):
        assert [(e.start_char, e.end_char, e.label_) for e in a.ents] == \
               [(e.start_char, e.end_char, e.label_) for e in b.ents], a.text


def test_pattern_tokens_are_kept_and_a_damaged_file_is_made_again(monkeypatch, tmp_path):
    from kg import nlp as kn
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    en = spacy.blank("en")
    forms = ["Nova Labs", "Acme's", "U.S. Steel", "GPT-4o mini", "Bank  of Nova"]
    made = kn.pattern_tokens(en, forms)
    assert made == [[t.text for t in en.make_doc(f)] for f in forms]
    [path] = list(tmp_path.glob("tokens-en-*.marshal"))
    # read back from the file, not tokenized again
    real = en.tokenizer

    class Untouched:  # the same rules, and a failure if it is asked to tokenize
        def to_bytes(self, **kw):
            return real.to_bytes(**kw)

        def pipe(self, *a, **kw):
            raise AssertionError("tokenized again")
    en.tokenizer = Untouched()
    assert kn.pattern_tokens(en, forms) == made
    en.tokenizer = real
    # other forms, or another tokenizer's rules, are another file
    kn.pattern_tokens(en, forms[:2])
    zh = spacy.blank("zh")
    assert kn.pattern_tokens(zh, ["英伟达", "Nova"]) == [[t.text for t in zh.make_doc(f)] for f in ["英伟达", "Nova"]]
    assert len(list(tmp_path.glob("tokens-*.marshal"))) == 3
    # a damaged or foreign file is not trusted: the forms are tokenized again and it is rewritten
    for junk in (b"\x00garbage", __import__("marshal").dumps([["Nova"], ["Acme"]])):
        path.write_bytes(junk)
        assert kn.pattern_tokens(en, forms) == made
        assert __import__("marshal").loads(path.read_bytes()) == made


def test_matcher_from_kept_tokens_matches_as_from_docs(monkeypatch, tmp_path):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    pats = _patterns(gz.load(), "en")
    texts = lines("en")[:300]
    fresh = GazetteerMatcher(spacy.blank("en"), pats)          # tokenizes, writes the file
    again_nlp = spacy.blank("en")
    again = GazetteerMatcher(again_nlp, pats)                  # reads the file
    ref_nlp = spacy.blank("en")
    ref = PhraseMatcher(ref_nlp.vocab)
    for f, t, i in pats:
        ref.add(repr((t, i)), [ref_nlp.make_doc(f)])
    found = 0
    for text in texts:
        a = sorted(again.matcher(again_nlp.make_doc(text)))
        b = sorted(ref(ref_nlp.make_doc(text)))
        assert a == b, text
        found += len(a)
    assert found > 20


def test_token_files_of_older_gazetteers_are_pruned(monkeypatch, tmp_path):
    import os

    from kg import nlp as kn
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    en = spacy.blank("en")
    made = []   # the files in the order they were written
    for i in range(kn.KEEP_TOKEN_FILES + 3):   # a gazetteer edited again and again
        before = set(tmp_path.glob("tokens-en-*.marshal"))
        kn.pattern_tokens(en, ["Nova Labs", f"Acme {i}"])
        [new] = set(tmp_path.glob("tokens-en-*.marshal")) - before
        os.utime(new, ns=(10**9 * (i + 1),) * 2)  # one second apart, whatever the clock's resolution
        made.append(new)
    left = set(tmp_path.glob("tokens-en-*.marshal"))
    assert left == set(made[-kn.KEEP_TOKEN_FILES:])   # the latest ones
    kn.pattern_tokens(spacy.blank("zh"), ["英伟达"])   # another language's files are its own
    assert set(tmp_path.glob("tokens-en-*.marshal")) == left
