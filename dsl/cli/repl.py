"""`racepolicy repl [PATHS…]`: the interactive REPL for race meetings (a line reader when stdin is not a terminal)."""

from __future__ import annotations

import argparse

from racepolicy.cli.common import add_paths


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_paths(parser)


def run(args: argparse.Namespace) -> int:
    from racepolicy.repl.app import main

    return main(list(args.paths))
