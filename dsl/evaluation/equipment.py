"""Equipment checklists of an edition: what a runner of a race carries, under the kits the organiser announces."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs
from racepolicy.evaluation.model import Citation, Edition, cite
from racepolicy.language import ast


@attrs.define
class Checklist:
    """One checklist statement: its races, its kit ("" for the basic list) and its items."""

    name: str
    races: frozenset[str]
    kit: str
    decl: ast.ChecklistDecl
    citation: Citation


@attrs.frozen
class Carried:
    """One item as a runner of one race must (or is advised to) carry it."""

    item: ast.GearItem
    checklist: Checklist
    citation: Citation

    @property
    def name(self) -> str:
        return self.item.name

    @property
    def count(self) -> int:
        return self.item.count or 1

    @property
    def required(self) -> bool:
        return self.item.mode == "require"

    def specs(self) -> list[str]:
        return [shown(spec, self.checklist.decl) for spec in self.item.specs]

    def label(self) -> str:
        """`2 × torch: working torches ... (spec)` as a jury reads it."""
        text = f"{self.count} × {self.name}" if self.item.count else self.name
        if self.item.description:
            text += f": {self.item.description}"
        if self.item.specs:
            text += f" ({'; '.join(self.specs())})"
        return text


@attrs.frozen
class GearList:
    """The answer to `carry RACE [with KIT]`: mandatory items, then recommended ones."""

    race: str
    kits: tuple[str, ...]
    items: tuple[Carried, ...]

    def __str__(self) -> str:
        kits = f" with the {', '.join(self.kits)} kit{'s' if len(self.kits) > 1 else ''}" if self.kits else ""
        mandatory = [c for c in self.items if c.required]
        advised = [c for c in self.items if not c.required]
        lines = [f"{self.race} runners must carry{kits} ({len(mandatory)} items):"]
        lines += [f"  - {c.label()}" + (f"  [{c.checklist.kit} kit]" if c.checklist.kit else "") for c in mandatory]
        if advised:
            lines.append("recommended:")
            lines += [f"  - {c.label()}" for c in advised]
        conditions = self.conditions()
        if conditions:
            lines.append("for the whole list:")
            lines += [f"  - {text}" for text in conditions]
        return "\n".join(lines)

    def conditions(self) -> list[str]:
        """The list-wide specifications of the checklists the items come from, once each."""
        return list(dict.fromkeys(shown(spec, c.checklist.decl) for c in self.items for spec in c.checklist.decl.specs))

    def as_json(self) -> dict[str, object]:
        return {
            "type": "checklist",
            "race": self.race,
            "kits": list(self.kits),
            "conditions": self.conditions(),
            "items": [
                {"name": c.name, "count": c.count, "required": c.required, "description": c.item.description,
                 "specs": c.specs(), "kit": c.checklist.kit, "citation": c.citation.as_json()}
                for c in self.items
            ],
        }


@attrs.frozen
class GearRuling:
    """Whether a gear infraction can be committed on a race under the kits in force, and the clause that says so."""

    infraction: str
    race: str
    applies: bool
    reason: str
    citation: Citation | None



def shown(spec: ast.Citation, checklist: ast.ChecklistDecl) -> str:
    """A specification as a runner reads it. Where two lists of the text repeat the same words, a spec quotes the
    heading of its own list first (`"OCC MCC mandatory equipment checklist ... the seams must be sealed."`) so that
    the checker finds it in the right list; the heading is the list's, not the item's, and is not shown."""
    heading = checklist.citation.text.split(" ... ")[0] if checklist.citation is not None else ""
    prefix = heading + " ... "
    return spec.text[len(prefix):] if heading and spec.text.startswith(prefix) else spec.text


def build(edition: Edition, decl: ast.ChecklistDecl, races: frozenset[str]) -> Checklist:
    return Checklist(decl.name, races, decl.kit, decl, cite(edition.source, decl))


def kits(edition: Edition) -> list[str]:
    """The kit names the edition's checklists declare, in order of first appearance."""
    return list(dict.fromkeys(c.kit for c in edition.checklists.values() if c.kit))


def item_names(edition: Edition) -> list[str]:
    return list(dict.fromkeys(i.name for c in edition.checklists.values() for i in c.decl.items))


def carried(edition: Edition, race: str, announced: Iterable[str] = ()) -> list[Carried]:
    """Every item a runner of `race` carries: the basic lists, then the announced kits (a kit's item replaces
    the basic item of the same name, as the hot kit's 2 litres replace the basic litre of water)."""
    announced = tuple(announced)
    found: dict[str, Carried] = {}
    lists = [c for c in edition.checklists.values() if race in c.races and (not c.kit or c.kit in announced)]
    lists.sort(key=lambda c: (bool(c.kit), announced.index(c.kit) if c.kit else 0))
    for checklist in lists:
        for item in checklist.decl.items:
            if race in item.excepted:
                continue
            found.pop(item.name, None)
            found[item.name] = Carried(item, checklist, cite(edition.source, checklist.decl, item, item.citation))
    return sorted(found.values(), key=lambda c: not c.required)


def gear_list(edition: Edition, race: str, announced: Sequence[str] = ()) -> GearList:
    return GearList(race, tuple(announced), tuple(carried(edition, race, announced)))


def ruling(edition: Edition, infraction: str, race: str, announced: Sequence[str] = ()) -> GearRuling | None:
    """None when the infraction is tied to no item, or the race has no checklist (the chart then applies as written);
    otherwise whether it can apply on `race` under `announced`, and the clause that says so."""
    tied = [(c, i) for c in edition.checklists.values() for i in c.decl.items if infraction in (*i.absent, *i.fewer)]
    if not tied or not any(race in c.races for c in edition.checklists.values()):
        return None
    hits = [c for c in carried(edition, race, announced) if c.required and (
        infraction in c.item.absent or (infraction in c.item.fewer and c.count > 1))]
    if hits:
        what = ", ".join(f"{c.count} × {c.name}" if infraction in c.item.fewer else c.name for c in hits)
        return GearRuling(infraction, race, True, f"required on {race}: {what}", hits[0].citation)
    # Name the items of this race's own lists when it has any ("sunglasses" for the ETC, not every "other item").
    local = [i for c, i in tied if race in c.races]
    names = ", ".join(dict.fromkeys(i.name for i in (local or [i for _, i in tied])))
    now = carried(edition, race, announced)
    held = {c.name: c for c in now if c.required}
    for _, item in tied:
        if infraction in item.fewer and item.name in held:
            one = held[item.name]
            return GearRuling(infraction, race, False, f"{race} asks for {one.count} {item.name}: no shortfall", one.citation)
    # Where would it apply: under a kit not announced?
    later = [k for k in kits(edition) if k not in announced and any(
        infraction in c.item.absent or (infraction in c.item.fewer and c.count > 1)
        for c in carried(edition, race, (*announced, k)) if c.required and c.checklist.kit == k)]
    basic = next((c for c in edition.checklists.values() if race in c.races and not c.kit), None)
    where = basic.citation if basic is not None else None
    excepted = next((i for c, i in tied if race in c.races and race in i.excepted), None)
    if excepted is not None:
        # The item's own clause says which race it leaves out ("1 working torch ... (except MCC)").
        where = cite(edition.source, next(c.decl for c, i in tied if i is excepted), excepted, excepted.citation)
    reason = f"{names} not required on {race}"
    if later:
        reason += f" unless the {' or '.join(later)} kit is announced"
    return GearRuling(infraction, race, False, reason, where)
