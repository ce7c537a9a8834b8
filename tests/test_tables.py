"""Facts from tables (issue 15): each data row of a table with a header row gives its company,
its figures with the measure its column names and the row's company as subject, its investors,
and an event; a company only a headline names. Every table and headline here is our own (not
those of tests/data/tables); each test runs with the statistical model (when installed) and
without one."""
from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from conftest import model_installed

MODES = ["none", pytest.param("auto", marks=pytest.mark.skipif(not model_installed(), reason="no spaCy model installed"))]


@pytest.fixture(scope="module", params=MODES)
def pipes(request):
    from kg.nlp import load_pipelines
    return load_pipelines(request.param)


def run(text: str, pipes, name: str = "t.md"):
    """Read `text` with the reader its name picks, extract and resolve: (issue, extractions, name of)."""
    from kg import gazetteer as gz
    from kg.extract import extract_issue
    from kg.resolve import resolve
    h = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    if name.endswith(".html"):
        from kg.ingest.html import read_html
        (issue,) = read_html(text, name, h)
    else:
        from kg.ingest.text import parse_text
        issue = parse_text(text, name, h)
    kb = resolve([extract_issue(issue, pipes, gz.load())], gz.load())
    iex = kb.issues[0]

    def name_of(ex, i):
        m = ex.mentions[i]
        return kb.entities[m.entity_id].name if m.entity_id in kb.entities else m.text

    return issue, iex.items, name_of


def item_with(items, needle: str):
    found = [ex for ex in items if needle in ex.item.text]
    assert len(found) == 1, [ex.item.text[:60] for ex in items]
    return found[0]


def facts(ex, name_of):
    return {
        "entities": {(name_of(ex, i), m.type) for i, m in enumerate(ex.mentions)},
        "metrics": {(m.value, m.unit, m.measure, name_of(ex, m.subject) if m.subject is not None else None)
                    for m in ex.metrics},
        "events": {(e.type, name_of(ex, a)) for e in ex.events for a in e.actors},
    }


ROUNDUP = """# Launch Pad — Issue #9

**Friday, June 5, 2026**

## Money in

| Startup | Raised | Stage | Investors | Post-money valuation |
|:--|--:|:--|:--|--:|
| Vantablue | $9M | Seed | Crane Venture Partners, Amplify Partners | $45M |
| Orrin Health | $31M | Series A | Foundry Group | n/a |
| Quarrystone | £12M | Series A | Notion Capital | £60M |
| Total | $52M | | | |

## Elsewhere

Lakeshore Bank said on Tuesday that it would open 12 branches in Ohio this year.
"""


def test_funding_table_rows_give_company_figures_investors_and_an_event(pipes):
    issue, items, name_of = run(ROUNDUP, pipes)
    ex = item_with(items, "Vantablue")
    f = facts(ex, name_of)
    for company in ("Vantablue", "Orrin Health", "Quarrystone"):
        assert (company, "Organization") in f["entities"]
        assert ("Funding", company) in f["events"]
    for investor in ("Crane Venture Partners", "Amplify Partners", "Foundry Group", "Notion Capital"):
        assert (investor, "Organization") in f["entities"]
        assert not any(actor == investor for _, actor in f["events"])
    assert (Decimal(9_000_000), "USD", "funding", "Vantablue") in f["metrics"]
    assert (Decimal(45_000_000), "USD", "valuation", "Vantablue") in f["metrics"]
    assert (Decimal(31_000_000), "USD", "funding", "Orrin Health") in f["metrics"]
    assert (Decimal(12_000_000), "GBP", "funding", "Quarrystone") in f["metrics"]
    assert (Decimal(60_000_000), "GBP", "valuation", "Quarrystone") in f["metrics"]
    # the total row names no company and no cell name runs into the next cell
    assert not any(n.startswith(("Total", "Vantablue $", "Seed")) for n, _ in f["entities"])
    assert not any(t == "Funding" and a == "Total" for t, a in f["events"])
    # each row's facts point at the row: the evidence is the row's own text in the file
    for met in ex.metrics:
        ev = issue.text[met.ev_start:met.ev_end]
        assert "\n" not in ev and issue.text[met.start:met.end] in ev
    row = next(e for e in ex.events if name_of(ex, e.actors[0]) == "Quarrystone")
    assert issue.text[row.ev_start:row.ev_end].strip("| ").startswith("Quarrystone")


def test_a_story_without_a_table_is_left_as_it_was(pipes):
    _, items, name_of = run(ROUNDUP, pipes)
    ex = item_with(items, "Lakeshore Bank")
    f = facts(ex, name_of)
    assert not any(t == "Funding" for t, _ in f["events"])


MARKETS = """<html><head><title>Closing Bell — May 14, 2026</title></head><body>
<h1>Closing Bell</h1>
<p>Thursday, May 14, 2026</p>
<h2>Stocks on the move</h2>
<table>
<tr><th>Stock</th><th>Symbol</th><th>Last ($)</th><th>Chg (%)</th><th>YoY</th></tr>
<tr><td>Pemberton Freight</td><td>PMBF</td><td>88.40</td><td>-6.5</td><td>+12%</td></tr>
<tr><td>Intel (INTC)</td><td>INTC</td><td>31.15</td><td>+2.75</td><td>-20%</td></tr>
</table>
<h2>Quarterly results</h2>
<table>
<thead><tr><td>Company</td><td>Revenue ($M)</td><td>EPS</td><td>Consensus EPS</td></tr></thead>
<tr><td>Sablewood Games</td><td>812</td><td>$0.64</td><td>$0.70</td></tr>
</table>
<h2>Plain prices</h2>
<table>
<tr><td>Gold</td><td>$3,310</td><td>+0.4%</td></tr>
<tr><td>Palladium</td><td>$1,020</td><td>-1.1%</td></tr>
</table>
</body></html>
"""


def test_movers_table_gives_prices_and_signed_changes_from_the_header_units(pipes):
    _, items, name_of = run(MARKETS, pipes, "m.html")
    ex = item_with(items, "Pemberton Freight")
    f = facts(ex, name_of)
    assert ("Pemberton Freight", "Organization") in f["entities"]
    assert not any(n == "PMBF" for n, _ in f["entities"])      # a ticker is no company of its own
    assert (Decimal("88.40"), "USD", "share_price", "Pemberton Freight") in f["metrics"]
    assert (Decimal("-6.5"), "percent", "share_price", "Pemberton Freight") in f["metrics"]
    assert (Decimal("2.75"), "percent", "share_price", "Intel") in f["metrics"]
    assert (Decimal("31.15"), "USD", "share_price", "Intel") in f["metrics"]
    # a year-over-year column is growth, not a day's move
    assert (Decimal("12"), "percent", "growth", "Pemberton Freight") in f["metrics"]
    assert ("StockMove", "Pemberton Freight") in f["events"] and ("StockMove", "Intel") in f["events"]
    assert not any(t == "Funding" for t, _ in f["events"])


def test_earnings_table_gives_results_estimates_and_a_report(pipes):
    _, items, name_of = run(MARKETS, pipes, "m.html")
    ex = item_with(items, "Sablewood Games")
    f = facts(ex, name_of)
    assert ("Sablewood Games", "Organization") in f["entities"]
    assert (Decimal(812_000_000), "USD", "revenue", "Sablewood Games") in f["metrics"]
    assert (Decimal("0.64"), "USD", "eps", "Sablewood Games") in f["metrics"]
    est = [m for m in ex.metrics if m.value == Decimal("0.70")]
    assert est and "expected" in est[0].qualifiers and "expected" not in \
        next(m for m in ex.metrics if m.value == Decimal("0.64")).qualifiers
    assert ("EarningsReport", "Sablewood Games") in f["events"]


def test_a_table_without_a_header_row_gets_no_column_meanings(pipes):
    _, items, name_of = run(MARKETS, pipes, "m.html")
    ex = item_with(items, "Palladium")
    # no header: figures are found as in any text, but no cell becomes a name by its column
    assert Decimal(3310) in {m.value for m in ex.metrics}
    assert not any(m.text == "Palladium" and m.source == "rule" for m in ex.mentions)


def test_tables_module_reads_columns_from_header_cells():
    from kg.extract.tables import find_tables
    raw = "intro\n| Firm | Round size (€m) | Lead |\n|---|---|---|\n| Acme \\| Co | 4.5 | Beta Fund |\nafter\n"
    (t,) = find_tables(raw, 0, len(raw))
    assert [c.role for c in t.columns] == ["name", "funding", "investor"]
    assert t.columns[1].currency == "EUR" and t.columns[1].scale == 10**6
    assert t.name_col == 0 and t.funding
    (row,) = t.rows
    assert [raw[a:b] for a, b in row] == ["Acme \\| Co", "4.5", "Beta Fund"]
    # pipes in text that is no table (no delimiter row) give none
    assert find_tables("a | b\nc | d\n", 0, 10) == []


@pytest.mark.parametrize("headline,body,name", [
    ("Zephyrine to Buy Payroll Startup", "The deal values the target at $300 million, people familiar said.", "Zephyrine"),
    ("Moravek Raises $40M for Grid Batteries", "The round was led by existing backers.", "Moravek"),
    ("Ostrander Labs files for an IPO", "The filing shows revenue of $210 million last year.", "Ostrander Labs"),
    ("Quorra Acquires Payments Firm Tollgate for $90M", "The buyer will keep the brand.", "Tollgate"),
    ("Quorra Acquires Payments Firm Tollgate for $90M", "The buyer will keep the brand.", "Quorra"),
])
def test_a_company_only_the_headline_names(pipes, headline, body, name):
    text = f"# Deal Notes\n\n## {headline}\n\n{body}\n"
    _, items, name_of = run(text, pipes)
    ex = item_with(items, body[:20])
    assert (name, "Organization") in facts(ex, name_of)["entities"]


@pytest.mark.parametrize("headline", [
    "Chipmakers Cut Forecasts Again",
    "Biotech Startup Raises $20M",
    "Stocks Slide as Yields Jump",
])
def test_headline_words_that_are_no_company(pipes, headline):
    text = f"# Deal Notes\n\n## {headline}\n\nInvestors sold risk assets on Monday as the week began.\n"
    _, items, name_of = run(text, pipes)
    ex = item_with(items, "Investors sold")
    first = headline.split()[0]
    assert not any(m.text.startswith(first) and m.source == "rule" for m in ex.mentions)


def test_a_table_of_words_names_no_companies(pipes):
    text = ("# Week Ahead\n\n## Dates to watch\n\n| When | What |\n|---|---|\n"
            "| Tuesday, 10 a.m. | Consumer confidence survey |\n| Thursday | Jobless claims report |\n\n"
            "## Elsewhere\n\nHollis Freight said on Monday that it would cut 200 jobs.\n")
    _, items, name_of = run(text, pipes)
    ex = item_with(items, "Jobless claims")
    assert not any(m.source == "rule" and m.type == "Organization" for m in ex.mentions)


def test_an_email_table_whose_first_row_is_bold_has_a_header(pipes):
    page = ("<html><body><h2>Fresh capital</h2><table>"
            "<tr><td><b>Company</b></td><td><strong>Amount</strong></td><td><b>Lead</b></td></tr>"
            "<tr><td>Larchmont Bio</td><td>$18M</td><td>Polaris Partners</td></tr>"
            "<tr><td>Pinecrest Data</td><td>$7M</td><td>Bessemer</td></tr></table></body></html>")
    _, items, name_of = run(page, pipes, "mail.html")
    ex = item_with(items, "Larchmont Bio")
    f = facts(ex, name_of)
    assert ("Funding", "Larchmont Bio") in f["events"] and ("Funding", "Pinecrest Data") in f["events"]
    assert (Decimal(7_000_000), "USD", "funding", "Pinecrest Data") in f["metrics"]
    assert ("Polaris Partners", "Organization") in f["entities"]


TABLE_GOLD = sorted((__import__("pathlib").Path(__file__).parent / "data" / "tables").glob("*.gold.json"))


@pytest.mark.parametrize("model", ["none", pytest.param("auto", marks=pytest.mark.skipif(
    not model_installed(), reason="no spaCy model installed"))])
def test_table_issues_score(model):
    """Our two issues with tables (tests/data/tables): every item found, and the scores the
    table rules reached kept (entity F1 >= 0.93, figure F1 >= 0.95, event F1 >= 0.85, subjects >= 0.85;
    events were 0.917 on the tables branch: with the held-out branch's appositions a startup
    described as turning "legal contracts" into data now has an actor for the deal noun)."""
    import json
    from click.testing import CliRunner
    from kg.cli import cli
    r = CliRunner().invoke(cli, ["eval", "--model", model, "--format", "json", *map(str, TABLE_GOLD)])
    assert r.exit_code == 0, r.output
    en = json.loads(r.output[r.output.index("{"):])["languages"]["en"]
    assert en["items"] == 9
    assert en["entities"]["f1"] >= 0.93 and en["metrics"]["f1"] >= 0.95 and en["events"]["f1"] >= 0.85, en
    assert en["subject_accuracy"]["accuracy"] >= 0.85, en


@pytest.mark.parametrize("heading,funding", [("Fresh rounds this week", True), ("Buybacks announced", False)])
def test_an_amount_column_is_a_round_only_where_the_story_says_so(pipes, heading, funding):
    text = (f"# Desk Notes\n\n**June 9, 2026**\n\n## {heading}\n\n| Company | Amount |\n|---|---|\n"
            "| Tarrow Mills | $25M |\n| Edgecliff Systems | $40M |\n")
    _, items, name_of = run(text, pipes)
    ex = item_with(items, "Tarrow Mills")
    f = facts(ex, name_of)
    assert (("Funding", "Tarrow Mills") in f["events"]) is funding
    assert (("Funding", "Edgecliff Systems") in f["events"]) is funding
    m = next(m for m in ex.metrics if m.value == Decimal(25_000_000))
    assert name_of(ex, m.subject) == "Tarrow Mills" and (m.measure == "funding") is funding


def test_a_headline_verb_is_no_part_of_a_name(pipes):
    """A Title Case headline puts a verb between two names; an organisation suffix after the
    verb ("Payments", "Health") does not make "Velmora Buys Health" one company."""
    text = "# Deal Notes\n\n## Velmora Buys Health Startup Pinecrest Health\n\nThe buyer paid $90 million in cash.\n"
    _, items, name_of = run(text, pipes)
    names = {n for n, _ in facts(item_with(items, "The buyer paid"), name_of)["entities"]}
    assert not any("Buys" in n for n in names), names
    assert "Pinecrest Health" in names, names
