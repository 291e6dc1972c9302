"""`racepolicy describe [EDITION] [NAME]`: what the loaded editions know, as tables or JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from racepolicy.cli.common import load_policies, report
from racepolicy.language.errors import PolicyError
from racepolicy.query.describe import describe
from racepolicy.query.describe_text import render
from racepolicy.query.policyset import POLICY_SUFFIX


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "words", nargs="*", metavar="[PATH ...] [EDITION] [NAME]",
        help="policy files or folders (default: the bundled policies), then an edition (utmb-2022, 'utmb 2022', utmb) "
             "and a name (a race, infraction, rule, schedule, table, band, checklist or kit, words, facts, attribute, input or query form); "
             "none lists the editions",
    )
    parser.add_argument("--json", action="store_true", help="print the description as JSON")


def _is_path(word: str) -> bool:
    return word.endswith(POLICY_SUFFIX) or "/" in word or Path(word).is_dir()


def run(args: argparse.Namespace) -> int:
    paths = [w for w in args.words if _is_path(w)]
    words = [w for w in args.words if not _is_path(w)]
    try:
        data = describe(load_policies(paths), words)
    except PolicyError as exc:
        report(exc, args.json)
        return 2
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else render(data))
    return 0
