"""Shortcuts in the figures' rules (kg.extract.metrics) that must give what the plain way gives."""
import random
import re

from kg.extract._bounds import CLAUSE_BREAK, Bounds
from kg.extract.metrics import _BodyBounds, find_metrics


def test_clause_break_lookbehinds_are_those_the_body_bounds_rely_on():
    """_BodyBounds takes a body's clause breaks from its whole text's when the characters before
    the body cannot change a break: that reasoning lists CLAUSE_BREAK's lookbehinds, so a new
    one (or a lookbehind-like \\b at a break's start) must fail here until it is reasoned about."""
    for pat in (CLAUSE_BREAK.pattern, CLAUSE_BREAK.latin.pattern):
        looks = sorted(set(re.findall(r"\(\?<[!=][^()]*\)", pat)))
        assert looks == sorted({r"(?<!\d.)", r"(?<!\w.)", r"(?<!much\sas)", r"(?<!many\sas)", r"(?<!high\sas)",
                                r"(?<!little\sas)", r"(?<!few\sas)"}), looks
        for alt in re.split(r"\|(?![^()]*\))", pat):
            assert not alt.startswith(("\\b", "(?<")), alt


PIECES = ["Acme", " rose", " 5%", ",", "3", " and", "and", "as", "sets", " whereas ", " – ", "—", "——", "(", ")",
          " as much as", "   little  ", "much", "many", " few", "as   ", "a", "s", "_", "7",
          ". ", " Corp. ", "\n", "。", "而", "但", "X", " ", "  ", "?", "while", " but", "before", ": ", "|"]


def test_body_bounds_are_the_bounds_of_the_body():
    """A body's clause breaks, starts and ends taken from the whole text's are those of the body
    alone, also where the prefix ends in a word character, a digit before a comma, "much" before
    "as", a break running across the body's start, or CJK text only in the prefix."""
    rnd = random.Random(5)
    for n in range(3000):
        prefix = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 6)))
        body = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 40)))
        whole = Bounds(prefix + body)
        if n % 2:  # the whole text's breaks found first, or not
            whole.clause_start(len(prefix + body))
        got, want = _BodyBounds(body, whole, len(prefix)), Bounds(body)
        assert got._whole_clause_breaks() == want._whole_clause_breaks(), (prefix, body)
        for s in rnd.sample(range(len(body) + 1), len(body) + 1):
            assert got.clause_start(s) == want.clause_start(s), (prefix, body, s)
            assert got.clause_end(s) == want.clause_end(s), (prefix, body, s)
        for s in rnd.sample(range(len(body) + 1), min(5, len(body) + 1)):  # asked again: remembered
            assert got.clause_start(s) == want.clause_start(s), (prefix, body, s)


def test_figures_of_a_body_after_an_outlet_prefix_are_the_same_with_the_whole_texts_bounds():
    """find_metrics on an item's body given the whole text's bounds (the outlet prefix before
    it) finds what it finds on the body alone: the same figures, directions, measures."""
    bodies = [" Acme Corp. said revenue rose 12% to $4.1 billion, as much as 3% above estimates, and it will hire 400 workers.",
              " Shares of Beta fell 4.2% while the index was up 0.3%; the yen strengthened past 142 per dollar.",
              "as much as $2 billion, and a 25 bps cut, before profit of $80M (down 5% YoY)",
              ", 3% higher and 7%, whereas costs dropped 2 percent"]
    for prefix in ["Reuters:", "Reuters", "CNBC 5", "Axios —", "The Deal much", "路透社", "Bloomberg (", ""]:
        for body in bodies:
            text = prefix + body
            got = find_metrics(body, "en", 100, None, Bounds(text))
            want = find_metrics(body, "en", 100, None, None)
            assert [(m.value, m.unit, m.start, m.end, m.direction, m.measure, m.qualifiers) for m in got] == \
                [(m.value, m.unit, m.start, m.end, m.direction, m.measure, m.qualifiers) for m in want], (prefix, body)
            assert got, body


WORDS = ["rose", "Rose", "ROSE", "fell", "FELL", "up", "down", "Up", "to", "at", "of", "reached", "hit", "stood at",
         "totaling", "upgrade", "setup", "downturn", "YoY", "year-over-year", "a year", "quarter", "Q3", "q3",
         "expected", "estimates", "Straße", "İstanbul", "ﬁrm", "上涨", "下跌", "同比", "达到", "为", "升", "跌幅达",
         "slide", "gain", "sell-off", "selloff", " ", "  ", ", ", "-", "3%", "$5", "the", "its", "shares", "while"]


def test_fast_searches_give_the_whole_patterns_matches():
    """_found_in (keys' test, then the fast variant on the fold) says what a search with the
    whole pattern says; _last_end gives the end of its last match: on Latin text, text whose
    fold moves characters (ß, İ, ligatures) and CJK text."""
    from kg._cjk import fold, folds_in_place, has_cjk
    from kg.extract.metrics import DOWN_RE, LEVEL_RE, QUALIFIERS, UP_RE, _found_in, _last_end
    rnd = random.Random(3)
    pats = [UP_RE, DOWN_RE, LEVEL_RE] + [p for _, p in QUALIFIERS]
    for _ in range(3000):
        text = "".join(rnd.choice(WORDS) + rnd.choice(["", " "]) for _ in range(rnd.randint(0, 9)))
        folded, cjk = fold(text), has_cjk(text)
        in_place = not cjk and folds_in_place(text)
        for pat in pats:
            ends = [m.end() for m in pat.full.finditer(text)]
            assert _found_in(pat, text, folded, cjk, in_place) == bool(ends), (pat.pattern, text)
            assert _last_end(pat, text, folded, cjk, in_place) == (ends[-1] if ends else -1), (pat.pattern, text)


def test_one_match_for_a_noun_after_a_figure_is_the_two_matches_on_the_slice():
    """NOUN_AFTER at a figure's end, up to 16 characters on, is NOUN_AFTER_DOWN or else
    NOUN_AFTER_UP on the 16 characters' slice ("a 4.2% slide", "a 3% gain", "3% dropped")."""
    from kg.extract.metrics import NOUN_AFTER, NOUN_AFTER_DOWN, NOUN_AFTER_UP
    rnd = random.Random(4)
    for _ in range(5000):
        text = "".join(rnd.choice(WORDS + ["dropped", "Rally", "rallying", "\n", "dips", "dip"])
                       for _ in range(rnd.randint(0, 6)))
        for end in range(len(text) + 1):
            after = text[end:end + 16]
            want = "down" if NOUN_AFTER_DOWN.match(after) else ("up" if NOUN_AFTER_UP.match(after) else None)
            m = NOUN_AFTER.match(text, end, end + 16)
            got = None if m is None else ("down" if m.group("down") is not None else "up")
            assert got == want, (text, end)


MONEY_PIECES = ["$", "US$", "HK$", "C$", "R$", "€", "£", "¥", "₹", "₩", "USD", "EUR", "CHF", "US", "S", "+", "-", "−",
                "5", "37.5", "1,200", "1,20", "B", "bn", "billion", "M", "K", "T", " ", " to ", "–", "—", "x", "a",
                ".", ",", "%", "+$", "-$", "USD5", "$5B+", "(", ")"]


def test_signed_money_gives_money_en_s_matches():
    """signed_money (the unsigned form from the currency, a sign right before it taken unless
    the match before ended there) gives MONEY_EN's matches: spans, sign, currency, number,
    scale and a trailing "+"."""
    from kg.extract.metrics import MONEY_EN, signed_money
    rnd = random.Random(6)
    for _ in range(20000):
        text = "".join(rnd.choice(MONEY_PIECES) for _ in range(rnd.randint(1, 14)))
        want = [(m.start(), m.end(), m.group("sign"), m.group("cur", "num", "scale", "plus"))
                for m in MONEY_EN.full.finditer(text)]
        got = [(s, e, sign, m.group("cur", "num", "scale", "plus")) for s, e, sign, m in signed_money(text)]
        assert got == want, text
    # the "+" that ends "$5B+" is no sign of "$1B"
    assert [t[:3] for t in signed_money("up $5B+$1B, -€2.5bn and +USD 3")] == \
        [(3, 7, None), (7, 10, None), (12, 19, "-"), (24, 30, "+")]


def test_money_range_with_literal_symbols_is_the_class_form():
    """MONEY_RANGE's first currency as literal alternatives matches where the class form does."""
    from kg.extract.metrics import MONEY_RANGE, NUM, _scale_en
    old = re.compile(r"(?P<cur>US\$|HK\$|NT\$|C\$|A\$|S\$|[$€£¥₹₩])\s?(?P<a>" + NUM + r")(?:\s?(?P<sa>" + _scale_en +
                     r"))?\s?(?:[–—\-]|to)\s?(?:US\$|HK\$|NT\$|C\$|A\$|S\$|[$€£¥₹₩])?\s?(?P<b>" + NUM + r")(?:\s?(?P<sb>" +
                     _scale_en + r"))?")
    rnd = random.Random(7)
    for _ in range(20000):
        text = "".join(rnd.choice(MONEY_PIECES) for _ in range(rnd.randint(1, 14)))
        assert [m.group(0, "cur", "a", "sa", "b", "sb") for m in MONEY_RANGE.full.finditer(text)] == \
            [m.group(0, "cur", "a", "sa", "b", "sb") for m in old.finditer(text)], text


def test_no_cents_where_the_cheap_check_says_none():
    """_may_have_cents (no "¢", penny alternative or digit before "cent" in the fold) is never
    False where CENTS matches: "5 percent" has none, "89 cents", "5\\u00a0CENTS", "A Penny" do."""
    from kg._cjk import fold
    from kg.extract.metrics import CENTS, _may_have_cents
    pieces = ["5", "89", "0.5", " ", "  ", "\u00a0", "\t", "cent", "cents", "CENTS", "Cent", "percent", "per cent", "¢",
              "a penny", "A Penny", "one cent", "ONE CENT", "a cent", "a", "one", "penny", "x", ",", "$"]
    rnd = random.Random(8)
    for _ in range(20000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 8)))
        if CENTS.full.search(text):
            assert _may_have_cents(fold(text)), text
    assert not _may_have_cents(fold("Revenue rose 5 percent, or 5 per cent"))
    assert all(_may_have_cents(fold(t)) for t in ["89 cents", "5\u00a0CENTS", "A Penny", "50¢"])


def test_a_qualifier_in_a_clause_has_its_keys_in_the_text_s_fold():
    """_measures tries only the qualifiers whose keys are in a Latin-script text's fold: any
    that a clause of it (any slice) has must pass that test, also with characters whose fold
    is longer (ß, İ, ligatures)."""
    from kg._cjk import fold, folds_in_place
    from kg.extract.metrics import QUALIFIERS, _found_in
    rnd = random.Random(9)
    latin = [w for w in WORDS if not re.search(r"[\u2e80-\u9fff]", w)] + ["YOY", "Quarterly", "Q4", "ANNUAL", "ﬀ"]
    for _ in range(3000):
        text = "".join(rnd.choice(latin) + rnd.choice(["", " ", ", "]) for _ in range(rnd.randint(1, 10)))
        a = rnd.randint(0, len(text))
        b = rnd.randint(a, len(text))
        window = text[a:b]
        for key, pat in QUALIFIERS:
            if _found_in(pat, window, fold(window), False, folds_in_place(window)):
                assert pat.variant(fold(text), False) is not None, (key, text, window)


def test_ways_grouped_by_first_character_find_what_the_ways_find():
    """by_first_character (ways grouped by their first character, a word-start lookbehind
    checked once per character) finds the matches of the ways joined in order, and a match's
    group tells the tag of the way that matched: for the patterns the rules group, on our own
    sentences (a word inside another, after a digit or "_", at the text's start) and random
    texts of their words."""
    from kg._cjk import fold, top_level_alternatives
    from kg.extract import metrics as M
    own = ["Setup costs rose; the upgrade was up 3%, downturn down", "3up _up up_ up-down", "upside: Up to 5",
           "year-over-year, a year ago, yearly, per year", "earnings per share, EPS, employees' pay", "price/share",
           "parameters: 7B params", "the S&P rose to", "estimates;expected", "uprose, rerose, Q3Q4 q3", "totaling an"]
    rnd = random.Random(6)
    for name, ways, tagged in [("|".join(p for _, p in M.MEASURE_PATTERNS), [(a, r) for r, (_, p) in enumerate(M.MEASURE_PATTERNS)
                                             for a in M._folded_alternatives(p)], True)] + \
            [(pat.pattern, [(a, 0) for a in top_level_alternatives(pat.fast.pattern)], False) for pat in M.QUICK]:
        src, tags = M.by_first_character(ways, tagged)
        grouped, joined = re.compile(src), re.compile("|".join(w for w, _ in ways))
        each = [re.compile(w) for w, _ in ways]
        words = re.findall(r"[a-z]+", name.lower())
        texts = own + ["".join(rnd.choice(words + ["a", "up", "3", "_"]) + rnd.choice([" ", " ", "", "-", ".", "s "])
                               for _ in range(rnd.randint(1, 12))) for _ in range(1500)]
        n = 0
        for text in map(fold, texts):
            got, want = list(grouped.finditer(text)), list(joined.finditer(text))
            assert [m.span() for m in got] == [m.span() for m in want], (name, text)
            for m in got:  # the tag: of the first way that matches there
                first = next(i for i, w in enumerate(each) if w.match(text, m.start()))
                assert (tags[m.lastindex] if tagged else 0) == ways[first][1], (name, text)
            n += len(got)
        assert n > 20, name


def test_measure_words_found_from_the_character_before_them():
    """_measure_hits finds each measure word with the character before it (a search from the
    last match's last character): the same as MEASURES_LATIN's scan at the text's start, for
    words right after another match, one character apart, or glued to it, and after a digit
    or an underscore."""
    from kg._cjk import fold
    from kg.extract import metrics as M
    texts = ["revenue rose", "Revenue,sales,EPS", "revenuesales", "EPS-EPS EPS", "3revenue _sales", "sales", "s",
             "price per share per share", "market cap,market value;valuation", "(capex)", "Q3 revenue/profit",
             "datacenters and data centres", "investments in build-out", "r", "", "users' accounts", "1,000 users"]
    rnd = random.Random(8)
    words = ["revenue", "sales", "eps", "price", "per", "share", "users", "market", "cap", "a", "x", "3", "_"]
    texts += ["".join(rnd.choice(words) + rnd.choice(["", " ", ",", "-", "/", "'"]) for _ in range(rnd.randint(1, 8)))
              for _ in range(3000)]
    for text in texts:
        want = [(h.start(), h.end(), int(h.lastgroup[1:])) for h in M.MEASURES_LATIN.finditer(text)]
        assert M._measure_hits(text, fold(text), True) == want, text


def test_count_nouns_grouped_by_first_letter_are_the_plain_alternation():
    """COUNT_EN (its nouns grouped by first letter) finds the plain alternation's counts, with
    the same number, scale and noun: nouns in any case, nouns that start alike (cores,
    customers, chips; E-cores, employees), a noun glued to more letters, up to two words
    between number and noun."""
    from kg.extract import metrics as M
    plain = re.compile(M._COUNT_EN_HEAD + r"(?P<noun>" + M.COUNT_NOUNS + r")\b", re.I)
    own = ["1,200 jobs and 300 Jobs", "8 E-cores, 16 P-cores", "40 TOPS", "3 new data centers", "5 datacenters",
           "12 million monthly active users", "7 customersX 8 Customers", "2 big GPU chips", "9 cores-heavy servers",
           "100 ſtaff", "3 Kelvin units"]
    rnd = random.Random(9)
    words = M.COUNT_NOUNS.replace(" ?", " ").split("|") + ["new", "active", "data", "big", "-", "x", "Cores", "USERS",
                                                            "3", "1,200", "2.5", "million", "B"]
    texts = own + ["".join(rnd.choice(words) + rnd.choice([" ", " ", "  ", "", ", "]) for _ in range(rnd.randint(1, 8)))
                   for _ in range(4000)]
    n = 0
    for text in texts:
        want = [(m.span(), m.groupdict()) for m in plain.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in M.COUNT_EN.finditer(text)] == want, text
        n += len(want)
    assert n > 200
