"""Answer one parsed query against one edition: penalties, attributes, eligibility, rules, plugin forms."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from racepolicy.evaluation.builtins import BUILTINS
from racepolicy.evaluation.interpreter import Evaluator
from racepolicy.evaluation.model import Edition
from racepolicy.evaluation.values import type_name
from racepolicy.evaluation.words import ShapeMismatch, conform, replace_words
from racepolicy.language import ast
from racepolicy.language.checker import Checker
from racepolicy.language.errors import FactShapeError, PolicyError, PolicyErrors, QueryError, UnknownInfractionError, UnknownRaceError, did_you_mean
from racepolicy.language.source import Source, Span
from racepolicy.query.answer import Answer
from racepolicy.query.gear import GEAR_FORMS, gear_form, gear_penalty, gear_words

CORE_VERBS = ("penalty", "eligible")


def referenced_names(query: ast.Query) -> set[str]:
    """Every race, infraction, rule or other name a query mentions (to pick an edition)."""
    names: set[str] = set()
    if isinstance(query, ast.PenaltyQuery):
        names |= set(query.infractions) | {query.race}
    elif isinstance(query, ast.EligibleQuery):
        names.add(query.race)
    elif isinstance(query, ast.FormQuery):
        names.add(query.verb)
        names |= {a.name for a in query.args if isinstance(a, ast.Name)}
    bound = {b.name for b in query.given}
    for node in query.find_all(ast.Name):
        assert isinstance(node, ast.Name)
        names.add(node.name)
    for node in query.find_all(ast.Call):
        assert isinstance(node, ast.Call)
        names.add(node.function)
    return names - bound


def edition_knows(edition: Edition, name: str) -> bool:
    vocab = edition.vocabulary
    return (
        name in edition.races or name in edition.groups or name in edition.infractions or name in edition.penalties
        or name in edition.callables() or name in edition.query_forms or name in edition.attribute_kinds
        or name in ("year", "true", "false")
        or (vocab is not None and name in vocab.infractions)
        or (bool(edition.checklists) and (name in GEAR_FORMS or name in gear_words(edition)))
        or name in BUILTINS
    )


def _static_check(edition: Edition, expr: ast.Expr, scope: Mapping[str, str], source: Source) -> ast.Expr:
    """Check a query's expression as the policy's are checked; returns it with aliases of words replaced by the words."""
    checker = Checker(edition.policy, source, None)
    checker.ed = edition
    checker._rule_kinds = {name: rule.kind for name, rule in edition.rules.items()}
    checker.query_mode = True
    checker.infer(expr, dict(scope))
    if checker.errors:
        raise PolicyErrors(checker.errors) if len(checker.errors) > 1 else checker.errors[0]
    return replace_words(expr, checker.replacements) if checker.replacements else expr


def _conform_facts(edition: Edition, env: dict[str, Any], name: str, span: Span, source: Source) -> list[str]:
    """A fact whose shape the policy declares (`facts runner`) must fit it; its words take their declared spelling.
    Returns the fields given that no rule of the edition reads."""
    shape = edition.facts.get(name)
    if shape is None or name not in env:
        return []
    try:
        env[name], ignored = conform(shape, env[name], edition.words)
    except ShapeMismatch as exc:
        if exc.field and span.line == span.end_line:
            # Point at the field as written in the query when it can be found there.
            m = re.search(rf"(?<![A-Za-z0-9_]){re.escape(exc.field)}\s*:", source.line(span.line)[span.column - 1: span.end_column - 1])
            if m:
                span = Span(span.line, span.column + m.start(), span.line, span.column + m.start() + len(exc.field))
        raise FactShapeError(exc.message, span, source, exc.hint) from None
    return [f"{name}.{field}" for field in ignored]


def answer(
    edition: Edition, query: ast.Query, source: Source, tracing: bool = True, facts: Mapping[str, Any] | None = None,
    runner: str = "interpreter",
) -> Answer:
    """Evaluate a query on an edition; raises PolicyError for anything it cannot answer.

    With runner "compiled" the value comes from the compiled edition; the trace
    (and a note built from it) comes from re-running the query through the
    interpreter, which stays the one source of traces.
    """
    # fidelity: declared inputs are read by the interpreter only (the compiled runner falls back to it for them)
    if runner == "compiled" and not edition.interpreter_only:
        from racepolicy.evaluation.compiled import CompiledEvaluator

        fast = _answer(edition, query, source, CompiledEvaluator(edition, source), facts)
        if not tracing:
            return fast
        traced = _answer(edition, query, source, Evaluator(edition, source, tracing=True), facts)
        return Answer(fast.query, fast.edition, fast.value, traced.trace, traced.note or fast.note, traced.reason)
    return _answer(edition, query, source, Evaluator(edition, source, tracing=tracing), facts)


def _answer(edition: Edition, query: ast.Query, source: Source, evaluator: Evaluator, facts: Mapping[str, Any] | None) -> Answer:
    evaluator.query_span = query.span
    env: dict[str, Any] = dict(facts or {})
    evaluator.query_facts = env  # declared inputs are read from the facts, as they are bound below
    ignored: list[str] = []
    for name in list(env):
        # Facts set aside the query (the REPL's :facts, the API) serve every edition asked: they take
        # their words' spelling where they fit this edition's shape and are left as they are where not.
        try:
            _conform_facts(edition, env, name, query.span, source)
        except FactShapeError:
            pass
    for binding in query.given:
        value_expr = _static_check(edition, binding.value, {k: type_name(v) for k, v in env.items()}, source)
        env[binding.name] = evaluator.evaluate(value_expr, env)
        ignored += _conform_facts(edition, env, binding.name, binding.span, source)
    value: Any
    # A fact no rule reads is said, not silently dropped: the jury may think it counted.
    note = f"not read by any rule of {edition.label}: {', '.join(ignored)}" if ignored else ""
    reason = ""
    if isinstance(query, ast.PenaltyQuery):
        _known_race(edition, query.race, query, source)
        known = set(edition.infractions) | set(edition.penalties)
        for infraction in query.infractions:
            if infraction not in known:
                raise UnknownInfractionError(
                    f"unknown infraction '{infraction}'", _word_span(source, query, infraction), source, did_you_mean(infraction, known),
                )
        # Gear infractions count only where their item is required (dsl/query/gear.py); facts decide `when` lines.
        value, note = gear_penalty(edition, evaluator, query, source, env)
    elif isinstance(query, ast.EligibleQuery):
        _known_race(edition, query.race, query, source)
        value = evaluator.eligible(query.race, env, query.span)
        failed = [e for e in evaluator.trace if e.kind == "eligibility" and e.result == "no"]
        if value is False and failed:
            # Say which condition of the regulation the runner does not meet, in its own words.
            clause = failed[-1].citation.clause if failed[-1].citation else ""
            reason = f'fails: "{clause}"' if clause else f"fails: {failed[-1].detail}"
    elif isinstance(query, ast.FormQuery):
        value, form_note = _form(edition, evaluator, query, source)
        note = "; ".join(n for n in (form_note, note) if n)
    elif isinstance(query, ast.ExprQuery):
        if isinstance(query.expr, ast.Name) and query.expr.name not in env and (
            query.expr.name in edition.attribute_kinds or query.expr.name in edition.query_forms
        ):
            # `cutoff` alone: a query word without its race or arguments.
            verb = query.expr.name
            form = edition.query_forms.get(verb)
            example = form.usage if form else f"{verb} {next(iter(edition.races), 'RACE')}"
            raise QueryError(f"'{verb}' needs more: say which race or give its arguments", query.span, source, f"e.g. {example}")
        expr = _static_check(edition, query.expr, {k: type_name(v) for k, v in env.items()}, source)
        value = evaluator.evaluate(expr, env)
    else:  # pragma: no cover - the grammar has no other query
        raise QueryError("unsupported query", query.span, source)
    return Answer(source.text.strip(), edition.label, value, tuple(evaluator.trace), note, reason)


def _word_span(source: Source, query: ast.Query, word: str) -> Span:
    m = re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", source.text)
    if m is None:
        return query.span
    before = source.text[: m.start()]
    line = before.count("\n") + 1
    column = m.start() - (before.rfind("\n") + 1) + 1
    return Span(line, column, line, column + len(word))


def _inside(span: Any, source: Source) -> bool:
    lines = source.text.split("\n")
    return 1 <= span.line <= len(lines) and 1 <= span.column <= len(lines[span.line - 1]) + 1


def _some(what: str, names: list[str], shown: int = 8) -> str:
    """A short list for a hint: the first few names and how many more there are."""
    more = f", ... ({len(names) - shown} more)" if len(names) > shown else ""
    return f"{what}: {', '.join(names[:shown])}{more}"


def _known_race(edition: Edition, race: str, query: ast.Query, source: Source) -> None:
    if race not in edition.races:
        raise UnknownRaceError(
            f"unknown race '{race}' in {edition.label}", _word_span(source, query, race), source,
            did_you_mean(race, edition.races)
            or (_some("races", list(edition.races)) if edition.races else f"the {edition.label} edition declares no races"),
        )


def _form(edition: Edition, evaluator: Evaluator, query: ast.FormQuery, source: Source) -> tuple[Any, str]:
    verb = query.verb
    args: list[Any] = []
    for arg in query.args:
        if isinstance(arg, ast.Name):
            args.append(evaluator.race_value(arg.name) if arg.name in edition.races else arg.name)
        else:
            args.append(arg.value)
    form = edition.query_forms.get(verb)
    if form is not None:
        try:
            value = form.handler(evaluator, args)
        except PolicyError as exc:
            # A plugin's handler knows no span of the query: point at the whole query
            # rather than at a place in some other text.
            if exc.source is source and not _inside(exc.span, source):
                raise type(exc)(exc.message, query.span, source, exc.hint) from None
            raise
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):
            return value[0], value[1]
        return value, ""
    if verb in GEAR_FORMS and edition.checklists:
        return gear_form(edition, evaluator, query, source)
    if verb in edition.attribute_kinds or verb in ("title",):
        if len(query.args) != 1 or not isinstance(query.args[0], ast.Name):
            raise QueryError(f"ask for one race's {verb}, e.g. '{verb} {next(iter(edition.races), 'RACE')}'", query.span, source)
        race_name = query.args[0].name
        _known_race(edition, race_name, query, source)
        race = edition.races[race_name]
        if verb == "title":
            return race.title, ""
        if verb not in race.attributes:
            raise QueryError(f"the {edition.label} policy gives no {verb} for {race_name}", query.span, source)
        value = race.attributes[verb]
        evaluator.note("attribute", f"{race_name}.{verb}", result=value, citation=race.citations.get(verb))
        return value, ""
    verbs = sorted(set(edition.query_forms) | set(edition.attribute_kinds) | set(CORE_VERBS) | (set(GEAR_FORMS) if edition.checklists else set()))
    raise QueryError(
        f"'{verb}' is not a query of the {edition.label} edition", _word_span(source, query, verb), source,
        did_you_mean(verb, verbs) or f"queries: {', '.join(verbs)}",
    )
