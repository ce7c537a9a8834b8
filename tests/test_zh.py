"""Chinese extraction (kg/extract/zh.py): traditional characters, unknown names, figures,
subjects, events, sources and dates. Every sentence here is our own."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from kg.extract import zh
from kg.extract.metrics import find_metrics

ROOT = Path(__file__).resolve().parents[1]
LAYOUTS = ROOT / "tests" / "data" / "layouts"


def view_of(text: str, pipes, date: str = "2026-04-15") -> dict:
    """One Chinese item through extraction and resolution, as `kg extract --json` shows it."""
    from kg import gazetteer as gz
    from kg.extract import extract_issue
    from kg.model import Issue, Item
    from kg.resolve import resolve
    from kg.view import issue_view

    it = Item(lang="zh", position=1, text=text, start=0, end=len(text), body=text)
    issue = Issue(newsletter="测试", number=1, date=date, source_file="t.txt",
                  content_hash="sha256:0", text=text, items=[it])
    kb = resolve([extract_issue(issue, pipes, gz.load())], gz.load())
    return issue_view(kb, kb.issues[0])["items"][0]


def names(v: dict) -> set[tuple[str, str]]:
    return {(e["name"], e["type"]) for e in v["entities"]}


def figures(v: dict) -> list[tuple[float, str, str]]:
    return [(m["value"], m["unit"], m["subject"]) for m in v["metrics"]]


def events(v: dict) -> set[tuple[str, str]]:
    return {(e["type"], a) for e in v["events"] for a in e["actors"]}


# ---------------------------------------------------------------- traditional characters

def test_simplified_keeps_every_offset():
    t = "騰訊控股週四公佈業績，營收達1,200億元。"
    s = zh.simplified(t)
    assert s == "腾讯控股周四公布业绩，营收达1,200亿元。"
    assert len(s) == len(t)
    assert zh.simplified("plain ASCII text") == "plain ASCII text"


def test_traditional_item_reads_as_the_gazetteer_names_and_keeps_its_own_text(rules):
    text = "騰訊股價週三上漲3.5%，收報480港元。"
    v = view_of(text, rules)
    assert ("Tencent", "Organization") in names(v)
    assert (3.5, "percent", "Tencent") in figures(v)
    # the figure's own text and the evidence stay in the original characters
    assert [m["text"] for m in v["metrics"]] == ["3.5%", "480港元"]
    assert v["date"] == "2026-04-15"  # 週三 of the issue's week
    ents = {e["name"]: e for e in v["entities"]}
    s, e = ents["Tencent"]["span"]
    assert text[s:e] == "騰訊"


# ---------------------------------------------------------------- jieba: loaded once, only for Chinese, cache folder

def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "c"))
    assert zh.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("KG_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert zh.cache_dir() == tmp_path / "x" / "kg"


def _run(code: str, env_extra: dict) -> str:
    env = dict(os.environ, **env_extra)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_jieba_is_not_loaded_for_english_and_writes_its_cache_in_the_cache_folder(tmp_path):
    code_en = ("import sys\nfrom kg.nlp import load_pipelines\nfrom tests.test_zh import view_en\n"
               "view_en(load_pipelines('none'))\nprint('jieba' in sys.modules)")
    assert _run(code_en, {"KG_CACHE_DIR": str(tmp_path)}) == "False"
    code_zh = ("import sys\nfrom kg.nlp import load_pipelines\nfrom tests.test_zh import view_of\n"
               "view_of('宁德时代宣布裁员约300人。', load_pipelines('none'))\nprint('jieba' in sys.modules)")
    assert _run(code_zh, {"KG_CACHE_DIR": str(tmp_path)}) == "True"
    assert list(tmp_path.glob("jieba-*.tables")), list(tmp_path.iterdir())


def test_jieba_tables_from_the_cache_are_jiebas_own(tmp_path):
    """The segmenter loads jieba's prefix table and tags from kg's cache (made on first use):
    the same tables as jieba's own loading, and the same words and tags for a text."""
    digest = ("import hashlib, marshal, sys\n{load}\n"
              "print(len(p.tokenizer.FREQ), p.tokenizer.total, hashlib.md5(repr("
              "(sorted(p.tokenizer.FREQ.items()), sorted(p.word_tag_tab.items()))).encode()).hexdigest(),"
              " list(map(tuple, p.cut('张小明表示，宁德时代将在匈牙利建厂。'))))")
    ours = digest.format(load="from kg.extract.zh import segmenter\np = segmenter()")
    first = _run(ours, {"KG_CACHE_DIR": str(tmp_path / "kg")})       # makes the cache
    assert list((tmp_path / "kg").glob("jieba-*.tables"))
    again = _run(ours, {"KG_CACHE_DIR": str(tmp_path / "kg")})       # reads it
    jiebas = _run(digest.format(load="import jieba, jieba.posseg\n"
                                     f"jieba.dt.tmp_dir = {str(tmp_path)!r}\n"  # jieba's own cache
                                     "p = jieba.posseg.dt\np.initialize()\n"
                                     "from kg.extract import zh\n"
                                     "[p.tokenizer.add_word(zh.simplified(a), 2000, zh._USER_TAGS.get(e.type, 'nz'))"
                                     " for e in __import__('kg.gazetteer').gazetteer.load().entries.values() for a in e.aliases_zh]\n"
                                     "[p.tokenizer.add_word(w, 2000, t) for w, t in zh.EXTRA_WORDS]"),
                  {"KG_CACHE_DIR": str(tmp_path / "other")})
    assert first == again == jiebas
    (next((tmp_path / "kg").glob("jieba-*.tables"))).write_bytes(b"not marshal")  # damaged: made again
    assert _run(ours, {"KG_CACHE_DIR": str(tmp_path / "kg")}) == jiebas


def view_en(pipes):
    from kg import gazetteer as gz
    from kg.extract import extract_issue
    from kg.model import Issue, Item
    text = "Acme Corp raised $20 million in a Series A round."
    it = Item(lang="en", position=1, text=text, start=0, end=len(text))
    issue = Issue(newsletter="t", number=1, date="2026-04-15", source_file="t.txt",
                  content_hash="sha256:0", text=text, items=[it])
    return extract_issue(issue, pipes, gz.load())


def test_segmenter_is_made_once():
    assert zh.segmenter() is zh.segmenter()


# ---------------------------------------------------------------- unknown names

def test_unknown_person_after_a_title_or_before_a_verb_of_saying(rules):
    v = view_of("远景科技董事长张海平表示，公司今年将加大海外投入。", rules)
    assert ("张海平", "Person") in names(v)


def test_unknown_company_as_the_subject_of_a_trigger_after_a_category_word(rules):
    v = view_of("杭州机器人初创企业云栖数智完成2亿元A轮融资，由高盛领投。", rules)
    assert ("云栖数智", "Organization") in names(v)
    assert ("Funding", "云栖数智") in events(v)
    assert (200000000, "CNY", "云栖数智") in figures(v)


def test_unknown_place_with_a_place_word(rules):
    v = view_of("比亚迪将在余姚市新建一座电池工厂。", rules)  # a city the gazetteer lacks
    assert ("余姚市", "Place") in names(v)


def test_quoted_name_after_a_release_verb_is_a_product(rules):
    v = view_of("字节跳动周二发布视频模型“星河2”，面向企业开放。", rules)
    assert ("星河2", "Product") in names(v)
    assert ("ProductRelease", "ByteDance") in events(v)


def test_common_words_are_no_names(rules):
    v = view_of("该公司表示，城市用户增长较快，上市计划暂缓。", rules)
    assert not [n for n in names(v) if n[0] in ("城市", "上市", "该公司", "公司")]


# ---------------------------------------------------------------- figures

def _zh(text):
    return [(m.value, m.unit, sorted(m.qualifiers)) for m in find_metrics(text, "zh")]


def test_money_range_is_two_bounds_with_the_currency_of_the_second():
    assert _zh("瑞银将目标价定为88-102港元。") == [
        (Decimal(88), "HKD", ["lower_bound"]), (Decimal(102), "HKD", ["upper_bound"])]


def test_range_with_one_scale_applies_it_to_both_bounds():
    got = _zh("公司预计全年收入为80至95亿元。")
    assert [(v, u) for v, u, _ in got] == [(Decimal("8000000000"), "CNY"), (Decimal("9500000000"), "CNY")]


def test_a_multiple_in_words_is_no_figure():
    assert _zh("订单量较去年增长近十倍。") == []
    assert _zh("营收增长两倍，达到30亿元。") == [(Decimal("3000000000"), "CNY", [])]


def test_index_points_are_levels_and_signed_changes():
    got = _zh("恒指收报19,875点，全日下跌312点。")
    assert [(v, u) for v, u, _ in got] == [(Decimal(19875), "points"), (Decimal(-312), "points")]


def test_basis_points_are_signed_when_a_change():
    assert _zh("央行宣布降息50个基点。")[0][:2] == (Decimal(-50), "bps")
    assert _zh("美联储加息25个基点。")[0][:2] == (Decimal(25), "bps")


def test_yoy_and_qoq_changes_are_signed():
    got = _zh("净利润同比下降12.5%，环比增长3%。")
    assert [(v, q) for v, _, q in got] == [(Decimal("-12.5"), ["YoY", "change"]), (Decimal(3), ["QoQ", "change"])]


def test_scales_and_currencies():
    got = _zh("市值达1.5万亿港元，营收为320亿元人民币，融资5000万美元。")
    assert [(v, u) for v, u, _ in got] == [(Decimal("1500000000000"), "HKD"), (Decimal("32000000000"), "CNY"),
                                         (Decimal("50000000"), "USD")]


def test_counts_with_classifiers_and_approximations():
    got = _zh("平台已覆盖35座城市，累计服务超过800万次，团队有200多名工程师。")
    assert [(v, u) for v, u, _ in got] == [(Decimal(35), "count"), (Decimal(8000000), "count"), (Decimal(200), "count")]


def test_rate_measure_is_no_share_price(rules):
    v = view_of("中国人民银行宣布下调存款准备金率0.25个百分点。", rules)
    assert [m["measure"] for m in v["metrics"]] == ["rate"]
    assert not [e for e in v["events"] if e["type"] == "StockMove"]


# ---------------------------------------------------------------- subjects

def test_respectively_pairs_names_and_figures(rules):
    v = view_of("港股午后走弱，美团、小米分别下跌2.4%和1.1%。", rules)
    assert (-2.4, "percent", "Meituan") in figures(v)
    assert (-1.1, "percent", "Xiaomi") in figures(v)


def test_qi_is_the_items_main_actor(rules):
    v = view_of("比亚迪公布年度业绩，营收增长20%。其海外业务收入达900亿元，与福特汽车相当。", rules)
    assert (90000000000, "CNY", "BYD") in figures(v)


def test_a_pro_drop_clause_continues_the_earlier_clauses_subject(rules):
    v = view_of("宁德时代宣布与福特汽车合作，在墨西哥新建工厂，总投资约20亿美元。", rules)
    assert (2000000000, "USD", "CATL") in figures(v)


def test_price_of_the_items_product(rules):
    v = view_of("小米发布手表“腕星”。产品有两种尺寸，国内售价为999元。", rules)
    assert (999, "CNY", "腕星") in figures(v)


# ---------------------------------------------------------------- events

def test_actor_is_the_subject_not_the_object_of_a_preposition(rules):
    v = view_of("香港证监会周一表示，已对恒大展开调查。", rules)
    assert events(v) == {("RegulatoryAction", "Securities and Futures Commission")}


def test_partnership_gives_every_partner(rules):
    v = view_of("小米宣布与国际品牌三宅一生合作推出联名手表。", rules)
    assert {("Partnership", "Xiaomi"), ("Partnership", "Issey Miyake")} <= events(v)


def test_passive_acquisition_gives_the_acquirer(rules):
    v = view_of("播客平台声浪被小红书收购。", rules)
    assert ("Acquisition", "Xiaohongshu") in events(v)


def test_a_past_deal_mentioned_for_context_is_no_event(rules):
    v = view_of("美团此前曾与高盛合作发行债券。", rules)
    assert not [e for e in v["events"] if e["type"] == "Partnership"]


def test_publishing_results_is_an_earnings_report_not_a_release(rules):
    v = view_of("网易周四发布截至6月30日的第二季度未经审计财务业绩。", rules)
    assert ("EarningsReport", "NetEase") in events(v)
    assert not [e for e in v["events"] if e["type"] == "ProductRelease"]


def test_rate_decisions(rules):
    v = view_of("美联储宣布维持利率不变，香港金管局随即把基本利率下调至4.25%。", rules)
    assert {("RateDecision", "Federal Reserve"), ("RateDecision", "Hong Kong Monetary Authority")} <= events(v)


def test_layoffs_give_a_count_and_no_event(rules):
    v = view_of("快手宣布裁员约300人。", rules)
    assert (300, "count", "Kuaishou") in figures(v)
    assert not [e for e in v["events"] if e["type"] == "Layoff"]


# ---------------------------------------------------------------- sources

@pytest.mark.parametrize("text,outlet", [
    ("据路透社周二报道，网易正在洽谈出售一项游戏业务。", "Reuters"),
    ("彭博消息，快手计划在香港发行债券。", "Bloomberg"),
    ("快手计划在香港发行债券。（财联社）", "Cailian Press"),
    ("快手计划在香港发行债券。（来源：界面新闻）", "Jiemian"),
    ("36氪获悉，一家上海芯片初创公司完成新一轮融资。", "36Kr"),
])
def test_outlets_cited_in_the_body(rules, text, outlet):
    assert view_of(text, rules)["source"] == outlet


def test_an_image_credit_is_no_outlet(rules):
    assert view_of("快手发布新版剪辑工具。（图片来源：视觉中国）", rules)["source"] is None


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("text,date", [
    ("网易上周五发布新游戏。", "2026-04-10"),     # issue: Wednesday 2026-04-15
    ("网易昨日发布新游戏。", "2026-04-14"),
    ("网易本周一发布新游戏。", "2026-04-13"),
    ("4月9日，网易发布新游戏。", "2026-04-09"),
    ("網易週二發佈新遊戲。", "2026-04-14"),
])
def test_item_dates_resolved_against_the_issue_date(rules, text, date):
    assert view_of(text, rules)["date"] == date


# ---------------------------------------------------------------- the layouts, the eval and the graph

def test_eval_matches_a_gold_item_by_the_items_headline_and_canonical_names():
    from kg import gazetteer as gz
    from kg.eval import score_item
    src = "标题\n正文：腾讯发布新游戏。"
    view = {"items": [{"lang": "zh", "span": [3, len(src)], "headline": "标题", "id": "zh-1",
                       "entities": [{"name": "騰訊", "type": "Organization"}], "metrics": [], "events": [],
                       "source": None, "date": "2026-04-15"}]}
    g = {"lang": "zh", "match": "标题", "source": None, "date": "2026-04-15",
         "entities": [{"name": "Tencent", "type": "Organization"}]}
    s, errs = score_item(g, view, src, gz.load())
    assert s.entities.tp == 1 and not errs


@pytest.mark.parametrize("name", ["hk-markets-brief-zh-hant", "kuaixun-2026-03-10"])
def test_own_layouts_score_in_both_modes(name):
    from kg.eval import evaluate
    for model in ("none", "auto"):
        res = evaluate([str(LAYOUTS / f"{name}.gold.json")], model=model)
        d = res["languages"]["zh"]
        assert d["entities"]["f1"] >= 0.85, d
        assert d["metrics"]["f1"] >= 0.9, d
        assert d["events"]["f1"] >= 0.75, d
        assert d["source_accuracy"]["accuracy"] >= 0.9, d
        assert d["date_accuracy"]["accuracy"] >= 0.9, d


def test_a_build_with_index_and_basis_points_validates(tmp_path):
    from click.testing import CliRunner
    from kg.cli import cli as main
    out = tmp_path / "b"
    r = CliRunner().invoke(main, ["build", str(LAYOUTS / "hk-markets-brief-zh-hant.html"), "-o", str(out),
                                  "--model", "none"])
    assert r.exit_code == 0, r.output
    ttl = (out / "graph.ttl").read_text(encoding="utf-8")
    assert "qudt:unit kg:IndexPoint" in ttl and "qudt:unit kg:BasisPoint" in ttl
    r = CliRunner().invoke(main, ["validate", "-b", str(out)])
    assert r.exit_code == 0, r.output


# ---------------------------------------------------------------- more rules

def test_a_short_name_inside_a_longer_one_of_the_item_is_the_same_entity(rules):
    v = view_of("香港证监会周二发出警告。证监会表示，将加强对虚拟资产平台的监管。", rules)
    assert {n for n, t in names(v) if t == "Organization"} == {"Securities and Futures Commission"}


def test_names_in_an_image_credit_are_no_entities(rules):
    v = view_of("网易发布新游戏。（图片来源：视觉中国）", rules)
    assert ("China", "Place") not in names(v)


def test_power_and_energy_figures():
    got = _zh("新工厂规划年产能60GWh，配套建设200兆瓦光伏电站。")
    assert [(v, u) for v, u, _ in got] == [(Decimal(60), "GWh"), (Decimal(200), "MW")]


def test_a_traditional_outlet_in_trailing_parentheses(rules):
    from kg import gazetteer as gz
    from kg.extract import extract_issue
    from kg.model import Issue, Item
    text = "網易週二發佈新遊戲。"
    it = Item(lang="zh", position=1, text=text, start=0, end=len(text), outlet="明報")
    issue = Issue(newsletter="t", number=1, date="2026-04-15", source_file="t.txt", content_hash="sha256:0",
                  text=text, items=[it])
    ex = extract_issue(issue, rules, gz.load()).items[0]
    assert ex.outlet_id == "ming-pao"


def test_an_agreement_to_acquire_is_no_partnership(rules):
    v = view_of("网易周一与一家日本游戏公司签署协议，拟以3亿美元收购其全部股权。", rules)
    assert ("Acquisition", "NetEase") in events(v)
    assert not [e for e in v["events"] if e["type"] == "Partnership"]


def test_an_approval_is_a_regulatory_action_of_the_approver(rules):
    v = view_of("美国商务部周一批准英伟达向海外客户出口新款芯片。", rules)
    assert ("RegulatoryAction", "US Department of Commerce") in events(v)


def test_a_place_made_up_by_the_segmenter_is_no_place(rules):
    v = view_of("蔚来计划在美自建充电网络。", rules)
    assert not [n for n, t in names(v) if t == "Place" and "自建" in n]


def test_outlet_in_title_marks(rules):
    assert view_of("据《金融时报》报道，网易计划出售一项游戏业务。", rules)["source"] == "Financial Times"


def test_a_condition_is_no_event(rules):
    v = view_of("网易计划收购一家游戏工作室，此举仍需监管部门批准。", rules)
    assert not [e for e in v["events"] if e["type"] == "RegulatoryAction"]


def test_the_reporter_of_figures_is_not_their_subject(rules):
    v = view_of("某研究机构数据显示，一季度全国汽车出口同比增长12%，较上月回落1.5个百分点。", rules)
    assert [(m["value"], m["subject"]) for m in v["metrics"]] == [(12, None), (-1.5, None)]


def test_currency_before_the_amount(rules):
    v = view_of("台積電第二季營收新台幣9,338億元，年增38.6%，月增2.1%。", rules)
    assert (933800000000, "TWD", "TSMC") in figures(v)
    assert not [n for n, t in names(v) if t == "Asset"]
    quals = {m["value"]: set(m["qualifiers"]) for m in v["metrics"] if m["unit"] == "percent"}
    assert "YoY" in quals[38.6] and "MoM" in quals[2.1]
    assert not [e for e in v["events"] if e["type"] == "StockMove"]  # revenue growth, not a share move


def test_a_headline_figure_rounded_from_the_body_is_one_figure(rules):
    from kg import gazetteer as gz
    from kg.extract import extract_issue
    from kg.model import Issue, Item
    text = "网易营收增长13%\n网易第二季度营收同比增长13.4%，游戏收入增长11%。"
    it = Item(lang="zh", position=1, text=text, start=0, end=len(text), headline="网易营收增长13%")
    issue = Issue(newsletter="t", number=1, date="2026-04-15", source_file="t.txt", content_hash="sha256:0",
                  text=text, items=[it])
    ex = extract_issue(issue, rules, gz.load()).items[0]
    assert sorted(float(m.value) for m in ex.metrics) == [11.0, 13.4]


def test_a_scaled_number_after_a_count_noun_is_a_count():
    assert [(v, u) for v, u, _ in _zh("该应用月活跃用户突破3.2亿，模型参数规模达1.2万亿。")] == [
        (Decimal("320000000"), "count"), (Decimal("1200000000000"), "count")]
    assert [(v, u) for v, u, _ in _zh("用户付费收入达1.2万亿元。")] == [(Decimal("1200000000000"), "CNY")]


# ---------------------------------------------------------------- held-out layouts (tests/data/heldout)

@pytest.mark.parametrize("text,values", [
    ("理想汽车预计今年销量为38万至42万辆。", [(Decimal(380000), "count"), (Decimal(420000), "count")]),
    ("该平台计划新增800到1200家门店。", [(Decimal(800), "count"), (Decimal(1200), "count")]),
])
def test_a_count_range_is_two_bounds_with_the_noun_of_the_second(text, values):
    assert [(v, u) for v, u, _ in _zh(text)] == values


@pytest.mark.parametrize("text,value", [
    ("莱特币当日跌幅达7.2%。", Decimal("-7.2")),
    ("黄金本周涨幅为3.4%。", Decimal("3.4")),
    ("出口降幅达到2.5%。", Decimal("-2.5")),
])
def test_the_size_of_a_move_is_a_signed_change(text, value):
    assert [(v, u) for v, u, _ in _zh(text)] == [(value, "percent")]


def test_a_level_after_wei_stays_a_level():
    assert _zh("该行的净息差为1.6%。") == [(Decimal("1.6"), "percent", [])]


@pytest.mark.parametrize("text,name", [
    ("办公软件云笺科技完成8000万元A轮融资。", "云笺科技"),
    ("另一家电池企业锂途能源同日完成上市辅导备案。", "锂途能源"),
    ("编程工具码云科技宣布完成新一轮融资。", "码云科技"),
])
def test_an_unknown_company_after_its_category_word_or_before_a_date_word(text, name, rules):
    v = view_of(text, rules)
    assert (name, "Organization") in names(v)
    assert not [n for n, _ in names(v) if n != name and name in n]


def test_an_abbreviation_in_the_headline_is_the_bodys_named_body(rules):
    v = view_of("监管总局约谈三家快递企业\n国家市场监督管理总局周二约谈了三家快递企业负责人。", rules)
    assert {n for n, t in names(v) if t == "Organization"} == {"State Administration for Market Regulation"}
    assert not zh._abbreviates("总局", "国家市场监督管理总局"[:-1])
    assert zh._abbreviates("监管总局", "国家市场监督管理总局")


def test_no_place_after_yongyu_or_duiyu(rules):
    v = view_of("公司表示，募集资金将用于新建研发中心，并用于补充流动资金。", rules)
    assert not [n for n, t in names(v) if t == "Place"]


def test_yuji_right_after_a_company_is_its_forecast(rules):
    assert ("Forecast", "Xiaomi") in events(view_of("小米集团预计，明年手机出货量将同比增长约10%。", rules))
    # a reporter's or an analyst's expectation is none
    v = view_of("市场预计小米明年手机出货量将同比增长约10%。", rules)
    assert "Forecast" not in {t for t, _ in events(v)}


def test_qi_opening_a_sentence_is_the_topic_of_the_sentence_before(rules):
    v = view_of("腾讯发布新游戏。另一家游戏公司网易同日公布财报。据财新报道，其季度营收为270亿元。", rules)
    assert [s for val, u, s in figures(v) if u == "CNY"] == ["NetEase"]
    # 其 after a name of its own sentence stays the item's main actor rule's
    v = view_of("腾讯发布新游戏，其首周流水超过5亿元。", rules)
    assert [s for val, u, s in figures(v) if u == "CNY"] == ["Tencent"]
