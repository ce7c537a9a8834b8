"""load_pipelines' English tokenizer (kg.nlp._markdown_tokenizer: every rule set before the
exceptions, "](" among the infixes, the combined infix pattern compiled only for a text that
holds "](") is the tokenizer spaCy makes and kg then gave "](" as an infix: the same
serialized rules and the same tokens."""
from __future__ import annotations

import random
import warnings
from pathlib import Path

import pytest
import spacy
from spacy.util import compile_infix_regex

from kg import nlp as kn
from tests.conftest import model_installed

ROOT = Path(__file__).resolve().parents[1]

SAMPLES = [
    "Read [the full story at Reuters](https://example.com/a?b=1) and [more](http://x.y/z).",
    "Nvidia's H100 can't ship; U.S. rules (Dec. 5) say so -- see e.g. the 3.5% drop.",
    "He said: \"we're done\"... OK?! [Link](x) ](( ]( )[ a](b c]( d",
    "Apple/Google/Meta's A.I. unit's 12-month, $3.5B-plus deal; 10km/h 5x faster.",
    "e-mail me@example.org or visit https://a.b/c-d_e?f=g&h=i#j :) :-( <3 don't",
    "Mr. Smith's co-CEO ('the boss') said 1,000-2,000 units... etc. vs. 2023's.",
    "**Bold**](not a link) [x]( y) ]]((  ]]( (](",
]


def random_texts(n: int = 300) -> list[str]:
    rnd = random.Random(7)
    alphabet = "ab AZ09.,;:!?'\"-–—()[]{}<>/\\@#$%^&*_+=~`|]( \n" + "éü中文"
    words = ["Apple", "](", "don't", "U.S.", "e.g.", "3.5%", "$10B", "[a](b)", "co-op", ":)", "10km"]
    out = []
    for _ in range(n):
        parts = [rnd.choice(words) if rnd.random() < 0.3 else
                 "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 12))) for _ in range(rnd.randint(1, 12))]
        out.append(rnd.choice(["", " "]).join(parts))
    return out


def tokens(nlp, text: str) -> list[tuple[str, bool]]:
    return [(t.text, bool(t.whitespace_)) for t in nlp.tokenizer(text)]


def same_tokenizer(new, old) -> None:
    assert new.tokenizer.to_bytes(exclude=["vocab"]) == old.tokenizer.to_bytes(exclude=["vocab"])
    for text in SAMPLES + random_texts():
        assert tokens(new, text) == tokens(old, text), text


def test_blank_tokenizer_is_spacys_with_the_link_infix():
    old = spacy.blank("en")
    kn._split_markdown_links(old)
    new = spacy.blank("en", config=kn._BARE_TOKENIZER)
    kn._markdown_tokenizer(new, None)
    same_tokenizer(new, old)
    # the old way in full: spaCy's own compile of the default infixes and "]("
    full = spacy.blank("en")
    full.tokenizer.infix_finditer = compile_infix_regex(list(full.Defaults.infixes) + [r"\]\("]).finditer
    same_tokenizer(new, full)
    assert [t.text for t in new.tokenizer("[Learn more at Reuters](https://x.y)")][:6] == \
        ["[", "Learn", "more", "at", "Reuters", "]("]


def test_load_pipelines_tokenizer_is_the_old_one():
    pipes = kn.load_pipelines("none")
    old = spacy.blank("en")
    old.tokenizer.infix_finditer = compile_infix_regex(list(old.Defaults.infixes) + [r"\]\("]).finditer
    same_tokenizer(pipes.en, old)


@pytest.mark.skipif(not model_installed(), reason="no English model installed")
def test_model_tokenizer_is_the_old_one():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        new, name = kn.resolve_model("auto", own_tokenizer=True)
        old = spacy.load(name, exclude=list(kn.UNUSED))
    old.tokenizer.infix_finditer = compile_infix_regex(list(old.Defaults.infixes) + [r"\]\("]).finditer
    same_tokenizer(new, old)


def test_infixes_match_the_compiled_pattern_only_where_it_differs():
    inf = kn._Infixes(list(spacy.blank("en").Defaults.infixes))
    full = compile_infix_regex(inf.entries)
    assert inf.pattern == full.pattern
    for text in SAMPLES + random_texts():
        assert [m.span() for m in inf.finditer(text)] == [m.span() for m in full.finditer(text)], text
    assert inf._all is not None         # the samples hold "](": compiled when first needed
    fresh = kn._Infixes(list(spacy.blank("en").Defaults.infixes))
    list(fresh.finditer("no link here, U.S.-made 3-D chips"))
    assert fresh._all is None


def test_matcher_keys_lexemes_are_never_a_tokens():
    # GazetteerMatcher makes its keys' lexemes without the lexicon's attributes: sound because
    # no token's text is a key (a key holds a space); the lexicon's getters are put back
    from kg import gazetteer as gz
    en = spacy.blank("en")
    getters = en.vocab.lex_attr_getters
    pats = kn._patterns(gz.load(), "en")[:300] + [("Nova Labs", "Organization", "nova-labs")]
    m = kn.GazetteerMatcher(en, pats)
    assert en.vocab.lex_attr_getters is getters and getters
    keys = [en.vocab.strings[k] for k in m.entries]
    assert keys and all(" " in k for k in keys)
    for k in keys[:50]:
        assert [t.text for t in en(k)] != [k]
    # a word's lexeme made after the matcher has its attributes
    doc = m(en("Nova Labs shipped 12 chips"))
    assert doc[3].like_num and doc[0].shape_ == "Xxxx" and doc[0].is_title
    assert [(s, e, t, i) for s, e, t, i in doc.user_data["kg.gazetteer"]] == [(0, 9, "Organization", "nova-labs")]
