"""Blame the right party: a table that has no row for a word the query gave is the query's mistake, not the policy's."""

from __future__ import annotations

import re

from racepolicy.evaluation.model import Edition
from racepolicy.evaluation.values import render
from racepolicy.language import ast
from racepolicy.language.errors import EvaluationError, PolicyError
from racepolicy.language.source import Source, Span

# The message both runners give when no row matches (interpreter.call_table, compiler's table code).
_NO_ROW = re.compile(r"table (?P<table>\w+) has no row for \((?P<args>.*)\)")


def _column_keys(edition: Edition, decl: ast.TableDecl, column: int) -> list[str]:
    keys: list[str] = []
    for row in decl.rows:
        key = row.keys[column]
        if isinstance(key, ast.Name) and key.name in edition.groups:
            keys.extend(edition.groups[key.name].decl.members)
        else:
            keys.append(key.name if isinstance(key, ast.Name) else render(key.value))
    return list(dict.fromkeys(keys))


def _in_query(source: Source, word: str) -> Span | None:
    """Where the query itself writes the word (quoted or bare), or None when a rule computed it."""
    found = re.search(rf'"{re.escape(word)}"|(?<![\w"]){re.escape(word)}(?![\w"])', source.text)
    if found is None:
        return None
    before = source.text[: found.start()]
    line = before.count("\n") + 1
    column = found.start() - (before.rfind("\n") + 1) + 1
    return Span(line, column, line, column + len(found.group(0)))


def blame_query(exc: PolicyError, edition: Edition, source: Source) -> PolicyError:
    """The error to show: a missing table row for a word of the query becomes an error at that word listing the valid keys."""
    match = _NO_ROW.fullmatch(exc.message) if isinstance(exc, EvaluationError) else None
    if match is None or match["table"] not in edition.tables:
        return exc
    decl = edition.tables[match["table"]].decl
    args = match["args"].split(", ")
    if len(args) != len(decl.params):
        return exc  # a value with a comma in it: leave the message as it is
    for column, (param, arg) in enumerate(zip(decl.params, args, strict=True)):
        keys = _column_keys(edition, decl, column)
        if arg in keys:
            continue
        span = _in_query(source, arg)
        if span is None:
            return exc  # computed by a rule from other facts: the policy's table is what lacks the row
        return EvaluationError(
            f"{exc.message}: '{arg}' is not a {param.name} it knows ({edition.label})", span, source,
            f"valid {param.name}: {', '.join(keys)}",
        )
    return exc
