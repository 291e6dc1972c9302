"""Fidelity in the REPL: `:coverage` (the same report as `racepolicy coverage`) and the readings answers depend on."""

from __future__ import annotations

from racepolicy.repl.session import Session
from repl_helpers import say


def test_coverage_of_a_named_edition_lists_its_gaps(session: Session) -> None:
    reply = say(session, ":coverage utmb 2022 uncovered")
    assert reply.ok
    lines = reply.text.splitlines()
    assert lines[0].startswith("utmb-2022.policy (utmb 2022): 003_03726955152b33cc.txt")
    assert all("UNCOVERED" in line for line in lines[1:-1])
    assert lines[-1].startswith("  overall: ")


def test_coverage_follows_the_pinned_edition(session: Session) -> None:
    say(session, ":edition xterra 2023")
    text = say(session, ":coverage").text
    assert text.startswith("xterra-2023.policy (xterra 2023): 002_7ccbb740de9a767f.txt") and "accounted" in text


def test_coverage_with_too_many_words_says_how_to_use_it(session: Session) -> None:
    reply = say(session, ":coverage utmb 2022 extra words")
    assert not reply.ok and ":coverage [EDITION] [uncovered|all]" in reply.text


def test_an_answer_in_the_repl_shows_the_reading_it_depends_on(session: Session) -> None:
    # seed 001:45 "Runners meeting the criteria below ..." and the two tables without headings (001:48-57)
    text = say(session, 'elite_access("France", "100M", "women", 700)').text
    assert text.startswith("direct and free entry")
    assert 'reading "the first table (lower figures) is for women, the second for men"' in text
    assert '(the text also allows "the first table is for Events, the second for Majors")' in text


def test_a_what_if_may_declare_an_input_and_an_assertion(session: Session) -> None:
    # seed 003:17 "Around 2300 runners" (UTMB)
    assert say(session, ":edition utmb 2022").ok
    assert say(session, 'assert UTMB.capacity == 2300 § "Around 2300 runners"').ok
    failed = say(session, 'assert UTMB.capacity == 2000 § "Around 2300 runners"')
    assert not failed.ok and "RP1004" in failed.text
    assert say(session, 'input extra_places: number "a what-if figure, not in the text"').ok
    answer = say(session, "UTMB.capacity + extra_places given extra_places = 100").text
    assert answer.startswith("2400") and "input extra_places = 100" in answer
