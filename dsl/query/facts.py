"""The facts a query gives with `given`: which ones the answer read, and fields no rule of the edition knows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
from racepolicy.evaluation.model import Edition
from racepolicy.evaluation.values import Record
from racepolicy.language import ast
from racepolicy.language.errors import UnknownFieldError
from racepolicy.language.source import Source, Span


@attrs.frozen
class ReadRecord(Record):
    """A record that remembers which of its fields were read (the generated fast path leaves it to the interpreter)."""

    read: set[str] = attrs.field(factory=set, eq=False, repr=False, hash=False)

    def get(self, name: str) -> Any:
        self.read.add(name)
        return super().get(name)


def tracked(value: Any) -> Any:
    """A given record made to remember its reads; other values as they are."""
    return ReadRecord(value.fields) if type(value) is Record else value


# The fields of the last editions asked (a walk of the whole policy): (edition, fields) by id, kept with the edition so
# that an id is never reused while its entry stands; bounded, as the language server checks a new edition per keystroke.
_KNOWN_MEMO: dict[int, tuple[Edition, set[str]]] = {}
_KNOWN_MEMO_SIZE = 16


def fields_known(edition: Edition) -> set[str]:
    """Every field some rule or eligibility condition of the edition reads from a record."""
    found = _KNOWN_MEMO.get(id(edition))
    if found is not None and found[0] is edition:
        return found[1]
    known = _fields_known(edition)
    if edition.checked:  # a finished edition no longer changes
        if len(_KNOWN_MEMO) >= _KNOWN_MEMO_SIZE:
            del _KNOWN_MEMO[next(iter(_KNOWN_MEMO))]
        _KNOWN_MEMO[id(edition)] = (edition, known)
    return known


def _fields_known(edition: Edition) -> set[str]:
    known: set[str] = set()
    for statement in edition.policy.statements:
        for node in statement.find_all(ast.Field):
            assert isinstance(node, ast.Field)
            if not (isinstance(node.subject, ast.Name) and node.subject.name in edition.races):
                known.add(node.name)
    # `race.fee` reads a race, not a record of facts.
    return known - set(edition.attribute_kinds) - {"name", "title"}


def _names_read(query: ast.Query, edition: Edition) -> set[str]:
    """Fact names the answer can read: the query's own expression, later facts, and a race's eligibility conditions."""
    nodes: list[ast.Node] = []
    if isinstance(query, ast.ExprQuery):
        nodes.append(query.expr)
    nodes.extend(b.value for b in query.given)
    if isinstance(query, ast.EligibleQuery) and query.race in edition.races:
        nodes.extend(e.condition for e in edition.races[query.race].decl.eligibility)
    if isinstance(query, ast.PenaltyQuery):  # a penalty line with `when` reads the facts
        nodes.extend(p.condition for i in query.infractions for p in edition.penalties.get(i, ()) if p.condition is not None)
    names = {n.name for node in nodes for n in [node, *node.find_all(ast.Name)] if isinstance(n, ast.Name)}
    return names


def _field_span(source: Source, binding: ast.Binding, field: str) -> Span:
    from racepolicy.query.forms import word_span

    text = source.text
    lines = text.split("\n")
    start = binding.span
    # Look for `field:` from the binding on, so the caret lands on the field the jury typed.
    offset = sum(len(line) + 1 for line in lines[: start.line - 1]) + start.column - 1
    at = text.find(f"{field}:", offset)
    if at < 0:
        return word_span(source, ast.Query(span=binding.span), field)
    before = text[:at]
    line = before.count("\n") + 1
    column = at - (before.rfind("\n") + 1) + 1
    return Span(line, column, line, column + len(field))


def check_facts(
    edition: Edition, query: ast.Query, source: Source, given: dict[str, Any], inputs_read: Iterable[str] = (),
) -> tuple[str, ...]:
    """Warnings for given facts the answer never read; UnknownFieldError for a field no rule of the edition reads."""
    warnings: list[str] = []
    read_names = _names_read(query, edition) | set(inputs_read)  # a declared input is read deep in a rule
    bindings = {b.name: b for b in query.given}
    for name, value in given.items():
        if name not in read_names:
            warnings.append(f"the fact '{name}' was given but the answer did not use it")
            continue
        if not isinstance(value, ReadRecord):
            continue
        # A declared shape (`facts runner: ...`) already judged each field against the query: its fields are known.
        shape = edition.facts.get(name)
        for field in value.keys():
            if field in value.read:
                continue
            if shape is None and field not in (known := fields_known(edition)):
                raise UnknownFieldError(
                    f"no rule of {edition.label} reads the field '{field}' of {name}", _field_span(source, bindings[name], field), source,
                    f"fields it knows: {', '.join(sorted(known)) or 'none'}",
                )
            if shape is not None and field in shape.fields and not shape.fields[field].optional:
                continue  # the declared facts require it: the jury had to give it, so it is no warning
            warnings.append(f"{name}.{field} was given but the answer did not use it")
    return tuple(warnings)

