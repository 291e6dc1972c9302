"""A parse cache for the REPL's start-up: the AST of each policy text, kept in the user's cache folder.

Parsing the bundled policies is most of the time between `racepolicy repl` and its first prompt;
the checked model is still built afresh from the AST every time, so plugins and checks always apply.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from pathlib import Path

import pluggy
from racepolicy.evaluation.model import Edition
from racepolicy.language import ast, ast_codec
from racepolicy.language.source import Source

# Text bigger than this is parsed but not cached (a cache must stay small).
MAX_CACHED_CHARS = 500_000


def cache_dir() -> Path | None:
    """$XDG_CACHE_HOME/racepolicy/ast (or ~/.cache/...); None when RACEPOLICY_NO_CACHE is set."""
    if os.environ.get("RACEPOLICY_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "racepolicy" / "ast"


@functools.cache
def _grammar_digest() -> str:
    from importlib import resources

    from racepolicy import __version__

    grammar = resources.files("racepolicy.grammar").joinpath("racepolicy.lark").read_bytes()
    return hashlib.sha256(grammar + __version__.encode()).hexdigest()


def _key(source: Source) -> str:
    # The grammar and version are part of the key: a new parser never reads an old tree.
    data = f"{_grammar_digest()}\0{source.name}\0{source.text}".encode()
    return hashlib.sha256(data).hexdigest()


def parse_cached(source: Source) -> ast.Policy:
    """The policy's AST, from the cache when this exact text was parsed before; syntax errors are never cached."""
    # The parser (and Lark) is imported only on a miss: a warm start never loads it before the first prompt.
    folder = cache_dir()
    if folder is None or len(source.text) > MAX_CACHED_CHARS:
        from racepolicy.language.parser import parse_policy

        return parse_policy(source.text, source.name)
    path = folder / f"{_key(source)}.json"
    try:
        # JSON, not pickle: a tampered cache file can rebuild only our own AST classes, never run code.
        return ast_codec.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ast_codec.CodecError):  # a missing or damaged entry only means parsing again
        pass
    from racepolicy.language.parser import parse_policy

    policy = parse_policy(source.text, source.name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False, suffix=".tmp") as handle:
            handle.write(ast_codec.dumps(policy))
        os.replace(handle.name, path)
    except OSError:
        pass  # a read-only home still gets a working REPL
    return policy


def compile_cached(source: Source, pm: pluggy.PluginManager | None) -> Edition:
    """Parse (through the cache) and check one policy text into an Edition, as policyset.compile_source does."""
    from racepolicy.language.checker import check

    return check(parse_cached(source), source, pm)
