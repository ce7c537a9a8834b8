"""One test per fixed bug."""
from __future__ import annotations

from kg.rdf import kb_graph, to_turtle
from kg.validate import validate_graph

from conftest import extract_text


def test_item_citing_a_company_as_its_source_validates(rules):
    # found by the hypothesis round trip: an item "- Nvidia: ..." cites a company, not a
    # news outlet; kg:reportedBy must accept it (an Outlet is a kind of Organization)
    text = "Tiny Weekly - Issue 1: x - 2026-02-02\n\n- Nvidia: Chips ship – Nvidia rose 3% on the news.\n"
    kb, ix = extract_text(text, rules)
    assert ix.items[0].outlet_id == "nvidia"
    rep = validate_graph(to_turtle(kb_graph(kb)))
    assert rep.conforms, rep
