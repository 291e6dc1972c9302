"""The AST's JSON form (the REPL's parse cache): round trips exactly and rebuilds nothing but our classes."""

from __future__ import annotations

import json

import pytest
from racepolicy.language import ast_codec
from racepolicy.language.parser import parse_policy
from racepolicy.query.policyset import bundled_sources


@pytest.mark.parametrize("source", bundled_sources(), ids=lambda s: s.name)
def test_every_bundled_policy_round_trips_with_its_spans(source) -> None:
    policy = parse_policy(source.text, source.name)
    again = ast_codec.loads(ast_codec.dumps(policy))
    assert again == policy
    # Spans are not part of equality, so check them apart: errors and citations point with them.
    assert [s.span for s in again.statements] == [s.span for s in policy.statements]


@pytest.mark.parametrize(
    "document",
    [
        {"$": "Popen", "args": ["true"]},  # a class that is not ours
        {"$": "Policy", "header": {"$": "os.system", "command": "true"}},
        [1, 2],  # not a policy
        {"$": "Decimal", "v": "1"},
    ],
    ids=["foreign-class", "nested-foreign-class", "list", "a-value-not-a-policy"],
)
def test_a_foreign_document_is_refused(document: object) -> None:
    with pytest.raises(ast_codec.CodecError):
        ast_codec.loads(json.dumps(document))


def test_damaged_text_is_refused() -> None:
    with pytest.raises(ast_codec.CodecError):
        ast_codec.loads('{"$": "Policy", "statements": [')


def test_every_node_keeps_its_span_written_as_four_numbers() -> None:
    from racepolicy.language import ast

    source = next(s for s in bundled_sources() if s.name == "utmb-2022.policy")
    policy = parse_policy(source.text, source.name)
    text = ast_codec.dumps(policy)
    assert '"Span"' not in text  # spans are the numbers alone (half the objects of a document, decoded faster)
    again = ast_codec.loads(text)
    assert [n.span for n in again.find_all(ast.Node)] == [n.span for n in policy.find_all(ast.Node)]


@pytest.mark.parametrize("span", [[1, 2, 3], [1, 2, 3, 4, 5], []])
def test_a_span_of_another_count_of_numbers_is_refused(span: list[int]) -> None:
    with pytest.raises(ast_codec.CodecError):
        ast_codec.loads(json.dumps({"$": "Policy", "span": span, "header": None, "statements": []}))


def test_a_span_written_as_an_object_still_reads() -> None:
    document = {"$": "Policy", "span": {"$": "Span", "line": 1, "column": 2, "end_line": 3, "end_column": 4}, "header": None, "statements": []}
    assert ast_codec.loads(json.dumps(document)).span == ast_codec.loads(json.dumps({**document, "span": [1, 2, 3, 4]})).span
