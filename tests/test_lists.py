"""Lists you can compute with (issue #11 item 2): sums, counts, orders, best N, any/all, `where`, subsets; both runners."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from racepolicy.language import ast
from racepolicy.language.errors import EvaluationError, PolicyError, PolicyErrors
from racepolicy.language.parser import parse_policy, parse_query
from racepolicy.language.source import Source
from racepolicy.query.answer import Answer
from racepolicy.query.policyset import RUNNERS, PolicySet
from racepolicy.tools.formatter import format_policy

HEADER = 'edition demo 2022 "Demo regulations" currency EUR\n'

DEMO = HEADER + '''
# "the best 3 results count"
rule best_three(results: list) = sum(top(results.points, 3))
# "points from races since 1 September 2015"
rule recent(results: list) = results where date >= 2015-09-01
# "team time is the sum of its members' times"
rule team_time(members: list) = sum(members.time)
rule all_finished(results: list) = all(results.finished)
rule fastest(members: list) = bottom_by(members, 1, "time")
rule entry_fees = sum([100 EUR, 50 EUR, 25.50 EUR])
'''

RESULTS = (
    "[{points: 10, date: 2015-01-01, finished: true}, {points: 30, date: 2016-01-01, finished: true}, "
    "{points: 20, date: 2017-01-01, finished: false}, {points: 5, date: 2018-01-01, finished: true}]"
)
TEAM = '[{name: "Ana", time: 10h05}, {name: "Bo", time: 9h50}, {name: "Cy", time: 11h}]'


@pytest.fixture(scope="module")
def demo() -> PolicySet:
    policies = PolicySet()
    policies.add(Source("lists.policy", DEMO))
    return policies


@pytest.fixture(params=RUNNERS)
def q(request: pytest.FixtureRequest, demo: PolicySet) -> Callable[[str], Answer]:
    def _ask(query: str) -> Answer:
        return demo.ask(query, runner=request.param)

    return _ask


def load(body: str) -> PolicySet:
    policies = PolicySet()
    policies.add(Source("inline.policy", HEADER + body))
    return policies


# ---- parse -------------------------------------------------------------------------------------------


def test_where_parses_to_its_ast() -> None:
    query = parse_query("results where date >= 2015-09-01 and finished")
    assert isinstance(query, ast.ExprQuery) and isinstance(query.expr, ast.Where)
    assert query.expr.items == ast.Name(name="results")
    assert isinstance(query.expr.condition, ast.Binary) and query.expr.condition.op == "and"


# ---- evaluate, under both runners -------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "text"), [
    (f"best_three(r) given r = {RESULTS}", "60"),
    (f"count(recent(r)) given r = {RESULTS}", "3"),
    (f"sum(recent(r).points) given r = {RESULTS}", "55"),
    (f"all_finished(r) given r = {RESULTS}", "no"),
    (f"any(r.finished) given r = {RESULTS}", "yes"),
    (f"team_time(t) given t = {TEAM}", "30h55"),
    (f"fastest(t).name given t = {TEAM}", "[Bo]"),
    (f"sort_by(t, \"time\").name given t = {TEAM}", "[Bo, Ana, Cy]"),
    (f"top_by(t, 2, \"time\").name given t = {TEAM}", "[Cy, Ana]"),
    ("entry_fees", "175.50 EUR"),
    ("min([3, 1, 2])", "1"),
    ("max([2022-05-01, 2021-01-01])", "2022-05-01"),
    ("min(3, 1, 2)", "1"),
    ("sort([3, 1, 2])", "[1, 2, 3]"),
    ("top([3, 1, 2], 2)", "[3, 2]"),
    ("bottom([3, 1, 2], 5)", "[1, 2, 3]"),
    ("count([1, 2, 3] where item > 1)", "2"),
    ("sum([])", "0"),
    # issue #11: "points from races in the last 24 months"
    (f"sum((r where months_between(date, 2018-06-01) < 24).points) given r = {RESULTS}", "25"),  # 2017-01-01 and 2018-01-01
    ('subset(["OCC", "CCC"], ["OCC", "CCC", "UTMB"])', "yes"),
    ('subset(["TDS"], ["OCC", "CCC"])', "no"),
])
def test_list_functions_and_where(q, query: str, text: str) -> None:
    assert q(query).text == text


@pytest.mark.parametrize(("query", "message"), [
    ('sum(r.points) given r = [{points: 1}, {points: 1h}]', "cannot add duration to number"),
    ("min([])", "min of an empty list"),
    ('sort_by(r, "time") given r = [{name: "a"}]', "has no field 'time'"),
    ("top([1, 2], 1.5)", "whole number"),
    ('r where points given r = [{points: 3}]', "not yes or no"),
])
def test_lists_whose_items_do_not_fit_are_evaluation_errors(q, query: str, message: str) -> None:
    with pytest.raises(EvaluationError, match=message):
        q(query)


# ---- misuse: load errors, with a snapshot of the message ---------------------------------------------------

MISUSE = [
    ("sum-of-money-and-durations", "rule x = sum([1 EUR, 1h])\n"),
    ("sum-of-texts", 'rule x = sum(["a", "b"])\n'),
    ("sort-of-mixed-kinds", 'rule x = sort([1, "a"])\n'),
    ("where-on-a-number", "rule x = 3 where item > 1\n"),
    ("where-condition-not-bool", "rule x = [1, 2] where item + 1\n"),
    ("any-of-a-number", "rule x = any(3)\n"),
]


@pytest.mark.parametrize("body", [pytest.param(b, id=i) for i, b in MISUSE])
def test_misuse_is_a_located_load_error(body: str, snapshot) -> None:
    with pytest.raises(PolicyError) as caught:
        load(body)
    errors = caught.value.errors if isinstance(caught.value, PolicyErrors) else [caught.value]
    assert all(e.span.line >= 2 for e in errors)
    assert caught.value.render() == snapshot


# ---- format ------------------------------------------------------------------------------------------


def test_the_formatter_writes_where_and_list_calls_back_to_the_same_ast() -> None:
    text = DEMO + "rule nested(r: list) = count(r where date >= 2015-09-01) + 1\nrule w(r: list) = if true then (r where item > 1) else r\n"
    once = format_policy(text)
    assert parse_policy(once) == parse_policy(text)
    assert format_policy(once) == once
    assert "rule recent(results: list) = results where date >= 2015-09-01" in once


def test_the_utmb_index_takes_the_five_best_scores(ask) -> None:
    # seed 001:15 "The UTMB Index is established by taking into account the 5 best scores"
    answer = ask("index_scores([610, 702, 655, 590, 700, 688, 640])", edition="world-series-2023")
    assert answer.text == "[702, 700, 688, 655, 640]"
