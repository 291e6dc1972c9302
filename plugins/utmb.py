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
    "rule:postponement_possible": "rule:injury_priority_eligible",
    "rule:postponement_request_admissible": "rule:injury_priority_request_accepted",
    "rule:postponement_decision_deadline": "rule:injury_priority_decision_by",
    "rule:postponement_decided_by": "rule:injury_priority_decided_by",
    "rule:bag_collection": "rule:bag_retrieval",
    "rule:bag_repatriated_after_abandon": "rule:bag_of_runner_who_drops_out",
    "rule:rescue_costs_paid_by": "rule:exceptional_rescue_paid_by",
    "rule:cancellation_accepted_by": "rule:cancellation_accepted",
    "rule:race_guide_download_from": "rule:guide_download",
    "rule:penalties_imposed_by": "rule:penalty_applied_by",
    "rule:bib_on_retirement": "rule:bib_after",
    "rule:objection_in_time": "rule:complaint_receivable",
    "rule:semi_autonomy_covers": "rule:semi_autonomy",
    "rule:participant_must_be": "rule:runner_commitments",
    "rule:first_aiders_may": "rule:staff_powers",
    "rule:organisation_may_modify_route": "rule:organization_may_modify",
    "rule:organisation_may_stop_race_for_safety": "rule:safety_measures",
    "rule:excluded_after_intravenous_drip": "rule:may_continue_after_treatment",
    "rule:chamonix_rest_area_access": "rule:rest_area_chamonix",
    "rule:medical_certificate_channel": "rule:certificate_accepted",
    "rule:course_controller_phone": "rule:race_security_hq",
    "rule:accident_insurance_countries": "rule:rescue_insurance_valid",
    "rule:bib_position_allowed": "rule:bib_conforms",
    "table:drop_bags": "table:drop_bag",
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


def _checklist_section(old: Edition, new: Edition) -> DiffSection:
    """Items a runner must carry that came, went, were renamed or changed in number or in the figures of their
    specification, per kit, races with the same change together. Descriptions are not compared: their wording
    changes with each translation of the text."""
    # Imported here: the diff is the only user, and importing it costs a query's start-up about 20 ms.
    from racepolicy.diff.compare import ADDED, CHANGED, REMOVED, RENAMED, Change, DiffSection

    renamed = {a.removeprefix("item:"): b.removeprefix("item:") for a, b in DIFF_RENAMES.items() if a.startswith("item:")}
    found: dict[tuple[str, str, str, str, str], list[tuple[str, equipment.Carried | None, equipment.Carried | None]]] = {}
    shared = [race for race in new.races if race in old.races]
    for kit in dict.fromkeys(["", *equipment.kits(old), *equipment.kits(new)]):
        for race in shared:
            before, after = _items(old, race, kit), _items(new, race, kit)
            # A rename holds where the old name left and the new one came; elsewhere each name is itself.
            here = {a: b for a, b in renamed.items() if a in before and a not in after and b in after and b not in before}
            back = {b: a for a, b in here.items()}
            for name in dict.fromkeys([*after, *[here.get(n, n) for n in before]]):
                old_name = back.get(name, name)
                a, b = before.get(old_name), after.get(name)
                if a is None and b is not None:
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
