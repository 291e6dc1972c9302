"""The UTMB Mont-Blanc series plugin: its vocabulary, refund query, sanction combination, validators and diff section."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from racepolicy import hookimpl
from racepolicy.evaluation import equipment
from racepolicy.evaluation.interpreter import Evaluator
from racepolicy.evaluation.model import Edition
from racepolicy.evaluation.values import Duration, Money, Percent, RaceValue, Sanction, combine_sanctions
from racepolicy.language.errors import PolicyError, ValidationError
from racepolicy.pluginapi.types import QueryForm, Vocabulary

if TYPE_CHECKING:
    from racepolicy.diff.compare import DiffSection

SERIES = "utmb"

RACES = ("UTMB", "CCC", "TDS", "OCC", "MCC", "ETC", "PTL", "YCC")

# The infractions of the UTMB penalty charts (2016 and 2022 editions), gear itemised.
GEAR_INFRACTIONS = (
    "missing_water", "missing_jacket", "missing_torch", "missing_survival_blanket", "missing_smartphone",
    "missing_phone", "missing_leggings", "only_one_torch", "missing_cap", "missing_hat", "missing_gloves",
    "missing_warm_layer", "missing_overtrousers", "missing_whistle", "missing_bandage", "missing_food_reserve",
    "missing_beaker", "missing_spare_batteries",
)
INFRACTIONS = (
    *GEAR_INFRACTIONS,
    "short_cutting", "refusing_gear_check", "smartphone_off", "littering", "lack_of_respect", "not_assisting",
    "assistance_outside_zones", "accompanied_outside_zones", "cheating", "no_visible_bib", "nonconforming_bib",
    "dangerous_behaviour", "no_chip", "missed_checkpoint", "refusing_orders", "refusing_doping_control",
    "late_checkpoint_departure", "pack_not_tagged", "poles_not_from_start", "other_breach",
)

# Words the regulation texts use for an infraction where its chart row uses others: a jury types what it read.
ALIASES = (
    ("missing_overtrousers", "overpants"),  # seed 003:139 "Waterproof overpants" (the chart says "over-trousers")
    ("littering", "litter"),  # seed 004:298 "throwing down their litter"; seed 003:339 "Littering is strictly forbidden"
)


@hookimpl
def racepolicy_series() -> list[str]:
    return [SERIES]


@hookimpl
def racepolicy_vocabulary(series: str) -> Vocabulary | None:
    if series != SERIES:
        return None
    return Vocabulary(races=RACES, infractions=INFRACTIONS, categories=(), aliases=ALIASES)


REFUND_USAGE = (
    "refund RACE cancelled YYYY-MM-DD [with insurance] [for REASON [N days before]] | "
    "refund RACE cancelled by organiser YYYY-MM-DD start YYYY-MM-DD"
)
# Words a jury writes for "the organiser cancelled the race".
_ORGANISER = {"organiser", "organizer", "organisation", "organization", "organisers", "organizers"}
_FILLER = {"cancelled", "canceled", "on", "by", "the", "with", "start", "starting", "before", "days", "day"}


def _where(evaluator: Evaluator) -> Any:
    return evaluator.query_span or evaluator.edition.policy.span


def _need(evaluator: Evaluator, rule: str, signature: str) -> None:
    if rule not in evaluator.edition.rules:
        raise evaluator.fail(f"the {evaluator.edition.label} policy has no rule '{signature}'", _where(evaluator),
                             "'racepolicy describe " + evaluator.edition.key + "' lists its rules")


def _refund(evaluator: Evaluator, args: Sequence[Any]) -> tuple[Money, str]:
    """`refund RACE cancelled DATE`, with insurance, for a reason, or cancelled by the organiser: what is paid back, and why."""
    where = _where(evaluator)
    races = evaluator.edition.races
    words = [a.casefold() if isinstance(a, str) else a for a in args]
    race = args[0] if args and isinstance(args[0], RaceValue) else None  # the race comes first, as in the usage
    dates = [a for a in args if isinstance(a, datetime.date)]
    if race is None:
        unknown = args[0] if args and isinstance(args[0], str) else None
        if unknown is not None:
            raise evaluator.fail(f"unknown race '{unknown}' in {evaluator.edition.label}", where, f"races: {', '.join(races)}")
        raise evaluator.fail("refund takes the race first", where, f"ask as: {REFUND_USAGE}")
    if _ORGANISER & {w for w in words if isinstance(w, str)}:
        return _organiser_refund(evaluator, race, dates)
    insured = "insurance" in words or "insured" in words
    reason = _reason(args)
    if reason:
        return _reason_refund(evaluator, race, dates, reason, args)
    if insured:
        _need(evaluator, "insured_refund", "insured_refund(race)")
        amount = evaluator.call_rule("insured_refund", [race], evaluator.edition.policy.span)
        return amount, "with the cancellation insurance"
    if len(dates) != 1:
        raise evaluator.fail(f"refund takes one cancellation date; {len(dates)} given", where, f"ask as: {REFUND_USAGE}")
    _need(evaluator, "refund", "refund(race, date)")
    amount = evaluator.call_rule("refund", [race, dates[0]], evaluator.edition.policy.span)
    share = next((e.result for e in evaluator.trace if e.kind == "schedule"), "")
    fee = race.attributes.get("fee")
    return amount, f"{share} of {fee}" if share and fee else share


def _reason(args: Sequence[Any]) -> str:
    """The words after `for` up to a number: `for serious illness` -> "serious illness"."""
    words = [a for a in args]
    lowered = [a.casefold() if isinstance(a, str) else a for a in words]
    if "for" not in lowered:
        return ""
    taken = []
    for word in words[lowered.index("for") + 1:]:
        if not isinstance(word, str) or word.casefold() in _FILLER:
            break
        taken.append(word.casefold())
    return " ".join(taken)


def _reason_refund(evaluator: Evaluator, race: RaceValue, dates: list[datetime.date], reason: str, args: Sequence[Any]) -> tuple[Money, str]:
    """With the cancellation guarantee, for a reason: covered reasons are refunded in full, others by the cancellation scale."""
    where = _where(evaluator)
    _need(evaluator, "guarantee_covers", "guarantee_covers(reason, days_before)")
    numbers = [a for a in args if isinstance(a, Decimal)]
    # Days before the event matter only for some reasons (a relative's illness); the rule reads them only then.
    days = numbers[0] if numbers else Decimal(-1)
    try:
        covered = evaluator.call_rule("guarantee_covers", [reason, days], evaluator.edition.policy.span)
    except PolicyError:
        raise
    if covered and not numbers and _reads_days(evaluator, reason):
        raise evaluator.fail(f"for '{reason}' the guarantee depends on how many days before the event it happened", where,
                             f"e.g. refund {race.name} with insurance for {reason} 12 days before")
    if covered:
        _need(evaluator, "insured_refund", "insured_refund(race)")
        return evaluator.call_rule("insured_refund", [race], evaluator.edition.policy.span), f"the guarantee covers {reason}"
    if len(dates) != 1:
        raise evaluator.fail(f"the guarantee does not cover '{reason}': give the cancellation date for the cancellation scale", where,
                             f"e.g. refund {race.name} cancelled {evaluator.edition.year}-05-15 for {reason}")
    amount = evaluator.call_rule("refund", [race, dates[0]], evaluator.edition.policy.span)
    return amount, f"the guarantee does not cover {reason}: the cancellation scale applies"


def _reads_days(evaluator: Evaluator, reason: str) -> bool:
    """Whether the guarantee's answer for this reason changes with the days before the event."""
    near = evaluator.call_rule("guarantee_covers", [reason, Decimal(0)], evaluator.edition.policy.span)
    far = evaluator.call_rule("guarantee_covers", [reason, Decimal(100000)], evaluator.edition.policy.span)
    return bool(near != far)


def _organiser_refund(evaluator: Evaluator, race: RaceValue, dates: list[datetime.date]) -> tuple[Any, str]:
    """A race cancelled by the organiser: the refund depends on how long before the start it was cancelled."""
    where = _where(evaluator)
    _need(evaluator, "race_cancelled_refund", "race_cancelled_refund(race, cancelled, start)")
    start = race.attributes.get("date")
    if start is not None and len(dates) == 1:
        dates = [dates[0], start]
    if len(dates) != 2:
        raise evaluator.fail(
            f"a race cancelled by the organiser takes the cancellation date and the start date; {len(dates)} date(s) given", where,
            f"e.g. refund {race.name} cancelled by organiser {evaluator.edition.year}-07-01 start {evaluator.edition.year}-08-26",
        )
    cancelled, start = dates
    value = evaluator.call_rule("race_cancelled_refund", [race, cancelled, start], evaluator.edition.policy.span)
    return value, f"cancelled by the organiser {(start - cancelled).days} days before the start"


# Place names are matched without regard to case or accents' absence: a jury types "courmayeur".
def _fold(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)).replace("-", " ")


ASSISTANCE_USAGE = "assistance RACE | assistance RACE at PLACE | assistance at PLACE"


def _assistance(evaluator: Evaluator, args: Sequence[Any]) -> tuple[Any, str]:
    """`assistance UTMB at courmayeur`: whether personal assistance is allowed there; `assistance at PLACE`: on which races."""
    where = _where(evaluator)
    edition = evaluator.edition
    race = args[0] if args and isinstance(args[0], RaceValue) else None
    rest = list(args[1:] if race is not None else args)
    if rest and isinstance(rest[0], str) and rest[0].casefold() == "at":
        rest = rest[1:]
    elif rest:
        raise evaluator.fail(f"assistance takes a race and a place, e.g. assistance {next(iter(edition.races), 'RACE')} at PLACE", where,
                             f"ask as: {ASSISTANCE_USAGE}")
    if not all(isinstance(w, str) for w in rest):
        raise evaluator.fail("write the place as words, e.g. assistance at Courmayeur", where, f"ask as: {ASSISTANCE_USAGE}")
    place = " ".join(rest)
    if race is None and not place:
        raise evaluator.fail("assistance takes a race, a place, or both", where, f"ask as: {ASSISTANCE_USAGE}")
    if race is not None and not place:
        return _attribute(evaluator, race.name, "assistance"), ""
    races = [race.name] if race is not None else [name for name, r in edition.races.items() if "assistance" in r.attributes]
    known: list[str] = []
    allowed: list[str] = []
    for name in races:
        places = edition.races[name].attributes.get("assistance")
        if places is None:
            raise evaluator.fail(f"the {edition.label} policy gives no assistance places for {name}", where)
        known.extend(str(p) for p in places)
        if any(_fold(str(p)) == _fold(place) for p in places):
            allowed.append(name)
            evaluator.note("attribute", f"{name}.assistance", f"at {place}", result=places, citation=edition.races[name].citations.get("assistance"))
    if not any(_fold(k) == _fold(place) for k in known) and race is None:
        raise evaluator.fail(f"no race of {edition.label} names '{place}' as an assistance point", where,
                             f"places: {', '.join(dict.fromkeys(known))}")
    if race is not None:
        if not allowed:
            evaluator.note("attribute", f"{race.name}.assistance", f"not at {place}", result=edition.races[race.name].attributes["assistance"],
                           citation=edition.races[race.name].citations.get("assistance"))
        return bool(allowed), f"personal assistance at {place}" if allowed else f"no personal assistance at {place} on {race.name}"
    return tuple(allowed), f"races with personal assistance at {place}"


def _attribute(evaluator: Evaluator, race: str, name: str) -> Any:
    found = evaluator.edition.races[race]
    if name not in found.attributes:
        raise evaluator.fail(f"the {evaluator.edition.label} policy gives no {name} for {race}", _where(evaluator))
    value = found.attributes[name]
    evaluator.note("attribute", f"{race}.{name}", result=value, citation=found.citations.get(name))
    return value


COMPLAINT_USAGE = "complaint N days|hours after the event (or 12d, 3h)"
_COMPLAINT_UNITS = {"day": 24 * 60, "days": 24 * 60, "d": 24 * 60, "hour": 60, "hours": 60, "h": 60, "minutes": 1, "min": 1}


def _complaint(evaluator: Evaluator, args: Sequence[Any]) -> tuple[bool, str]:
    """`complaint 12 days after the event`: whether a complaint sent then is within the deadline."""
    where = _where(evaluator)
    late: Duration | None = None
    if args and isinstance(args[0], Duration):
        late = args[0]
    elif len(args) >= 2 and isinstance(args[0], Decimal) and isinstance(args[1], str) and args[1].casefold() in _COMPLAINT_UNITS:
        late = Duration(args[0] * _COMPLAINT_UNITS[args[1].casefold()])
    if late is None:
        raise evaluator.fail("say how long after the event the complaint was sent", where, f"ask as: {COMPLAINT_USAGE}")
    _need(evaluator, "complaint_deadline", "complaint_deadline")
    deadline = evaluator.call_rule("complaint_deadline", [], evaluator.edition.policy.span)
    if not isinstance(deadline, Duration):
        raise evaluator.fail(f"complaint_deadline of {evaluator.edition.label} is not a duration", where)
    met = late.minutes <= deadline.minutes
    return met, f"{late} after, the deadline is {deadline}" + ("" if met else ": too late")


# ---- the wave of a bib (issue #13 item 2) --------------------------------------
WAVE_USAGE = "wave BIB"
# The three bands of the policy that give, by bib, the start wave, its start time and the race.
_WAVE_BANDS = ("start_wave", "wave_start", "race_of_bib")


def _time_of_day(value: Any) -> str:
    """9h15 since midnight as 09:15: the policy writes a start time as the duration since midnight."""
    if isinstance(value, Duration) and value.minutes == int(value.minutes) and 0 <= value.minutes < 24 * 60:
        minutes = int(value.minutes)
        return f"{minutes // 60:02}:{minutes % 60:02}"
    return str(value)


def _wave(evaluator: Evaluator, args: Sequence[Any]) -> tuple[str, str]:
    """`wave 3500`: the start wave of a bib, its race and its start time, each from the line of the text that gives it."""
    where = _where(evaluator)
    edition = evaluator.edition
    if len(args) != 1 or not isinstance(args[0], Decimal) or args[0] != args[0].to_integral_value() or args[0] < 1:
        raise evaluator.fail(f"wave takes one bib number; {len(args)} word(s) given" if len(args) != 1 else "a bib is a whole number from 1",
                             where, f"ask as: {WAVE_USAGE}")
    missing = [band for band in _WAVE_BANDS if band not in edition.bands]
    if missing:
        raise evaluator.fail(f"the {edition.label} policy gives no start waves by bib (no band {', '.join(missing)})", where,
                             f"'racepolicy describe {edition.key}' lists its bands")
    bib = args[0]
    rows = edition.bands["start_wave"].decl.rows
    if not any(bib >= row.low and (row.high is None or bib <= row.high) for row in rows):
        waves = ", ".join(f"{row.label} {evaluator.call_band('start_wave', [Decimal(row.low)], where)}" for row in rows)
        evaluator.trace.clear()  # the listing above is for the hint, not part of any answer
        raise evaluator.fail(f"bib {bib} is in no start wave of {edition.label}", where, f"bibs by wave: {waves}")
    wave = evaluator.call_band("start_wave", [bib], where)
    race = evaluator.call_band("race_of_bib", [bib], where)
    start = evaluator.call_band("wave_start", [bib], where)
    race_name = race.name if isinstance(race, RaceValue) else str(race)
    return str(wave), f"{race_name}, start {_time_of_day(start)}"


@hookimpl
def racepolicy_query_forms(series: str) -> list[QueryForm] | None:
    if series != SERIES:
        return None
    return [
        QueryForm("refund", REFUND_USAGE, _refund, "refund for a cancellation: by the scale, with insurance, for a reason, or by the organiser"),
        QueryForm("assistance", ASSISTANCE_USAGE, _assistance, "where personal assistance is allowed (place names in any case)"),
        QueryForm("complaint", COMPLAINT_USAGE, _complaint, "whether a complaint sent so long after the event is in time"),
        QueryForm("wave", WAVE_USAGE, _wave, "the start wave of a bib, its race and its start time"),
    ]


@hookimpl
def racepolicy_combine_sanctions(series: str, sanctions: list[Sanction]) -> Sanction | None:
    # UTMB time penalties are served in situ one after the other, so they add;
    # disqualification ends the race, so it dominates. That is the core rule.
    if series != SERIES:
        return None
    return combine_sanctions(sanctions)


@hookimpl
def racepolicy_validate(edition: Edition) -> list[PolicyError] | None:
    if edition.series != SERIES:
        return None
    errors: list[PolicyError] = []
    # Every declared infraction must be sanctioned on every race: a jury must
    # never find a hole in the chart during a race meeting.
    for name, decl in edition.infractions.items():
        missing = [race for race in edition.races if edition.penalty_for(name, race) is None]
        if missing:
            errors.append(ValidationError(
                f"infraction '{name}' has no penalty on {', '.join(missing)}", decl.span, edition.source,
                "add a penalty line for those races (or a group holding them)",
            ))
    errors.extend(_unsanctioned_gear(edition))
    # Refund tiers never rise as the race gets nearer.
    for schedule in edition.schedules.values():
        shares = [(t, t.value) for t in schedule.tiers]
        previous: Percent | None = None
        for tier, expr in shares:
            value = getattr(expr, "value", None)
            if isinstance(value, Percent):
                if previous is not None and value.value > previous.value:
                    errors.append(ValidationError(
                        f"schedule '{schedule.name}' rises from {previous} to {value} nearer the race",
                        tier.node.span, edition.source, "refund shares may only fall as the race gets nearer",
                    ))
                previous = value
    return errors


def _unsanctioned_gear(edition: Edition) -> list[PolicyError]:
    """Every mandatory item must have a sanction on every race that requires it: a runner found without it
    must meet a penalty of the chart, never a silence."""
    errors: list[PolicyError] = []
    for checklist in edition.checklists.values():
        for item in checklist.decl.items:
            if item.mode != "require":
                continue
            races = [r for r in sorted(checklist.races) if r not in item.excepted]
            missing = [r for r in races if not any(edition.penalty_for(name, r) is not None for name in item.absent)]
            if not missing:
                continue
            tied = f"'{', '.join(item.absent)}' has no penalty on" if item.absent else "has no sanction: no infraction is tied to it on"
            hint = ("add a penalty line for those races" if item.absent
                    else f"tie it to the chart's row: require {item.name} ... absent INFRACTION")
            errors.append(ValidationError(
                f"mandatory item '{item.name}' of checklist '{checklist.name}' {tied} {', '.join(missing)}", item.span, edition.source, hint,
            ))
    return errors


# Statements the UTMB texts renamed between editions (the diff shows each as one change, not a removal and an addition).
# The 2022 chart names the smartphone where the 2016 chart named a mobile phone; the 2016 eco participation and
# membership are the 2022 eco fee and association membership; the guarantee's covered reasons became the
# insurance's table of reasons; spare batteries, in no row of the 2016 chart, fall under the 2022 row for
# "other mandatory equipment items".
DIFF_RENAMES = {
    "infraction:missing_phone": "infraction:missing_smartphone",
    "infraction:missing_spare_batteries": "infraction:missing_other_gear",
    "item:phone": "item:smartphone",
    "rule:eco_participation": "rule:eco_fee",
    "rule:membership_fee": "rule:association_membership",
    "rule:guarantee_covers": "table:insurance_cover",
    # seed 004:430 "publicity accessories (flags, banners)", seed 003:424 "sponsoring items - such as flags or banners"
    "infraction:publicity_accessories": "infraction:sponsor_items",
    # The same clause in each text, encoded under each text's words (2016 "postponement", 2022 "injury priority"; 2016
    # "objection", 2022 "complaint"; ...): one change each, showing both values, never a removal and an addition.
    "rule:postponement_request_admissible": "rule:injury_priority_request_accepted",
    "rule:postponement_decision_deadline": "rule:injury_priority_decision_by",
    "rule:postponement_decided_by": "rule:injury_priority_decided_by",
    "rule:bag_collection": "rule:bag_retrieval",
    "rule:cancellation_accepted_by": "rule:cancellation_accepted",
    "rule:race_guide_download_from": "rule:guide_download",
    "rule:penalties_imposed_by": "rule:penalty_applied_by",
    "rule:bib_on_retirement": "rule:bib_after",
    "rule:objection_in_time": "rule:complaint_receivable",
    "rule:participant_must_be": "rule:runner_commitments",
    "rule:first_aiders_may": "rule:staff_powers",
    "rule:organisation_may_modify_route": "rule:organization_may_modify",
    "rule:organisation_may_stop_race_for_safety": "rule:safety_measures",
    "rule:chamonix_rest_area_access": "rule:rest_area_chamonix",
    "rule:medical_certificate_channel": "rule:certificate_accepted",
    "rule:course_controller_phone": "rule:race_security_hq",
    "table:drop_bags": "table:drop_bag",
    # ---- sections (diffrest) ----
    # The 2016 text's bag clause is encoded as four tables (count, litres, deposit, posts), the 2022 one as one
    # table per race: one change per race, old cells → new, never three tables removed.
    # seed 004:218 "UTMB® : each competitor receives with his/her race bib, one 30-litre bag." ... "they can deposit it,
    # at the end of the afternoon, in Chamonix, at the ENSA gymnasium" ... "When reaching Courmayeur, each runner reclaims their bag"
    # seed 003:484 "UTMB®: at the race-pack collection, each participant receives a 30 liter bag."
    "table:drop_bag_litres": "table:drop_bag",
    "table:drop_bag_deposit": "table:drop_bag",
    "table:drop_bag_posts": "table:drop_bag",
    # The 2016 rest areas by race (seed 004:319 "Uniquely for UTMB® : at Les Chapieux, Courmayeur and Champex each
    # competitor can benefit from a rest area") are the 2022 rule utmb_rest_areas (seed 003:600 "UTMB® (only): At les
    # Chapieux, Courmayeur and Champex, each competitor can benefit from a rest area"); Chamonix's is rest_area_chamonix.
    "table:rest_areas": "rule:utmb_rest_areas",
    # ---- end sections (diffrest) ----
    # ---- rules (diffrules) ----
    # Each entry read against both texts (docs/diff-review/utmb-2016-2022-rules.md); seed 004 is the 2016 text, 003 the 2022.
    # Same clause, two names: one change showing both values.
    "rule:bottle_refill": "rule:aid_station_supplies",  # 004:41 "Only plain water" / 003:85 "still water or energizing drinks"
    "rule:assistance_conditions": "same as rule:crew_area_only",  # 004:43 "in the zone specifically reserved" / 003:87 "area specifically designated"
    "rule:accompaniment_allowed": "rule:counts_as_accompanied_outside_zones",  # 004:47 / 003:89 (being filmed now counts)
    "rule:medical_counsel_role": "rule:quartz_commission_role",  # 004:58 "a consultative opinion to the race Jury" / 003:279 "to the race direction"
    "rule:medical_exclusion_decided_by": "rule:quartz_exclusion_decided_by",  # 004:64 "propose, to the Race Jury" / 003:281 "suggest to the race direction"
    "rule:tue_declared_via": "rule:quartz_declaration_channel",  # 004:62 "personal page ... ITRA web-site" / 003:290 "QUARTZ health space"
    "rule:medical_sample_costs_paid_by": "rule:quartz_sampling_paid_by",  # 004:63 / 003:292
    "rule:medical_summons_must_be_answered": "rule:quartz_meetings",  # 004:64 "answer to any summons" / 003:315 "answer any meeting request"
    "rule:marshals_may_check": "rule:race_directors_may_check",  # 004:38 "the marshals can verify the bag, its weight" / 003:84
    "rule:refusing_marshal_check_risks": "rule:refusing_check_risks",  # 004:38 / 003:84 "or they might be excluded from the race"
    "rule:enrolment_channel": "same as rule:registration_accepted",  # 004:100 "exclusively on the Internet and secured payment by banker's card" / 003:46
    "rule:race_change_allowed": "rule:entry_transfer_allowed",  # 004:113 "not possible to change races" / 003:61 "forbidden to transfer the entry"
    "rule:participation_means_acceptance": "rule:accepted_on_entry",  # 004:91 "assumes the acceptance" / 003:11 "implies full and unreserved acceptance"
    "rule:bib_issued": "rule:may_collect_race_pack",  # 004:86 "NO race-bib will be issued without" / 003:42 "not be allowed to collect their race pack unless"
    "rule:guarantee_proof": "rule:insurance_claim_handled_by",  # 004:122 proofs sent to the organisation / 003:966 proofs sent to the insurer
    "rule:postponement_outcome": "rule:injury_priority_grants",  # 004:148 "priority registration" / 003:1008 "only means avoiding the lottery"
    "rule:refreshment_access": "rule:aid_station_entry_requires_bib",  # 004:278 "visible and duly controlled race number" / 003:512 "wear their race-bib"
    "rule:rubbish_pouch_with_bib": "rule:bags_handed_with_bib",  # 004:298 a pouch for rubbish / 003:340 bags for soiled paper only
    "rule:occ_assistance_allowed": "rule:assistance_elsewhere",  # 004:45 "No assistance ... during the OCC" / 003:88 "... during the OCC, MCC, ETC and YCC"
    # The same clause, each policy encoding it its own way (true / false, a flag / a text): shown as restated, never counted.
    "rule:run_in_one_stage": "same as rule:race_format",  # 004:9 "run in one stage, at one's own speed" / 003:15 "one single stage, at an undefined pace"
    "rule:image_rights_waived": "same as rule:image_rights_kept_by_runner",  # 004:433 "relinquishes their claim" / 003:419 "expressly foregoes the right"
    "rule:drop_bag_at": "same as rule:drop_bag_in_champex",  # 004:219 "No spare bag in Champex" / 003:485 "No drop bags in Champex"
    "rule:lost_markers": "same as rule:lost_markers",  # 004:346 "retrace your steps!" / 003:523 "turn back!"
    "rule:certificate_outcome": "same as rule:certificate_outcome",  # 004:83 "cancelled and the fee not refunded" / 003:37 "cancelled without refund"
    "rule:semi_autonomy_covers": "same as rule:semi_autonomy",  # 004:34 food, clothing, security / 003:80 the same three
    "rule:assistance_allowed": "same as rule:assistance_allowed",  # 004:43, 53 / 003:87, 97 (2016 states the conditions as separate rules)
    "rule:accident_insurance_countries": "same as rule:rescue_insurance_valid",  # 004:411 / 003:327 "in France, Italy and Switzerland"
    "rule:evacuation_decided_by": "same as rule:evacuation_decided_by",  # 004:259, 414 / 003:329, 331 (2016 says the organisation at 414)
    "rule:rescue_costs_paid_by": "same as rule:exceptional_rescue_paid_by",  # 004:261 "also responsible for all costs relating to their return" / 003:333
    "rule:sponsor_logos_allowed_on": "same as rule:sponsor_logos_allowed_on",  # 004:430 "equipment used during the race" / 003:424 "equipment during the race"
    "rule:bib_handover_requires": "same as rule:bib_handover_requires",  # 004:211-212 / 003:459-460
    "rule:bib_position_allowed": "same as rule:bib_conforms",  # 004:214 / 003:462 (2016 states visibility and logos as separate rules)
    "rule:bib_gives_access_to": "same as rule:bib_gives_access_to",  # 004:215 / 003:462 (the same seven places, translated)
    "rule:bag_repatriated_after_abandon": "same as rule:bag_of_runner_who_drops_out",  # 004:231 / 003:501
    "rule:aid_station_food_consumed": "same as rule:aid_station_food_consumed",  # 004:40 "to consume on the spot" / 003:85 "to be consumed on site"
    "rule:continuing_after_exclusion": "same as rule:continuing_after_exclusion",  # 004:314 / 003:543
    "rule:duty_to_assist": "same as rule:duty_to_assist",  # 004:248 "helps anybody in danger and alerts" / 003:558
    "rule:excluded_after_intravenous_drip": "same as rule:may_continue_after_treatment",  # 004:252 "obligatorily, excluded" / 003:576 "compulsorily withdraw"
    "rule:finisher_gift": "same as rule:finisher_receives",  # 004:352 / 003:586 (the 2016 meal, 004:289, is restated in it too)
    "rule:may_abandon_at": "same as rule:may_abandon_at",  # 004:331 "Except for injury ... only abandon at a control post" / 003:639
    "rule:organiser_civil_liability_insured": "same as rule:civil_liability_covers",  # 004:408 / 003:916 (organiser, officials, participants)
    "rule:postponement_possible": "same as rule:injury_priority_eligible",  # 004:142 / 003:1002 (both: not curable by the day of the race)
    "rule:race_interrupted_refund": "same as rule:race_interrupted_refund",  # 004:404 "no refund" / 003:886 "will not be refunded"
    # A 2016 rule the 2022 policy states as one item (or the clause) of a bigger statement: restated, not removed.
    "rule:organisation_helps_runner_with_own_problems": "restated in rule:runner_commitments",  # 004:24 / 003:71
    "rule:self_sufficiency_required": "restated in rule:runner_commitments",  # 004:21 / 003:68
    "rule:conditions_faced_without_help": "restated in rule:runner_commitments",  # 004:22 / 003:69 (the same six conditions)
    "rule:problems_managed_alone": "restated in rule:runner_commitments",  # 004:23 / 003:70
    "rule:runner_accepts_regulations": "restated in rule:accepted_on_entry",  # 004:30 / 003:11
    "rule:semi_autonomy_is_the_rule": "restated in rule:semi_autonomy",  # 004:33 / 003:80 "The races must be completed in semi-autonomy"
    "rule:pack_tagged_at_bib_distribution": "restated in checklist:long_basic#pack",  # 004:200 / 003:160 (a spec of the running pack)
    "rule:runner_carries_to_next_post": "restated in rule:aid_station_supplies",  # 004:41 / 003:85 "the necessary fluids and food"
    "rule:assistants_per_runner": "restated in rule:assistance_allowed",  # 004:43 "one single person" / 003:87 "only one assistant"
    "rule:assistant_bag_max_litres": "restated in rule:assistance_allowed",  # 004:43 / 003:87 "maximum volume of 30 liters"
    "rule:professional_assistance_allowed": "restated in rule:assistance_allowed",  # 004:43 / 003:87 "strictly forbidden"
    "rule:rest_of_post_reserved_for_runners": "restated in rule:crew_area_only",  # 004:44 / 003:87
    "rule:declaration_in_time": "restated in rule:may_collect_race_pack",  # 004:84 / 003:40 (declaration on honor, by July 31st)
    "rule:guarantee_applies": "restated in rule:cancellation_refund_due",  # 004:129 / 003:957 (insured and a listed reason)
    "rule:bib_exchange_allowed": "restated in rule:entry_transfer_allowed",  # 004:139 / 003:61 "or to another person"
    "rule:postponement_decision_appealable": "restated in rule:injury_priority_decided_by",  # 004:146 / 003:1006 "its decision is final"
    "rule:bib_sponsor_marks_may_be_altered": "restated in rule:bib_conforms",  # 004:214 / 003:462 "must not be altered or hidden"
    "rule:bib_withdrawn": "restated in rule:bib_after",  # 004:215 / 003:462 "only withdrawn if the runner refuses to comply"
    "rule:tds_start_sack_returned_to": "restated in table:drop_bag",  # 004:224 / 003:490 (TDS row)
    "rule:tds_second_sack_obligatory": "restated in table:drop_bag",  # 004:224 / 003:490 "1 bag (not mandatory)"
    "rule:bag_return_before_race_end_guaranteed": "restated in rule:bag_of_runner_who_drops_out",  # 004:231 / 003:501
    "rule:poles_in_drop_bag_allowed": "restated in checklist:long_recommended#poles",  # 004:203 / 003:174 (a spec of the poles)
    "rule:poles_allowed": "restated in checklist:long_recommended#poles",  # 004:202 / 003:173
    "rule:poles_forbidden_where": "restated in checklist:long_recommended#poles",  # 004:204 / 003:175
    "rule:rescue_costs_recourse": "restated in rule:exceptional_rescue_paid_by",  # 004:261 / 003:333
    "rule:unexpected_control_positions_communicated": "restated in rule:checked_at",  # 004:276 / 003:518
    "rule:end_of_race_meal": "restated in rule:finisher_receives",  # 004:289 / 003:587 "A post-race meal is served at the UCPA in Chamonix"
    "rule:bottle_counts_as_beaker": "restated in checklist:long_basic#beaker",  # 004:291 / 003:117 "bottles or flasks with lids are not accepted"
    "rule:tumbler_min_volume_cl": "restated in checklist:long_basic#beaker",  # 004:291 / 003:117 "Personal beaker 15 cl minimum"
    "rule:trash_cans_must_be_used": "restated in rule:environment_rules",  # 004:300 / 003:339 "bins ... they must be used"
    "rule:follow_marked_paths": "restated in rule:environment_rules",  # 004:349 / 003:341
    "rule:time_barriers_allow_finishing_in_time": "restated in rule:may_continue",  # 004:312 / 003:541
    "rule:organisation_may_stop_race_or_modify_barriers": "restated in rule:safety_measures",  # 004:316 / 003:859, 864
    "rule:rest_area_is_accommodation": "restated in rule:rest_area_chamonix",  # 004:323 / 003:599
    "rule:arrival_showers_need_bare_feet": "restated in rule:shower_allowed",  # 004:328 / 003:593 "strictly limited to barefoot runners"
    "rule:repatriation": "same as rule:evacuation_after_drop_out",  # 004:335-336 buses, own means / 003:647-648 (the same two bullets)
    "rule:repatriation_at_closure": "restated as rule:repatriation",  # 004:338 / 003:650 (the 2022 rule holds these two bullets only)
    "rule:repatriation_bad_weather": "restated as rule:repatriation",  # 004:339 / 003:651
    "rule:partial_refund_amount": "restated in schedule:race_cancellation_refund",  # 004:404 / 003:866 "irremediable expenses incurred"
    "rule:accident_insurance_required": "restated in rule:rescue_insurance_valid",  # 004:411 / 003:327 "Each participant must have an insurance"
    "rule:accident_insurance_from": "restated in rule:rescue_insurance_valid",  # 004:412 / 003:327 "any organization of the runner's choice"
    "rule:evacuation_choice_by": "restated in rule:evacuation_decided_by",  # 004:414 / 003:329
    "rule:award_consists_of": "restated in rule:receives_award",  # 004:423 / 003:605 "receive a trophy and a prize"
    "rule:image_rights_passed_on_by": "restated in rule:image_rights_kept_by_runner",  # 004:433 / 003:419 "Only the organization can transfer"
    # A 2022 rule that names what a 2016 rule held inline: restated, not added.
    "rule:bag_retrieval_limit": "restates rule:bag_collection",  # 004:229 "within two hours" / 003:499 "no later than 2 hours"
    "rule:quartz_commission": "restates rule:medical_counsel_role",  # 004:58 "Medical Counsel, consisting of doctors" / 003:279 "solely composed of doctors"
    # ---- end rules (diffrules) ----
}


@hookimpl
def racepolicy_diff_renames(old: Edition, new: Edition) -> dict[str, str] | None:
    if old.series != SERIES or new.series != SERIES:
        return None
    return dict(DIFF_RENAMES)


@hookimpl
def racepolicy_diff_sections(old: Edition, new: Edition) -> list[DiffSection] | None:
    # The mandatory gear is what runners pack: read from the equipment checklists, item by item.
    if old.series != SERIES or new.series != SERIES:
        return None
    return [_checklist_section(old, new)]


# Figures of a specification (1 liter, 180g, 1.40m x 2m, 200 lumens): two specs that give the same figures say the
# same thing, whatever the translation's wording; a spec whose figures changed is a change a runner must see.
_FIGURE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(liters?|litres?|l|ml|cl|kg|g|km|cm|m|lumens?)?\b", re.IGNORECASE)
_UNITS = {"liter": "l", "liters": "l", "litre": "l", "litres": "l", "lumen": "lm", "lumens": "lm"}


def figures(specs: Sequence[str]) -> tuple[tuple[str, str], ...]:
    found = []
    for spec in specs:
        for number, unit in _FIGURE.findall(spec):
            unit = unit.lower()
            found.append((number.replace(",", "."), _UNITS.get(unit, unit)))
    return tuple(sorted(found))


def _items(edition: Edition, race: str, kit: str) -> dict[str, equipment.Carried]:
    return {c.name: c for c in equipment.carried(edition, race, (kit,) if kit else ()) if c.required and c.checklist.kit == kit}


def _shown(carried: equipment.Carried) -> str:
    text = (f"{carried.count} × " if carried.item.count else "") + (carried.item.description or carried.name)
    specs = carried.specs()
    return text + (f" ({'; '.join(specs)})" if specs else "")


# ---- sections (diffrest): gear moved from the basic list to a weather kit ----
def _moved_to_kit(old: Edition, new: Edition, races: Sequence[str], kits: Sequence[str]) -> dict[tuple[str, str], str]:
    """(race, item) → kit, for an item of the old basic list that the new edition requires only in one weather kit
    (2016 OCC gloves, seed 004:174 "warm and waterproof gloves OBLIGATORY"; 2022 OCC cold weather kit, seed 003:221):
    the item is not gone, it is required when the organization calls for that kit."""
    found = {}
    for race in races:
        gone = set(_items(old, race, "")) - set(_items(new, race, ""))
        for kit in kits:
            for name in sorted(gone & (set(_items(new, race, kit)) - set(_items(old, race, kit)))):
                found.setdefault((race, name), kit)
    return found


def _checklist_section(old: Edition, new: Edition) -> DiffSection:
    """Items a runner must carry that came, went, were renamed or changed in number or in the figures of their
    specification, per kit, races with the same change together. Descriptions are not compared: their wording
    changes with each translation of the text."""
    # Imported here: the diff is the only user, and importing it costs a query's start-up about 20 ms.
    from racepolicy.diff.compare import ADDED, CHANGED, REMOVED, RENAMED, Change, DiffSection

    renamed = {a.removeprefix("item:"): b.removeprefix("item:") for a, b in DIFF_RENAMES.items() if a.startswith("item:")}
    found: dict[tuple[str, str, str, str, str], list[tuple[str, equipment.Carried | None, equipment.Carried | None]]] = {}
    shared = [race for race in new.races if race in old.races]
    kits = list(dict.fromkeys(["", *equipment.kits(old), *equipment.kits(new)]))
    moved = _moved_to_kit(old, new, shared, kits[1:])
    for kit in kits:
        for race in shared:
            before, after = _items(old, race, kit), _items(new, race, kit)
            # An item moved from the basic list to a weather kit is one change, shown where it went.
            before = {n: c for n, c in before.items() if (race, n) not in moved}
            if kit:
                before.update({n: c for (r, n), k in moved.items() if r == race and k == kit for c in [_items(old, race, "")[n]]})
            # A rename holds where the old name left and the new one came; elsewhere each name is itself.
            here = {a: b for a, b in renamed.items() if a in before and a not in after and b in after and b not in before}
            back = {b: a for a, b in here.items()}
            for name in dict.fromkeys([*after, *[here.get(n, n) for n in before]]):
                old_name = back.get(name, name)
                a, b = before.get(old_name), after.get(name)
                if a is not None and b is not None and moved.get((race, old_name)) == kit:
                    key = (CHANGED, kit, name, "required in every weather", f"required when the organization calls for the {kit} kit")
                elif a is None and b is not None:
                    key = (ADDED, kit, name, "", str(b.count))
                elif b is None and a is not None:
                    key = (REMOVED, kit, old_name, str(a.count), "")
                elif a is not None and b is not None:
                    if a.count != b.count:
                        key = (CHANGED, kit, name, f"{a.count} × {old_name}", f"{b.count} × {name}")
                    elif figures(a.specs()) != figures(b.specs()):
                        key = (CHANGED, kit, name, "; ".join(a.specs()) or "no figure", "; ".join(b.specs()) or "no figure")
                    elif old_name != name:
                        key = (RENAMED, kit, name, old_name, name)
                    else:
                        continue
                else:
                    continue
                if old_name != name and key[0] == CHANGED:
                    key = (CHANGED, kit, f"{old_name} (now {name})", key[3], key[4])
                found.setdefault(key, []).append((race, a, b))
    changes: list[Change] = []
    for (kind, kit, name, was, now), where in found.items():
        subject = f"{name} on {', '.join(race for race, _, _ in where)}" + (f" ({kit} kit)" if kit else "")
        _, a, b = where[0]
        if kind == ADDED and b is not None:
            changes.append(Change(ADDED, subject, new=_shown(b), new_cite=b.citation, new_json={"item": b.name, "count": b.count, "specs": b.specs()}))
        elif kind == REMOVED and a is not None:
            changes.append(Change(REMOVED, subject, old=_shown(a), old_cite=a.citation, old_json={"item": a.name, "count": a.count, "specs": a.specs()}))
        elif a is not None and b is not None:
            note = "the same item under a new name" if kind == RENAMED else ""
            changes.append(Change(kind, subject, old=was if kind != RENAMED else a.item.description or a.name,
                                  new=now if kind != RENAMED else b.item.description or b.name,
                                  old_cite=a.citation, new_cite=b.citation, note=note,
                                  old_json={"item": a.name, "count": a.count, "specs": a.specs()},
                                  new_json={"item": b.name, "count": b.count, "specs": b.specs()}))
    return DiffSection("utmb_checklists", "Mandatory gear (UTMB checklists)", tuple(changes))
