"""The card's example parses exactly as written and answers with its citation."""

from racepolicy.language import ast
from racepolicy.language.parser import parse_policy


def test_card_example_parses_as_written() -> None:
    policy = parse_policy('edition utmb 2022 "t" race UTMB: fee 1 EUR penalty missing_jacket on UTMB = disqualify')
    penalty = policy.statements[-1]
    assert isinstance(penalty, ast.PenaltyDecl)
    assert penalty.infractions == ("missing_jacket",)
    assert penalty.targets == ("UTMB",)
    assert penalty.sanction.kind == "disqualify"


def test_jacket_on_utmb_is_disqualification_with_citation(ask) -> None:
    # seed 003 "PENALTIES - DISQUALIFICATION", chart UTMB® CCC® TDS®: no waterproof jacket -> Disqualification
    answer = ask("penalty missing_jacket on UTMB")
    assert answer.text == "disqualification"
    assert any("PENALTIES - DISQUALIFICATION" in c for c in answer.citations())
