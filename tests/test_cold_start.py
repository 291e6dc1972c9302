"""A cold `racepolicy query` with the cache filled imports only what answering needs (issue #16): the modules it must not import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
