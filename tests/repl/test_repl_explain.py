"""`:explain` shows, under the trace, the policy lines each citation stands on (and the readings taken, once answers carry them)."""

from __future__ import annotations

import attrs
from racepolicy.query.policyset import PolicySet
from racepolicy.repl.explain import explain_text
from racepolicy.repl.session import Session
from repl_helpers import say


def test_explain_shows_the_source_lines_of_each_citation(session: Session) -> None:
    reply = say(session, ":explain penalty littering on CCC")
    assert reply.ok
    lines = reply.text.splitlines()
    at = lines.index("source lines:")
    # seed 003:683 "Discarding of rubbish": the chart row as the policy writes it, with its file and line
    assert any(line.startswith("  utmb-2022.policy:") and "penalty littering on long" in line and "Discarding of rubbish" in line for line in lines[at:])


def test_a_rule_whose_clause_stands_below_its_head_shows_every_line_down_to_it(session: Session) -> None:
    reply = say(session, ":explain refund UTMB cancelled by organiser 2022-07-01 start 2022-08-26")
    shown = reply.text.split("source lines:\n", 1)[1].splitlines()
    rule = [line for line in shown if "race_cancelled_refund" in line or "30 days before the start" in line or "start - cancelled" in line]
    assert len(rule) == 3  # head, body and the line with its §


def test_readings_an_answer_carries_are_shown(bundled: PolicySet) -> None:
    @attrs.frozen
    class WithReadings:
        """An answer as it will be once the readings construct lands: the same, plus readings."""

        answer: object
        readings: tuple[str, ...]

        def __getattr__(self, name: str) -> object:
            return getattr(self.answer, name)

    answer = bundled.ask("cutoff TDS")
    text = explain_text(WithReadings(answer, ('"end of April" read as 30 April (others: 1 May)',)), {})
    assert '  reading: "end of April" read as 30 April (others: 1 May)' in text.splitlines()
