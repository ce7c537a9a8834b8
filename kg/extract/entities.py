"""Entity mentions: the gazetteer ruler, the statistical NER when installed, and rules for
unknown names in both modes (org-suffixed capitalized names, "CEO Jane Doe", a name
followed by a ticker in parentheses)."""
from __future__ import annotations

import re
from typing import Optional

from ..model import Mention
from ..nlp import GAZETTEER_SPANS
from .._cjk import Bilingual, fold, has_cjk, may_contain, raw_keys

MODEL_LABELS = {"ORG": "Organization", "PERSON": "Person", "GPE": "Place", "LOC": "Place",
                "PRODUCT": "Product"}
ORG_SUFFIX = r"(?:Inc\.?|Corp\.?|Corporation|Ltd\.?|LLC|PLC|plc|Group|Holdings|Technologies|Systems|Labs|AI|Capital|Partners|Ventures|Bank|Motors|Robotics|Semiconductor|Networks|Therapeutics|Software|Bio|Biosciences|Pharmaceuticals|Payments|Health|Energy|Security)"
CAP = r"[A-Z][A-Za-z0-9&'’]*(?:-[A-Z][A-Za-z0-9&'’]*)*"
# 1 to 4 capitalized words. Written capital-first, the word boundary checked after it
# ("(?<!\w.)": no word character before the capital), rather than as "\b(?:CAP\s+){0,3}CAP":
# the same matches, but `re` then skips to the capitals instead of trying every position
# (names stay inside one line: a line break is a block's end, "Fund IV\n\nJuniper Ridge …")
NAME = r"[A-Z](?<!\w.)[A-Za-z0-9&'’]*(?:-[A-Z][A-Za-z0-9&'’]*)*(?:[^\S\n]+" + CAP + r"){0,3}"
# NAME and CAP as the rules run them: every run possessive ("*+", "++": no giving back). A
# word of NAME is followed by a space or a "-Capital" part, neither of which a word's
# letters can be, so a word that stopped short could never go on: `re` only lost time
# trying (the same matches; tests/test_entities_fast.py checks them against the plain forms)
CAP_P = r"[A-Z][A-Za-z0-9&'’]*+(?:-[A-Z][A-Za-z0-9&'’]*+)*+"
NAME_P = r"[A-Z](?<!\w.)[A-Za-z0-9&'’]*+(?:-[A-Z][A-Za-z0-9&'’]*+)*+(?:[^\S\n]++" + CAP_P + r"){0,3}"
ORG_RULE = re.compile(r"(?P<name>" + NAME_P + r"[^\S\n]++" + ORG_SUFFIX + r")(?![A-Za-z])")
ORG_KEYS = raw_keys(ORG_RULE)  # the suffixes: a text with none of them is not scanned
TICKER_RULE = Bilingual(r"(?P<name>" + NAME_P + r")\s+\((?:(?:NYSE|NASDAQ|Nasdaq|HKEX|LSE|TSE)\s*:\s*)?(?P<ticker>[A-Z]{1,5}(?:\.[A-Z]{1,2})?)\)")
PERSON_RULE = Bilingual(r"\b(?:CEO|CFO|CTO|[Cc]hief executive|[Ff]ounder|[Cc]o-founder|[Cc]hairman|[Cc]hairwoman|President|Chair|analyst|Secretary|Governor)\s+(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z'’\-]+?){1,2})(?:['’]s)?\b")
PERSON_RULE_ZH = re.compile(r"(?:首席执行官|CEO|总裁|董事长|创始人)(?P<name>[\u4e00-\u9fff]{1,5}·[\u4e00-\u9fff]{1,6}|[\u4e00-\u9fff]{2,3})(?=[曾称表示说])")

ROLE_APPOS = re.compile(r",\s+(?:a|an|the)\s+(?:[\w’'-]+\s+){0,4}?(?:chief|officer|executive|founder|co-founder|analyst|"
                        r"economist|director|president|professor|engineer|scientist|researcher|CEO|CFO|CTO|COO)"
                        r"(?=\s*[,.;]|\s+(?:at|of|for|who|and)\b)")
PERSON_BEFORE = re.compile(r"(?<![\w’'])([A-Z][a-z]+)\s+[A-Z][a-z'’\-]+(?:\s+[A-Z][a-z'’\-]+)?$")
# unknown companies from their context (both modes): "shares of X", "X shares", "X, a
# Boston-based maker of ...", "X's chief executive", "acquire X", "X said/agreed/raised ..."
CTX_NAME = r"[A-Z](?<!\w.)[A-Za-z0-9&'’.\-]*[A-Za-z0-9](?:[^\S\n]+[A-Z][A-Za-z0-9&\-]*[A-Za-z0-9]){0,2}"
# CTX_NAME for the rules whose name a space or a comma follows (CTX_AFTER, VERB_AFTER): each
# word is its whole run, which ends in a letter or digit ("(?<=[A-Za-z0-9])" after a possessive
# run), and the name takes every word it can: a word that stopped short or a name that left
# out a next capitalized word would be followed by a character that cannot come next. The
# first word alone may end before a "'s" (CTX_AFTER's "X's chief executive"): the one
# place inside a word where that rule can go on. Same matches as CTX_NAME there, without
# `re` giving back one character at a time (tests/test_entities_fast.py)
CTX_MORE_P = r"(?:[^\S\n]++[A-Z][A-Za-z0-9&\-]++(?<=[A-Za-z0-9])){0,2}+"
CTX_NAME_P = r"[A-Z](?<!\w.)[A-Za-z0-9&'’.\-]++(?<=[A-Za-z0-9])" + CTX_MORE_P
CTX_NAME_S = (r"[A-Z](?<!\w.)(?:[A-Za-z0-9&'’.\-]++(?<=[A-Za-z0-9])|[A-Za-z0-9&'’.\-]*?[A-Za-z0-9](?=['’]s(?![A-Za-z0-9&'’.\-])))"
              + CTX_MORE_P)
CTX_BEFORE = Bilingual(r"\b(?:[Ss]hares of|[Ss]tock of|acquir(?:e|es|ed|ing)|to buy|bought|takeover of|"
                        r"acquisition of|merger with|investment in|invest(?:s|ed)? in|stake in|backed|"
                        r"partner(?:ed|s|ing)? with|deal with|rival|startup|start-up|fintech|chipmaker|lender|"
                        r"provider|unicorn|led by|backed by|backers|participation from|[Ll]ead investors?:)\s+(?P<name>" + CTX_NAME + r")(?![\w’'])")
CTX_AFTER = re.compile(r"(?P<name>" + CTX_NAME_S + r")(?:['’]s\s+(?:[a-z][\w-]*\s+){0,2}(?:chief executive|CEO|CFO|founder|co-founder|shares|stock|board|valuation|revenue|IPO|offer|deal|stake|investors|customers|users|platform|app|business|unit|parent)\b|"
                       r",\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?(?:[\w-]+-based|startup|start-up|company|firm|chipmaker|maker|"
                       r"developer|provider|lender|fintech|insurer|retailer|manufacturer|operator)\b(?![’'-])|"
                       r"\s+(?:shares|stock)\s+(?:rose|fell|jumped|slid|surged|sank|climbed|dropped|tumbled|soared|rallied|gained|plunged|rocketed|popped)\b)")
CTX_AFTER_KEYS = raw_keys(CTX_AFTER)
# the characters of a CTX_AFTER name: its words' (CTX_NAME_S) and the spaces between them
_COMMA_ARTICLE = re.compile(r",\s+(?:a|an|the)\s")
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789&'’.-")


def ctx_after_starts(text: str) -> list[int]:
    """Where CTX_AFTER can match, ascending. Its name ends right before "'s", a comma, or
    the spaces before "shares"/"stock" (what its three ways go on with), so it starts at a
    capital of the (at most three) words of name characters, spaces between them (not line
    breaks), that end there."""
    ends = set()
    for lit in ("’s", "'s"):
        i = text.find(lit)
        while i != -1:
            if text[i + 2:i + 3].isspace():
                ends.add(i)
            i = text.find(lit, i + 1)
    i = text.find(",")
    while i != -1:
        if _COMMA_ARTICLE.match(text, i):
            ends.add(i)
        i = text.find(",", i + 1)
    for lit in ("shares", "stock"):
        i = text.find(lit)
        while i != -1:
            e = i
            while e and text[e - 1].isspace():
                e -= 1
            if e < i:
                ends.add(e)
            i = text.find(lit, i + 1)
    starts = set()
    for e in ends:  # back over at most three words (CTX_NAME_S has one to three)
        i, words = e, 0
        while i and words < 3:
            if text[i - 1] in _NAME_CHARS:
                i -= 1
                if "A" <= text[i] <= "Z":
                    starts.add(i)
                if not (i and text[i - 1] in _NAME_CHARS):
                    words += 1
            elif text[i - 1] != "\n" and text[i - 1].isspace():
                i -= 1
            else:
                break
    return sorted(starts)
AND_NAME = re.compile(r"\s+(?:and|&)\s+(?P<name>" + CTX_NAME + r")(?![\w’'])")
VERB_AFTER = re.compile(r"(?P<name>" + CTX_NAME_P + r")\s+(?:said|says|told|reported|reports|agreed|agrees|announced|announces|"
                        r"raised|raises|plans|planned|filed|launched|launches|unveiled|unveils|priced|expects|expected|"
                        r"posted|forecast|forecasts|warned|struck|signed|secured|closed|debuted|is cutting|will|is|was|has|had|"
                        r"now|also|plans|wants|aims|hopes|makes|sells|runs|operates|owns|rose|fell|jumped|slid|surged)\b")
# a product family's name with a version or edition after it: "Claude 3.7 Sonnet",
# "iPhone 17 Pro Max", "GPT-4.5", "o3-mini", "Alexa+", "Xeon 6+"; and model-like names of
# letters and digits ("MI450", "Phi-4-mini", "H800")
EDITIONS = ["Pro", "Max", "Ultra", "Air", "Mini", "Plus", "Lite", "Nano", "Sonnet", "Opus", "Haiku", "Flash", "Turbo"]
VARIANTS = ["mini", "nano", "pro", "turbo", "preview", "multimodal", "instruct", "large", "small"]
VERSION = (r"(?:[-\s]?\d+(?:\.\d+)*[A-Za-z]?\+?(?![\d%,])(?!\s*(?:million|billion|trillion|thousand|percent|%|bn|mn)\b)"
           r"|\s(?:" + "|".join(EDITIONS) + r"|Series\s\d+)\b|-(?:" + "|".join(VARIANTS) + r")\b|\+)")
# (both start with a letter and check what is before it after it, as NAME does: "[A-Za-z](?<!\w.)"
# is "\b[A-Za-z]", and "(?<=[A-Z])" then tells which way the name goes on: the same matches as
# "\b(?:[A-Z][a-z]+|[a-z][A-Z][A-Za-z]*|[A-Z]{2,5})" and "(?<![\w$€£¥.])(?:[A-Z][A-Za-z]{0,6}|[a-z])",
# the forms tests/test_cjk.py checks them against, but `re` skips to letters)
PRODUCT_VERSION = re.compile(r"(?P<name>[A-Za-z](?<!\w.)(?:(?<=[A-Z])[a-z]+|(?<=[a-z])[A-Z][A-Za-z]*|(?<=[A-Z])[A-Z]{1,4})"
                             + VERSION + r"+)")
MODEL_LIKE = re.compile(r"(?P<name>[A-Za-z](?<![\w$€£¥.].)(?:(?<=[A-Z])[A-Za-z]{0,6}|(?<=[a-z]))-?\d+(?:\.\d+)?[A-Za-z]?"
                        r"(?:-(?:mini|nano|pro|turbo|multimodal|preview|[A-Z]?\d+[a-z]?))*\+?)(?![\w%])")


# Where PRODUCT_VERSION and MODEL_LIKE may start. `re` tries a rule that begins with a letter
# at every letter of the text, which made these two a third of the entity rules' time; a
# version is rarer: `version_starts` finds the words a version follows, and `matches_at`
# tries the rules there only.
def matches_at(pattern: re.Pattern, text: str, starts):
    """pattern.finditer(text), for a pattern whose matches (never empty) all start at one of
    `starts` (ascending): the pattern tried at each start that no match found covers, as
    finditer tries every position after the last match (`match` at a position sees what is
    before it, as `search` does, for the word boundary and lookbehinds)."""
    end = 0
    for p in starts:
        if p >= end:
            m = pattern.match(text, p)
            if m is not None:
                end = m.end()
                yield m


# where a version starts right after a word's letters (see VERSION): a digit or "+" after a
# letter, a digit after a letter and a hyphen or a space, "-mini" ..., " Pro" .... Written to
# start with one class of characters, so that `re` skips to them: ASCII digits, "+", "-",
# the editions' capitals, and every non-ASCII character (a digit of another script is a
# "\d" too; checking "\d" itself at every character costs more). A match with its group set
# is one character after the version's start (the digit after "-", the edition after the space)
_EDITIONS_BY_CAPITAL: dict[str, list[str]] = {}
for _w in EDITIONS + ["Series"]:
    _EDITIONS_BY_CAPITAL.setdefault(_w[0], []).append(_w[1:])
VERSION_AT = re.compile(r"[0-9+\-" + "".join(_EDITIONS_BY_CAPITAL) + r"\x80-\U0010ffff]"
                        r"(?:(?<=[A-Za-z].)(?:(?<=[\d+])|(?<=-)(?=" + "|".join(VARIANTS) + r"))"
                        r"|(?<=[A-Za-z][-\s].)(?:(?<=\d)|" + "|".join(r"(?<=" + c + r")(?=" + "|".join(rest) + r")"
                                                                  for c, rest in _EDITIONS_BY_CAPITAL.items()) + r")())")
_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LETTERS = _CAPITALS | frozenset("abcdefghijklmnopqrstuvwxyz")


def version_starts(text: str) -> list[int]:
    """Where PRODUCT_VERSION and MODEL_LIKE can match, ascending: both start a word of ASCII
    letters (no word character before it) that a version follows right after its last letter
    (MODEL_LIKE's "-?\d" is one), so at the start of the letters before each VERSION_AT."""
    out: list[int] = []
    for m in VERSION_AT.finditer(text):
        p = m.start() - 1 - (m.lastindex is not None)  # the word's last letter
        q = p + 1
        while p and text[p - 1] in _LETTERS:
            p -= 1
        # both names have a capital as their first or second letter, but for MODEL_LIKE's
        # one lowercase letter before its number ("o3"): a word of small letters is no start
        if (text[p] in _CAPITALS or text[p + 1] in _CAPITALS or q == p + 1) and (not out or out[-1] != p):
            out.append(p)
    return out


NOT_PRODUCT = re.compile(r"(?:Q[1-4]|H[12]|G\d+|B2[BC]|FY\d*|[A-Z]\d?|COVID-19|No\d*|Series|Level|Stage|Phase|Tier|Class|Section|Chapter|Page|Vol|Part|Article|Round|Top|Group|Step|Day|Week|Year|Gen|Version|Model|Type|Level|I|Route|Highway|Apollo)(?:[\s-]?\d+)?", re.I)

# after a sentence-initial word, verbs that only a company does ("Chime reported ...")
BUSINESS_VERB = re.compile(r"\s+(?:reported|agreed|raised|priced|filed|posted|secured|struck|signed|debuted|launched|unveiled|is cutting)\b")
# sentence-initial words that are not names (beyond NOT_ORG_WORDS): determiners, adverbs
COMMON_STARTS = {"the", "a", "an", "this", "that", "it", "he", "she", "they", "we", "there", "here", "what",
                 "revenue", "profit", "demand", "growth", "inflation", "spending", "trading", "output", "everyone",
                 "nobody", "someone", "management", "leadership", "competition", "pricing", "supply", "production"}
# verbs a Title Case headline puts between two names ("X Acquires Payments Firm Y", "X To Buy Y")
HEADLINE_VERBS = {"buy", "buys", "acquire", "acquires", "raise", "raises", "land", "lands", "secure", "secures",
                  "sell", "sells", "file", "files", "launch", "launches", "unveil", "unveils", "sue", "sues", "cut",
                  "cuts", "hire", "hires", "merge", "merges", "beat", "beats", "miss", "misses", "debut", "debuts",
                  "ink", "inks", "slash", "slashes", "to", "will", "and", "plans", "agrees", "backs", "invests",
                  "partners", "wins", "loses", "joins", "picks", "taps", "names", "says", "sees", "gets"}
ARM = re.compile(r"(?P<name>[A-Z][A-Za-z0-9&.\-]*(?:\s+[A-Z][A-Za-z0-9&.\-]*)?\s+(?:Ventures|Investments|Capital|Cloud|Research|Foundation))\b")
ARM_WORDS = ("Ventures", "Investments", "Capital", "Cloud", "Research", "Foundation")
MAKER_OF = re.compile(r"\b(?:maker|makers|developer|creator|seller)\s+of\s+(?:the\s+)?(?P<a>[A-Z][A-Za-z0-9+\-]+)(?:,?\s+and\s+(?P<b>[A-Z][A-Za-z0-9+\-]+))?")
MAKER_KEYS = raw_keys(MAKER_OF)  # its nouns: a text with none of them is not scanned
SPEECH = re.compile(r"\s+(?:said|says|told|wrote|writes|added|noted|will)\b")

# capitalized words that start sentences or name things other than companies
NOT_ORG_WORDS = {"Revenue", "Sales", "Shares", "Stocks", "Investors", "Analysts", "Officials", "Regulators",
                 "Traders", "Executives", "Lawmakers", "Economists", "Markets", "Prices", "Profit", "Earnings",
                 "Demand", "Growth", "Spending", "Customers", "Users", "Employees", "Workers", "Banks",
                 "Companies", "Startups", "He", "She", "It", "They", "We", "You", "I", "Its", "This", "That",
                 "These", "Those", "There", "Here", "What", "Which", "Who", "Why", "How", "When", "Where",
                 "Some", "Many", "Most", "Both", "All", "Each", "Other", "Others", "One", "Two", "Three",
                 "Management", "Bitcoin", "Gold", "Oil", "Treasury", "Treasuries", "Wall", "Street",
                 "Congress", "Washington", "Beijing", "Europe", "China", "Japan", "Korea", "India", "Taiwan",
                 "Meanwhile", "However", "Still", "Also", "And", "But", "So", "Then", "Now", "Today",
                 "Yesterday", "Last", "Next", "After", "Before", "While", "If", "As", "In", "On", "At", "For",
                 "By", "With", "From", "To", "Of", "Under", "Over", "Chief", "Officials", "Government",
                 "Trump", "Biden", "President", "Administration", "Fed", "Parliament", "Court", "Judge"}

# words the statistical model likes to call an entity in this genre but that are not
STOP = {"ai", "capex", "ceo", "cfo", "eps", "yoy", "qoq", "ipo", "etf", "gpu", "gpus", "llm", "llms",
        "us tech", "tech", "big tech", "fed", "street", "the street", "roi", "vc", "saas", "api",
        "q1", "q2", "q3", "q4", "h1", "h2", "usd", "gdp", "cpi", "hbm"}
# adjectives and sentence words that start a capitalized phrase but not a name
NOT_NAMES = {"Chinese", "American", "US", "U.S.", "European", "Japanese", "Korean", "Indian", "British",
             "German", "French", "Global", "Asian", "Western", "Big", "Generative", "Open", "New", "Taiwanese",
             "The", "A", "An", "Its", "Their", "Our", "This", "That", "Sovereign", "Public", "Private", "Agentic",
             "January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}
# a model span that begins or ends with these is a phrase, not a name
BAD_EDGE = re.compile(r"^(?:the|a|an|this|that|these|its|their|our|new|fresh|\W)\b|['’]s$", re.I)


# the patterns of the functions below, compiled once (re's cache costs a lookup per call)
_LATIN = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")
_COLON_OR_DASH = re.compile(r"\s[-–—:]\s|[:：]")
_POSSESSIVE_END = re.compile(r"['’]s?$")
_PLURAL_NUMBER = re.compile(r"\ds$")
_VERSION_MARK = re.compile(r"\d|\+|Pro|Max|Ultra|Air|Mini|Plus|Sonnet|Opus|mini")
_WORD_NUMBER = re.compile(r"[A-Z][a-z]+\s\d+")
_SCALE_END = re.compile(r"\d\s*(?:billion|million|trillion|bn|m|k)?\s*$")
_CAPITALIZED = re.compile(r"[A-Z][a-z]+")
_CLAUSE_END = re.compile(r"[.!?:;–—\-]$")


def _ok_model_span(text: str, label: str) -> bool:
    t = text.strip()
    if len(t) < 2 or t.casefold() in STOP or not _LATIN.search(t):
        return False
    if not t[0].isupper():
        return False
    if label == "Person" and len(t.split()) < 2:
        return False
    if _DIGIT.search(t) and label != "Product":
        return False
    if BAD_EDGE.search(t) or _COLON_OR_DASH.search(t):
        return False
    if t.isupper() and len(t) <= 4 and label != "Organization":
        return False
    # an unknown all-capitals abbreviation ("IP", "CPU", "SPV") is rarely a company
    if t.isupper() and len(t) <= 3:
        return False
    if t in NOT_NAMES or t in NOT_ORG_WORDS:
        return False
    return True


def _latin_boundary_ok(text: str, s: int, e: int) -> bool:
    """In Chinese text (character tokens) a Latin alias must not sit inside a longer Latin
    word: 'Meta' must not match inside 'Metaculus'."""
    if s > 0 and text[s].isascii() and text[s].isalnum() and text[s - 1].isascii() and text[s - 1].isalnum():
        return False
    if e < len(text) and text[e - 1].isascii() and text[e - 1].isalnum() and text[e].isascii() and text[e].isalnum():
        return False
    return True


# "US$31.8", "EUR 240 million", "in U.S. dollars", "per US dollar": the currency is the unit
_CURRENCY_BEFORE_AMOUNT = re.compile(r"\s?\$?\s?\d")
_UNIT_PREP = re.compile(r"\b(?:in|per|of|into)\s+(?:the\s+|a\s+)?(?:U\.?S\.?\s+|New\s+)?$", re.I)
_CURRENCY_WORD = re.compile(r"dollar|yuan|renminbi|euro|yen|pound|won|rupee|franc|^(?:USD|EUR|TWD|CNY|JPY|HKD|GBP|KRW|RMB|CNH)$|\$", re.I)
_AMOUNT_BEFORE = re.compile(r"(?:\d|[亿万千百十两元]|\d\s)$")


def _is_currency_unit(text: str, s: int) -> bool:
    """'美元' in '375亿美元', 'dollars' in '12 billion dollars': a unit, not the currency
    as a subject of the news."""
    before = text[max(0, s - 12):s]
    return bool(_AMOUNT_BEFORE.search(before) or _SCALE_END.search(before))


def _ambiguous_initial(text: str, s: int, span: str) -> bool:
    """A single capitalized word that starts a sentence ("Foundry budgets keep climbing") is
    a name only if the text also capitalizes it elsewhere, mid-sentence."""
    if " " in span or span.isupper() or not _CAPITALIZED.fullmatch(span):
        return False
    before = text[:s].rstrip()
    if before and not _CLAUSE_END.search(before):
        return False
    for m in re.finditer(r"\b" + re.escape(span) + r"\b", text):
        b = text[:m.start()].rstrip()
        if m.start() != s and b and not _CLAUSE_END.search(b):
            return False
    return True


def entity_spans(doc) -> list[tuple[int, int, str, Optional[str]]]:
    """(start char, end char, label, gazetteer id or None) of the gazetteer's names and of
    the model's entities that none of them overlaps, in text order."""
    gaz = doc.user_data.get(GAZETTEER_SPANS, ())
    spans = list(gaz)
    for ent in doc.ents:
        s, e = ent.start_char, ent.end_char
        for gs, ge, _, _ in gaz:  # a loop, not any() over a generator: a third of this function's time
            if s < ge and gs < e:
                break
        else:
            spans.append((s, e, ent.label_, None))
    spans.sort()
    return spans


def mentions_from_doc(doc, lang: str, offset: int, text: Optional[str] = None) -> list[Mention]:
    """Gazetteer spans, model spans (when a model ran) and rule spans; a gazetteer span
    replaces the model spans it overlaps, and precise rule spans replace the model spans
    they overlap. `text` is doc.text when the caller has it (doc.text and span.text
    rebuild strings token by token)."""
    if text is None:
        text = doc.text
    out: list[Mention] = []
    for s, e, label, ent_id in entity_spans(doc):
        if ent_id is not None:
            if lang == "zh" and not _latin_boundary_ok(text, s, e):
                continue
            if label == "Asset" and (_is_currency_unit(text, s) or (
                    _CURRENCY_BEFORE_AMOUNT.match(text, e) or _UNIT_PREP.search(text, max(0, s - 16), s))
                    and _CURRENCY_WORD.search(text[s:e])):
                continue
            out.append(Mention(text=text[s:e], start=offset + s, end=offset + e, type=label,
                               source="gazetteer", entity_id=ent_id))
        elif label in MODEL_LABELS:
            label = MODEL_LABELS[label]
            span_text = text[s:e]
            # trim a possessive: "Meta’s" -> "Meta"
            m = _POSSESSIVE_END.search(span_text)
            if m:
                span_text = span_text[: m.start()]
                e = s + len(span_text)
            # a span across a line break ends at it: the next line is another block
            if "\n" in span_text:
                span_text = span_text[: span_text.index("\n")].rstrip()
                e = s + len(span_text)
            # a span that stops inside a word ("GPT" of "GPT-4.5") is a piece of a name
            inside = e < len(text) and (text[e].isalnum() or (text[e] == "-" and text[e + 1:e + 2].isalnum()))
            if not inside and _ok_model_span(span_text, label) and not _ambiguous_initial(text, s, span_text):
                out.append(Mention(text=span_text, start=offset + s, end=offset + e, type=label,
                                   source="model"))
    keep = [m for m in out if m.source != "model"]
    rules = rule_mentions(text, lang, offset, keep)
    rs = [(r.start, r.end) for r in rules]
    if rs:  # the model spans that no rule span overlaps (a loop, not any() over a generator)
        model = []
        for m in out:
            if m.source == "model":
                for s, e in rs:
                    if m.start < e and s < m.end:
                        break
                else:
                    model.append(m)
    else:
        model = [m for m in out if m.source == "model"]
    out = keep + model + rules
    out.sort(key=lambda m: (m.start, -m.end))
    return out


def rule_mentions(text: str, lang: str, offset: int, existing: list[Mention]) -> list[Mention]:
    """Unknown names found by rules (used when no statistical model is installed)."""
    taken = [(m.start - offset, m.end - offset) for m in existing]
    found: list[Mention] = []

    def add(s: int, e: int, typ: str):
        if any(s < te and ts < e for ts, te in taken):
            return
        name = text[s:e]
        if name.casefold() in STOP:
            return
        taken.append((s, e))
        found.append(Mention(text=name, start=offset + s, end=offset + e, type=typ, source="rule"))

    if lang == "zh":
        for m in PERSON_RULE_ZH.finditer(text):
            add(m.start("name"), m.end("name"), "Person")
        from . import zh
        return found + zh.rule_mentions(text, offset, existing + found)
    folded, cjk = fold(text), has_cjk(text)
    for m in TICKER_RULE.scan(text, folded, cjk):
        s = m.start("name")
        # drop a leading sentence word: "Shares of Arm Holdings (ARM)" -> "Arm Holdings"
        words = m.group("name").split()
        while len(words) > 1 and words[0] in ("The", "Shares", "Shares of", "Chipmaker", "Rival", "Startup"):
            s += len(words[0]) + 1
            words = words[1:]
        add(s, m.end("name"), "Organization")
    for m in (ORG_RULE.finditer(text) if may_contain(text, ORG_KEYS) else ()):
        s = m.start("name")
        words = m.group("name").split()
        if words[0] in NOT_NAMES or (len(words) == 2 and words[0].casefold() in STOP):
            continue
        while len(words) > 2 and (words[0] in ("The", "A", "An", "Startup", "Rival") or words[0].endswith(("’s", "'s"))):
            s += len(words[0]) + 1
            words = words[1:]
        # a Title Case headline's verb is no part of a name: "Quorra Acquires Payments Firm …"
        verb = max((i for i, w in enumerate(words[:-1]) if w.lower() in HEADLINE_VERBS), default=-1)
        if verb >= 0:
            if len(words) - verb - 1 < 2:
                continue
            s += len(" ".join(words[:verb + 1])) + 1
            words = words[verb + 1:]
        add(s, m.end("name"), "Organization")
    for m in PERSON_RULE.scan(text, folded, cjk):
        add(m.start("name"), m.end("name"), "Person")
    # "Sarah Okafor, a former product chief at Stripe,": a person's name before its role
    for m in (ROLE_APPOS.finditer(text) if ", " in text else ()):
        n = PERSON_BEFORE.search(text, max(0, m.start() - 40), m.start())
        if n and n.group(1) not in NOT_NAMES and n.group(1) not in NOT_ORG_WORDS:
            add(n.start(), n.end(), "Person")
    # versioned products replace the family's bare name ("iPhone" in "iPhone 17 Pro")
    prods = []
    starts = version_starts(text)
    for pat in (PRODUCT_VERSION, MODEL_LIKE):
        for m in matches_at(pat, text, starts):
            s, e = m.span("name")
            name = text[s:e].strip()
            if _PLURAL_NUMBER.search(name):  # "H800s": the plural of a product name
                name = name[:-1]
            s = s + (len(text[s:e]) - len(text[s:e].lstrip()))
            e = s + len(name)
            if NOT_PRODUCT.fullmatch(name) or not _VERSION_MARK.search(name) \
                    or _WORD_NUMBER.fullmatch(name) and not any(x.start - offset == s and x.type in ("Product", "Organization") for x in existing):
                continue
            if any(p0 <= s and e <= p1 for p0, p1 in prods):
                continue
            prods.append((s, e))
    for s, e in prods:
        over = [x for x in existing if x.start - offset < e and s < x.end - offset]
        if over and not all(x.type in ("Product", "Organization") and s <= x.start - offset and x.end - offset <= e
                            and (x.end - x.start) < e - s for x in over):
            continue
        for x in over:
            existing.remove(x)
            if (x.start - offset, x.end - offset) in taken:
                taken.remove((x.start - offset, x.end - offset))
        add(s, e, "Product")
    # a known company's arm: "Salesforce Ventures", "Cisco Investments" replace "Salesforce"
    for m in (ARM.finditer(text) if any(w in text for w in ARM_WORDS) else ()):
        s, e = m.span("name")
        over = [x for x in existing if x.start - offset == s and x.end - offset < e and x.type == "Organization"]
        if over and not any(x.start - offset < e and s < x.end - offset for x in existing if x not in over):
            for x in over:
                existing.remove(x)
                taken.remove((x.start - offset, x.end - offset)) if (x.start - offset, x.end - offset) in taken else None
            add(s, e, "Organization")
    # what a company makes: "the maker of Ozempic and Wegovy"
    for m in (MAKER_OF.finditer(text) if " of " in text and may_contain(text, MAKER_KEYS) else ()):
        for g in ("a", "b"):
            if m.group(g) and m.group(g) not in NOT_NAMES and m.group(g) not in NOT_ORG_WORDS:
                add(m.start(g), m.end(g), "Product")
    surnames = {w for x in list(existing) + found if x.type == "Person" for w in x.text.split()}
    seconds = []
    for pat, matches in ((CTX_BEFORE, CTX_BEFORE.scan(text, folded, cjk)), (CTX_AFTER, matches_at(CTX_AFTER, text, ctx_after_starts(text))),
                         (VERB_AFTER, VERB_AFTER.finditer(text))):
        for m in matches:
            s, e = m.start("name"), m.end("name")
            if pat is CTX_BEFORE:
                co = AND_NAME.match(text, e)    # "backers Greylock and Kleiner Perkins"
                if co:
                    seconds.append(co.span("name"))
            words = text[s:e].split()
            # a leading sentence word ("The", "Its") or a trailing common one is not part of the name
            while words and (words[0] in NOT_NAMES or words[0] in NOT_ORG_WORDS):
                s += len(words[0]) + 1
                words = words[1:]
            if not words or any(w in NOT_ORG_WORDS or w in NOT_NAMES for w in words) or words[-1] in surnames:
                continue
            if pat is VERB_AFTER and len(words) > 1 and (len(words) > 2 or SPEECH.match(text, s + len(" ".join(words)))):
                continue  # "Jane Doe said": two words before a verb of speech may be a person; the model's call
            if len(words) == 1 and pat is VERB_AFTER and not _is_name_like(words[0]) and (
                    words[0].endswith("s") or words[0].lower() in COMMON_STARTS
                    or (_ambiguous_initial(text, s, words[0]) and not BUSINESS_VERB.match(text, e))):
                continue
            add(s, s + len(" ".join(words)), "Organization")
    for s, e in seconds:
        words = text[s:e].split()
        if not any(w in NOT_ORG_WORDS or w in NOT_NAMES or w in surnames for w in words):
            add(s, e, "Organization")
    return found


def _is_name_like(w: str) -> bool:
    """A word that no sentence starts with: inner capitals or digits ("CoreWeave", "xAI", "3M"),
    or letters English words seldom end in."""
    return bool(_INNER_CAPITALS.search(w[1:]) or _RARE_END.search(w))


_INNER_CAPITALS = re.compile(r"[A-Z].*[A-Z]|\d")
_RARE_END = re.compile(r"(?:[^aeiouy]{3}|[kvxzq]|ut|ius)$")
