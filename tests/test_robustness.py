"""Regressions found by fuzzing: each input gives a PolicyError located inside the input, never a crash."""

from __future__ import annotations

import pytest
from racepolicy.language.errors import PolicyError
from racepolicy.language.parser import parse_policy
from racepolicy.language.source import Source
from racepolicy.query.policyset import PolicySet


@pytest.mark.parametrize("separator", ["\x0c", "\x0b", "\x1c", "\u2028", "\u2029", "\x85"])
def test_error_shows_the_line_the_parser_counted_despite_unicode_line_separators(separator: str) -> None:
    # Lark counts lines at "\n" only; str.splitlines() also splits at these.
    text = f'edition utmb 2022 "t" # a{separator}b\nrule r = )'
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "sep.policy")
    assert info.value.span.line == 2
    assert "rule r = )" in info.value.render()


def test_source_line_keeps_windows_line_endings_out_of_the_shown_line() -> None:
    assert Source("w", "a\r\nb\r\n").line(1) == "a"


@pytest.mark.parametrize("query", ["refund UTMB", "refund UTMB cancelled 1", "refund 2022-05-01"])
def test_plugin_query_form_errors_point_inside_the_query(bundled: PolicySet, query: str) -> None:
    with pytest.raises(PolicyError) as info:
        bundled.ask(query)
    error = info.value
    assert error.source is not None and error.source.text == query
    assert error.span.line == 1 and 1 <= error.span.column <= len(query)


def test_error_on_a_megabyte_long_line_shows_a_window_around_the_caret() -> None:
    text = 'edition utmb 2022 "t" rule r = ' + "1 + " * 5_000 + ")"
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "long.policy")
    shown = info.value.render().split("\n")
    assert len(shown[1]) < 200
    caret_line = shown[2]
    assert shown[1][caret_line.index("^")] == ")"


def test_a_policy_file_saved_with_a_byte_order_mark_loads(tmp_path) -> None:
    from importlib import resources

    text = resources.files("racepolicy.policies").joinpath("utmb-2022.policy").read_text(encoding="utf-8")
    path = tmp_path / "bom.policy"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert "utmb-2022" in PolicySet.load([path]).editions


@pytest.mark.parametrize(
    "content",
    [b"\x00\xff\xfe binary \x80", b"#" * 3_000_000, b"edition utmb 2022 \"t\" rule r = " + b"(" * 10_000, b""],
    ids=["binary", "3MB", "10000-deep", "empty"],
)
def test_check_command_turns_any_file_into_exit_2_with_a_message_and_no_traceback(tmp_path, capsys, content: bytes) -> None:
    from racepolicy.cli.main import main

    path = tmp_path / "bad.policy"
    path.write_bytes(content)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "error[RP" in err and "Traceback" not in err


@pytest.mark.parametrize("query", ["b(10)", "t(UTMB)"], ids=["band-row", "table-otherwise"])
def test_error_in_a_band_row_or_table_otherwise_points_into_the_policy(query: str) -> None:
    # Found by the long fuzzing run: these values were evaluated with the query as their source.
    from racepolicy.language.parser import parse_query
    from racepolicy.query.forms import answer
    from racepolicy.query.policyset import compile_source

    text = 'edition utmb 2022 "t"\nrace UTMB: fee 1 EUR\nrace CCC: fee 1 EUR\nband b: 0..50 -> (1 / 0) 100+\ntable t(race): CCC -> 1 otherwise -> (2 / 0)\n'
    edition = compile_source(Source("b.policy", text), None)
    with pytest.raises(PolicyError) as info:
        answer(edition, parse_query(query), Source("<query>", query))
    assert info.value.source is not None and info.value.source.name == "b.policy"
    assert "(1 / 0)" in info.value.render() or "(2 / 0)" in info.value.render()
