"""Benchmark of the REPL: time from Enter to answer on the bundled policies, and from `racepolicy repl` to the first prompt."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ANSWER_TARGET_MS = 20.0
START_TARGET_MS = 500.0

# A race meeting's questions (utmb 2022 and 2016 are bundled).
QUERIES = (
    "penalty missing_jacket on UTMB",
    "penalty smartphone_off, missing_whistle on OCC",
    "refund UTMB cancelled 2022-05-15",
    "cutoff TDS",
    "eligible ETC given runner = {birth_year: 2000}",
    "stones_back(9, false)",
    "penalty missing_jaket on UTMB",  # a typo: the error path must be fast too
    ":explain refund CCC cancelled 2022-07-01",
)


def enter_to_answer(rounds: int) -> list[float]:
    """Milliseconds per query for what Enter runs: the validator's check, then the answer."""
    from racepolicy.repl.session import Session
    from racepolicy.repl.validator import status

    session = Session()
    session.open()
    for query in QUERIES:  # warm-up: the first query builds the query parser tables
        status(query)
        session.handle(query)
    times = []
    for _ in range(rounds):
        for query in QUERIES:
            start = time.perf_counter()
            status(query)
            session.handle(query)
            times.append((time.perf_counter() - start) * 1000)
    return times


def start_to_prompt(runs: int, cold: bool = False) -> list[float]:
    """Milliseconds from spawning `racepolicy repl` in a pseudo-terminal until its prompt is drawn (`cold`: no parse cache)."""
    import pexpect

    script = Path(sys.executable).with_name("racepolicy")
    command = [str(script), "repl"] if script.exists() else [sys.executable, "-m", "racepolicy.cli.main", "repl"]
    env = dict(os.environ, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", XDG_DATA_HOME=tempfile.mkdtemp(prefix="racepolicy-bench-"))
    if cold:
        env["RACEPOLICY_NO_CACHE"] = "1"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        child = pexpect.spawn(command[0], command[1:], env=env, encoding="utf-8", timeout=60, dimensions=(40, 120))
        child.expect("racepolicy>")
        times.append((time.perf_counter() - start) * 1000)
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
        child.wait()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20, help="rounds over the query list")
    parser.add_argument("--starts", type=int, default=5, help="REPL start-ups to time")
    args = parser.parse_args()
    answers = enter_to_answer(args.rounds)
    median = statistics.median(answers)
    p95 = statistics.quantiles(answers, n=20)[-1]
    ok_answer = p95 < ANSWER_TARGET_MS
    print(f"enter to answer: median {median:.2f} ms, p95 {p95:.2f} ms over {len(answers)} queries "
          f"(target < {ANSWER_TARGET_MS:.0f} ms: {'ok' if ok_answer else 'MISSED'})")
    starts = start_to_prompt(args.starts)
    best, middle = min(starts), statistics.median(starts)
    ok_start = middle < START_TARGET_MS
    print(f"start to first prompt: median {middle:.0f} ms, best {best:.0f} ms over {len(starts)} starts "
          f"(target < {START_TARGET_MS:.0f} ms: {'ok' if ok_start else 'MISSED'})")
    cold = statistics.median(start_to_prompt(max(1, args.starts // 2), cold=True))
    print(f"start to first prompt without the parse cache (a first start after installing): median {cold:.0f} ms")
    return 0 if ok_answer and ok_start else 1


if __name__ == "__main__":
    sys.exit(main())
