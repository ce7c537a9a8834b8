"""Figures: every number with its unit, currency, sign/direction and qualifiers.

English: `$37.5B`, `$5,500`, `37.5 billion dollars`, `€2bn`, `12%`, `up 66% YoY`, `+2.6%`,
`EPS $4.14 vs $3.93`, `3.5%–3.75%`, `1,200 jobs`. Chinese: `375亿美元`, `6500亿美元`,
`同比激增66%`, `恒生指数+2.6%`, `4.14美元 vs 3.93美元`, `3.5%-3.75%`.

This module finds the figures and what they measure; `subject` is assigned by the caller
(it needs the entity mentions).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from decimal import Decimal, InvalidOperation
from typing import Optional

from ..model import MetricMention
from ._bounds import MARGIN, Bounds
from .._cjk import CJK, Bilingual, lead_literal, lower_source, fold, folds_in_place, has_cjk, top_level_alternatives
from . import zh

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


def num_first(not_after: str = "") -> str:
    """NUM written to start with its first digit, and the lookbehind `(?<!not_after)` that
    a pattern would put before it checked after that digit: the same matches, but a pattern
    that starts with it lets `re` skip straight to digits (half the time on item texts)."""
    look = f"(?<!{not_after}\\d)" if not_after else ""
    return r"\d" + look + r"(?:\d{0,2}(?:,\d{3})+(?:\.\d+)?|\d*(?:\.\d+)?)"


SCALE_EN = {"trillion": 10**12, "tn": 10**12, "t": 10**12, "billion": 10**9, "bn": 10**9,
            "b": 10**9, "million": 10**6, "mn": 10**6, "mm": 10**6, "m": 10**6,
            "thousand": 10**3, "k": 10**3}
SCALE_ZH = {"万亿": 10**12, "千亿": 10**11, "亿": 10**8, "千万": 10**7, "百万": 10**6,
            "万": 10**4, "千": 10**3}
CUR_SYMBOL = {"$": "USD", "US$": "USD", "USD": "USD", "€": "EUR", "EUR": "EUR", "£": "GBP",
              "GBP": "GBP", "¥": "JPY", "JPY": "JPY", "RMB": "CNY", "CNY": "CNY", "HK$": "HKD",
              "HKD": "HKD", "C$": "CAD", "A$": "AUD", "₹": "INR", "NT$": "TWD", "TWD": "TWD", "₩": "KRW",
              "KRW": "KRW", "S$": "SGD", "R$": "BRL", "CHF": "CHF", "INR": "INR"}
CUR_WORD_EN = {"dollars": "USD", "dollar": "USD", "usd": "USD", "euros": "EUR", "euro": "EUR",
               "eur": "EUR", "pounds": "GBP", "yen": "JPY", "yuan": "CNY", "renminbi": "CNY",
               "rmb": "CNY", "won": "KRW", "rupees": "INR"}
CUR_ZH = {"美元": "USD", "美金": "USD", "欧元": "EUR", "英镑": "GBP", "日元": "JPY", "港元": "HKD",
          "港币": "HKD", "人民币": "CNY", "元": "CNY", "韩元": "KRW"}
COUNT_NOUNS = (r"jobs|employees|workers|staff|roles|positions|people|users|customers|subscribers|members|tokens|"
               r"cores|E-cores|P-cores|TOPS|homes|households|patients|students|"
               r"GPUs|chips|units|servers|data ?centers|shares|downloads|developers|engineers|"
               r"parameters|stores|vehicles|cars|devices|accounts|sites|locations|branches|merchants|clients|accelerators")
COUNT_ZH = r"名员工|个岗位|名|人|个|台|块|家|款|辆|万用户|用户|次|单|座|种|位|项|笔|架|颗|枚|份|户"

_scale_en = r"(?:trillion|billion|million|thousand|tn|bn|mn|mm|[BMKT])\b"
_MONEY_EN_CUR = r"US\$|HK\$|NT\$|C\$|A\$|S\$|R\$|[$€£¥₹₩]|USD|EUR|GBP|JPY|RMB|CNY|HKD|TWD|KRW|CHF|INR"
_MONEY_EN_REST = r"\s?(?P<num>" + NUM + r")(?:\s?(?P<scale>" + _scale_en + r"))?(?P<plus>\+)?"
MONEY_EN = Bilingual(r"(?P<sign>[+\-−])?(?P<cur>" + _MONEY_EN_CUR + ")" + _MONEY_EN_REST)


def _literal_symbols(src: str) -> str:
    """`[$€£¥₹₩]` among a pattern's currency alternatives written as one alternative a symbol
    (the same matches: they are single characters): every alternative then starts with a
    literal, which lets `re` skip to the characters that can start one."""
    assert src.count("[$€£¥₹₩]") == 1
    return src.replace("[$€£¥₹₩]", r"\$|€|£|¥|₹|₩")


# MONEY_EN without its sign, starting at the currency (`re` skips to those): see signed_money
MONEY_EN_UNSIGNED = re.compile(r"(?P<cur>" + _literal_symbols(_MONEY_EN_CUR) + ")" + _MONEY_EN_REST)
MONEY_WORD_EN = Bilingual(
    r"(?P<num>" + num_first(r"[\w$€£¥.]") + r")(?:\s?(?P<scale>" + _scale_en + r"))?\s+(?:US\s+)?(?P<curw>dollars?|euros?|pounds|yen|yuan|renminbi|won|rupees)\b",
    re.I)
PERCENT = re.compile(
    r"(?P<sign>[+\-−])?(?P<num>" + NUM + r")\s?(?:%|％|\s(?:percent|per cent|pct)\b|\s?个百分点|\s(?:percentage points?|pp)\b)")
# PERCENT without its sign, starting at the digit (`re` skips to digits): see signed_percents
PERCENT_UNSIGNED = re.compile(r"(?P<num>" + num_first() + r")\s?(?:%|％|\s(?:percent|per cent|pct)\b|\s?个百分点|"
                              r"\s(?:percentage points?|pp)\b)")
SIGNS = "+-−"


def signed_percents(text: str):
    """(start, end, sign or None, number) of PERCENT's matches in `text`. PERCENT matches at a
    sign exactly when its unsigned form matches at the digit after it, and no match ends in a
    sign, so a sign right before an unsigned match is that match's (tested against PERCENT)."""
    for m in PERCENT_UNSIGNED.finditer(text):
        s = m.start()
        sign = text[s - 1] if s and text[s - 1] in SIGNS else None
        yield (s - 1 if sign else s), m.end(), sign, m.group("num")


def signed_money(text: str):
    """(start, end, sign or None, match of MONEY_EN_UNSIGNED) of MONEY_EN's matches in `text`.
    MONEY_EN matches at a sign exactly when its unsigned form matches at the character after
    it, so a sign right before an unsigned match is that match's, unless the match before took
    it (a match may end in "+": "$5B+$1B")."""
    taken = 0
    for m in MONEY_EN_UNSIGNED.finditer(text):
        s = m.start()
        sign = text[s - 1] if s > taken and text[s - 1] in SIGNS else None
        taken = m.end()
        yield (s - 1 if sign else s), taken, sign, m
# "$40–45 billion", "US$31.8–33.0 billion", "$50 billion to $55 billion": two bounds, the
# second's scale (and the first's currency) applied to both
MONEY_RANGE = Bilingual(
    r"(?P<cur>" + _literal_symbols(r"US\$|HK\$|NT\$|C\$|A\$|S\$|[$€£¥₹₩]") + r")\s?(?P<a>" + NUM + r")(?:\s?(?P<sa>" + _scale_en + r"))?\s?(?:[–—\-]|to)\s?"
    r"(?:US\$|HK\$|NT\$|C\$|A\$|S\$|[$€£¥₹₩])?\s?(?P<b>" + NUM + r")(?:\s?(?P<sb>" + _scale_en + r"))?")
# "89 cents", "a penny", "a nickel"
CENTS = Bilingual(r"(?:(?P<num>" + num_first(r"[\w$€£¥.,]") + r")\s?(?:cents?\b|¢)|\b(?P<penny>a penny|one cent|a cent)\b)", re.I)
# CENTS's keys ("cent") are in every "percent": a match also needs, in the fold, "¢", a penny
# alternative, or a digit and at most one whitespace before "cent" (its first alternative);
# the pattern starts with its literal "c" (re skips to those), the digit checked behind it
DIGIT_CENT = re.compile(r"c(?:(?<=\dc)|(?<=\d\sc))ent")


def _may_have_cents(folded: str) -> bool:
    return "¢" in folded or "penny" in folded or "one cent" in folded or "a cent" in folded or \
        DIGIT_CENT.search(folded) is not None
# power and multiples: "4.5 gigawatts", "6 GW", "300 MW", "35 times", "35x"
UNIT_EN = re.compile(r"(?P<num>" + num_first(r"[\w$€£¥.,]") + r")(?:\s?(?P<unit>GW|MW|gigawatts?|megawatts?)\b|(?P<times>\s?x\b|\s(?:times)\b(?!\s+(?:a|per|each)\b)))")
# every match of PERCENT has one of these (folded): a text without them is not scanned
PERCENT_KEYS = ("%", "％", "percent", "per cent", "pct", "个百分点", "pp")
BPS = re.compile(r"(?P<sign>[+\-−])?(?P<num>" + num_first(r"[\w$€£¥.,]") + r")\s?(?:basis[- ]points?|bps|bp)\b", re.I)
PCT_RANGE = Bilingual(
    r"(?P<a>" + num_first() + r")\s?(?:%|％)?\s?(?:[–—\-~～]|to|至|到)\s?(?P<b>" + NUM + r")\s?(?:%|％|\s?percent\b)")
MONEY_ZH = Bilingual(
    r"(?P<sign>[+\-−])?(?P<num>" + NUM + r")\s?(?P<scale>万亿|千亿|亿|千万|百万|万|千)?\s?(?P<cur>美元|美金|欧元|英镑|日元|港元|港币|人民币|韩元|元)")
MONEY_ZH_WORD = Bilingual(
    r"(?<![\d.])(?P<pre>超过?|逾|近|约)?(?P<cn>[一二两三四五六七八九十]?)(?P<scale>万亿|千亿|百亿|亿)(?P<cur>美元|美金|欧元|英镑|日元|港元|港币|人民币|元)")
CN_DIGIT = {"": 1, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
SCALE_ZH_WORD = {"万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "亿": 10**8}
_COUNT_EN_HEAD = r"(?P<num>" + num_first(r"[\w$€£¥.,]") + r")(?:\s?(?P<scale>" + _scale_en + r"))?\s+(?:[\w-]+\s+){0,2}"
# "55万至60万辆": a count range, the noun (and the scale) said once, after the second bound
COUNT_ZH_RANGE = re.compile(r"(?P<a>" + NUM + r")(?P<sa>万亿|亿|万|千)?\s?(?:至|到)\s?(?P<b>" + NUM + r")(?P<sb>万亿|亿|万|千)?"
                            r"(?:多|余)?(?P<noun>" + COUNT_ZH + r")")
FROM_COUNT = re.compile(r",?\s+(?:up|down)\s+from\s+(?:about\s+|around\s+)?(?P<num>\d[\d,]*(?:\.\d+)?)(?![\d,.]?\d)"
                        r"(?:\s?(?P<scale>" + _scale_en + r"))?(?!\s*(?:%|percent|[$€£¥]))")
PER_DOLLAR = re.compile(r"(?<![\d.,$])(?P<num>(?:\d{1,3}(?:,\d{3})+|\d{1,5})(?:\.\d+)?)\s+(?:(?:yen|yuan|won|rupees?|pesos?|lira)\s+)?"
                        r"(?:per|to\s+the|a|against\s+the)\s+(?:US\s+|U\.S\.\s+)?dollar\b")
FX_WORD = re.compile(r"\b(?:yen|yuan|renminbi|won|rupees?|pesos?|lira)\b", re.I)
FX_CODE = {"yen": "JPY", "yuan": "CNY", "renminbi": "CNY", "won": "KRW", "rupee": "INR", "peso": "MXN", "lira": "TRY"}
COUNT_ZH_RE = Bilingual(r"(?P<num>" + num_first(r"[\d.,]") + r")\s?(?P<scale>万亿|亿|万|千)?(?:多|余)?(?P<noun>" + COUNT_ZH + r")")
VS = re.compile(r"^\s*(?:vs\.?|versus|against|compared (?:with|to)|对比|相比|对)\s*", re.I)

UP_EN = r"up|rose|rises?|rising|rall(?:y|ied|ies)|surged?|surges|soar(?:ed|s)?|jump(?:ed|s)?|climb(?:ed|s)?|gain(?:ed|s)?|spiked?|rebound(?:ed|s)?|advanced?|higher|increased?|grew|grows|boost(?:ed)?|added|popped|lifts?|lifted|raises?|raised|strengthen(?:ed|s)?"
DOWN_EN = r"down|fell|falls?|falling|drop(?:ped|s)?|plunge[ds]?|plunging|sank|sinks?|slid|slides?|slump(?:ed|s)?|tumble[ds]?|crash(?:ed|es)?|tank(?:ed|s)?|declined?|declines|lost|loses|lower|decreased?|shed|sheds|dipped|dips?|cut|cuts|slashed|plummet(?:ed|s)?|sell-off|slow(?:ed|s|ing)|cooled|eased|slip(?:ped|s)?|retreat(?:ed|s)?|weaken(?:ed|s)?"
UP_ZH = r"上涨|大涨|飙升|激增|增长|上升|走高|反弹|涨|增|升|攀升|提高|上调"
DOWN_ZH = r"放缓|暴跌|重挫|下跌|下滑|下降|走低|跌|降|减少|缩水|下挫|大跌|下调|削减|裁"
UP_RE = Bilingual(r"\b(?:" + UP_EN + r")\b|" + UP_ZH, re.I)
DOWN_RE = Bilingual(r"\b(?:" + DOWN_EN + r")\b|" + DOWN_ZH, re.I)
# (跌幅达9.5%, 涨幅为3%: the size of a move, a change, not a level)
LEVEL_RE = Bilingual(r"\b(?:to|at|of|from|reach(?:ed|es)?|hit|hits|stood at|totall?ing|put|puts)(?:\s+an?)?\s*$|(?<!幅)(?<!幅达)(?:至|到|达到?|为)\s*$", re.I)

# measure keywords, checked in the figure's clause; first match wins
MEASURE_PATTERNS: list[tuple[str, str]] = [
    ("eps", r"\bEPS\b|earnings per share|每股收益"),
    ("token_price", r"per (?:million|1M|1,000|thousand) (?:input |output )?tokens|per token"),
    ("parameters", r"\bparameters?\b|参数"),
    ("users", r"\b(?:users|customers|subscribers|members|accounts)\b|用户"),
    ("guidance", r"\bguidance\b|\boutlook\b|\bguided\b|指引"),
    ("yield", r"\byields?\b"),
    ("market_cap", r"market (?:cap|value|valuation)|市值"),
    ("capex", r"\bcap(?:ital)?[- ]?ex\b|capital expenditures?|capital spending|资本支出|资本开支"),
    ("rate", r"\brates?\b|interest|yield|利率|收益率"),
    ("valuation", r"valuation|valued at|估值"),
    ("market_cap", r"market (?:cap|value)|市值"),
    ("funding", r"\braise[sd]?\b|raising|funding|round|Series [A-F]|融资|募资"),
    ("acquisition_price", r"acquire|acquisition|buy(?:s|ing)?\b|takeover|deal|收购"),
    ("damages", r"damages|settlement|\bfined?\b|penalt(?:y|ies)|赔偿|罚款"),
    ("revenue", r"revenue|sales|营收|收入|销售额"),
    ("profit", r"profit|net income|earnings|利润|净利"),
    ("layoffs", r"\bjobs\b|layoffs?|employees|workers|staff|裁员"),
    ("growth", r"growth|增速|增长率"),
    ("investment", r"invest|build-?out|infrastructure|data cent(?:er|re)s?|spend(?:ing)?|\bbill\b|投资|投入|支出|建设"),
    ("share_price", r"\bshares?\b|\bstock\b|股价|股票"),
    ("price", r"price|ounce|per share|barrel|价格|价|盎司|每桶"),
]
MEASURES: list[tuple[str, Bilingual]] = [(k, Bilingual(p, re.I)) for k, p in MEASURE_PATTERNS]
# all measures in one pattern, for a Latin-script window: one scan, the group naming the
# measure (at one position the earlier-listed measure wins, as the tie rule says); tried only
# at the start of a word (half the time of trying every position)
MEASURES_LATIN = re.compile(r"(?<![A-Za-z])(?:" + "|".join(f"(?P<m{i}>{p})" for i, (_, p) in enumerate(MEASURE_PATTERNS)) + ")", re.I)


def _folded_alternatives(src: str) -> list[str]:
    """A measure pattern's Latin alternatives for a casefolded text, without IGNORECASE, each
    starting with a literal character (kg._cjk's rewriting, "\\beps" -> "e(?<!\\w.)ps"), and
    MEASURES_LATIN's "(?<![A-Za-z])" checked after that character where no word boundary is."""
    out = []
    for alt in top_level_alternatives(src):
        if not CJK.match(alt):
            ways = lead_literal(lower_source(alt), r"(?<![a-z].)")
            assert ways is not None, alt
            out += ways
    return out


# the lookbehinds kg._cjk.lead_literal (and _folded_alternatives) put after an alternative's
# first character; either one fails where a letter a-z is before that character
_WORD_STARTS = ("(?<!\\w.)", "(?<![a-z].)")


def by_first_character(ways: list[tuple[str, int]], tagged: bool = True) -> tuple[str, list[int]]:
    """Alternatives that each start with a literal character (kg._cjk.lead_literal's ways),
    each with a tag, as one pattern grouped by that character: "c(?:a…|b…)|e(?:…)". At a
    position only the alternatives that start with its character can match, so the ones with
    another first character can go anywhere: the pattern finds the same matches as the ways
    joined in their order, but `re` tries the ways of one character only (an alternation tries
    every alternative in turn). Where every way of a character starts a word (one of
    _WORD_STARTS after the character), that lookbehind, or "(?<![a-z].)" when they differ
    (each of them fails where it does), is checked once after the character: inside a word
    the try ends at once. Each run of ways with the same tag
    is a capturing group (`tagged`; else a group that captures nothing); returns the pattern
    and the tag of each group (a match's `lastindex`: the ways have no groups of their own)."""
    chars: dict[str, list[tuple[str, int]]] = {}
    for way, tag in ways:
        assert way[0] not in "\\()[].^$*+?{}|" and way[1:2] not in ("?", "*", "+", "{"), way  # a literal character
        chars.setdefault(way[0], []).append((way[1:], tag))
    out, tags = [], [0]
    for c, rests in chars.items():
        check = next((w for w in _WORD_STARTS if all(r.startswith(w) for r, _ in rests)), None) or \
            ("(?<![a-z].)" if all(r.startswith(_WORD_STARTS) for r, _ in rests) else "")
        if check:  # (the same check again right after it: once is enough)
            rests = [(r[len(check):] if r.startswith(check) else r, tag) for r, tag in rests]
        runs: list[tuple[list[str], int]] = []
        for rest, tag in rests:
            if runs and runs[-1][1] == tag:
                runs[-1][0].append(rest)
            else:
                runs.append(([rest], tag))
        group = "(" if tagged else "(?:"
        out.append(re.escape(c) + check + "(?:" + "|".join(group + "|".join(run) + ")" for run, _ in runs) + ")")
        tags += [tag for _, tag in runs]
    return "|".join(out), tags


# the same on a casefolded window as MEASURES_LATIN on the window (see _measure_hits): its
# Latin alternatives (each starts with a literal, so `re` skips to the characters that can start
# one) grouped by first character, a group per measure (see by_first_character)
_quick, MEASURE_OF_GROUP = by_first_character(
    [(a, rank) for rank, (_, p) in enumerate(MEASURE_PATTERNS) for a in _folded_alternatives(p)])
MEASURES_QUICK = re.compile(_quick)
# the count nouns grouped by first character (case-insensitive: the nouns lowercased, the
# same to IGNORECASE): at each word after a number, only the nouns of its first letter are tried
COUNT_EN = re.compile(_COUNT_EN_HEAD + r"(?P<noun>" + by_first_character([(n, 0) for n in COUNT_NOUNS.lower().split("|")], False)[0]
                      + r")\b", re.I)
# every way of a measure starts a word (a lookbehind for a letter a-z after its first
# character, checked once per character): a match with the character before it
assert all(g.startswith(("(?<![a-z].)", "(?<!\\w.)"), 1) for g in top_level_alternatives(_quick))
MEASURES_AFTER = re.compile("[^a-z](?:" + _quick + ")")



def _measure_hits(window: str, folded: str, in_place: Optional[bool] = None) -> list[tuple[int, int, int]]:
    """(start, end, rank in MEASURE_PATTERNS) of the measure words in a Latin-script window
    (`folded`: its fold): MEASURES_LATIN's matches. On the fold when it keeps every character
    in place (`in_place`, see kg._cjk.folds_in_place); the measure of a match is the first whose own
    alternatives match there, as in the one pattern."""
    if not (folds_in_place(window) if in_place is None else in_place):
        return [(h.start(), h.end(), int(h.lastgroup[1:])) for h in MEASURES_LATIN.finditer(window)]
    # MEASURES_QUICK's matches (finditer), found from the character before each: a match
    # starts where no letter a-z is before it (every way starts a word, see MEASURES_AFTER),
    # so MEASURES_AFTER finds each match with the character before it, `re` skipping to
    # those characters (most characters are letters, and each letter that can start a way
    # was a try); a search from the last match's last character finds the next match as
    # finditer does (from its end); a match at the start has no character before it
    of_group, out, pos = MEASURE_OF_GROUP, [], 0
    h = MEASURES_QUICK.match(folded)
    if h is not None:
        pos = h.end()
        out.append((0, pos, of_group[h.lastindex]))
        pos -= 1
    search = MEASURES_AFTER.search
    while (h := search(folded, pos)) is not None:
        pos = h.end()
        out.append((h.start() + 1, pos, of_group[h.lastindex]))
        pos -= 1
    return out
QUALIFIERS: list[tuple[str, Bilingual]] = [(k, Bilingual(p, re.I)) for k, p in [
    ("YoY", r"\bYoY\b|year[- ]over[- ]year|year[- ]on[- ]year|from a year (?:ago|earlier)|同比"),
    ("QoQ", r"\bQoQ\b|quarter[- ]over[- ]quarter|sequential(?:ly)?|环比"),
    ("quarterly", r"quarterly|\bquarter\b|\bQ[1-4]\b|季度|单季"),
    ("annual", r"\bannual(?:ly)?\b|\byearly\b|a year\b|per year|年收入|全年|年度"),
    ("expected", r"expected|expectations?|estimates?|forecast|consensus|预期|预计"),
]]
MAX_ABS = {"percent": Decimal(10) ** 5, "count": Decimal(10) ** 13}
MAX_MONEY = Decimal(10) ** 15


def to_decimal(num: str) -> Optional[Decimal]:
    try:
        return Decimal(num.replace(",", ""))
    except InvalidOperation:
        return None


def _scale(s: Optional[str], table: dict) -> int:
    if not s:
        return 1
    return table.get(s, table.get(s.lower(), 1))


NOUNS_DOWN = r"slide|drop|decline|fall|plunge|loss|slump|tumble|dip|selloff|sell-off|contraction"
NOUNS_UP = r"gain|rise|jump|rally|increase|surge|climb|rebound|advance"
NOUN_AFTER_DOWN = re.compile(r"^\s*(?:" + NOUNS_DOWN + r")\b", re.I)
NOUN_AFTER_UP = re.compile(r"^\s*(?:" + NOUNS_UP + r")\b", re.I)


# NOUN_AFTER_DOWN or else NOUN_AFTER_UP in one match, at a figure's end: no "^", and the
# 16 characters as endpos (the same as matching the slice: neither looks behind)
NOUN_AFTER = re.compile(r"\s*(?:(?P<down>" + NOUNS_DOWN + r")\b|(?P<up>" + NOUNS_UP + r")\b)", re.I)


def _quick(pat: Bilingual) -> re.Pattern:
    """A Bilingual's fast variant grouped by first character (see by_first_character): the
    same matches."""
    return re.compile(by_first_character([(a, 0) for a in top_level_alternatives(pat.fast.pattern)], False)[0])


# the fast variants of the patterns _direction and _annotate run on every figure, grouped
QUICK: dict[Bilingual, re.Pattern] = {pat: _quick(pat) for pat in [LEVEL_RE, UP_RE, DOWN_RE] + [p for _, p in QUALIFIERS]
                                      if pat.fast is not None}


def _found_in(pat: Bilingual, text: str, folded: str, cjk: bool, in_place: bool) -> bool:
    """Whether `pat` matches in `text` (`folded`: its fold; `in_place`: folds_in_place(text)):
    the keys' test, then one search with the pattern Bilingual.finditer would use (the fast
    variant on the fold rather than the case-insensitive one on the text: the same matches)."""
    if pat.variant(folded, cjk) is None:
        return False
    if not cjk and pat.fast is not None:
        if not pat.folds:
            return QUICK.get(pat, pat.fast).search(text) is not None
        if in_place:
            return QUICK.get(pat, pat.fast).search(folded) is not None
    return (pat.full if cjk else pat.latin).search(text) is not None


def _last_end(pat: Bilingual, text: str, folded: str, cjk: bool, in_place: bool) -> int:
    """The end of the last of Bilingual.finditer's matches (-1: none), from the fast variant's
    matches on the fold as finditer reads them (they are in place), without wrapping each."""
    last = -1
    if not cjk and pat.fast is not None and pat.folds and in_place:
        for m in QUICK.get(pat, pat.fast).finditer(folded):
            last = m.end()
        return last
    for m in pat.finditer(text, folded, cjk):
        last = m.end()
    return last


def _direction(bounds: Bounds, start: int, end: Optional[int] = None) -> tuple[Optional[str], bool]:
    """(direction, is_level) from the words just before a figure in its clause, or a noun
    right after it ("a 4.2% slide")."""
    text = bounds.text
    if end is not None:
        noun = NOUN_AFTER.match(text, end, end + 16)
        if noun:
            return ("down" if noun.group("down") is not None else "up"), False
    left = bounds.clause_start(start)
    before = text[max(left, start - 40):start]
    folded = fold(before)
    cjk = bounds.cjk
    in_place = not cjk and folds_in_place(before)
    is_level = _found_in(LEVEL_RE, before, folded, cjk, in_place)
    last_up = _last_end(UP_RE, before, folded, cjk, in_place)
    last_down = _last_end(DOWN_RE, before, folded, cjk, in_place)
    if last_up == last_down == -1:
        return None, is_level
    return ("up" if last_up > last_down else "down"), is_level


class _BodyBounds(Bounds):
    """The Bounds of an item's body, `whole.text[p:]` (the text after an outlet prefix), its
    clause breaks taken from the whole text's (which the subjects' rules find anyway) instead of
    a second scan of the body (a scan costs ~500 instructions a character). A scan tries every
    position that none of its matches runs across; whether a break starts at a position depends
    on the characters from there on, and on those before it only through CLAUSE_BREAK's
    lookbehinds: "(?<!\d.)" after a comma and "(?<!\w.)" after a word's first letter (the one
    character before), and "(?<!much\sas)" and the like after "as" (up to seven characters
    before "as"). So when the whole text's scan tries p (no break runs across it), the character
    before p is no word character (then those lookbehinds pass there as at the start of the body)
    and no "as" is within the body's first eight characters, both scans find the same breaks from
    p on. Else the body is scanned. Likewise a clause's start at s (the last break in the scan of
    body[:s]) is the whole text's at p + s, when s >= MARGIN (the breaks of text[:p + s] that
    start before p are then the whole text's): asked once for both texts (the subjects' rules ask
    the whole text's). tests/test_metrics_perf.py checks the lookbehinds' list and compares this
    with Bounds."""

    __slots__ = ("_whole", "_p", "_same", "_starts")

    def __init__(self, body: str, whole: Bounds, p: int):
        super().__init__(body)
        self._whole, self._p = whole, p
        self._same: Optional[bool] = None
        self._starts: dict[int, int] = {}

    def _sames(self) -> bool:
        """Whether the body's breaks are the whole text's from p on (see the class)."""
        if self._same is None:
            body, whole, p = self.text, self._whole, self._p
            before = whole.text[p - 1:p]
            self._same = False
            if whole._clause_pat is self._clause_pat and not (before.isalnum() or before == "_" or "as" in body[:8]):
                starts, ends = whole._whole_clause_breaks()
                j = bisect_left(starts, p)
                self._same = not (j and ends[j - 1] > p)  # no break runs across p
        return self._same

    def _whole_clause_breaks(self) -> tuple[list[int], list[int]]:
        if self._clause_breaks is None:
            if self._sames():
                p = self._p
                starts, ends = self._whole._whole_clause_breaks()
                j = bisect_left(starts, p)
                self._clause_breaks = [x - p for x in starts[j:]], [x - p for x in ends[j:]]
            else:
                super()._whole_clause_breaks()
        return self._clause_breaks

    def clause_start(self, s: int) -> int:
        left = self._starts.get(s)  # (remembered: a figure's direction and clause ask it both)
        if left is None:
            if s >= MARGIN and self._sames():
                left = max(self._whole.clause_start(self._p + s) - self._p, 0)
            else:
                left = super().clause_start(s)
            self._starts[s] = left
        return left


class _Found:
    """The figures of one text as they are found: (start, end, MetricMention) in `found`,
    and the spans already taken (a figure, or a span that is no figure) in `taken`."""

    def __init__(self, text: str, offset: int, warn, bounds: Optional[Bounds] = None):
        self.text, self.offset, self.warn = text, offset, warn
        if bounds is not None and bounds.text is not text and bounds.text.endswith(text):
            bounds = _BodyBounds(text, bounds, len(bounds.text) - len(text))  # the body after a prefix
        self.bounds = bounds if bounds is not None and bounds.text is text else Bounds(text)
        self.cjk, self.folded = self.bounds.cjk, self.bounds.folded
        self.found: list[tuple[int, int, MetricMention]] = []
        self.taken: list[tuple[int, int]] = []

    def free(self, s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in self.taken)

    def add(self, s: int, e: int, value: Decimal, unit: str, quals: Optional[list[str]] = None,
            direction: Optional[str] = None):
        limit = MAX_ABS.get(unit, MAX_MONEY)
        if value.is_nan() or abs(value) > limit:
            if self.warn:
                self.warn(self.text[s:e])
            self.taken.append((s, e))
            return
        m = MetricMention(value=value, unit=unit, text=self.text[s:e], start=self.offset + s, end=self.offset + e,
                          qualifiers=list(quals or []), direction=direction)
        self.found.append((s, e, m))
        self.taken.append((s, e))

    def scan(self, pat):
        """A Bilingual pattern's matches (it runs only when its literal part is in the text)."""
        return pat.scan(self.text, self.folded, self.cjk)


def find_metrics(text: str, lang: str, offset: int = 0, warn=None, bounds: Optional[Bounds] = None) -> list[MetricMention]:
    """Figures in `text` (an item's text); offsets are shifted by `offset`. The forms are
    tried in order, each only where no earlier one took the span: ranges, the English forms
    (cents, power units and multiples, basis points), money, percentages, counts. `bounds`:
    the clause and sentence bounds of `text` when the caller has them (they are remembered)."""
    f = _Found(text, offset, warn, bounds)
    if lang == "zh":  # money ranges, index points, basis points; 十倍 is no figure
        f.taken.extend(zh.not_figures(text))
        zh.figures(text, f.add, f.free, f.bounds)
    _ranges(f, lang)
    if lang != "zh":
        _english_forms(f)
    _money(f, lang)
    _percents(f)
    _counts(f, lang)
    f.found.sort(key=lambda t: t[0])
    _gapped_direction(text, f.found)
    metrics = [m for _, _, m in f.found]
    _pair_versus(text, f.found)
    _measures(f, lang)
    return metrics


def _ranges(f: _Found, lang: str) -> None:
    """Ranges first: "3.5%–3.75%" is two figures, lower and upper bound; "$40–45 billion"
    takes the scale and currency of one bound for the other."""
    for m in f.scan(PCT_RANGE):
        a, b = to_decimal(m.group("a")), to_decimal(m.group("b"))
        if a is None or b is None or a > b:
            continue
        f.add(m.start("a"), m.end("a") + (1 if f.text[m.end("a"):m.end("a") + 1] in "%％" else 0), a,
              "percent", ["lower_bound"])
        f.add(m.start("b"), m.end(), b, "percent", ["upper_bound"])
    if lang == "zh":
        for m in (COUNT_ZH_RANGE.finditer(f.text) if "至" in f.text or "到" in f.text else ()):
            a, b = to_decimal(m.group("a")), to_decimal(m.group("b"))
            sa, sb = m.group("sa"), m.group("sb")
            if a is None or b is None or not f.free(*m.span()):
                continue
            va, vb = a * _scale(sa or sb, SCALE_ZH), b * _scale(sb, SCALE_ZH)
            if va < vb:
                f.add(m.start(), m.end("sa") if sa else m.end("a"), va, "count", ["lower_bound"])
                f.add(m.start("b"), m.end(), vb, "count", ["upper_bound"])
        return
    for m in f.scan(MONEY_RANGE):
        a, b = to_decimal(m.group("a")), to_decimal(m.group("b"))
        sa, sb = m.group("sa"), m.group("sb")
        if a is None or b is None or not (sb or not sa):
            continue
        cur = CUR_SYMBOL[m.group("cur")]
        va, vb = a * _scale(sa or sb, SCALE_EN), b * _scale(sb, SCALE_EN)
        if va >= vb:
            continue
        f.add(m.start(), m.end("sa") if sa else m.end("a"), va, cur, ["lower_bound"])
        f.add(m.start("b"), m.end(), vb, cur, ["upper_bound"])


def _english_forms(f: _Found) -> None:
    """"89 cents" and "a penny", gigawatts and multiples ("35x"), basis points (signed when a
    change)."""
    text = f.text
    for m in (f.scan(CENTS) if _may_have_cents(f.folded) else ()):
        if not f.free(*m.span()):
            continue
        v = Decimal("0.01") if m.group("penny") else to_decimal(m.group("num"))
        if v is None:
            continue
        f.add(m.start(), m.end(), v if m.group("penny") else v / 100, "USD")
    for m in UNIT_EN.finditer(text):
        if not f.free(*m.span()):
            continue
        v = to_decimal(m.group("num"))
        if v is None:
            continue
        u = m.group("unit")
        unit = "times" if m.group("times") else ("GW" if u[0] in "Gg" else "MW")
        f.add(m.start(), m.end(), v, unit)
    # an exchange rate quoted per dollar: "the yen strengthened past 142 per dollar" is 142 JPY
    for m in (PER_DOLLAR.finditer(text) if "dollar" in text else ()):
        cur = FX_WORD.findall(text, max(f.bounds.clause_start(m.start()), m.start() - 60), m.end())
        v = to_decimal(m.group("num"))
        if cur and v is not None and f.free(*m.span("num")):
            f.add(m.start("num"), m.end("num"), v, FX_CODE[cur[-1].lower().rstrip("s")])
    for m in (BPS.finditer(text) if "bp" in f.folded or "basis" in f.folded else ()):  # BPS needs one of them
        if not f.free(*m.span()):
            continue
        v = to_decimal(m.group("num"))
        if v is None:
            continue
        direction, is_level = _direction(f.bounds, m.start(), m.end())
        if m.group("sign") in ("-", "−") or (direction == "down" and not is_level):
            v, direction = -v, "down"
        f.add(m.start(), m.end(), v, "bps", [], direction)


def _money(f: _Found, lang: str) -> None:
    """Amounts with a currency symbol, code or word, in the item's language first."""
    money_pats = [(MONEY_ZH, "zh"), (MONEY_EN, "en"), (MONEY_WORD_EN, "enw")] if lang == "zh" else \
        [(MONEY_EN, "en"), (MONEY_WORD_EN, "enw"), (MONEY_ZH, "zh")]
    for pat, kind in money_pats:
        if kind == "en":  # MONEY_EN's matches, from its unsigned form (see signed_money; with no
            # keys' test first: a text without MONEY_EN's keys has no match of it, nor of the
            # unsigned form, and the keys' test, ~20 of them, costs about the scan)
            for start, end, sign, m in signed_money(f.text):
                if not f.free(start, end):
                    continue
                num = to_decimal(m.group("num"))
                if num is None:
                    continue
                value = num * _scale(m.group("scale"), SCALE_EN)
                direction = None
                if sign in ("-", "−"):
                    value, direction = -value, "down"
                elif sign == "+":
                    direction = "up"
                f.add(start, end, value, CUR_SYMBOL[m.group("cur")], ["at_least"] if m.group("plus") else [],
                      direction)
            continue
        for m in f.scan(pat):
            if not f.free(*m.span()):
                continue
            num = to_decimal(m.group("num"))
            if num is None:
                continue
            if kind == "zh":
                cur = CUR_ZH[m.group("cur")]
                value = num * _scale(m.group("scale"), SCALE_ZH)
            else:
                cur = CUR_WORD_EN[m.group("curw").lower()]
                value = num * _scale(m.group("scale"), SCALE_EN)
            sign = m.group("sign") if kind == "zh" else None  # (MONEY_WORD_EN has no sign nor "+")
            direction = None
            if sign in ("-", "−"):
                value, direction = -value, "down"
            elif sign == "+":
                direction = "up"
            f.add(m.start(), m.end(), value, cur, [], direction)
    for m in f.scan(MONEY_ZH_WORD):
        if not f.free(*m.span()) or (m.group("scale") == "亿" and not m.group("cn")):
            continue
        value = Decimal(CN_DIGIT[m.group("cn")] * SCALE_ZH_WORD[m.group("scale")])
        quals = ["at_least"] if m.group("pre") in ("超", "超过", "逾") else []
        f.add(m.start("cn"), m.end(), value, CUR_ZH[m.group("cur")], quals)


def _percents(f: _Found) -> None:
    """Percentages: signed when a change ("fell 3%" is -3), a level otherwise."""
    folded = f.folded
    for k in PERCENT_KEYS:  # (a loop, not any(): a third of the instructions)
        if k in folded:
            break
    else:
        return
    for start, end, sign, digits in signed_percents(f.text):
        if not f.free(start, end):
            continue
        num = to_decimal(digits)
        if num is None:
            continue
        direction, is_level = _direction(f.bounds, start, end)
        value = num
        if sign in ("-", "−"):
            value, direction = -num, "down"
        elif sign == "+":
            direction = "up"
        elif direction == "down" and not is_level:
            value = -num
        f.add(start, end, value, "percent", [] if not is_level else ["level"], direction)


def _counts(f: _Found, lang: str) -> None:
    """Plain counts with what they count (users, parameters, 台, 辆 …)."""
    count_pat = f.scan(COUNT_ZH_RE) if lang == "zh" else COUNT_EN.finditer(f.text)
    for m in count_pat:
        if not f.free(m.start(), m.end("num")):
            continue
        num = to_decimal(m.group("num"))
        if num is None:
            continue
        table = SCALE_ZH if lang == "zh" else SCALE_EN
        value = num * _scale(m.group("scale"), table)
        direction, _ = _direction(f.bounds, m.start())
        f.add(m.start(), m.end(), value, "count", [], direction)
        # "60 customer sites, up from 22": the earlier count of the same noun
        was = FROM_COUNT.match(f.text, m.end()) if lang != "zh" else None
        if was and f.free(*was.span("num")):
            v0 = to_decimal(was.group("num"))
            if v0 is not None:
                sc = was.group("scale") or m.group("scale")
                f.add(was.start("num"), was.end("scale") if was.group("scale") else was.end("num"),
                      v0 * _scale(sc, table), "count", [])


def _measures(f: _Found, lang: str) -> None:
    """What each figure measures, from the measure words of its clause (found once per
    clause for all its figures)."""
    hits: dict = {}
    # a qualifier whose keys are nowhere in a Latin-script text's fold is in none of its
    # clauses (a clause's fold is a part of the text's: fold folds each character alone)
    # (only worth it for several figures: each figure's clause gets the keys' test anyway)
    quals = QUALIFIERS if f.cjk or len(f.found) < 2 else \
        [(key, pat) for key, pat in QUALIFIERS if pat.variant(f.folded, False) is not None]
    for s, e, m in f.found:
        _annotate(f.bounds, s, e, m, hits, quals)
    # "revenue of $48B, up 14% YoY": a change right after a figure measures the same thing
    for (s1, e1, m1), (s2, e2, m2) in zip(f.found, f.found[1:]):
        if m2.unit == "percent" and m2.measure == "unknown" and m1.measure != "unknown" \
                and APPOSED_CHANGE.fullmatch(f.text, e1, s2):
            m2.measure = m1.measure
    if lang == "zh":
        zh.refine_measures(f.text, f.found)


GAP = re.compile(r"\s*(?:,\s*)?(?:and|while|with)\s+(?:the\s+)?[A-Z][\w&.’'-]*(?:\s+[A-Z0-9][\w&.’'-]*){0,3}\s*")


def _gapped_direction(text: str, found: list[tuple[int, int, MetricMention]]) -> None:
    """"Nvidia dropped 3.6% and the S&P 500 2.7%": a percent with no verb of its own, after
    "and <name>", moves the way the one before it moved."""
    for (s1, e1, m1), (s2, e2, m2) in zip(found, found[1:]):
        if m1.unit == m2.unit == "percent" and m1.direction and m2.direction is None and m2.value > 0 \
                and GAP.fullmatch(text, e1, s2):
            m2.direction = m1.direction
            if m1.direction == "down" and m1.value < 0:
                m2.value = -m2.value


APPOSED_CHANGE = re.compile(r"[^.;:\n\d]{0,25}?[,(]\s*(?:an?\s+)?(?:up|down|rising|falling|increasing|decreasing|increase of|rise of|"
                            r"decline of|drop of|gain of|jump of)\s*", re.I)


def _pair_versus(text: str, found: list[tuple[int, int, MetricMention]]) -> None:
    """'EPS $4.14 vs $3.93': the first is the actual figure, the second the expectation."""
    for (s1, e1, m1), (s2, e2, m2) in zip(found, found[1:]):
        if m1.unit == m2.unit and VS.match(text[e1:s2]) and VS.match(text[e1:s2]).end() == s2 - e1:
            if "actual" not in m1.qualifiers:
                m1.qualifiers.append("actual")
            if "expected" not in m2.qualifiers:
                m2.qualifiers.append("expected")


INCLUDING = re.compile(r"\s*(?:including|of which|among them|其中|包括)", re.I)


def _annotate(bounds: Bounds, s: int, e: int, m: MetricMention, hits: Optional[dict] = None,
              quals: list = QUALIFIERS) -> None:
    """Measure and qualifiers from the figure's clause (and, for a figure in parentheses,
    from the clause just before it: "$37.5B in CapEx (up 66% YoY)"); `quals`: the QUALIFIERS
    that may be in the text (in their order)."""
    text = bounds.text
    left, right = bounds.clause(s, e)
    window = text[left:right]
    ctx = window
    if left > 0 and text[left - 1] in "(（":
        l2 = bounds.clause_start(left - 1)
        ctx = text[l2:left - 1] + " " + window
    if left > 1 and INCLUDING.match(window):
        # "revenue of $48B, up 14%, including $41.3B from data centers": a part of the
        # whole named earlier in the sentence measures the same thing
        sent = max(text.rfind(". ", 0, left), text.rfind("。", 0, left), text.rfind(";", 0, left),
                   text.rfind("；", 0, left), text.rfind("——", 0, left), text.rfind(" – ", 0, left))
        ctx = text[sent + 1:left] + " " + window
    w_cjk = bounds.cjk and has_cjk(window)
    c_cjk = bounds.cjk and ctx is not window and has_cjk(ctx)
    w_fold = fold(window)
    c_fold = "" if ctx is window else fold(ctx)
    w_in_place = not w_cjk and folds_in_place(window)

    def found(pat: Bilingual, text: str, cjk: bool, folded: str) -> bool:
        p = pat.variant(folded, cjk)
        return p is not None and p.search(text) is not None

    # the measure named nearest the figure in its clause ("revenue rose 12% as its shares
    # jumped": 12% is revenue), the list's order breaking ties; else from the wider context
    best = None
    if ctx is not window:
        for rank, (key, pat) in enumerate(MEASURES):
            if found(pat, ctx, c_cjk, c_fold):
                best = (0, rank, key)
                break
    fs, fe = s - left, e - left
    if best is None or ctx is window:
        if not w_cjk:
            found_hits = hits.get((left, right)) if hits is not None else None
            if found_hits is None:
                found_hits = _measure_hits(window, w_fold, w_in_place)
                if hits is not None:
                    hits[(left, right)] = found_hits
            for a, b, rank in found_hits:
                d = fs - b if b <= fs else (a - fe if a >= fe else 0)
                if best is None or (d, rank) < best[:2]:
                    best = (d, rank, MEASURE_PATTERNS[rank][0])
        else:
            for rank, (key, pat) in enumerate(MEASURES):
                p = pat.variant(w_fold, w_cjk)
                if p is None:
                    continue
                for mm in p.finditer(window):
                    d = fs - mm.end() if mm.end() <= fs else (mm.start() - fe if mm.start() >= fe else 0)
                    if best is None or (d, rank) < best[:2]:
                        best = (d, rank, key)
    if best is not None:
        m.measure = best[2]
    for key, pat in quals:
        if key in m.qualifiers:
            continue
        if key == "expected" and "actual" in m.qualifiers:
            continue
        if _found_in(pat, window, w_fold, w_cjk, w_in_place):
            m.qualifiers.append(key)
    if m.unit == "percent" and m.direction and "level" not in m.qualifiers and "change" not in m.qualifiers:
        m.qualifiers.append("change")
    m.qualifiers = sorted(set(m.qualifiers) - {"level"})


# an index's level right after its name, in a sentence or a markets table: "the Dow closed
# at 45,490.92", "S&P 500 | 6,532.04 | +0.3%"; a bare number of four or more digits (or with
# decimals) that is no year and no other figure
LEVEL_AFTER = re.compile(r"\s*(?:[|:\-–—]\s*)?(?:(?:closed|ended|finished|settled|was|is|stood|rose|fell|climbed|slipped|"
                         r"gained|added|dropped|jumped|slid|up|down|higher|lower|at|to|near|around|about|"
                         r"[+\-−]?\d+(?:\.\d+)?\s?%|\d+(?:\.\d+)?\s+percent)\s+){0,4}"
                         r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{3,}\.\d+)(?![\d%,]|\.\d|\s*(?:%|percent|bps|basis))")


def index_levels(text: str, offset: int, mentions, metrics: list[MetricMention]) -> list[MetricMention]:
    """Levels of the indexes named in an item (unit `points`), their subject the index."""
    out = []
    taken = [(m.start - offset, m.end - offset) for m in metrics]
    for i, men in enumerate(mentions):
        if men.type != "Index":
            continue
        e = men.end - offset
        m = LEVEL_AFTER.match(text, e)
        if not m:
            continue
        s0, e0 = m.span("num")
        if any(s0 < te and ts < e0 for ts, te in taken):
            continue
        v = to_decimal(m.group("num"))
        if v is None:
            continue
        out.append(MetricMention(value=v, unit="points", text=m.group("num"), start=offset + s0, end=offset + e0,
                                 measure="index_level", subject=i))
        taken.append((s0, e0))
    return out
