"""Issue #16: the interpreter of several git revisions on the items of bench/peers.py, paired in one process.

Loads `dsl/evaluation/interpreter.py` and `operators.py` of each revision beside each other (the rest of the
package is today's), checks that every revision gives the same answers, then times `Evaluator.call_rule`
(untraced, as the API's interpreted callables call it) on the qualification and refund items, revision after
revision in turn, and prints the median µs per call and each revision's ratio to the first, run by run.
The API's own hop (`_Checked.call`, the call plan, the per-thread closure) is not in these figures.

    python bench/interp_ab.py REV [REV ...] [--items N] [--rounds R]     # REV `worktree`: the files as they are now
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import types
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers  # the items of the embedder workloads
import racepolicy
from racepolicy.language.source import NOWHERE


def interpreter_of(rev: str) -> types.ModuleType:
    """The interpreter module of `rev`, with that revision's operators module (imported under names of their own)."""
    modules = {}
    for name in ("operators", "interpreter"):
        if rev == "worktree":  # the files as they are now, committed or not
            text = (Path(__file__).resolve().parent.parent / "dsl" / "evaluation" / f"{name}.py").read_text()
        else:
            text = subprocess.run(["git", "show", f"{rev}:dsl/evaluation/{name}.py"], capture_output=True, text=True, check=True).stdout
        text = text.replace("racepolicy.evaluation.operators", f"racepolicy.evaluation._ab_{rev}_operators")
        module = types.ModuleType(f"racepolicy.evaluation._ab_{rev}_{name}")
        sys.modules[module.__name__] = module
        exec(compile(text, f"{rev}:{name}.py", "exec"), module.__dict__)
        modules[name] = module
    return modules["interpreter"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("revs", nargs="+")
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    policies = racepolicy.load()
    rows, _ = peers.qualification(policies, args.items)
    cases, _ = peers.refunds(policies, args.items)
    refund_edition = policies.edition("utmb-2022")
    races = refund_edition.unit.race_values
    workloads: list[tuple[str, Any, str, list[tuple[Any, ...]]]] = [
        ("qualification", policies.edition("world-series-2023").edition, "finals_qualification", [(t, c, s, Decimal(r)) for t, c, s, r in rows]),
        ("refund", refund_edition.edition, "refund", [(races[r], d) for r, d in cases]),
    ]
    revisions = [(rev, interpreter_of(rev)) for rev in args.revs]
    for label, edition, rule, items in workloads:
        runs = []
        answers = None
        for _, module in revisions:
            call_rule = module.Evaluator(edition, tracing=False).call_rule
            found = [call_rule(rule, item, NOWHERE) for item in items]
            assert answers is None or found == answers, "the revisions disagree"
            answers = found

            def run(call_rule: Any = call_rule, items: list[tuple[Any, ...]] = items, rule: str = rule) -> None:
                for item in items:
                    call_rule(rule, item, NOWHERE)

            runs.append(run)
        times: list[list[float]] = [[] for _ in runs]
        for _ in range(args.rounds):
            for run, spent in zip(runs, times, strict=True):
                start = time.process_time()
                run()
                spent.append((time.process_time() - start) / len(items) * 1e6)
        for (rev, _), spent in zip(revisions, times, strict=True):
            ratios = [a / b for a, b in zip(spent, times[0], strict=True)]
            print(f"{label:14} {rev:12} {statistics.median(spent):.2f} µs a call (runs {min(spent):.2f}-{max(spent):.2f}), "
                  f"{statistics.median(ratios):.2f} of {revisions[0][0]} (runs {min(ratios):.2f}-{max(ratios):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
