"""Embedder workloads (issue #16) through the public API with plain values, beside peer engines, in one table.

Three workloads, as a timing system or a registration platform would call a rules engine:
qualification (tier, category, sex, rank → bool: `finals_qualification` of the World Series
policy as encoded; its score route reads a declared input, `score_threshold`, which the seed
gave as an image and the public API cannot supply yet), penalty lookup (race name, infraction → "disqualify"/"discretion" or minutes, the
UTMB 2022 chart) and refund by date (race name, date → Decimal to the cent, the UTMB 2022
schedule). racepolicy is measured under both runners through the public API: the compiled
one (`edition.rule(...)`, `edition.penalty_chart(race)`) and the interpreter
(`edition.interpreted()`), and for penalties also with the whole `Decision` of
`edition.penalty()` on every item. Each engine answers the same items; its answers are checked equal to the
hand-written Python ones before it is timed; the ratio is CPU time against the hand-written
time measured in the same process. Peers (`pip install -e '.[bench]'`): rule-engine,
cel-python (interpreted and compiled runners) and cedarpy where it can express the rule (an
authorisation engine answers allow/deny: qualification only). A peer not installed is shown
as such.

    python bench/peers.py [--items N]
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import sys
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import racepolicy
import run as bench  # the hand-written qualification and its thresholds

Engine = Callable[[], list[Any]]


# ---- the three workloads: items, the hand-written answer, racepolicy through the public API -----


def qualification(policies: racepolicy.PolicySet, n: int) -> tuple[list[tuple[Any, ...]], dict[str, Engine | str]]:
    rows = [(t, c, s, r) for t, c, s, r, _ in bench.result_rows(n)]
    series = policies.edition("world-series-2023")
    by_rank = series.rule("finals_qualification")
    interpreted = series.interpreted().rule("finals_qualification")
    engines: dict[str, Engine | str] = {
        # The rank stays an int, as a programmer would pass it: comparing ints is exact, and a Decimal built per call
        # would slow the baseline down, not ours.
        "hand-written Python": lambda: [bench.finals_by_hand(t, c, s, r) != "none" for t, c, s, r in rows],
        "racepolicy (compiled, public API)": lambda: [by_rank(t, c, s, r) != "none" for t, c, s, r in rows],
        "racepolicy (interpreter, public API)": lambda: [interpreted(t, c, s, r) != "none" for t, c, s, r in rows],
    }
    finals = dict(bench.FINALS_RACE)
    places = {f"{tier}/{sex}": count for (tier, sex), count in bench.AUTOMATIC_PLACES.items()}
    # The same route as the policy's `finals_qualification`: a Finals race for the category, and rank within the places.
    expression = 'finals[category] != "none" and rank >= 1 and rank <= places[tier + "/" + sex]'
    try:
        import rule_engine

        rule = rule_engine.Rule(expression)
        engines["rule-engine"] = lambda: [
            rule.matches({"tier": t, "category": c, "sex": s, "rank": r, "finals": finals, "places": places})
            for t, c, s, r in rows
        ]
    except ImportError:
        engines["rule-engine"] = "not installed"
    try:
        import celpy
        from celpy import celtypes

        cel = expression.replace(" and ", " && ").replace(" or ", " || ")
        tables = {"finals": celpy.json_to_cel(finals), "places": celpy.json_to_cel(places)}
        for label, runner in (("cel-python (interpreted)", celpy.InterpretedRunner), ("cel-python (compiled)", celpy.CompiledRunner)):
            program = _cel_program(cel, runner)
            if isinstance(program, str):
                engines[label] = program
                continue

            def run_cel(program: Any = program) -> list[Any]:
                return [
                    bool(program.evaluate({
                        "tier": celtypes.StringType(t), "category": celtypes.StringType(c), "sex": celtypes.StringType(s),
                        "rank": celtypes.IntType(r), **tables,
                    }))
                    for t, c, s, r in rows
                ]

            engines[label] = run_cel
    except ImportError:
        engines["cel-python"] = "not installed"
    try:
        import cedarpy

        # Cedar has no map lookup by a computed key: the tables become conditions, one per Finals category and tier.
        policy = (
            'permit(principal, action, resource) when { context.category != "20K" && ('
            'context.rank >= 1 && ((context.tier == "major" && context.rank <= 10) || (context.tier == "event" && context.rank <= 3))) };'
        )

        def run_cedar() -> list[Any]:
            return [
                cedarpy.is_authorized({
                    "principal": 'Runner::"r"', "action": 'Action::"qualify"', "resource": 'Finals::"f"',
                    "context": {"tier": t, "category": c, "sex": s, "rank": r},
                }, policy, []).allowed
                for t, c, s, r in rows
            ]

        engines["cedarpy"] = run_cedar
    except ImportError:
        engines["cedarpy"] = "not installed"
    return rows, engines


def penalties(policies: racepolicy.PolicySet, n: int) -> tuple[list[tuple[Any, ...]], dict[str, Engine | str]]:
    edition = policies.edition("utmb-2022")
    model = edition.edition
    rng = random.Random(1)
    infractions, races = sorted(model.penalties), sorted(model.races)
    cases = [(rng.choice(races), rng.choice(infractions)) for _ in range(n)]
    cases = [(race, infraction) for race, infraction in cases if model.penalty_for(infraction, race) is not None]

    def plain(decision: racepolicy.Decision) -> Any:
        return decision.minutes if decision.kind == "time" else decision.kind

    # The chart a programmer would type in, one entry per (race, infraction).
    # Keyed by race, then infraction: the layout the API's chart has, so that both sides do the same two dict probes.
    chart: dict[str, dict[str, Any]] = {}
    for race, infraction in set(cases):
        chart.setdefault(race, {})[infraction] = plain(edition.penalty(infraction, race=race))
    # Through the API: each race's chart (`penalty_chart`: infraction -> the same plain value), as a timing system
    # serving several races holds them. The compiled rulebook makes it from its index of the chart, the interpreted
    # one by asking the interpreter for every entry; a lookup is then a dict probe under either runner. The rows
    # "penalty() per call" ask for the whole Decision (kind, minutes, citations) on every item instead.
    charts = {race: edition.penalty_chart(race) for race in races}
    interpreted = edition.interpreted()
    charts_interpreted = {race: interpreted.penalty_chart(race) for race in races}
    engines: dict[str, Engine | str] = {
        "hand-written Python": lambda: [chart[race][infraction] for race, infraction in cases],
        "racepolicy (compiled, public API)": lambda: [charts[race][infraction] for race, infraction in cases],
        "racepolicy (interpreter, public API)": lambda: [charts_interpreted[race][infraction] for race, infraction in cases],
        "racepolicy penalty() per call (compiled)": lambda: [plain(edition.penalty(infraction, race=race)) for race, infraction in cases],
        "racepolicy penalty() per call (interpreter)": lambda: [plain(interpreted.penalty(infraction, race=race)) for race, infraction in cases],
    }
    keyed = {f"{race}/{infraction}": value for race, row in chart.items() for infraction, value in row.items()}
    try:
        import rule_engine

        rule = rule_engine.Rule('chart[race + "/" + infraction]')
        engines["rule-engine"] = lambda: [_whole(rule.evaluate({"race": r, "infraction": i, "chart": keyed})) for r, i in cases]
    except ImportError:
        engines["rule-engine"] = "not installed"
    try:
        import celpy
        from celpy import celtypes

        table = celpy.json_to_cel(keyed)
        for label, runner in (("cel-python (interpreted)", celpy.InterpretedRunner), ("cel-python (compiled)", celpy.CompiledRunner)):
            program = _cel_program('chart[race + "/" + infraction]', runner)
            engines[label] = program if isinstance(program, str) else lambda program=program: [
                _whole(program.evaluate({"race": celtypes.StringType(r), "infraction": celtypes.StringType(i), "chart": table})) for r, i in cases
            ]
    except ImportError:
        engines["cel-python"] = "not installed"
    engines["cedarpy"] = "cannot express it (allow/deny only)"
    return cases, engines


def _cel_program(expression: str, runner: Any) -> Any:
    """A cel-python program, or the reason it cannot be built (cel-python 0.5's compiled runner fails on some expressions)."""
    import celpy

    environment = celpy.Environment(runner_class=runner)
    try:
        return environment.program(environment.compile(expression))
    except Exception as exc:  # a peer's own failure is a cell of the table, not a crash of the benchmark
        return f"fails to build the program ({type(exc).__name__})"


def _whole(value: Any) -> Any:
    """A peer's number as the hand-written one holds it (int minutes), its text as str."""
    if isinstance(value, str):
        return str(value)
    return int(value)


def refunds(policies: racepolicy.PolicySet, n: int) -> tuple[list[tuple[Any, ...]], dict[str, Engine | str]]:
    edition = policies.edition("utmb-2022")
    model = edition.edition
    rng = random.Random(3)
    races = sorted(model.races)
    first = datetime.date(2022, 1, 1)
    cases = [(rng.choice(races), first + datetime.timedelta(days=rng.randint(0, 240))) for _ in range(n)]
    fees = {name: race.attributes["fee"].amount for name, race in model.races.items()}
    # seed 003 "CANCELLATION OF A REGISTRATION": 60% to the end of April, 50% to the end of June, 30% to the end of July.
    tiers = [(datetime.date(2022, 4, 30), Decimal("0.6")), (datetime.date(2022, 6, 30), Decimal("0.5")), (datetime.date(2022, 7, 31), Decimal("0.3"))]
    cent = Decimal("0.01")

    # Written as a programmer would: a chain of date comparisons, no generator (the fairest baseline to compare with).
    (april, june, july), (sixty, fifty, thirty) = ((t for t, _ in tiers), (s for _, s in tiers))
    nothing = Decimal("0.00")

    def by_hand(race: str, cancelled: datetime.date) -> Decimal:
        if cancelled <= april:
            share = sixty
        elif cancelled <= june:
            share = fifty
        elif cancelled <= july:
            share = thirty
        else:
            return nothing
        return (fees[race] * share).quantize(cent, rounding=ROUND_HALF_UP)

    refund = edition.rule("refund")
    interpreted = edition.interpreted().rule("refund")
    engines: dict[str, Engine | str] = {
        "hand-written Python": lambda: [by_hand(r, d) for r, d in cases],
        "racepolicy (compiled, public API)": lambda: [refund(r, d) for r, d in cases],
        "racepolicy (interpreter, public API)": lambda: [interpreted(r, d) for r, d in cases],
    }
    try:
        import rule_engine

        # rule-engine's numbers are Decimals, its dates datetimes: exact, with the rounding done by the caller.
        rule = rule_engine.Rule(
            'fees[race] * (cancelled <= d"2022-04-30" ? 0.6 : (cancelled <= d"2022-06-30" ? 0.5 : (cancelled <= d"2022-07-31" ? 0.3 : 0)))'
        )
        engines["rule-engine"] = lambda: [
            Decimal(rule.evaluate({"race": r, "cancelled": datetime.datetime(d.year, d.month, d.day), "fees": fees})).quantize(cent, rounding=ROUND_HALF_UP)
            for r, d in cases
        ]
    except ImportError:
        engines["rule-engine"] = "not installed"
    try:
        import celpy
        from celpy import celtypes

        # CEL has no decimal: whole cents in int, the share in per cent.
        cents = celpy.json_to_cel({name: int(fee * 100) for name, fee in fees.items()})
        expression = (
            'fees[race] * (cancelled <= timestamp("2022-04-30T00:00:00Z") ? 60 : (cancelled <= timestamp("2022-06-30T00:00:00Z") ? 50 : '
            '(cancelled <= timestamp("2022-07-31T00:00:00Z") ? 30 : 0))) / 100'
        )
        for label, runner in (("cel-python (interpreted)", celpy.InterpretedRunner), ("cel-python (compiled)", celpy.CompiledRunner)):
            program = _cel_program(expression, runner)
            engines[label] = program if isinstance(program, str) else lambda program=program: [
                Decimal(int(program.evaluate({
                    "race": celtypes.StringType(r), "fees": cents,
                    "cancelled": celtypes.TimestampType(datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.UTC)),
                }))) / 100
                for r, d in cases
            ]
    except ImportError:
        engines["cel-python"] = "not installed"
    engines["cedarpy"] = "cannot express it (allow/deny only)"
    return cases, engines


WORKLOADS = {"qualification": qualification, "penalty lookup": penalties, "refund by date": refunds}


# Issue #16's targets for racepolicy through the public API: the ratio to hand-written Python at most this.
TARGETS = {"racepolicy (compiled, public API)": 1.3, "racepolicy (interpreter, public API)": 10.0}


def table(items: int, repeat: int, profile: Callable[[str, Callable[[], Any]], None] | None = None) -> list[tuple[str, str, str]]:
    """(engine, workload, cell) for every pair; prints as it goes. A racepolicy row that misses its target (TARGETS) says
    so in its cell, and is given to `profile` (bench/run.py puts its cProfile in RESULTS.md).

    Each engine is timed in `repeat` rounds, each round the hand-written function then the engine, back to back, and
    its ratio is the median of the rounds' ratios: this machine's speed drifts by tens of per cent within a minute, and
    a ratio of two times taken seconds apart measures the drift as much as the engine."""
    policies = racepolicy.load()
    cells: list[tuple[str, str, str]] = []
    for workload, build in WORKLOADS.items():
        cases, engines = build(policies, items)
        hand = engines["hand-written Python"]
        assert callable(hand)
        expected = hand()
        for engine, run in engines.items():
            if not callable(run):
                cell = run
            else:
                answers = run()
                wrong = sum(a != b for a, b in zip(answers, expected, strict=True))
                if wrong:
                    cell = f"wrong on {wrong:,} of {len(expected):,} items"
                else:
                    rounds = repeat if "cel-python" not in engine else max(1, repeat // 2)  # the slowest peer: fewer rounds
                    ratios, times = [], []
                    for _ in range(rounds):
                        base = bench.median_time(hand, 1).cpu
                        seconds = base if engine == "hand-written Python" else bench.median_time(run, 1).cpu
                        ratios.append(seconds / base)
                        times.append(seconds)
                    ratio = statistics.median(ratios)
                    cell = f"{ratio:.2f}x ({statistics.median(times) / len(cases) * 1e6:,.2f} µs/item; {min(ratios):.2f}-{max(ratios):.2f}x)"
                    if engine == "hand-written Python":
                        cell = f"1.00x ({statistics.median(times) / len(cases) * 1e6:,.2f} µs/item)"
                    target = TARGETS.get(engine)
                    if target is not None and ratio > target:
                        cell += f" **missed ≤ {target:g}x**"
                        if profile is not None:
                            profile(f"{workload}, {engine}: {ratio:.2f}x, target ≤ {target:g}x", run)
            cells.append((engine, workload, cell))
            print(f"{workload:<16} {engine:<44} {cell}", flush=True)
    return cells


def markdown(cells: list[tuple[str, str, str]]) -> list[str]:
    workloads = list(dict.fromkeys(w for _, w, _ in cells))
    engines = list(dict.fromkeys(e for e, _, _ in cells))
    found = {(e, w): c for e, w, c in cells}
    lines = ["| engine | " + " | ".join(workloads) + " |", "|---" * (len(workloads) + 1) + "|"]
    lines += [f"| {e} | " + " | ".join(found.get((e, w), "-") for w in workloads) + " |" for e in engines]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5, help="rounds per engine, each paired with a run of the hand-written function")
    args = parser.parse_args()
    print("\n".join(markdown(table(args.items, args.repeat))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
