"""Check a parsed policy once, at load: names, kinds, units, schedules, conflicts, plugin rules."""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
import pluggy
from racepolicy.evaluation.builtins import BUILTINS, param_kinds
from racepolicy.evaluation.model import Band, Edition, Group, Penalty, Race, Rule, Schedule, ScheduleTier, Table, cite
from racepolicy.evaluation.operators import describe_mismatch, result_kind
from racepolicy.evaluation.values import Sanction, type_name
from racepolicy.evaluation.words import FactShape, WordSet
from racepolicy.language import ast
from racepolicy.language.check_equipment import check_checklists
from racepolicy.language.checker_lists import ListChecks
from racepolicy.language.checker_money import CurrencyChecks
from racepolicy.language.checker_words import WordsAndFactsChecks
from racepolicy.language.errors import (
    ArityError,
    AssertionFailedError,
    ConflictError,
    CycleError,
    DuplicateError,
    MissingHeaderError,
    NestingError,
    PolicyError,
    PolicyErrors,
    PolicyTypeError,
    ScheduleError,
    TableError,
    UnknownInfractionError,
    UnknownNameError,
    UnknownRaceError,
    did_you_mean,
)
from racepolicy.language.source import Source, Span

if TYPE_CHECKING:
    from racepolicy.language.citations import VerifiedSource

# The race attributes the core knows, with their kinds; plugins add their own.
CORE_ATTRIBUTES: dict[str, str] = {
    "distance": "length",
    "elevation": "length",
    "start": "text",
    "finish": "text",
    "cutoff": "duration",
    "fee": "money",
    "insurance": "money",
    "capacity": "number",
    "assistance": "list",
    "date": "date",
}

SANCTIONS = {
    "disqualify": Sanction(disqualified=True),
    "life": Sanction(disqualified=True, for_life=True),
}

# A file with more errors than this is reported up to here: the rest would bury the first ones,
# and checking on costs time that grows with the size of the file for each error.
MAX_ERRORS = 100

KINDS = {"number", "money", "duration", "length", "percent", "date", "text", "bool", "race", "record", "list", "sanction", "group", "any",
         "time", "datetime"}


def sanction_of(expr: ast.SanctionExpr, infraction: str) -> Sanction:
    if expr.kind == "time":
        return Sanction.time(Decimal(expr.minutes))  # exact minutes: values hold Decimals, never ints
    if expr.kind == "discretion":
        return Sanction(discretion=(infraction,), deciders=((infraction, expr.decider),) if expr.decider else ())
    if expr.kind == "doping":
        return Sanction(doping=(infraction,))
    if expr.kind == "none":
        return Sanction()
    if expr.kind == "ban":
        return Sanction(disqualified=True, ban_months=expr.ban_months, immediate=expr.immediate)
    return attrs.evolve(SANCTIONS[expr.kind], immediate=expr.immediate)


class Checker(WordsAndFactsChecks, CurrencyChecks, ListChecks):
    """Builds an Edition from a policy AST, collecting every error rather than stopping at the first."""

    # Set by check(..., verified=...): the citations' places found earlier for these very bytes (dsl/query/cache.py).
    preverified: VerifiedSource | None = None

    def __init__(self, policy: ast.Policy, source: Source, pm: pluggy.PluginManager | None) -> None:
        self.policy = policy
        self.source = source
        self.pm = pm
        self.errors: list[PolicyError] = []
        self._rule_kinds: dict[str, str] = {}
        self._in_progress: list[str] = []
        self._covering: dict[str, list[str]] = {}  # key name -> the names that cover it (tables)
        # Words and facts (issue #11 item 1): fields read, and in a query the aliases to replace by their word.
        self._fields_read: set[tuple[str, str]] = set()
        self.query_mode = False
        self.replacements: dict[int, str] = {}

    # ---- helpers
    def policy_statements(self) -> tuple[ast.Statement, ...]:
        return self.policy.statements

    def error(self, cls: type[PolicyError], message: str, span: Span, hint: str = "") -> None:
        self.errors.append(cls(message, span, self.source, hint))
        if len(self.errors) >= MAX_ERRORS:
            raise PolicyErrors(self.errors)

    def _hook(self, name: str, **kwargs: Any) -> list[Any]:
        if self.pm is None:
            return []
        results = getattr(self.pm.hook, name)(**kwargs)
        return [r for r in results if r is not None]

    # ---- entry point
    def check(self) -> Edition:
        header = self.policy.header
        if header is None:
            self.error(
                MissingHeaderError, "a policy starts with an edition header", Span(1, 1, 1, 2),
                'write e.g. edition utmb 2022 "UTMB Mont-Blanc" currency EUR',
            )
            raise PolicyErrors(self.errors)
        # ---- fidelity: every quote checked against the regulation text; the verified source gives citations their lines
        from racepolicy.language.citations import verify

        # A source already verified against the same policy and texts (the cache of checked editions) is not searched again.
        self.source, quote_errors = (self.preverified, []) if self.preverified is not None else verify(self.policy, self.source)
        self.errors.extend(quote_errors)
        # ---- end fidelity
        ed = Edition(header.series, header.year, header.title, header.currency, self.source, self.policy)
        self.ed = ed
        self._load_plugins(ed)
        self._declare(ed)
        self._check_words(ed)
        self._declare_attributes(ed)
        self._check_groups(ed)
        self._check_races(ed)
        self._check_penalties(ed)
        check_checklists(self, ed)  # equipment checklists (gear): dsl/language/check_equipment.py
        self._check_schedules(ed)
        self._check_tables(ed)
        self._check_bands(ed)
        self._check_rules(ed)
        ed.interpreter_only = bool(ed.inputs) or any(True for _ in self.policy.find_all(ast.NotApplicable))  # fidelity
        _check_readings(self)  # fidelity
        self._warn_unread_facts(ed)
        if not self.errors:
            for found in self._hook("racepolicy_validate", edition=ed):
                self.errors.extend(e.with_source(self.source) for e in found)
        if self.errors:
            raise PolicyErrors(self.errors)
        self._settle_word_params(ed)
        # fidelity: assertions run once word parameters are settled, so an assertion may pass a word ("event") to a rule
        _check_assertions(self, ed)
        if self.errors:
            raise PolicyErrors(self.errors)
        ed.checked = True
        return ed

    def _load_plugins(self, ed: Edition) -> None:
        vocab = self._hook("racepolicy_vocabulary", series=ed.series)
        ed.vocabulary = vocab[0] if vocab else None
        kinds = dict(CORE_ATTRIBUTES)
        for extra in self._hook("racepolicy_race_attributes", series=ed.series):
            kinds.update(extra)
        ed.attribute_kinds = kinds
        for functions in self._hook("racepolicy_functions", series=ed.series):
            for fn in functions:
                ed.functions[fn.name] = fn
        for forms in self._hook("racepolicy_query_forms", series=ed.series):
            for form in forms:
                ed.query_forms[form.verb] = form
        if self.pm is not None:
            series = ed.series

            def combine(sanctions: list[Sanction]) -> Sanction:
                assert self.pm is not None
                result: Sanction | None = self.pm.hook.racepolicy_combine_sanctions(series=series, sanctions=sanctions)
                if result is None:
                    from racepolicy.evaluation.values import combine_sanctions

                    return combine_sanctions(sanctions)
                return result

            ed.combine = combine

    # ---- declarations
    def _declare(self, ed: Edition) -> None:
        seen: dict[str, ast.Statement] = {}
        for st in self.policy.statements:
            if isinstance(st, ast.InfractionDecl):
                if st.name in ed.infractions:
                    first = ed.infractions[st.name].span.line
                    self.error(DuplicateError, f"infraction '{st.name}' is declared twice", st.span, f"first declared on line {first}")
                else:
                    ed.infractions[st.name] = st
                continue
            name = getattr(st, "name", None)
            if name is None or isinstance(st, ast.AttributeDecl):  # attributes have their own namespace
                continue
            if name in seen:
                first = seen[name].span.line
                self.error(DuplicateError, f"'{name}' is declared twice", st.span, f"first declared on line {first}")
                continue
            if name in BUILTINS or name in ed.functions or name in ("all", "year"):
                self.error(DuplicateError, f"'{name}' is a built-in name", st.span, "choose another name")
                continue
            seen[name] = st
            if isinstance(st, ast.RaceDecl):
                ed.races[name] = Race(name, st.title, {}, st, {})
            elif isinstance(st, ast.GroupDecl):
                ed.groups[name] = Group(name, frozenset(), st)
            elif isinstance(st, ast.ScheduleDecl):
                ed.schedules[name] = Schedule(name, [], st, "any")
            elif isinstance(st, ast.TableDecl):
                ed.tables[name] = Table(name, st, "any")
            elif isinstance(st, ast.BandDecl):
                ed.bands[name] = Band(name, st, "any")
            elif isinstance(st, ast.RuleDecl):
                ed.rules[name] = Rule(name, st, "any")
            elif isinstance(st, ast.InputDecl):  # fidelity: a declared input
                ed.inputs[name] = st
            elif isinstance(st, ast.WordsDecl):
                ed.words[name] = WordSet.of(st)
            elif isinstance(st, ast.FactsDecl):
                ed.facts[name] = FactShape.of(st)

    def _race_names(self) -> list[str]:
        return list(self.ed.races) + list(self.ed.vocabulary.races if self.ed.vocabulary else ())

    def _check_groups(self, ed: Edition) -> None:
        resolving: set[str] = set()

        def members(group: Group) -> frozenset[str]:
            if group.members:
                return group.members
            if group.name in resolving:
                self.error(CycleError, f"group '{group.name}' contains itself", group.decl.span, "a group holds races and other groups, never itself")
                return frozenset()
            resolving.add(group.name)
            found: set[str] = set()
            for name in group.decl.members:
                if name in ed.races:
                    found.add(name)
                elif name in ed.groups:
                    found |= members(ed.groups[name])
                else:
                    self.error(
                        UnknownRaceError, f"unknown race '{name}' in group '{group.name}'",
                        self._find_word(group.decl.span, name), did_you_mean(name, list(ed.races) + list(ed.groups)),
                    )
            group.members = frozenset(found)
            return group.members

        for group in ed.groups.values():
            members(group)

    def _find_word(self, span: Span, word: str, start_after: int = 0) -> Span:
        """The span of `word` inside a statement (names carry no spans of their own in lists)."""
        for line_no in range(span.line, span.end_line + 1):
            text = self.source.line(line_no)
            begin = span.column - 1 if line_no == span.line else 0
            if line_no == span.line:
                begin = max(begin, start_after)
            m = re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", text[begin:])
            if m:
                col = begin + m.start() + 1
                return Span(line_no, col, line_no, col + len(word))
        return span

    # ---- races
    def _check_races(self, ed: Edition) -> None:
        if not ed.races:
            return  # nothing to evaluate: no evaluator to build (a small policy loads in microseconds, issue #16)
        from racepolicy.evaluation.interpreter import Evaluator

        evaluator = Evaluator(ed)
        for race in ed.races.values():
            for attribute in race.decl.attributes:
                expected = ed.attribute_kinds.get(attribute.name)
                if expected is None:
                    close = did_you_mean(attribute.name, ed.attribute_kinds)
                    declare = f"declare it: attribute {attribute.name}: KIND"  # a series without a plugin declares its own (issue #11)
                    self.error(
                        UnknownNameError, f"unknown race attribute '{attribute.name}'",
                        self._find_word(attribute.span, attribute.name), close or declare,
                    )
                    continue
                if attribute.name in race.attributes:
                    self.error(DuplicateError, f"attribute '{attribute.name}' of {race.name} is given twice", attribute.span, "give each attribute once")
                    continue
                errors_before = len(self.errors)
                kind = self.infer(attribute.value, {})
                if expected in ed.words:  # an attribute typed with a set of words holds one of them
                    self._check_word_literal(attribute.value, ed.words[expected])
                    expected = "text"
                if kind not in (expected, "any"):
                    self.error(
                        PolicyTypeError, f"{attribute.name} must be {_article(expected)}, not {_article(kind)}",
                        attribute.value.span, _example(expected),
                    )
                    continue
                if len(self.errors) > errors_before:
                    continue  # already reported; evaluating would report the same mistake again
                try:
                    race.attributes[attribute.name] = evaluator.evaluate(attribute.value, {})
                except PolicyError as exc:
                    self.errors.append(exc.with_source(self.source))
                    continue
                race.citations[attribute.name] = cite(self.source, race.decl, attribute, attribute.citation)
            for rule in race.decl.eligibility:
                kind = self.infer(rule.condition, {"runner": "record", "race": "race"})
                if kind not in ("bool", "any"):
                    self.error(PolicyTypeError, f"an eligibility condition must be yes or no, not {_article(kind)}", rule.condition.span)

    # ---- penalties
    def _check_penalties(self, ed: Edition) -> None:
        known = set(ed.infractions) | set(ed.vocabulary.infractions if ed.vocabulary else ())
        all_races = frozenset(ed.races)
        sanctions: dict[tuple[str, int, str], set[Any]] = {}
        for st in self.policy.statements:
            if not isinstance(st, ast.PenaltyDecl):
                continue
            races: set[str] = set()
            rank = 0
            bad = False
            after = st.span.column - 1
            for target in st.targets:
                if target == "all":
                    races |= all_races
                    rank = max(rank, 2)
                elif target in ed.races:
                    races.add(target)
                elif target in ed.groups:
                    races |= ed.groups[target].members
                    rank = max(rank, 1)
                else:
                    bad = True
                    on = self.source.line(st.span.line).find(" on ")
                    self.error(
                        UnknownRaceError, f"unknown race '{target}'", self._find_word(st.span, target, max(after, on)),
                        did_you_mean(target, list(ed.races) + list(ed.groups)),
                    )
            for infraction in st.infractions:
                if infraction not in known:
                    bad = True
                    self.error(
                        UnknownInfractionError, f"unknown infraction '{infraction}'", self._find_word(st.span, infraction, after),
                        did_you_mean(infraction, known) or "declare it with: infraction NAME \"what the regulation says\"",
                    )
            if bad:
                continue
            label = ", ".join(st.targets)
            if st.condition is not None:
                # A penalty's condition reads the query's facts, as an eligibility condition does.
                kind = self.infer(st.condition, {"runner": "record", "race": "race"})
                if kind not in ("bool", "any"):
                    self.error(
                        PolicyTypeError, f"a penalty's 'when' condition must be yes or no, not {_article(kind)}", st.condition.span,
                        "compare the facts, e.g. when runner.age >= 60",
                    )
            for infraction in st.infractions:
                penalty = Penalty(
                    infraction, frozenset(races), rank, sanction_of(st.sanction, infraction), st, cite(self.source, st), label, st.condition,
                )
                # Sanctions already given per (infraction, rank, race): only a penalty that may conflict is compared with
                # the earlier ones, so thousands of penalties check in linear time (each conflict is an error, at most 100).
                # Lines with `when` may differ from the line without: the condition says when each applies.
                given = [] if penalty.condition is not None else [sanctions.setdefault((infraction, rank, race), set()) for race in penalty.races]
                conflicts = any(len(seen) > 1 or (seen and penalty.sanction not in seen) for seen in given)
                for seen in given:
                    seen.add(penalty.sanction)
                for other in ed.penalties.get(infraction, []) if conflicts else ():
                    self._penalty_conflict(infraction, penalty, other, st)
                ed.penalties.setdefault(infraction, []).append(penalty)

    def _penalty_conflict(self, infraction: str, penalty: Penalty, other: Penalty, st: ast.PenaltyDecl) -> None:
        """Report two penalties of one rank that give one race different sanctions."""
        clash = sorted(penalty.races & other.races)
        conditional = penalty.condition is not None or other.condition is not None
        if clash and not conditional and other.rank == penalty.rank and other.sanction != penalty.sanction:
            self.error(
                ConflictError,
                f"conflicting penalties for '{infraction}' on {', '.join(clash)}: "
                f"{other.sanction} (line {other.decl.span.line}) and {penalty.sanction}",
                st.sanction.span, "name the race directly to override a group, or make the two agree",
            )

    # ---- schedules
    def _check_schedules(self, ed: Edition) -> None:
        for schedule in ed.schedules.values():
            decl = schedule.decl
            previous: tuple[datetime.date, ast.Tier] | None = None
            kinds: list[tuple[str, ast.Expr]] = []
            for tier in decl.tiers:
                when = self._tier_date(tier.through, ed.year)
                if when is None:
                    continue
                if previous and when <= previous[0]:
                    word = "repeats" if when == previous[0] else "comes before"
                    self.error(
                        ScheduleError,
                        f"schedule '{schedule.name}': tier through {when.isoformat()} {word} the tier above it "
                        f"(through {previous[0].isoformat()}, line {previous[1].span.line})",
                        tier.through.span, "list tiers from the earliest date to the latest, each date once",
                    )
                previous = (when, tier)
                kinds.append((self.infer(tier.value, {}), tier.value))
                schedule.tiers.append(ScheduleTier(when, tier.value, cite(self.source, decl, tier, tier.citation), tier))
            if decl.otherwise:
                kinds.append((self.infer(decl.otherwise.value, {}), decl.otherwise.value))
                schedule.tiers.append(
                    ScheduleTier(None, decl.otherwise.value, cite(self.source, decl, decl.otherwise, decl.otherwise.citation), decl.otherwise)
                )
            schedule.kind = self._same_kind(kinds, f"schedule '{schedule.name}'")

    def _tier_date(self, expr: ast.Expr, year: int) -> datetime.date | None:
        if isinstance(expr, ast.MonthDay):
            try:
                return datetime.date(year, expr.month, expr.day)
            except ValueError:
                self.error(
                    ScheduleError, f"{expr.month:02}-{expr.day:02} does not exist in {year}", expr.span,
                    f"write a day of {year}, or a full date such as {year}-02-28",
                )
                return None
        if isinstance(expr, ast.Literal) and isinstance(expr.value, datetime.date):
            return expr.value
        return None  # pragma: no cover - the grammar allows only dates here

    def _same_kind(self, kinds: list[tuple[str, ast.Expr]], what: str) -> str:
        found = "any"
        for kind, expr in kinds:
            if kind == "any":
                continue
            if found == "any":
                found = kind
            elif kind != found:
                self.error(PolicyTypeError, f"{what} mixes {found} and {kind} values", expr.span, "every row must give the same kind of value")
        return found

    # ---- tables and bands
    def _check_tables(self, ed: Edition) -> None:
        for table in ed.tables.values():
            decl = table.decl
            width = len(decl.params)
            seen: dict[tuple[Any, ...], ast.TableRow] = {}
            kinds: list[tuple[str, ast.Expr]] = []
            for row in decl.rows:
                if len(row.keys) != width:
                    self.error(
                        TableError, f"table '{table.name}' has {width} column(s) but this row has {len(row.keys)}",
                        row.span, f"give one key for each of ({', '.join(p.name for p in decl.params)})",
                    )
                    continue
                for param, key in zip(decl.params, row.keys, strict=True):
                    if param.type in ed.words:
                        self._check_word_literal(key, ed.words[param.type])
                for key in row.keys:
                    if isinstance(key, ast.Name) and key.name not in ed.races and key.name not in ed.groups:
                        self.error(UnknownRaceError, f"unknown race or group '{key.name}'", key.span, did_you_mean(key.name, list(ed.races) + list(ed.groups)))
                ident = tuple(k.name if isinstance(k, ast.Name) else k.value for k in row.keys)
                if ident in seen:
                    self.error(TableError, f"table '{table.name}' has this row twice", row.span, f"first on line {seen[ident].span.line}")
                else:
                    # Rows are tried top to bottom: a row an earlier one covers (its race after its group) never answers.
                    earlier = self._earlier_covering(seen, row)
                    if earlier is not None:
                        self.error(
                            TableError, f"table '{table.name}': this row can never match, the row on line {earlier.span.line} comes first",
                            row.span, "rows are tried top to bottom: put the more specific row first",
                        )
                seen.setdefault(ident, row)  # a repeated row keeps pointing at the first, which is the one that answers
                kinds.append((self.infer(row.value, {}), row.value))
            if decl.otherwise:
                kinds.append((self.infer(decl.otherwise.value, {}), decl.otherwise.value))
            table.kind = self._same_kind(kinds, f"table '{table.name}'")

    def _races_of(self, name: str) -> frozenset[str]:
        if name in self.ed.groups:
            return self.ed.groups[name].members
        return frozenset([name]) if name in self.ed.races else frozenset()

    # ---- which earlier row covers a table row: looked up, not searched, so a 10,000-row table checks in linear time
    def _earlier_covering(self, seen: dict[tuple[Any, ...], ast.TableRow], row: ast.TableRow) -> ast.TableRow | None:
        """The first earlier row whose every key covers the row's key (it answers every call the row would), if any."""
        covering = [self._covering_idents(key) for key in row.keys]
        combinations = 1
        for options in covering:
            combinations *= len(options)
        if combinations > len(seen):  # many groups hold these races: scanning the rows is the cheaper way
            candidates: Iterable[ast.TableRow] = seen.values()
        else:
            candidates = (found for ident in itertools.product(*covering) if (found := seen.get(ident)) is not None)
        matches = [r for r in candidates if all(self._key_covers(a, b) for a, b in zip(r.keys, row.keys, strict=True))]
        if len(matches) <= 1:
            return matches[0] if matches else None
        order = {id(r): i for i, r in enumerate(seen.values())}
        return min(matches, key=lambda r: order[id(r)])

    def _covering_idents(self, key: ast.Literal | ast.Name) -> list[Any]:
        """The key idents (as in `seen`) of the keys that cover `key`: a literal itself; a name, itself and each group or race holding all its races."""
        if not isinstance(key, ast.Name):
            return [key.value]
        cache = self._covering
        if key.name not in cache:
            races = self._races_of(key.name)
            names = [*self.ed.races, *self.ed.groups] if races else []
            cache[key.name] = [key.name, *(n for n in names if n != key.name and races <= self._races_of(n))]
        return list(cache[key.name])

    def _key_covers(self, first: ast.Literal | ast.Name, later: ast.Literal | ast.Name) -> bool:
        """Whether every argument the `later` key matches is matched by the `first` key already."""
        if isinstance(first, ast.Name) and isinstance(later, ast.Name):
            races = self._races_of(later.name)
            return first.name == later.name or (bool(races) and races <= self._races_of(first.name))
        if isinstance(first, ast.Literal) and isinstance(later, ast.Literal):
            return bool(first.value == later.value)
        return False

    def _check_bands(self, ed: Edition) -> None:
        for band in ed.bands.values():
            previous: ast.BandRow | None = None
            kinds: list[tuple[str, ast.Expr]] = []
            for row in band.decl.rows:
                if row.high is not None and row.high < row.low:
                    self.error(ScheduleError, f"band {row.low}..{row.high} runs backwards", row.span, f"write {row.high}..{row.low}")
                if previous is not None:
                    if previous.high is None or row.low <= previous.high:
                        self.error(
                            ScheduleError, f"band '{band.name}': {row.label} overlaps {previous.label} (line {previous.span.line})",
                            row.span, "list bands from the lowest to the highest, without overlap",
                        )
                previous = row
                if row.value is not None:
                    kinds.append((self.infer(row.value, {}), row.value))
            kind = self._same_kind(kinds, f"band '{band.name}'")
            band.kind = "text" if not kinds else kind

    # ---- rules
    def _check_rules(self, ed: Edition) -> None:
        for rule in ed.rules.values():
            for param in rule.decl.params:
                self._check_type(param.type, param.span, param.name)
            rule.kind = self.rule_kind(rule.name)

    def rule_kind(self, name: str) -> str:
        if name in self._rule_kinds:
            return self._rule_kinds[name]
        rule = self.ed.rules[name]
        if name in self._in_progress:
            cycle = " -> ".join([*self._in_progress[self._in_progress.index(name):], name])
            self.error(
                CycleError, f"rule '{name}' calls itself ({cycle})", rule.decl.span,
                "a rule may not depend on itself, directly or through other rules",
            )
            self._rule_kinds[name] = "any"
            return "any"
        self._in_progress.append(name)
        scope = {p.name: p.type for p in rule.decl.params}
        kind = self.infer(rule.decl.body, scope)
        self._in_progress.pop()
        self._rule_kinds.setdefault(name, kind)
        return self._rule_kinds[name]

    # ---- expression kinds
    def infer(self, expr: ast.Expr, scope: dict[str, str]) -> str:
        """The kind an expression yields; records an error and returns 'any' where it cannot."""
        method = getattr(self, "_infer_" + type(expr).__name__, None)
        if method is None:  # pragma: no cover - every Expr subclass has a method
            return "any"
        try:
            kind: str = method(expr, scope)
        except RecursionError:
            self.error(NestingError, "expression is nested too deeply", expr.span, "split it into named rules")
            return "any"
        return kind

    def _infer_Literal(self, expr: ast.Literal, scope: dict[str, str]) -> str:
        return type_name(expr.value)

    def _infer_MonthDay(self, expr: ast.MonthDay, scope: dict[str, str]) -> str:
        self._tier_date(expr, self.ed.year)  # reports a day the edition year lacks (02-29)
        return "date"

    def _infer_NotApplicable(self, expr: ast.NotApplicable, scope: dict[str, str]) -> str:
        return "any"  # fidelity: `n/a` fits a column of any kind

    def _infer_Name(self, expr: ast.Name, scope: dict[str, str]) -> str:
        name = expr.name
        ed = self.ed
        if name in scope:
            return "text" if scope[name] in ed.words else scope[name]
        if name in ed.races:
            return "race"
        if name in ed.groups:
            return "group"
        if name == "year":
            return "number"
        if name in ed.inputs:  # fidelity: a declared input has the type it declares
            return ed.inputs[name].type
        if name in ed.rules:
            if ed.rules[name].decl.params:
                self.error(ArityError, f"rule '{name}' needs arguments", expr.span, f"call it as {name}(...)")
                return "any"
            return self.rule_kind(name)
        if name in ed.schedules or name in ed.tables or name in ed.bands or name in ed.functions or name in BUILTINS:
            self.error(ArityError, f"'{name}' is a function of its inputs", expr.span, f"call it as {name}(...)")
            return "any"
        candidates = list(scope) + list(ed.races) + list(ed.groups) + list(ed.rules) + ["year"]
        self.error(UnknownNameError, f"unknown name '{name}'", expr.span, did_you_mean(name, candidates))
        return "any"

    def _infer_Field(self, expr: ast.Field, scope: dict[str, str]) -> str:
        subject = self.infer(expr.subject, scope)
        if subject == "race":
            kind = self.ed.attribute_kinds.get(expr.name)
            if kind is None and expr.name not in ("name", "title"):
                end = expr.span
                self.error(
                    UnknownNameError, f"races have no attribute '{expr.name}'",
                    Span(end.end_line, end.end_column - len(expr.name), end.end_line, end.end_column),
                    did_you_mean(expr.name, [*list(self.ed.attribute_kinds), "name", "title"]),
                )
                return "any"
            return kind or "text"
        if subject in ("record", "any"):
            return self._fact_field_kind(expr, scope)
        if subject == "list":
            return "list"  # `results.points`: the field of each record (issue #11 item 2)
        self.error(PolicyTypeError, f"{_article(subject)} has no fields", expr.span, "fields belong to races and records such as runner")
        return "any"

    def _infer_Call(self, expr: ast.Call, scope: dict[str, str]) -> str:
        ed = self.ed
        name = expr.function
        args = [self.infer(a, scope) for a in expr.args]
        if name in ed.rules:
            params = ed.rules[name].decl.params
            self._arity(expr, len(params), len(params), [p.name for p in params])
            for param, kind, arg in zip(params, args, expr.args, strict=False):
                self._expect(ed.param_words.get((name, param.name), param.type), kind, arg, f"argument '{param.name}' of {name}")
            return self.rule_kind(name)
        if name in ed.schedules:
            self._arity(expr, 1, 1, ["date"])
            if args:
                self._expect("date", args[0], expr.args[0], f"the date given to schedule {name}")
            return ed.schedules[name].kind
        if name in ed.tables:
            width = len(ed.tables[name].decl.params)
            self._arity(expr, width, width, [p.name for p in ed.tables[name].decl.params])
            for param, arg in zip(ed.tables[name].decl.params, expr.args, strict=False):
                if param.type in ed.words:
                    self._check_word_literal(arg, ed.words[param.type])
            return ed.tables[name].kind
        if name in ed.bands:
            self._arity(expr, 1, 1, ["value"])
            if args:
                self._expect("number", args[0], expr.args[0], f"the value given to band {name}")
            return ed.bands[name].kind
        if name in ed.functions:
            fn = ed.functions[name]
            self._arity(expr, len(fn.params), len(fn.params), [p for p, _ in fn.params])
            for (pname, pkind), kind, arg in zip(fn.params, args, expr.args, strict=False):
                self._expect(pkind, kind, arg, f"argument '{pname}' of {name}")
            return fn.returns
        if name in BUILTINS:
            low, high, _, returns, _ = BUILTINS[name]
            self._arity(expr, low, high)
            if len(args) == 1 and args[0] == "list" and name in ("min", "max", "sum"):
                return self._list_item_kind(expr, scope)  # min(list), sum(list): issue #11 item 2
            for want, kind, arg in zip(param_kinds(name, len(args)), args, expr.args, strict=False):
                self._expect(want, kind, arg, f"argument of {name}")
            if returns == "list":
                self._list_item_kind(expr, scope)  # sort([1, "a"]): items must be ordered
            if returns == "same":
                known = [k for k in args if k != "any"]
                if len(set(known)) > 1:
                    self.error(PolicyTypeError, f"{name} of {' and '.join(sorted(set(known)))} values", expr.span, "give values of one kind")
                return known[0] if known else "any"
            return returns
        candidates = list(ed.callables()) + list(BUILTINS)
        self.error(
            UnknownNameError, f"unknown rule or function '{name}'",
            Span(expr.span.line, expr.span.column, expr.span.line, expr.span.column + len(name)),
            did_you_mean(name, candidates),
        )
        return "any"

    def _arity(self, expr: ast.Call, low: int, high: int | None, params: list[str] | None = None) -> None:
        count = len(expr.args)
        if count < low or (high is not None and count > high):
            want = str(low) if low == high else (f"{low} or more" if high is None else f"{low} to {high}")
            hint = f"call it as {expr.function}({', '.join(params)})" if params is not None else ""
            self.error(ArityError, f"'{expr.function}' takes {want} argument(s), {count} given", expr.span, hint)

    def _expect(self, want: str, kind: str, arg: ast.Expr, what: str) -> None:
        if want in self.ed.words:
            self._check_word_literal(arg, self.ed.words[want])
            want = "text"
        if want != "any" and kind != "any" and want != kind:
            self.error(PolicyTypeError, f"{what} must be {_article(want)}, not {_article(kind)}", arg.span, _example(want))

    def _infer_Unary(self, expr: ast.Unary, scope: dict[str, str]) -> str:
        kind = self.infer(expr.operand, scope)
        if expr.op == "not":
            if kind not in ("bool", "any"):
                self.error(PolicyTypeError, f"'not' needs yes or no, not {_article(kind)}", expr.operand.span)
            return "bool"
        if kind not in ("number", "money", "duration", "length", "percent", "any"):
            self.error(PolicyTypeError, f"cannot negate {_article(kind)}", expr.span)
            return "any"
        return kind

    def _infer_Binary(self, expr: ast.Binary, scope: dict[str, str]) -> str:
        left = self.infer(expr.left, scope)
        right = self.infer(expr.right, scope)
        if expr.op in ("==", "!=", "in", "notin"):
            # `runner.sex == "man"`: a text compared with a closed set of words must be one of them.
            for this, other in ((expr.left, expr.right), (expr.right, expr.left)):
                word_set = self._words_of(this, scope)
                if word_set is not None:
                    self._check_word_literal(other, word_set)
        kind = result_kind(expr.op, left, right)
        self._check_currencies(expr, scope, left, right)
        if kind is None:
            if expr.op in ("and", "or"):
                message = f"'{expr.op}' needs yes-or-no values, not {left} and {right}"
            elif expr.op in ("in", "notin"):
                message = f"'in' needs a list or a group on its right, not {_article(right)}"
            else:
                message = describe_mismatch(expr.op, left, right)
            self.error(PolicyTypeError, message, expr.span, _unit_hint(expr.op, left, right))
            return "any"
        return kind

    def _infer_IfExpr(self, expr: ast.IfExpr, scope: dict[str, str]) -> str:
        cond = self.infer(expr.condition, scope)
        if cond not in ("bool", "any"):
            self.error(PolicyTypeError, f"'if' needs a yes-or-no condition, not {_article(cond)}", expr.condition.span)
        then = self.infer(expr.then, scope)
        other = self.infer(expr.otherwise, scope)
        if then != other and "any" not in (then, other):
            self.error(PolicyTypeError, f"the two branches of 'if' give {then} and {other}", expr.span, "both branches must give the same kind of value")
            return "any"
        return then if then != "any" else other

    def _infer_ListExpr(self, expr: ast.ListExpr, scope: dict[str, str]) -> str:
        for item in expr.items:
            self.infer(item, scope)
        return "list"

    def _infer_RecordExpr(self, expr: ast.RecordExpr, scope: dict[str, str]) -> str:
        for _, value in expr.items:
            self.infer(value, scope)
        return "record"




def _article(kind: str) -> str:
    words = {
        "number": "a number", "money": "an amount of money", "duration": "a duration", "length": "a length",
        "percent": "a percentage", "date": "a date", "text": "a text", "bool": "yes or no", "race": "a race",
        "group": "a group", "record": "a record", "list": "a list", "sanction": "a sanction", "any": "a value",
        "time": "a time of day", "datetime": "a date and time",
    }
    return words.get(kind, kind)


def _example(kind: str) -> str:
    examples = {
        "length": "write a length such as 171 km or 10000 m", "duration": "write a duration such as 46h30 or 15min",
        "money": "write an amount such as 305 EUR", "percent": "write a percentage such as 50%",
        "date": "write a date such as 2022-05-15", "number": "write a number such as 2300",
        "text": 'write a quoted text such as "Chamonix"', "list": 'write a list such as ["Courmayeur", "Champex"]',
        "time": "write a time of day such as 08:30", "datetime": "write a date and time such as 2022-08-26 at 18:00",
    }
    return examples.get(kind, "")


def _unit_hint(op: str, left: str, right: str) -> str:
    if op == "at":
        return "write a date, then at, then a time of day: 2022-08-26 at 18:00"
    if op in ("+", "-") and "percent" in (left, right):
        return "to take a share, multiply: fee * 50%"
    if {left, right} == {"length", "duration"}:
        return "a length and a duration measure different things"
    return ""


# ---- fidelity: load-time assertions ---------------------------------------------------


def _check_readings(self: Checker) -> None:
    """A reading differs from each of its alternatives, and names each alternative once: otherwise it chooses nothing."""
    for node in self.policy.find_all(ast.Citation):
        assert isinstance(node, ast.Citation)
        if not node.reading:
            continue
        if node.reading in node.alternatives:
            self.error(DuplicateError, "the reading taken is also listed as an alternative", node.span, "list only the other readings after `over`")
        elif len(set(node.alternatives)) < len(node.alternatives):
            self.error(DuplicateError, "an alternative reading is listed twice", node.span, "list each other reading once")


def _check_assertions(self: Checker, ed: Edition) -> None:
    """Evaluate every `assert` once the edition is built: a false one is a load error citing the clause it checks."""
    from racepolicy.evaluation.interpreter import Evaluator

    for st in self.policy.statements:
        if not isinstance(st, ast.AssertDecl):
            continue
        kind = self.infer(st.condition, {})
        if kind not in ("bool", "any"):
            self.error(PolicyTypeError, f"an assertion must be a condition, not {_article(kind)}", st.condition.span, "compare two values, e.g. a == b")
            continue
        try:
            holds = Evaluator(ed, tracing=False).evaluate(st.condition, {})
        except PolicyError as exc:
            self.errors.append(exc.with_source(self.source))
            continue
        if holds is not True:
            from racepolicy.tools.formatter import expression  # only to word the error: a query's start-up does without it

            quote = st.citation.text if st.citation else ""
            self.error(AssertionFailedError, f"assertion does not hold: {expression(st.condition)}", st.condition.span,
                       f'the regulation says: "{quote}"')


def check(policy: ast.Policy, source: Source, pm: pluggy.PluginManager | None = None, verified: VerifiedSource | None = None) -> Edition:
    """Check a parsed policy and build its Edition; raises PolicyErrors listing every problem.

    `verified` is the result of verifying this policy's quotes against the same regulation texts before (a cache entry)."""
    checker = Checker(policy, source, pm)
    checker.preverified = verified
    return checker.check()
