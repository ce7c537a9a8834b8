"""Synthetic newsletter issues for benchmarks (and tests that need many issues).

Issues follow the seed's plain-text shape (a Chinese title line with number and date, a
source line, optionally a `中文翻译:` part with numbered sections and `- 来源:标题——正文`
items, then the `英文来源:` part with `- Section: Subtitle` bullets and
`- Outlet: Headline – body` items, and the trailer lines). Entities, indexes, assets and
outlets are drawn from the gazetteer (ontology/gazetteer/entities.tsv); sentences come from
the templates below (invented facts, no real text). Deterministic for a given seed.

    python bench/corpus.py 100 /tmp/corpus-100      # write 100 issues
"""
from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg import gazetteer as gz  # noqa: E402

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAYS_ZH = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# (kind, English headline – body, Chinese 标题——正文); slots: {o} {o2} organisation,
# {x} index, {a} asset, {p} product, {s} startup, {d} day, {p1} {p2} percents,
# {b} {b2} billions of dollars, {e1} {e2} EPS, {px} price, {n} count
TEMPLATES = [
    ("stock", "{o} Shares Jump {p1}% – {o} stock rose {p1}% {d} after the company raised its full-year outlook.",
     "{o}股价上涨{p1}%——{o}{d}股价上涨{p1}%,公司上调了全年业绩指引。"),
    ("stock", "{o} Sinks {p1}% – {o} shares plunged {p1}% {d} as investors balked at rising AI spending.",
     "{o}股价大跌{p1}%——{o}{d}股价重挫{p1}%,投资者担忧AI支出持续攀升。"),
    ("earnings", "{o} Beats Estimates – {o} reported quarterly revenue of ${b}B {d}, up {p2}% YoY; EPS ${e1} vs ${e2} expected.",
     "{o}业绩超预期——{o}{d}公布季度营收{bz}亿美元,同比增长{p2}%;每股收益{e1}美元 vs {e2}美元的市场预期。"),
    ("capex", "{o} Lifts Capex – {o} raised its 2026 capital expenditure budget to ${b}B {d} to add data-center capacity.",
     "{o}上调资本支出——{o}{d}将2026年资本支出预算上调至{bz}亿美元,以扩充数据中心产能。"),
    ("funding", "{s} Raises ${b2}B – {s} closed a new funding round of ${b2}B {d} at a ${b}B valuation.",
     "{s}融资{b2z}亿美元——{s}{d}完成{b2z}亿美元新一轮融资,估值{bz}亿美元。"),
    ("acquisition", "{o} Buys a Startup – {o} agreed {d} to acquire an AI startup for ${b2}B to strengthen its cloud unit.",
     "{o}收购AI初创公司——{o}{d}同意以{b2z}亿美元收购一家AI初创公司,以加强其云业务。"),
    ("index", "{x} Gains {p1}% – Chipmakers led the way as the {x} closed up {p1}% {d}, its best session in a month.",
     "{x}上涨{p1}%——芯片股领涨,{x}{d}上涨{p1}%,创一个月来最大单日涨幅。"),
    ("index", "{x} Slips {p1}% – The {x} fell {p1}% {d}, dragged by {o}.",
     "{x}下跌{p1}%——受{o}拖累,{x}{d}下跌{p1}%。"),
    ("asset", "{a} Climbs to ${px} – {a} rose {p1}% {d} to ${px}, as investors sought safety.",
     "{a}升至{px}美元——{a}{d}上涨{p1}%至{px}美元,投资者寻求避险。"),
    ("asset", "{a} Slides {p1}% – {a} fell {p1}% to ${px} {d}, extending last week's losses.",
     "{a}下跌{p1}%——{a}{d}下跌{p1}%至{px}美元,延续上周跌势。"),
    ("release", "{o} Ships a New Model – {o} released a new AI model {d}, claiming inference costs {p2}% lower than its predecessor.",
     "{o}发布新模型——{o}{d}发布新一代AI模型,称推理成本较上一代下降{p2}%。"),
    ("regulation", "Regulators Summon {o} – Regulators summoned {o} {d} over an AI price war; its shares fell {p1}%.",
     "监管部门约谈{o}——监管部门{d}就AI服务价格战约谈{o},其股价下跌{p1}%。"),
    ("layoff", "{o} Cuts {n} Jobs – {o} said {d} it will cut {n} jobs, about {p1}% of its staff, to fund AI projects.",
     "{o}裁员{n}人——{o}{d}表示将裁员{n}人,约占员工总数的{p1}%,以投入AI项目。"),
    ("partnership", "{o} and {o2} Team Up – {o} and {o2} announced a partnership {d} to co-develop AI chips.",
     "{o}与{o2}达成合作——{o}与{o2}{d}宣布合作,共同开发AI芯片。"),
    ("none", "IPO Window Stays Shut – Bankers said a wave of AI infrastructure listings is unlikely before the summer.",
     "IPO窗口仍未开启——银行家表示,AI基础设施公司的上市潮在夏季之前不太可能出现。"),
]
SECTIONS = [("Public Markets", "The Week in Stocks", "公开市场", "本周股市"),
            ("AI Labs", "Money and Models", "AI实验室", "资金与模型"),
            ("Supply Chain", "Capex and Curbs", "供应链", "扩产与监管"),
            ("Macro", "Rates and Havens", "宏观", "利率与避险")]
STARTUPS = ["Norvale AI", "Quillstone Labs", "Brightfold", "Kestrel Systems", "Larkspur AI"]


class _Names:
    def __init__(self, gaz: gz.Gazetteer):
        by_type: dict[str, list] = {}
        for e in sorted(gaz.entries.values(), key=lambda e: e.id):
            by_type.setdefault(e.type, []).append(e)
        self.orgs = by_type.get("Organization", []) or [gz.GazEntry("acme", "Organization", "Acme")]
        self.indexes = by_type.get("Index", []) or self.orgs
        self.assets = by_type.get("Asset", []) or self.orgs
        self.outlets = by_type.get("Outlet", []) or [gz.GazEntry("reuters", "Outlet", "Reuters")]

    @staticmethod
    def en(e) -> str:
        return e.name

    @staticmethod
    def zh(e) -> str:
        return e.aliases_zh[0] if e.aliases_zh else e.name


def _day(rng: random.Random, date: dt.date) -> tuple[str, str]:
    k = rng.randrange(5)
    if k == 0:
        return "yesterday", "昨日"
    if k == 1:
        d = date - dt.timedelta(days=rng.randint(2, 6))
        return f"on {WEEKDAYS[d.weekday()]}", WEEKDAYS_ZH[d.weekday()]
    if k == 2:
        return "last week", "上周"
    d = date - dt.timedelta(days=rng.randint(1, 9))
    return f"on {MONTHS[d.month - 1]} {d.day}", f"{d.month}月{d.day}日"


def _item(rng: random.Random, names: _Names, date: dt.date) -> tuple[str, str, str, str]:
    """(outlet en, outlet zh, English 'Headline – body', Chinese '标题——正文')."""
    _, en_t, zh_t = TEMPLATES[rng.randrange(len(TEMPLATES))]
    o, o2 = rng.sample(names.orgs, 2) if len(names.orgs) > 1 else (names.orgs[0], names.orgs[0])
    x, a, out = rng.choice(names.indexes), rng.choice(names.assets), rng.choice(names.outlets)
    s = rng.choice(STARTUPS)
    d_en, d_zh = _day(rng, date)
    b = rng.randint(12, 980) / 10                      # $1.2B .. $98B
    b2 = rng.randint(5, 150) / 10
    e1 = rng.randint(50, 600) / 100
    e2 = round(e1 - rng.randint(5, 40) / 100, 2)
    common = dict(p1=rng.choice(["1.2", "2.4", "3", "4.5", "6", "9", "0.6", "1.8", "12"]),
                  p2=str(rng.randint(5, 60)), e1=f"{e1:.2f}", e2=f"{e2:.2f}", s=s,
                  px=f"{rng.randint(1200, 98000):,}", n=f"{rng.randint(2, 120) * 100:,}")
    en = en_t.format(o=names.en(o), o2=names.en(o2), x=names.en(x), a=names.en(a), d=d_en,
                     b=f"{b:g}", b2=f"{b2:g}", **common)
    zh = zh_t.format(o=names.zh(o), o2=names.zh(o2), x=names.zh(x), a=names.zh(a), d=d_zh,
                     bz=f"{b * 10:g}", b2z=f"{b2 * 10:g}", **{**common, "px": common["px"].replace(",", "")})
    return names.en(out), names.zh(out), en, zh


def issue_text(number: int, date: dt.date, rng: random.Random, names: _Names, n_items: int = 15,
               bilingual: bool = False) -> str:
    """One issue; bilingual issues carry n_items // 2 English items and their translations."""
    n_en = max(1, n_items // 2) if bilingual else n_items
    items = [_item(rng, names, date) for _ in range(n_en)]
    per = max(1, -(-n_en // len(SECTIONS)))
    groups = [(SECTIONS[k], items[k * per:(k + 1) * per]) for k in range(len(SECTIONS)) if items[k * per:(k + 1) * per]]
    zh_date = f"{date.year}年{date.month}月{date.day}日"
    lead_o = items[0][2].split(" – ")[0]
    title = f"AI周刊 - 第{number}期:{items[0][3].split('——')[0]} - {zh_date}"
    lines = [title, "", f"内容来源:https://example.org/aiweekly/{number}"]
    if bilingual:
        lines += ["中文翻译:", "新闻聚焦:本周要闻", items[0][3].split("——")[1]]
        for k, ((_, _, zs, zsub), its) in enumerate(groups, start=1):
            lines.append(f"{k}. {zs}:{zsub}")
            lines += [f"- {oz}:{zh}" for _, oz, _, zh in its]
    lines += ["英文来源:", "In the News", f"This Week: {lead_o}", items[0][2].split(" – ")[1]]
    for (es, esub, _, _), its in groups:
        lines.append(f"- {es}: {esub}")
        lines += [f"- {oe}: {en}" for oe, _, en, _ in its]
    lines += [f"文章标题:{title}", f"文章链接:https://example.org/?post={number}",
              "本站文章均为原创,未经授权请勿用于任何商业用途"]
    return "\n".join(lines) + "\n"


def generate(n: int, seed: int = 0, n_items: int = 15, bilingual_every: int = 4, first: int = 1000,
             gazetteer: Optional[str] = None) -> list[tuple[str, str]]:
    """n issues as (file name, text): weekly from 2024-01-04, numbered from `first`; every
    `bilingual_every`-th issue also carries the Chinese translation."""
    names = _Names(gz.load(gazetteer))
    rng = random.Random(seed)
    start = dt.date(2024, 1, 4)
    out = []
    for k in range(n):
        number = first + k
        date = start + dt.timedelta(days=7 * k)
        bil = bool(bilingual_every) and k % bilingual_every == bilingual_every - 1
        out.append((f"aiweekly-{number}.txt", issue_text(number, date, rng, names, n_items, bil)))
    return out


def write_corpus(folder: str | Path, n: int, **kw) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate(n, **kw):
        p = folder / name
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/corpus.py N FOLDER")
    ps = write_corpus(sys.argv[2], int(sys.argv[1]))
    print(f"wrote {len(ps)} issues to {sys.argv[2]}")
