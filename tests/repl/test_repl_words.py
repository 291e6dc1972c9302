"""REPL completion of what policies declare for issue #11: the fields of declared facts, the facts themselves."""

from __future__ import annotations

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from racepolicy.repl.completer import RacePolicyCompleter
from racepolicy.repl.session import Session


def complete(session: Session, text: str) -> list[str]:
    return [c.text for c in RacePolicyCompleter(session).get_completions(Document(text), CompleteEvent(completion_requested=True))]


def test_the_fields_of_declared_facts_are_offered_after_a_dot(session: Session) -> None:
    # utmb 2022 declares `facts runner: birth_year: number, profile: profile optional, region: ...` (seed 003:21, the MCC)
    assert "profile" in complete(session, "runner.pro")


def test_declared_facts_are_offered_after_given(session: Session) -> None:
    assert "runner" in complete(session, "eligible MCC given ")
