"""The UTMB Mont-Blanc series plugin: its vocabulary, refund query, sanction combination, validators and diff section."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

from racepolicy import hookimpl
from racepolicy.diff.compare import ADDED, CHANGED, REMOVED, RENAMED, Change, DiffSection
from racepolicy.evaluation import equipment
from racepolicy.evaluation.interpreter import Evaluator
from racepolicy.evaluation.model import Edition
from racepolicy.evaluation.values import Money, Percent, RaceValue, Sanction, combine_sanctions
from racepolicy.language.errors import PolicyError, ValidationError
from racepolicy.pluginapi.types import QueryForm, Vocabulary

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


@hookimpl
def racepolicy_series() -> list[str]:
    return [SERIES]


@hookimpl
def racepolicy_vocabulary(series: str) -> Vocabulary | None:
    if series != SERIES:
        return None
    return Vocabulary(races=RACES, infractions=INFRACTIONS, categories=())


def _refund(evaluator: Evaluator, args: Sequence[Any]) -> tuple[Money, str]:
    """`refund RACE cancelled DATE`: what a runner without insurance gets back, and the share."""
    where = evaluator.query_span or evaluator.edition.policy.span
    words = [a for a in args if a not in ("cancelled", "on")]
    races = evaluator.edition.races
    if words and isinstance(words[0], str):
        raise evaluator.fail(f"unknown race '{words[0]}' in {evaluator.edition.label}", where, f"races: {', '.join(races)}")
    if len(words) != 2 or not isinstance(words[0], RaceValue) or not isinstance(words[1], datetime.date):
        raise evaluator.fail("ask as: refund RACE cancelled YYYY-MM-DD", where)
    race, when = words
    if "refund" not in evaluator.edition.rules:
        raise evaluator.fail(f"the {evaluator.edition.label} policy has no rule 'refund(race, date)'", where)
    amount = evaluator.call_rule("refund", [race, when], evaluator.edition.policy.span)
    share = next((e.result for e in evaluator.trace if e.kind == "schedule"), "")
    fee = race.attributes.get("fee")
    return amount, f"{share} of {fee}" if share and fee else share


@hookimpl
def racepolicy_query_forms(series: str) -> list[QueryForm] | None:
    if series != SERIES:
        return None
    return [QueryForm("refund", "refund RACE cancelled YYYY-MM-DD", _refund, "refund for a cancellation without insurance")]


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
