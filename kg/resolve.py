"""Entity resolution: every mention and every cited outlet gets an entity id, merged across
items, languages and issues (gazetteer aliases in English and Chinese, tickers,
normalization of case, punctuation, legal suffixes and possessives, and of invisible and
bidi control characters, which labels and identifiers never show; a surname alone joins
the full name of a person mentioned in the same issue). Unknown names are merged only when
their normalized forms are equal: "Nvidia"/"NVIDIA" merge, "Meta"/"Metaculus" never do."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Iterable, Optional
from urllib.parse import quote

from . import gazetteer as gz
from .model import ENTITY_TYPES, Entity, IssueExtraction, KnowledgeBase

TYPE_PRIORITY = {t: i for i, t in enumerate(("Organization", "Index", "Asset", "Product", "Person", "Place", "Outlet"))}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


# Characters that show nothing, or reorder what is shown: format characters (bidi embeddings,
# overrides and isolates, zero-width space / joiners, soft hyphen, word joiner, BOM, tags),
# variation selectors and the combining grapheme joiner. In a name they make two different
# names look the same ("Nvi\u200bdia" / "Nvidia"), or one read backwards.
_INVISIBLE = re.compile(r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
                        r"\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
                        r"\U000e0000-\U000e0fff\U0001d173-\U0001d17a]")


@lru_cache(maxsize=1 << 16)
def clean_label(text: str) -> str:
    """A name as a label or an identifier shows it: invisible and bidi control characters
    removed (see _INVISIBLE), whitespace runs one space. The evidence keeps the original.
    Cached: resolution and rendering clean the same names again and again."""
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


# compiled once (re.sub with a pattern string looks it up in re's cache on every call)
_LATIN = re.compile(r"[A-Za-z]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_POSSESSIVE = re.compile(r"['’]s?$")


@lru_cache(maxsize=1 << 12)
def slugify(text: str) -> str:
    """A readable, IRI-safe slug: ASCII words joined by '-'; Chinese names are kept and
    percent-encoded; anything else (quotes, <>, newlines, invisible characters) never
    reaches the IRI. Cached: an issue's IRI, file name and newsletter slug the same name."""
    t = unicodedata.normalize("NFKC", clean_label(text)).strip()
    if CJK.search(t) and not _LATIN.search(t):
        core = "".join(ch for ch in t if CJK.match(ch) or ch.isalnum())
        if core:
            return quote(core, safe="")
    ascii_ = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
    ascii_ = ascii_.replace("&", " and ").replace("+", " plus ")
    s = _NOT_SLUG.sub("-", ascii_.lower()).strip("-")
    s = s[:80].rstrip("-")
    if not s:
        s = "x-" + hashlib.sha1(t.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return s


_LEGAL = re.compile(r"(?:,?\s+(?:Inc|Incorporated|Corp|Corporation|Co|Ltd|Limited|LLC|PLC|plc|AG|SA|SE|NV|GmbH)\.?)+$")


def clean_name(surface: str) -> str:
    """A canonical name from a surface form: no possessive, no legal suffix, one line, no
    invisible characters."""
    s = clean_label(surface)
    s = _POSSESSIVE.sub("", s)
    s2 = _LEGAL.sub("", s).strip(" ,")
    return s2 or s


def _gaz_entity(e: gz.GazEntry) -> Entity:
    ent = Entity(id=e.id, name=e.name, type=e.type, tickers=list(e.tickers), wikidata=e.wikidata,
                 homepage=e.homepage)
    ent.names["en"] = e.name
    if e.aliases_zh:
        ent.names["zh"] = e.aliases_zh[0]
    return ent


def issue_order(ix: IssueExtraction) -> tuple:
    """The order of a knowledge base's issues (resolve sorts them by it; sorting is stable)."""
    return ix.issue.newsletter, ix.issue.number or 0, ix.issue.date or "", ix.issue.source_file


def resolve(extractions: Iterable[IssueExtraction], gaz: Optional[gz.Gazetteer] = None) -> KnowledgeBase:
    gaz = gaz or gz.load()
    kb = KnowledgeBase(issues=sorted(extractions, key=issue_order))
    unknown_types: dict[str, Counter] = defaultdict(Counter)
    unknown_names: dict[str, Counter] = defaultdict(Counter)

    def ensure_gaz(eid: str) -> Entity:
        if eid not in kb.entities:
            kb.entities[eid] = _gaz_entity(gaz.entries[eid])
        return kb.entities[eid]

    for ix in kb.issues:
        # full names of people in this issue, so that "Whitfield" joins "Dana Whitfield"
        surnames: dict[str, str] = {}
        firsts: dict[str, str] = {}
        # names as labels and identifiers see them (clean_label): invisible characters out
        for ex in ix.items:
            for m in ex.mentions:
                name = clean_label(m.text)
                if m.type == "Person" and len(name.split()) >= 2:
                    surnames.setdefault(name.split()[-1], m.entity_id or gz.normalize(name))
                elif m.type == "Organization" and len(name.split()) >= 2:
                    # "Larkspur" for "Larkspur AI": a company's first word, when one name has it
                    w, k = name.split()[0], m.entity_id or gz.normalize(name)
                    firsts[w] = k if firsts.get(w, k) == k else ""
        for ex in ix.items:
            lang = ex.item.lang
            if ex.item.outlet:
                outlet = clean_label(ex.item.outlet) or ex.item.outlet
                oid = ex.outlet_id
                if oid is None:
                    oid = gaz.lookup(outlet) or slugify(outlet)
                    ex.outlet_id = oid
                if oid in gaz.entries:
                    ent = ensure_gaz(oid)
                else:
                    ent = kb.entities.setdefault(oid, Entity(id=oid, name=outlet, type="Outlet"))
                    ent.names.setdefault(lang, outlet)
                ent.aliases.add((outlet, lang))
            for m in ex.mentions:
                name = clean_label(m.text) or m.text
                eid = m.entity_id or gaz.lookup(name)
                short = surnames if m.type == "Person" else firsts if m.type == "Organization" else {}
                shortened = eid is None and len(name.split()) == 1 and bool(short.get(name))
                if shortened:
                    eid = short[name]
                    if eid not in gaz.entries:
                        eid = None
                        key = short[name]
                    else:
                        key = None
                else:
                    key = None
                if eid is not None and eid in gaz.entries:
                    ent = ensure_gaz(eid)
                    m.entity_id = eid
                    ent.aliases.add((name, lang))
                    continue
                key = key or gz.normalize(name)
                if not key:
                    key = name
                m.entity_id = "~" + key            # provisional; replaced below
                unknown_types[key][m.type] += 1
                # a short form ("Larkspur", "Whitfield") never outvotes the full name it stands for
                unknown_names[key][name] += 0 if shortened else 1
    # unknown entities: one per normalized name; type by majority, name by most frequent form
    ids: dict[str, str] = {}
    for key in sorted(unknown_types):
        typ = sorted(unknown_types[key].items(), key=lambda kv: (-kv[1], TYPE_PRIORITY[kv[0]]))[0][0]
        name = clean_name(sorted(unknown_names[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0])
        eid = slugify(name)
        while eid in kb.entities or eid in gaz.entries:
            eid = eid + "-" + TYPE_PRIORITY.get(typ, 0).__str__()
        ids[key] = eid
        kb.entities[eid] = Entity(id=eid, name=name, type=typ, names={"en" if not CJK.search(name) else "zh": name})
    for ix in kb.issues:
        for ex in ix.items:
            for m in ex.mentions:
                if m.entity_id and m.entity_id.startswith("~"):
                    m.entity_id = ids[m.entity_id[1:]]
                    kb.entities[m.entity_id].aliases.add((clean_label(m.text) or m.text, ex.item.lang))
                ent = kb.entities[m.entity_id]
                if ent.type != m.type and ent.type in ENTITY_TYPES:
                    m.type = ent.type
    for ix in kb.issues:
        align_translations(ix)
    return kb


def _fingerprint(ex) -> tuple[set, set]:
    figures = {(format(m.value.normalize(), "f"), m.unit) for m in ex.metrics}
    ents = {m.entity_id for m in ex.mentions}
    return figures, ents


def align_translations(ix: IssueExtraction) -> None:
    """Link each item of a translation (zh) to the English item it translates: the same
    outlet and the same figures are a strong key, shared entities and the order break ties.
    One to one; an item with nothing in common stays unlinked."""
    en = [ex for ex in ix.items if ex.item.lang == "en"]
    zh = [ex for ex in ix.items if ex.item.lang == "zh"]
    if not en or not zh:
        return
    fps = {id(ex): _fingerprint(ex) for ex in en + zh}
    pairs = []
    for z in zh:
        zf, ze = fps[id(z)]
        for e in en:
            if z.item.kind != e.item.kind:
                continue
            ef, ee = fps[id(e)]
            score = 0.0
            if z.outlet_id and z.outlet_id == e.outlet_id:
                score += 2
            elif z.outlet_id and e.outlet_id:
                score -= 2
            score += 1.5 * len(zf & ef) - 0.5 * len(zf ^ ef)
            score += 0.5 * len(ze & ee)
            if score >= 2 or (z.item.kind == "lead" and score >= 0):
                # the order of items is the last tie-breaker
                rank = abs(z.item.position / len(zh) - e.item.position / len(en))
                pairs.append((-score, rank, z.item.position, e.item.position, z, e))
    pairs.sort(key=lambda p: p[:4])
    used_z, used_e = set(), set()
    for _, _, zp, ep, z, e in pairs:
        if zp in used_z or ep in used_e:
            continue
        used_z.add(zp)
        used_e.add(ep)
        z.translation_of = e.item.key
