"""`:coverage` in the REPL: the same report as `racepolicy coverage`, for the edition in use or the one named."""

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
