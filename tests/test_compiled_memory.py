"""The compiled form of an edition lives as long as the edition: compiling a policy text over and over holds no memory."""

from __future__ import annotations

import gc
import re
import tracemalloc
import weakref
from importlib import resources

import racepolicy
from racepolicy.evaluation.compiled import compile_edition
from racepolicy.language.source import Source
from racepolicy.pluginapi.manager import make_plugin_manager
from racepolicy.query.policyset import compile_source

# The opening of the World Series policy: a table and a rule that reads it, so generated code, its
# namespace and a table memo are all built. Without the series plugin, which would ask for the rest.
TEXT = resources.files("racepolicy.policies").joinpath("world-series-2023.policy").read_text(encoding="utf-8")
# The sets of words the opening's typed parameters name (`category: category`) are declared further down: bring them along.
WORDS = "".join(re.findall(r"^words [^\n]*:\n(?:  [^\n]*\n)*", TEXT, re.M))
OPENING = Source("opening.policy", TEXT.split('section "The UTMB World Series integrates')[0] + WORDS)
ROUNDS = 1_000
UNTRACED = 500  # the first half warms every cache meant to stay (grammar, interned names); the second half is traced


def compile_once(pm: object) -> racepolicy.Rulebook:
    rulebook = racepolicy.Rulebook(compile_source(OPENING, pm))  # type: ignore[arg-type]
    # seed 000:16 "known as the OCC (50k), CCC (100k) and UTMB (100M)": the 100K category has a Finals race
    assert rulebook.rule("has_finals_race")("100K") is True
    return rulebook


def test_an_edition_nobody_holds_is_freed_with_its_compiled_code() -> None:
    rulebook = compile_once(make_plugin_manager(entry_points=False))
    edition, unit = weakref.ref(rulebook.edition), weakref.ref(compile_edition(rulebook.edition))
    del rulebook
    gc.collect()
    assert edition() is None and unit() is None


def test_compiling_a_policy_text_a_thousand_times_keeps_memory_flat() -> None:
    pm = make_plugin_manager(entry_points=False)
    for _ in range(UNTRACED):
        compile_once(pm)
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(ROUNDS - UNTRACED):
            compile_once(pm)
        gc.collect()
        kept, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Kept alive (as a process-wide cache did), each compiled edition of this text holds about 18 KB, 9 MB for the traced
    # half; freed with its edition, what is left is noise.
    assert kept < 300_000, f"{kept / (ROUNDS - UNTRACED):,.0f} bytes kept per compile"
