"""Issue #16: the interpreter through the public API on the items of bench/peers.py, profiled and timed per call.

Calls `edition.interpreted().rule(...)` as bench/peers.py does (qualification: `finals_qualification` of
world-series-2023; refund: `refund` of utmb-2022) on the same items, then prints the median time per call,
Python function calls per answer, and the cProfile own-time (tottime) table of the interpreted calls.

    python bench/interp_profile.py [--items N] [--only qualification|refund] [--top K]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers  # the items of the embedder workloads
import racepolicy


def workloads(items: int) -> dict[str, tuple[Callable[..., Any], list[tuple[Any, ...]]]]:
    policies = racepolicy.load()
    found: dict[str, tuple[Callable[..., Any], list[tuple[Any, ...]]]] = {}
    for label, build, rule, edition in (
        ("qualification", peers.qualification, "finals_qualification", "world-series-2023"),
        ("refund", peers.refunds, "refund", "utmb-2022"),
    ):
        cases, _ = build(policies, items)
        found[label] = (policies.edition(edition).interpreted().rule(rule), cases)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--only", choices=("qualification", "refund"))
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    for label, (rule, cases) in workloads(args.items).items():
        if args.only and label != args.only:
            continue
        times = []
        for _ in range(5):
            start = time.process_time()
            for case in cases:
                rule(*case)
            times.append(time.process_time() - start)
        times.sort()
        print(f"== {label}: {times[2] / len(cases) * 1e6:.2f} µs a call (median of 5, range {times[0] / len(cases) * 1e6:.2f}-"
              f"{times[-1] / len(cases) * 1e6:.2f})")
        profile = cProfile.Profile()
        profile.enable()
        for case in cases:
            rule(*case)
        profile.disable()
        stats = pstats.Stats(profile)
        calls = sum(v[1] for v in stats.stats.values())  # type: ignore[attr-defined]
        print(f"   {calls / len(cases):.1f} Python function calls per answer, {stats.total_tt:.3f} s under the profiler")  # type: ignore[attr-defined]
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip() and "Ordered by" not in line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
