"""Paired A/B for issue #10: the closure compiler of an earlier commit against today's compiled runner, in one process.

Separate `make bench` runs on a shared machine swing by ±30 %; this script answers the one
question issue #10 asks (did removing the closure compiler make a workload slower?) by
loading the old `compiler.py` and `codegen.py` from git beside today's modules and timing
both on the same inputs, interleaved, median CPU time. Answers are checked equal first.

    python bench/closures_ab.py                 # against c9f6973, the last commit with compiler.py
    python bench/closures_ab.py --rev REV --items 100000
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as bench  # noqa: E402  (bench/run.py: the W2 inputs and thresholds)
from racepolicy.evaluation import compiled  # noqa: E402
from racepolicy.language.source import NOWHERE  # noqa: E402
from racepolicy.query.policyset import PolicySet  # noqa: E402


def old_modules(rev: str, folder: Path) -> ModuleType:
    """The old compiler (and the codegen it used) from git, importable under names of their own."""
    for name, other in (("compiler", "codegen"), ("codegen", "compiler")):
        text = subprocess.run(["git", "-C", str(HERE.parent), "show", f"{rev}:dsl/evaluation/{name}.py"], check=True, capture_output=True, text=True).stdout
        text = text.replace(f"from racepolicy.evaluation.{other} import", f"from old_{other} import")
        (folder / f"old_{name}.py").write_text(text, encoding="utf-8")
    sys.path.insert(0, str(folder))
    spec = importlib.util.find_spec("old_compiler")
    assert spec is not None
    return importlib.import_module("old_compiler")


def workloads(unit_of: Callable[[Any], Any], policies: PolicySet, n: int) -> dict[str, Callable[[], list[Any]]]:
    edition = policies.find("utmb-2022")
    unit = unit_of(edition)
    rng = random.Random(1)
    infractions, races = sorted(edition.penalties), sorted(edition.races)
    penalties = [(rng.choice(infractions), rng.choice(races)) for _ in range(n)]
    penalty, source = unit.penalty, edition.source
    series = policies.find("world-series-2023")
    qualifying = unit_of(series)
    rows = [(t, c, s, Decimal(r), Decimal(x), Decimal(bench.SCORE_THRESHOLD[c, s])) for t, c, s, r, x in bench.result_rows(n)]
    by_rank, by_score = qualifying.rule("finals_qualification"), qualifying.rule("score_qualification")
    rng = random.Random(3)
    first = datetime.date(2022, 1, 1)
    cancellations = [(unit.race_values[rng.choice(races)], first + datetime.timedelta(days=rng.randint(0, 240))) for _ in range(n)]
    refund = unit.rule("refund")
    return {
        "W1 penalty lookup": lambda: [penalty((i,), r, NOWHERE, source) for i, r in penalties],
        "W2 qualification": lambda: [race if (race := by_rank(t, c, s, r)) != "none" else by_score(t, c, x, th) for t, c, s, r, x, th in rows],
        "W3 refund": lambda: [refund(r, w) for r, w in cancellations],
    }


def cpu(run: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rev", default="c9f6973", help="a commit that still has dsl/evaluation/compiler.py")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        old = old_modules(args.rev, Path(folder))
        before = workloads(old.compile_edition, PolicySet.bundled(), args.items)
        after = workloads(compiled.compile_edition, PolicySet.bundled(), args.items)
        # W5: a REPL query end to end under the compiled runner, with the trace (as `make bench`) and without.
        old_policies, new_policies = PolicySet.bundled(), PolicySet.bundled()
        current = compiled.CompiledEvaluator

        def session(policies: PolicySet, tracing: bool, evaluator: type) -> None:
            compiled.CompiledEvaluator = evaluator  # type: ignore[misc]  # what query/forms.py imports at each answer
            try:
                for _ in range(50):
                    for query in bench.W5_QUERIES:
                        policies.ask(query, runner="compiled", tracing=tracing).render()
            finally:
                compiled.CompiledEvaluator = current  # type: ignore[misc]

        for tracing in (True, False):
            label = f"W5 REPL query ({'traced' if tracing else 'untraced'})"
            before[label] = lambda t=tracing: session(old_policies, t, old.CompiledEvaluator)  # type: ignore[misc]
            after[label] = lambda t=tracing: session(new_policies, t, current)  # type: ignore[misc]
        print(f"{'workload':<28} {'old (ms)':>10} {'new (ms)':>10} {'new / old':>10}")
        for name in before:
            assert before[name]() == after[name](), f"{name}: the two runners answer differently"
            old_times, new_times = [], []
            for _ in range(args.rounds):  # interleaved, so a busy moment hurts both alike
                old_times.append(cpu(before[name]))
                new_times.append(cpu(after[name]))
            a, b = statistics.median(old_times), statistics.median(new_times)
            print(f"{name:<28} {a * 1000:>10.1f} {b * 1000:>10.1f} {b / a:>10.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
