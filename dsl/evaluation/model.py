"""The checked model of one edition: races, groups, penalties, schedules, tables, bands, rules."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
from racepolicy.evaluation.values import Sanction
from racepolicy.language import ast
from racepolicy.language.citations import TextLocation, location_of
from racepolicy.language.source import Source

if TYPE_CHECKING:
    from racepolicy.evaluation.equipment import Checklist
    from racepolicy.evaluation.words import FactShape, WordSet
    from racepolicy.pluginapi.types import Function, QueryForm, Vocabulary


@attrs.frozen
class Citation:
    """Where a rule comes from: the regulation section and clause, and the policy line."""

    section: str
    clause: str
    file: str
    line: int
    # Where the clause stands in the regulation text, when the policy's `source` was found and the quote verified.
    text: TextLocation | None = None
    # The reading the policy takes of an ambiguous clause, and the others the text allows.
    reading: str = ""
    alternatives: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.render()

    def render(self, escape: Callable[[str], str] = str, quotes: tuple[str, str] = ('"', '"'), code: str = "") -> str:
        """`§ SECTION — "clause" (file:line)`; Markdown passes its escaping, curly quotes and backticks."""
        parts = []
        if self.section:
            parts.append(f"§ {escape(self.section)}")
        if self.clause:
            parts.append(f"{quotes[0]}{escape(self.clause)}{quotes[1]}")
        where = f"{code}{self.file}:{self.line}{code}"
        if self.text is not None:
            where += f", {code}{self.text}{code}"
        shown = (" — ".join(parts) + f" ({where})") if parts else where
        if self.reading:
            shown += f" — {self.render_reading(escape, quotes)}"
        return shown

    def render_reading(self, escape: Callable[[str], str] = str, quotes: tuple[str, str] = ('"', '"')) -> str:
        """`reading "X" (the text also allows "Y")`: the choice a jury must know was made."""
        others = " or ".join(f"{quotes[0]}{escape(a)}{quotes[1]}" for a in self.alternatives)
        return f"reading {quotes[0]}{escape(self.reading)}{quotes[1]} (the text also allows {others})"

    def as_json(self) -> dict[str, object]:
        found: dict[str, object] = {"section": self.section, "clause": self.clause, "file": self.file, "line": self.line}
        if self.text is not None:
            found["text"] = self.text.as_json()
        if self.reading:
            found["reading"] = {"chosen": self.reading, "alternatives": list(self.alternatives)}
        return found


def cite(source: Source, statement: ast.Statement, node: ast.Node | None = None, extra: ast.Citation | None = None) -> Citation:
    """The citation of a statement, or of a part of it that carries its own `§`."""
    clause = extra.text if extra else (statement.citation.text if statement.citation else "")
    line = (node or statement).span.line
    # A reading on the statement holds for every part of it; a part may take its own.
    read = extra if extra is not None and extra.reading else statement.citation
    reading, alternatives = (read.reading, read.alternatives) if read is not None else ("", ())
    return Citation(statement.section, clause, source.name, line, location_of(source, clause) if clause else None, reading, alternatives)


@attrs.define
class Race:
    name: str
    title: str
    attributes: dict[str, Any]
    decl: ast.RaceDecl
    citations: dict[str, Citation]


@attrs.define
class Group:
    name: str
    members: frozenset[str]
    decl: ast.GroupDecl


@attrs.define
class Penalty:
    """One penalty statement applied to one infraction, with the races it reaches."""

    infraction: str
    races: frozenset[str]
    rank: int  # 0 a race named, 1 a group, 2 all races: lower is more specific
    sanction: Sanction
    decl: ast.PenaltyDecl
    citation: Citation
    target_label: str
    condition: ast.Expr | None = None  # `when`: applies only when the query's facts make it hold


@attrs.define
class ScheduleTier:
    through: datetime.date | None  # None for `otherwise`
    value: ast.Expr
    citation: Citation
    node: ast.Node


@attrs.define
class Schedule:
    name: str
    tiers: list[ScheduleTier]
    decl: ast.ScheduleDecl
    kind: str


@attrs.define
class Table:
    name: str
    decl: ast.TableDecl
    kind: str
    # Rows never change once checked, so the row an argument tuple finds is
    # remembered: the interpreter's lookups then cost one dict probe.
    memo: dict[tuple[Any, ...], ast.TableRow | None] = attrs.field(factory=dict, repr=False)


@attrs.define
class Band:
    name: str
    decl: ast.BandDecl
    kind: str


@attrs.define
class Rule:
    name: str
    decl: ast.RuleDecl
    kind: str


@attrs.define
class Edition:
    """One edition of one series, checked and ready to answer queries."""

    series: str
    year: int
    title: str
    currency: str
    source: Source
    policy: ast.Policy
    races: dict[str, Race] = attrs.field(factory=dict)
    groups: dict[str, Group] = attrs.field(factory=dict)
    infractions: dict[str, ast.InfractionDecl] = attrs.field(factory=dict)
    penalties: dict[str, list[Penalty]] = attrs.field(factory=dict)
    schedules: dict[str, Schedule] = attrs.field(factory=dict)
    tables: dict[str, Table] = attrs.field(factory=dict)
    bands: dict[str, Band] = attrs.field(factory=dict)
    rules: dict[str, Rule] = attrs.field(factory=dict)
    checklists: dict[str, Checklist] = attrs.field(factory=dict)  # equipment checklists and kits, by name
    functions: dict[str, Function] = attrs.field(factory=dict)
    query_forms: dict[str, QueryForm] = attrs.field(factory=dict)
    vocabulary: Vocabulary | None = None
    combine: Callable[[list[Sanction]], Sanction] | None = None
    attribute_kinds: Mapping[str, str] = attrs.field(factory=dict)
    # Closed sets of words and the shapes of facts (issue #11 item 1); warnings of `check` (fields no rule reads).
    words: dict[str, WordSet] = attrs.field(factory=dict)
    facts: dict[str, FactShape] = attrs.field(factory=dict)
    param_words: dict[tuple[str, str], str] = attrs.field(factory=dict)  # (rule, parameter) -> its set of words
    warnings: list[Any] = attrs.field(factory=list)
    checked: bool = False
    # Declared inputs (`input NAME: TYPE "reason"`): figures the text does not give, supplied by each query.
    inputs: dict[str, ast.InputDecl] = attrs.field(factory=dict)
    # Inputs and `n/a` cells are evaluated by the interpreter only: the compiled runner hands such editions to it.
    interpreter_only: bool = False
    _penalty_index: dict[tuple[str, str], Penalty | None] = attrs.field(factory=dict, repr=False, alias="_penalty_index")
    # Its compiled form (evaluation.compiled), made on first use: kept here so that it is freed with the edition.
    compiled: Any = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.series}-{self.year}"

    @property
    def label(self) -> str:
        return f"{self.series} {self.year}"

    def penalty_for(self, infraction: str, race: str) -> Penalty | None:
        """The most specific unconditional penalty statement for an infraction on a race (lines with `when` need facts)."""
        key = (infraction, race)
        if key in self._penalty_index:
            return self._penalty_index[key]
        best: Penalty | None = None
        for penalty in self.penalties.get(infraction, ()):
            if penalty.condition is None and race in penalty.races and (best is None or penalty.rank < best.rank):
                best = penalty
        if self.checked:
            # Only a finished chart may be indexed: the checker still adds penalties.
            self._penalty_index[key] = best
        return best

    def penalty_candidates(self, infraction: str, race: str) -> list[Penalty]:
        """Every statement that may sanction an infraction on a race, in the order they are tried:
        the most specific first and, at equal specificity, lines with a `when` before the line without."""
        found = [p for p in self.penalties.get(infraction, ()) if race in p.races]
        return sorted(found, key=lambda p: (p.rank, p.condition is None))

    def has_conditional_penalty(self, infraction: str) -> bool:
        return any(p.condition is not None for p in self.penalties.get(infraction, ()))

    def callables(self) -> set[str]:
        return set(self.rules) | set(self.schedules) | set(self.tables) | set(self.bands) | set(self.functions)
