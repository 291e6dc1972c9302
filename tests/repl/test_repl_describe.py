"""`:describe` in the REPL: what an edition knows, in the pinned edition when one is pinned."""

from __future__ import annotations

from racepolicy.repl.session import Session


def test_repl_describe_uses_the_pinned_edition(session: Session) -> None:
    session.handle(":edition utmb 2016")
    [reply] = session.handle(":describe cancellation_refund")
    assert reply.ok and reply.text.startswith("[utmb 2016]\nschedule cancellation_refund")
    # seed 004: "Before March 15 60%"
    assert "03-15      60%" in reply.text


def test_repl_describe_shows_a_kit_and_an_input_whole(session: Session) -> None:
    [reply] = session.handle(":describe utmb-2022 long_cold")
    # seed 003:150 "Cold weather kit (may be required by the organization, depending on weather conditions)"
    assert reply.ok and reply.text.startswith("[utmb 2022]\nchecklist long_cold on long kit cold")
    items = session.policies.find("utmb-2022").checklists["long_cold"].decl.items
    assert all(item.name in reply.text for item in items)
    [reply] = session.handle(":describe tds_elite_start")
    # seed 003:477 "TDS elite : bib 9001 - 9096" gives no start time: an input, with its reason
    assert reply.ok and "input tds_elite_start: time" in reply.text and "not in the text:" in reply.text


def test_repl_describe_of_an_edition_lists_the_new_sections(session: Session) -> None:
    [reply] = session.handle(":describe xterra-2023")
    edition = session.policies.find("xterra-2023")
    assert f"Word sets (words) ({len(edition.words)}):" in reply.text
    assert f"Declared inputs: figures the text does not give ({len(edition.inputs)}):" in reply.text
    assert "':describe xterra-2023 NAME'" in reply.text
