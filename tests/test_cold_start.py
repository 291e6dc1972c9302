"""A cold `racepolicy query` with the cache filled imports only what answering needs (issue #16): the modules it must not import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What the cache makes unnecessary: Lark (the query tables), importlib.metadata (the plugins' entry points); and what only
# writing the cache, a hint or help text needs (tempfile, difflib, shutil), or only package data in a zip (importlib.resources).
NOT_IMPORTED = ["lark", "importlib.metadata", "tempfile", "difflib", "shutil", "importlib.resources"]


@pytest.mark.parametrize("query", ["penalty missing_jacket on UTMB", "UTMB.distance", "refund UTMB 2022-05-15"])
def test_a_cached_query_does_not_import_what_the_cache_replaces(tmp_path: Path, query: str) -> None:
    # GIVEN a cache filled by a first query WHEN a second process asks THEN the same answer, without those modules
    env = {**os.environ, "RACEPOLICY_CACHE_DIR": str(tmp_path)}
    env.pop("RACEPOLICY_NO_CACHE", None)
    program = (f"import sys\nfrom racepolicy.cli.main import main\ncode = main(['query', {query!r}])\n"
               f"print(code, [name for name in {NOT_IMPORTED!r} if name in sys.modules])")
    first = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True)
    assert first.stdout.splitlines()[-1].startswith("0 ['lark', 'importlib.metadata', 'tempfile'")  # the first one filled the cache
    assert second.stdout.splitlines()[-1] == "0 []"
    assert second.stdout.splitlines()[:-1] == first.stdout.splitlines()[:-1]


def test_every_node_reprs_as_attrs_would_generate_it() -> None:
    # The AST classes share one __repr__ (attrs compiles one method less per class at import): it must give, for every
    # node of the bundled policies and queries, the text attrs' own generated __repr__ gives (snapshots and messages hold it).
    import attrs
    from racepolicy.language import ast
    from racepolicy.language.parser import parse_policy, parse_query

    generated: dict[type, Any] = {}
    roots = [parse_policy(p.read_text(encoding="utf-8"), p.name) for p in sorted((ROOT / "policies").glob("*.policy"))]
    roots += [parse_query(q) for q in ("penalty missing_jacket on UTMB with hot", "eligible CCC given runner = {age: 30}", "refund UTMB 2022-05-15")]
    checked = 0
    for root in roots:
        for node in [root, *root.find_all(ast.Node)]:
            cls = type(node)
            if cls not in generated:
                twin = attrs.make_class(cls.__name__, {f.name: attrs.field(repr=f.repr) for f in attrs.fields(cls)}, frozen=True, repr=True)
                generated[cls] = twin.__repr__
            assert repr(node) == generated[cls](node)
            checked += 1
    assert checked > 5000
