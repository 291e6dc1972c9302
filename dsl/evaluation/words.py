"""Closed sets of words and the shapes of facts: spelling, aliases and case, checked where texts enter a query."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from racepolicy.evaluation.values import Record, render, type_name
from racepolicy.language import ast


@attrs.define
class WordSet:
    """The values a text may take (`words sex`), each with the other spellings a query may use."""

    name: str
    decl: ast.WordsDecl
    case_sensitive: bool
    values: tuple[str, ...]
    _spellings: dict[str, str] = attrs.field(factory=dict, alias="_spellings")

    @classmethod
    def of(cls, decl: ast.WordsDecl) -> WordSet:
        found = cls(decl.name, decl, decl.case_sensitive, tuple(w.text for w in decl.words))
        for word in decl.words:
            for spelling in (word.text, *word.aliases):
                found._spellings.setdefault(found._key(spelling), word.text)
        return found

    def _key(self, text: str) -> str:
        return text if self.case_sensitive else text.casefold()

    def canonical(self, text: str) -> str | None:
        """The word a spelling stands for (`"Man"` -> `"men"`), or None when it is not one of them."""
        return self._spellings.get(self._key(text))

    def spellings(self) -> list[str]:
        """Every accepted spelling, for did-you-mean hints."""
        return [s for word in self.decl.words for s in (word.text, *word.aliases)]

    def listing(self) -> str:
        return ", ".join(f'"{v}"' for v in self.values)


@attrs.define
class FactShape:
    """The fields of a record a query passes (`facts runner`), their kinds and which may be left out."""

    name: str
    decl: ast.FactsDecl
    fields: dict[str, ast.FactField]

    @classmethod
    def of(cls, decl: ast.FactsDecl) -> FactShape:
        return cls(decl.name, decl, {f.name: f for f in decl.fields})


class ShapeMismatch(Exception):
    """A fact that does not fit its declared shape; the caller turns it into a located error."""

    def __init__(self, message: str, hint: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.field = field  # the field written in the query, to point at it


def conform(shape: FactShape, value: Any, words: Mapping[str, WordSet]) -> tuple[Record, list[str]]:
    """The record with every word field in its canonical spelling, and the fields given that no rule can read.

    A field close to a declared one is a misspelling (ShapeMismatch); one close to none is left out of the
    record and named, so the answer says it was not used.
    """
    from racepolicy.language.errors import did_you_mean

    if not isinstance(value, Record):
        raise ShapeMismatch(f"'{shape.name}' must be a record, not {type_name(value)}", f"write e.g. {shape.name} = {{{_example(shape)}}}")
    given = dict(value.fields)
    ignored: list[str] = []
    for name in list(given):
        if name not in shape.fields:
            close = did_you_mean(name, shape.fields)
            if not close:
                ignored.append(name)
                del given[name]
                continue
            raise ShapeMismatch(f"{shape.name} has no field '{name}'", close, name)
    missing = [f.name for f in shape.fields.values() if not f.optional and f.name not in given]
    if missing:
        raise ShapeMismatch(
            f"{shape.name} needs {', '.join(missing)}", f"give every field that is not optional, e.g. {shape.name} = {{{_example(shape)}}}",
        )
    for name, field in shape.fields.items():
        if name not in given:
            continue
        item = given[name]
        if field.type in words:
            word_set = words[field.type]
            if not isinstance(item, str):
                raise ShapeMismatch(
                    f"{shape.name}.{name} must be one of {word_set.listing()}, not {type_name(item)}", "write it as a quoted text", name,
                )
            found = word_set.canonical(item)
            if found is None:
                close = did_you_mean(item, word_set.spellings())
                raise ShapeMismatch(
                    f"{shape.name}.{name} is \"{item}\", not one of {word_set.listing()}", close or f"{field.type}: {word_set.listing()}", name,
                )
            given[name] = found
        elif field.type not in ("any", type_name(item)):
            raise ShapeMismatch(
                f"{shape.name}.{name} must be {field.type}, not {type_name(item)} ({render(item)})", f"write e.g. {_example(shape)}", name,
            )
    return Record.of(given), ignored


_EXAMPLES = {"number": "1990", "text": '"..."', "date": "2022-05-15", "bool": "true", "money": "100 EUR", "duration": "1h", "list": "[]"}


def _example(shape: FactShape) -> str:
    parts = [f"{f.name}: " + _EXAMPLES.get(f.type, '"..."') for f in shape.fields.values() if not f.optional]
    return ", ".join(parts)


def replace_words(expr: ast.Expr, replacements: Mapping[int, str]) -> ast.Expr:
    """The expression with the text literals named by id replaced by their word (`"Man"` -> `"men"`)."""

    def word(node: ast.Node) -> ast.Node | None:
        return attrs.evolve(node, value=replacements[id(node)]) if isinstance(node, ast.Literal) and id(node) in replacements else None

    return ast.rewrite(expr, word)
