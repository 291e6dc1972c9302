"""Limits with clear errors: nesting, numbers, file and query size, rule recursion."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from racepolicy.language.errors import CycleError, InputTooLargeError, NestingError, NumberRangeError, PolicyError, PolicyErrors
from racepolicy.language.parser import MAX_LITERAL_DIGITS, MAX_NESTING, MAX_QUERY_CHARS, MAX_SOURCE_CHARS, parse_policy, parse_query
from racepolicy.language.source import NOWHERE, Source
from racepolicy.query.policyset import PolicySet, compile_source

HEADER = 'edition utmb 2022 "t" '


def _single(exc: PolicyError) -> PolicyError:
    return exc.errors[0] if isinstance(exc, PolicyErrors) else exc


def _load(text: str) -> None:
    compile_source(Source("t.policy", text), None)


@pytest.mark.parametrize(
    "body",
    [
        "(" * 10_000 + "1" + ")" * 10_000,
        "[" * 10_000 + "]" * 10_000,
        "-" * 10_000 + "1",
        "not " * 10_000 + "true",
        "+".join(["1"] * 10_000),
        "if true then " * 5_000 + "1" + " else 2" * 5_000,
    ],
    ids=["parentheses", "lists", "negations", "nots", "long-sum", "ifs"],
)
def test_deep_nesting_is_a_nesting_error_with_a_location(body: str) -> None:
    with pytest.raises(NestingError) as info:
        parse_policy(HEADER + "rule r = " + body, "deep.policy")
    assert info.value.code == "RP0801"
    assert info.value.span.line == 1 and info.value.span.column > 1
    assert f"{MAX_NESTING} levels" in info.value.message


def test_nesting_just_under_the_limit_still_loads_and_answers() -> None:
    depth = MAX_NESTING - 10
    text = HEADER + "rule r = " + "(" * depth + "1" + ")" * depth
    edition = compile_source(Source("t.policy", text), None)
    assert "r" in edition.rules


def test_deep_query_is_a_nesting_error() -> None:
    with pytest.raises(NestingError):
        parse_query("(" * 1000 + "1" + ")" * 1000)


@pytest.mark.parametrize(
    "literal",
    ["9" * 500, "9" * 500 + " EUR", "9" * 500 + "h", "9" * 500 + "%", "9" * 500 + " km", "1." + "1" * 300],
    ids=["number", "money", "duration", "percent", "length", "decimals"],
)
def test_numbers_with_hundreds_of_digits_are_refused(literal: str) -> None:
    with pytest.raises(NumberRangeError) as info:
        parse_policy(HEADER + "rule r = " + literal)
    assert info.value.span.column == len(HEADER + "rule r = ") + 1


def test_time_penalty_with_hundreds_of_digits_is_refused() -> None:
    with pytest.raises(NumberRangeError):
        parse_policy(HEADER + 'race A: fee 1 EUR infraction x "x" penalty x on A = ' + "9" * 300 + "h")


def test_longest_allowed_number_still_parses() -> None:
    parse_policy(HEADER + "rule r = " + "9" * MAX_LITERAL_DIGITS + " EUR")


def test_policy_over_the_size_limit_is_refused_without_parsing() -> None:
    with pytest.raises(InputTooLargeError) as info:
        parse_policy("#" * (MAX_SOURCE_CHARS + 1))
    assert info.value.code == "RP0802"


def test_policy_file_over_the_byte_limit_is_refused(tmp_path) -> None:
    path = tmp_path / "big.policy"
    path.write_text("#" * 10_000_000)
    with pytest.raises(PolicyError) as info:
        PolicySet.load([path])
    assert "over the limit" in _single(info.value).message


def test_query_over_the_length_limit_is_refused() -> None:
    with pytest.raises(InputTooLargeError):
        parse_query("1 + " * MAX_QUERY_CHARS)


@pytest.mark.parametrize(
    "rules",
    ["rule r = r", "rule r(x: number) = r(x)", "rule a(x: number) = b(x) rule b(x: number) = c(x) rule c(x: number) = a(x)"],
    ids=["itself", "itself-with-argument", "through-others"],
)
def test_rule_recursion_is_rejected_at_load(rules: str) -> None:
    with pytest.raises(PolicyError) as info:
        _load(HEADER + rules)
    error = _single(info.value)
    assert isinstance(error, CycleError)
    assert "calls itself" in error.message


@pytest.mark.parametrize(
    "query",
    [
        "999999999999999 * 999999999999999",
        "UTMB.fee * 999999999999999 * 999999999999999",
        "46h30 * 999999999999999 * 999999",
        "171 km * 999999999999999 * 999999",
        "9999-12-31 + 1d",
        "ceil(999999999999999 * 999999999999999)",
    ],
    ids=["number", "money", "duration", "length", "date", "builtin"],
)
def test_results_too_large_to_be_exact_are_a_number_range_error(bundled: PolicySet, query: str) -> None:
    with pytest.raises(NumberRangeError) as info:
        bundled.ask(query)
    assert info.value.code == "RP0803"
    assert info.value.span.line == 1 and info.value.span.column >= 1


def test_round_to_absurd_places_is_an_error_not_a_crash(bundled: PolicySet) -> None:
    with pytest.raises(PolicyError) as info:
        bundled.ask("round(1.5, 100000000)")
    assert "whole number of places" in info.value.message


def test_rules_that_fan_out_exponentially_hit_the_step_limit_quickly() -> None:
    from racepolicy.evaluation.interpreter import MAX_STEPS
    from racepolicy.language.errors import StepLimitError
    from racepolicy.language.parser import parse_query
    from racepolicy.query.forms import answer

    # r0 uses r1 twice, r1 uses r2 twice, ...: 2^40 additions if nothing stopped it.
    rules = "\n".join(f"rule r{i} = r{i + 1} + r{i + 1}" for i in range(40)) + "\nrule r40 = 1"
    edition = compile_source(Source("fan.policy", HEADER + "\n" + rules), None)
    with pytest.raises(StepLimitError) as info:
        answer(edition, parse_query("r0"), Source("<query>", "r0"))
    assert f"{MAX_STEPS:,} evaluation steps" in info.value.message
    assert info.value.source is not None and info.value.source.name == "fan.policy"


def test_the_step_budget_is_per_answer_not_per_evaluator(bundled: PolicySet) -> None:
    # A batch run or a benchmark reuses one evaluator for many answers: their sum must not hit the limit.
    from racepolicy.evaluation.interpreter import MAX_STEPS, Evaluator

    edition = bundled.find("utmb-2022")
    evaluator = Evaluator(edition, tracing=False)
    fee = evaluator.race_value("UTMB")
    for _ in range(MAX_STEPS // 5):  # each refund takes several steps: well over the budget in all
        evaluator.call_rule("refund", [fee, datetime.date(2022, 5, 15)], NOWHERE)


def test_a_modest_fan_out_still_answers() -> None:
    from racepolicy.language.parser import parse_query
    from racepolicy.query.forms import answer

    rules = "\n".join(f"rule r{i} = r{i + 1} + r{i + 1}" for i in range(10)) + "\nrule r10 = 1"
    edition = compile_source(Source("fan.policy", HEADER + "\n" + rules), None)
    assert answer(edition, parse_query("r0"), Source("<query>", "r0")).text == "1024"


def test_a_huge_policy_full_of_errors_reports_the_first_hundred_quickly() -> None:
    import time

    from racepolicy.language.checker import MAX_ERRORS

    text = HEADER + "\n" + "\n".join(f"rule a{i} = b{i}" for i in range(5_000))
    start = time.perf_counter()
    with pytest.raises(PolicyErrors) as info:
        _load(text)
    assert len(info.value.errors) == MAX_ERRORS
    assert info.value.errors[0].message == "unknown name 'b0'"
    assert time.perf_counter() - start < 10  # it was a minute: every hint compared the name with every rule


def test_did_you_mean_still_finds_a_close_name_among_many() -> None:
    from racepolicy.language.errors import did_you_mean

    names = [f"rule_{i}" for i in range(50_000)] + ["missing_jacket"]
    assert did_you_mean("missing_jackett", names) == "did you mean 'missing_jacket'?"
    assert did_you_mean("MISSING_JACKET", names) == "did you mean 'missing_jacket'?"


@pytest.mark.parametrize("runner", ["interpreter", "compiled"])
def test_fan_out_is_stopped_under_every_runner(runner: str) -> None:
    # Regression: the compiled runner had no step budget and ran 2^40 additions; rules whose
    # bound exceeds the budget now go to the interpreter, which stops them with the same error.
    import signal

    from racepolicy.language.errors import StepLimitError
    from racepolicy.query.policyset import PolicySet

    rules = "\n".join(f"rule r{i} = r{i + 1} + r{i + 1}" for i in range(40)) + "\nrule r40 = 1"
    policies = PolicySet()
    policies.add(Source("fan.policy", HEADER + "\n" + rules))

    def too_slow(*_: object) -> None:
        raise AssertionError(f"the {runner} runner did not stop the fan-out")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(30)
    try:
        with pytest.raises(StepLimitError):
            policies.ask("r0", runner=runner, tracing=False)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_check_of_dev_zero_is_refused_at_once_not_read_without_end(capsys: pytest.CaptureFixture[str]) -> None:
    from racepolicy.cli.main import main

    assert main(["check", "/dev/zero"]) == 2  # it took 14 GB of memory in 20 s: the size limit held only for regular files
    assert "/dev/zero: error[RP0701]: is not a regular file" in capsys.readouterr().err


def test_check_and_fmt_of_a_fifo_are_refused_instead_of_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "p.policy"
    os.mkfifo(fifo)
    for command in ("check", "fmt"):
        # Nobody writes to the FIFO: reading it would block for ever (the timeout only turns that into a failure).
        done = subprocess.run([sys.executable, "-m", "racepolicy.cli.main", command, str(fifo)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and "is not a regular file" in done.stderr


def test_a_policy_file_is_never_read_past_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from racepolicy.query import policyset

    path = tmp_path / "p.policy"
    path.write_text(HEADER + "rule a = 1\n" * 100, encoding="utf-8")
    monkeypatch.setattr(policyset, "MAX_FILE_BYTES", 200)
    # The limit is enforced by the read itself (a file may grow after stat): one read of the limit and a byte, no more.
    read: list[int] = []
    real_open = Path.open

    def counting_open(self: Path, *args: object, **kwargs: object) -> object:
        handle = real_open(self, *args, **kwargs)  # type: ignore[call-overload]
        real_read = handle.read
        handle.read = lambda size=-1: read.append(size) or real_read(size)  # type: ignore[method-assign]
        return handle

    monkeypatch.setattr(Path, "open", counting_open)
    with pytest.raises(PolicyError) as info:
        policyset.read_source(path)
    assert "over the limit of 200" in info.value.message
    assert read == [201]


def _table_policy(rows: int, tail: str = "") -> str:
    keys = "\n".join(f"  {i}, UTMB -> {i}" for i in range(rows))
    return HEADER + f"\nrace UTMB: fee 1 EUR\nrace CCC: fee 1 EUR\ngroup both = UTMB, CCC\ntable t(n: number, r: race):\n{keys}\n{tail}  otherwise -> 0\n"


def test_checking_which_table_rows_can_never_match_is_linear_in_the_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    # A 10,000-row table took 36 s to check: every row was compared with every earlier row.
    from racepolicy.language.checker import Checker

    compared: list[int] = []
    real = Checker._key_covers

    def counting(self: Checker, first: object, later: object) -> bool:
        compared.append(1)
        return real(self, first, later)  # type: ignore[arg-type]

    monkeypatch.setattr(Checker, "_key_covers", counting)
    _load(_table_policy(4_000))
    assert len(compared) <= 4 * 4_000  # all pairs would be 8,000,000


def test_a_table_row_covered_by_an_earlier_group_row_is_still_reported_with_the_first_such_row() -> None:
    tail = "  7, both -> 1\n  7, both -> 2\n  7, CCC -> 3\n"
    with pytest.raises(PolicyError) as info:
        _load(_table_policy(10, tail))
    messages = [e.message for e in (info.value.errors if isinstance(info.value, PolicyErrors) else (info.value,))]
    # `7, UTMB` on line 13 comes before both group rows; `7, CCC` is covered by the first group row (line 16).
    assert "table 't': this row can never match, the row on line 16 comes first" in messages
    assert sum("can never match" in m for m in messages) == 1


def test_checking_penalties_for_conflicts_is_linear_in_the_penalties(monkeypatch: pytest.MonkeyPatch) -> None:
    # A 2 MB policy took 9 s to check: each penalty was compared with every earlier penalty of its infraction.
    from racepolicy.language.checker import Checker

    compared: list[int] = []
    real = Checker._penalty_conflict

    def counting(self: Checker, *args: object) -> None:
        compared.append(1)
        real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Checker, "_penalty_conflict", counting)
    races = "".join(f"race R{i}: fee 1 EUR\npenalty littering on R{i} = 1h\n" for i in range(2_000))
    _load(HEADER + '\ninfraction littering "littering"\n' + races)
    assert compared == []  # no two penalties give one race two sanctions: nothing to compare


def test_penalties_that_conflict_are_still_reported_among_many() -> None:
    races = "".join(f"race R{i}: fee 1 EUR\npenalty littering on R{i} = 1h\n" for i in range(500))
    with pytest.raises(PolicyError) as info:
        later = "group some = R7, R8\npenalty littering on some = 2h\npenalty littering on R9 = 1h\npenalty littering on R8 = 3h\n"
        _load(HEADER + '\ninfraction littering "littering"\n' + races + later)
    messages = [e.message for e in (info.value.errors if isinstance(info.value, PolicyErrors) else (info.value,))]
    # A group's penalty ranks below a race's, so only the two on R8 itself conflict.
    assert messages == ["conflicting penalties for 'littering' on R8: 1h time penalty (line 20) and 3h time penalty"]


def test_money_times_huge_numbers_says_too_large_not_invalid_operation() -> None:
    # The cents of the product need more digits than Decimal keeps: it said "arithmetic failed: InvalidOperation".
    policies = PolicySet.bundled()
    with pytest.raises(PolicyError) as info:
        policies.ask("UTMB.fee * 999999999999999 * 999999999999999")
    assert info.value.message == "the result is too large (limit 1e+18)"
