"""The entity rules written for speed find what their plain forms (the spec) find: the
possessive name patterns, and PRODUCT_VERSION / MODEL_LIKE tried only where a version
follows a word (entities.version_starts + entities.matches_at)."""
from __future__ import annotations

import random
import re
from pathlib import Path

from kg.extract import entities as E

ROOT = Path(__file__).resolve().parents[1]

WORDS = ["Apple", "Inc.", "Inc", "Corp", "Labs", "AI", "Acme", "Robotics", "Holdings", "Group", "plc", "said", "says", "is",
         "is cutting", "was", "will", "’s", "'s", "shares", "stock", "rose", "fell", ",", ", a", "the", "an", "Boston-based",
         "startup", "maker", "CEO", "chief executive", "Jane", "Doe", "of", "Shares", "The", "Its", "and", "&", "(", ")",
         "(ACME)", "(NYSE: QRX)", "(BRK.B)", "Quorra", "Velmora", "Kelvara", "X", "Xy-", "Foo.", "A.I.", "X-Ray", "U.S.",
         "Co-Op", "’", "'", "-", ".", "\n", "\t", "\u00a0", "é", "Ré", "_", "Über", "iPhone", "17", "Pro", "Max", "GPT",
         "-4.5", "o3", "-mini", "H800", "H800s", "MI450", "Claude", "3.7", "Sonnet", "xAI", "Phi", "-4", "Alexa+", "Xeon",
         "6+", "$5", "5%", "2025", "Q3", "Series", "B", "Mini", "Air", "in", "to", "GPT٣", "٣", "v2", "Model", "5 billion",
         "3,000", "+", "Nano", "Tax", "Pax", "Turbo", "preview", "large", "Opus", "Velmora’s", "Quorra's", "Foo.’s",
         "’s chief executive", "'s new CEO", ", a Boston-based startup", ", the chipmaker", "shares rose", "stock fell",
         "’s board", "’s s", ", an insurer"]
SEPS = ["", " ", " ", " ", "  ", "\n", " \n "]


def texts(n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for f in sorted((ROOT / "examples").glob("*.*")):
        if f.suffix in (".txt", ".md"):
            body = f.read_text(encoding="utf-8")
            out += [p for p in body.split("\n\n") if p.strip()] + [ln for ln in body.splitlines() if ln.strip()]
    out += ["".join(rnd.choice(WORDS) + rnd.choice(SEPS) for _ in range(rnd.randint(1, 14))) for _ in range(n)]
    return out + [
        "Shares of Arm Holdings (ARM) rose; Quorra Robotics Inc. said it would hire.",
        "Velmora’s chief executive, Jane Doe, said Velmora’s shares rose.",  # the name before "’s", and with it
        "Kelvara Systems, a Boston-based maker of chips, agreed to buy Quorra.",
        "Foo.Bar Labs and Ab-Cd Holdings and X-Ray Labs AI Group",
        "Apple Google Microsoft Amazon said nothing; Meta Platforms is cutting jobs.",
        "Claude 3.7 Sonnet beat GPT-4.5, o3-mini and iPhone 17 Pro Max; Xeon 6+ and Alexa+ shipped.",
        "MI450 and H800s; Phi-4-mini; the Pixel\u00a0Pro; GPT٣ (a digit of another script); in 2025 it rose 5%.",
        "éGPT-4 _H800 $H800 .o3 Model 3 Series 7 iPad Air, Galaxy\nUltra, Tesla Model-3",
    ]


def test_possessive_name_rules_find_what_the_plain_forms_find():
    """ORG_RULE, TICKER_RULE, CTX_AFTER and VERB_AFTER with possessive runs against the same
    rules written with the plain NAME and CTX_NAME, on the examples and random texts."""
    after = E.CTX_AFTER.pattern[len(r"(?P<name>" + E.CTX_NAME_S + r")"):]
    verb = E.VERB_AFTER.pattern[len(r"(?P<name>" + E.CTX_NAME_P + r")"):]
    ticker = E.TICKER_RULE.pattern[len(r"(?P<name>" + E.NAME_P + r")"):]
    plain = {
        E.ORG_RULE: re.compile(r"(?P<name>" + E.NAME + r"[^\S\n]+" + E.ORG_SUFFIX + r")(?![A-Za-z])"),
        E.TICKER_RULE.full: re.compile(r"(?P<name>" + E.NAME + r")" + ticker),
        E.CTX_AFTER: re.compile(r"(?P<name>" + E.CTX_NAME + r")" + after),
        E.VERB_AFTER: re.compile(r"(?P<name>" + E.CTX_NAME + r")" + verb),
    }
    assert E.CTX_AFTER.pattern == r"(?P<name>" + E.CTX_NAME_S + r")" + after
    hits = {}
    for text in texts(20000, 11):
        for new, old in plain.items():
            want = [(m.span(), m.groups()) for m in old.finditer(text)]
            assert [(m.span(), m.groups()) for m in new.finditer(text)] == want, (new.pattern[:40], text)
            hits[new] = hits.get(new, 0) + len(want)
    assert min(hits.values()) > 200, hits


def test_possessive_names_keep_the_edges():
    """Where a word may stop short: before a closing "’s" (CTX_AFTER takes "Velmora" there,
    and "Velmora’s" before "shares rose"); a word ending in "." is no name before a verb."""
    got = [m.group("name") for m in E.CTX_AFTER.finditer("Velmora’s chief executive left. Quorra’s shares rose 3%.")]
    assert got == ["Velmora", "Quorra’s"]
    assert [m.group("name") for m in E.VERB_AFTER.finditer("Acme Labs said. Foo. said")] == ["Acme Labs"]
    assert [m.group("name") for m in E.ORG_RULE.finditer("Shares of Kelvara Foo-Bar Labs rose")] == ["Kelvara Foo-Bar Labs"]


def test_versions_are_found_only_where_a_version_follows_a_word():
    """PRODUCT_VERSION and MODEL_LIKE tried at version_starts find what finditer finds, on
    the examples and random texts (digits of other scripts, no-break spaces, plurals)."""
    hits = 0
    for text in texts(20000, 12):
        starts = E.version_starts(text)
        assert starts == sorted(set(starts))
        for pat in (E.PRODUCT_VERSION, E.MODEL_LIKE):
            want = [(m.span(), m.groups()) for m in pat.finditer(text)]
            assert [(m.span(), m.groups()) for m in E.matches_at(pat, text, starts)] == want, (pat.pattern[:30], text)
            hits += len(want)
    assert hits > 5000


def test_version_starts_edges():
    # a version after a no-break space, a digit of another script, an edition after a line break
    assert [m.group("name") for m in E.matches_at(E.PRODUCT_VERSION, "the Pixel\u00a0Pro and GPT٣ ship",
                                                  E.version_starts("the Pixel\u00a0Pro and GPT٣ ship"))] == ["Pixel\u00a0Pro", "GPT٣"]
    text = "o3-mini, then Galaxy\nUltra"
    assert [m.group("name") for m in E.matches_at(E.MODEL_LIKE, text, E.version_starts(text))] == ["o3-mini"]
    assert [m.group("name") for m in E.matches_at(E.PRODUCT_VERSION, text, E.version_starts(text))] == ["Galaxy\nUltra"]
    # words of small letters before a number start nothing; no version, no start
    assert E.version_starts("it rose 5% in 2025") == []
    assert E.version_starts("no versions here") == []


def test_matches_at_is_finditer_from_those_starts():
    pat = re.compile(r"\bab+")
    text = "ab abbb xab ab"
    assert [m.span() for m in E.matches_at(pat, text, [0, 1, 3, 4, 9, 12])] == [m.span() for m in pat.finditer(text)]
    assert list(E.matches_at(pat, text, [])) == []


def test_ctx_after_is_found_only_before_its_three_ways_on():
    """CTX_AFTER tried at ctx_after_starts (capitals of the three words before "'s", ", a",
    "shares"/"stock") finds what finditer finds, on the examples and random texts."""
    hits = 0
    for text in texts(20000, 13):
        want = [(m.span(), m.groups()) for m in E.CTX_AFTER.finditer(text)]
        assert [(m.span(), m.groups()) for m in E.matches_at(E.CTX_AFTER, text, E.ctx_after_starts(text))] == want, text
        hits += len(want)
    assert hits > 300
    # a name of three words, one after a line break (not part of it), one of a dotted word
    text = "Big Blue Quorra Labs’s board met.\nAcme\u00a0Robotics shares rose; the unit of Ab.Cd, a startup, grew"
    assert [m.group("name") for m in E.matches_at(E.CTX_AFTER, text, E.ctx_after_starts(text))] == \
        [m.group("name") for m in E.CTX_AFTER.finditer(text)] == ["Blue Quorra Labs", "Acme\u00a0Robotics", "Ab.Cd"]
