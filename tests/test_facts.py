"""Facts given with `given`: a fact the answer never read is a warning, a field no rule reads is an error, optional fields may be left out."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from racepolicy.cli.main import main
from racepolicy.language.errors import EvaluationError, UnknownFieldError
from racepolicy.query.policyset import PolicySet


def test_a_fact_the_answer_never_read_is_a_warning(bundled: PolicySet, capsys: pytest.CaptureFixture[str]) -> None:
    # seed 003:54 "MCC: 75€ (49€ for previous years' volunteers)": `fee MCC` is the 75€, whatever the runner.
    # The 2022 policy declares the runner's facts (birth_year required), so the runner is given whole.
    query = "fee MCC given runner = {birth_year: 1990, previous_volunteer: true}"
    answer = bundled.ask(query)
    assert answer.value.amount == Decimal("75.00")
    assert answer.warnings == ("the fact 'runner' was given but the answer did not use it",)
    # The field the policy does not declare is said in the answer too: the jury may think it counted.
    assert answer.text == "75.00 EUR (not read by any rule of utmb 2022: runner.previous_volunteer)"
    assert main(["query", query, "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["warnings"] == ["the fact 'runner' was given but the answer did not use it"]
    assert err == "warning: the fact 'runner' was given but the answer did not use it\n"


def test_a_field_the_answer_did_not_read_is_a_warning(bundled: PolicySet) -> None:
    answer = bundled.ask('eligible UTMB given runner = {birth_year: 1990, region: "Valais"}', edition="utmb-2022")
    assert answer.value is True
    assert answer.warnings == ("runner.region was given but the answer did not use it",)


def test_facts_all_read_give_no_warning(bundled: PolicySet) -> None:
    assert bundled.ask("eligible UTMB given runner = {birth_year: 1990}", edition="utmb-2022").warnings == ()


def test_a_field_no_rule_reads_is_an_error_listing_the_fields_known(bundled: PolicySet) -> None:
    # utmb 2016 declares no shape of the runner's facts: the fields its rules read are the ones it knows.
    with pytest.raises(UnknownFieldError) as caught:
        bundled.ask("eligible UTMB given runner = {birth_year: 1990, shoe_size: 42}", edition="utmb-2016")
    assert caught.value.message == "no rule of utmb 2016 reads the field 'shoe_size' of runner"
    assert caught.value.hint.startswith("fields it knows: ") and "birth_year" in caught.value.hint
    assert (caught.value.span.line, caught.value.span.column) == (1, 49)  # on the field, in the query


def test_a_field_the_declared_facts_do_not_have_is_said_in_the_answer(bundled: PolicySet) -> None:
    answer = bundled.ask("eligible UTMB given runner = {birth_year: 1990, shoe_size: 42}", edition="utmb-2022")
    assert answer.text == "yes (not read by any rule of utmb 2022: runner.shoe_size)"


def test_an_optional_field_may_be_left_out_when_the_other_condition_decides(bundled: PolicySet) -> None:
    # seed 003:21 MCC "reserved for volunteers, members of the organization, partners and local runners
    # (i.e. people living in Valais, Aosta Valley, Savoie and Haute-Savoie)": a local runner needs no profile.
    answer = bundled.ask('eligible MCC given runner = {birth_year: 1990, region: "Valais"}', edition="utmb-2022")
    assert answer.value is True
    # Not local and no profile: only the profile could decide, so it is still asked for.
    with pytest.raises(EvaluationError) as caught:
        bundled.ask('eligible MCC given runner = {birth_year: 1990, region: "elsewhere"}', edition="utmb-2022")
    assert caught.value.message == "no fact 'profile' was given"


def test_a_declared_input_the_answer_read_is_never_called_unused(bundled: PolicySet) -> None:
    # seed 003:477 "TDS elite : bib 9001 - 9096" gives no start time: the query supplies it, and the answer reads it.
    answer = bundled.ask("wave 9010 given tds_elite_start = 20:00")
    assert answer.warnings == ()
    assert [i["name"] for i in answer.inputs()] == ["tds_elite_start"]
