"""The Pygments lexer: keywords match the grammar, literals keep their units, bundled policies lex without errors."""

from __future__ import annotations

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, Punctuation, String
from racepolicy.query.policyset import bundled_sources
from racepolicy.repl.completer import keyword_terminals
from racepolicy.repl.lexer import CONSTANTS, DECLARATIONS, KEYWORDS, WORD_OPERATORS, RacePolicyLexer


def tokens(text: str) -> list[tuple[object, str]]:
    return [(kind, value) for kind, value in RacePolicyLexer().get_tokens(text) if value.strip()]


def test_every_keyword_of_the_grammar_is_highlighted_as_a_keyword() -> None:
    lexer_words = set(DECLARATIONS) | set(KEYWORDS) | set(WORD_OPERATORS) | set(CONSTANTS)
    assert set(keyword_terminals().values()) == lexer_words


def test_penalty_statement_tokens() -> None:
    assert tokens('penalty missing_jacket on UTMB = 1h § "Disqualification" # why') == [
        (Keyword.Declaration, "penalty"), (Name, "missing_jacket"), (Keyword, "on"), (Name.Constant, "UTMB"),
        (Operator, "="), (Number.Integer, "1h"), (Keyword.Namespace, "§"),
        (String.Double, '"Disqualification"'), (Comment.Single, "# why"),
    ]


@pytest.mark.parametrize(("text", "kind"), [
    ("171 km", Number.Float), ("305 EUR", Number.Float), ("50%", Number.Float), ("46h30", Number.Integer),
    ("15min", Number.Integer), ("2022-05-15", Number.Other), ("04-30", Number.Other), ("2.5", Number),
])
def test_a_literal_with_its_unit_is_one_token(text: str, kind: object) -> None:
    assert tokens(text) == [(kind, text)]


def test_rule_names_before_a_parenthesis_are_functions() -> None:
    assert (Name.Function, "stones_back") in tokens("stones_back(9, false)")
    assert (Name.Builtin, "ceil") in tokens("ceil(x)")


def test_repl_commands_are_highlighted() -> None:
    assert tokens(":explain cutoff TDS")[:2] == [(Punctuation, ":"), (Keyword.Pseudo, "explain")]


@pytest.mark.parametrize("source", bundled_sources(), ids=lambda s: s.name)
def test_bundled_policies_lex_without_error_tokens(source) -> None:
    assert not [value for kind, value in RacePolicyLexer().get_tokens(source.text) if kind in Error]


def test_pygments_finds_the_lexer_by_name_and_file_name() -> None:
    # Registered as the entry point pygments.lexers:racepolicy (pygmentize -l racepolicy).
    assert isinstance(get_lexer_by_name("racepolicy"), RacePolicyLexer)
    assert isinstance(get_lexer_for_filename("utmb-2022.policy"), RacePolicyLexer)
