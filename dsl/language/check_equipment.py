"""Load-time checks of equipment checklists: races, kits, items, quantities and the infractions tied to items."""

from __future__ import annotations

from typing import TYPE_CHECKING

from racepolicy.evaluation import equipment
from racepolicy.evaluation.model import Edition
from racepolicy.language import ast
from racepolicy.language.errors import ChecklistError, DuplicateError, UnknownInfractionError, UnknownRaceError, did_you_mean
from racepolicy.language.source import Span

if TYPE_CHECKING:
    from racepolicy.language.checker import Checker


def check_checklists(checker: Checker, ed: Edition) -> None:
    """Resolve each checklist's races and check its items; fills `ed.checklists`."""
    known_infractions = set(ed.infractions) | set(ed.vocabulary.infractions if ed.vocabulary else ())
    # (race, kit, item) -> the item that first put it there: an item listed twice for the same race and kit.
    placed: dict[tuple[str, str, str], ast.GearItem] = {}
    for st in checker.policy.statements:
        if not isinstance(st, ast.ChecklistDecl):
            continue
        races = _races(checker, ed, st)
        checklist = equipment.build(ed, st, frozenset(races))
        ed.checklists[st.name] = checklist
        seen: dict[str, ast.GearItem] = {}
        for item in st.items:
            if item.name in seen:
                checker.error(
                    DuplicateError, f"item '{item.name}' is listed twice in checklist '{st.name}'",
                    checker._find_word(item.span, item.name), f"first on line {seen[item.name].span.line}",
                )
                continue
            seen[item.name] = item
            _check_item(checker, ed, st, item, races, known_infractions)
            for race in races - set(item.excepted):
                key = (race, st.kit, item.name)
                if key in placed and placed[key] is not item:
                    kit = f" in the {st.kit} kit" if st.kit else ""
                    checker.error(
                        ChecklistError, f"item '{item.name}' is already on a checklist of {race}{kit}",
                        checker._find_word(item.span, item.name), f"first on line {placed[key].span.line}; list it once for each race and kit",
                    )
                    break
                placed[key] = item


def _races(checker: Checker, ed: Edition, st: ast.ChecklistDecl) -> set[str]:
    races: set[str] = set()
    on = checker.source.line(st.span.line).find(" on ")
    for target in st.targets:
        if target == "all":
            races |= set(ed.races)
        elif target in ed.races:
            races.add(target)
        elif target in ed.groups:
            races |= ed.groups[target].members
        else:
            checker.error(
                UnknownRaceError, f"unknown race '{target}' in checklist '{st.name}'", checker._find_word(st.span, target, max(on, 0)),
                did_you_mean(target, list(ed.races) + list(ed.groups)),
            )
    return races


def _check_item(
    checker: Checker, ed: Edition, st: ast.ChecklistDecl, item: ast.GearItem, races: set[str], known: set[str],
) -> None:
    after = item.span.column - 1
    for race in item.excepted:
        if race not in races:
            where = "in the edition" if race not in ed.races else f"on checklist '{st.name}'"
            checker.error(
                UnknownRaceError, f"'{race}' is not a race {where}", checker._find_word(item.span, race, after),
                did_you_mean(race, sorted(races) if race in ed.races else list(ed.races)) or f"races of this checklist: {', '.join(sorted(races))}",
            )
    for name in (*item.absent, *item.fewer):
        if name not in known:
            checker.error(
                UnknownInfractionError, f"unknown infraction '{name}'", checker._find_word(item.span, name, after),
                did_you_mean(name, known) or 'declare it with: infraction NAME "what the regulation says"',
            )
    if item.mode == "recommend" and (item.absent or item.fewer):
        checker.error(
            ChecklistError, f"recommended item '{item.name}' cannot carry a penalty", _word_after(checker, item, "absent", "fewer"),
            "only a mandatory item (require) is sanctioned when missing",
        )
    if item.fewer and (item.count or 1) < 2:
        checker.error(
            ChecklistError, f"'fewer' needs a quantity of 2 or more, but '{item.name}' is asked for once",
            _word_after(checker, item, "fewer"), f"write the quantity the regulation asks for: require 2 {item.name}",
        )


def _word_after(checker: Checker, item: ast.GearItem, *words: str) -> Span:
    for word in words:
        span = checker._find_word(item.span, word, item.span.column - 1)
        if span != item.span:
            return span
    return item.span
