"""`racepolicy run POLICY RULE --input FILE`: evaluate a rule for every row of a results file (see docs/batch.md)."""

from __future__ import annotations

import argparse
import sys

from racepolicy.cli.common import add_cache_option, report
from racepolicy.language.errors import InputError, PolicyError

EXIT_OK, EXIT_REJECTED, EXIT_BAD_INPUT = 0, 1, 2


def _mapping(text: str) -> tuple[str, str]:
    column, sep, param = text.partition("=")
    if not sep or not column or not param:
        raise argparse.ArgumentTypeError(f"'{text}' is not COLUMN=PARAMETER")
    return column, param


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "exit codes: 0 every row written, 1 some rows rejected (listed in the errors file), 2 the run could not start or "
        "could not write its output, 3 a bug in racepolicy, 130 interrupted. See docs/batch.md."
    )
    parser.add_argument("policy", metavar="POLICY", help="a policy file or a folder of them")
    parser.add_argument("rule", metavar="RULE", help="the rule to evaluate for each row, e.g. refund")
    parser.add_argument("--input", "-i", required=True, metavar="FILE", help="results to read: .csv (with a header) or .jsonl")
    parser.add_argument("--output", "-o", metavar="FILE", help="where to write each row with the result (default: stdout); same format as the input")
    parser.add_argument("--errors", metavar="FILE", help="where to list rejected rows (default: OUTPUT.errors.csv; none with stdout)")
    parser.add_argument("--map", action="append", type=_mapping, default=[], metavar="COLUMN=PARAM",
                        help="feed parameter PARAM from column COLUMN (repeatable); a record field is PARAM.FIELD")
    parser.add_argument("--column", metavar="NAME", help="name of the result column (default: the rule's name)")
    parser.add_argument("--edition", "-e", help="the edition to use (default: the newest that has the rule)")
    parser.add_argument("--jobs", "-j", type=int, default=1, metavar="N", help="worker processes (default 1)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary line")
    add_cache_option(parser)


def run(args: argparse.Namespace) -> int:
    from racepolicy.tools.batch import run_batch

    try:
        if args.jobs < 1:
            raise InputError(f"--jobs must be at least 1, not {args.jobs}")
        summary = run_batch(
            [args.policy], args.rule, args.input, args.output, edition=args.edition, mapping=args.map, jobs=args.jobs,
            errors_path=args.errors, column=args.column, progress=not args.quiet and sys.stderr.isatty(), use_cache=not args.no_cache,
        )
    except PolicyError as exc:
        report(exc)
        return EXIT_BAD_INPUT
    if not args.quiet:
        print(f"read {summary.read:,} row(s): {summary.written:,} written, {summary.rejected:,} rejected", file=sys.stderr)
    return EXIT_REJECTED if summary.rejected else EXIT_OK
