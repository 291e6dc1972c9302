"""Time of day, date-times, working days, months, `cm`, currencies (issue #11 item 5): parse, check, evaluate under both runners."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from racepolicy.evaluation.values import CURRENCIES, Length, Money, TimeOfDay
from racepolicy.language import ast
from racepolicy.language.errors import EvaluationError, PolicyError, PolicyErrors
from racepolicy.language.parser import parse_policy, parser
from racepolicy.language.source import Source
from racepolicy.query.answer import Answer
from racepolicy.query.policyset import RUNNERS, PolicySet
from racepolicy.tools.formatter import format_policy

HEADER = 'edition demo 2022 "Demo regulations" currency RMB\n'

DEMO = HEADER + '''
race A: fee 100 RMB, date 2022-08-26
rule start_time = 8:30
rule finish_day = 2022-08-28
rule bags_back_by = finish_day + 1d at 12:00
rule arrival = 2022-08-27 at 22:15
rule report_by = arrival + 2h
rule second_wave = start_time + 15min
rule bag_width = 30 cm
rule holidays = [2022-08-15]
rule complaint_deadline(end: date) = working_days_after(end, 5, holidays)
'''


@pytest.fixture(scope="module")
def demo() -> PolicySet:
    policies = PolicySet()
    policies.add(Source("calendar.policy", DEMO))
    return policies


@pytest.fixture(params=RUNNERS)
def q(request: pytest.FixtureRequest, demo: PolicySet) -> Callable[[str], Answer]:
    def _ask(query: str) -> Answer:
        return demo.ask(query, runner=request.param)

    return _ask


def load(body: str) -> PolicySet:
    policies = PolicySet()
    policies.add(Source("inline.policy", 'edition demo 2022 "Demo"\n' + body))
    return policies


# ---- parse -------------------------------------------------------------------------------------------


def test_a_time_of_day_and_at_parse_to_their_ast() -> None:
    rules = {st.name: st for st in parse_policy(DEMO).statements if isinstance(st, ast.RuleDecl)}
    assert rules["start_time"].body == ast.Literal(value=TimeOfDay(510))
    assert rules["bags_back_by"].body == ast.Binary(
        op="at", left=ast.Binary(op="+", left=ast.Name(name="finish_day"), right=ast.Literal(value=_days(1))),
        right=ast.Literal(value=TimeOfDay(720)),
    )


def _days(n: int) -> object:
    from racepolicy.evaluation.values import Duration

    return Duration(Decimal(n * 1440))


def test_rmb_is_cny_and_cm_is_a_hundredth_of_a_metre() -> None:
    edition = load("rule x = 1 RMB").find("demo")
    assert edition.rules["x"].decl.body == ast.Literal(value=Money.of(Decimal(1), "CNY"))
    assert parse_policy(HEADER).header is not None and parse_policy(HEADER).header.currency == "CNY"
    assert parse_policy(HEADER + "rule w = 30 cm").statements[0].body == ast.Literal(value=Length(Decimal("0.30"), "cm"))


def test_the_grammar_lists_exactly_the_currencies_of_the_code() -> None:
    # The grammar's MONEY terminal and values.CURRENCIES must agree, or a listed code would not parse.
    pattern = parser().get_terminal("CURRENCY").pattern.value
    assert set(pattern.split("|")) == {*CURRENCIES, "RMB"}


# ---- evaluate, under both runners -------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "text"), [
    ("start_time", "08:30"),
    ("bags_back_by", "2022-08-29 12:00"),  # "the day after the finish at 12:00"
    ("report_by", "2022-08-28 00:15"),  # "2 hours after arrival", across midnight
    ("second_wave", "08:45"),
    ("18:00 - start_time", "9h30"),
    ("arrival - (2022-08-27 at 08:00)", "14h15"),
    ("start_time < 09:00", "yes"),
    ("bags_back_by > report_by", "yes"),
    ("max(start_time, 07:00)", "08:30"),
    ("bag_width + 1 m", "130 cm"),
    ("fee A", "100.00 CNY"),
    ("complaint_deadline(2022-08-11)", "2022-08-19"),  # Thursday + 5 working days, Monday 15 August a holiday
    ("working_days_after(2022-08-26, 5)", "2022-09-02"),
    ("working_days_between(2022-08-26, 2022-09-02)", "5"),
    ("add_months(2022-01-31, 1)", "2022-02-28"),
    ("months_between(2020-09-01, 2022-08-31)", "23"),
    ("time_of(arrival)", "22:15"),
    ("date_of(arrival)", "2022-08-27"),
])
def test_time_and_calendar_arithmetic(q, query: str, text: str) -> None:
    assert q(query).text == text


def test_time_values_in_json(q) -> None:
    assert q("start_time").as_json()["value"] == {"type": "time", "value": "08:30"}
    assert q("arrival").as_json()["value"] == {"type": "datetime", "value": "2022-08-27T22:15"}
    assert q("arrival").value == datetime.datetime(2022, 8, 27, 22, 15)


@pytest.mark.parametrize(("query", "message"), [
    ("23:00 + 2h", "the time passes midnight"),
    ("start_time + 1min / 2", "not a whole number of minutes"),
    ("working_days_after(2022-08-26, 1.5)", "must be a whole number"),
])
def test_impossible_times_are_evaluation_errors(q, query: str, message: str) -> None:
    with pytest.raises(EvaluationError, match=message):
        q(query)


# ---- misuse: located errors, with a snapshot of the message -----------------------------------------------

MISUSE = [
    ("decimal-hours", "rule x = 8.5h\n"),
    ("decimal-days", "rule x = 1.5d\n"),
    ("unknown-currency", "rule x = 100 XYZ\n"),
    ("not-a-time", "rule x = 24:00\n"),
    ("two-currencies", "rule x = 1 EUR + 1 CHF\n"),
    ("two-currencies-through-races", "race A: fee 10 EUR\nrace B: fee 10 CHF\nrule x = A.fee > B.fee\n"),
    ("at-on-a-time", "rule x = 08:00 at 09:00\n"),
    ("time-plus-date", "rule x = 08:00 + 2022-01-01\n"),
]


@pytest.mark.parametrize("body", [pytest.param(b, id=i) for i, b in MISUSE])
def test_misuse_is_a_located_load_error(body: str, snapshot) -> None:
    with pytest.raises(PolicyError) as caught:
        load(body)
    errors = caught.value.errors if isinstance(caught.value, PolicyErrors) else [caught.value]
    assert all(e.span.line >= 2 for e in errors)
    assert caught.value.render() == snapshot


# ---- format ------------------------------------------------------------------------------------------


def test_the_formatter_writes_times_dates_at_and_cm_back_to_the_same_ast() -> None:
    once = format_policy(DEMO)
    assert parse_policy(once) == parse_policy(DEMO)
    assert format_policy(once) == once
    assert "rule bags_back_by = finish_day + 1d at 12:00" in once and "rule start_time = 08:30" in once and "30 cm" in once


def test_times_words_attributes_and_where_survive_the_ast_cache() -> None:
    # The REPL's cache stores the AST as JSON: every new node and value must round-trip.
    from racepolicy.language.ast_codec import dumps, loads

    text = DEMO + 'words sex: "men" ("m")\nfacts runner: sex: sex optional\nattribute start_time: time\nrule w(r: list) = r where item > 1\n'
    policy = parse_policy(text)
    assert loads(dumps(policy)) == policy


@pytest.mark.parametrize("text", ["08:30", "8:30", "30 cm", "100 RMB", "25 PEN"])
def test_the_highlighter_reads_new_literals_as_one_token(text: str) -> None:
    from pygments.token import Number
    from racepolicy.repl.lexer import RacePolicyLexer

    tokens = [(kind, value) for kind, value in RacePolicyLexer().get_tokens(text) if value.strip()]
    assert len(tokens) == 1 and tokens[0][0] in Number and tokens[0][1] == text
