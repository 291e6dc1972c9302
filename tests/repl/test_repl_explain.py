"""`:explain` shows, under the trace, the policy lines each citation stands on (and the readings taken, once answers carry them)."""

from __future__ import annotations

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


def test_readings_an_answer_took_are_listed_with_the_others(bundled: PolicySet) -> None:
    # seed 001: "a transition period is set up from January 2023 to August 2023" — the policy reads it with both ends included
    answer = bundled.ask("in_transition(2023-08-15)")
    text = explain_text(answer, {})
    lines = text.splitlines()
    at = lines.index("readings taken:")
    chosen = '"from 2023-01-01 to 2023-08-31, both days included"'
    assert lines[at + 1].startswith(f'  reading {chosen} (the text also allows "up to the start of August 2023, August excluded")')
