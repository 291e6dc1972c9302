"""The compiled runner agrees with the interpreter: on generated expressions, on rule calls, on errors, on nodes it does not know."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from racepolicy.cli.main import main
from racepolicy.evaluation.codegen import RuleGenerator
from racepolicy.evaluation.compiled import CompiledEvaluator, compile_edition
from racepolicy.evaluation.interpreter import Evaluator
from racepolicy.evaluation.values import Money, render
from racepolicy.language import ast
from racepolicy.language.errors import EvaluationError, PolicyError
from racepolicy.language.source import NOWHERE, Source
from racepolicy.query.policyset import PolicySet

EDITION = "utmb-2022"
RACES = ("UTMB", "CCC", "TDS", "OCC", "MCC", "ETC")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def outcome(policies: PolicySet, query: str, runner: str) -> tuple[str, object]:
    """What a person would see: the value and its text, or the error message with its location."""
    try:
        answer = policies.ask(query, edition=EDITION, runner=runner, tracing=False)
    except PolicyError as exc:
        return "error", exc.render()
    return "value", (answer.value, answer.text)


def assert_runners_agree(policies: PolicySet, query: str) -> None:
    assert outcome(policies, query, "compiled") == outcome(policies, query, "interpreter"), query


# ---- generated expressions over typed literals -------------------------------------------

numbers = st.one_of(st.integers(-50, 500).map(str), st.decimals("-99.99", "999.99", places=2).map(str))
money = st.decimals("0", "999.99", places=2).map(lambda d: f"{d} EUR")
durations = st.sampled_from(["15min", "1h", "1h30", "46h30", "10d", "2d", "30min", "0min"])
percents = st.sampled_from(["0%", "5%", "50%", "60%", "100%", "12.5%"])
dates = st.dates(datetime.date(2020, 1, 1), datetime.date(2024, 12, 31)).map(lambda d: d.isoformat())
texts = st.sampled_from(['"men"', '"women"', '"free entry"', '""'])


def _binary(children: st.SearchStrategy[str], ops: list[str]) -> st.SearchStrategy[str]:
    return st.tuples(children, st.sampled_from(ops), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})")


def _typed(leaf: st.SearchStrategy[str], ops: list[str]) -> st.SearchStrategy[str]:
    return st.recursive(leaf, lambda inner: _binary(inner, ops), max_leaves=6)


number_exprs = _typed(numbers, ["+", "-", "*", "/"])
money_exprs = st.one_of(
    _typed(money, ["+", "-"]),
    st.tuples(money, st.sampled_from(["*", "/"]), numbers).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
    st.tuples(money, percents).map(lambda t: f"({t[0]} * {t[1]})"),
)
duration_exprs = st.one_of(
    _typed(durations, ["+", "-"]),
    st.tuples(durations, st.sampled_from(["*", "/"]), numbers).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
)
date_exprs = st.one_of(dates, st.tuples(dates, st.sampled_from(["+", "-"]), durations).map(lambda t: f"({t[0]} {t[1]} {t[2]})"))
comparisons = st.one_of(
    *(
        st.tuples(strategy, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), strategy).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
        for strategy in (number_exprs, money_exprs, duration_exprs, date_exprs, texts)
    )
)
bool_exprs = st.recursive(
    st.one_of(st.sampled_from(["true", "false"]), comparisons),
    lambda inner: st.one_of(_binary(inner, ["and", "or", "==", "!="]), inner.map(lambda e: f"not {e}")),
    max_leaves=5,
)
any_exprs = st.one_of(number_exprs, money_exprs, duration_exprs, date_exprs, bool_exprs, texts)
conditionals = st.tuples(bool_exprs, any_exprs, any_exprs).map(lambda t: f"if {t[0]} then {t[1]} else {t[2]}")
calls = st.one_of(
    number_exprs.map(lambda e: f"ceil({e})"),
    number_exprs.map(lambda e: f"round({e}, 1)"),
    st.tuples(number_exprs, number_exprs).map(lambda t: f"max({t[0]}, {t[1]})"),
    money_exprs.map(lambda e: f"abs({e} - 500 EUR)"),
    st.tuples(dates, dates).map(lambda t: f"years_between({t[0]}, {t[1]})"),
    st.tuples(any_exprs, st.lists(any_exprs, max_size=3)).map(lambda t: f"{t[0]} in [{', '.join(t[1])}]"),
)


@SETTINGS
@given(expr=st.one_of(any_exprs, conditionals, calls))
def test_compiled_and_interpreted_expressions_agree(bundled: PolicySet, expr: str) -> None:
    assert_runners_agree(bundled, expr)


@SETTINGS
@given(left=any_exprs, op=st.sampled_from(["+", "-", "*", "/", "<", "==", "and", "in"]), right=any_exprs)
def test_ill_typed_mixes_fail_the_same_way(bundled: PolicySet, left: str, op: str, right: str) -> None:
    # Mixed kinds are mostly load-time type errors; both runners must report the same one.
    assert_runners_agree(bundled, f"{left} {op} {right}")


# ---- rule calls of the bundled policy with generated inputs ---------------------------------

races = st.sampled_from(RACES)
bundled_calls = st.one_of(
    st.tuples(races, dates).map(lambda t: f"refund({t[0]}, {t[1]})"),
    st.tuples(races, dates, dates).map(lambda t: f"race_cancelled_refund({t[0]}, {t[1]}, {t[2]})"),
    st.tuples(races, texts, st.integers(0, 1000)).map(lambda t: f"elite_entry({t[0]}, {t[1]}, {t[2]})"),
    st.tuples(races, st.integers(1, 20), st.integers(1, 10)).map(lambda t: f"receives_award({t[0]}, {t[1]}, {t[2]})"),
    st.tuples(races, st.booleans()).map(lambda t: f"amount_paid({t[0]}, {str(t[1]).lower()})"),
    st.tuples(st.integers(0, 99), st.booleans()).map(lambda t: f"stones_back({t[0]}, {str(t[1]).lower()})"),
    st.integers(0, 100).map(lambda n: f"age_category({n})"),
    money.map(lambda m: f"trip_insurance_price({m})"),
    st.tuples(races, st.integers(1960, 2010)).map(lambda t: f"eligible {t[0]} given runner = {{birth_year: {t[1]}}}"),
    st.tuples(st.integers(1960, 2010), st.sampled_from(['"volunteer"', '"runner"'])).map(
        lambda t: f'eligible MCC given runner = {{birth_year: {t[0]}, profile: {t[1]}, region: "Valais"}}'
    ),
    st.tuples(st.lists(st.sampled_from(["missing_jacket", "missing_whistle", "smartphone_off", "cheating", "short_cutting"]), min_size=1,
                       max_size=3, unique=True), races).map(lambda t: f"penalty {', '.join(t[0])} on {t[1]}"),
    st.tuples(races, dates).map(lambda t: f"refund {t[0]} cancelled {t[1]}"),
)


@SETTINGS
@given(query=bundled_calls)
def test_compiled_and_interpreted_rule_calls_agree(bundled: PolicySet, query: str) -> None:
    assert_runners_agree(bundled, query)


@pytest.fixture(scope="module")
def without_if_and_fields() -> PolicySet:
    """Policies of their own, compiled while the code generator is made to forget two node classes."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delattr(RuleGenerator, "_IfExpr")
        patch.delattr(RuleGenerator, "_Field")
        policies = PolicySet.bundled()
        edition = policies.find(EDITION)
        for name in edition.rules:
            compile_edition(edition).rule(name)  # generated now, while the two classes are unknown
    return policies


@SETTINGS
@given(query=bundled_calls)
def test_node_classes_the_generator_does_not_know_are_left_to_the_interpreter(without_if_and_fields: PolicySet, query: str) -> None:
    # What a construct added to the interpreter alone gets under the compiled runner: the same answers and errors.
    assert_runners_agree(without_if_and_fields, query)


def test_an_unknown_node_class_is_interpreted_inside_generated_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(RuleGenerator, "_IfExpr")
    edition = PolicySet.bundled().find(EDITION)
    decl = edition.rules["stones_back"].decl  # if insured then stones else ceil(stones * 50%)
    generator = RuleGenerator(compile_edition(edition), decl, lambda env: None)
    assert generator.build(lambda args: None, lambda: RuntimeError()) is not None
    assert "_interpret(" in generator.source  # the whole rule is still generated; only the `if` is handed over
    assert render(compile_edition(edition).rule("stones_back")(Decimal(9), False)) == "5"  # seed 003:951 (9 stones, uninsured: 5 back)


def test_generated_code_holds_no_text_from_the_policy(bundled: PolicySet) -> None:
    edition = bundled.find(EDITION)
    unit = compile_edition(edition)
    for name, rule in edition.rules.items():
        generator = RuleGenerator(unit, rule.decl, lambda env: None)
        assert generator.build(lambda args: None, lambda: RuntimeError()) is not None
        words = {name, *(p.name for p in rule.decl.params), *(n.name for n in rule.decl.find_all(ast.Name))}  # type: ignore[attr-defined]
        words |= {lit.value for lit in rule.decl.find_all(ast.Literal) if isinstance(lit.value, str)}  # type: ignore[attr-defined]
        for word in words:
            if len(word) >= 3:
                assert word not in generator.source.replace("racepolicy rule", ""), (name, word)


@SETTINGS
@given(race=races, when=st.dates(datetime.date(2021, 6, 1), datetime.date(2022, 12, 31)))
def test_compiled_rule_function_matches_interpreter_call(bundled: PolicySet, race: str, when: datetime.date) -> None:
    edition = bundled.find(EDITION)
    unit = compile_edition(edition)
    expected = Evaluator(edition, tracing=False).call_rule("refund", [unit.race_values[race], when], NOWHERE)
    assert unit.rule("refund")(unit.race_values[race], when) == expected


# ---- plain facts and the shared interface ------------------------------------------------


def test_refund_in_may_is_half_the_fee_under_both_runners(ask) -> None:
    # seed 003 "CANCELLATION OF A REGISTRATION": End of April - End of June: 50%; UTMB fee 305€
    answer = ask("refund UTMB cancelled 2022-05-15")
    assert answer.value == Money(Decimal("152.50"), "EUR")
    assert answer.text == "152.50 EUR (50% of 305.00 EUR)"


def test_compiled_answer_carries_the_interpreters_trace(bundled: PolicySet) -> None:
    compiled = bundled.ask("refund UTMB cancelled 2022-05-15", runner="compiled")
    interpreted = bundled.ask("refund UTMB cancelled 2022-05-15", runner="interpreter")
    assert compiled.trace == interpreted.trace
    assert compiled.render(explain=True) == interpreted.render(explain=True)


def test_compiled_runner_without_tracing_records_no_trace(bundled: PolicySet) -> None:
    answer = bundled.ask("stones_back(9, false)", runner="compiled", tracing=False)
    assert answer.text == "5"
    assert answer.trace == ()


def test_compiled_rule_refuses_an_argument_of_the_wrong_kind(bundled: PolicySet) -> None:
    refund = compile_edition(bundled.find(EDITION)).rule("refund")
    with pytest.raises(EvaluationError, match="argument 'cancelled' of refund must be date, not text"):
        refund(compile_edition(bundled.find(EDITION)).race_values["UTMB"], "2022-05-15")


def test_compiled_evaluator_is_an_evaluator_for_query_forms(bundled: PolicySet) -> None:
    evaluator = CompiledEvaluator(bundled.find(EDITION))
    assert isinstance(evaluator, Evaluator)
    assert render(evaluator.call("stones_back", [Decimal(3), False], NOWHERE)) == "2"


def test_query_command_takes_a_runner(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--runner", "compiled", "--explain", "refund UTMB cancelled 2022-05-15"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("152.50 EUR")
    assert "schedule cancellation_refund" in out


def test_unknown_runner_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--runner", "jit", "cutoff TDS"]) == 2
    assert "jit" in capsys.readouterr().err


# ---- tables of text-keyed constants: one dict probe in generated code (issue #16) -----------------

TEXT_TABLES = '''edition trail 2025 "x"
currency EUR
table finals(category: text):
  "50K" -> "OCC"
  "100K" -> "CCC"
table places(tier: text, sex: text):
  "major", "men" -> 10
  "event", "men" -> 3
  otherwise -> 0
rule finals_of(category: text) = finals(category)
rule is_occ(category: text) = finals(category) == "OCC"
rule places_of(tier: text, sex: text) = places(tier, sex)
'''


@pytest.mark.parametrize(
    "query",
    ['finals_of("50K")', 'finals_of("100K")', 'finals_of("20K")', 'is_occ("50K")', 'is_occ("100K")', 'is_occ("20K")',
     'places_of("event", "men")', 'places_of("index", "women")', 'places_of("major", "men")'],
)
def test_text_keyed_tables_answer_and_fail_alike_under_both_runners(query: str) -> None:
    # A key the dict of rows lacks (the `otherwise` row, or no row at all) goes to the table's own lookup.
    policies = PolicySet()
    policies.add(Source("tables.policy", TEXT_TABLES))

    def seen(runner: str) -> tuple[str, object]:
        try:
            answer = policies.ask(query, edition="trail-2025", runner=runner, tracing=False)
        except PolicyError as exc:
            return "error", exc.render()
        return "value", answer.text

    assert seen("compiled") == seen("interpreter")
    if "20K" in query:
        assert "table finals has no row for (20K)" in str(seen("compiled")[1])


def test_a_text_keyed_table_is_read_by_one_dict_probe() -> None:
    policies = PolicySet()
    edition = policies.add(Source("tables.policy", TEXT_TABLES))
    generator = RuleGenerator(compile_edition(edition), edition.rules["finals_of"].decl, lambda env: None)
    assert generator.build(lambda args: None, lambda: RuntimeError()) is not None
    probes = [v for v in generator.namespace.values() if type(v) is dict and v == {"50K": "OCC", "100K": "CCC"}]
    assert probes, "the rows of `finals` are a dict in the generated function's namespace"
    assert "[p0]" in generator.source, "and the body reads a row by subscripting it with the argument"
