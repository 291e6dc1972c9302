"""Every error kind a user can cause, with its rendered message as a snapshot a person reviews."""

from __future__ import annotations

from pathlib import Path

import pytest
from racepolicy.cli.main import main
from racepolicy.language.errors import (
    ArityError,
    ConflictError,
    CycleError,
    DuplicateError,
    EvaluationError,
    FactShapeError,
    InputError,
    InvalidDateError,
    MissingHeaderError,
    NumberRangeError,
    PolicyError,
    PolicyErrors,
    PolicySyntaxError,
    PolicyTypeError,
    QueryError,
    ScheduleError,
    TableError,
    UnexpectedCharacterError,
    UnexpectedEndError,
    UnknownInfractionError,
    UnknownNameError,
    UnknownRaceError,
    ValidationError,
)
from racepolicy.language.parser import parse_query
from racepolicy.language.source import Source
from racepolicy.query.policyset import PolicySet, bundled_sources

HEADER = 'edition demo 2022 "Demo regulations" currency EUR\n'
RACES = 'race UTMB: fee 305 EUR, distance 171 km\nrace CCC: fee 189 EUR\ngroup long = UTMB, CCC\ninfraction missing_jacket "no jacket"\n'


def load_errors(body: str, name: str = "demo.policy") -> list[PolicyError]:
    """Every error of loading a policy made of a header and `body`, in the order reported."""
    try:
        PolicySet().add(Source(name, HEADER + body))
    except PolicyErrors as exc:
        return list(exc.errors)
    except PolicyError as exc:
        return [exc]
    raise AssertionError("the policy loaded without errors")


def rendered(errors: list[PolicyError]) -> str:
    return "\n".join(e.render() for e in errors) + "\n"


# (id, policy body after the header, the error class every error must be)
LOAD_ERRORS = [
    # ---- syntax
    ("syntax-unexpected-token", "race UTMB: fee 305 EUR\npenalty missing_jacket on UTMB = 5\n", PolicySyntaxError),
    ("syntax-unexpected-keyword", "rule r = if 1 < 2 then 3\n", UnexpectedEndError),
    ("syntax-unexpected-character", "rule r = 1 $ 2\n", UnexpectedCharacterError),
    ("syntax-unexpected-end", "rule r = 1 +", UnexpectedEndError),
    ("syntax-impossible-date", "rule r = 2022-02-30\n", InvalidDateError),
    ("syntax-impossible-day-month", "schedule s: through 04-31 -> 50% otherwise -> 0%\n", InvalidDateError),
    ("syntax-number-too-large", "rule r = 12345678901234567 EUR\n", NumberRangeError),
    ("syntax-several-statements-all-reported", "race UTMB: fee 305 EUR\nrule a = (1\nrule b = 2\nrule c = 3 +\n", (PolicySyntaxError, UnexpectedEndError)),
    # ---- unknown names, with did-you-mean
    ("unknown-race-in-penalty", RACES + "penalty missing_jacket on UTMBB = disqualify\n", UnknownRaceError),
    ("unknown-group-in-penalty", RACES + "penalty missing_jacket on longg = disqualify\n", UnknownRaceError),
    ("unknown-race-in-group", RACES + "group short = OCC, CCC\n", UnknownRaceError),
    ("unknown-race-in-table", RACES + "table t(race): UTMB -> 1 CC -> 2\n", UnknownRaceError),
    ("unknown-infraction", RACES + "penalty missing_jackett on UTMB = disqualify\n", UnknownInfractionError),
    ("unknown-infraction-no-close-match", RACES + "penalty sleeping on UTMB = 1h\n", UnknownInfractionError),
    ("unknown-name", RACES + "rule r = UTMB.fee * shaer\nrule share = 50%\n", UnknownNameError),
    ("unknown-rule", RACES + "rule r = stone_back(9)\nrule stones_back(n: number) = n\n", UnknownNameError),
    ("unknown-attribute-in-race", "race UTMB: fee 305 EUR, cuttoff 46h30\n", UnknownNameError),
    ("unknown-attribute-of-race", RACES + "rule r = UTMB.distanse\n", UnknownNameError),
    ("syntax-unknown-type", "rule r(n: numbr) = n\n", PolicyTypeError),  # a type may be a declared set of words: the checker knows the types
    ("missing-header", None, MissingHeaderError),
    # ---- duplicates
    ("duplicate-race", "race UTMB: fee 305 EUR\nrace UTMB: fee 300 EUR\n", DuplicateError),
    ("duplicate-rule-and-race-name", "race UTMB: fee 305 EUR\nrule UTMB = 1\n", DuplicateError),
    ("duplicate-infraction", 'infraction x "x"\ninfraction x "again"\n', DuplicateError),
    ("duplicate-attribute", "race UTMB: fee 305 EUR, fee 300 EUR\n", DuplicateError),
    ("duplicate-builtin-name", "rule max = 1\n", DuplicateError),
    # ---- kinds and units
    ("type-length-plus-duration", "race UTMB: distance 171 km + 15min\n", PolicyTypeError),
    ("type-percent-added-to-date", "rule r = 2022-05-01 + 50%\n", PolicyTypeError),
    ("type-attribute-of-wrong-kind", "race UTMB: fee 305 km\n", PolicyTypeError),
    ("type-compare-money-with-length", RACES + "rule r = UTMB.fee > UTMB.distance\n", PolicyTypeError),
    ("type-if-condition-not-yes-or-no", "rule r = if 1 then 2 else 3\n", PolicyTypeError),
    ("type-if-branches-differ", 'rule r = if true then 1 else "one"\n', PolicyTypeError),
    ("type-and-of-numbers", "rule r = 1 and 2\n", PolicyTypeError),
    ("type-not-of-number", "rule r = not 1\n", PolicyTypeError),
    ("type-in-a-number", "rule r = 1 in 2\n", PolicyTypeError),
    ("type-argument-of-rule", "rule half(n: number) = n / 2\nrule r = half(10 EUR)\n", PolicyTypeError),
    ("type-argument-of-schedule", "schedule s: through 04-30 -> 60% otherwise -> 0%\nrule r = s(5)\n", PolicyTypeError),
    ("type-field-of-a-number", "rule r = 5.fee\n", PolicyTypeError),
    ("type-eligibility-not-yes-or-no", "race UTMB: fee 305 EUR, eligible when UTMB.fee\n", PolicyTypeError),
    ("type-schedule-mixes-kinds", "schedule s: through 04-30 -> 60% otherwise -> 0 EUR\n", PolicyTypeError),
    # ---- arity
    ("arity-rule", "rule half(n: number) = n / 2\nrule r = half(1, 2)\n", ArityError),
    ("arity-builtin", "rule r = ceil(1, 2)\n", ArityError),
    ("arity-table", RACES + "table t(race, sex): UTMB, \"men\" -> 1\nrule r = t(UTMB)\n", ArityError),
    ("arity-rule-used-without-arguments", "rule half(n: number) = n / 2\nrule r = half + 1\n", ArityError),
    ("arity-schedule-used-as-a-value", "schedule s: through 04-30 -> 60% otherwise -> 0%\nrule r = s\n", ArityError),
    # ---- schedules, bands, tables
    ("schedule-tiers-out-of-order", "schedule s:\n  through 06-30 -> 50%\n  through 04-30 -> 60%\n  otherwise -> 0%\n", ScheduleError),
    ("schedule-tier-repeated", "schedule s:\n  through 04-30 -> 60%\n  through 2022-04-30 -> 50%\n", ScheduleError),
    ("schedule-day-not-in-edition-year", "schedule s: through 02-29 -> 60% otherwise -> 0%\n", ScheduleError),
    ("day-month-not-in-edition-year", "rule r = 02-29\n", ScheduleError),
    ("band-overlap", "band b:\n  20..34\n  30..39\n", ScheduleError),
    ("band-after-open-ended", "band b:\n  20..34\n  35+\n  40..44\n", ScheduleError),
    ("band-backwards", "band b: 34..20\n", ScheduleError),
    ("table-row-too-narrow", RACES + 'table t(race, sex):\n  UTMB, "men" -> 880\n  CCC -> 860\n', TableError),
    ("table-row-shadowed-by-its-group", RACES + 'table t(race, sex):\n  long, "men" -> 800\n  UTMB, "men" -> 880\n', TableError),
    ("table-duplicate-row", RACES + 'table t(race, sex):\n  UTMB, "men" -> 880\n  UTMB, "men" -> 870\n', TableError),
    # ---- penalties and rules
    ("conflicting-penalties", RACES + "group hard = UTMB\npenalty missing_jacket on long = disqualify\npenalty missing_jacket on hard = 1h\n", ConflictError),
    ("conflicting-penalties-on-all", RACES + "penalty missing_jacket on all = 1h\npenalty missing_jacket on all = 2h\n", ConflictError),
    ("rule-calls-itself", "rule r(n: number) = if n > 0 then r(n - 1) else 0\n", CycleError),
    ("rules-call-each-other", "rule a = b + 1\nrule b = a + 1\n", CycleError),
    ("group-contains-itself", "race UTMB: fee 305 EUR\ngroup a = UTMB, b\ngroup b = a\n", CycleError),
]


@pytest.mark.parametrize(("body", "kind"), [pytest.param(b, k, id=i) for i, b, k in LOAD_ERRORS])
def test_load_error_message(body: str | None, kind: type[PolicyError] | tuple[type[PolicyError], ...], snapshot) -> None:
    if body is None:
        errors = []
        try:
            PolicySet().add(Source("demo.policy", "race UTMB: fee 305 EUR\n"))
        except PolicyErrors as exc:
            errors = list(exc.errors)
    else:
        errors = load_errors(body)
    assert errors
    assert {type(e) for e in errors} == (set(kind) if isinstance(kind, tuple) else {kind})
    # Every error has a location in the file and a hint, except where no hint would help.
    assert all(e.span.line >= 1 and e.source is not None for e in errors)
    assert rendered(errors) == snapshot


def test_every_load_error_kind_has_a_hint_where_one_helps() -> None:
    hintless = [i for i, b, _ in LOAD_ERRORS if b is not None and not all(e.hint for e in load_errors(b))]
    # These messages say all there is to say; a hint would repeat them.
    assert hintless == [
        "type-compare-money-with-length", "type-if-condition-not-yes-or-no", "type-and-of-numbers", "type-not-of-number", "type-in-a-number",
        "type-eligibility-not-yes-or-no", "arity-builtin",
    ]


QUERY_ERRORS = [
    ("query-syntax", "penalty missing_jacket UTMB", PolicySyntaxError),
    ("query-unknown-race", "penalty missing_jacket on UTMBB", UnknownRaceError),
    ("query-unknown-infraction", "penalty missing_jackett on UTMB", UnknownInfractionError),
    ("query-unknown-verb", "cutof TDS", QueryError),
    ("query-attribute-not-given", "capacity ETC", QueryError),
    ("query-unknown-rule", "stone_back(9, false)", UnknownNameError),
    ("query-missing-fact", "eligible UTMB given runner = {birth_yaer: 2000}", FactShapeError),  # utmb 2022 declares `facts runner`
    ("query-type-mismatch", "UTMB.distance + 15min", PolicyTypeError),
    ("query-percent-added-to-date", "2022-05-01 + 50%", PolicyTypeError),
    ("query-arity", "stones_back(9)", ArityError),
    ("query-no-band", "age_category(19)", EvaluationError),
    ("query-no-table-row", 'free_entry_threshold(MCC, "men")', EvaluationError),
    ("query-division-by-zero", "UTMB.fee / 0", EvaluationError),
    ("query-refund-usage", "refund 2022-05-01 UTMB", EvaluationError),
]


@pytest.mark.parametrize(("query", "kind"), [pytest.param(q, k, id=i) for i, q, k in QUERY_ERRORS])
def test_query_error_message(bundled: PolicySet, query: str, kind: type[PolicyError], snapshot) -> None:
    with pytest.raises(PolicyError) as caught:
        bundled.ask(query, edition="utmb-2022")
    errors = list(caught.value.errors) if isinstance(caught.value, PolicyErrors) else [caught.value]
    assert {type(e) for e in errors} == (set(kind) if isinstance(kind, tuple) else {kind})
    assert rendered(errors) == snapshot


def test_unknown_edition(bundled: PolicySet, snapshot) -> None:
    with pytest.raises(QueryError) as caught:
        bundled.ask("cutoff UTMB", edition="utmb-2021")
    assert caught.value.render() == snapshot


# ---- files ---------------------------------------------------------------------------------


@pytest.fixture()
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in a fresh folder so file names in messages are short and stable."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load_file_error(*paths: str) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        PolicySet.load(list(paths))
    return caught.value


def test_missing_file(in_tmp: Path, snapshot) -> None:
    error = load_file_error("nowhere.policy")
    assert isinstance(error, PolicyErrors) and isinstance(error.errors[0], InputError)
    assert error.render() == snapshot


def test_non_utf8_file(in_tmp: Path, snapshot) -> None:
    Path("latin1.policy").write_bytes((HEADER + 'race OCC: start "Orsières"\n').encode("latin-1"))
    error = load_file_error("latin1.policy")
    assert isinstance(error, PolicyErrors) and isinstance(error.errors[0], InputError)
    # Regression: the error gave only a byte offset; it now points at the line and column of the bad byte.
    assert (error.errors[0].span.line, error.errors[0].span.column) == (2, 22)
    assert error.render() == snapshot


def test_folder_without_policies(in_tmp: Path, snapshot) -> None:
    Path("empty").mkdir()
    error = load_file_error("empty")
    assert isinstance(error, InputError)
    assert error.render() == snapshot


def test_same_edition_in_two_files(in_tmp: Path, snapshot) -> None:
    Path("a.policy").write_text(HEADER + "race A: fee 1 EUR\n", encoding="utf-8")
    Path("b.policy").write_text(HEADER + "race B: fee 1 EUR\n", encoding="utf-8")
    error = load_file_error("a.policy", "b.policy")
    assert isinstance(error, PolicyErrors) and isinstance(error.errors[0], DuplicateError)
    assert error.render() == snapshot


def test_errors_of_several_files_are_all_reported(in_tmp: Path, snapshot) -> None:
    Path("a.policy").write_text(HEADER + "rule r = yeer\n", encoding="utf-8")
    Path("b.policy").write_text('edition other 2022 "b"\nrule s = 1 +\n', encoding="utf-8")
    error = load_file_error("a.policy", "b.policy")
    assert isinstance(error, PolicyErrors) and [e.source_name for e in error.errors] == ["a.policy", "b.policy"]
    assert error.render() == snapshot


# ---- a broken copy of the bundled 2022 policy -------------------------------------------------------


def utmb_2022() -> str:
    return next(s.text for s in bundled_sources() if s.name == "utmb-2022.policy")


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def broken_with_check_errors() -> str:
    text = utmb_2022()
    text = replace_once(text, "group long = UTMB, CCC, TDS", "group long = UTMB, CCCC, TDS")
    text = replace_once(text, "distance 145 km,", "distance 145 km + 15min,")
    # Swap the June and July dates of the registration schedule (the race-cancellation one has the same clauses).
    head, tail = text.split("rule refund(")
    head = replace_once(head, "through 06-30 -> 50%", "through 07-31 -> 50%")
    head = replace_once(head, "through 07-31 -> 30%", "through 06-30 -> 30%")
    text = head + "rule refund(" + tail
    text = replace_once(text, "  35..39 §", "  30..39 §")
    text = replace_once(text, "penalty cheating on long  = disqualify immediately for life",
                        "penalty cheating on long  = disqualify immediately for life\npenalty cheating on long  = disqualify")
    text = replace_once(text, "penalty pack_not_tagged on long  = 1h", "penalty pack_not_taged on long  = 1h")
    text = replace_once(text, "ceil(stones * 50%)", "ceil(stones + 50%)")
    return text


def test_check_reports_every_error_of_a_broken_policy_in_source_order(in_tmp: Path, capsys: pytest.CaptureFixture[str], snapshot) -> None:
    Path("utmb-2022.policy").write_text(broken_with_check_errors(), encoding="utf-8")
    assert main(["check", "utmb-2022.policy"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    heads = [line for line in err.splitlines() if line.startswith("utmb-2022.policy:")]
    assert len(heads) == 7
    lines = [int(h.split(":")[1]) for h in heads]
    assert lines == sorted(lines)
    assert "Traceback" not in err
    assert err == snapshot


def test_check_reports_every_syntax_error_of_a_broken_policy(in_tmp: Path, capsys: pytest.CaptureFixture[str], snapshot) -> None:
    text = utmb_2022()
    text = replace_once(text, "cutoff 26h30 §", "cutoff 26h30 30 §")
    text = replace_once(text, "penalty cheating on long  = disqualify immediately for life", "penalty cheating on long  = disqualified for life")
    text = replace_once(text, "rule complaint_deadline = 10d", "rule complaint_deadline = 10 days")
    Path("utmb-2022.policy").write_text(text, encoding="utf-8")
    assert main(["check", "utmb-2022.policy"]) == 2
    err = capsys.readouterr().err
    assert len([line for line in err.splitlines() if line.startswith("utmb-2022.policy:")]) == 3
    assert err == snapshot


def test_series_plugin_validation(snapshot) -> None:
    # The UTMB plugin refuses an infraction without a penalty on some race: a jury must never find a hole.
    text = 'edition utmb 2030 "t"\nrace UTMB: fee 1 EUR\nrace OCC: fee 1 EUR\ninfraction littering "rubbish"\npenalty littering on UTMB = 1h\n'
    with pytest.raises(PolicyErrors) as caught:
        PolicySet().add(Source("utmb-2030.policy", text))
    assert [type(e) for e in caught.value.errors] == [ValidationError]
    assert caught.value.render() == snapshot


@pytest.mark.parametrize("text", ["99999999999999999999999999999 EUR", "1234567890123456 km", "10000000000000000%", "9999999999999999h"])
def test_absurdly_long_figures_are_range_errors_not_crashes(text: str) -> None:
    # Regression: a 29-digit amount escaped the transformer as a VisitError(InvalidOperation).
    with pytest.raises(NumberRangeError, match="over the limit of 15") as caught:
        parse_query(text)
    assert caught.value.span.line == 1 and caught.value.span.column == 1


def test_a_unit_mismatch_in_a_race_attribute_is_reported_once() -> None:
    # Regression: the checker reported the type error, then evaluated the attribute and reported it again.
    errors = load_errors("race A: distance 171 km + 15min")
    assert [type(e) for e in errors] == [PolicyTypeError]


def test_a_syntax_hint_lists_only_what_may_really_come_next() -> None:
    # Regression: LALR's merged lookaheads made the hint after `penalty a UTMB` list 'band', 'group', 'rule', ...
    with pytest.raises(PolicySyntaxError) as caught:
        parse_query("penalty missing_jacket UTMB")
    assert caught.value.hint == "expected ',' or 'on'"


def test_a_syntax_error_names_the_unexpected_token_in_plain_words() -> None:
    # Regression: messages read "unexpected a number '5'" and "unexpected '*' or '/' '*'".
    with pytest.raises(PolicySyntaxError) as number:
        parse_query("1 2")
    with pytest.raises(PolicySyntaxError) as operator:
        parse_query("1 +* 2")
    assert number.value.message == "unexpected number '2'"
    assert operator.value.message == "unexpected '*'"
    # What an author can write comes first in the hint, punctuation after.
    assert operator.value.hint.startswith("expected a date such as 2022-05-15, a day and month such as 04-30, a duration")


def test_a_misspelt_keyword_is_an_unexpected_word_not_a_series_name() -> None:
    # Regression: lower-case words lex as SERIES outside a header, and the message called them "series name".
    (error,) = load_errors("race A: fee 1 EUR\npenalty x on A = disqualified for life\n")
    assert error.message == "unexpected word 'disqualified'"


@pytest.mark.parametrize(
    ("body", "lines"),
    [
        pytest.param("rule a = (1\nrule b = 2\nrule c = 3 +\n", [3, 4], id="unclosed-parenthesis"),
        pytest.param("race A: fee 1 EUR,\nrule b = 2\nrule c = 3 +\nrule d = (\n", [3, 5], id="trailing-comma"),
    ],
)
def test_syntax_recovery_reports_each_mistake_once(body: str, lines: list[int]) -> None:
    # Regression: recovery blanked the statement after the broken one, so the same mistake was reported again and again.
    errors = load_errors(body)
    assert [e.span.line for e in errors] == lines


def test_a_query_word_alone_asks_for_its_race(bundled) -> None:
    # `cutoff` with no race: the jury is told what to add, not that `cutoff` is an unknown name.
    with pytest.raises(QueryError) as caught:
        bundled.ask("cutoff", edition="utmb-2022")
    assert caught.value.message == "'cutoff' needs more: say which race or give its arguments"
    assert caught.value.hint == "e.g. cutoff UTMB"


def test_an_unknown_race_goes_to_an_edition_with_races_and_the_hint_stays_short(bundled) -> None:
    with pytest.raises(PolicyError) as caught:
        bundled.ask("distance XYZ")
    # Every edition knows `distance` and none knows XYZ: the answer comes from one with races
    # (the World Series edition declares none), and a long race list is cut short.
    assert "world-series" not in caught.value.message
    assert caught.value.hint.count(",") <= 8 and "more)" in caught.value.hint
