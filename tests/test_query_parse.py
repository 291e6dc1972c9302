"""The query parse without Lark (dsl/tools/query_parse.py): the same trees and errors as Lark's, and tables kept right."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import test_errors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from racepolicy.language import parser
from racepolicy.language.errors import PolicyError
from racepolicy.tools import query_parse
from test_cache import TABLE_QUERIES
from test_direct_parse import grammar, shape


@pytest.fixture(scope="module")
def tables() -> query_parse.QueryTables:
    """The tables as a later process reads them: exported from Lark's parser, through JSON."""
    exported = query_parse.export_tables()
    assert exported is not None, "the tables of this grammar cannot be exported"
    return query_parse.QueryTables(json.loads(json.dumps(exported)))


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RACEPOLICY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("RACEPOLICY_NO_CACHE", raising=False)
    query_parse._loaded.clear()
    query_parse._unwritable.clear()
    return tmp_path / "cache"


def assert_same_parse(tables: query_parse.QueryTables, text: str) -> bool:
    """The tables give Lark's tree, every span included, or give up where Lark's parse refuses the text."""
    try:
        expected = parser.parse_query(text)
    except PolicyError:
        with pytest.raises(query_parse.GiveUp):
            tables.parse(text)
        return False
    try:
        got = tables.parse(text)
    except query_parse.GiveUp:
        return False  # left to Lark: slower, never different
    assert shape(got) == shape(expected)
    assert repr(got) == repr(expected)
    return True


@pytest.mark.parametrize("text", TABLE_QUERIES)
def test_every_query_of_the_question_tables_parses_as_lark_parses_it(tables: query_parse.QueryTables, text: str) -> None:
    assert_same_parse(tables, text)


def test_the_question_tables_are_parsed_by_the_tables_not_left_to_lark(tables: query_parse.QueryTables) -> None:
    # GIVEN every question of the tables WHEN parsed THEN nearly all without Lark (a fast path that always gave up would pass the test above)
    parsed = sum(assert_same_parse(tables, text) for text in TABLE_QUERIES)
    valid = sum(1 for text in TABLE_QUERIES if _parses(text))
    assert parsed == valid


def _parses(text: str) -> bool:
    try:
        parser.parse_query(text)
    except PolicyError:
        return False
    return True


@pytest.mark.parametrize(("name", "query"), [(name, query) for name, query, _ in test_errors.QUERY_ERRORS])
def test_an_error_query_gets_the_error_lark_words(cache_dir: Path, name: str, query: str) -> None:
    # GIVEN tables in the cache (written by a first query) WHEN a query with an error is parsed THEN Lark's error, word for word
    query_parse.parse_query("eligible CCC")
    assert query_parse.read_tables() is not None
    try:
        parser.parse_query(query)
    except PolicyError as exc:
        expected: Any = (type(exc), exc.render(), exc.as_json())
    else:
        expected = shape(parser.parse_query(query))
    try:
        got: Any = shape(query_parse.parse_query(query))
    except PolicyError as exc:
        got = (type(exc), exc.render(), exc.as_json())
    assert got == expected


@pytest.mark.parametrize("text", ["(" * 101 + "1" + ")" * 101, "x = " + "1 + " * 3000 + "1", "refund UTMB 2022-02-30", "1" * 20, "a at 25:00"])
def test_queries_at_the_limits_get_lark_s_answer(cache_dir: Path, text: str) -> None:
    # GIVEN tables in the cache WHEN a query is too deep, too long, or has a value its AST method refuses THEN Lark's error
    query_parse.parse_query("eligible CCC")
    assert query_parse.read_tables() is not None
    with pytest.raises(PolicyError) as lark_error:
        parser.parse_query(text)
    with pytest.raises(PolicyError) as ours:
        query_parse.parse_query(text)
    assert ours.value.render() == lark_error.value.render()


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(st.data())
def test_queries_the_grammar_generates_parse_the_same_both_ways(tables: query_parse.QueryTables, data: st.DataObject) -> None:
    assert_same_parse(tables, data.draw(from_lark(grammar(), start="query")))


@pytest.mark.parametrize("text", ["pénalité", "x = \"Sainte‑Foy\"", "eligible CCC\n", "  eligible   CCC  "])
def test_text_outside_ascii_and_spaces_parse_the_same(tables: query_parse.QueryTables, text: str) -> None:
    assert_same_parse(tables, text)


def test_tables_are_written_by_the_first_query_and_read_by_the_next(cache_dir: Path) -> None:
    assert query_parse.read_tables() is None
    first = query_parse.parse_query("penalty missing_jacket on UTMB")
    files = list((cache_dir / "query-tables").glob("*.json"))
    assert len(files) == 1
    query_parse._loaded.clear()
    tables = query_parse.read_tables()
    assert tables is not None and shape(tables.parse("penalty missing_jacket on UTMB")) == shape(first)


def test_no_cache_writes_no_tables(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    query_parse.parse_query("eligible CCC", use_cache=False)
    monkeypatch.setenv("RACEPOLICY_NO_CACHE", "1")
    query_parse.parse_query("eligible CCC")
    assert not (cache_dir / "query-tables").exists()


@pytest.mark.parametrize("changed", ["_grammar_bytes", "_lark_stamp"])
def test_another_grammar_or_lark_names_other_tables(cache_dir: Path, monkeypatch: pytest.MonkeyPatch, changed: str) -> None:
    # GIVEN tables written for this grammar and this Lark WHEN either changes THEN those tables are not the ones read
    query_parse.parse_query("eligible CCC")
    before = query_parse.tables_path()
    assert before.exists()
    original = getattr(query_parse, changed)
    monkeypatch.setattr(query_parse, changed, lambda: original() + (b"x" if changed == "_grammar_bytes" else "x"))  # type: ignore[operator]
    query_parse._key.cache_clear()  # the key is found once per process: this test changes what it is made of
    assert query_parse.tables_path() != before
    assert query_parse.read_tables() is None
    monkeypatch.undo()
    query_parse._key.cache_clear()


@pytest.mark.parametrize("damage", ["{", "[]", '{"format": 1}', "", "truncate"])
def test_damaged_tables_are_ignored_and_written_again(cache_dir: Path, damage: str) -> None:
    query_parse.parse_query("eligible CCC")
    path = query_parse.tables_path()
    path.write_text(path.read_text()[:500] if damage == "truncate" else damage)
    query_parse._loaded.clear()
    assert query_parse.parse_query("eligible CCC") == parser.parse_query("eligible CCC")
    query_parse._loaded.clear()
    assert query_parse.read_tables() is not None


def test_tables_naming_an_unknown_ast_method_are_refused(tables: query_parse.QueryTables) -> None:
    exported = query_parse.export_tables()
    assert exported is not None
    used = {arg for actions in exported["states"].values() for kind, arg in actions.values() if kind == 2}
    exported["reductions"][min(used)][4] = "no_such_method"
    with pytest.raises(ValueError, match="no AST method"):
        query_parse.QueryTables(exported)


def test_an_unwritable_cache_folder_costs_one_export_not_one_a_query(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a cache folder that cannot be created (a file stands where it would be) WHEN queries are asked THEN each is
    # answered (by Lark), and the tables are exported once, not at every query of a long-running process (serve)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("RACEPOLICY_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.delenv("RACEPOLICY_NO_CACHE", raising=False)
    query_parse._loaded.clear()
    query_parse._unwritable.clear()
    exports: list[int] = []
    export = query_parse.export_tables
    monkeypatch.setattr(query_parse, "export_tables", lambda: exports.append(1) or export())
    for _ in range(3):
        assert shape(query_parse.parse_query("eligible CCC")) == shape(parser.parse_query("eligible CCC"))
    assert exports == [1]
