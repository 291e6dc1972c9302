"""The API's generated call of a rule (issue #16): the same answers and errors as the checked path and the interpreter.

`edition.rule(name)(...)` runs one function generated for the rule, with the rules it calls inlined,
ints kept as ints where the rule only compares them, and money products computed on the amount;
`edition.interpreted()` runs the same calls through the interpreter; `edition.penalty_chart(race)`
is the chart as plain values. Each test holds one of them to the exact path.
"""

from __future__ import annotations

import datetime
import enum
import re
from decimal import Decimal

import pytest
import racepolicy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from racepolicy.api import WARM_UP_CALLS
from racepolicy.evaluation.codegen import generate_entry
from racepolicy.evaluation.compiled import compile_edition
from racepolicy.language import ast
from racepolicy.query.policyset import PolicySet

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def policies() -> PolicySet:
    return racepolicy.load()


def outcome(call, *args):
    """What an embedder sees: the value and its class, or the error's class and message."""
    try:
        value = call(*args)
    except racepolicy.PolicyError as error:
        return "error", type(error).__name__, error.message
    return "value", type(value).__name__, value


# ---- money: the amount computed without a Money, rounded as Money rounds -------------------------

REFUND = '''edition trail 2025 "x"
currency EUR
race LONG "Long":
  fee {fee} EUR
schedule cut:
  through 04-30 -> {first}%
  through 06-30 -> {second}%
  otherwise -> 0%
rule refund(race: race, cancelled: date) = race.fee * cut(cancelled)
rule back(race: race, cancelled: date) = cut(cancelled) * race.fee
'''

fees = st.decimals("0", "99999.99", places=2)
shares = st.decimals("0", "100", places=3)


@SETTINGS
@given(fee=fees, first=shares, second=shares, when=st.dates(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)))
def test_a_refund_is_the_same_decimal_on_every_path(fee: Decimal, first: Decimal, second: Decimal, when: datetime.date) -> None:
    # The generated call multiplies the fee's amount by the tier's ratio and quantizes to the cent ROUND_HALF_UP;
    # the Money path (`exact`, generated Money × Percent) and the interpreter (operators' Money.of) must agree to the cent.
    edition = racepolicy.loads(REFUND.format(fee=fee, first=first, second=second)).edition("trail-2025")
    for name in ("refund", "back"):
        for _ in range(WARM_UP_CALLS):  # warm: the generated entry answers the last call
            fast = edition.rule(name)("LONG", when)
        money, interpreted = edition.rule(name).exact("LONG", when), edition.interpreted().rule(name)("LONG", when)
        assert "generated_source" in vars(edition.rule(name))
        assert type(fast) is Decimal and fast == money.amount == interpreted, (name, fee, first, second, when)
        assert fast.as_tuple() == interpreted.as_tuple()  # the same sign, digits and exponent (a 0 % tier is 0.00)
        assert fast.as_tuple().exponent == -2  # to the cent, as Money keeps it


HALF = """edition trail 2025 "x"
currency EUR
race LONG "Long":
  fee 10.05 EUR
race SHORT "Short":
  distance 20 km
rule half(race: race) = race.fee * 50%
rule twice(race: race) = 2 * race.distance
"""


def test_a_race_attribute_read_by_the_races_name_answers_and_fails_as_the_interpreter() -> None:
    # GIVEN rules reading an attribute of a race argument, which the generated entry finds by the race's name in a dict
    # made when the code is generated, and a race without that attribute WHEN called warm with every kind of argument
    # THEN the answer or the error is the interpreter's
    edition = racepolicy.loads(HALF).edition("trail-2025")
    for name, good in (("half", "LONG"), ("twice", "SHORT")):
        rule, interpreted = edition.rule(name), edition.interpreted().rule(name)
        for _ in range(WARM_UP_CALLS):
            rule(good)
        assert "_h0 = " in rule.generated_source and "type(race)" not in rule.generated_source
        for race in ("LONG", "SHORT", "MEDIUM", 3, None):
            assert outcome(rule, race) == outcome(interpreted, race), (name, race)
    assert edition.rule("half")("LONG") == Decimal("5.03")  # 5.025 rounded half up, as Money rounds
    assert outcome(edition.rule("half"), "SHORT")[:2] == ("error", "EvaluationError")


def test_the_bundled_refund_is_the_interpreters_on_every_day(policies: PolicySet) -> None:
    edition = policies.edition("utmb-2022")
    compiled, interpreted = edition.rule("refund"), edition.interpreted().rule("refund")
    for day in range(365):
        when = datetime.date(2022, 1, 1) + datetime.timedelta(days=day)
        for race in edition.races:
            assert compiled(race, when).as_tuple() == interpreted(race, when).as_tuple()
    # seed 003:930 "End of April - End of June 50%"; seed 003:48 "Fees: UTMB®: 305€"
    assert compiled("UTMB", datetime.date(2022, 5, 15)) == Decimal("152.50")


# ---- the qualification chain, inlined, with the rank kept as an int --------------------------------

ranks = st.one_of(st.integers(-5, 400), st.integers(10**27, 10**40), st.decimals("-5", "400", places=1, allow_nan=False))


@SETTINGS
@given(
    tier=st.sampled_from(["major", "event", "index"]), category=st.sampled_from(["20K", "50K", "100K", "100M"]),
    sex=st.sampled_from(["men", "women"]), rank=ranks,
)
def test_the_qualification_answers_as_the_interpreter(policies: PolicySet, tier: str, category: str, sex: str, rank: int | Decimal) -> None:
    edition = policies.edition("world-series-2023")
    compiled, interpreted = edition.rule("finals_qualification"), edition.interpreted().rule("finals_qualification")
    assert outcome(compiled, tier, category, sex, rank) == outcome(interpreted, tier, category, sex, rank)
    assert outcome(compiled, tier, category, sex, rank) == outcome(lambda *a: compiled(*a[:3], rank=a[3]), tier, category, sex, rank)


class Tier(enum.StrEnum):
    MAJOR = "major"
    EVENT = "event"


def test_an_argument_read_only_as_a_key_of_the_policys_tables_is_checked_all_the_same(policies: PolicySet) -> None:
    # GIVEN finals_qualification, warm: its tier, category and sex are read only as keys of the policy's tables, which the
    # generated entry reads before the body, so it tests no class for them (issue #16)
    edition = policies.edition("world-series-2023")
    rule, interpreted = edition.rule("finals_qualification"), edition.interpreted().rule("finals_qualification")
    for _ in range(3):
        rule("major", "100K", "women", 7)
    assert "type(tier)" not in rule.generated_source and "type(category)" not in rule.generated_source
    assert "type(rank)" in rule.generated_source  # a number is compared, not looked up: it is tested
    # WHEN an argument is of another class, a text of no row (on a path that reads the row or not), a str subclass, or left
    # out THEN the answer or the error is the interpreter's, and the checked path's before warm-up
    cold = racepolicy.load().edition("world-series-2023").rule("finals_qualification")
    calls = [
        (1, "100K", "women", 0), ("major", 100, "women", 0), ("major", "100K", None, 0), (["major"], "100K", "women", 1),
        ("bogus", "100K", "women", 0), ("bogus", "100K", "women", 1), ("major", "100K", "women", 7),
        (Tier.MAJOR, "100K", "women", 7), (Tier.EVENT, "100M", "men", 4),
    ]
    for args in calls:
        expected = outcome(interpreted, *args)
        assert outcome(rule, *args) == expected, args
        assert outcome(cold, *args) == expected, args
    # seed 001:9 "the Top 3 qualifications for Events and Top 10 for Majors"; 100K is the CCC (seed 000:16 "CCC (100k)")
    assert rule(Tier.MAJOR, "100K", "women", 7) == "CCC" and type(rule(Tier.MAJOR, "100K", "women", 7)) is str
    assert outcome(rule, 1, "100K", "women", 0)[1:] == ("EvaluationError", "argument 'tier' of finals_qualification must be text, not int 1")
    missing = outcome(lambda: rule(tier="major", sex="women", rank=7))
    assert missing == outcome(lambda: interpreted(tier="major", sex="women", rank=7))
    assert missing[1:] == ("EvaluationError", "finals_qualification is missing argument(s) 'category'")
    assert rule(rank=7, sex="women", category="100K", tier="major") == "CCC"  # by name, in any order


def test_the_qualification_of_a_top_ten_major_finisher(policies: PolicySet) -> None:
    rule = policies.edition("world-series-2023").rule("finals_qualification")
    # seed 001 "the top 10 male and female runners in the 100M, 100K and 50K categories"; 100K is the CCC (seed 000 "CCC (100k)")
    assert rule("major", "100K", "women", 10) == "CCC"
    assert rule("major", "100K", "women", 11) == "none"
    assert rule("event", "20K", "men", 1) == "none"  # 20K: no Finals race (seed 000 "the three key distances")
    for wrong in (True, 1.0, "1"):
        with pytest.raises(racepolicy.PolicyError, match="argument 'rank' of finals_qualification must be number"):
            rule("major", "100K", "women", wrong)
    with pytest.raises(racepolicy.PolicyError, match="must be number"):
        rule("major", "100K", "women", Decimal("NaN"))


NUMBERS = '''edition trail 2025 "x"
currency EUR
rule within(n: number) = n >= 3 and n <= 10
rule inner(n: number) = n * 2
rule outer(n: number) = if n > 5 then inner(n) else n
rule mixed(n: number, m: number) = n < m and inner(m) > 7
'''


@SETTINGS
@given(n=st.one_of(st.integers(-20, 20), st.integers(-(10**40), 10**40)), m=st.integers(-20, 20))
def test_an_int_kept_as_it_is_gives_the_decimal_answer(n: int, m: int) -> None:
    # `within` only compares n (the int is kept); `outer` and `mixed` compute with it (a Decimal is made): same answers.
    edition = racepolicy.loads(NUMBERS).edition("trail-2025")
    interpreted = edition.interpreted()
    for name, args in (("within", (n,)), ("outer", (n,)), ("inner", (n,)), ("mixed", (n, m))):
        assert outcome(edition.rule(name), *args) == outcome(interpreted.rule(name), *args), (name, args)
        assert outcome(edition.rule(name), *args) == outcome(edition.rule(name), *map(Decimal, args)), (name, args)
    if -(10**6) < n < 10**6:
        assert type(edition.rule("outer")(n)) is Decimal


def test_the_generated_call_holds_no_text_from_the_policy(policies: PolicySet) -> None:
    from racepolicy.api import _FAST_ARGUMENTS

    checked = set()
    for key in ("world-series-2023", "utmb-2022"):
        edition = policies.find(key)
        unit = compile_edition(edition)
        for name, rule in edition.rules.items():
            accepts = [_FAST_ARGUMENTS.get(p.type, []) for p in rule.decl.params]
            if not all(accepts) or unit.fast(name) is None:
                continue
            entry = generate_entry(unit, rule.decl, rule.kind, lambda env: None, RuntimeError, accepts, print, str)
            assert entry is not None, name
            source = entry.generated_source  # type: ignore[attr-defined]
            checked.add(name)
            # The parameters' names are the entry's own (a call by keyword binds natively), each a lower-case word checked
            # by codegen.own_names; no other name of the policy, no text of it.
            params = {p.name for p in rule.decl.params}
            assert all(re.fullmatch(r"[a-z][a-z0-9_]*", p) for p in params)
            words = {name, *(n.name for n in rule.decl.find_all(ast.Name))} - params  # type: ignore[attr-defined]
            words |= {lit.value for lit in rule.decl.find_all(ast.Literal) if isinstance(lit.value, str)} - params  # type: ignore[attr-defined]
            for word in words:
                if len(word) >= 3:
                    assert word not in source.replace("racepolicy call", ""), (name, word)
    assert {"finals_qualification", "refund", "stones_back"} <= checked


# ---- the interpreter through the API ----------------------------------------------------------------


def test_the_interpreter_answers_every_rule_call_as_the_compiled_runner(policies: PolicySet) -> None:
    edition = policies.edition("utmb-2022")
    interpreted = edition.interpreted()
    assert interpreted.runner == "interpreter" and edition.runner == "compiled" and interpreted.interpreted() is interpreted
    calls = [
        ("stones_back", (9, False)), ("stones_back", (9, True)), ("bank_charges", ("UTMB",)), ("refund", ("CCC", datetime.date(2022, 7, 1))),
        ("cancellation_refund", (datetime.date(2022, 5, 15),)), ("refund", ("UTMBB", datetime.date(2022, 7, 1))), ("stones_back", (9.0, False)),
    ]
    for name, args in calls:
        assert outcome(interpreted.rule(name), *args) == outcome(edition.rule(name), *args), name
    # seed 003:951 "Runners used 9 Running Stones ... so they will be given back 5 Running Stones"
    assert interpreted.rule("stones_back")(9, False) == Decimal(5)
    assert repr(interpreted.rule("refund")).startswith("<function refund of utmb-2022 at ")
    # The interpreted callable checks its arguments inline too, then hands the converted values to the interpreter
    assert "_interpret(p0, p1)" in interpreted.rule("refund").generated_source
    query = "refund UTMB cancelled 2022-05-15"
    assert interpreted.ask(query).render(explain=True) == edition.ask(query).render(explain=True)


def test_the_interpreter_gives_the_same_decisions(policies: PolicySet) -> None:
    edition = policies.edition("utmb-2022")
    interpreted = edition.interpreted()
    for race in edition.races:
        for infraction in sorted(edition.edition.penalties):
            assert outcome(lambda i, r: interpreted.penalty(i, race=r), infraction, race) == outcome(lambda i, r: edition.penalty(i, race=r), infraction, race)
    two = ("smartphone_off", "missing_whistle")
    assert interpreted.penalty(*two, race="OCC") == edition.penalty(*two, race="OCC")


def test_an_unknown_runner_is_a_policy_error(policies: PolicySet) -> None:
    from racepolicy.api import Rulebook

    with pytest.raises(racepolicy.PolicyError, match="did you mean 'interpreter'"):
        Rulebook(policies.find("utmb-2022"), runner="interpretr")


# ---- the penalty chart of a race as plain values --------------------------------------------------


def test_a_penalty_chart_reads_as_penalty_does(policies: PolicySet) -> None:
    edition = policies.edition("utmb-2022")
    for runner in (edition, edition.interpreted()):
        for race in edition.races:
            chart = runner.penalty_chart(race)
            assert chart, race
            for infraction, plain in chart.items():
                decision = edition.penalty(infraction, race=race)
                assert plain == (decision.minutes if decision.kind == "time" else decision.kind), (race, infraction)
    chart = edition.penalty_chart("OCC")
    # seed 003:766 (OCC MCC ETC) "whistle ... 30 minute penalty"; seed 003:774 "Smartphone turned off or in airplane mode 10 minute penalty"
    assert chart["missing_whistle"] == 30 and chart["smartphone_off"] == 10
    assert edition.penalty_chart("UTMB")["missing_jacket"] == "disqualify"


def test_a_penalty_chart_is_a_plain_dict_of_its_own(policies: PolicySet) -> None:
    # GIVEN the chart of a race WHEN an embedder looks up an infraction the chart lacks, or changes its copy THEN it is a
    # plain dict: a KeyError, and the edition's chart stays as the policy has it; an unknown race is a PolicyError
    edition = policies.edition("utmb-2022")
    chart = edition.penalty_chart("UTMB")
    assert type(chart) is dict
    with pytest.raises(KeyError):
        chart["missing_jackett"]
    with pytest.raises(racepolicy.PolicyError, match="did you mean 'missing_jacket'"):
        edition.penalty("missing_jackett", race="UTMB")
    with pytest.raises(racepolicy.PolicyError, match="did you mean 'UTMB'"):
        edition.penalty_chart("UTMBB")
    chart["missing_jacket"] = 5
    # seed 003:667-669 "no waterproof jacket with hood ... Disqualification"
    assert edition.penalty_chart("UTMB")["missing_jacket"] == "disqualify"
    assert edition.penalty_chart("UTMB") == edition.interpreted().penalty_chart("UTMB")


BOUNDS = '''edition trail 2025 "x"
currency EUR
table places(tier: text):
  "major" -> 10
  "event" -> 3
table limit(tier: text):
  "major" -> 10.5
  "event" -> 3
rule in_places(tier: text, rank: number) = rank >= 1 and rank <= places(tier)
rule in_limit(tier: text, rank: number) = rank > 0.5 and rank <= limit(tier)
'''


@given(rank=st.one_of(st.integers(-3, 14), st.decimals(-3, 14, places=2, allow_nan=False, allow_infinity=False)),
       tier=st.sampled_from(["major", "event", "other"]))
@SETTINGS
def test_whole_bounds_compared_as_ints_answer_as_the_interpreter_does(rank: int | Decimal, tier: str) -> None:
    # Order comparisons with a whole constant, or with a table of whole constants, are generated with ints (issue #16):
    # exact for an int or a Decimal argument, on the bound and either side of it; a missing row is still the error.
    rulebook = racepolicy.loads(BOUNDS).edition("trail-2025")
    for name in ("in_places", "in_limit"):
        compiled, interpreted = rulebook.rule(name), rulebook.interpreted().rule(name)
        for _ in range(3):  # warm: the generated entry answers from here on
            outcome(compiled, "major", 1)
        assert outcome(compiled, tier, rank) == outcome(interpreted, tier, rank)


def test_a_table_of_whole_numbers_is_read_as_ints_in_a_comparison() -> None:
    rulebook = racepolicy.loads(BOUNDS).edition("trail-2025")
    for _ in range(3):
        rulebook.rule("in_places")("major", 1)
    namespace = rulebook.rule("in_places").__globals__
    tables = [v for v in namespace.values() if isinstance(v, dict) and v == {"major": 10, "event": 3}]
    assert any(all(type(x) is int for x in table.values()) for table in tables)
    # A table with a fraction in it stays Decimal: limit's 10.5 is never made an int.
    for _ in range(3):
        rulebook.rule("in_limit")("major", 1)
    limits = [v for v in rulebook.rule("in_limit").__globals__.values() if isinstance(v, dict) and "major" in v]
    assert limits and all(type(x) is Decimal for table in limits for x in table.values())
