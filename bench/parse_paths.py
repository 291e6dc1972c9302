"""Issue #16: the direct parse against Lark's parse tree and transformer, on the same texts, paired in one process and cold.

Both paths are in the code (the tree is what reports syntax errors), so "before" is measurable at any time:

    python bench/parse_paths.py            # warm: the W7 one-rule text and the UTMB 2022 policy, alternated run for run
    python bench/parse_paths.py --cold     # also a fresh process per path, building the parser and parsing the 2022 policy once
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from racepolicy.language import parser
from racepolicy.language.source import Source

HERE = Path(__file__).resolve().parent
POLICY = HERE.parent / "policies" / "utmb-2022.policy"
ONE_RULE = 'edition trail 2025 "x"\ncurrency EUR\nrule qualifies(rank: number) = rank >= 1 and rank <= {bound}\n'


def through_tree(text: str) -> Any:
    return parser._transform(parser.parser().parse(text, start="policy"), Source("t.policy", text))


def direct(text: str) -> Any:
    driver = parser._direct()
    assert driver is not None
    return driver.parse(text, "policy")[0]


def paired(texts: list[str], runs: int) -> tuple[float, float, float]:
    """Median CPU µs per text of each path and the median of the runs' ratios (direct / tree)."""
    tree_times, direct_times = [], []
    for _ in range(runs):
        for path, times in ((through_tree, tree_times), (direct, direct_times)):
            start = time.process_time()
            for text in texts:
                path(text)
            times.append((time.process_time() - start) / len(texts) * 1e6)
    ratios = [d / t for t, d in zip(tree_times, direct_times, strict=True)]
    return statistics.median(tree_times), statistics.median(direct_times), statistics.median(ratios)


def cold(path: str) -> float:
    """CPU ms of a fresh process building the parser (Lark's grammar from its cache) and parsing the 2022 policy once."""
    code = (
        "import time, sys; t = time.process_time()\n"
        "from racepolicy.language import parser\n"
        f"text = open({str(POLICY)!r}).read()\n"
        + ("parser.parse_policy(text)\n" if path == "direct" else
           "from racepolicy.language.source import Source\n"
           "parser._transform(parser.parser().parse(text, start='policy'), Source('t', text))\n")
        + "print((time.process_time() - t) * 1000)\n"
    )
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    options.add_argument("--cold", action="store_true", help="also time a fresh process per path (5 each, alternated)")
    args = options.parse_args()
    assert direct(POLICY.read_text(encoding="utf-8")) == through_tree(POLICY.read_text(encoding="utf-8"))
    cases: list[tuple[str, list[str], int]] = [
        ("one-rule text (W7), 200 texts", [ONE_RULE.format(bound=b) for b in range(200)], 15),
        ("utmb-2022.policy", [POLICY.read_text(encoding="utf-8")], 15),
    ]
    for label, texts, count in cases:
        tree, fast, ratio = paired(texts, count)
        print(f"{label:32} tree+transformer {tree:10,.1f} µs   direct {fast:10,.1f} µs   direct/tree {ratio:.2f}")
    if args.cold:
        runs: dict[str, list[float]] = {"tree": [], "direct": []}
        for _ in range(5):
            for path in runs:
                runs[path].append(cold(path))
        print(f"{'cold: import, build, parse 2022':32} tree+transformer {statistics.median(runs['tree']):8,.1f} ms     "
              f"direct {statistics.median(runs['direct']):8,.1f} ms")


if __name__ == "__main__":
    main()
