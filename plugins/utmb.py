"""The UTMB Mont-Blanc series plugin: its vocabulary, refund query, sanction combination, validators and diff section."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from racepolicy import hookimpl
from racepolicy.diff.compare import ADDED, CHANGED, REMOVED, Change, DiffSection
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


def _gear(edition: Edition) -> list[str]:
    """The mandatory-gear items an edition's penalty chart sanctions, in chart order."""
    named = list(dict.fromkeys([*edition.infractions, *edition.penalties]))
    return [name for name in named if name in GEAR_INFRACTIONS and edition.penalties.get(name)]


@hookimpl
def racepolicy_diff_sections(old: Edition, new: Edition) -> list[DiffSection] | None:
    # The mandatory-gear checklist is what runners pack: say which items came and went.
    if old.series != SERIES or new.series != SERIES:
        return None
    before, after = _gear(old), _gear(new)
    changes: list[Change] = []
    for edition, items, others, kind in ((new, after, before, ADDED), (old, before, after, REMOVED)):
        for item in items:
            if item in others:
                continue
            decl = edition.infractions.get(item)
            citation = edition.penalties[item][0].citation
            text = decl.description if decl is not None and decl.description else None
            if kind == ADDED:
                changes.append(Change(ADDED, item, new=text, new_cite=citation, new_json=item))
            else:
                changes.append(Change(REMOVED, item, old=text, old_cite=citation, old_json=item))
    return [DiffSection("utmb_mandatory_gear", "Mandatory gear (UTMB)", tuple(changes)), _checklist_section(old, new)]


def _checklist_section(old: Edition, new: Edition) -> DiffSection:
    """Items a runner must carry that came, went or changed in number, per kit, races with the same change together.
    The wording of an item's description changes with each translation: only its presence and its quantity are compared."""
    found: dict[tuple[str, str, str, int, int], list[tuple[str, equipment.Carried]]] = {}
    shared = [race for race in new.races if race in old.races]
    for kit in dict.fromkeys(["", *equipment.kits(old), *equipment.kits(new)]):
        for race in shared:
            before = {c.name: c for c in equipment.carried(old, race, (kit,) if kit else ()) if c.required and c.checklist.kit == kit}
            after = {c.name: c for c in equipment.carried(new, race, (kit,) if kit else ()) if c.required and c.checklist.kit == kit}
            for name in dict.fromkeys([*after, *before]):
                if name not in before:
                    found.setdefault((ADDED, kit, name, 0, after[name].count), []).append((race, after[name]))
                elif name not in after:
                    found.setdefault((REMOVED, kit, name, before[name].count, 0), []).append((race, before[name]))
                elif before[name].count != after[name].count:
                    found.setdefault((CHANGED, kit, name, before[name].count, after[name].count), []).append((race, after[name]))
    changes: list[Change] = []
    for (kind, kit, name, was, now), where in found.items():
        subject = f"{name} on {', '.join(race for race, _ in where)}" + (f" ({kit} kit)" if kit else "")
        item = where[0][1]
        text = (f"{item.count} × " if item.item.count else "") + (item.item.description or name)
        if kind == ADDED:
            changes.append(Change(ADDED, subject, new=text, new_cite=item.citation, new_json=now))
        elif kind == REMOVED:
            changes.append(Change(REMOVED, subject, old=text, old_cite=item.citation, old_json=was))
        else:
            old_item = next(c for c in equipment.carried(old, where[0][0], (kit,) if kit else ()) if c.name == name)
            changes.append(Change(CHANGED, subject, old=f"{was} × {name}", new=f"{now} × {name}", old_cite=old_item.citation,
                                  new_cite=item.citation, old_json=was, new_json=now))
    return DiffSection("utmb_checklists", "Mandatory equipment checklists (UTMB)", tuple(changes))
