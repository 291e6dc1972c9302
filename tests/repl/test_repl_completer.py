"""Completion: keywords come from the grammar at the cursor, names from the loaded editions, fuzzy matching on top."""

from __future__ import annotations

import pytest
from prompt_toolkit.completion import CompleteEvent, FuzzyCompleter
from prompt_toolkit.document import Document
from racepolicy.repl.completer import RacePolicyCompleter, accepted_keywords
from racepolicy.repl.session import Session


def complete(session: Session, text: str, fuzzy: bool = False) -> list[str]:
    completer = RacePolicyCompleter(session)
    source = FuzzyCompleter(completer) if fuzzy else completer
    return [c.text for c in source.get_completions(Document(text), CompleteEvent(completion_requested=True))]


def test_keywords_come_from_the_grammar_at_the_cursor() -> None:
    assert accepted_keywords("penalty missing_jacket ")[0] == ["on"]
    assert accepted_keywords("eligible ETC ")[0] == ["given"]
    assert set(accepted_keywords("penalty a on UTMB = ")[0]) == {"as", "discretion", "disqualify", "no"}
    assert set(accepted_keywords("penalty a on UTMB = disqualify ")[0]) >= {"for", "immediately"}
    assert set(accepted_keywords("penalty a on UTMB = disqualify for 2 ")[0]) == {"years", "year", "months", "month"}
    # At the start: the query keywords and the statements a what-if may define, not `edition`.
    start = set(accepted_keywords("")[0])
    assert {"penalty", "eligible", "rule", "if", "not"} <= start
    assert "edition" not in start and "section" not in start


def test_after_penalty_come_infractions(session: Session) -> None:
    found = complete(session, "penalty missing_j")
    assert found == ["missing_jacket"]
    assert "littering" in complete(session, "penalty ")


def test_after_on_come_races_of_the_loaded_editions(session: Session) -> None:
    found = complete(session, "penalty missing_jacket on ")
    # seed 003: the 2022 edition has UTMB, CCC, TDS, OCC, MCC and ETC
    assert {"UTMB", "CCC", "TDS", "OCC", "MCC", "ETC"} <= set(found)
    assert "long" not in found  # a group cannot be asked about


def test_races_offered_are_those_of_editions_that_know_the_infraction(session: Session) -> None:
    # missing_jacket is a UTMB infraction (seed 003 "PENALTIES"): XTERRA's events cannot answer it.
    found = complete(session, "penalty missing_jacket on ")
    assert "Tahiti" not in found and "Taihu" not in found
    # An infraction only the 2022 edition has (seed 003: "Smartphone turned off") offers 2022's races, MCC among them.
    assert "MCC" in complete(session, "penalty smartphone_off on ")
    # A word no edition knows does not narrow anything.
    assert "UTMB" in complete(session, "penalty nonsense_word on ")


def test_a_definition_target_list_offers_groups(session: Session) -> None:
    assert {"long", "short", "UTMB"} <= set(complete(session, "penalty littering on UTMB, "))


def test_eligible_offers_races_and_given_offers_fact_names(session: Session) -> None:
    assert "ETC" in complete(session, "eligible E")
    assert "runner" in complete(session, "eligible ETC given ")


def test_a_query_verb_then_races_and_the_words_of_its_form(session: Session) -> None:
    assert "cutoff" in complete(session, "cut")
    assert "refund" in complete(session, "ref")
    assert "cancelled" in complete(session, "refund UTMB ")


def test_fields_of_a_race(session: Session) -> None:
    assert {"fee", "cutoff", "distance"} <= set(complete(session, "UTMB."))


def test_rules_and_facts_in_expressions(session: Session) -> None:
    session.handle(":facts runner = {birth_year: 1990}")
    found = complete(session, "stones_back(")
    assert "runner" in found and "stones_back" in found and "ceil" in found


def test_pinned_edition_limits_the_names(session: Session) -> None:
    session.handle(":edition utmb 2016")
    assert "ETC" not in complete(session, "eligible ")  # seed 004: 2016 had UTMB, CCC, TDS, OCC only
    session.handle(":edition utmb 2022")
    assert "ETC" in complete(session, "eligible ")


def test_fuzzy_matching_of_what_was_typed(session: Session) -> None:
    assert complete(session, "penalty mjacket", fuzzy=True)[0] == "missing_jacket"


def test_nothing_to_complete_inside_a_number(session: Session) -> None:
    assert complete(session, "refund UTMB cancelled 2022-0") == []


@pytest.mark.parametrize(("text", "expected"), [
    (":", {"help", "load", "reload", "edition", "editions", "explain", "diff", "facts", "session", "quit"}),
    (":ed", {"edition", "editions"}),
    (":edition ", {"utmb", "auto"}),
    (":edition utmb ", {"2016", "2022"}),
    (":facts ", {"clear", "runner"}),
    (":session ", {"clear"}),
])
def test_commands_and_their_arguments(session: Session, text: str, expected: set[str]) -> None:
    assert expected <= set(complete(session, text))


def test_explain_completes_the_query_after_it(session: Session) -> None:
    assert complete(session, ":explain penalty missing_jack") == ["missing_jacket"]


def test_load_completes_paths(session: Session, tmp_path) -> None:
    (tmp_path / "cup.policy").write_text("", encoding="utf-8")
    assert complete(session, f":load {tmp_path}/cu") == ["p.policy"]


def test_fuzzy_commands(session: Session) -> None:
    assert complete(session, ":rld", fuzzy=True) == ["reload"]


def test_the_words_of_a_form_are_those_of_the_form_being_typed(session: Session) -> None:
    assert "cancelled" not in complete(session, "cutoff ")
    assert {"half", "marathon"} <= set(complete(session, "points "))  # the XTERRA plugin's `points half POSITION marathon POSITION`
