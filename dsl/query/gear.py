"""Equipment queries: what a runner of a race carries, whether an item is required, how many, and gear penalties."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from racepolicy.evaluation import equipment
from racepolicy.evaluation.interpreter import Evaluator
from racepolicy.evaluation.model import Edition, cite
from racepolicy.evaluation.values import Sanction
from racepolicy.language import ast
from racepolicy.language.errors import QueryError, UnknownNameError, UnknownRaceError, did_you_mean
from racepolicy.language.source import Source

# The core's equipment query forms: verb -> how it is asked.
GEAR_FORMS = {
    "carry": "carry RACE [with KIT]",
    "required": "required ITEM on RACE [with KIT]",
    "quantity": "quantity ITEM on RACE [with KIT]",
    "how": "how many ITEM on RACE [with KIT]",
}


def check_kits(edition: Edition, kits: Sequence[str], query: ast.Query, source: Source) -> None:
    known = equipment.kits(edition)
    for kit in kits:
        if kit not in known:
            raise UnknownNameError(
                f"unknown kit '{kit}' in {edition.label}", _span_of(source, query, kit), source,
                did_you_mean(kit, known) or (f"kits: {', '.join(known)}" if known else f"the {edition.label} policy declares no kits"),
            )


def gear_penalty(edition: Edition, evaluator: Evaluator, query: ast.PenaltyQuery, source: Source,
                 facts: Mapping[str, Any] | None = None) -> tuple[Sanction, str]:
    """A penalty query where gear infractions count only if their item is required on the race under the kits in force."""
    check_kits(edition, query.kits, query, source)
    applying: list[str] = []
    rulings: list[equipment.GearRuling] = []
    for infraction in query.infractions:
        ruling = equipment.ruling(edition, infraction, query.race, query.kits)
        if ruling is None or ruling.applies:
            applying.append(infraction)
        if ruling is not None:
            rulings.append(ruling)
    value = evaluator.penalty(applying, query.race, query.span, facts) if applying else Sanction()
    # The chart rows first, then the checklist clauses that made each gear row apply or not.
    for ruling in rulings:
        evaluator.note("checklist", ruling.infraction, ruling.reason, [("race", query.race)], None if ruling.applies else "no penalty", ruling.citation)
    note = "; ".join(f"{r.infraction}: {r.reason} — no penalty" for r in rulings if not r.applies)
    return value, note


def gear_form(edition: Edition, evaluator: Evaluator, query: ast.FormQuery, source: Source) -> tuple[Any, str]:
    """`carry UTMB with hot`, `required torch on OCC`, `quantity torch on UTMB`, `how many torch on UTMB`."""
    verb = query.verb
    words: list[Any] = [a.name if isinstance(a, ast.Name) else a.value for a in query.args]
    if verb == "how":
        if not words or words[0] != "many":
            raise QueryError("ask as: how many ITEM on RACE [with KIT]", query.span, source)
        words = words[1:]
    kits: list[str] = []
    if "with" in words:
        at = words.index("with")
        kits = [str(w) for w in words[at + 1:]]
        words = words[:at]
        if not kits:
            raise QueryError("name the kit announced after 'with'", query.span, source, _kit_hint(edition))
    check_kits(edition, kits, query, source)
    if verb == "carry":
        if len(words) != 1 or not isinstance(words[0], str):
            raise QueryError(f"ask as: {GEAR_FORMS[verb]}", query.span, source, f"e.g. carry {next(iter(edition.races), 'RACE')}")
        race = _race(edition, str(words[0]), query, source)
        found = equipment.gear_list(edition, race, kits)
        for item in found.items:
            evaluator.note("checklist", item.name, item.checklist.name, result=f"{item.count}" if item.required else "recommended", citation=item.citation)
        return found, ""
    if len(words) != 3 or words[1] != "on" or not all(isinstance(w, str) for w in words):
        raise QueryError(f"ask as: {GEAR_FORMS[verb]}", query.span, source, f"e.g. {verb if verb != 'how' else 'how many'} torch on UTMB")
    item_name, race = str(words[0]), _race(edition, str(words[2]), query, source)
    names = equipment.item_names(edition)
    if item_name not in names:
        raise UnknownNameError(
            f"unknown item '{item_name}' in {edition.label}", _span_of(source, query, item_name), source,
            did_you_mean(item_name, names) or f"items: {', '.join(names[:12])}{', ...' if len(names) > 12 else ''}",
        )
    held = {c.name: c for c in equipment.carried(edition, race, kits)}
    carried = held.get(item_name)
    if carried is not None:
        evaluator.note("checklist", item_name, carried.checklist.name, [("race", race)], carried.label(), carried.citation)
    required = carried is not None and carried.required
    if carried is None:
        note = _where_else(edition, evaluator, item_name, race, kits)
    else:
        note = carried.label() if required else "recommended, not required"
    if verb == "required":
        return required, note
    return Decimal(carried.count if carried is not None and required else 0), note


def _where_else(edition: Edition, evaluator: Evaluator, item: str, race: str, kits: Sequence[str]) -> str:
    """Why an item is not on a race's list, citing the clause that leaves the race out when there is one."""
    for checklist in edition.checklists.values():
        for entry in checklist.decl.items:
            if entry.name == item and race in checklist.races and race in entry.excepted:
                evaluator.note("checklist", item, checklist.name, [("race", race)], "not required",
                               cite(edition.source, checklist.decl, entry, entry.citation))
                return f"not required on {race}"
    later = [k for k in equipment.kits(edition) if k not in kits and any(
        c.name == item and c.required for c in equipment.carried(edition, race, (*kits, k)))]
    basic = next((c for c in edition.checklists.values() if race in c.races and not c.kit), None)
    if basic is not None:
        # The race's own list is the clause that answers: the item is not on it.
        evaluator.note("checklist", basic.name, "", [("race", race)], "", basic.citation)
    if later:
        return f"not required on {race} unless the {' or '.join(later)} kit is announced"
    if basic is not None:
        return f"not on the {basic.name} checklist of {race}"
    return f"no checklist of {edition.label} covers {race}"


def _race(edition: Edition, name: str, query: ast.Query, source: Source) -> str:
    if name not in edition.races:
        raise UnknownRaceError(
            f"unknown race '{name}' in {edition.label}", _span_of(source, query, name), source,
            did_you_mean(name, edition.races) or f"races: {', '.join(edition.races)}",
        )
    return name


def _kit_hint(edition: Edition) -> str:
    known = equipment.kits(edition)
    return f"kits: {', '.join(known)}" if known else ""


def _span_of(source: Source, query: ast.Query, word: str) -> Any:
    from racepolicy.query.forms import _word_span

    return _word_span(source, query, word)


def gear_words(edition: Edition) -> set[str]:
    """Item and kit names: words of the gear queries that tell which edition a query means."""
    return set(equipment.item_names(edition)) | set(equipment.kits(edition))
