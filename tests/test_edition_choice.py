"""Edition choice that never surprises: the year of a date, older names with a note, errors that name only the editions searched."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from racepolicy.cli.main import main
from racepolicy.language.errors import PolicyError
from racepolicy.query.policyset import PolicySet

ALL = "utmb-2016, utmb-2022, world-series-2023, xterra-2023"


def test_a_date_in_the_query_picks_the_edition_of_its_year(bundled: PolicySet) -> None:
    answer = bundled.ask("refund UTMB cancelled 2016-03-01")
    # seed 004:104 "UTMB® : 219 €", seed 004:134 "Before March 15 60%"
    assert answer.edition == "utmb 2016" and answer.value.amount == Decimal("131.40")
    assert "2016-03-01" in answer.edition_note and "utmb 2022" in answer.edition_note
    # The same question dated 2022 is the 2022 rule, without a note: seed 003:50 "UTMB®: 305€", 003:926 "Until the End of April" 60%.
    newer = bundled.ask("refund UTMB cancelled 2022-03-01")
    assert (newer.edition, newer.value.amount, newer.edition_note) == ("utmb 2022", Decimal("183.00"), "")


def test_a_pinned_edition_asked_about_another_years_date_warns(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--edition", "utmb-2016", "refund UTMB cancelled 2022-03-01"]) == 0
    out, err = capsys.readouterr()
    assert "edition: utmb 2016" in out
    assert err.startswith("warning: the query's date (2022-03-01) is in the year of utmb 2022, but utmb 2016 answered")


def test_a_name_only_an_older_edition_knows_is_answered_from_it_with_a_note(bundled: PolicySet) -> None:
    # seed 004: the 2016 chart sanctions "no mobile phone"; 2022 asks for a smartphone
    answer = bundled.ask("penalty missing_phone on UTMB")
    assert answer.edition == "utmb 2016"
    assert answer.edition_note == "utmb 2022, the newest, has no 'missing_phone'"
    assert answer.render().splitlines()[-1] == "  edition: utmb 2016 (utmb 2022, the newest, has no 'missing_phone')"


@pytest.mark.parametrize("query", ["penalty littering on YCC", "fee PTL", "eligible PTL"])
def test_a_race_of_the_series_no_edition_encodes_names_only_editions_with_races(bundled: PolicySet, query: str) -> None:
    with pytest.raises(PolicyError) as caught:
        bundled.ask(query)
    assert "no loaded edition knows it (searched: utmb-2016, utmb-2022, xterra-2023)" in caught.value.message
    assert "is a word of the utmb series, but no loaded edition encodes it" in caught.value.hint
    assert "xterra 2023" not in caught.value.message


def test_a_name_no_edition_knows_lists_every_edition_searched(bundled: PolicySet) -> None:
    with pytest.raises(PolicyError) as caught:
        bundled.ask("foo_bar(1)")
    assert caught.value.message == f"unknown name 'foo_bar': no loaded edition knows it (searched: {ALL})"
    assert (caught.value.span.line, caught.value.span.column) == (1, 1)


def test_a_plugin_query_goes_to_the_series_that_has_it(bundled: PolicySet) -> None:
    # `change` is a World Series question; CCC is also a UTMB race, which must not send it to utmb 2022.
    with pytest.raises(PolicyError) as caught:
        bundled.ask("frobnicate 50K")
    assert caught.value.message == f"no loaded edition has a query 'frobnicate' (searched: {ALL})"
    answer = bundled.ask("change 50K to 100K")
    assert answer.edition == "world-series 2023"


def test_names_of_two_editions_together_say_where_each_is(bundled: PolicySet) -> None:
    with pytest.raises(PolicyError) as caught:
        bundled.ask("penalty missing_phone on MCC")
    assert "utmb 2022" in caught.value.message and "'missing_phone' is in utmb-2016, which has no 'MCC'" == caught.value.hint


@pytest.mark.parametrize(("query", "edition"), [
    ("cutoff TDS", "utmb 2022"), ("qualify major 100K women 7", "world-series 2023"), ("division 1990-01-01 on 2023-05-06", "xterra 2023"),
])
def test_every_answer_names_its_edition_in_text_and_json(query: str, edition: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", query]) == 0
    assert f"  edition: {edition}" in capsys.readouterr().out.splitlines()
    assert main(["query", query, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["edition"] == edition and data["warnings"] == [] and data["edition_note"] == ""
