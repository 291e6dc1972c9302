"""The formatter loses nothing: same AST, same comments and headings, idempotent, atomic writes, untouched on error."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from racepolicy.cli.main import main
from racepolicy.language.errors import FormatError, PolicyError
from racepolicy.language.parser import parse_policy, section_headings
from racepolicy.tools import formatter
from racepolicy.tools.formatter import comments, format_policy
from test_fuzz import typed_policy

BUNDLED = sorted(p.name for p in resources.files("racepolicy.policies").iterdir() if p.name.endswith(".policy"))


def _bundled(name: str) -> str:
    return resources.files("racepolicy.policies").joinpath(name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", BUNDLED)
def test_formatted_bundled_policy_parses_to_the_same_ast(name: str) -> None:
    text = _bundled(name)
    assert parse_policy(format_policy(text, name)) == parse_policy(text)


@pytest.mark.parametrize("name", BUNDLED)
def test_formatting_twice_gives_what_formatting_once_gives(name: str) -> None:
    once = format_policy(_bundled(name), name)
    assert format_policy(once, name) == once


@pytest.mark.parametrize("name", BUNDLED)
def test_every_comment_and_section_heading_is_kept(name: str) -> None:
    text = _bundled(name)
    result = format_policy(text, name)
    assert sorted(c for _, c, _ in comments(result)) == sorted(c for _, c, _ in comments(text))
    assert [t for _, t in section_headings(result)] == [t for _, t in section_headings(text)]


def test_comment_inside_a_race_stays_inside_it_before_the_line_it_explains() -> None:
    text = 'edition utmb 2022 "t"\nrace ETC: fee 40 EUR,\n  # read as the age reached in 2022\n  eligible when year - runner.birth_year >= 23\n'
    result = format_policy(text)
    lines = result.splitlines()
    comment = lines.index("  # read as the age reached in 2022")
    assert lines[comment - 1].startswith("race ETC") or lines[comment - 1].startswith("  fee")
    assert lines[comment + 1].startswith("  eligible when")


def test_trailing_comment_stays_on_its_statement_line() -> None:
    result = format_policy('edition utmb 2022 "t"\ngroup long = UTMB,CCC   # the long races\n')
    assert "group long = UTMB, CCC  # the long races" in result.splitlines()


def test_penalty_chart_is_aligned_on_equals_and_citation() -> None:
    text = (
        'edition utmb 2022 "t"\n'
        'penalty littering on long = 1h § "a"\n'
        'penalty littering on short = 30min § "b"\n'
    )
    lines = format_policy(text).splitlines()[1:]
    assert lines == ['penalty littering on long  = 1h    § "a"', 'penalty littering on short = 30min § "b"']


def test_schedule_tiers_are_aligned() -> None:
    text = 'edition utmb 2022 "t"\nschedule s: through 04-30 -> 60% § "x" otherwise -> 0% § "y"\n'
    assert format_policy(text).splitlines()[1:] == [
        "schedule s:",
        '  through 04-30 -> 60% § "x"',
        '  otherwise     -> 0%  § "y"',
    ]


def test_minimal_parentheses_keep_the_meaning() -> None:
    text = 'edition utmb 2022 "t" rule r(a: number, b: number) = (a - (b - 1)) * -(a + b) / 2 rule s = not (1 < 2) and (if true then false else true)'
    result = format_policy(text)
    assert "rule r(a: number, b: number) = (a - (b - 1)) * -(a + b) / 2" in result
    assert parse_policy(result) == parse_policy(text)


@settings(max_examples=15, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed_policy())
def test_generated_policies_format_to_the_same_ast_idempotently(text: str) -> None:
    try:
        once = format_policy(text)
    except PolicyError as exc:
        assert not isinstance(exc, FormatError)
        return
    assert parse_policy(once) == parse_policy(text)
    assert format_policy(once) == once


# ---- the command ----------------------------------------------------------------------


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    path = tmp_path / "messy.policy"
    path.write_text('edition utmb 2022 "t"   # header\nrace UTMB:fee 305 EUR\n\n\n\ngroup long=UTMB\n', encoding="utf-8")
    return path


def test_fmt_rewrites_the_file_in_canonical_layout(messy: Path, capsys) -> None:
    assert main(["fmt", str(messy)]) == 0
    assert messy.read_text() == 'edition utmb 2022 "t" currency EUR  # header\nrace UTMB:\n  fee 305 EUR\n\ngroup long = UTMB\n'
    assert "reformatted" in capsys.readouterr().out
    assert [p.name for p in messy.parent.iterdir()] == ["messy.policy"], "a temporary file was left behind"


def test_fmt_check_changes_nothing_and_says_which_file_differs(messy: Path, capsys) -> None:
    before = messy.read_bytes()
    assert main(["fmt", "--check", str(messy)]) == 1
    assert messy.read_bytes() == before
    assert "would be reformatted" in capsys.readouterr().out
    main(["fmt", str(messy)])
    assert main(["fmt", "--check", str(messy)]) == 0


def test_fmt_diff_previews_without_writing(messy: Path, capsys) -> None:
    before = messy.read_bytes()
    assert main(["fmt", "--diff", str(messy)]) == 1
    out = capsys.readouterr().out
    assert "+group long = UTMB" in out and "-group long=UTMB" in out
    assert messy.read_bytes() == before


def test_fmt_leaves_a_file_with_a_syntax_error_untouched(tmp_path: Path, capsys) -> None:
    path = tmp_path / "broken.policy"
    path.write_text('edition utmb 2022 "t"\npenalty littering on = 1h\n')
    before, stamp = path.read_bytes(), path.stat().st_mtime_ns
    assert main(["fmt", str(path)]) == 2
    assert path.read_bytes() == before and path.stat().st_mtime_ns == stamp
    assert "error[RP0101]" in capsys.readouterr().err


def test_fmt_leaves_the_file_untouched_when_the_layout_would_change_its_meaning(messy: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(formatter, "layout", lambda policy, text: text.replace("305", "306"))
    before = messy.read_bytes()
    assert main(["fmt", str(messy)]) == 2
    assert messy.read_bytes() == before
    assert "error[RP0901]" in capsys.readouterr().err


def test_fmt_keeps_the_original_when_writing_fails(messy: Path, monkeypatch) -> None:
    before = messy.read_bytes()

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    assert main(["fmt", str(messy)]) == 2
    assert messy.read_bytes() == before
    assert [p.name for p in messy.parent.iterdir()] == ["messy.policy"]


def test_comments_are_kept_one_per_line_even_when_lines_merge_and_hash_signs_in_texts_are_not_comments() -> None:
    text = (
        'edition utmb 2022 "t" # on header\n'
        'race UTMB "x # not a comment": # after colon\n  fee 305 EUR, # fee\n  cutoff 46h30 # cut\n'
        'rule r = # x\n  if true then 1 # y\n  else 2 # z\n'
        "penalty c,\n  # between\n  d on UTMB = 2h\n"
    )
    once = format_policy(text)
    assert sorted(c for _, c, _ in comments(once)) == sorted(c for _, c, _ in comments(text))
    assert 'race UTMB "x # not a comment":  # after colon' in once.splitlines()
    assert format_policy(once) == once


def test_penalties_sharing_a_line_join_the_chart_so_formatting_is_idempotent() -> None:
    # Found by the long fuzzing run: the second penalty started on the line where the first ended.
    text = (
        'edition utmb 2022 "t"\n\n'
        'penalty no_visible_bib on long  = 15min § "a"\n'
        'penalty no_visible_bib on short = 10min § "b"penalty nonconforming_bib on long  = 15min § "c"'
    )
    once = format_policy(text)
    assert format_policy(once) == once
    assert once.splitlines()[-1] == 'penalty nonconforming_bib on long = 15min § "c"'
