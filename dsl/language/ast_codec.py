"""A JSON form of the AST, for caches: decoding can only rebuild our own node and value classes."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import attrs
from racepolicy.evaluation.values import Duration, Length, Money, Percent, TimeOfDay
from racepolicy.language import ast
from racepolicy.language.source import Span

# Every class a decoded document may name: nothing else can be built from a cache file.
_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in [Span, Money, Duration, Length, Percent, TimeOfDay, *(v for v in vars(ast).values() if isinstance(v, type) and issubclass(v, ast.Node))]
}


class CodecError(ValueError):
    """A document that is not the JSON form of an AST (a damaged or foreign cache file)."""


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return {"$": "Decimal", "v": str(value)}
    if isinstance(value, datetime.date):
        return {"$": "date", "v": value.isoformat()}
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    name = type(value).__name__
    if _CLASSES.get(name) is type(value):
        document = {"$": name}
        for field in attrs.fields(type(value)):
            item = getattr(value, field.name)
            # A node's span as its four numbers: half the objects of a document are spans (cold start: decoding 25 % faster).
            document[field.name] = [item.line, item.column, item.end_line, item.end_column] if field.name == "span" and type(item) is Span else _encode(item)
        return document
    raise CodecError(f"cannot encode {name}")


def _tuples(items: list[Any]) -> tuple[Any, ...]:
    for item in items:  # a plain loop: most lists hold no list, and a generator per list is most of the decoding time
        if type(item) is list:
            return tuple([_tuples(i) if type(i) is list else i for i in items])
    return tuple(items)


def _object(document: dict[str, Any]) -> Any:
    # Called by json.loads for every object, innermost first: each becomes its value or node at once (lists become tuples).
    kind = document.get("$")
    if kind == "Decimal":
        return Decimal(document["v"])
    if kind == "date":
        return datetime.date.fromisoformat(document["v"])
    cls = _CLASSES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise CodecError(f"unknown class {kind!r}")
    span = document.get("span")
    fields = {key: _tuples(item) if type(item) is list else item for key, item in document.items() if key != "$"}
    if type(span) is list:
        fields["span"] = Span(*span)  # written as its four numbers (a wrong count is a TypeError: a damaged document)
    return cls(**fields)


def dumps(policy: ast.Policy) -> str:
    """The JSON text of a parsed policy."""
    return json.dumps(_encode(policy), separators=(",", ":"))


def loads(text: str) -> ast.Policy:
    """The policy a `dumps` text holds; raises CodecError for anything else."""
    try:
        policy = json.loads(text, object_hook=_object)
    except (ValueError, TypeError, KeyError, RecursionError, ArithmeticError) as exc:  # ArithmeticError: a Decimal of no number
        raise CodecError(str(exc)) from None
    if not isinstance(policy, ast.Policy):
        raise CodecError("not a policy")
    return policy
