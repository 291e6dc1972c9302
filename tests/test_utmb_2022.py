"""Question table for the UTMB 2022 policy: every answer read from seed 003 and checked for its citation."""

from __future__ import annotations

import pytest
from racepolicy.language.errors import EvaluationError, PolicyError, QueryError

# seed 003 = /work/shared/seeds/003_03726955152b33cc.txt ("2021 Regulations", describing the 2022 edition).
EDITION = "utmb-2022"
CHART = "PENALTIES - DISQUALIFICATION"

# Rendered sanctions, as a jury reads them.
DQ = "disqualification"
IMMEDIATE_DQ = "immediate disqualification"  # seed 003:764, the OCC MCC ETC chart
IMMEDIATE_LIFE = "immediate disqualification for life"  # seed 003:706 and 003:801
H1 = "1h time penalty"
M30 = "30min time penalty"
M15 = "15min time penalty"
M10 = "10min time penalty"
LONG = ("UTMB", "CCC", "TDS")  # the chart headed "UTMB® CCC® TDS®"
SHORT = ("OCC", "MCC", "ETC")  # the chart headed "OCC MCC ETC"


def discretion(infraction: str, who: str = "") -> str:
    return f"at the discretion of {who} ({infraction})" if who else f"at the race direction's discretion ({infraction})"


def cites(answer, marker: str) -> bool:
    """True when some citation of the answer (section, clause or both) contains `marker`."""
    return any(marker in c for c in answer.citations())


# seed 003 "PENALTIES - DISQUALIFICATION": infraction -> (UTMB® CCC® TDS® chart, OCC MCC ETC chart).
# The mandatory-gear rows are itemised: "Missing item(s) ... (no water supply ..., no waterproof jacket
# with hood, no torch, no survival blanket, no smartphone)" and "Absence of other mandatory equipment
# items (race leggings ..., beaker)".
PENALTY_CHART: dict[str, tuple[str, str]] = {
    "short_cutting": (discretion("short_cutting", "the race director"),) * 2,  # seed 003:665, 760 "At the race director's discretion"
    "missing_water": (DQ, IMMEDIATE_DQ),  # seed 003:669 "Disqualification" / 003:764 "Immediate disqualification"
    "missing_jacket": (DQ, IMMEDIATE_DQ),
    "missing_torch": (DQ, IMMEDIATE_DQ),
    "missing_survival_blanket": (DQ, IMMEDIATE_DQ),
    "missing_smartphone": (DQ, IMMEDIATE_DQ),
    "missing_leggings": (H1, M30),  # "1 hour penalty" / "30 minute penalty"
    "only_one_torch": (H1, M30),
    "missing_cap": (H1, M30),
    "missing_hat": (H1, M30),
    "missing_gloves": (H1, M30),
    "missing_warm_layer": (H1, M30),
    "missing_overtrousers": (H1, M30),
    "missing_whistle": (H1, M30),
    "missing_bandage": (H1, M30),
    "missing_food_reserve": (H1, M30),
    "missing_beaker": (H1, M30),
    "missing_other_gear": (H1, M30),  # "Absence of other mandatory equipment items": the pack, ID, the kits' other items
    "refusing_gear_check": (DQ, DQ),  # "Refusal to have mandatory equipment checked: Disqualification"
    "smartphone_off": (M15, M10),  # "15 min penalty" / "10 minute penalty"
    "littering": (H1, M30),  # "Discarding of rubbish": "1 hour penalty" / "30 minute penalty"
    "lack_of_respect": (DQ, DQ),
    "not_assisting": (DQ, DQ),
    "assistance_outside_zones": (H1, M30),  # "Assistance: 1 hour penalty" / "Assistance outside of authorized zones: 30 minute penalty"
    "accompanied_outside_zones": (M15, M10),
    "cheating": (IMMEDIATE_LIFE, IMMEDIATE_LIFE),  # seed 003:706, 003:801 "Immediate disqualification for life"
    "no_visible_bib": (M15, M10),
    "nonconforming_bib": (M15, M10),
    "dangerous_behaviour": (M15, M10),
    "no_chip": (discretion("no_chip", "the race directors"),) * 2,  # seed 003:723 "According to the race directors' decision"
    "missed_checkpoint": (discretion("missed_checkpoint", "the race directors"),) * 2,  # seed 003:727
    "refusing_orders": (DQ, DQ),
    "refusing_doping_control": ("sanctioned as for doping (refusing_doping_control)",) * 2,  # "sanctioned in the same manner as ... for drug taking"
    "late_checkpoint_departure": (DQ, DQ),
    "pack_not_tagged": (H1, M30),
    "poles_not_from_start": (H1, M30),
    "other_breach": (discretion("other_breach", "the Race Directors"),) * 2,  # seed 003:750 "... a penalty decided by the Race Directors"
}

PENALTY_ROWS = [
    pytest.param(infraction, race, chart[column], id=f"{infraction}-{race}")
    for infraction, chart in PENALTY_CHART.items()
    for column, races in ((0, LONG), (1, SHORT))
    for race in races
]


# Gear rows whose item the race's checklist never asks for, whatever kit is announced (seed 003 "EQUIPMENT"):
# the MCC and ETC need no torch (003:191 "(except MCC)", 003:247-270), one torch is the OCC's whole
# requirement (003:191), and the ETC list has no bandage, food reserve, warm layer or over-trousers (003:247-270).
NOT_REQUIRED = {
    ("only_one_torch", "OCC"), ("only_one_torch", "MCC"), ("only_one_torch", "ETC"), ("missing_torch", "MCC"), ("missing_torch", "ETC"),
    ("missing_bandage", "ETC"), ("missing_food_reserve", "ETC"), ("missing_warm_layer", "ETC"), ("missing_overtrousers", "ETC"),
}


@pytest.mark.parametrize(("infraction", "race", "expected"), PENALTY_ROWS)
def test_penalty_chart(ask, infraction: str, race: str, expected: str) -> None:
    # seed 003 "PENALTIES - DISQUALIFICATION", the two charts, with both weather kits announced so that every
    # item some kit asks for is required (tests/test_utmb_2022_equipment.py asks kit by kit).
    answer = ask(f"penalty {infraction} on {race} with hot, cold", edition=EDITION)
    if (infraction, race) in NOT_REQUIRED:
        assert answer.text.startswith(f"no penalty ({infraction}: ")
        assert cites(answer, "§ EQUIPMENT")
        return
    assert answer.text == expected
    assert cites(answer, f"§ {CHART}")
    long_value, short_value = PENALTY_CHART[infraction]
    if long_value != short_value:
        # A row that differs between the charts cites the chart of the race's own group.
        assert cites(answer, "UTMB® CCC® TDS®" if race in LONG else "OCC MCC ETC")


def test_every_declared_infraction_is_in_the_question_table(bundled) -> None:
    # The chart above is the whole 2022 chart: a new infraction needs its row here too.
    assert set(bundled.find(EDITION).infractions) == set(PENALTY_CHART)


COMBINED = [
    # seed 003 "PENALTIES - DISQUALIFICATION": "(*) The time penalties are immediately applicable in situ ...
    # the runner has to interrupt their race for the duration of the penalty time": they are served one after the other.
    pytest.param("penalty smartphone_off, missing_whistle on OCC", "40min time penalty", id="times-add-OCC"),
    pytest.param("penalty smartphone_off, missing_whistle on UTMB", "1h15 time penalty", id="times-add-UTMB"),
    pytest.param("penalty littering, pack_not_tagged, no_visible_bib on MCC", "1h10 time penalty", id="three-times-add-MCC"),
    pytest.param("penalty littering, missing_jacket on CCC", DQ, id="disqualification-dominates-time"),
    pytest.param("penalty missing_jacket, cheating on TDS", IMMEDIATE_LIFE, id="for-life-dominates-disqualification"),
    pytest.param("penalty short_cutting, littering on ETC", f"{M30} + {discretion('short_cutting', 'the race director')}", id="discretion-stays-visible"),
    pytest.param("penalty no_chip, missed_checkpoint on UTMB", "at the discretion of the race directors (no_chip, missed_checkpoint)",
                 id="discretions-listed"),
    pytest.param("penalty missing_torch, short_cutting on OCC", f"{IMMEDIATE_DQ} + {discretion('short_cutting', 'the race director')}",
                 id="discretion-visible-beside-dq"),
    pytest.param("penalty refusing_doping_control, littering on TDS", f"{H1} + sanctioned as for doping (refusing_doping_control)",
                 id="doping-stays-visible"),
]


@pytest.mark.parametrize(("query", "expected"), COMBINED)
def test_combined_penalties(ask, query: str, expected: str) -> None:
    answer = ask(query, edition=EDITION)
    assert answer.text == expected
    # Every infraction of the query is traced with its own chart row.
    infractions = query.removeprefix("penalty ").split(" on ")[0].split(", ")
    assert [e.name for e in answer.trace if e.kind == "penalty"] == infractions
    assert all(e.citation is not None and e.citation.section == CHART for e in answer.trace if e.kind == "penalty")


def test_combined_sanction_as_json_keeps_every_part(ask) -> None:
    value = ask("penalty short_cutting, littering, smartphone_off on UTMB", edition=EDITION).as_json()["value"]
    assert value == {
        "type": "sanction", "kind": "discretion", "minutes": "75", "disqualified": False, "for_life": False,
        "discretion": ["short_cutting"], "doping": [], "immediate": False, "ban_months": 0,
        "deciders": {"short_cutting": "the race director"},  # seed 003:665 "At the race director's discretion"
        "text": "1h15 time penalty + at the discretion of the race director (short_cutting)",
    }


REFUND_SHARE = {"04-30": "60%", "05-01": "50%", "06-30": "50%", "07-01": "30%", "07-31": "30%", "08-01": "0%"}
REFUND_CLAUSE = {
    "60%": "Until the End of April 60%", "50%": "End of April - End of June 50%",
    "30%": "End of June - End of July 30%", "0%": "August ... No refund",
}
# seed 003 "ENTRY FEE" and "CANCELLATION OF A REGISTRATION": fee x share, "% refund (excluding charges)".
REFUNDS = {
    "UTMB": {"60%": "183.00", "50%": "152.50", "30%": "91.50", "0%": "0.00"},  # 305€
    "CCC": {"60%": "113.40", "50%": "94.50", "30%": "56.70", "0%": "0.00"},  # 189€
    "TDS": {"60%": "137.40", "50%": "114.50", "30%": "68.70", "0%": "0.00"},  # 229€
    "OCC": {"60%": "69.00", "50%": "57.50", "30%": "34.50", "0%": "0.00"},  # 115€
    "MCC": {"60%": "45.00", "50%": "37.50", "30%": "22.50", "0%": "0.00"},  # 75€
    "ETC": {"60%": "24.00", "50%": "20.00", "30%": "12.00", "0%": "0.00"},  # 40€
}
FEES = {"UTMB": "305.00", "CCC": "189.00", "TDS": "229.00", "OCC": "115.00", "MCC": "75.00", "ETC": "40.00"}


@pytest.mark.parametrize("day", list(REFUND_SHARE))
def test_cancellation_schedule_on_boundary_days(ask, day: str) -> None:
    # seed 003 "CANCELLATION OF A REGISTRATION": "Until the End of April" is read as through 30 April, and so on.
    share = REFUND_SHARE[day]
    answer = ask(f"cancellation_refund(2022-{day})", edition=EDITION)
    assert answer.text == share
    assert cites(answer, "§ CANCELLATION OF A REGISTRATION")
    assert cites(answer, REFUND_CLAUSE[share])


@pytest.mark.parametrize("race", list(REFUNDS))
@pytest.mark.parametrize("day", list(REFUND_SHARE))
def test_refund_query_on_boundary_days(ask, race: str, day: str) -> None:
    # seed 003 "CANCELLATION OF A REGISTRATION" (shares) and "ENTRY FEE" (fees)
    share = REFUND_SHARE[day]
    answer = ask(f"refund {race} cancelled 2022-{day}", edition=EDITION)
    assert answer.text == f"{REFUNDS[race][share]} EUR ({share} of {FEES[race]} EUR)"
    assert cites(answer, REFUND_CLAUSE[share])
    assert cites(answer, "% refund (excluding charges)")


def test_refund_rule_and_query_agree_and_take_arithmetic(ask) -> None:
    # seed 003: the refund excludes the 5% bank charges paid at registration ("ENTRY FEE").
    assert ask("refund(UTMB, 2022-05-15)", edition=EDITION).text == "152.50 EUR"
    assert ask("refund(UTMB, 2022-05-15) + bank_charges(UTMB)", edition=EDITION).text == "167.75 EUR"
    assert ask("UTMB.fee - refund(UTMB, 2022-05-15)", edition=EDITION).text == "152.50 EUR"


RACE_CANCELLATIONS = [
    # seed 003 "EXCEPTIONAL CONDITIONS": "more than 30 days before the start, runners will be partially
    # refunded" on the same tiers; "less than 30 days before the start ... will not be refunded".
    # The start date is an input: the seed gives none. Exactly 30 days is not "more than 30".
    pytest.param("race_cancelled_refund(UTMB, 2022-07-26, 2022-08-26)", "91.50 EUR", "End of June - End of July 30%", id="31-days-partial"),
    pytest.param("race_cancelled_refund(UTMB, 2022-07-27, 2022-08-26)", "0.00 EUR", "less than 30 days", id="30-days-none"),
    pytest.param("race_cancelled_refund(UTMB, 2022-07-28, 2022-08-26)", "0.00 EUR", "less than 30 days", id="29-days-none"),
    pytest.param("race_cancelled_refund(CCC, 2022-04-30, 2022-08-26)", "113.40 EUR", "Until the end of April 60%", id="april-60"),
    pytest.param("race_cancelled_refund(OCC, 2022-06-30, 2022-08-25)", "57.50 EUR", "End of April - End of June 50%", id="june-50"),
    pytest.param("race_cancelled_refund(TDS, 2022-08-01, 2022-09-15)", "0.00 EUR", "August ... No refund", id="august-none"),
]


@pytest.mark.parametrize(("query", "expected", "clause"), RACE_CANCELLATIONS)
def test_race_cancellation_refund(ask, query: str, expected: str, clause: str) -> None:
    answer = ask(query, edition=EDITION)
    assert answer.text == expected
    assert cites(answer, "§ EXCEPTIONAL CONDITIONS")
    assert cites(answer, clause)


QUESTIONS = [
    # seed 003 "THE EVENT AND THE RACES" and "TIME LIMIT AND CUT-OFF TIMES"
    pytest.param("cutoff UTMB", "46h30", "§ THE EVENT AND THE RACES", id="cutoff-UTMB"),
    pytest.param("cutoff CCC", "26h30", "§ THE EVENT AND THE RACES", id="cutoff-CCC"),
    pytest.param("cutoff TDS", "44h", "§ THE EVENT AND THE RACES", id="cutoff-TDS"),
    pytest.param("cutoff OCC", "14h30", "§ THE EVENT AND THE RACES", id="cutoff-OCC"),
    pytest.param("cutoff MCC", "10h", "§ THE EVENT AND THE RACES", id="cutoff-MCC"),
    pytest.param("cutoff ETC", "4h", "§ THE EVENT AND THE RACES", id="cutoff-ETC"),
    pytest.param("distance UTMB", "171 km", "UTMB®: around 171 km", id="distance-UTMB"),
    pytest.param("distance CCC", "101 km", "CCC®: around 101 km", id="distance-CCC"),
    pytest.param("distance TDS", "145 km", "TDS®: around 145 km", id="distance-TDS"),
    pytest.param("distance OCC", "56 km", "OCC: around 56 km", id="distance-OCC"),
    pytest.param("distance MCC", "40 km", "MCC: around 40 km", id="distance-MCC"),
    pytest.param("distance ETC", "15 km", "ETC : around 15km", id="distance-ETC"),
    pytest.param("elevation UTMB", "10000 m", "about 10 000 meters elevation gain", id="elevation-UTMB"),
    pytest.param("elevation CCC", "6100 m", "about 6 100 meters elevation gain", id="elevation-CCC"),
    pytest.param("elevation TDS", "9100 m", "about 9 100 meters elevation gain", id="elevation-TDS"),
    pytest.param("elevation OCC", "3500 m", "about 3 500 meters elevation gain", id="elevation-OCC"),
    pytest.param("elevation MCC", "2300 m", "about 2300 meters elevation gain", id="elevation-MCC"),
    pytest.param("elevation ETC", "1300 m", "about 1300 meters elevation gain", id="elevation-ETC"),
    pytest.param("start UTMB", "Chamonix", "starts from Chamonix", id="start-UTMB"),
    pytest.param("start CCC", "Courmayeur", "starts from Courmayeur", id="start-CCC"),
    pytest.param("start TDS", "Courmayeur", "starts from Courmayeur", id="start-TDS"),
    pytest.param("start OCC", "Orsières", "starts from Orsières", id="start-OCC"),
    pytest.param("start MCC", "Martigny-Combe", "starts from Martigny-Combe", id="start-MCC"),
    pytest.param("start ETC", "Courmayeur", "starts from Courmayeur", id="start-ETC"),
    # "Around 2300 runners" ... (ETC gives no figure: see test_etc_capacity_is_not_given)
    pytest.param("capacity UTMB", "2300", "§ THE EVENT AND THE RACES", id="capacity-UTMB"),
    pytest.param("capacity CCC", "1900", "§ THE EVENT AND THE RACES", id="capacity-CCC"),
    pytest.param("capacity TDS", "1600", "§ THE EVENT AND THE RACES", id="capacity-TDS"),
    pytest.param("capacity OCC", "1200", "§ THE EVENT AND THE RACES", id="capacity-OCC"),
    pytest.param("capacity MCC", "1000", "§ THE EVENT AND THE RACES", id="capacity-MCC"),
    # seed 003 "ENTRY FEE"
    pytest.param("fee UTMB", "305.00 EUR", "ENTRY FEE ... UTMB®: 305€", id="fee-UTMB"),
    pytest.param("fee CCC", "189.00 EUR", "ENTRY FEE ... CCC®: 189€", id="fee-CCC"),
    pytest.param("fee TDS", "229.00 EUR", "ENTRY FEE ... TDS®: 229€", id="fee-TDS"),
    pytest.param("fee OCC", "115.00 EUR", "ENTRY FEE ... OCC: 115€", id="fee-OCC"),
    pytest.param("fee MCC", "75.00 EUR", "ENTRY FEE ... MCC: 75€", id="fee-MCC"),
    pytest.param("fee ETC", "40.00 EUR", "ENTRY FEE ... ETC: 40€", id="fee-ETC"),
    pytest.param("mcc_fee(true)", "49.00 EUR", "49€ for previous years' volunteers", id="fee-MCC-previous-volunteer"),
    pytest.param("mcc_fee(false)", "75.00 EUR", "49€ for previous years' volunteers", id="fee-MCC-other-runner"),
    # seed 003 "ENTRY FEE": "5% bank charges to be paid at the time of registration"
    pytest.param("bank_charges(UTMB)", "15.25 EUR", "5% bank charges", id="bank-charges-UTMB"),
    pytest.param("bank_charges(CCC)", "9.45 EUR", "5% bank charges", id="bank-charges-CCC"),
    pytest.param("bank_charges(MCC)", "3.75 EUR", "5% bank charges", id="bank-charges-MCC"),
    pytest.param("bank_charges(ETC)", "2.00 EUR", "5% bank charges", id="bank-charges-ETC"),
    pytest.param("amount_paid(UTMB, true)", "344.25 EUR", "Cancellation insurance prices: UTMB®: 24€", id="amount-paid-UTMB-insured"),
    pytest.param("amount_paid(CCC, false)", "198.45 EUR", "§ ENTRY FEE", id="amount-paid-CCC-uninsured"),
    # seed 003 "REGISTRATION CANCELLATION INSURANCE": "Cancellation insurance prices"
    pytest.param("insurance UTMB", "24.00 EUR", "Cancellation insurance prices: UTMB®: 24€", id="insurance-UTMB"),
    pytest.param("insurance CCC", "18.00 EUR", "Cancellation insurance prices: ... CCC®*: 18€", id="insurance-CCC"),
    pytest.param("insurance TDS", "20.00 EUR", "Cancellation insurance prices: ... TDS®: 20€", id="insurance-TDS"),
    pytest.param("insurance OCC", "14.00 EUR", "Cancellation insurance prices: ... OCC: 14€", id="insurance-OCC"),
    pytest.param("insurance MCC", "10.00 EUR", "Cancellation insurance prices: ... MCC: 10€", id="insurance-MCC"),
    pytest.param("insurance ETC", "8.00 EUR", "Cancellation insurance prices: ... ETC: 8€", id="insurance-ETC"),
    pytest.param("insured_refund(TDS)", "229.00 EUR", "fully refunded of the entry fee", id="insurance-refunds-the-fee"),
    # seed 003 "TRIP CANCELLATION INSURANCE": "4% of the amount that the runner wishes to insure"
    pytest.param("trip_insurance_price(1000 EUR)", "40.00 EUR", "§ REGISTRATION CANCELLATION INSURANCE", id="trip-insurance-4-percent"),
    # seed 003 "SEMI AUTONOMY": "Personal assistance is allowed at the following aid stations"
    pytest.param("assistance UTMB", "[Les Contamines Montjoie, Courmayeur, Champex, Trient, Vallorcine]",
                 "Personal assistance is allowed", id="assistance-UTMB"),
    pytest.param("assistance CCC", "[Champex, Trient, Vallorcine]", "Personal assistance is allowed", id="assistance-CCC"),
    pytest.param("assistance TDS", "[Bourg St Maurice, Beaufort, Les Contamines Montjoie]", "Personal assistance is allowed", id="assistance-TDS"),
    pytest.param("assistance OCC", "[]", "no assistance is allowed", id="assistance-OCC-none"),
    pytest.param("assistance MCC", "[]", "no assistance is allowed", id="assistance-MCC-none"),
    pytest.param("assistance ETC", "[]", "no assistance is allowed", id="assistance-ETC-none"),
    pytest.param('"Courmayeur" in UTMB.assistance', "yes", "Personal assistance is allowed", id="assistance-UTMB-at-Courmayeur"),
    pytest.param('"Courmayeur" in CCC.assistance', "no", "Personal assistance is allowed", id="assistance-CCC-not-at-Courmayeur"),
    # seed 003 "RUNNING STONES AND CANCELLATION", with its worked example (9 stones, uninsured -> 5)
    pytest.param("stones_back(9, false)", "5", "round up to the nearest whole number", id="stones-example-9-uninsured"),
    pytest.param("stones_back(9, true)", "9", "given back 100%", id="stones-9-insured"),
    pytest.param("stones_back(8, false)", "4", "round up to the nearest whole number", id="stones-even-uninsured"),
    pytest.param("stones_back(7, false)", "4", "round up to the nearest whole number", id="stones-odd-uninsured"),
    pytest.param("stones_back(1, false)", "1", "round up to the nearest whole number", id="stones-one-uninsured"),
    pytest.param("stones_back(8, true)", "8", "given back 100%", id="stones-even-insured"),
    # seed 003 "ENTRY PROCESS": "open to any person born in or before 2002"
    pytest.param("eligible UTMB given runner = {birth_year: 2002}", "yes", "born in or before 2002", id="eligible-UTMB-born-2002"),
    pytest.param("eligible UTMB given runner = {birth_year: 2003}", "no", "born in or before 2002", id="eligible-UTMB-born-2003"),
    pytest.param("eligible CCC given runner = {birth_year: 2002}", "yes", "born in or before 2002", id="eligible-CCC-born-2002"),
    pytest.param("eligible TDS given runner = {birth_year: 2003}", "no", "born in or before 2002", id="eligible-TDS-born-2003"),
    pytest.param("eligible OCC given runner = {birth_year: 1950}", "yes", "born in or before 2002", id="eligible-OCC-veteran"),
    # seed 003 "THE EVENT AND THE RACES": ETC "reserved for runners 23 years and older" (age reached in 2022)
    pytest.param("eligible ETC given runner = {birth_year: 1999}", "yes", "23 years and older", id="eligible-ETC-23-in-2022"),
    pytest.param("eligible ETC given runner = {birth_year: 2000}", "no", "23 years and older", id="eligible-ETC-22-in-2022"),
    # MCC "reserved for volunteers, members of the organization, partners and local runners"
    pytest.param('eligible MCC given runner = {birth_year: 1980, profile: "volunteer", region: "Paris"}', "yes", "reserved for volunteers",
                 id="eligible-MCC-volunteer"),
    pytest.param('eligible MCC given runner = {birth_year: 1980, profile: "runner", region: "Valais"}', "yes", "people living in Valais",
                 id="eligible-MCC-local"),
    pytest.param('eligible MCC given runner = {birth_year: 1980, profile: "runner", region: "Paris"}', "no", "reserved for volunteers",
                 id="eligible-MCC-not-reserved"),
    pytest.param('eligible MCC given runner = {birth_year: 2003, profile: "partner", region: "Savoie"}', "no", "born in or before 2002",
                 id="eligible-MCC-partner-too-young"),
    # seed 003 "RANKING AND AWARDS": "UTMB® World Series Age Categories" 20 - 34 ... 85+
    pytest.param("age_category(20)", "20-34", "§ RANKING AND AWARDS", id="age-20"),
    pytest.param("age_category(34)", "20-34", "UTMB® World Series Age Categories", id="age-34"),
    pytest.param("age_category(35)", "35-39", "UTMB® World Series Age Categories", id="age-35"),
    pytest.param("age_category(50)", "50-54", "UTMB® World Series Age Categories", id="age-50"),
    pytest.param("age_category(84)", "80-84", "UTMB® World Series Age Categories", id="age-84"),
    pytest.param("age_category(85)", "85+", "UTMB® World Series Age Categories", id="age-85"),
    pytest.param("age_category(101)", "85+", "UTMB® World Series Age Categories", id="age-101"),
    # "UTMB®: the first 10 men and the first 10 women ... as well as the first 3 runners of each category"
    pytest.param("general_awards(UTMB)", "10", "UTMB®: the first 10 men", id="awards-UTMB-10"),
    pytest.param("general_awards(CCC)", "5", "the first 5 men", id="awards-CCC-5"),
    pytest.param("general_awards(OCC)", "5", "the first 5 men", id="awards-OCC-5"),
    pytest.param("general_awards(ETC)", "3", "MCC, ETC : the first 3 men", id="awards-ETC-3"),
    pytest.param("category_awards(TDS)", "3", "the first 3 runners of each category", id="awards-TDS-category-3"),
    pytest.param("category_awards(MCC)", "1", "the first runners in each category", id="awards-MCC-category-winner"),
    pytest.param("receives_award(UTMB, 10, 40)", "yes", "UTMB®: the first 10 men", id="awards-UTMB-tenth"),
    pytest.param("receives_award(UTMB, 11, 3)", "yes", "the first 3 runners of each category", id="awards-UTMB-third-in-category"),
    pytest.param("receives_award(UTMB, 11, 4)", "no", "§ RANKING AND AWARDS", id="awards-UTMB-none"),
    pytest.param("receives_award(MCC, 4, 2)", "no", "§ RANKING AND AWARDS", id="awards-MCC-fourth-and-second"),
    # seed 003 "ELITE RUNNERS": thresholds are strict (">880")
    pytest.param('elite_entry(UTMB, "men", 881)', "free entry", "Free entry without lottery", id="elite-UTMB-men-881"),
    pytest.param('elite_entry(UTMB, "men", 880)', "direct entry, fee to be paid", "Direct entry without lottery", id="elite-UTMB-men-880"),
    pytest.param('elite_entry(UTMB, "men", 800)', "lottery", "Direct entry without lottery", id="elite-UTMB-men-800"),
    pytest.param('elite_entry(UTMB, "women", 761)', "free entry", "Free entry without lottery", id="elite-UTMB-women-761"),
    pytest.param('elite_entry(UTMB, "women", 760)', "direct entry, fee to be paid", "Direct entry without lottery", id="elite-UTMB-women-760"),
    pytest.param('elite_entry(UTMB, "women", 676)', "direct entry, fee to be paid", "Direct entry without lottery", id="elite-UTMB-women-676"),
    pytest.param('elite_entry(CCC, "men", 861)', "free entry", "Free entry without lottery", id="elite-CCC-men-861"),
    pytest.param('elite_entry(TDS, "men", 860)', "direct entry, fee to be paid", "Direct entry without lottery", id="elite-TDS-men-860"),
    pytest.param('elite_entry(OCC, "women", 731)', "free entry", "Free entry without lottery", id="elite-OCC-women-731"),
    pytest.param('elite_entry(OCC, "women", 635)', "lottery", "Direct entry without lottery", id="elite-OCC-women-635"),
    # seed 003 "ENTRY PROCESS" deadlines
    pytest.param("medical_certificate_deadline", "2022-05-31", "before May 31st 2022", id="deadline-medical-certificate"),
    pytest.param("registration_actions_deadline", "2022-07-31", "Before July 31st, 2022", id="deadline-registration-actions"),
    # seed 003 "COMPLAINTS": "within 10 days after the end of the event"
    pytest.param("complaint_deadline", "10d", "§ COMPLAINTS", id="complaints-10-days"),
    # seed 003 "CANCELLATION OF A REGISTRATION IN CASE OF OSTEO-ARTICULAR INJURY": "no later than September 10th"
    pytest.param("injury_priority_deadline", "2022-09-10", "no later than September 10th", id="injury-priority-deadline"),
]


@pytest.mark.parametrize(("query", "expected", "marker"), QUESTIONS)
def test_question_table(ask, query: str, expected: str, marker: str) -> None:
    answer = ask(query, edition=EDITION)
    assert answer.text == expected
    assert cites(answer, marker), f"no citation of {answer.text!r} mentions {marker!r}: {answer.citations()}"


def test_etc_capacity_is_not_given(ask) -> None:
    # seed 003 "THE EVENT AND THE RACES": the ETC line gives no number of runners, so the policy gives none.
    with pytest.raises(QueryError, match="gives no capacity for ETC"):
        ask("capacity ETC", edition=EDITION)


def test_an_age_below_every_category_is_refused(ask) -> None:
    # seed 003 "RANKING AND AWARDS": the categories start at 20.
    with pytest.raises(EvaluationError, match="19 falls in no band of age_category"):
        ask("age_category(19)", edition=EDITION)


def test_mcc_and_etc_have_no_elite_places(ask) -> None:
    # seed 003 "ELITE RUNNERS": the chart's columns are "UTMB®" and "CCC®/TDS®/OCC" only.
    with pytest.raises(EvaluationError, match=r"no row for \(MCC, men\)"):
        ask('elite_entry(MCC, "men", 900)', edition=EDITION)


def test_eligibility_without_facts_asks_for_them(ask) -> None:
    with pytest.raises(PolicyError, match="unknown name 'runner'"):
        ask("eligible UTMB", edition=EDITION)


def test_specificity_is_visible_in_the_trace(ask) -> None:
    # The chart row for long races comes from the group `long`; a row for every race from `all`.
    group = ask("penalty missing_whistle on CCC", edition=EDITION).trace[0]
    everyone = ask("penalty cheating on ETC", edition=EDITION).trace[0]
    assert group.detail == "on long (group long)"
    assert everyone.detail == "on all (all races)"


def test_latest_edition_is_chosen_without_edition(ask) -> None:
    # With no edition named, the newest UTMB edition that knows every name answers.
    assert ask("fee MCC").edition == "utmb 2022"


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        # seed 003 "THE EVENT AND THE RACES": ETC "reserved for runners 23 years and older"
        ("eligible ETC given runner = {birth_year: 2000}", 'fails: "The race is reserved for runners 23 years and older"'),
        # seed 003 "ENTRY PROCESS": "open to any person born in or before 2002"
        ("eligible UTMB given runner = {birth_year: 2003}", 'fails: "The races are open to any person born in or before 2002"'),
        ("eligible UTMB given runner = {birth_year: 2002}", ""),
    ],
)
def test_a_no_says_which_condition_of_the_regulation_fails(ask, query: str, reason: str) -> None:
    answer = ask(query, edition="utmb-2022")
    assert answer.reason == reason
    assert answer.as_json()["reason"] == reason
    assert (reason in answer.render()) if reason else answer.render().splitlines()[1].startswith("  §")

