"""Compare two editions as rules, not as text: races, attributes, penalties, schedules, tables, bands, rules."""

from __future__ import annotations

import datetime
import difflib
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs
import pluggy
from racepolicy.evaluation.model import Citation, Edition, Penalty, Race, cite
from racepolicy.evaluation.values import DEFAULT_DECIDER, Duration, Length, Money, Percent, Sanction, ban_text, render, to_json
from racepolicy.language import ast
from racepolicy.language.errors import PolicyError
from racepolicy.language.source import Source, Span

# Change kinds. `harsher` and `milder` are changed penalties whose severity can be ranked.
ADDED, REMOVED, CHANGED, HARSHER, MILDER, RENAMED = "added", "removed", "changed", "harsher", "milder", "renamed"
# A statement written differently that means the same thing in its own year (born in or before 1996 in 2016,
# 2002 in 2022: the same age limit). Shown, so a reader sees why it is not a change, and never counted as one.
RESTATED = "restated"
# Forms of a series plugin's rename values besides a plain "kind:name" (EditionComparer._declare).
SAME_AS, RESTATED_IN, RESTATED_AS, RESTATES = "same as ", "restated in ", "restated as ", "restates "

# The core's topics, in the order a reader meets them; plugin sections follow, sorted by topic.
CORE_TOPICS: tuple[tuple[str, str], ...] = (
    ("edition", "Edition"),
    ("races", "Races"),
    ("race_attributes", "Race attributes"),
    ("infractions", "Infractions"),
    ("penalties", "Penalties"),
    ("schedules", "Schedules"),
    ("tables", "Tables"),
    ("bands", "Bands"),
    ("rules", "Rules"),
    ("readings", "Readings of ambiguous clauses"),  # fidelity
)

# Reading order of the core race attributes; plugin attributes follow alphabetically.
ATTRIBUTE_ORDER = ("distance", "elevation", "start", "finish", "date", "cutoff", "fee", "insurance", "capacity", "assistance")

# An infraction that disappears while one with a description this close appears is reported as renamed.
RENAME_SIMILARITY = 0.75
# A rule of the old edition only and one of the new edition only are the same rule renamed when their clauses
# share this share of their content words (or this lower share and names this alike): the texts are two translations.
CLAUSE_OVERLAP, CLAUSE_OVERLAP_WITH_NAME, NAME_SIMILARITY = 0.5, 0.3, 0.6

# A rule that differs in a few places shows those places (`15d → 30d; ...`); one that differs
# in more is shown whole, which reads better than a list of scattered pieces. `--explain` shows both bodies.
MAX_FRAGMENTS = 3


@attrs.frozen
class Change:
    """One difference between two editions, with the clause that says it in each of them.

    `old` and `new` are the values as a reader sees them (None when absent);
    `old_json` and `new_json` are the same values for tools (see values.to_json).
    """

    kind: str
    subject: str
    old: str | None = None
    new: str | None = None
    delta: str = ""
    old_cite: Citation | None = None
    new_cite: Citation | None = None
    old_json: Any = None
    new_json: Any = None
    note: str = ""
    # Lines under the summary: what an added or removed race, table or schedule holds, cell by cell.
    details: tuple[str, ...] = ()
    # Lines shown with --explain only: the whole bodies of a rule whose changed part is shown.
    explain: tuple[str, ...] = ()
    # The changed parts of a rule changed in several places, each `old → new (delta)`.
    parts: tuple[str, ...] = ()

    @property
    def detail(self) -> str:
        """What follows the subject, without the kind: `: 33h → 44h (+11h)`, `: disqualify`."""
        if self.kind == ADDED:
            text = f": {self.new}" if self.new else ""
        elif self.kind == REMOVED:
            text = f": {self.old}" if self.old else ""
        elif self.kind == RENAMED:
            text = f": {self.old} → {self.new}"
        elif self.kind == RESTATED:
            text = f": {self.old} → {self.new}"
        elif self.parts:
            text = f": {'; '.join(self.parts)}"
        else:
            text = f": {self.old} → {self.new}" + (f" ({self.delta})" if self.delta else "")
        return text + (f" — {self.note}" if self.note else "")

    @property
    def summary(self) -> str:
        """One line: `TDS cutoff: 33h → 44h (+11h)`, `lack_of_respect on UTMB: 1h → disqualify (harsher)`."""
        if self.kind in (ADDED, REMOVED):
            text = f"{self.subject}: {self.new or self.old} ({self.kind})" if (self.new or self.old) else f"{self.subject} ({self.kind})"
        elif self.kind == RENAMED:
            text = f"{self.subject}: renamed {self.old} → {self.new}"
        elif self.kind == RESTATED:
            text = f"{self.subject}: {self.old} → {self.new} (restated, not a change)"
        elif self.parts:
            text = f"{self.subject}: {'; '.join(self.parts)}"
        else:
            text = f"{self.subject}: {self.old} → {self.new}"
            extra = [x for x in (self.delta, self.kind if self.kind in (HARSHER, MILDER) else "") if x]
            if extra:
                text += f" ({', '.join(extra)})"
        return text + (f" — {self.note}" if self.note else "")

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "old": self.old,
            "new": self.new,
            "old_value": self.old_json,
            "new_value": self.new_json,
            "delta": self.delta,
            "note": self.note,
            "summary": self.summary,
            "detail": self.detail,
            "old_citation": self.old_cite.as_json() if self.old_cite else None,
            "new_citation": self.new_cite.as_json() if self.new_cite else None,
            "details": list(self.details),
            "parts": list(self.parts),
        }

    @property
    def counts(self) -> bool:
        """A restated statement is shown but is not a change of the rules."""
        return self.kind != RESTATED


@attrs.frozen
class DiffSection:
    """A topic of the diff (races, penalties, or a plugin's own such as mandatory gear) and its changes."""

    topic: str
    title: str
    changes: tuple[Change, ...] = ()

    @property
    def count(self) -> int:
        return sum(1 for c in self.changes if c.counts)

    def as_json(self) -> dict[str, Any]:
        return {"topic": self.topic, "title": self.title, "count": self.count, "changes": [c.as_json() for c in self.changes]}


@attrs.frozen
class EditionDiff:
    """Everything that changed from one edition to another, grouped by topic in a stable order."""

    old: str
    new: str
    old_file: str
    new_file: str
    sections: tuple[DiffSection, ...] = ()

    @property
    def equal(self) -> bool:
        return self.count == 0

    @property
    def count(self) -> int:
        return sum(s.count for s in self.sections)

    def section(self, topic: str) -> DiffSection | None:
        return next((s for s in self.sections if s.topic == topic), None)

    def changes(self, topic: str | None = None) -> list[Change]:
        return [c for s in self.sections if topic is None or s.topic == topic for c in s.changes]

    def as_json(self) -> dict[str, Any]:
        return {
            "old": {"edition": self.old, "file": self.old_file},
            "new": {"edition": self.new, "file": self.new_file},
            "equal": self.equal,
            "count": self.count,
            "sections": [s.as_json() for s in self.sections if s.changes],
        }


# ---- values ------------------------------------------------------------------


def delta(old: Any, new: Any) -> str:
    """The signed difference of two values where one makes sense: +11h, -5 km, +24.00 EUR, +300."""
    if isinstance(old, Duration) and isinstance(new, Duration):
        return _signed(new.minutes - old.minutes, lambda d: str(Duration(d)))
    if isinstance(old, Length) and isinstance(new, Length):
        return _signed(new.metres - old.metres, lambda d: str(Length(d, new.unit)))
    if isinstance(old, Money) and isinstance(new, Money) and old.currency == new.currency:
        return _signed(new.amount - old.amount, lambda d: str(Money.of(d, new.currency)))
    if isinstance(old, Percent) and isinstance(new, Percent):
        return _signed(new.value - old.value, lambda d: f"{render(d)} points")
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return _signed(new - old, render)
    if isinstance(old, datetime.date) and isinstance(new, datetime.date):
        return _signed(Decimal((new - old).days), lambda d: f"{render(d)} days")
    return ""


def _signed(difference: Decimal, show: Callable[[Decimal], str]) -> str:
    if difference == 0:
        return ""
    return ("+" if difference > 0 else "-") + show(abs(difference))


def sanction_text(sanction: Sanction) -> str:
    """A sanction as it stands in a penalty chart: 1h, 15min, disqualify, discretion."""
    if sanction.kind == "time":
        return str(Duration(sanction.minutes))
    # Immediacy, the term of a ban and who decides are part of the sanction: the chart shows them as written.
    if sanction.disqualified:
        words = ["disqualify"] + (["immediately"] if sanction.immediate else [])
        if sanction.for_life:
            words.append("for life")
        elif sanction.ban_months:
            words.append(f"for {ban_text(sanction.ban_months)}")
        return " ".join(words)
    if sanction.discretion:
        who = sanction.decider(sanction.discretion[0])
        return "discretion" if who == DEFAULT_DECIDER else f'discretion of "{who}"'
    return sanction.kind


# Time penalties rank below disqualification, which ranks below disqualification for life.
# Discretion and "as doping" are not ranked: a change to or from them is only "changed".
def _severity(sanction: Sanction) -> tuple[int, Decimal] | None:
    if sanction.kind in ("time", "no penalty"):
        return (0, sanction.minutes)
    if sanction.kind == "disqualify":
        return (1, Decimal(1 if sanction.immediate else 0))
    if sanction.kind == "disqualify for a term":
        return (2, Decimal(sanction.ban_months))
    if sanction.kind == "disqualify for life":
        return (3, Decimal(1 if sanction.immediate else 0))
    return None


def compare_sanctions(old: Sanction, new: Sanction) -> str:
    a, b = _severity(old), _severity(new)
    if a is None or b is None or a == b:
        return CHANGED
    return HARSHER if b > a else MILDER


def snippet(source: Source, span: Span) -> str:
    """The source text a span covers, on one line (whitespace runs collapsed)."""
    if span.line == 0:
        return ""
    lines = source.text.splitlines()
    if span.line > len(lines):
        return ""
    if span.line == span.end_line:
        text = lines[span.line - 1][span.column - 1 : span.end_column - 1]
    else:
        parts = [lines[span.line - 1][span.column - 1 :]]
        parts.extend(lines[span.line : span.end_line - 1])
        if span.end_line <= len(lines):
            parts.append(lines[span.end_line - 1][: span.end_column - 1])
        text = " ".join(parts)
    return " ".join(text.split())


class _Value:
    """A constant-ish expression of one edition: evaluated when it can be, else kept as its source text."""

    def __init__(self, edition: Edition, expr: ast.Expr) -> None:
        from racepolicy.evaluation.interpreter import Evaluator

        self.expr = expr
        self.source_text = snippet(edition.source, expr.span)
        try:
            self.value: Any = Evaluator(edition, tracing=False).evaluate(expr, {})
            self.known = True
        except PolicyError:
            self.value, self.known = None, False

    def same_as(self, other: _Value) -> bool:
        # The same expression means the same thing (what it refers to is compared
        # where it is declared); otherwise two evaluated values must be equal.
        if self.expr == other.expr:
            return True
        return self.known and other.known and self.value == other.value

    @property
    def text(self) -> str:
        return render(self.value) if self.known else self.source_text

    @property
    def json(self) -> Any:
        return to_json(self.value) if self.known else {"type": "expression", "text": self.source_text}


# ---- the comparison ------------------------------------------------------------


class EditionComparer:
    """Compares two checked editions topic by topic; each `_topic` method returns that topic's changes."""

    def __init__(self, old: Edition, new: Edition, renames: dict[str, str] | None = None) -> None:
        self.old = old
        self.new = new
        # "kind:old_name" → "kind:new_name": statements a series plugin says were renamed (racepolicy_diff_renames).
        self.declared_renames: dict[str, str] = {}
        # What the plugin says was restated, not changed (see _declare): old keys whose counterpart says the same
        # thing in other terms, old key → the new statement it is one item of, new key → the old statement it restates.
        self.same_meaning: set[str] = set()
        self.restated_in: dict[str, str] = {}
        self.restated_whole: set[str] = set()  # new keys that say nothing but what the old statements restated in them said
        self.restates: dict[str, str] = {}
        self._declare(renames or {})
        self.paired_by_clause: dict[str, str] = {}  # rules matched by their clauses (old → new), said so in the diff

    def _declare(self, found: dict[str, str]) -> None:
        """Sort a plugin's mapping by the form of its values.

        ``"rule:b"`` renames; ``"same as rule:b"`` renames a statement each policy encodes its own way (`waived: true`,
        `kept_by_runner: false`): shown as restated, never counted; ``"restated in rule:b"`` says the old statement is one
        item of a bigger new one (`follow_marked_paths` in `environment_rules`), ``"restated as rule:b"`` the same where `b`
        holds nothing else (so `b` is not an addition either); a new-only key ``"rule:n": "restates rule:a"``
        says the new statement only names what an old one held inline (the 2 hours of `bag_collection`).
        """
        for key, value in found.items():
            if value.startswith(SAME_AS):
                self.same_meaning.add(key)
                self.declared_renames[key] = value.removeprefix(SAME_AS)
            elif value.startswith(RESTATED_IN):
                self.restated_in[key] = value.removeprefix(RESTATED_IN)
            elif value.startswith(RESTATED_AS):
                self.restated_in[key] = value.removeprefix(RESTATED_AS)
                self.restated_whole.add(self.restated_in[key])
            elif value.startswith(RESTATES):
                self.restates[key] = value.removeprefix(RESTATES)
            else:
                self.declared_renames[key] = value

    def renamed(self, kind: str) -> dict[str, str]:
        """Statements of one kind the plugin renamed, old name → new name, where both names exist."""
        found = {}
        for before, after in self.declared_renames.items():
            old_kind, _, old_name = before.partition(":")
            new_kind, _, new_name = after.partition(":")
            if old_kind == new_kind == kind and old_name != new_name and self._exists(self.old, kind, old_name) and self._exists(self.new, kind, new_name):
                found[old_name] = new_name
        return found

    @staticmethod
    def _exists(edition: Edition, kind: str, name: str) -> bool:
        """A rename holds only between statements both editions have; a name the policy lacks is not silently dropped."""
        found: dict[str, Any] = {"rule": edition.rules, "table": edition.tables, "schedule": edition.schedules,
                                 "infraction": {**edition.infractions, **edition.penalties}}.get(kind, {})
        return kind not in ("rule", "table", "schedule", "infraction") or name in found

    @staticmethod
    def _statement(edition: Edition, key: str) -> ast.Statement | None:
        """The statement a `kind:name` key names in an edition (rule, table, schedule or checklist), if it has one."""
        kind, _, name = key.partition(":")
        name, _, item = name.partition("#")  # `checklist:long_basic#beaker`: one item of a checklist
        found: dict[str, Any] = {"rule": edition.rules, "table": edition.tables, "schedule": edition.schedules,
                                 "checklist": edition.checklists}.get(kind, {})
        decl = found[name].decl if name in found else None
        if item and not (isinstance(decl, ast.ChecklistDecl) and any(i.name == item for i in decl.items)):
            return None
        return decl

    def compare(self, pm: pluggy.PluginManager | None = None) -> EditionDiff:
        if pm is not None and not (self.declared_renames or self.restated_in or self.restates):
            for found in pm.hook.racepolicy_diff_renames(old=self.old, new=self.new):
                self._declare(found or {})
        sections = []
        for topic, title in CORE_TOPICS:
            changes = getattr(self, f"_{topic}")()
            sections.append(DiffSection(topic, title, tuple(changes)))
        if pm is not None:
            extra: list[DiffSection] = []
            for found in pm.hook.racepolicy_diff_sections(old=self.old, new=self.new):
                extra.extend(found or ())
            sections.extend(sorted(extra, key=lambda s: s.topic))
        return EditionDiff(self.old.label, self.new.label, self.old.source.name, self.new.source.name, tuple(sections))

    # ---- helpers
    def _common_races(self) -> list[str]:
        return [r for r in self.new.races if r in self.old.races]

    def _race_label(self, races: Iterable[str]) -> str:
        chosen = set(races)
        common = set(self._common_races())
        if len(common) > 1 and chosen == common:
            return "all races"
        order = list(self.new.races) + [r for r in self.old.races if r not in self.new.races]
        return "/".join(r for r in order if r in chosen)

    @staticmethod
    def _cite(edition: Edition, decl: ast.Statement, node: ast.Node | None = None, extra: ast.Citation | None = None) -> Citation:
        return cite(edition.source, decl, node, extra)

    # ---- edition
    def _edition(self) -> list[Change]:
        changes = []
        if self.old.currency != self.new.currency:
            changes.append(Change(CHANGED, "currency", self.old.currency, self.new.currency, old_json=self.old.currency, new_json=self.new.currency))
        if self.old.series != self.new.series:
            changes.append(Change(CHANGED, "series", self.old.series, self.new.series, old_json=self.old.series, new_json=self.new.series,
                                  note="editions of different series"))
        return changes

    # ---- races
    def _races(self) -> list[Change]:
        changes = []
        for name, race in self.new.races.items():
            if name not in self.old.races:
                changes.append(Change(ADDED, name, new=_race_outline(race), new_cite=self._cite(self.new, race.decl), new_json=_race_json(self.new, race),
                                      details=tuple(_race_details(self.new, race))))
        for name, race in self.old.races.items():
            if name not in self.new.races:
                changes.append(Change(REMOVED, name, old=_race_outline(race), old_cite=self._cite(self.old, race.decl), old_json=_race_json(self.old, race),
                                      details=tuple(_race_details(self.old, race))))
        return changes

    def _race_attributes(self) -> list[Change]:
        changes: list[Change] = []
        for name in self._common_races():
            old, new = self.old.races[name], self.new.races[name]
            # A race's title is how the text names it, not a rule: it is not compared.
            old_attrs, new_attrs = dict(old.attributes), dict(new.attributes)
            keys = [k for k in ATTRIBUTE_ORDER if k in old_attrs or k in new_attrs]
            keys += sorted((set(old_attrs) | set(new_attrs)) - set(keys))
            for key in keys:
                change = self._attribute(name, key, old, new, old_attrs.get(key), new_attrs.get(key))
                if change is not None:
                    changes.append(change)
            changes.extend(self._eligibility(name, old, new))
        return changes

    def _attribute(self, race: str, key: str, old: Race, new: Race, a: Any, b: Any) -> Change | None:
        if a == b:
            return None
        old_cite = old.citations.get(key, self._cite(self.old, old.decl))
        new_cite = new.citations.get(key, self._cite(self.new, new.decl))
        subject = f"{race} {key}"
        if a is None:
            return Change(ADDED, subject, new=render(b), new_cite=new_cite, new_json=to_json(b))
        if b is None:
            return Change(REMOVED, subject, old=render(a), old_cite=old_cite, old_json=to_json(a))
        note = ""
        if isinstance(a, tuple) and isinstance(b, tuple):
            # Assistance points and other lists: say which items came and went.
            gone = [render(x) for x in a if x not in b]
            came = [render(x) for x in b if x not in a]
            note = "; ".join(p for p in (f"added {', '.join(came)}" if came else "", f"removed {', '.join(gone)}" if gone else "") if p)
            if not note:
                note = "reordered"
        return Change(CHANGED, subject, render(a), render(b), delta(a, b), old_cite, new_cite, to_json(a), to_json(b), note)

    def _eligibility(self, name: str, old: Race, new: Race) -> list[Change]:
        a = [on_reference_year(e.condition, self.old.year) for e in old.decl.eligibility]
        b = [on_reference_year(e.condition, self.new.year) for e in new.decl.eligibility]
        if a == b:
            return []
        old_text = " and ".join(snippet(self.old.source, c.span) for c in a) or "open to all"
        new_text = " and ".join(snippet(self.new.source, c.span) for c in b) or "open to all"
        old_cite = self._cite(self.old, old.decl, old.decl.eligibility[0], old.decl.eligibility[0].citation) if a else self._cite(self.old, old.decl)
        new_cite = self._cite(self.new, new.decl, new.decl.eligibility[0], new.decl.eligibility[0].citation) if b else self._cite(self.new, new.decl)
        if [years_relative(c, self.old.year) for c in a] == [years_relative(c, self.new.year) for c in b]:
            # Birth years moved with the edition year: the same limit of age, written for each year.
            return [Change(RESTATED, f"{name} eligibility", old_text, new_text, "", old_cite, new_cite, old_text, new_text, _same_limit(a, b, self.old.year))]
        return [Change(CHANGED, f"{name} eligibility", old_text, new_text, "", old_cite, new_cite, old_text, new_text)]

    # ---- infractions
    def _infraction_names(self, edition: Edition) -> list[str]:
        return list(dict.fromkeys([*edition.infractions, *edition.penalties]))

    def renames(self) -> dict[str, str]:
        """Infractions that left the old edition while one with (nearly) the same description came in: old → new."""
        old_names, new_names = self._infraction_names(self.old), self._infraction_names(self.new)
        gone = [n for n in old_names if n not in new_names and n in self.old.infractions]
        came = [n for n in new_names if n not in old_names and n in self.new.infractions]
        # The series plugin's renames first (the texts' words for an item changed too much to match), then near-equal descriptions.
        found: dict[str, str] = {a: b for a, b in self.renamed("infraction").items() if a in gone and b in new_names}
        gone = [n for n in gone if n not in found]
        for name in gone:
            text = _words(self.old.infractions[name].description)
            scored = [(difflib.SequenceMatcher(None, text, _words(self.new.infractions[c].description)).ratio(), c) for c in came if c not in found.values()]
            best = max(scored, default=(0.0, ""))
            if best[0] >= RENAME_SIMILARITY:
                found[name] = best[1]
        return found

    def _infractions(self) -> list[Change]:
        old_names, new_names = self._infraction_names(self.old), self._infraction_names(self.new)
        renames = self.renames()
        changes = []
        for old_name, new_name in renames.items():
            if new_name in old_names:
                # Folded into an infraction the old edition also has (spare batteries under "other mandatory items"):
                # its penalties are compared under the new name; the infraction itself is changed, never removed.
                changes.append(Change(CHANGED, old_name, self._description(self.old, old_name), f"sanctioned as {new_name}", "",
                                      self._infraction_cite(self.old, old_name), self._infraction_cite(self.new, new_name), old_name, new_name))
                continue
            changes.append(Change(
                RENAMED, "infraction", old_name, new_name, "", self._infraction_cite(self.old, old_name),
                self._infraction_cite(self.new, new_name), old_name, new_name,
            ))
        for name in new_names:
            if name not in old_names and name not in renames.values():
                changes.append(Change(ADDED, name, new=self._description(self.new, name), new_cite=self._infraction_cite(self.new, name), new_json=name))
        for name in old_names:
            if name not in new_names and name not in renames:
                changes.append(Change(REMOVED, name, old=self._description(self.old, name), old_cite=self._infraction_cite(self.old, name), old_json=name))
        return changes

    @staticmethod
    def _description(edition: Edition, name: str) -> str:
        decl = edition.infractions.get(name)
        return f'"{decl.description}"' if decl is not None and decl.description else ""

    def _infraction_cite(self, edition: Edition, name: str) -> Citation | None:
        decl = edition.infractions.get(name)
        own = self._cite(edition, decl) if decl is not None else None
        if own is not None and own.clause:
            return own
        # An infraction declared without a quote is cited by the chart row that sanctions it: a reader sees its words
        # and its line in the text (diffrest).
        quoted = [p.citation for p in edition.penalties.get(name, ()) if p.citation is not None and p.citation.clause]
        return quoted[0] if quoted else own

    # ---- penalties
    def _penalties(self) -> list[Change]:
        """Per infraction and race, the penalty a jury would apply; races with the same change share one line.

        Only races of both editions are compared: a race added or removed is reported once, under races.
        """
        renames = self.renames()
        back = {new: old for old, new in renames.items()}
        races = self._common_races()
        names = list(dict.fromkeys(self._infraction_names(self.new) + [back.get(n, n) for n in self._infraction_names(self.old)]))
        names = [n for n in names if n not in renames]  # an old name that was renamed is compared under its new name
        changes: list[Change] = []
        for name in names:
            old_name = back.get(name, name)
            grouped: dict[tuple[Any, ...], list[tuple[str, Penalty | None, Penalty | None]]] = {}
            for race in races:
                a = self.old.penalty_for(old_name, race)
                b = self.new.penalty_for(name, race)
                sa = a.sanction if a else None
                sb = b.sanction if b else None
                if _same_sanction(sa, sb):
                    continue
                key = (_sanction_key(sa), _sanction_key(sb))
                grouped.setdefault(key, []).append((race, a, b))
            for entries in grouped.values():
                _, a, b = entries[0]
                label = name if old_name == name else f"{old_name} (now {name})"
                subject = f"{label} on {self._race_label(r for r, _, _ in entries)}"
                old_cite = a.citation if a else None
                new_cite = b.citation if b else None
                if a is None and b is not None:
                    changes.append(Change(ADDED, subject, new=sanction_text(b.sanction), new_cite=new_cite, new_json=to_json(b.sanction)))
                elif b is None and a is not None:
                    changes.append(Change(REMOVED, subject, old=sanction_text(a.sanction), old_cite=old_cite, old_json=to_json(a.sanction)))
                elif a is not None and b is not None:
                    changes.append(Change(
                        compare_sanctions(a.sanction, b.sanction), subject, sanction_text(a.sanction), sanction_text(b.sanction),
                        delta(Duration(a.sanction.minutes), Duration(b.sanction.minutes)) if a.sanction.kind == b.sanction.kind == "time" else "",
                        old_cite, new_cite, to_json(a.sanction), to_json(b.sanction),
                    ))
        changes += self._conditional_penalties(names, back)
        return changes

    def _conditional_penalties(self, names: list[str], back: dict[str, str]) -> list[Change]:
        """Penalty lines with `when` (issue #11 item 4): each is compared by its infraction, races, condition and sanction."""

        def lines(edition: Edition, name: str) -> dict[tuple[str, str], Penalty]:
            return {
                (self._race_label(sorted(p.races)), snippet(edition.source, p.condition.span)): p
                for p in edition.penalties.get(name, ()) if p.condition is not None
            }

        changes: list[Change] = []
        for name in names:
            old, new = lines(self.old, back.get(name, name)), lines(self.new, name)
            for key in sorted(old.keys() | new.keys()):
                subject = f"{name} on {key[0]} when {key[1]}"
                a, b = old.get(key), new.get(key)
                if a is None and b is not None:
                    changes.append(Change(ADDED, subject, new=sanction_text(b.sanction), new_cite=b.citation, new_json=to_json(b.sanction)))
                elif b is None and a is not None:
                    changes.append(Change(REMOVED, subject, old=sanction_text(a.sanction), old_cite=a.citation, old_json=to_json(a.sanction)))
                elif a is not None and b is not None and not _same_sanction(a.sanction, b.sanction):
                    changes.append(Change(
                        compare_sanctions(a.sanction, b.sanction), subject, sanction_text(a.sanction), sanction_text(b.sanction), "",
                        a.citation, b.citation, to_json(a.sanction), to_json(b.sanction),
                    ))
        return changes

    # ---- schedules
    def _schedules(self) -> list[Change]:
        changes: list[Change] = []
        for name, schedule in self.new.schedules.items():
            if name not in self.old.schedules:
                changes.append(Change(ADDED, name, new=self._schedule_outline(self.new, name), new_cite=self._cite(self.new, schedule.decl),
                                      new_json=self._schedule_json(self.new, name),
                                      details=tuple(self._schedule_outline(self.new, name).split(", "))))
        for name, schedule in self.old.schedules.items():
            if name not in self.new.schedules:
                changes.append(Change(REMOVED, name, old=self._schedule_outline(self.old, name), old_cite=self._cite(self.old, schedule.decl),
                                      old_json=self._schedule_json(self.old, name),
                                      details=tuple(self._schedule_outline(self.old, name).split(", "))))
        for name in self.new.schedules:
            if name in self.old.schedules:
                changes.extend(self._schedule(name))
        return changes

    def _tiers(self, edition: Edition, name: str) -> list[tuple[datetime.date | None, _Value, Citation]]:
        # Tier dates are moved onto a common (leap) reference year, keeping any year
        # offset from the edition: 04-30 of 2016 and 04-30 of 2022 are the same day.
        return [
            (None if tier.through is None else _on_reference_year(tier.through, edition.year), _Value(edition, tier.value), tier.citation)
            for tier in edition.schedules[name].tiers
        ]

    def _schedule_json(self, edition: Edition, name: str) -> list[dict[str, Any]]:
        return [{"through": None if t is None else _day(t), "value": v.json} for t, v, _ in self._tiers(edition, name)]

    def _schedule_outline(self, edition: Edition, name: str) -> str:
        parts = []
        for through, value, _ in self._tiers(edition, name):
            parts.append(f"{'otherwise' if through is None else 'through ' + _day(through)} {value.text}")
        return ", ".join(parts)

    def _schedule(self, name: str) -> list[Change]:
        """The value on each calendar day, old against new; days that changed the same way form one range."""
        old, new = self._tiers(self.old, name), self._tiers(self.new, name)
        bounds = sorted({t for t, _, _ in old + new if t is not None})
        segments: list[tuple[datetime.date | None, datetime.date | None]] = []  # (first day, last day); None is open
        start: datetime.date | None = None
        for bound in bounds:
            segments.append((start, bound))
            start = bound + datetime.timedelta(days=1)
        segments.append((start, None))
        runs: list[list[Any]] = []  # [first, last, old tier, new tier]
        for first, last in segments:
            a, b = _tier_at(old, last), _tier_at(new, last)
            if a is None and b is None:
                continue
            if a is not None and b is not None and a[1].same_as(b[1]):
                continue
            if runs and runs[-1][1] is not None and first == runs[-1][1] + datetime.timedelta(days=1) and _shown(runs[-1][2:]) == _shown((a, b)):
                runs[-1][1] = last
                continue
            runs.append([first, last, a, b])
        changes = []
        for first, last, a, b in runs:
            changes.append(_value_change(f"{name} {_range(first, last)}", a[1:] if a else None, b[1:] if b else None))
        return changes

    # ---- tables
    def _tables(self) -> list[Change]:
        changes: list[Change] = []
        renamed = self.renamed("table")
        renamed.update(self._paired_by_clause(renamed, "table"))
        for name, table in self.new.tables.items():
            if name not in self.old.tables and name not in renamed.values() and not self._counterpart_of(f"table:{name}"):
                rows = _table_rows(self.new, name)
                changes.append(Change(ADDED, _table_subject(table.decl), new=_rows_text(rows), new_cite=self._cite(self.new, table.decl),
                                      new_json=[{"row": r, "value": v.json} for r, v in rows], details=tuple(f"{r} → {v.text}" for r, v in rows)))
        for name, table in self.old.tables.items():
            if name not in self.new.tables and name not in renamed and self.declared_renames.get(f"table:{name}", "").startswith("rule:"):
                found = self._table_to_rule(name, self.declared_renames[f"table:{name}"].partition(":")[2])
                if found is not None:
                    changes.append(found)
                    continue
            if name not in self.new.tables and name not in renamed and f"table:{name}" not in self.declared_renames:
                rows = _table_rows(self.old, name)
                changes.append(Change(REMOVED, _table_subject(table.decl), old=_rows_text(rows), old_cite=self._cite(self.old, table.decl),
                                      old_json=[{"row": r, "value": v.json} for r, v in rows], details=tuple(f"{r} → {v.text}" for r, v in rows)))
        for name in self.new.tables:
            if name in self.old.tables:
                changes.extend(self._table(name, name))
        merged = self._merged_tables(renamed)
        changes.extend(c for old_names, new_name in merged.items() for c in self._merged_table(list(old_names), new_name))
        for old_name, new_name in renamed.items():
            if any(old_name in names for names in merged):
                continue
            if old_name in self.old.tables and new_name in self.new.tables:
                found = self._table(old_name, new_name)
                if not found:
                    found = [Change(RENAMED, "table", old_name, new_name, "", self._cite(self.old, self.old.tables[old_name].decl),
                                    self._cite(self.new, self.new.tables[new_name].decl), old_name, new_name)]
                if self.paired_by_clause.get(f"table:{old_name}") == f"table:{new_name}":
                    found = [attrs.evolve(c, note="; ".join(n for n in (c.note, "paired by their clauses") if n)) for c in found]
                changes.extend(found)
        return changes

    def _table_to_rule(self, name: str, rule_name: str) -> Change | None:
        """An old table the new edition states as a rule (2016's rest areas by race, 2022's list of UTMB rest areas): one
        change, the old rows → the new rule, never a removal (diffrest)."""
        if rule_name not in self.new.rules:
            return None
        table, decl = self.old.tables[name].decl, self.new.rules[rule_name].decl
        rows = _table_rows(self.old, name)
        text = snippet(self.new.source, decl.body.span)
        return Change(CHANGED, f"{_table_subject(table)} (now rule {rule_name})", "; ".join(f"{r} → {v.text}" for r, v in rows), text, "",
                      self._cite(self.old, table), self._cite(self.new, decl), [{"row": r, "value": v.json} for r, v in rows], text,
                      note=f"stated as a rule in {self.new.label}")

    # ---- tables merged: several old tables the new edition states as one (diffrest)
    @staticmethod
    def _merged_tables(renamed: dict[str, str]) -> dict[tuple[str, ...], str]:
        """Old tables the plugin renames to one new table (2016's four drop-bag tables, 2022's one `drop_bag`)."""
        by_new: dict[str, list[str]] = {}
        for old_name, new_name in renamed.items():
            by_new.setdefault(new_name, []).append(old_name)
        return {tuple(olds): new_name for new_name, olds in by_new.items() if len(olds) > 1}

    def _merged_table(self, old_names: list[str], name: str) -> list[Change]:
        """One change per cell of the new table: the old tables' cells for the same key, each named, old → new."""
        olds = {old_name: self._cells(self.old, old_name) for old_name in old_names}
        new = self._cells(self.new, name)
        keys = list(new) + [k for cells in olds.values() for k in cells if k not in new]
        changes = []
        for key in dict.fromkeys(keys):
            before = [(old_name, cells[key]) for old_name, cells in olds.items() if key in cells]
            after = new.get(key)
            parts = [self._race_label([text]) if kind == "race" else text for kind, text in key]
            subject = f"{name}({', '.join(parts)})" if key != (("otherwise", "otherwise"),) else f"{name} otherwise"
            note = f"{len(old_names)} tables of {self.old.label} ({', '.join(old_names)}) stated as one"
            if not before:
                changes.append(_value_change(subject, None, after))
                continue
            old_text = "; ".join(f"{old_name} {cell[0].text}" for old_name, cell in before)
            old_json = {old_name: cell[0].json for old_name, cell in before}
            if after is None:
                changes.append(Change(REMOVED, subject, old=old_text, old_cite=before[0][1][1], old_json=old_json, note=note))
                continue
            changes.append(Change(CHANGED, subject, old_text, after[0].text, "", before[0][1][1], after[1], old_json, after[0].json, note))
        return changes

    def _cells(self, edition: Edition, name: str) -> dict[tuple[tuple[str, str], ...], tuple[_Value, Citation]]:
        """Each cell a lookup can reach, groups expanded to their races, first matching row first (as lookups do)."""
        decl = edition.tables[name].decl
        cells: dict[tuple[tuple[str, str], ...], tuple[_Value, Citation]] = {}
        for row in decl.rows:
            options = [_key_options(edition, key) for key in row.keys]
            entry = (_Value(edition, row.value), self._cite(edition, decl, row, row.citation))
            for combination in itertools.product(*options):
                cells.setdefault(tuple(combination), entry)
        if decl.otherwise is not None:
            cells[(("otherwise", "otherwise"),)] = (_Value(edition, decl.otherwise.value), self._cite(edition, decl, decl.otherwise, decl.otherwise.citation))
        return cells

    def _counterpart_of(self, key: str) -> bool:
        """The new statement stands for an old one the plugin names (it is shown with it, not as an addition)."""
        return key in self.declared_renames.values()

    def _table(self, old_name: str, name: str) -> list[Change]:
        old, new = self._cells(self.old, old_name), self._cells(self.new, name)
        keys = list(new) + [k for k in old if k not in new]
        grouped: dict[tuple[Any, ...], list[tuple[tuple[tuple[str, str], ...], Any, Any]]] = {}
        for key in keys:
            a, b = old.get(key), new.get(key)
            if a is not None and b is not None and a[0].same_as(b[0]):
                continue
            # Cells that changed alike and differ only by race share one line.
            shape = tuple((kind, "" if kind == "race" else text) for kind, text in key)
            pair = (a[0].text if a else None, b[0].text if b else None)
            grouped.setdefault((shape, pair), []).append((key, a, b))
        changes = []
        for entries in grouped.values():
            key, a, b = entries[0]
            races_by_position = [[k[i][1] for k, _, _ in entries] for i in range(len(key))]
            parts = [self._race_label(races_by_position[i]) if kind == "race" else text for i, (kind, text) in enumerate(key)]
            label = name if old_name == name else f"{old_name} (now {name})"
            subject = f"{label}({', '.join(parts)})" if key != (("otherwise", "otherwise"),) else f"{label} otherwise"
            changes.append(_value_change(subject, a, b))
        return changes

    # ---- bands
    def _bands(self) -> list[Change]:
        changes: list[Change] = []
        for name, band in self.new.bands.items():
            if name not in self.old.bands:
                changes.append(Change(ADDED, name, new=", ".join(r.label for r in band.decl.rows), new_cite=self._cite(self.new, band.decl),
                                      new_json=[r.label for r in band.decl.rows], details=_band_details(self.new, band.decl)))
        for name, band in self.old.bands.items():
            if name not in self.new.bands:
                changes.append(Change(REMOVED, name, old=", ".join(r.label for r in band.decl.rows), old_cite=self._cite(self.old, band.decl),
                                      old_json=[r.label for r in band.decl.rows], details=_band_details(self.old, band.decl)))
        for name in self.new.bands:
            if name not in self.old.bands:
                continue
            old_decl, new_decl = self.old.bands[name].decl, self.new.bands[name].decl
            old_rows = {(r.low, r.high): r for r in old_decl.rows}
            new_rows = {(r.low, r.high): r for r in new_decl.rows}
            for key, row in new_rows.items():
                cited = self._cite(self.new, new_decl, row, row.citation)
                b = self._band_value(self.new, row)
                if key not in old_rows:
                    changes.append(Change(ADDED, f"{name} {row.label}", new=b.text if b else None, new_cite=cited, new_json=b.json if b else row.label))
                    continue
                before = old_rows[key]
                a = self._band_value(self.old, before)
                if a is None and b is None:
                    continue
                if a is None or b is None or not a.same_as(b):
                    changes.append(Change(
                        CHANGED, f"{name} {row.label}", a.text if a else row.label, b.text if b else row.label,
                        delta(a.value, b.value) if a and b else "",
                        self._cite(self.old, old_decl, before, before.citation), cited, a.json if a else row.label, b.json if b else row.label,
                    ))
            for key, row in old_rows.items():
                if key not in new_rows:
                    a = self._band_value(self.old, row)
                    changes.append(Change(REMOVED, f"{name} {row.label}", old=a.text if a else None,
                                          old_cite=self._cite(self.old, old_decl, row, row.citation), old_json=a.json if a else row.label))
        return changes

    @staticmethod
    def _band_value(edition: Edition, row: ast.BandRow) -> _Value | None:
        # A row without a value is its own label: its range is all there is to compare.
        return _Value(edition, row.value) if row.value is not None else None

    # ---- rules
    # ---- fidelity: readings taken of ambiguous clauses
    def _readings(self) -> list[Change]:
        """Readings per statement: the same reading in both editions is no change, whatever its clause's wording
        (each text quotes its own words); a statement whose reading differs shows old → new; the rest came or went."""
        old, new = _readings_of(self.old), _readings_of(self.new)
        # A renamed statement keeps its readings: they are compared under the new name (diffrest).
        renamed = self._renamed_statements()
        old_names = {renamed.get(k, k): k for k in old}
        old = {renamed.get(k, k): v for k, v in old.items()}
        changes: list[Change] = []
        for statement in dict.fromkeys([*new, *old]):
            before = [r for r in old.get(statement, []) if r[0] not in {n[0] for n in new.get(statement, [])}]
            after = [r for r in new.get(statement, []) if r[0] not in {o[0] for o in old.get(statement, [])}]
            was = old_names.get(statement, statement)
            # Named as the old edition names it; a renamed statement also by its new name, when the new edition has it.
            subject = f"reading of {was} (now {statement.partition(' ')[2]})" if was != statement and statement in new else f"reading of {was}"
            for a, b in zip(before, after, strict=False):
                changes.append(Change(CHANGED, subject, a[0], b[0], "", a[1], b[1], a[0], b[0]))
            for b in after[len(before):]:
                changes.append(Change(ADDED, subject, new=b[0], new_cite=b[1], new_json=b[0]))
            for a in before[len(after):]:
                changes.append(Change(REMOVED, subject, old=a[0], old_cite=a[1], old_json=a[0]))
        return changes

    def _renamed_statements(self) -> dict[str, str]:
        """`rule bag_collection` → `rule bag_retrieval`: statements renamed by the plugin or paired by their clauses,
        as `_readings_of` names them (a penalty by its infractions)."""
        found = {}
        for before, after in {**self.declared_renames, **self.paired_by_clause}.items():
            old_kind, _, old_name = before.partition(":")
            new_kind, _, new_name = after.partition(":")
            if old_kind != new_kind:
                continue
            for kind in ("penalty",) if old_kind == "infraction" else (old_kind,):
                found[f"{kind} {old_name}"] = f"{kind} {new_name}"
        return found

    def _rules(self) -> list[Change]:
        changes: list[Change] = []
        renamed = self.renamed("rule")
        renamed.update(self._paired_by_clause(renamed))
        back = {b: a for a, b in renamed.items()}
        for name, rule in self.new.rules.items():
            decl = rule.decl
            text = snippet(self.new.source, decl.body.span)
            old_name = back.get(name, name)
            if old_name not in self.old.rules or (old_name == name and name in renamed):  # the old rule of this name went to another
                restated = self._restates(name, decl, text)
                if restated is not None:
                    changes.append(restated)
                elif f"rule:{name}" in self.restated_whole and any(v == f"rule:{name}" and self._statement(self.old, k) for k, v in self.restated_in.items()):
                    pass  # shown with each old rule it restates
                elif not self._counterpart_of(f"rule:{name}"):
                    within = [k.partition(":")[2] for k, v in self.restated_in.items() if v == f"rule:{name}" and self._statement(self.old, k)]
                    note = f"also restates {self.old.label} rule {', '.join(within)}" if within else ""
                    changes.append(Change(ADDED, f"rule {name}", new=text, new_cite=self._cite(self.new, decl), new_json=text, note=note))
                continue
            change = self._rule(old_name, name)
            if change is not None and self.paired_by_clause.get(f"rule:{old_name}") == f"rule:{name}":
                change = attrs.evolve(change, note="; ".join(n for n in (change.note, "paired by their clauses") if n))
            if change is not None and f"rule:{old_name}" in self.same_meaning and change.kind not in (RENAMED, RESTATED):
                # The plugin read both clauses: the same rule, encoded each policy's way (`waived: true`, `kept: false`).
                change = attrs.evolve(change, kind=RESTATED, note="the same clause in both texts, encoded differently by each policy", parts=())
            if change is not None:
                changes.append(change)
        for name, rule in self.old.rules.items():
            if name in self.new.rules or name in renamed:
                continue
            restated = self._restated_in(name, rule.decl)
            if restated is not None:
                changes.append(restated)
                continue
            counterpart = self.declared_renames.get(f"rule:{name}", "")
            if counterpart:
                change = self._rule_to_other_kind(name, counterpart)
                if change is not None:
                    changes.append(change)
                    continue
            text = snippet(self.old.source, rule.decl.body.span)
            changes.append(Change(REMOVED, f"rule {name}", old=text, old_cite=self._cite(self.old, rule.decl), old_json=text))
        return changes

    def _restated_in(self, name: str, decl: ast.Statement) -> Change | None:
        """An old rule the new edition states as one item of a bigger statement: shown, not counted, never "removed"."""
        target = self.restated_in.get(f"rule:{name}", "")
        found = self._statement(self.new, target) if target else None
        if found is None:
            return None  # a target the new policy lacks: the old rule is removed, and the diff says so
        kind, _, new_name = target.partition(":")
        text = snippet(self.old.source, decl.body.span)
        old_cite, new_cite = self._cite(self.old, decl), self._cite(self.new, found)
        item = self._item(found, new_name.partition("#")[2])
        if item is not None:
            # An item of a checklist: cite the item's quote (or its spec) that says what the old rule said.
            quotes = [c for c in (item.citation, *item.specs) if c is not None]
            said = _words_in(old_cite.clause)
            best = max(quotes, key=lambda c: len(said & _words_in(c.text)), default=None)
            new_cite = self._cite(self.new, found, item, best)
        return Change(RESTATED, f"rule {name}", text, f"within {kind} {new_name.replace('#', ', item ')}", "", old_cite, new_cite,
                      text, {"within": target})

    @staticmethod
    def _item(decl: ast.Statement, name: str) -> ast.GearItem | None:
        return next((i for i in decl.items if i.name == name), None) if name and isinstance(decl, ast.ChecklistDecl) else None

    def _restates(self, name: str, decl: ast.Statement, text: str) -> Change | None:
        """A new rule that names what an old statement held inline: shown, not counted, never "added"."""
        source = self.restates.get(f"rule:{name}", "")
        found = self._statement(self.old, source) if source else None
        if found is None:
            return None
        kind, _, old_name = source.partition(":")
        return Change(RESTATED, f"rule {name}", f"within {kind} {old_name}", text, "", self._cite(self.old, found), self._cite(self.new, decl),
                      {"within": source}, text)

    def _paired_by_clause(self, renamed: dict[str, str], kind: str = "rule") -> dict[str, str]:
        """Rules of one edition only whose clauses say the same thing in each text: old name → new name.

        Two translations name a rule differently (`bag_collection`, `bag_retrieval`); their clauses share
        their words. A pair needs most content words of the two clauses in common, or many of them and a
        similar name; each rule is paired once, the closest first.
        """
        olds: dict[str, Any] = self.old.rules if kind == "rule" else self.old.tables
        news: dict[str, Any] = self.new.rules if kind == "rule" else self.new.tables
        declared = {*self.declared_renames, *self.restated_in, *self.restates}
        gone = [n for n in olds if n not in news and n not in renamed and f"{kind}:{n}" not in declared]
        came = [n for n in news if n not in olds and n not in renamed.values() and not self._counterpart_of(f"{kind}:{n}") and f"{kind}:{n}" not in declared]
        scored = []
        for a in gone:
            words_a = _clause_words(olds[a].decl)
            if not words_a:
                continue
            for b in came:
                words_b = _clause_words(news[b].decl)
                if not words_b:
                    continue
                overlap = len(words_a & words_b) / len(words_a | words_b)
                name = difflib.SequenceMatcher(None, a, b).ratio()
                if overlap >= CLAUSE_OVERLAP or (overlap >= CLAUSE_OVERLAP_WITH_NAME and name >= NAME_SIMILARITY):
                    scored.append((overlap + name / 10, a, b))
        found: dict[str, str] = {}
        for _, a, b in sorted(scored, reverse=True):
            if a not in found and b not in found.values():
                found[a] = b
        self.paired_by_clause.update({f"{kind}:{a}": f"{kind}:{b}" for a, b in found.items()})
        return found

    def _rule(self, old_name: str, name: str) -> Change | None:
        """A rule of both editions (or renamed): nothing, the changed part, or a restatement of the same limit."""
        before, decl = self.old.rules[old_name].decl, self.new.rules[name].decl
        subject = f"rule {name}" if old_name == name else f"rule {old_name} (now {name})"
        old_body, new_body = on_reference_year(before.body, self.old.year), on_reference_year(decl.body, self.new.year)
        if [p.type for p in before.params] == [p.type for p in decl.params] and before.params != decl.params:
            # Parameters renamed one for one (`posted` → `uploaded`) name the same inputs: compare the bodies as one.
            new_body = renamed_names(new_body, {b.name: a.name for a, b in zip(before.params, decl.params, strict=True)})
            decl = attrs.evolve(decl, params=before.params)
        old_text, text = snippet(self.old.source, before.body.span), snippet(self.new.source, decl.body.span)
        old_cite, new_cite = self._cite(self.old, before), self._cite(self.new, decl)
        if before.params == decl.params and old_body == new_body:
            return None if old_name == name else Change(RENAMED, "rule", old_name, name, "", old_cite, new_cite, old_text, text)
        if before.params == decl.params and years_relative(old_body, self.old.year) == years_relative(new_body, self.new.year):
            # Birth years moved with the edition year: the same limit of age, written for each year.
            pairs = fragments(old_body, new_body)
            note = _same_limit([a for a, _ in pairs], [b for _, b in pairs], self.old.year)
            old_shown = "; ".join(snippet(self.old.source, a.span) for a, _ in pairs)
            new_shown = "; ".join(snippet(self.new.source, b.span) for _, b in pairs)
            return Change(RESTATED, subject, old_shown, new_shown, "", old_cite, new_cite, old_text, text, note)
        pairs = fragments(old_body, new_body) if before.params == decl.params else [(old_body, new_body)]
        if before.params == decl.params and all(_same_words(a, b) for a, b in pairs):
            # The text of a value reworded by the translation (`the race` → `their race`, organisation → organization).
            old_shown = "; ".join(snippet(self.old.source, a.span) for a, _ in pairs)
            new_shown = "; ".join(snippet(self.new.source, b.span) for _, b in pairs)
            return Change(RESTATED, subject, old_shown, new_shown, "", old_cite, new_cite, old_text, text,
                          "reworded: the same words but for articles, possessives, case and spelling")
        if len(pairs) == 1 and pairs[0] == (old_body, new_body):
            old_shown, new_shown = old_text, text
            explain: tuple[str, ...] = ()
        else:
            old_shown = "; ".join(snippet(self.old.source, a.span) for a, _ in pairs)
            new_shown = "; ".join(snippet(self.new.source, b.span) for _, b in pairs)
            if len(pairs) > 1:
                old_shown, new_shown = "", ""
            explain = (f"{self.old.label}: {old_text}", f"{self.new.label}: {text}")
        if before.params != decl.params:
            old_shown = f"({', '.join(p.name for p in before.params)}) = {old_text}"
            new_shown = f"({', '.join(p.name for p in decl.params)}) = {text}"
            explain = ()
        # A reference point matters only to a rule that counts time ("of the race" in an acceptance clause is no deadline).
        moved = reference_point_change(old_cite.clause, new_cite.clause) if _counts_time(before) or _counts_time(decl) else ""
        note = f"the reference point changed: {moved}" if moved else ""
        if len(pairs) > 1 and old_shown == "":
            # Several changed parts: each with its own delta, the whole bodies under --explain.
            parts = tuple(f"{snippet(self.old.source, a.span)} → {snippet(self.new.source, b.span)}" + ("" if moved else _delta_suffix(a, b)) for a, b in pairs)
            old_shown = "; ".join(snippet(self.old.source, a.span) for a, _ in pairs)
            new_shown = "; ".join(snippet(self.new.source, b.span) for _, b in pairs)
            return Change(CHANGED, subject, old_shown, new_shown, "", old_cite, new_cite, old_text, text, note, explain=explain, parts=parts)
        change_delta = "" if moved else _fragment_delta(self.old, self.new, pairs)
        return Change(CHANGED, subject, old_shown, new_shown, change_delta, old_cite, new_cite, old_text, text, note, explain=explain)

    def _rule_to_other_kind(self, name: str, counterpart: str) -> Change | None:
        """An old rule the new edition states as a table or schedule (the covered reasons of a guarantee became a table)."""
        kind, _, new_name = counterpart.partition(":")
        rule = self.old.rules[name].decl
        old_text = snippet(self.old.source, rule.body.span)
        if kind == "table" and new_name in self.new.tables:
            rows = _table_rows(self.new, new_name)
            decl: ast.Statement = self.new.tables[new_name].decl
            new_text, new_json = _rows_text(rows), [{"row": r, "value": v.json} for r, v in rows]
            details = tuple(f"{r} → {v.text}" for r, v in rows)
        elif kind == "schedule" and new_name in self.new.schedules:
            decl = self.new.schedules[new_name].decl
            new_text, new_json, details = self._schedule_outline(self.new, new_name), self._schedule_json(self.new, new_name), ()
        elif kind == "rule" and new_name in self.new.rules:
            return self._rule(name, new_name)
        else:
            return None
        return Change(CHANGED, f"rule {name} (now {kind} {new_name})", old_text, f"{kind} {new_name}: {new_text}", "", self._cite(self.old, rule),
                      self._cite(self.new, decl), old_text, new_json, details=details)

def _readings_of(edition: Edition) -> dict[str, list[tuple[str, Citation]]]:
    """Each statement's readings, once each: `"chosen" over "other"` and the citation that carries it."""
    found: dict[str, list[tuple[str, Citation]]] = {}
    for st in edition.policy.statements:
        kind = type(st).__name__.removesuffix("Decl").lower()
        name = getattr(st, "name", "") or ", ".join(getattr(st, "infractions", ()))
        for node in st.find_all(ast.Citation):
            assert isinstance(node, ast.Citation)
            if node.reading:
                shown = f'"{node.reading}"' + "".join(f' over "{a}"' for a in node.alternatives)
                entries = found.setdefault(f"{kind} {name}".strip(), [])
                if shown not in [e[0] for e in entries]:
                    entries.append((shown, cite(edition.source, st, node, node)))
    return found


def on_reference_year(node: ast.Expr, edition_year: int) -> ast.Expr:
    """The expression with each date literal moved onto the reference year, keeping its offset from the edition year.

    A deadline of 2016-05-31 in the 2016 edition and of 2022-05-31 in the 2022
    edition is the same rule: the last day of May of the race's year.
    """

    def moved(found: ast.Node) -> ast.Node | None:
        if isinstance(found, ast.Literal) and isinstance(found.value, datetime.date):
            return attrs.evolve(found, value=_on_reference_year(found.value, edition_year))
        return None

    return ast.rewrite(node, moved)


def fragments(a: ast.Node, b: ast.Node) -> list[tuple[ast.Node, ast.Node]]:
    """The smallest pairs of sub-expressions that differ between two trees (the whole pair past MAX_FRAGMENTS)."""
    found = _fragments(a, b)
    return found if len(found) <= MAX_FRAGMENTS else [(a, b)]


def _fragments(a: ast.Node, b: ast.Node) -> list[tuple[ast.Node, ast.Node]]:
    if a == b:
        return []
    if type(a) is not type(b):
        return [(a, b)]
    found: list[tuple[ast.Node, ast.Node]] = []
    for field in attrs.fields(type(a)):
        if not field.eq:
            continue
        x, y = getattr(a, field.name), getattr(b, field.name)
        if x == y:
            continue
        if isinstance(x, ast.Node) and isinstance(y, ast.Node):
            found.extend(_fragments(x, y))
        elif isinstance(x, tuple) and isinstance(y, tuple) and len(x) == len(y) and all(isinstance(i, ast.Node) for i in x + y):
            for i, j in zip(x, y, strict=True):
                found.extend(_fragments(i, j))
        else:
            return [(a, b)]  # an operator, a name or a value of this node changed: show the node
    return found


def _delta_suffix(a: ast.Node, b: ast.Node) -> str:
    if isinstance(a, ast.Literal) and isinstance(b, ast.Literal):
        found = delta(a.value, b.value)
        return f" ({found})" if found else ""
    return ""


_STOP = frozenset("the and for with from that this which will must their they them have been into each other than only also such shall".split())


def _clause_words(decl: ast.Statement) -> frozenset[str]:
    """The content words of a statement's clause, crudely stemmed, for pairing two translations of one rule."""
    text = decl.citation.text if decl.citation is not None else ""
    words = set()
    for word in re.findall(r"[a-z]+", text.lower()):
        if len(word) < 4 or word in _STOP:
            continue
        for ending in ("ing", "ed", "es", "s"):
            if word.endswith(ending) and len(word) - len(ending) >= 4:
                word = word[: -len(ending)]
                break
        words.add(word.replace("isation", "ization"))
    return frozenset(words)


def _words_in(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4 and w not in _STOP}


def renamed_names(node: ast.Expr, names: dict[str, str]) -> ast.Expr:
    """The expression with each name in `names` replaced (a parameter renamed one for one)."""

    def renamed(found: ast.Node) -> ast.Node | None:
        return attrs.evolve(found, name=names[found.name]) if isinstance(found, ast.Name) and found.name in names else None

    return ast.rewrite(node, renamed)


# Words a translation changes without changing what a sentence requires: articles, possessives, pronouns.
_FILLER = frozenset("a an the his her their its one's your you he she they his/her own".split())
_SPELLING = (("isation", "ization"), ("ise", "ize"), ("our", "or"), ("tre", "ter"))


def _words_of(text: str) -> list[str]:
    words = []
    for word in re.findall(r"[\w']+", text.lower()):
        if word in _FILLER:
            continue
        for british, american in _SPELLING:
            if word.endswith(british):
                word = word[: -len(british)] + american
                break
        words.append(word)
    return words


def _same_words(a: ast.Node, b: ast.Node) -> bool:
    """Two texts (or lists of texts) that say the same words once articles, possessives, case and spelling are set aside."""
    if isinstance(a, ast.Literal) and isinstance(b, ast.Literal) and isinstance(a.value, str) and isinstance(b.value, str):
        return a.value != b.value and _words_of(a.value) == _words_of(b.value)
    return False


def _same_limit(old: Sequence[ast.Node], new: Sequence[ast.Node], old_year: int) -> str:
    years = {y for n in old for y in _years(n)}
    offsets = sorted({old_year - y for y in years})
    if not offsets:
        return "the same limit in each edition year"
    return f"the same limit: {', '.join(str(o) for o in offsets)} years before the edition year in both"


def _years(node: ast.Node) -> list[Decimal]:
    found = [n.value for n in [node, *node.find_all(ast.Literal)] if isinstance(n, ast.Literal) and isinstance(n.value, Decimal)]
    return [v for v in found if v == v.to_integral_value() and 1900 <= v <= 2100]


def years_relative(node: ast.Expr, edition_year: int) -> ast.Expr:
    """The expression with each whole number that reads as a year (1900-2100) written as its offset from the edition year.

    `runner.birth_year <= 1996` in the 2016 edition and `<= 2002` in the 2022 edition
    are the same limit of age: 20 years before the edition year.
    """

    def as_offset(found: ast.Node) -> ast.Node | None:
        value = found.value if isinstance(found, ast.Literal) else None
        if isinstance(value, Decimal) and value == value.to_integral_value() and 1900 <= value <= 2100:
            return attrs.evolve(found, value=("year", value - edition_year))
        return None

    return ast.rewrite(node, as_offset)


# What a deadline counts from, in the regulation's words: a change of reference point makes a delta meaningless.
_REFERENCE = re.compile(
    r"\b(?:before|after|of|following|from)\s+(?:the\s+)?(?:date\s+of\s+the\s+)?"
    r"(start|arrival|end of the event|end of the race|finish|event|race)\b(?!-)", re.IGNORECASE)  # not "of the race-bib"
_SAME_POINT = {"end of the event": "event", "end of the race": "finish", "race": "start"}


def reference_point(clause: str) -> str | None:
    """The point a duration is counted from, as the clause names it ('the start', 'the arrival'), or None."""
    found = _REFERENCE.search(clause)
    return found.group(0) if found else None


def reference_point_change(old_clause: str, new_clause: str) -> str:
    """`"within two hours of the arrival" → "after the end of the event"` when the two clauses count from different points."""
    a, b = reference_point(old_clause), reference_point(new_clause)
    if a is None or b is None:
        return ""
    key_a, key_b = (_REFERENCE.search(x).group(1).lower() for x in (a, b))  # type: ignore[union-attr]
    if _SAME_POINT.get(key_a, key_a) == _SAME_POINT.get(key_b, key_b):
        return ""
    return f'"{a}" → "{b}"'


def _counts_time(decl: ast.RuleDecl) -> bool:
    """A rule with a duration or a date in its body or its parameters: one whose reference point can move."""
    if any(p.type in ("duration", "date") for p in decl.params):
        return True
    return any(isinstance(n, ast.Literal) and isinstance(n.value, (Duration, datetime.date)) for n in decl.find_all(ast.Literal))


def _fragment_delta(old: Edition, new: Edition, pairs: Sequence[tuple[ast.Node, ast.Node]]) -> str:
    if len(pairs) != 1:
        return ""
    a, b = pairs[0]
    if isinstance(a, ast.Literal) and isinstance(b, ast.Literal):
        return delta(a.value, b.value)
    return ""


# ---- small helpers ---------------------------------------------------------------

REFERENCE_YEAR = 2000  # a leap year, so 29 February has a place


def _on_reference_year(day: datetime.date, edition_year: int) -> datetime.date:
    year = REFERENCE_YEAR + (day.year - edition_year)
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February moved onto a common year
        return datetime.date(year, 2, 28)


def _day(day: datetime.date) -> str:
    text = day.strftime("%m-%d")
    offset = day.year - REFERENCE_YEAR
    if offset:
        text += f" ({'+' if offset > 0 else ''}{offset} year{'s' if abs(offset) != 1 else ''})"
    return text



def _value_change(subject: str, old: Sequence[Any] | None, new: Sequence[Any] | None) -> Change:
    """A cell or tier in one or both editions, as (value, citation): added, removed or changed."""
    if old is None:
        assert new is not None
        return Change(ADDED, subject, new=new[0].text, new_cite=new[1], new_json=new[0].json)
    if new is None:
        return Change(REMOVED, subject, old=old[0].text, old_cite=old[1], old_json=old[0].json)
    return Change(CHANGED, subject, old[0].text, new[0].text, delta(old[0].value, new[0].value), old[1], new[1], old[0].json, new[0].json)

def _range(first: datetime.date | None, last: datetime.date | None) -> str:
    if first is None and last is None:
        return "on every day"
    if first is None:
        assert last is not None
        return f"through {_day(last)}"
    if last is None:
        return f"from {_day(first)}"
    if first == last:
        return f"on {_day(first)}"
    return f"{_day(first)}..{_day(last)}"


def _tier_at(tiers: list[tuple[datetime.date | None, _Value, Citation]], day: datetime.date | None) -> tuple[datetime.date | None, _Value, Citation] | None:
    """The tier in force on `day` (None: after every dated tier)."""
    for tier in tiers:
        if tier[0] is None or (day is not None and day <= tier[0]):
            return tier
    return None


def _shown(pair: Sequence[Any]) -> tuple[str | None, ...]:
    return tuple(None if tier is None else tier[1].text for tier in pair)


def _key_options(edition: Edition, key: ast.Literal | ast.Name) -> list[tuple[str, str]]:
    if isinstance(key, ast.Name):
        if key.name in edition.groups:
            return [("race", r) for r in sorted(edition.groups[key.name].members)]
        if key.name in edition.races:
            return [("race", key.name)]
        return [("word", key.name)]
    value = key.value
    return [("value", f'"{value}"' if isinstance(value, str) else render(value))]


def _same_sanction(a: Sanction | None, b: Sanction | None) -> bool:
    if a is None or b is None:
        return a is b
    return _sanction_key(a) == _sanction_key(b)


def _sanction_key(sanction: Sanction | None) -> tuple[Any, ...] | None:
    # Discretion and doping sanctions name their infraction; the name is not the meaning.
    if sanction is None:
        return None
    # Who decides, without letter case: "the Race Directors" and "the race directors" are the same people.
    deciders = tuple(sanction.decider(i).lower() for i in sanction.discretion)
    return (sanction.kind, sanction.minutes, bool(sanction.discretion), bool(sanction.doping), sanction.immediate, sanction.ban_months, deciders)


def _words(text: str) -> str:
    return " ".join(text.lower().split())


def _race_outline(race: Race) -> str:
    # The title only: everything the race has follows, one line each (`_race_details`).
    return f'"{race.title}"' if race.title and race.title != race.name else ""


def _race_details(edition: Edition, race: Race) -> list[str]:
    """Everything a race has, one line each: attributes, eligibility conditions, mandatory gear kit by kit."""
    keys = [k for k in ATTRIBUTE_ORDER if k in race.attributes] + sorted(set(race.attributes) - set(ATTRIBUTE_ORDER))
    # An empty list (no assistance point) reads as "none", not as brackets.
    found = [f"{key}: {render(race.attributes[key]) if race.attributes[key] != () else 'none'}" for key in keys]
    for condition in race.decl.eligibility:
        clause = f' — "{condition.citation.text}"' if condition.citation is not None else ""
        found.append(f"eligible when {snippet(edition.source, condition.condition.span)}{clause}")
    for kit, items in _gear_by_kit(edition, race.name).items():
        found.append(f"{'mandatory gear' if not kit else kit + ' kit'}: {', '.join(items)}")
    return found


def _gear_by_kit(edition: Edition, race: str) -> dict[str, list[str]]:
    from racepolicy.evaluation import equipment

    found: dict[str, list[str]] = {}
    for kit in ["", *equipment.kits(edition)]:
        for carried in equipment.carried(edition, race, (kit,) if kit else ()):
            if carried.required and carried.checklist.kit == kit:
                found.setdefault(kit, []).append(f"{carried.count} × {carried.name}" if carried.count > 1 else carried.name)
    return found


def _race_json(edition: Edition, race: Race) -> dict[str, Any]:
    return {
        "name": race.name, "title": race.title, "attributes": {k: to_json(v) for k, v in sorted(race.attributes.items())},
        "eligibility": [snippet(edition.source, e.condition.span) for e in race.decl.eligibility],
        "gear": _gear_by_kit(edition, race.name),
    }


def _table_subject(decl: ast.TableDecl) -> str:
    return f"{decl.name}({', '.join(p.name for p in decl.params)})"


def _table_rows(edition: Edition, name: str) -> list[tuple[str, _Value]]:
    """Each row of a table as written (`UTMB, "men"`) with its value."""
    decl = edition.tables[name].decl
    rows = [(", ".join(_key_text(edition, k) for k in row.keys), _Value(edition, row.value)) for row in decl.rows]
    if decl.otherwise is not None:
        rows.append(("otherwise", _Value(edition, decl.otherwise.value)))
    return rows


def _band_details(edition: Edition, decl: ast.BandDecl) -> tuple[str, ...]:
    """The rows of a band that give a value of their own, `1-36 → 06:00`; a band of labels only needs none."""
    return tuple(f"{row.label} → {_Value(edition, row.value).text}" for row in decl.rows if row.value is not None)


def _key_text(edition: Edition, key: ast.Literal | ast.Name) -> str:
    """A table key as written; a group says which races it holds (`elite_races (CCC/TDS/OCC)`)."""
    text = snippet(edition.source, key.span)
    if isinstance(key, ast.Name) and key.name in edition.groups:
        members = [r for r in edition.races if r in edition.groups[key.name].members]
        text += f" ({'/'.join(members)})"
    return text


def _rows_text(rows: Sequence[tuple[str, _Value]]) -> str:
    return f"{len(rows)} row{'s' if len(rows) != 1 else ''}"


def diff_editions(old: Edition, new: Edition, pm: pluggy.PluginManager | None = None) -> EditionDiff:
    """Compare two editions; `pm` adds the sections of series plugins (racepolicy_diff_sections)."""
    return EditionComparer(old, new).compare(pm)
