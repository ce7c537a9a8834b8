"""Chinese-only extraction: traditional characters, unknown names, figures, subjects,
events and sources that the shared, bilingual rules do not cover.

* Traditional characters (Hong Kong, Taiwan) are read as simplified through OpenCC's
  character dictionaries (shipped by `opencc-python-reimplemented`): 騰訊 is the gazetteer's
  腾讯. The conversion keeps every character's offset, so evidence spans still point at the
  original text; the figures' and dates' own texts are the original's.
* Unknown names come from jieba's part-of-speech tags (nr person, nt organisation, ns
  place) in a context that confirms them (a title before a person, a place word after a
  place), and from a trigger's subject (the name before 融资/收购/发布… in its clause).
  jieba is loaded once per process, only when Chinese text is read, with the gazetteer's
  Chinese names as its user words; its dictionary cache goes to ~/.cache/kg (or
  $KG_CACHE_DIR, $XDG_CACHE_HOME/kg), never to the network.
* Figures: ranges (`120-135港元`: two bounds), index points (`24,310点`), basis points
  (`25个基点`, signed when a change), `十倍` is no figure (the shared rules read the rest:
  亿/万/万亿, 港元/人民币/美元/元, 同比/环比).
* Subjects: `分别` pairs listed names with listed figures; `其` is the item's main actor.
* Events from a trigger lexicon; the actor is the trigger's subject: the name before the
  verb outside a 对/向/与… phrase, else the sentence's first name; 与X合作 gives every partner;
  `被X收购` gives X.
* Sources in the body: 据X报道, X消息, a trailing （X） or （来源：X）.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Optional

from ..atomic import cache_dir
from ..model import EventMention, Mention, MetricMention
from ._bounds import Bounds

# ---------------------------------------------------------------- traditional characters


@lru_cache(maxsize=1)
def _t2s() -> dict[int, int]:
    """Traditional -> simplified, character by character, from OpenCC's own dictionaries
    (opencc-python-reimplemented ships them): Hong Kong and Taiwan variants to OpenCC's
    standard traditional form (HKVariantsRev, TWVariantsRev), then to simplified
    (TSCharacters). A translate table, not the package's converter: its pure-Python phrase
    engine costs 0.7 CPU s and 80 MB per process, and a character table keeps every offset,
    which the evidence spans need (phrase conversion only settles one-to-many characters,
    which no rule here depends on)."""
    from importlib.resources import files

    def read(name: str) -> dict[str, str]:
        out = {}
        text = (files("opencc") / "dictionary" / name).read_text(encoding="utf-8")
        for line in text.splitlines():
            k, _, v = line.partition("\t")
            cands = v.split()
            # a character that is also one of its own simplified forms (著: 着 著) stays
            if len(k) == 1 and cands and len(cands[0]) == 1 and k not in cands:
                out[k] = cands[0]
        return out

    ts = read("TSCharacters.txt")
    table = {}
    for name in ("HKVariantsRev.txt", "TWVariantsRev.txt"):
        for k, v in read(name).items():
            table[ord(k)] = ord(ts.get(v, v))
    for k, v in ts.items():
        table.setdefault(ord(k), ord(v))
    return table


def simplified(text: str) -> str:
    """`text` with traditional characters read as simplified, offset for offset."""
    if not text or text.isascii():
        return text
    return text.translate(_t2s())


def prepare_item(it):
    """The item as the Chinese rules read it: its text and headline in simplified
    characters (the same object when nothing changes)."""
    text = simplified(it.text)
    if text == it.text:
        return it
    return dataclasses.replace(it, text=text, headline=simplified(it.headline or ""),
                               body=simplified(it.body or ""),
                               outlet=simplified(it.outlet) if it.outlet else it.outlet)


def restore_texts(ex, original) -> None:
    """After extraction of a Chinese item: the item as it stands in the file (with the
    outlet its body cites, when the item had none), and the figures', dates' and cues' own
    texts from the file (names keep their simplified form: 騰訊 and 腾讯 are one entity)."""
    if ex.item is original:
        return
    if ex.item.text != original.text:
        base, text = original.start, original.text
        for m in ex.metrics:
            m.text = text[m.start - base:m.end - base]
        for d in ex.dates:
            d.text = text[d.start - base:d.end - base]
        for ev in ex.events:
            ev.cue = text[ev.start - base:ev.end - base]
    outlet = ex.item.outlet
    ex.item = original if outlet == original.outlet else dataclasses.replace(original, outlet=outlet)


# ---------------------------------------------------------------- jieba


_USER_TAGS = {"Organization": "nt", "Person": "nr", "Place": "ns", "Product": "nz", "Index": "nz",
              "Asset": "n", "Outlet": "nt"}


@lru_cache(maxsize=1)
def segmenter():
    """jieba's part-of-speech tokenizer, made once per process: jieba's dictionary (its
    prefix table and its part-of-speech tags, from the cache in cache_dir(), made on first
    use from the dictionary in the package) and the gazetteer's Chinese names as user words.
    It is jieba's default one (jieba.posseg.dt, which importing jieba.posseg makes)."""
    import jieba
    from .. import gazetteer as gz
    jieba.setLogLevel(logging.WARNING)
    pos = _jieba_with_tables(jieba)
    for e in gz.load().entries.values():
        for a in e.aliases_zh:
            pos.tokenizer.add_word(simplified(a), 2000, _USER_TAGS.get(e.type, "nz"))
    for w, tag in EXTRA_WORDS:
        pos.tokenizer.add_word(w, 2000, tag)
    return pos


def _jieba_with_tables(jieba):
    """jieba.posseg.dt with jieba's prefix table and part-of-speech tags loaded from one
    cache file (cache_dir()/jieba-VERSION-SIZE.tables, made when missing).

    Why not jieba's own loading: its cache is read with marshal.load on the open file,
    which reads it piece by piece (0.6-0.8 CPU s), and importing jieba.posseg parses the
    dictionary's 349,045 lines again for the tags (0.3-0.4 s); marshal.loads of the bytes of
    one file holding both takes 0.3 s. The tables are the same either way (a test checks)."""
    import io
    import sys
    if jieba.dt.dictionary != jieba.DEFAULT_DICT:  # the process chose another dictionary: jieba loads it
        import jieba.posseg
        jieba.posseg.dt.initialize()
        return jieba.posseg.dt
    dict_file = os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)
    path = cache_dir() / f"jieba-{jieba.__version__}-{os.path.getsize(dict_file)}.tables"
    tables = _read_tables(path)
    if tables is None or "jieba.posseg" in sys.modules:
        import jieba.posseg
        pos = jieba.posseg.dt
        if tables is None:
            freq, total = jieba.dt.gen_pfdict(jieba.dt.get_dict_file())
            words = {w: w for w in freq}  # the tags' words as the same strings: marshal writes each once
            tables = (freq, total, {words.get(w, w): tag for w, tag in pos.word_tag_tab.items()})
            _write_tables(path, tables)
    else:
        # importing jieba.posseg makes jieba.posseg.dt, which parses the dictionary for its
        # tags: it is given an empty file to parse, the tags come from the cache
        jieba.dt.get_dict_file = lambda: io.BytesIO(b"")
        try:
            import jieba.posseg
        finally:
            del jieba.dt.get_dict_file
        pos = jieba.posseg.dt
    freq, total, tags = tables
    pos.tokenizer.FREQ, pos.tokenizer.total, pos.tokenizer.initialized = freq, total, True
    pos.word_tag_tab = tags
    return pos


def _read_tables(path: Path):
    import marshal
    try:
        tables = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not (isinstance(tables, tuple) and len(tables) == 3 and isinstance(tables[0], dict)
            and isinstance(tables[1], int) and isinstance(tables[2], dict)):
        return None  # not ours, or damaged: made again
    return tables


def _write_tables(path: Path, tables) -> None:
    import marshal
    from ..atomic import write_atomic
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, marshal.dumps(tables), sync=False)
    except OSError:  # a read-only home: the tables are made in memory each time
        pass


# words jieba's dictionary lacks or splits in this genre
EXTRA_WORDS = [("首席执行官", "n"), ("董事长", "n"), ("联合创始人", "n"), ("发布会", "n")]


def _known(word: str) -> bool:
    return bool(segmenter().tokenizer.FREQ.get(word))


def tokens(text: str, base: int = 0) -> list[tuple[int, int, str, str]]:
    """(start, end, word, tag) of jieba's words in `text` (simplified), offsets + `base`."""
    out, pos = [], base
    for w, tag in segmenter().cut(text):
        out.append((pos, pos + len(w), w, tag))
        pos += len(w)
    return out


class _Cue:
    """The cues' pattern, made on first use (it joins patterns defined further down)."""
    pat = None

    def finditer(self, text):
        if _Cue.pat is None:
            _Cue.pat = re.compile("|".join([TITLES, r"表示|称|说|指出|透露|强调|宣布", r"在|于|位于|来自|赴|落户|进入|登陆",
                                            PLACE_SUFFIX.pattern.rstrip("$"), ORG_SUFFIX.pattern.rstrip("$"), r"“",
                                            TRIGGER_RE.pattern]))
        return _Cue.pat.finditer(text)


CUE = _Cue()


def cue_tokens(text: str) -> list[tuple[int, int, str, str]]:
    """jieba's words in the clauses where a name rule can fire: a title, a verb of saying,
    a place word, an organisation suffix, a quoted name or an event trigger. jieba segments
    each run between punctuation on its own, so a clause gives the same words alone as in
    the whole text; tagging only these clauses keeps the cost of Chinese items down."""
    spans = []
    for m in CUE.finditer(text):
        a = _comma_clause_start(text, m.start())
        b = COMMA_BREAK.search(text, m.end())
        spans.append((a, b.start() if b else len(text)))
    if not spans:
        return []
    spans.sort()
    merged = [list(spans[0])]
    for a, b in spans[1:]:
        if a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out = []
    for a, b in merged:
        out.extend(tokens(text[a:b], a))
    return out


# ---------------------------------------------------------------- unknown names

TITLES = (r"首席执行官|首席财务官|首席技术官|首席经济学家|联合创始人|创始人|董事长|董事会主席|副董事长|"
          r"总裁|副总裁|总经理|行长|主席|总理|部长|局长|经济学家|分析师|CEO|CFO|CTO|COO|发言人|负责人|总监|合伙人")
TITLE_BEFORE = re.compile(r"(?:" + TITLES + r")$")
SAY_AFTER = re.compile(r"^(?:表示|称|说|指出|认为|透露|坦言|强调|介绍|回应|宣布)")
# (于 of 用于/对于/由于/基于/等于…: no place after it)
PLACE_BEFORE = re.compile(r"(?:在|(?<![用对关由等属基在至终急勇善过])于|来自|赴|落户|进入|登陆)$")
NOT_PLACE = re.compile(r"^(?:城市|上市|市场|海外|全球|国内|国外|国际|本地|当地|各地|境内|境外|内地|线上|线下|云)$")
PLACE_SUFFIX = re.compile(r"(?:省|市|州|县|区|岛|湾|镇)$")
ORG_SUFFIX = re.compile(r"(?:公司|集团|银行|证券|基金|资本|科技|技术|控股|汽车|电子|智能|机器人|半导体|"
                        r"医药|能源|传媒|交易所|研究院|实验室|委员会|统计局|监管局|管理局|总局|部委)$")
NOT_NAME = re.compile(r"^(?:公司|集团|该公司|本公司|其|该|此|今年|去年|市场|行业|企业|平台|官方|内部|外部|"
                      r"投资者|消费者|用户|客户|监管|政府|董事会|管理层|团队)$")
# a category word before a name: 初创星跃智能, 播客平台“声浪”
CATEGORY = re.compile(r"初创(?:公司|企业)?|公司|企业|厂商|平台|品牌|旗下|独角兽|开发商|服务商|供应商|运营商|"
                      r"制造商|创企|新势力|大厂|巨头|券商|工具|软件|应用|机构")


def _overlaps(s: int, e: int, taken: list[tuple[int, int]]) -> bool:
    return any(s < te and ts < e for ts, te in taken)


def rule_mentions(text: str, offset: int, existing: list[Mention]) -> list[Mention]:
    """Unknown names in a Chinese text (simplified): persons (a jieba nr word after a title
    or before 表示/称…), organisations (nt words; words with an organisation suffix),
    places (ns words after 在/于/位于…, or with a place suffix), products (a quoted name
    right after 发布/推出/上线), and a trigger's subject (see trigger_subjects)."""
    corefer(existing)
    taken = [(m.start - offset, m.end - offset) for m in existing]
    found: list[Mention] = []

    def add(s: int, e: int, typ: str) -> None:
        name = text[s:e]
        if e - s < 2 or _overlaps(s, e, taken) or NOT_NAME.match(name):
            return
        taken.append((s, e))
        found.append(Mention(text=name, start=offset + s, end=offset + e, type=typ, source="rule"))

    toks = cue_tokens(text)
    for i, (s, e, w, tag) in enumerate(toks):
        before = text[max(0, s - 8):s]
        after = text[e:e + 4]
        if tag in ("nr", "nrfg", "nrt") and 2 <= len(w) <= 4 and re.fullmatch(r"[\u4e00-\u9fff·]+", w):
            if TITLE_BEFORE.search(before) or SAY_AFTER.match(after):
                add(s, e, "Person")
        elif tag == "nt" and len(w) >= 3:
            add(s, e, "Organization")
        elif tag == "ns" and len(w) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", w) and not NOT_PLACE.match(w):
            # a word the dictionary knows (not one jieba's HMM made up: 在美自建 -> 美自建)
            if (PLACE_SUFFIX.search(w) and len(w) >= 3) or (PLACE_BEFORE.search(before) and _known(w)):
                add(s, e, "Place")
    for m in QUOTED_PRODUCT.finditer(text):
        add(m.start("name"), m.end("name"), "Product")
    for s, e in trigger_subjects(text, toks, taken):
        add(s, e, "Organization")
    abbreviations(found, existing)
    return found


def _abbreviates(short: str, long: str) -> bool:
    """监管总局 of 国家市场监督管理总局: the short name's characters in order in the long
    one, the last character the same (a Chinese abbreviation keeps the kind of body)."""
    if len(short) >= len(long) or short[-1] != long[-1]:
        return False
    k = 0
    for ch in long:
        if ch == short[k]:
            k += 1
            if k == len(short):
                return True
    return False


def abbreviations(found: list[Mention], known: list[Mention]) -> None:
    """An unknown organisation name that abbreviates a known one of the same item is that
    one (a headline's 监管总局 for the body's 国家市场监督管理总局)."""
    longs = [m for m in known if m.entity_id and m.type == "Organization"]
    if not longs:
        return
    for m in found:
        if m.type == "Organization" and m.entity_id is None:
            for n in longs:
                if _abbreviates(m.text, n.text):
                    m.entity_id = n.entity_id
                    break


CREDIT = re.compile(r"[（(](?:图片来源|图片|图源|配图|题图|封面图|视频来源|图表来源|数据来源)\s*[:：][^（）()]*[）)]")


def drop_credits(text: str, offset: int, mentions: list[Mention]) -> list[Mention]:
    """Names inside an image or chart credit (（图片来源：视觉中国）) are no entities of the
    story; a currency written before its amount (新台币3,205亿元) is the figure's unit."""
    spans = [m.span() for m in CREDIT.finditer(text)]
    return [m for m in mentions if not any(s <= m.start - offset and m.end - offset <= e for s, e in spans)
            and not (m.type == "Asset" and re.match(r"\s?\d", text[m.end - offset:m.end - offset + 2]))]


def corefer(mentions: list[Mention]) -> None:
    """A gazetteer name of an item that is part of a longer gazetteer name of another
    entity of the same type in the same item is that entity: after 香港证监会, 证监会 is
    Hong Kong's regulator, not the mainland's (the longer name is the more specific)."""
    known = [m for m in mentions if m.entity_id]
    for m in known:
        for n in known:
            if n is not m and n.type == m.type and n.entity_id != m.entity_id \
                    and len(n.text) > len(m.text) and n.text.endswith(m.text):
                m.entity_id = n.entity_id
                break


QUOTED_PRODUCT = re.compile(r"(?:发布|推出|上线|开源|亮相|名为|命名为)[^，。；“”]{0,12}“(?P<name>[^“”，。]{2,16})”")

NAMEISH = {"nz", "nt", "nr", "nrt", "nrfg", "eng", "j", "x"}
# words between a subject and its trigger: 已完成…融资, 宣布与…, 上周五发布
CHAIN_WORD = re.compile(r"已|将|正式|宣布|完成|获得|获|再度|再次|近日|日前|今日|今天|昨日|昨天|本周|上周|周[一二三四五六日]|同日|当日|当天|次日|的|"
                        r"\d{1,2}月\d{1,2}日|计划|拟|有意|表示|称|在|于|与|和|对|向|以|斥资|出资")


def trigger_subjects(text: str, toks, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Unknown organisations as a trigger's subject: at the start of a clause, the name-like
    words (jieba's nz/nt/nr/eng…, or an unknown word the dictionary splits) just before a
    chain of 已/将/宣布/完成… and a trigger (融资, 收购, 上市, 发布…), after a category word
    (深圳机器人初创星跃智能 -> 星跃智能)."""
    out = []
    for m in TRIGGER_RE.finditer(text):
        k = m.start()
        left = _clause_start(text, k)
        s = left
        for cm in CATEGORY.finditer(text, left, k):
            s = cm.end()
        s = _skip_lead(text, s, k)
        # the name runs up to the first word of the verb chain (已, 宣布, 完成, a date…)
        c = CHAIN_WORD.search(text, s, k)
        name_end = c.start() if c else k
        if name_end - s < 2 or name_end - s > 12 or _overlaps(s, name_end, taken):
            continue
        name = text[s:name_end]
        if not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9·]+", name) or NOT_NAME.match(name):
            continue
        # name-like: jieba calls some word in it a name, or splits it into short words
        words = [t for t in toks if s <= t[0] and t[1] <= name_end]
        if not words or words[0][0] != s or words[-1][1] != name_end:
            continue
        if not any(t[3] in NAMEISH for t in words) and not (len(words) >= 2 and all(len(t[2]) <= 2 for t in words)):
            continue
        if any(t[3] in ("v", "p", "d", "m", "t", "r", "c", "u", "uj", "f") for t in words):
            continue
        out.append((s, name_end))
    return out


LEAD = re.compile(r"(?:据[^，,]{1,12}(?:报道|消息|援引)[，,]?|(?:此外|另外|同时|目前|近日|日前|今日|昨日)[，,]?)")


def _skip_lead(text: str, s: int, e: int) -> int:
    m = LEAD.match(text, s, e)
    return m.end() if m else s


CLAUSE_BREAK = re.compile(r"[；;。！？!?\n，,、：:（）()]")


def _clause_start(text: str, k: int) -> int:
    left = 0
    for m in CLAUSE_BREAK.finditer(text, 0, k):
        left = m.end()
    return left


# ---------------------------------------------------------------- figures

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = {"万亿": 10**12, "千亿": 10**11, "亿": 10**8, "千万": 10**7, "百万": 10**6, "万": 10**4, "千": 10**3}
_CUR = {"美元": "USD", "美金": "USD", "欧元": "EUR", "英镑": "GBP", "日元": "JPY", "港元": "HKD",
        "港币": "HKD", "人民币": "CNY", "元": "CNY", "韩元": "KRW", "新台币": "TWD", "台币": "TWD"}
MONEY_RANGE = re.compile(r"(?<![\d.,])(?P<a>" + _NUM + r")\s?(?P<sa>万亿|千亿|亿|千万|百万|万)?\s?(?P<ca>(?:港|美|人民币|欧)?元)?"
                         r"\s?(?:-|–|—|~|～|至|到)\s?(?P<b>" + _NUM + r")\s?(?P<sb>万亿|千亿|亿|千万|百万|万)?\s?"
                         r"(?P<cur>新台币|港元|港币|美元|美金|欧元|英镑|日元|韩元|人民币|元)")
# the currency before the number: 人民币500亿元, 新台币3,205亿元, 港币12元
MONEY_PREFIX = re.compile(r"(?P<cur>新台币|人民币|港币|港元|美元|欧元|日元|英镑)\s?(?P<num>" + _NUM + r")\s?"
                          r"(?P<scale>万亿|千亿|亿|千万|百万|万)?\s?元?")
# a scaled number with no unit after a count noun: 年度活跃用户突破7亿, 参数规模达2.4万亿
BARE_SCALED = re.compile(r"(?<![\d.,])(?P<num>" + _NUM + r")\s?(?P<scale>万亿|亿|万)(?![\d.]|亿|千|百|\s?(?:[美港欧日韩英台]|人民币|元|美金|"
                         r"名|人|个|次|单|座|种|位|项|笔|架|颗|枚|份|户|台|块|家|款|辆|吨|平方|股|桶|盎司|美|港))")
COUNT_NOUN = re.compile(r"用户|下载|订单|参数|人次|访问|月活|日活|粉丝|会员|客户|装机|出货|销量|播放|观看|注册|Token|token|调用")
POINTS = re.compile(r"(?<![\d.,])(?P<num>" + _NUM + r")\s?点(?![钟半])")
POINTS_CTX = re.compile(r"(?:指数?|恒指|收报|报|收于|至|升|涨|跌|跌至|升至|失守|站上|突破|重上|重返|关口)[^，。；]{0,6}$")
BPS = re.compile(r"(?<![\d.,])(?P<num>" + _NUM + r")\s?个?基点")
ENERGY = re.compile(r"(?<![\d.,])(?P<num>" + _NUM + r")\s?(?P<u>GWh|MWh|GW|MW|吉瓦时|兆瓦时|吉瓦|兆瓦)(?![A-Za-z])")
ENERGY_UNIT = {"GWh": "GWh", "吉瓦时": "GWh", "MWh": "MWh", "兆瓦时": "MWh", "GW": "GW", "吉瓦": "GW",
               "MW": "MW", "兆瓦": "MW"}
SCALE_WORD = re.compile(r"[一二两三四五六七八九十百千]+倍")


def figures(text: str, add, free, bounds: Optional[Bounds] = None) -> None:
    """Chinese figures the shared patterns miss or misread, added through `add(s, e,
    value, unit, qualifiers, direction)` of kg.extract.metrics.find_metrics: money ranges,
    index points, basis points. Spans of `十倍` are taken as no figure."""
    from decimal import Decimal
    from .metrics import _direction  # noqa: the figure's direction words, shared
    bounds = bounds if bounds is not None and bounds.text is text else Bounds(text)
    for m in MONEY_PREFIX.finditer(text):
        if free(*m.span()) and (m.group("scale") or text[m.end() - 1] == "元"):
            v = Decimal(m.group("num").replace(",", "")) * _SCALE.get(m.group("scale"), 1)
            add(m.start(), m.end(), v, _CUR[m.group("cur")], [], None)
    for m in MONEY_RANGE.finditer(text):
        if not free(*m.span()):
            continue
        a, b = Decimal(m.group("a").replace(",", "")), Decimal(m.group("b").replace(",", ""))
        sb = m.group("sb")
        sa = m.group("sa") or sb
        va, vb = a * _SCALE.get(sa, 1), b * _SCALE.get(sb, 1)
        if va >= vb:
            continue
        cur = _CUR[m.group("cur")]
        add(m.start("a"), m.end("sa") if m.group("sa") else m.end("a"), va, cur, ["lower_bound"], None)
        add(m.start("b"), m.end(), vb, cur, ["upper_bound"], None)
    for m in POINTS.finditer(text):
        if not free(*m.span()):
            continue
        before = text[max(0, m.start() - 12):m.start()]
        if not POINTS_CTX.search(before):
            continue
        direction, is_level = _direction(bounds, m.start(), m.end())
        v = Decimal(m.group("num").replace(",", ""))
        if direction == "down" and not is_level and not re.search(r"(?:收报|报|收于|至)\s*$", before):
            v = -v
        elif re.search(r"(?:收报|报|收于|至)\s*$", before):
            direction = None
        add(m.start(), m.end(), v, "points", [], direction)
    for m in BARE_SCALED.finditer(text):
        if free(*m.span()) and COUNT_NOUN.search(text, _comma_clause_start(text, m.start()), m.start()):
            add(m.start(), m.end(), Decimal(m.group("num").replace(",", "")) * _SCALE[m.group("scale")], "count", [], None)
    for m in ENERGY.finditer(text):
        if free(*m.span()):
            add(m.start(), m.end(), Decimal(m.group("num").replace(",", "")), ENERGY_UNIT[m.group("u")], [], None)
    for m in BPS.finditer(text):
        if not free(*m.span()):
            continue
        direction, is_level = _direction(bounds, m.start(), m.end())
        before = text[max(0, m.start() - 6):m.start()]
        if re.search(r"降息|减息|下调|调降|削减", before):
            direction = "down"
        elif re.search(r"加息|上调|调升", before):
            direction = "up"
        v = Decimal(m.group("num").replace(",", ""))
        if direction == "down" and not is_level:
            v = -v
        add(m.start(), m.end(), v, "bps", ["change"] if direction else [], direction)


def not_figures(text: str) -> list[tuple[int, int]]:
    """Spans that are no figure: 十倍, 两倍 (a multiple in words)."""
    return [m.span() for m in SCALE_WORD.finditer(text)]


# ---------------------------------------------------------------- subjects

SUBJECT_TYPES = ("Organization", "Index", "Asset", "Product")
RESPECTIVELY = re.compile(r"分别")


def main_actor(mentions: list[Mention], offset: int, text: str) -> Optional[int]:
    """The item's main actor: the first company or index it names (Chinese news names its
    subject first, in the headline), else the first subject-type mention."""
    first = None
    for i, m in enumerate(mentions):
        if m.type not in SUBJECT_TYPES or _in_source(text, m.start - offset) or _possessor(text, m.end - offset, 0):
            continue
        if first is None:
            first = i
        if m.type in ("Organization", "Index"):
            return i
    return first


def assign_subjects(text: str, offset: int, mentions: list[Mention], metrics: list[MetricMention],
                    bounds: Optional[Bounds] = None) -> None:
    """Chinese corrections of the subjects the shared rule gave: `A、B分别下跌1%和2%` pairs
    names and figures in order; a figure whose clause says 其 before it with no name between
    belongs to the item's main actor; a figure whose clause names no subject takes the
    subject of its sentence (the first name of the sentence) rather than a name after it."""
    cands = [(i, m.start - offset, m.end - offset) for i, m in enumerate(mentions) if m.type in SUBJECT_TYPES]
    bounds = bounds if bounds is not None and bounds.text is text else Bounds(text)
    # 分别
    for rm in RESPECTIVELY.finditer(text):
        k = rm.start()
        sent_l = _sentence_start(text, k)
        names = []
        for i, s, e in cands:
            if sent_l <= s and e <= k:
                names.append(i)
        # the names listed right before 分别: joined by 、/和/与/及
        listed = []
        for i in reversed(names):
            s, e = mentions[i].start - offset, mentions[i].end - offset
            if not listed:
                if re.fullmatch(r"[\s\w]{0,4}", text[e:k]) is None:
                    break
                listed.append(i)
                continue
            ps = mentions[listed[-1]].start - offset
            if re.fullmatch(r"\s*[、,，和与及]\s*", text[e:ps]):
                listed.append(i)
            else:
                break
        listed.reverse()
        if len(listed) < 2:
            continue
        end = _sentence_end(text, k)
        figs = [mt for mt in metrics if k <= mt.start - offset < end]
        if len(figs) == len(listed):
            for i, mt in zip(listed, figs):
                mt.subject, mt.subject_name = i, None
    main = main_actor(mentions, offset, text)
    product = next((i for i, m in enumerate(mentions) if m.type == "Product"), None)
    for mt in metrics:
        s = mt.start - offset
        left = bounds.clause_start(s)
        clause = text[left:s]
        if product is not None and mt.unit not in ("percent", "count", "points", "bps") and PRICE_WORDS.search(clause) \
                and not any(left <= cs and ce <= s for _, cs, ce in cands):
            mt.subject, mt.subject_name = product, None  # 售价149美元: the price of the item's product
            continue
        k = clause.rfind("其")
        if k != -1 and main is not None and not any(left + k < cs and ce <= s for _, cs, ce in cands):
            # 其 opening a sentence that names no one before it: the topic of the sentence
            # before (…长芯存储同日完成备案。据报道，其估值… -> 长芯存储), else the main actor
            sl = _sentence_start(text, s)
            prev = None
            if sl > 0 and not any(sl <= cs and ce <= s for _, cs, ce in cands):
                psl = _sentence_start(text, sl - 1)
                prev = next((i for i, cs, ce in cands if psl <= cs and ce < sl
                             and not PP_BEFORE.search(text[max(psl, cs - 10):cs]) and not _in_source(text, cs)
                             and not _possessor(text, ce, s) and not _reporter(text, ce)), None)
            mt.subject, mt.subject_name = (main if prev is None else prev), None
            continue
        if mt.subject is not None and _reporter(text, mentions[mt.subject].end - offset):
            mt.subject = None  # 国家统计局数据显示…: the reporter, not the subject
            topic = _sentence_topic(text, s, cands, offset, mentions)
            if topic is not None:
                mt.subject = topic
            continue
        if mt.subject is not None and not any(left <= cs and ce <= s for _, cs, ce in cands):
            # the figure's clause names no subject before it (a pro-drop clause): the
            # sentence's topic (its first name no preposition governs) is the subject, and
            # a sentence that names none is about the item's main actor
            topic = _sentence_topic(text, s, cands, offset, mentions)
            if topic is None and not any(_sentence_start(text, s) <= cs < _sentence_end(text, s) for _, cs, _ in cands):
                topic = main
            if topic is not None:
                mt.subject = topic


PRICE_WORDS = re.compile(r"售价|定价|零售价|起售价|标价|价格为")
SENT_END = re.compile(r"[。！？!?；;\n]")


def _after_last(pat: re.Pattern, text: str, k: int) -> int:
    """The end of the last match of `pat` before `k` (0 when there is none)."""
    left = 0
    for m in pat.finditer(text, 0, k):
        left = m.end()
    return left


def _sentence_start(text: str, k: int) -> int:
    return _after_last(SENT_END, text, k)


def _sentence_end(text: str, k: int) -> int:
    m = SENT_END.search(text, k)
    return m.start() if m else len(text)


PP_BEFORE = re.compile(r"(?:对|向|与|和|同|跟|把|被|由|为|给|据|在|从|将)$|(?:与|同|跟|携手|联手|被|由)[^，。；,、与和同跟被由的]{1,8}$")
# a trigger after these is a condition, not a fact: 仍需监管部门批准
NEEDED = re.compile(r"需要|尚需|仍需|还需|有待|等待|须经|需经|需")
DEAL = re.compile(r"收购|并购|融资|入股")
# a trigger after these in its clause tells of the past, for context: no event
HISTORICAL = re.compile(r"此前|早前|之前|曾经|曾|去年|前年|过去")


COMMA_BREAK = re.compile(r"[，,；;：:。！？!?\n]")


def _comma_clause_start(text: str, k: int) -> int:
    return _after_last(COMMA_BREAK, text, k)


def _sentence_topic(text, s, cands, offset, mentions) -> Optional[int]:
    """The subject a pro-drop clause continues: going back clause by clause in the sentence
    around `s`, the first subject-type name of the nearest clause that has one that no
    preposition governs (not 据彭博报道, 对X, 与X) and that owns nothing (not Claude的开发商)."""
    sl = _sentence_start(text, s)
    starts = [sl] + [m.end() for m in COMMA_BREAK.finditer(text, sl, s)]
    for a, b in zip(reversed(starts[:-1]), reversed(starts[1:])):
        for i, cs, ce in cands:
            if a <= cs and ce <= b and not PP_BEFORE.search(text[max(sl, cs - 10):cs]) \
                    and not _in_source(text, cs) and not _possessor(text, ce, s) and not _reporter(text, ce):
                return i
    return None


def _in_source(text: str, k: int) -> bool:
    return bool(re.search(r"据[^，。]{0,10}$", text[max(0, k - 12):k]))


# ---------------------------------------------------------------- events

# (event type, triggers); the actor is the trigger's subject
TRIGGERS: list[tuple[str, str]] = [
    ("Funding", r"完成[^，。；]{0,16}融资|获得?[^，。；]{0,16}(?:融资|投资)|融资|募资|募集资金"),
    ("Acquisition", r"收购|并购|全资买下|吞并"),
    ("ProductRelease", r"发布(?![^，。；,]{0,24}(?:业绩|财报|季报|年报|报告|数据|公告|声明|指引|预警))|推出|上线|开源|亮相|首发|面世"),
    ("Partnership", r"合作|结盟|签约|签署[^，。；]{0,8}协议|携手|联手|联名"),
    ("IPO", r"(?:赴港|赴美)?上市(?!公司|首日|以来|后|时|新品)|递表|招股|IPO"),
    ("RateDecision", r"降息|加息|减息|降准|(?:维持|保持)[^，。；,]{0,4}利率|利率[^，。；,]{0,4}不变|(?:下调|上调|调降|调升)[^，。；]{0,10}(?:利率|准备金率)|(?:利率|准备金率)(?:下调|上调|调降|调升)"),
    ("RegulatoryAction", r"罚款|处罚|调查|立案|约谈|审查|反垄断|禁令|出口管制|批准|核准|叫停|制裁"),
    ("Lawsuit", r"起诉|诉讼|提告|告上法庭"),
    ("EarningsReport", r"财报|业绩|季报|年报"),
    ("Forecast", r"预测|预计|预期|指引"),
]
TRIGGER_RE = re.compile("|".join(f"(?:{p})" for t, p in TRIGGERS if t not in ("Forecast", "EarningsReport")))
_TRIGGERS = [(t, re.compile(p)) for t, p in TRIGGERS]
ACTOR_TYPES = {"Organization", "Person"}
# event types the shared rules read well enough on Chinese text (figures, moves, levels)
REGULATORS = re.compile(r"(?:委员会|监管局|管理局|证监会|银保监会|金管局|央行|银行|部|署|局|法院|政府|交易所)$")


@lru_cache(maxsize=1)
def shared_cues():
    """The shared cues the Chinese rules keep: moves and levels (跌, 涨, 创新高…): one list,
    made once (kg.extract.events keeps its index of a list of cues by the list)."""
    from .events import CUES
    return [c for c in CUES if c[0] in ("Move", "Level")]


def find_events(text: str, offset: int, mentions: list[Mention], metrics: list[MetricMention],
                bounds: Bounds, shared_events) -> list[EventMention]:
    """Events of a Chinese item: the shared events (moves and levels from figures, capital
    expenditure) plus the trigger lexicon's, each with its subject as the actor."""
    events: list[EventMention] = list(shared_events)
    seen = {(ev.type, tuple(ev.actors)) for ev in events}
    for typ, pat in _TRIGGERS:
        for m in pat.finditer(text):
            s, e = m.span()
            if typ == "Forecast" and not _forecast_ok(text, s) and not (
                    text[s:s + 2] == "预计" and any(m.type == "Organization" and 0 <= s - (m.end - offset) <= 1
                                                   for m in mentions)):
                continue  # 预计 right after a company (阿里巴巴预计…) is its own forecast
            if HISTORICAL.search(text, _comma_clause_start(text, s), s) or \
                    NEEDED.search(text, _comma_clause_start(text, s), s):
                continue
            if typ == "Partnership" and DEAL.search(text, _sentence_start(text, s), _sentence_end(text, s)):
                continue  # 签署协议…收购: the agreement is the deal's, not a partnership
            if typ == "ProductRelease" and re.match(r"\s*(?:[，。；,.;！!？?）)]|$)", text[e:e + 2]):
                continue  # 分批上线。: something goes live; a release has an object
            actors = _trigger_actors(text, offset, s, e, mentions, typ)
            if typ == "IPO":
                continue  # no IPO type in the event list: a listing is not scored as an event
            for a in actors:
                key = (typ, (a,))
                dup = any(k[0] == typ and k[1] and _same(mentions, k[1][0], a) for k in seen)
                if dup:
                    continue
                seen.add(key)
                events.append(EventMention(type=typ, cue=m.group(0), start=offset + s, end=offset + e, actors=[a]))
    for ev in events:
        if ev.metrics:
            continue
        for mi, met in enumerate(metrics):
            if met.subject is not None and ev.actors and _same(mentions, met.subject, ev.actors[0]) \
                    and _fits(ev.type, met):
                ev.metrics.append(mi)
    return events


def _fits(typ: str, met: MetricMention) -> bool:
    from .events import _fits as shared
    return shared(typ, met)


def _same(mentions, a, b) -> bool:
    ma, mb = mentions[a], mentions[b]
    if ma.entity_id and mb.entity_id:
        return ma.entity_id == mb.entity_id
    return ma.text == mb.text


def _forecast_ok(text: str, s: int) -> bool:
    """预计 as a company's guidance (公司预计…, 指引), not a reporter's 'expected to'."""
    return text[s:s + 2] == "指引"


def _trigger_actors(text: str, offset: int, s: int, e: int, mentions: list[Mention], typ: str) -> list[int]:
    """The trigger's subject: the last name before it in its clause that no preposition
    governs (对X调查: X is the object; 被X收购: X is the actor), else the first free name of the
    sentence before it. Partnership: the subject and every name joined to it by 与/和/同/跟/、."""
    cl = _clause_start(text, s)
    sl = _sentence_start(text, s)
    ms = [(i, m.start - offset, m.end - offset) for i, m in enumerate(mentions) if m.type in ACTOR_TYPES]
    if typ == "RateDecision":
        ms = [x for x in ms if mentions[x[0]].type == "Organization"]
    # 被X收购 / 由X领投: the agent
    passive = [x for x in ms if cl <= x[1] and x[2] <= s and re.search(r"(?:被|遭)$", text[max(cl, x[1] - 1):x[1]])]
    if passive and typ in ("Acquisition", "RegulatoryAction", "Lawsuit"):
        return [passive[-1][0]]
    free_ = [x for x in ms if sl <= x[1] and x[2] <= s and not PP_BEFORE.search(text[max(sl, x[1] - 10):x[1]])
             and not _in_source(text, x[1]) and not _possessor(text, x[2], s)]
    in_clause = [x for x in free_ if x[1] >= cl]
    subj = in_clause[0] if in_clause else (free_[0] if free_ else None)
    if subj is None:
        # a name after the trigger in a 由X… or a post-posed subject is rare; a name right
        # after 与/和 before the trigger is a partner, not the subject
        if typ == "Partnership":
            partners = [x for x in ms if cl <= x[1] and x[2] <= s]
            return [x[0] for x in partners]
        return []
    out = [subj[0]]
    if typ == "Partnership":
        for x in ms:
            if x[1] > subj[2] and x[2] <= s and x[1] >= sl and re.search(
                    r"(?:与|和|同|跟|、|及|携手|联手)[^，。；,、与和]{0,8}$", text[max(sl, x[1] - 10):x[1]]):
                out.append(x[0])
        # 与X合作 after the trigger's clause start: also partners named right after 与 in the clause
    if typ == "RegulatoryAction":
        m0 = mentions[subj[0]]
        if m0.type == "Person":
            return []
    return out


REPORTER = re.compile(r"(?:的)?(?:最新)?(?:数据|统计|报告|调查|研究|监测|调研)(?:显示|表明|指出|称)")


def _reporter(text: str, e: int) -> bool:
    """A name followed by 数据显示/报告称: it reports the figures, it is not their subject."""
    return bool(REPORTER.match(text, e))


def _possessor(text: str, e: int, s: int) -> bool:
    """A name followed by 的/旗下 before the trigger: Claude的开发商…发布 is about the
    developer, not Claude."""
    return bool(re.match(r"(?:的|旗下|之)", text[e:e + 2]))


# ---------------------------------------------------------------- sources

WHEN = r"(?:周[一二三四五六日]|本周[一二三四五六日]?|昨日|今日|昨天|今天|日前|近日|当地时间[^，。]{0,6})?"
OUTLET_IN_BODY = re.compile(
    r"(?:^|[，。；\s])(?:据|根据|援引)(?P<a>[^，。；、“”（）()\s]{2,14}?)" + WHEN + r"(?:的)?(?:最新)?(?:报道|消息|报导|援引|披露|独家报道)"
    r"|(?:^|[。；\s])(?P<d>[^，。；、“”（）()\s]{2,10}?)(?:独家)?获悉[，,：:]"
    r"|(?:^|[。；\s])(?P<b>[^，。；、“”（）()\s]{2,10}?)(?:独家)?消息[，,：:]"
    r"|(?:^|[。；\s])(?P<c>[^，。；、“”（）()\s]{2,10}?)(?:周[一二三四五六日]|本周[一二三四五六日]|昨日|今日|日前|近日)?报道(?:称|说)?[，,：:]")
TRAILING_OUTLET = re.compile(r"[（(](?:来源|来源于|消息来源|稿源|信息来源|综合)?\s*[:：]?\s*(?P<o>[^（）()：:，。]{2,16})[）)]\s*[。.]?\s*$")
SOURCE_CUE_OUTLET = re.compile(r"(?:社|报|网|新闻|日报|时报|晚报|电台|电视台|财经|周刊|杂志|通讯社|LatePost|Post|News|Times|Journal)$")


def body_outlet(text: str, lookup) -> Optional[str]:
    """The outlet a Chinese item cites in its body: a trailing （X） or （来源：X）, else
    据X报道 / 据X消息 / X消息， / X报道称; X must be an outlet the gazetteer knows (`lookup`
    gives its id) or look like one (…社, …报, …新闻, …财经)."""
    cands = []
    t = TRAILING_OUTLET.search(text)
    if t:
        cands.append(t.group("o").strip())
    for m in OUTLET_IN_BODY.finditer(text):
        cands.append((m.group("a") or m.group("b") or m.group("c") or m.group("d")).strip())
    for c in cands:
        c = c.strip("《》〈〉「」『』")
        c = re.sub(r"^(?:美国|英国|日本|香港|台湾)?(?:媒体|外媒)", "", c) or c
        if lookup(c) or SOURCE_CUE_OUTLET.search(c):
            return c
    return None


# ---------------------------------------------------------------- measures

CAPEX_ZH = re.compile(r"资本开支|资本支出|建设|兴建|建厂|工厂|数据中心|算力中心|扩产|产能")
MEASURES_ZH = [
    ("rate", re.compile(r"准备金率|基准利率|基本利率|贷款市场报价利率|LPR|利率")),
    ("index_level", re.compile(r"(?:收报|报|收于)\s*$")),
    ("target_price", re.compile(r"目标价")),
    ("turnover", re.compile(r"成交额|成交金额|成交量")),
    ("sales", re.compile(r"销量|交付量|出货量")),
    ("buyback", re.compile(r"回购")),
    ("dividend", re.compile(r"股息|派息|分红")),
    ("rnd", re.compile(r"研发(?:开支|投入|费用|支出)")),
    ("loss", re.compile(r"亏损|经营亏损")),
]


YOY_MORE = re.compile(r"年增|年减|年比|较去年同期|比去年同期")
MOM = re.compile(r"月增|月减|月比|较上月|比上月|环比上月")
# falls the shared direction words lack
DOWN_MORE = re.compile(r"回落|收窄|回调|走弱|下行|萎缩|缩减|收缩|年减|月减")


def refine_measures(text: str, found) -> None:
    """Chinese measure words the shared list lacks, read in the figure's clause before the
    figure: 准备金率 (a rate, not a share price), 目标价, 成交额, 销量, 回购, 股息, 研发开支,
    亏损; a level after 收报/报 is an index level. Points are index levels."""
    prev, prev_s = None, 0
    for s, e, m in found:
        if m.unit == "percent":
            before = text[max(_clause_start(text, s), s - 8):s]
            if YOY_MORE.search(before) and "YoY" not in m.qualifiers:
                m.qualifiers = sorted(set(m.qualifiers) | {"YoY"})
            if MOM.search(before):
                m.qualifiers = sorted(set(m.qualifiers) | {"MoM"})
            if m.measure == "unknown" and {"YoY", "QoQ", "MoM"} & set(m.qualifiers):
                # 营收3,205亿元，月增8.3%: the change of the figure before it in the sentence
                m.measure = prev.measure if prev is not None and prev.measure != "unknown" \
                    and _sentence_start(text, s) <= prev_s else "growth"
        else:
            prev, prev_s = m, s
        if m.unit in ("percent", "points") and m.direction is None and m.value > 0 \
                and DOWN_MORE.search(text, max(_clause_start(text, s), s - 8), s):
            m.value, m.direction = -m.value, "down"  # 较上月回落0.8个百分点
            if "change" not in m.qualifiers:
                m.qualifiers = sorted(set(m.qualifiers) | {"change"})
        if m.unit == "points":
            m.measure = "index_level"
            continue
        left = _clause_start(text, s)
        before = text[left:s]
        if m.measure in ("investment", "unknown") and m.unit not in ("percent", "count", "points", "bps") \
                and re.search(r"投资|投入|斥资", text[_sentence_start(text, s):s]) \
                and CAPEX_ZH.search(text, _sentence_start(text, s), _sentence_end(text, s)):
            m.measure = "capex"  # 投资35亿美元建设工厂: capital expenditure
            continue
        for key, pat in MEASURES_ZH:
            if pat.search(before):
                if key == "index_level" and m.unit != "points":
                    continue
                m.measure = key
                break


def drop_rounded(text: str, offset: int, headline: str, metrics: list[MetricMention]) -> list[MetricMention]:
    """A headline figure that is a body figure rounded (headline 22%, body 22.3%) is that
    figure: each figure once, the body's precise value kept."""
    if not headline:
        return metrics
    h0 = text.find(headline)
    if h0 == -1:
        return metrics
    h1 = h0 + len(headline)

    def places(v) -> int:
        return max(0, -v.normalize().as_tuple().exponent)

    out = []
    for m in metrics:
        s = m.start - offset
        if h0 <= s < h1 and any(
                n is not m and n.unit == m.unit and not (h0 <= n.start - offset < h1)
                and places(n.value) > places(m.value) and (n.value > 0) == (m.value > 0)
                and round(n.value, places(m.value)) == m.value for n in metrics):
            continue
        out.append(m)
    return out
