"""The questions juries ask most, in their own words: refunds by case, assistance at a place, deadlines, category changes, suggestions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from racepolicy.language.errors import PolicyError
from racepolicy.query.policyset import PolicySet

# ---- refunds: with insurance, for a reason, cancelled by the organiser


def test_refund_with_insurance_is_the_whole_fee(bundled: PolicySet) -> None:
    # seed 003:957 "allow for the runner to be fully refunded of the entry fee"; seed 003:50 "UTMB®: 305€"
    answer = bundled.ask("refund UTMB cancelled 2022-05-15 with insurance")
    assert (answer.edition, answer.value.amount, answer.note) == ("utmb 2022", Decimal("305.00"), "with the cancellation insurance")


def test_refund_for_a_covered_reason_in_2016_is_the_whole_fee(bundled: PolicySet) -> None:
    # seed 004:119 "an accident, a serious illness or the death of the runner"; seed 004:104 "UTMB® : 219 €"
    answer = bundled.ask("refund UTMB cancelled 2016-05-01 for accident")
    assert (answer.edition, answer.value.amount) == ("utmb 2016", Decimal("219.00"))


def test_refund_for_a_reason_the_guarantee_does_not_cover_follows_the_scale(bundled: PolicySet) -> None:
    # seed 004:135 "From March 16 to May 15 50%": 50% of 219 €
    answer = bundled.ask("refund UTMB cancelled 2016-05-01 for boredom")
    assert answer.value.amount == Decimal("109.50")
    assert "does not cover boredom" in answer.note


def test_a_relatives_illness_needs_the_days_before_the_event(bundled: PolicySet) -> None:
    # seed 004:120 "... this in the thirty days preceding the event"
    with pytest.raises(PolicyError, match="depends on how many days before the event"):
        bundled.ask("refund UTMB cancelled 2016-05-01 for relative hospitalised")
    covered = bundled.ask("refund UTMB cancelled 2016-05-01 for relative hospitalised 12 days before")
    assert covered.value.amount == Decimal("219.00")


def test_a_race_cancelled_by_the_organiser_more_than_30_days_before_refunds_by_the_scale_and_cites_the_grant(bundled: PolicySet) -> None:
    # seed 003:866 "more than 30 days before the start, runners will be partially refunded"; seed 003:876-880 "End of June - End of July" 30%
    answer = bundled.ask("refund UTMB cancelled by organiser 2022-07-01 start 2022-08-26")
    assert answer.value.amount == Decimal("91.50")
    assert any("more than 30 days before the start, runners will be partially refunded" in c for c in answer.citations())


def test_a_race_cancelled_by_the_organiser_less_than_30_days_before_refunds_nothing(bundled: PolicySet) -> None:
    # seed 003:886 "If a race is cancelled less than 30 days before the start ... entry fees will not be refunded"
    answer = bundled.ask("refund UTMB cancelled by the organiser 2022-08-10 start 2022-08-26")
    assert answer.value.amount == Decimal("0.00")
    assert any("less than 30 days before the start" in c for c in answer.citations())


def test_the_organisers_cancellation_asks_for_the_start_date_the_policy_lacks(bundled: PolicySet) -> None:
    with pytest.raises(PolicyError) as caught:
        bundled.ask("refund UTMB cancelled by organiser 2022-07-01")
    assert "1 date(s) given" in caught.value.message and "start 2022-08-26" in caught.value.hint


# ---- assistance at a place, in any case


@pytest.mark.parametrize("place", ["Courmayeur", "courmayeur", "COURMAYEUR"])
def test_assistance_at_a_place_ignores_case(bundled: PolicySet, place: str) -> None:
    # seed 003:94 "UTMB® : Les Contamines Montjoie, Courmayeur, Champex, Trient, Vallorcine"
    assert bundled.ask(f"assistance UTMB at {place}").value is True
    # seed 003:95 "CCC® : Champex, Trient, Vallorcine"
    answer = bundled.ask(f"assistance CCC at {place}")
    assert answer.value is False and answer.negative


def test_assistance_at_a_place_lists_the_races_and_cites_the_places(bundled: PolicySet) -> None:
    answer = bundled.ask("assistance at champex")
    assert answer.value == ("UTMB", "CCC")
    assert all("Champex" in c for c in answer.citations())  # the clause keeps the words that matter: the places


def test_assistance_at_an_unknown_place_lists_the_places(bundled: PolicySet) -> None:
    with pytest.raises(PolicyError) as caught:
        bundled.ask("assistance at paris")
    assert "Bourg St Maurice" in caught.value.hint  # seed 003:96


# ---- whether a deadline is met


@pytest.mark.parametrize(("query", "met"), [("complaint 12 days after the event", False), ("complaint 10 days after the event", True),
                                            ("complaint 3d after the event", True)])
def test_a_complaint_is_in_time_within_10_days(bundled: PolicySet, query: str, met: bool) -> None:
    # seed 003:850 "Any complaint must be sent by email, within 10 days after the end of the event."
    answer = bundled.ask(query)
    assert answer.value is met and answer.edition == "utmb 2022"


# ---- the World Series: categories as juries write them, Finals races by name


@pytest.mark.parametrize("category", ["100K", "100km", "100 km", "100 K"])
def test_distance_categories_in_every_spelling(bundled: PolicySet, category: str) -> None:
    # seed 000:23 the top 10 of a Major's 100K qualify for the CCC
    assert bundled.ask(f"qualify major {category} women 7").value == "CCC"


def test_a_form_error_counts_the_words_as_typed(bundled: PolicySet) -> None:
    with pytest.raises(PolicyError) as caught:
        bundled.ask("qualify major 100km women")
    assert caught.value.message == "qualify takes a tier, a category, a sex and a rank; 3 given"
    assert caught.value.hint.startswith("ask as: qualify ")


def test_a_change_of_category_to_a_finals_race_by_its_name(bundled: PolicySet) -> None:
    # seed 000:16 "OCC (50k), CCC (100k) and UTMB (100M)": CCC is the 100K Finals race
    by_name = bundled.ask("change 50K to CCC")
    by_category = bundled.ask("change 50K to 100K")
    assert by_name.value == by_category.value == "CCC"
    assert by_name.edition == "world-series 2023"


# ---- unknown names get suggestions from the regulation's words


@pytest.mark.parametrize(("query", "expected"), [
    ("discarding_rubbish", "littering"),  # seed 003:683 "Discarding of rubbish (voluntary act)"
    ("penalty discarding_rubbish on UTMB", "littering"),
    ("penalty overpants on UTMB", "missing_overtrousers"),  # seed 003:139 "Waterproof overpants"
])
def test_unknown_names_are_matched_with_the_words_of_the_clauses(bundled: PolicySet, query: str, expected: str) -> None:
    for edition in (None, "utmb-2022"):
        with pytest.raises(PolicyError) as caught:
            bundled.ask(query, edition=edition)
        assert caught.value.hint.startswith(f"did you mean '{expected}'"), caught.value.hint


def test_a_shared_word_alone_suggests_nothing(bundled: PolicySet) -> None:
    with pytest.raises(PolicyError) as caught:
        bundled.ask("drop_bag_deadline", edition="utmb-2022")
    assert "complaint_deadline" not in caught.value.hint
