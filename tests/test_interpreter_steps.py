"""The interpreter's bookkeeping kept exact by its fast paths (issue #16): the step budget, argument checks, table rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from racepolicy.evaluation.interpreter import MAX_STEPS, Evaluator
from racepolicy.language.errors import EvaluationError, StepLimitError
from racepolicy.language.source import NOWHERE, Source
from racepolicy.query.policyset import PolicySet, compile_source

HEADER = 'edition utmb 2022 "t"\n'


def _fan_policy(steps: int) -> str:
    """A rule `whole` whose answer takes exactly `steps` evaluation steps (one per node evaluated).

    `leaves(2)` takes 9 steps, `f0 = 1` takes 1 and `fk = f(k-1) + f(k-1)` takes 3 + 2 * steps(f(k-1)) = 2^(k+2) - 3; naming fk costs
    one step more. `whole` adds such names (one step per `+`) and pads the rest with unary minus (one step each).
    """
    rules = ["rule f0 = 1"] + [f"rule f{k} = f{k - 1} + f{k - 1}" for k in range(1, 20)]
    # Leaves evaluated in their parent (a literal, a parameter) count too: the call (1), its argument (1), the `if` (1),
    # `x >= 1` (3), `x + 1` (3).
    rules.append("rule leaves(x: number) = if x >= 1 then x + 1 else 0")
    left, terms = steps - 9, ["leaves(2)"]
    while left >= 30:
        cost = [(2 ** (k + 2) - 2) + 1 for k in range(20)]
        k = max(k for k in range(20) if cost[k] <= left)
        terms.append(f"f{k}")
        left -= cost[k]
    rules.append("rule whole = " + "-" * left + "(" + " + ".join(terms) + ")")
    return HEADER + "\n".join(rules) + "\n"


@pytest.mark.parametrize("extra", [0, 1])
def test_the_step_budget_counts_every_node_once(extra: int) -> None:
    # The handlers count their own node and evaluate leaves in place: the budget must be spent exactly as one step
    # per node, so an answer of MAX_STEPS steps is given and one of a step more is stopped.
    edition = compile_source(Source("fan.policy", _fan_policy(MAX_STEPS + extra)), None)
    evaluator = Evaluator(edition, tracing=False)
    if extra:
        with pytest.raises(StepLimitError):
            evaluator.call_rule("whole", [], NOWHERE)
    else:
        assert abs(evaluator.call_rule("whole", [], NOWHERE)) > 0
        assert evaluator._steps == MAX_STEPS


def test_a_traced_answer_spends_the_same_steps() -> None:
    edition = compile_source(Source("fan.policy", _fan_policy(5_000)), None)
    untraced, traced = Evaluator(edition, tracing=False), Evaluator(edition, tracing=True)
    assert untraced.call_rule("whole", [], NOWHERE) == traced.call_rule("whole", [], NOWHERE)
    assert untraced._steps == traced._steps == 5_000


CHECKS = HEADER + """\
rule half(x: number) = x / 2
rule via(x: any) = half(x)
table place(sex: text) § "t":
  "men" -> 10
rule places(sex: any) = place(sex)
"""


def test_argument_checks_are_made_for_every_new_kind_of_argument() -> None:
    # The classes of arguments that passed a rule's checks are remembered; another class is checked again.
    edition = compile_source(Source("checks.policy", CHECKS), None)
    evaluator = Evaluator(edition, tracing=False)
    assert evaluator.call_rule("via", [Decimal(3)], NOWHERE) == Decimal("1.5")
    with pytest.raises(EvaluationError) as info:
        evaluator.call_rule("via", ["three"], NOWHERE)
    assert info.value.message == "argument 'x' of half must be number, not text"
    with pytest.raises(EvaluationError) as info:
        evaluator.call_rule("half", ["three"], NOWHERE)
    assert info.value.message == "argument 'x' of half must be number, not text"
    assert evaluator.call_rule("half", [Decimal(3)], NOWHERE) == Decimal("1.5")


def test_a_table_row_found_in_place_and_a_missing_row_reported() -> None:
    edition = compile_source(Source("checks.policy", CHECKS), None)
    evaluator = Evaluator(edition, tracing=False)
    assert evaluator.call_rule("places", ["men"], NOWHERE) == Decimal(10)
    assert evaluator.call_rule("places", ["men"], NOWHERE) == Decimal(10)  # the second time from the table's memo
    for _ in range(2):
        with pytest.raises(EvaluationError) as info:
            evaluator.call_rule("places", ["women"], NOWHERE)
        assert info.value.message == "table place has no row for (women)"


def test_hints_are_left_out_only_of_the_errors_a_penalty_chart_drops(bundled: PolicySet) -> None:
    # Asked without facts, a `when` line that reads facts is passed over (its error's hint is never computed);
    # the evaluator's next errors still carry their hints.
    from racepolicy.language import ast

    edition = bundled.find("utmb-2022")
    evaluator = Evaluator(edition, tracing=False)
    conditional = [i for i in sorted(edition.penalties) if edition.has_conditional_penalty(i)]
    for infraction in conditional:
        for race in edition.races:
            if edition.penalty_for(infraction, race) is not None:
                evaluator.penalty((infraction,), race, NOWHERE)
    assert evaluator.unchecked_conditions  # the path that leaves the hints out was taken
    with pytest.raises(EvaluationError) as info:
        evaluator.evaluate(ast.Name(name="UTMBB"), {})
    assert info.value.hint == "did you mean 'UTMB'?"


def test_a_handler_not_known_to_count_its_step_is_made_to_count_it(bundled: PolicySet, monkeypatch: pytest.MonkeyPatch) -> None:
    # A node class added on another branch without the handlers' step prologue still costs its step: the evaluator
    # wraps every handler of a class outside _COUNTS_ITS_STEP (here the literal's, which then counts twice).
    from racepolicy.evaluation import interpreter
    from racepolicy.language import ast

    literal = ast.Literal(value=Decimal(1))
    edition = bundled.find("utmb-2022")
    plain = Evaluator(edition, tracing=False)
    plain.evaluate(literal, {})
    monkeypatch.setattr(interpreter, "_COUNTS_ITS_STEP", interpreter._COUNTS_ITS_STEP - {ast.Literal})
    wrapped = Evaluator(edition, tracing=False)
    assert wrapped.evaluate(literal, {}) == Decimal(1)
    assert (plain._steps, wrapped._steps) == (1, 2)


def test_untraced_calls_answer_as_traced_ones_on_the_qualification(bundled: PolicySet) -> None:
    # Untraced, rule calls and table rows are made inside the call node; traced, through call_rule and call_table.
    # Both must give every answer and every error alike.
    import itertools

    edition = bundled.find("world-series-2023")
    untraced, traced = Evaluator(edition, tracing=False), Evaluator(edition, tracing=True)
    answers = set()
    for tier, category, sex, rank in itertools.product(
        ["major", "event", "index", "other"], ["20K", "50K", "100K", "100M", "10K"], ["men", "women", "x"], range(-1, 13),
    ):
        args = [tier, category, sex, Decimal(rank)]
        outcomes = []
        for evaluator in (untraced, traced):
            try:
                outcomes.append(evaluator.call_rule("finals_qualification", args, NOWHERE))
            except EvaluationError as exc:
                outcomes.append((exc.message, exc.hint, exc.span))
        assert outcomes[0] == outcomes[1], args
        answers.add(str(outcomes[0]))
    assert {"none", "OCC", "CCC", "UTMB"} <= answers
    assert any("no row" in answer for answer in answers)  # an unknown tier or category is reported, alike


PASSING = HEADER + """\
rule inner(x: number, y: number) = x - y
rule outer(x: number, y: number) = inner(x, y)
rule swapped(y: number, x: number) = inner(x, y)
rule renamed(a: number, b: number) = inner(a, b)
rule wider(x: number, y: number, z: number) = inner(x, y) + z
rule loose(x: any, y: any) = inner(x, y)
rule positive(item: number) = item > 0
rule kept(items: list) = items where positive(item)
rule kept_here = [3, -1, 2] where positive(item)
"""


@pytest.mark.parametrize(("rule", "args", "expected"), [
    ("outer", [Decimal(5), Decimal(3)], Decimal(2)),
    ("swapped", [Decimal(5), Decimal(3)], Decimal(-2)),  # y = 5, x = 3: bound by name, not by position
    ("renamed", [Decimal(5), Decimal(3)], Decimal(2)),  # other names: bound afresh
    ("wider", [Decimal(5), Decimal(3), Decimal(10)], Decimal(12)),
    ("loose", [Decimal(5), Decimal(3)], Decimal(2)),
    ("kept", [(Decimal(3), Decimal(-1), Decimal(2))], (Decimal(3), Decimal(2))),
    ("kept_here", [], (Decimal(3), Decimal(2))),  # `where` binds `item`: the callee's parameter, by name
])
def test_a_rule_called_with_its_own_parameters_answers_as_with_fresh_bindings(rule: str, args: list[object], expected: object) -> None:
    # Untraced, a rule called with the names of its parameters takes the caller's environment when it holds just
    # those names; traced, the arguments are bound afresh. Answers and steps must be the same.
    edition = compile_source(Source("passing.policy", PASSING), None)
    untraced, traced = Evaluator(edition, tracing=False), Evaluator(edition, tracing=True)
    assert untraced.call_rule(rule, args, NOWHERE) == traced.call_rule(rule, args, NOWHERE) == expected
    assert untraced._steps == traced._steps


def test_a_rule_called_with_its_own_parameters_still_checks_their_kinds() -> None:
    edition = compile_source(Source("passing.policy", PASSING), None)
    for evaluator in (Evaluator(edition, tracing=False), Evaluator(edition, tracing=True)):
        assert evaluator.call_rule("loose", [Decimal(1), Decimal(1)], NOWHERE) == Decimal(0)
        with pytest.raises(EvaluationError) as info:
            evaluator.call_rule("loose", ["five", Decimal(3)], NOWHERE)
        assert info.value.message == "argument 'x' of inner must be number, not text"


@pytest.mark.parametrize(("edition_name", "rule", "args"), [
    # seed 003: "Until the End of April 60%" (a schedule of constant tiers, read in the call node untraced), UTMB.fee
    ("utmb-2022", "refund", ["UTMB", (2022, 5, 3)]),
    ("utmb-2022", "refund", ["OCC", (2022, 9, 1)]),
    # world series: a rule called with its own parameters, a table, and a rule called with one of them
    ("world-series-2023", "finals_qualification", ["event", "100M", "women", Decimal(2)]),
    ("world-series-2023", "finals_qualification", ["major", "50K", "men", Decimal(11)]),
])
def test_the_fast_paths_stop_at_the_step_and_node_the_traced_walk_stops_at(
    bundled: PolicySet, monkeypatch: pytest.MonkeyPatch, edition_name: str, rule: str, args: list[object],
) -> None:
    # With the budget set to every count below what the answer needs, the untraced evaluator (whose fast paths count
    # several steps at once, or leave the work to the general path near the limit) stops at the same node, with the
    # same error, as the traced one, which takes the general path throughout; at the count needed, both answer.
    import datetime

    from racepolicy.evaluation import interpreter

    edition = bundled.find(edition_name)
    values = [Evaluator(edition).race_value(a) if a in edition.races else datetime.date(*a) if isinstance(a, tuple) else a for a in args]
    traced = Evaluator(edition, tracing=True)
    answer = traced.call_rule(rule, values, NOWHERE)
    needed = traced._steps
    assert needed > 5
    for limit in range(1, needed + 1):
        monkeypatch.setattr(interpreter, "MAX_STEPS", limit)
        outcomes = []
        for evaluator in (Evaluator(edition, tracing=False), Evaluator(edition, tracing=True)):
            try:
                outcomes.append(evaluator.call_rule(rule, values, NOWHERE))
            except StepLimitError as exc:
                outcomes.append((exc.message, exc.span, exc.source.name))
        assert outcomes[0] == outcomes[1], limit
        assert (outcomes[0] == answer) is (limit == needed)
