"""Fuzzing: whatever the input, racepolicy answers or raises a PolicyError located inside the input.

Nothing else may escape (no RecursionError, KeyError, VisitError, ...) and nothing may hang.
The normal suite runs a few examples per property; `make fuzz` (or the environment
variable RACEPOLICY_FUZZ_EXAMPLES=N) runs N examples per property.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark
from racepolicy.language.errors import PolicyError, PolicyErrors
from racepolicy.language.source import Source
from racepolicy.pluginapi.manager import make_plugin_manager
from racepolicy.query.forms import answer
from racepolicy.query.policyset import PolicySet, compile_source

EXAMPLES = int(os.environ.get("RACEPOLICY_FUZZ_EXAMPLES", "0"))
# Generous: the machine is shared; a hang is minutes, a slow input a second.
TIME_LIMIT = 20.0


def fuzz_settings(normal: int, share: float = 1.0) -> Callable[[Any], Any]:
    """`normal` examples in the suite; in the long run EXAMPLES times `share` (slow generators get a smaller share)."""
    return settings(
        max_examples=max(1, int(EXAMPLES * share)) if EXAMPLES else normal,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        derandomize=not EXAMPLES,  # the normal suite is reproducible; the long run explores
        database=None,
    )


# ---- the property ------------------------------------------------------------


def assert_located(exc: PolicyError) -> None:
    """Every error carries its source and a span inside that source, and renders."""
    for error in exc.errors if isinstance(exc, PolicyErrors) else [exc]:
        assert error.source is not None, f"no source: {error.message}"
        lines = error.source.text.split("\n")
        span = error.span
        assert 1 <= span.line <= len(lines), f"line {span.line} outside input: {error.message}"
        assert 1 <= span.column <= len(lines[span.line - 1]) + 1, f"column {span.column} outside line {span.line}: {error.message}"
        assert error.code.startswith("RP")
        error.render()
        error.as_json()


def works_or_policy_error(action: Callable[[], Any]) -> Any:
    """Run `action`; a PolicyError is a fine outcome if located; anything else fails the property."""
    start = time.perf_counter()
    try:
        result = action()
    except PolicyError as exc:
        assert_located(exc)
        result = exc
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_LIMIT, f"took {elapsed:.1f}s"
    return result


@cache
def plugins() -> Any:
    return make_plugin_manager()


@cache
def bundled_set() -> PolicySet:
    return PolicySet.bundled(plugins())


@cache
def bundled_text() -> str:
    return resources.files("racepolicy.policies").joinpath("utmb-2022.policy").read_text(encoding="utf-8")


def load(text: str) -> Any:
    return works_or_policy_error(lambda: compile_source(Source("fuzz.policy", text), plugins()))


def exercise(edition: Any) -> None:
    """Ask a loaded edition every rule it can answer without arguments."""
    from racepolicy.language.parser import parse_query

    for name, rule in list(edition.rules.items())[:10]:
        if not rule.decl.params:
            source = Source("<query>", name)
            works_or_policy_error(lambda s=source: answer(edition, parse_query(s.text), s))
    if edition.checklists and edition.races:
        race = next(iter(edition.races))
        for text in (f"carry {race} with hot", f"required torch on {race}", f"penalty littering on {race} with cold"):
            source = Source("<query>", text)
            works_or_policy_error(lambda s=source: answer(edition, parse_query(s.text), s))
    # Penalty lines, with and without facts for their `when` conditions.
    for infraction in list(edition.penalties)[:3]:
        for race in list(edition.races)[:2]:
            for facts in ("", " given runner = {birth_year: 1990, sex: \"men\"}"):
                source = Source("<query>", f"penalty {infraction} on {race}{facts}")
                works_or_policy_error(lambda s=source: answer(edition, parse_query(s.text), s))


# ---- inputs: odd text ------------------------------------------------------------

ODD = [
    "\u202e", "\u200f", "\u200b", "\ufeff", "\u2028", "\x00", "\x0c", "\r", "\t", "\u00a0", "é", "§", "€", "𝟘", "\U0001f3c3",
    '"', "#", "(", ")", "[", "]", "{", "}", ",", ":", "=", "->", "..", "+", "-", "*", "/", "%", ".",
    "9" * 300, "0." + "1" * 200, "1e999", "(" * 200, ")" * 200, "not " * 200, "- " * 200, "if true then ",
    "2022-02-30", "0000-00-00", "99-99", "02-29", "46h99", "0min", "0d", "99999999999999d",
    "8.5h", "1.5d", "24:00", "99:99", "0:00", "23:59", "100 XYZ", "100 RMB", "30 cm", " at ",  # issue #11 item 5
]
odd_text = st.one_of(st.sampled_from(ODD), st.text(max_size=8), st.binary(max_size=8).map(lambda b: b.decode("latin-1")))

TOKEN = re.compile(r'\s+|"[^"\n]*"|#[^\n]*|\d[\d.:-]*\w*|\w+|->|\.\.|.', re.S)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """`text` with tokens deleted, duplicated, swapped, replaced by odd text, or cut short."""
    tokens = TOKEN.findall(text)
    for _ in range(draw(st.integers(1, 6))):
        if not tokens:
            break
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "replace", "truncate", "digits"]))
        i = draw(st.integers(0, len(tokens) - 1))
        j = draw(st.integers(0, len(tokens) - 1))
        if op == "delete":
            del tokens[i]
        elif op == "duplicate":
            tokens.insert(i, tokens[i])
        elif op == "swap":
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif op == "insert":
            tokens.insert(i, draw(odd_text))
        elif op == "replace":
            tokens[i] = draw(odd_text)
        elif op == "truncate":
            tokens = tokens[:i]
        elif op == "digits":
            tokens[i] = re.sub(r"\d+", lambda m: m.group() * draw(st.integers(1, 60)), tokens[i])
    return "".join(tokens)


@st.composite
def policy_slice(draw: st.DrawFn) -> str:
    """The bundled policy's header and a window of its lines (small, so many fit in a run)."""
    lines = bundled_text().split("\n")
    header = next(line for line in lines if line.startswith("edition"))
    start = draw(st.integers(0, len(lines) - 1))
    size = draw(st.integers(1, 40))
    return header + "\n" + "\n".join(lines[start : start + size])


# ---- inputs: generated from the grammar ------------------------------------------


@cache
def grammar() -> Lark:
    # from_lark needs the grammar object, which a cached parser does not keep.
    return Lark.open_from_package("racepolicy.grammar", "racepolicy.lark", start=["policy", "query"], parser="lalr")


RACES = ["UTMB", "CCC", "TDS", "OCC", "MCC", "ETC", "XYZ"]
RULES = ["r0", "r1", "r2", "refund", "stones_back", "cancellation_refund", "general_awards", "age_category", "born_in_time"]
FUNCS = [*RULES, "min", "max", "ceil", "floor", "round", "abs", "date", "years_between", "len", "nope",
         "working_days_after", "working_days_between", "add_months", "months_between", "date_of", "time_of",
         "sum", "count", "sort", "sort_by", "top", "bottom", "top_by", "bottom_by", "any", "all", "subset"]

literals = st.one_of(
    st.integers(0, 10**6).map(str),
    st.sampled_from(["2.5", "0", "171 km", "10000 m", "305 EUR", "0.01 USD", "50%", "0%", "46h30", "15min", "10d", "1h",
                     "2022-05-15", "1999-12-31", '"men"', '"Chamonix"', '""', "true", "false", "year", "999999999999999",
                     "08:30", "23:59", "30 cm", "100 RMB", "(2022-08-26 at 18:00)"]),
)
names = st.sampled_from([*RACES, "runner", "race", "x", "long", "short", "all", "p", "q", *RULES[:3]])


def expressions() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "and", "or", "in", "not in", "at"]), inner)
            .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            inner.map(lambda e: f"(-{e})"),
            inner.map(lambda e: f"(not {e})"),
            st.tuples(inner, inner, inner).map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
            st.tuples(st.sampled_from(FUNCS), st.lists(inner, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
            st.tuples(inner, st.sampled_from(["fee", "cutoff", "distance", "name", "birth_year", "nope"])).map(lambda t: f"{t[0]}.{t[1]}"),
            st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
            st.tuples(inner, inner).map(lambda t: f"({t[0]} where {t[1]})"),  # issue #11 item 2
            st.lists(st.tuples(st.sampled_from(["birth_year", "sex", "a"]), inner), max_size=3)
            .map(lambda items: "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"),
        )

    return st.recursive(st.one_of(literals, names), extend, max_leaves=12)


KIND_LITERALS = {
    "number": ["0", "1", "2.5", "37", "999999999999999", "year", "UTMB.capacity"],
    "money": ["305 EUR", "0 EUR", "0.01 EUR", "999999999999999 EUR", "UTMB.fee"],
    "duration": ["1h", "15min", "46h30", "10d", "0min", "UTMB.cutoff"],
    "percent": ["50%", "0%", "100%", "12.5%"],
    "date": ["2022-05-15", "2022-02-28", "9999-12-31", "0001-01-01"],
    "bool": ["true", "false"],
    "text": ['"men"', '""', '"Chamonix"', "UTMB.start"],
}
KIND_OPERATIONS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "number": [("({} + {})", ("number", "number")), ("({} * {})", ("number", "number")), ("({} / {})", ("number", "number")),
               ("(-{})", ("number",)), ("ceil({})", ("number",)), ("round({}, {})", ("number", "number")),
               ("years_between({}, {})", ("date", "date")), ("({} / {})", ("money", "money")), ("({} / {})", ("duration", "duration")),
               ("max({}, {})", ("number", "number")), ("({} * {})", ("number", "percent"))],
    "money": [("({} + {})", ("money", "money")), ("({} - {})", ("money", "money")), ("({} * {})", ("money", "number")),
              ("({} * {})", ("money", "percent")), ("({} / {})", ("money", "number")), ("min({}, {})", ("money", "money")),
              ("abs({})", ("money",))],
    "duration": [("({} + {})", ("duration", "duration")), ("({} * {})", ("duration", "number")), ("({} / {})", ("duration", "number")),
                 ("({} - {})", ("date", "date")), ("({} * {})", ("duration", "percent"))],
    "percent": [("({} + {})", ("percent", "percent")), ("({} * {})", ("percent", "percent"))],
    "date": [("({} + {})", ("date", "duration")), ("({} - {})", ("date", "duration")), ("date({}, {}, {})", ("number", "number", "number"))],
    "bool": [("({} < {})", ("number", "number")), ("({} >= {})", ("money", "money")), ("({} == {})", ("date", "date")),
             ("({} and {})", ("bool", "bool")), ("(not {})", ("bool",)), ("({} in [{}, {}])", ("text", "text", "text")),
             ("({} <= {})", ("duration", "duration"))],
    "text": [("(if {} then {} else {})", ("bool", "text", "text"))],
}


@cache
def typed(kind: str, depth: int = 3) -> st.SearchStrategy[str]:
    """Expressions that type-check as `kind`, so generated policies load and reach the evaluator."""
    leaves = st.sampled_from(KIND_LITERALS[kind])
    if depth == 0:
        return leaves
    ops = KIND_OPERATIONS[kind] + [("(if {} then {} else {})", ("bool", kind, kind))]
    branches = [
        st.tuples(*[st.deferred(lambda k=k: typed(k, depth - 1)) for k in kinds]).map(lambda parts, f=form: f.format(*parts))
        for form, kinds in ops
    ]
    return st.one_of(leaves, *branches)


@st.composite
def typed_policy(draw: st.DrawFn) -> str:
    """A policy that mostly loads: typed rules, a schedule, a table and a band, and queries of each."""
    kind = draw(st.sampled_from(list(KIND_LITERALS)))
    out = [
        'edition utmb 2022 "fuzz" currency EUR',
        f"race UTMB: fee {draw(typed('money', 1))}, cutoff {draw(typed('duration', 1))}, capacity 10, start \"Chamonix\", "
        f"eligible when {draw(typed('bool', 2))}",
        f"rule r0 = {draw(typed(kind))}",
        f"rule r1(p: number, q: money) = {draw(typed(kind))}",
        f"schedule s: through 04-30 -> {draw(typed(kind, 1))} otherwise -> {draw(typed(kind, 1))}",
        f"table t(race): UTMB -> {draw(typed(kind, 1))}",
        f"band b: 0..{draw(st.integers(0, 99))} -> {draw(typed(kind, 1))} 100+",
    ]
    return "\n".join(out)


@st.composite
def generated_policy(draw: st.DrawFn) -> str:
    """A policy built statement by statement from the grammar's shapes, with names that mostly resolve."""
    expr = expressions()
    out = ['edition utmb 2022 "fuzz" currency EUR']
    races = draw(st.lists(st.sampled_from(RACES[:4]), min_size=1, max_size=3, unique=True))
    if draw(st.booleans()):  # the policy's own race attributes (issue #11 item 10)
        out.append(f"attribute start_time: {draw(st.sampled_from(['time', 'money', 'tme', 'list']))}")
    for race in races:
        attrs = draw(st.lists(st.tuples(st.sampled_from(["fee", "cutoff", "distance", "capacity", "start", "nope", "start_time"]), expr), max_size=3))
        body = ", ".join(f"{k} {v}" for k, v in attrs) or "fee 1 EUR"
        if draw(st.booleans()):
            body += f", eligible when {draw(expr)}"
        out.append(f"race {race}: {body}")
    if draw(st.booleans()):
        out.append(f"group long = {', '.join(draw(st.lists(st.sampled_from([*RACES, 'long']), min_size=1, max_size=3)))}")
    out.append('infraction littering "rubbish"')
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from([*RACES, "long", "all"]))
        sanction = draw(st.sampled_from([
            "disqualify", "disqualify for life", "discretion", "as doping", "1h", "15min", "2d3h",
            # richer sanctions (issue #11 item 4)
            "disqualify immediately", "disqualify immediately for life", "disqualify for 2 years", "disqualify for 18 months",
            "disqualify for 0 years", "disqualify for 1.5 months", 'discretion of "the Race Jury"', "no penalty",
        ]))
        when = f" when {draw(expr)}" if draw(st.booleans()) else ""
        out.append(f"penalty {draw(st.sampled_from(['littering', 'missing_jacket', 'nope']))} on {target} = {sanction}{when}")
    if draw(st.booleans()):
        tiers = draw(st.lists(st.tuples(st.sampled_from(["04-30", "06-30", "02-29", "2022-07-31", "2021-01-01"]), expr), min_size=1, max_size=3))
        out.append("schedule cancellation_refund: " + " ".join(f"through {d} -> {v}" for d, v in tiers) + f" otherwise -> {draw(expr)}")
    if draw(st.booleans()):
        rows = draw(st.lists(st.tuples(st.sampled_from([*RACES, '"men"', "3", "long"]), expr), min_size=1, max_size=3))
        out.append("table general_awards(race): " + " ".join(f"{k} -> {v}" for k, v in rows))
    if draw(st.booleans()):
        bounds = draw(st.lists(st.sampled_from(["20..34", "35..39", "0..0", "40+", "39..35"]), min_size=1, max_size=3))
        out.append("band age_category: " + " ".join(bounds))
    if draw(st.booleans()):
        # An equipment checklist: quantities, kits, exceptions and ties that mostly resolve.
        kit = draw(st.sampled_from(["", "", " kit hot", " kit cold"]))
        target = draw(st.sampled_from([*RACES, "long", "all", "nope"]))
        items = draw(st.lists(st.tuples(
            st.sampled_from(["require", "recommend"]), st.sampled_from(["", "1 ", "2 ", "0 ", "1.5 "]), st.sampled_from(["torch", "whistle", "torch"]),
            st.sampled_from(["", ' spec "1.40m x 2m"', f" except {RACES[0]}", " absent littering", " fewer littering", " absent nope"]),
        ), min_size=1, max_size=3))
        out.append(f"checklist gear_{len(out)} on {target}{kit}: " + " ".join(f"{m} {c}{n}{rest}" for m, c, n, rest in items))
        # closed sets of words and the shape of facts (issue #11 item 1)
        out.append(draw(st.sampled_from([
            'words sex: "men" ("man", "m"), "women" ("woman", "w")', 'words sex case sensitive: "men", "Men"', 'words sex: "men" ("m"), "x" ("M")',
        ])))
        out.append(draw(st.sampled_from([
            "facts runner: birth_year: number, sex: sex optional", "facts runner: birth_year: numbr", "facts runner: a: number, a: text",
        ])))
        compared = draw(st.sampled_from(['"men"', '"man"', '"women"', "runner.sex", "1"]))
        out.append(f"rule w(s: sex) = s == {compared}")
        out.append(f"rule fr(runner: record) = runner.{draw(st.sampled_from(['birth_year', 'sex', 'nope']))} == {draw(expr)}")
    for i in range(draw(st.integers(1, 3))):
        params = draw(st.sampled_from(["", "", "", "(p)", "(p: number, q: money)", "(race: race)", "(p: date)", "(p: nonsense)", "(p: sex)"]))
        out.append(f"rule r{i}{params} = {draw(expr)}")
    return "\n".join(out)


@st.composite
def checklist_policy(draw: st.DrawFn) -> str:
    """A small policy whose checklists mostly load: races, a group, gear infractions with penalties, kits, quantities."""
    out = ['edition utmb 2022 "fuzz" currency EUR', "race OCC: fee 1 EUR", "race MCC: fee 1 EUR", "group short = OCC, MCC",
           'infraction missing_torch "no torch"', 'infraction only_one_torch "only one torch"',
           "penalty missing_torch on short = disqualify", "penalty only_one_torch on short = 30min"]
    for index in range(draw(st.integers(1, 3))):
        kit = draw(st.sampled_from(["", " kit hot", " kit cold", " kit hot"]))
        target = draw(st.sampled_from(["short", "OCC", "MCC", "OCC, MCC", "all", "XYZ"]))
        items = draw(st.lists(st.sampled_from([
            'require 2 torch "torches" absent missing_torch fewer only_one_torch', 'require torch "torch" except MCC absent missing_torch',
            'recommend poles "Poles" spec "carry them from the start"', 'require 1 torch absent missing_torch', 'require whistle',
            'require 3 torch fewer only_one_torch absent missing_torch § "3 torches"', "require torch fewer only_one_torch", "recommend torch absent nope",
        ]), min_size=1, max_size=3))
        out.append(f"checklist c{index} on {target}{kit}:\n  " + "\n  ".join(items))
    return "\n".join(out)


@fuzz_settings(normal=30)
@given(checklist_policy(), st.sampled_from([
    "carry OCC", "carry MCC with hot", "carry OCC with cold hot", "required torch on MCC", "required torch on OCC with hot",
    "how many torch on OCC with cold", "quantity poles on MCC", "penalty missing_torch on MCC", "penalty only_one_torch on OCC with hot",
    "penalty missing_torch, only_one_torch on OCC with cold, hot", "required nope on OCC", "carry XYZ", "how torch on OCC",
]))
def test_checklist_policies_load_and_answer_or_fail_cleanly(text: str, query: str) -> None:
    edition = load(text)
    if not isinstance(edition, PolicyError):
        from racepolicy.language.parser import parse_query

        source = Source("<query>", query)
        result = works_or_policy_error(lambda: answer(edition, parse_query(query), source))
        if not isinstance(result, PolicyError):
            result.render(explain=True)
            result.to_json_text()


queries = st.one_of(
    expressions(),
    st.tuples(expressions(), st.lists(st.tuples(st.sampled_from(["runner", "x", "race"]), expressions()), min_size=1, max_size=2))
    .map(lambda t: t[0] + " given " + ", ".join(f"{k} = {v}" for k, v in t[1])),
    st.sampled_from([
        "penalty missing_jacket on UTMB", "penalty smartphone_off, missing_whistle on OCC", "cutoff TDS", "refund UTMB cancelled 2022-05-15",
        "stones_back(9, false)", "eligible ETC given runner = {birth_year: 1990}", "title CCC", "age_category(37)",
        "elite_entry(UTMB, \"men\", 900)", "refund(UTMB, 2022-08-01)", "race_cancelled_refund(CCC, 2022-06-01, 2022-08-26)",
        "carry OCC with cold", "required torch on MCC", "how many torch on UTMB", "penalty missing_gloves, only_one_torch on OCC with cold, hot",
        "penalty cheating, no_chip on OCC", "penalty littering on UTMB given runner = {voluntary: true}",
        'elite_entry(UTMB, "Man", 900)', 'eligible MCC given runner = {birth_year: 1980, profile: "Volunteers", region: "valais"}',
        "refund(UTMB, 2022-08-01)", "race_cancelled_refund(CCC, 2022-06-01, 2022-08-26)",
    ]).flatmap(mutated),
)


# ---- properties ----------------------------------------------------------------------


@fuzz_settings(normal=25)
@given(policy_slice().flatmap(mutated))
def test_mutated_policy_slices_load_or_fail_cleanly(text: str) -> None:
    edition = load(text)
    if not isinstance(edition, PolicyError):
        exercise(edition)


@fuzz_settings(normal=3, share=0.1)
@given(mutated(bundled_text()))
def test_mutated_whole_policy_loads_or_fails_cleanly(text: str) -> None:
    load(text)


@fuzz_settings(normal=20, share=0.5)
@given(generated_policy())
def test_generated_policies_load_and_answer_or_fail_cleanly(text: str) -> None:
    edition = load(text)
    if not isinstance(edition, PolicyError):
        exercise(edition)


@fuzz_settings(normal=40)
@given(typed_policy(), st.sampled_from(["r0", "r1(37, 305 EUR)", "r1(p, q) given p = 1, q = 2 EUR", "s(2022-05-01)", "s(2022-12-31)",
                                        "t(UTMB)", "b(50)", "b(100)", "eligible UTMB", "fee UTMB", "r0 == r0"]))
def test_typed_policies_load_and_answer_or_fail_cleanly(text: str, query: str) -> None:
    edition = load(text)
    if not isinstance(edition, PolicyError):
        from racepolicy.language.parser import parse_query

        source = Source("<query>", query)
        works_or_policy_error(lambda: answer(edition, parse_query(query), source))


@fuzz_settings(normal=10, share=0.1)
@given(st.data())
def test_policies_from_the_raw_grammar_load_or_fail_cleanly(data: st.DataObject) -> None:
    load(data.draw(from_lark(grammar(), start="policy")))


@fuzz_settings(normal=60)
@given(queries)
def test_random_queries_answer_or_fail_cleanly(query: str) -> None:
    result = works_or_policy_error(lambda: bundled_set().ask(query))
    if not isinstance(result, PolicyError):
        result.render(explain=True)
        result.to_json_text()


@fuzz_settings(normal=10, share=0.1)
@given(st.data())
def test_queries_from_the_raw_grammar_answer_or_fail_cleanly(data: st.DataObject) -> None:
    query = data.draw(from_lark(grammar(), start="query"))
    works_or_policy_error(lambda: bundled_set().ask(query))


@fuzz_settings(normal=20)
@given(st.text(max_size=300))
def test_random_text_as_policy_or_query_fails_cleanly(text: str) -> None:
    load(text)
    works_or_policy_error(lambda: bundled_set().ask(text))


# ---- the extreme inputs the issue names, each once -----------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: "",
        lambda: "\n" * 1000,
        lambda: "x" * 10 * 1024 * 1024,
        lambda: bundled_text() + "\n# " + "x" * 10 * 1024 * 1024,
        lambda: 'edition utmb 2022 "t" rule r = ' + "(" * 10_000 + "1" + ")" * 10_000,
        lambda: 'edition utmb 2022 "t" rule r = ' + "[" * 10_000,
        lambda: 'edition utmb 2022 "t" rule r = ' + "not " * 10_000 + "true",
        lambda: 'edition utmb 2022 "t" rule r = ' + "9" * 500 + " EUR",
        lambda: bundled_text().replace("race UTMB", "race \u202eUTMB"),
        lambda: bundled_text().replace("penalty", "pen\u200balty", 3),
        lambda: "\ufeff" + bundled_text(),
        lambda: bundled_text().replace("\n", "\r\n"),
        lambda: bundled_text().replace("\n", "\r"),
        lambda: bundled_text().replace("\n", "\u2028"),
        lambda: bundled_text()[: len(bundled_text()) // 2],
    ],
    ids=["empty", "blank-lines", "10MB-junk", "10MB-comment", "10000-parentheses", "10000-open-lists", "10000-nots", "500-digit-money",
         "rtl-mark", "zero-width-space", "byte-order-mark", "crlf", "cr-only", "line-separators", "cut-in-half"],
)
def test_extreme_policies_load_or_fail_cleanly(make: Callable[[], str]) -> None:
    load(make())


@pytest.mark.parametrize(
    "query",
    ["", " ", "\x00", "(" * 10_000, "1 + " * 3_000 + "1", "-" * 5_000 + "1", "9" * 500, "penalty " + "x, " * 2000 + "x on UTMB"],
    ids=["empty", "space", "nul", "10000-parentheses", "long-sum", "5000-minus", "500-digits", "2000-infractions"],
)
def test_extreme_queries_fail_cleanly(query: str) -> None:
    works_or_policy_error(lambda: bundled_set().ask(query))


@fuzz_settings(normal=20, share=0.2)
@given(st.one_of(policy_slice(), policy_slice().flatmap(mutated), generated_policy(), typed_policy()))
def test_formatter_keeps_the_meaning_of_whatever_parses(text: str) -> None:
    from racepolicy.language.errors import FormatError
    from racepolicy.tools.formatter import format_policy

    result = works_or_policy_error(lambda: format_policy(text, "fuzz.policy"))
    assert not isinstance(result, FormatError), result.render()
    if isinstance(result, str):
        assert format_policy(result, "fuzz.policy") == result


# ---- fidelity constructs: readings, declared inputs, n/a cells, assertions, informative clauses, sources

FIDELITY_POLICY = '''edition demo 2024 "Demo" currency EUR
source "no-such-regulation.txt"
input last_place: number "the text does not say where the range ends" § "points by finishing position"
table top(distance) § "25 to 125 points" reading "per division" over "overall":
  "Half" -> 125 § "125 in a Half"
  "Marathon" -> n/a § "Marathon: N/A"
rule step = (top("Half") - 25) / (last_place - 1) § "points by finishing position"
race A: capacity 700 § "700 runners"
assert A.capacity == 700 § "700 runners"
informative § "The race was founded in 1980" "history: no rule"
'''


@fuzz_settings(30)
@given(mutated(FIDELITY_POLICY), st.sampled_from(["step", "step given last_place = 21", 'top("Marathon")', "step given last_place = 1",
                                                 'step given last_place = "x"', "A.capacity"]))
def test_mutated_fidelity_constructs_load_and_answer_or_fail_cleanly(text: str, query: str) -> None:
    edition = load(text)
    if not isinstance(edition, PolicyError):
        from racepolicy.language.parser import parse_query

        source = Source("<query>", query)
        works_or_policy_error(lambda: answer(edition, parse_query(query), source))
