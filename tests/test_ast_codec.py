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
