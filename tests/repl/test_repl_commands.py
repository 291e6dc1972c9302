"""Each colon command alone, on a session of the bundled policies or of a small policy on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from racepolicy.repl.commands import COMMANDS, run_command
from racepolicy.repl.session import Session, classify
from repl_helpers import CUP_POLICY, say


def test_help_lists_every_command(session: Session) -> None:
    text = say(session, ":help").text
    assert all(c.usage in text for c in COMMANDS.values())
    assert ":facts" in say(session, ":help facts").text


def test_an_unknown_command_says_what_was_meant(session: Session) -> None:
    reply = say(session, ":edtion utmb 2016")
    assert not reply.ok and "did you mean ':edition'?" in reply.text


def test_editions_lists_what_is_loaded(session: Session) -> None:
    text = say(session, ":editions").text
    assert "utmb-2022" in text and "utmb-2016" in text and "UTMB Mont-Blanc 2022 regulations" in text


def test_edition_pins_the_edition_queries_use(session: Session) -> None:
    # seed 004 "PENALTIES": in 2016, lack of respect meant a time penalty; seed 003: disqualification in 2022
    assert say(session, "penalty lack_of_respect on UTMB").text.startswith("disqualification")
    assert say(session, ":edition utmb 2016").ok
    answer = say(session, "penalty lack_of_respect on UTMB").text
    assert "[utmb 2016]" in answer.splitlines()[0]
    assert say(session, ":edition").text == "queries use utmb-2016"
    say(session, ":edition auto")
    assert "[utmb 2022]" in say(session, "penalty lack_of_respect on UTMB").text


def test_edition_of_an_unknown_year_is_an_error_not_an_end(session: Session) -> None:
    reply = say(session, ":edition utmb 2031")
    assert not reply.ok and "no edition 'utmb 2031'" in reply.text
    assert session.edition is None
    assert not say(session, ":edition utmb twenty").ok


def test_explain_gives_the_trace_with_citations(session: Session) -> None:
    # seed 003 "CANCELLATION OF A REGISTRATION": 50% until the end of June
    text = say(session, ":explain refund UTMB cancelled 2022-05-15").text
    assert text.startswith("152.50 EUR")
    assert "schedule cancellation_refund" in text and "§ CANCELLATION OF A REGISTRATION" in text
    # Without a query, :explain explains the last one.
    say(session, "cutoff TDS")
    assert "attribute TDS.cutoff" in say(session, ":explain").text


def test_facts_set_show_and_clear(session: Session) -> None:
    assert say(session, ":facts runner = {birth_year: 1990}").text == "fact runner = {birth_year: 1990}"
    assert say(session, ":facts race = UTMB").ok
    assert say(session, ":facts").text == "runner = {birth_year: 1990}\nrace = UTMB"
    # seed 003 "ENTRY PROCESS": open to runners born in or before 2002; ETC from 23 years
    assert say(session, "eligible ETC").text.startswith("yes")
    assert say(session, "race.fee").text.startswith("305.00 EUR")
    say(session, ":facts clear race")
    assert list(session.facts) == ["runner"]
    say(session, ":facts clear")
    assert not session.facts
    assert not say(session, "eligible ETC").ok  # the runner is no longer known


def test_a_bad_fact_is_refused_and_the_old_facts_stay(session: Session) -> None:
    say(session, ":facts runner = {birth_year: 1990}")
    reply = say(session, ":facts race = UTMBB")
    assert not reply.ok and "unknown name 'UTMBB'" in reply.text
    assert list(session.facts) == ["runner"]
    assert not say(session, ":facts = 3").ok


def test_a_race_fact_follows_the_pinned_edition(session: Session) -> None:
    say(session, ":facts race = TDS")
    say(session, ":edition utmb 2016")
    # seed 004 "THE EVENTS": the 2016 TDS was around 119 km; seed 003: 145 km in 2022
    assert say(session, "race.distance").text.startswith("119 km")


def test_session_shows_definitions_and_facts(session: Session) -> None:
    say(session, ":facts runner = {birth_year: 1990}")
    say(session, "penalty littering on UTMB = 2h")
    text = say(session, ":session").text
    assert "runner = {birth_year: 1990}" in text
    assert "[utmb-2022] penalty littering on UTMB = 2h" in text
    say(session, ":session clear")
    assert "definitions: none" in say(session, ":session").text


def test_quit_ends_the_loop(session: Session) -> None:
    assert say(session, ":quit").quit and say(session, ":q").quit


def test_diff_shows_what_changed_between_two_editions(session: Session) -> None:
    text = say(session, ":diff utmb 2016 utmb 2022").text
    # seed 004 "THE EVENTS": the 2016 TDS had 33 hours; seed 003 "THE EVENT AND THE RACES": 44h in 2022
    assert "utmb 2016" in text and "utmb 2022" in text
    assert "TDS cutoff: 33h → 44h (+11h)" in text
    assert not say(session, ":diff utmb-2016").ok
    assert not say(session, ":diff utmb-2016 utmb-1999").ok


def test_diff_says_clearly_when_it_is_not_available(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "racepolicy.diff.compare", None)  # as if the module were not installed
    reply = say(session, ":diff utmb-2016 utmb-2022")
    assert not reply.ok and "diff is not available" in reply.text


def test_load_adds_a_file(session: Session, cup: Path) -> None:
    assert "loaded testcup 2024" in say(session, f":load {cup}").text
    assert say(session, "penalty littering on A").text.startswith("15min time penalty")
    assert not say(session, ":load /no/such/place").ok
    assert not say(session, ":load").ok


def test_reload_picks_up_an_edit_and_keeps_the_session(cup: Path) -> None:
    session = Session([str(cup)])
    session.open()
    say(session, ":facts runner = {birth_year: 1990}")
    cup.write_text(CUP_POLICY.replace("= 15min", "= 20min"), encoding="utf-8")
    assert say(session, ":reload").ok
    assert say(session, "penalty littering on A").text.startswith("20min")
    assert "runner" in session.facts


def test_reload_of_a_broken_file_keeps_the_last_good_version(cup: Path) -> None:
    session = Session([str(cup)])
    session.open()
    cup.write_text(CUP_POLICY.replace("= 15min", "= 15 minutes"), encoding="utf-8")
    reply = say(session, ":reload")
    assert not reply.ok
    assert f"{cup}:5:" in reply.text  # the error, with its place in the file
    assert "the last good version of testcup 2024 stays loaded" in reply.text
    assert say(session, "penalty littering on A").text.startswith("15min")


@pytest.mark.parametrize(("line", "kind"), [
    ("penalty a on UTMB", "query"), ("penalty a on UTMB = 1h", "definition"), ("rule x = 1", "definition"),
    ("race.fee", "query"), (":help", "command"), ("  ", "empty"), ("# note", "empty"), ("penalty a on", "query"),
])
def test_classify(line: str, kind: str) -> None:
    assert classify(line) == kind


def test_run_command_is_usable_without_the_prompt(session: Session) -> None:
    assert run_command(session, ":editions")[0].ok


def test_a_rule_typed_at_the_prompt_replaces_the_files_rule_for_the_session(session: Session) -> None:
    # seed 003 "RUNNING STONES AND CANCELLATION": without insurance, half the stones, rounded up
    assert say(session, "stones_back(9, false)").text.startswith("5 ")
    assert say(session, "rule stones_back(stones: number, insured: bool) = stones").ok
    assert say(session, "stones_back(9, false)").text.startswith("9 ")
    say(session, ":session clear")
    assert say(session, "stones_back(9, false)").text.startswith("5 ")


def test_a_definition_with_an_error_points_at_the_typed_statement(session: Session) -> None:
    say(session, "penalty littering on UTMB = 2h")
    reply = say(session, "penalty littering on UTMBB = 1h")
    assert not reply.ok
    assert "<session>:2:" in reply.text and "did you mean 'UTMB'?" in reply.text
    assert "[utmb-2022] penalty littering on UTMB = 2h" in say(session, ":session").text
    assert "UTMBB" not in say(session, ":session").text  # the failed statement is not kept


def test_the_repl_shows_why_a_runner_is_not_eligible(session: Session) -> None:
    # seed 003 "THE EVENT AND THE RACES": ETC is "reserved for runners 23 years and older"
    reply = say(session, "eligible ETC given runner = {birth_year: 2000}")
    assert reply.text.splitlines()[:2] == ["no    [utmb 2022]", '  fails: "The race is reserved for runners 23 years and older"']
