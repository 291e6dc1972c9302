"""Completion: keywords, the names in scope with their kinds, record fields after a dot, types, units and currencies."""

from __future__ import annotations

import functools
import re

from lsprotocol import types
from racepolicy.evaluation.builtins import BUILTINS
from racepolicy.language import ast
from racepolicy.language.checker import KINDS
from racepolicy.language.parser import parser
from racepolicy.lsp.analysis import Analysis
from racepolicy.lsp.describe import signature
from racepolicy.lsp.guard import answers
from racepolicy.lsp.server import PolicyServer

ITEM_KIND = {
    "race": types.CompletionItemKind.Class, "group": types.CompletionItemKind.Module, "infraction": types.CompletionItemKind.EnumMember,
    "rule": types.CompletionItemKind.Function, "table": types.CompletionItemKind.Struct, "schedule": types.CompletionItemKind.Struct,
    "band": types.CompletionItemKind.Struct, "checklist": types.CompletionItemKind.Interface, "input": types.CompletionItemKind.Variable,
    "words": types.CompletionItemKind.Enum, "facts": types.CompletionItemKind.Struct, "attribute": types.CompletionItemKind.Property,
}
UNIT_WORDS = {"km": "length in kilometres", "m": "length in metres", "h": "hours (1h30)", "min": "minutes (15min)", "d": "days (2d)"}


@functools.cache
def grammar_words() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The keywords and currencies, read from the grammar itself, and the kinds the checker knows, so they never drift."""
    keywords, currencies = [], []
    for terminal in parser().terminals:
        value = terminal.pattern.value
        if terminal.pattern.type == "str" and value.isalpha():
            keywords.append(value)
        elif terminal.name == "CURRENCY":
            currencies = re.findall(r"[A-Z]{3}", value)
    # A type is a name the checker resolves (grammar: `type_ref: NAME`): its kinds, and the policy's own sets of words.
    return tuple(sorted(set(keywords))), tuple(sorted(KINDS - {"any"})), tuple(currencies)


def fields(analysis: Analysis) -> list[types.CompletionItem]:
    """After a dot: the attributes races declare, and the fields of declared facts (`runner.birth_year`)."""
    names: dict[str, str] = {}
    if analysis.policy is not None:
        for statement in analysis.policy.statements:
            if isinstance(statement, ast.RaceDecl):
                for attribute in statement.attributes:
                    names.setdefault(attribute.name, f"attribute of race {statement.name}")
            elif isinstance(statement, ast.AttributeDecl):
                names.setdefault(statement.name, f"race attribute: {statement.type}")
            elif isinstance(statement, ast.FactsDecl):
                for field in statement.fields:
                    names.setdefault(field.name, f"field of facts {statement.name}: {field.type}" + (" optional" if field.optional else ""))
    return [types.CompletionItem(label=n, kind=types.CompletionItemKind.Field, detail=d) for n, d in sorted(names.items())]


def word_values(analysis: Analysis) -> list[types.CompletionItem]:
    """Each word of each declared set, as the quoted text a rule or query writes (`"men"`), with its set and aliases."""
    found: list[types.CompletionItem] = []
    for statement in analysis.policy.statements if analysis.policy is not None else ():
        if isinstance(statement, ast.WordsDecl):
            for word in statement.words:
                aliases = f" (also {', '.join(repr(a) for a in word.aliases)})" if word.aliases else ""
                found.append(types.CompletionItem(label=f'"{word.text}"', kind=types.CompletionItemKind.EnumMember,
                                                  detail=f"word of {statement.name}{aliases}", filter_text=word.text))
    return found


def items(analysis: Analysis) -> list[types.CompletionItem]:
    keywords, kinds, currencies = grammar_words()
    found = [types.CompletionItem(label=k, kind=types.CompletionItemKind.Keyword) for k in keywords]
    found += [types.CompletionItem(label=k, kind=types.CompletionItemKind.TypeParameter, detail="type") for k in kinds]
    found += [types.CompletionItem(label=c, kind=types.CompletionItemKind.Unit, detail="currency") for c in currencies]
    found += [types.CompletionItem(label=u, kind=types.CompletionItemKind.Unit, detail=d) for u, d in UNIT_WORDS.items()]
    seen: set[str] = set()
    for name, definitions in sorted(analysis.definitions.items()):
        first = definitions[0]
        seen.add(name)
        found.append(types.CompletionItem(label=name, kind=ITEM_KIND.get(first.kind, types.CompletionItemKind.Text),
                                          detail=signature(first, analysis.source)))
    found += word_values(analysis)
    found += [types.CompletionItem(label=f, kind=types.CompletionItemKind.Function, detail="built-in function") for f in sorted(BUILTINS)]
    edition = analysis.edition
    if edition is not None:
        found += [types.CompletionItem(label=f, kind=types.CompletionItemKind.Function, detail=f"{edition.series} function")
                  for f in sorted(edition.functions) if f not in BUILTINS]
        vocabulary = edition.vocabulary
        if vocabulary is not None:
            found += [types.CompletionItem(label=i, kind=types.CompletionItemKind.EnumMember, detail=f"{edition.series} infraction")
                      for i in vocabulary.infractions if i not in seen]
    return found


def register(server: PolicyServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["."]))
    @answers(lambda: types.CompletionList(is_incomplete=False, items=[]))
    def completion(ls: PolicyServer, params: types.CompletionParams) -> types.CompletionList:
        uri = params.text_document.uri
        analysis = ls.usable(uri)
        lines = ls.lines(uri)
        line, column = lines.column_of(params.position)
        before = lines.line(line - 1)[: column - 1]
        stem = re.search(r"[A-Za-z0-9_]*$", before)
        after_dot = before[: stem.start() if stem else len(before)].endswith(".")
        return types.CompletionList(is_incomplete=False, items=fields(analysis) if after_dot else items(analysis))
