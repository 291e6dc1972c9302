"""A cache of checked editions in the user's cache folder: each policy's parse and its citations' places, keyed by its bytes.

What is kept for a policy that checked without error: its AST (the JSON form of `ast_codec`, which can rebuild only our
own classes, never run code), where each `§` quote stands in the regulation texts, and the small index routing reads
(`index.IndexEntry`). What is never kept: the checker's verdict. Loading from the cache runs the checker again on the
stored AST (a few milliseconds), so every error and warning comes from the code of today; what is skipped is the parse
and the search of every quote in the texts, which are valid as long as the policy's bytes, the bytes of every text it
cites (hashed again at each load), the racepolicy version and code, and the plugins' versions are the same.

A missing, damaged, truncated or foreign entry is ignored and written again; writes go to a temporary file renamed into
place, so a reader never sees half an entry; a folder that cannot be read or written only means no cache.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from racepolicy.language.source import Source
from racepolicy.query.index import IndexEntry

if TYPE_CHECKING:
    import pluggy
    from racepolicy.evaluation.model import Edition
    from racepolicy.language import ast
    from racepolicy.language.citations import RegulationText, VerifiedSource

# Environment: where the cache lives, and a way to turn it off (any non-empty value).
DIR_VAR = "RACEPOLICY_CACHE_DIR"
OFF_VAR = "RACEPOLICY_NO_CACHE"
FORMAT = 1  # bumped when an entry's layout changes
# A policy bigger than this is checked but not cached (the cache must stay small); bundled policies are about 130 kB.
MAX_CACHED_CHARS = 1_000_000
# Each edit of a policy leaves an entry no key will name again: past this many, the least recently written go.
MAX_ENTRIES = 64

# The folders of racepolicy's code (see pyproject.toml's package-dir): any change to a module or the grammar in a
# checkout invalidates every entry even before the version number moves, so an entry is only ever read by the code that
# wrote it, and checking its stored AST again gives the verdict it had.
_CODE_FOLDERS = ("racepolicy", "racepolicy.plugins", "racepolicy.grammar", "racepolicy.repl", "racepolicy.lsp", "racepolicy.web")


def enabled() -> bool:
    # Any value turns it off.
    return not os.environ.get(OFF_VAR)


def cache_dir() -> Path:
    """$RACEPOLICY_CACHE_DIR, else $XDG_CACHE_HOME/racepolicy, else ~/.cache/racepolicy; checked editions go in `editions/`."""
    explicit = os.environ.get(DIR_VAR)
    if explicit:
        return Path(explicit) / "editions"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "racepolicy" / "editions"


def _walk(folder: str, parts: list[str]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir() and entry.name != "__pycache__" and not entry.name.startswith("."):
            _walk(entry.path, parts)
        elif entry.name.endswith((".py", ".lark")):
            info = entry.stat()
            parts.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}")


@functools.cache
def _code_stamp() -> str:
    import importlib.util

    from racepolicy import __version__

    parts = [__version__, str(FORMAT)]
    seen: set[str] = set()
    for package in _CODE_FOLDERS:
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec is not None else []:
            if folder not in seen and not any(folder.startswith(s + os.sep) for s in seen):
                seen.add(folder)
                _walk(folder, parts)
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


# The stamp of each plugin manager for the plugins it held (reading the distributions' metadata costs milliseconds).
_plugin_stamps: weakref.WeakKeyDictionary[pluggy.PluginManager, tuple[tuple[int, ...], str]] = weakref.WeakKeyDictionary()


def plugins_stamp(pm: pluggy.PluginManager | None) -> str:
    """The plugins a manager holds, with the versions of the distributions that brought them."""
    if pm is None:
        return "no plugins"
    held = tuple(id(plugin) for plugin in pm.get_plugins())
    if pm in _plugin_stamps and _plugin_stamps[pm][0] == held:
        return _plugin_stamps[pm][1]
    from racepolicy.pluginapi.manager import DISTRIBUTIONS

    versions: dict[int, str] = {}
    for name, distribution in DISTRIBUTIONS.get(pm, {}).items():  # as make_plugin_manager found them (no metadata read)
        plugin = pm.get_plugin(name)
        if plugin is not None:
            versions[id(plugin)] = distribution
    read: dict[int, str] = {}  # one metadata read per distribution, however many plugins it brings
    for plugin, dist in pm.list_plugin_distinfo():  # plugins pluggy loaded itself (load_setuptools_entrypoints)
        key = id(getattr(dist, "_dist", dist))
        if key not in read:
            metadata = dist.metadata
            read[key] = f"{metadata['Name']}=={metadata['Version']}"
        versions[id(plugin)] = read[key]
    names = []
    for name, plugin in pm.list_name_plugin():
        module = getattr(plugin, "__name__", type(plugin).__qualname__)
        names.append(f"{name}:{module}:{versions.get(id(plugin)) or getattr(plugin, '__version__', '')}")
    stamp = "\0".join(sorted(names))
    _plugin_stamps[pm] = (held, stamp)
    return stamp


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def entry_path(source: Source, pm: pluggy.PluginManager | None) -> Path:
    return cache_dir() / f"{_digest(_code_stamp(), plugins_stamp(pm), source.name, source.text)}.json"


# ---- the regulation texts a policy cites ----------------------------------------------------------


def _resolve(policy_name: str, ref: str) -> Path | None:
    """The file a `source "ref"` line finds, by the same search as citations.find_text, without reading it."""
    from racepolicy.language.citations import MAX_TEXT_BYTES, _candidates

    for candidate in _candidates(policy_name, ref):
        try:
            if candidate.is_file() and candidate.stat().st_size <= MAX_TEXT_BYTES:
                return candidate.resolve()
        except OSError:
            continue
    return None


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _texts_now(policy_name: str, refs: list[str]) -> list[list[str | None]]:
    """[ref, path, sha256] of each text the policy cites, as found now (path and sha None when not found)."""
    found: list[list[str | None]] = []
    for ref in refs:
        path = _resolve(policy_name, ref)
        found.append([ref, str(path) if path else None, _file_digest(path) if path else None])
    return found


class StoredText:
    """A regulation text of a cached edition: its name at once, its contents read (and normalised) only when asked for,
    e.g. by `racepolicy coverage`; stands where citations.RegulationText stands."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name

    @functools.cached_property
    def _text(self) -> RegulationText:
        from racepolicy.language.citations import RegulationText, read_text

        return read_text(self.path) or RegulationText.from_text(self.path, "")

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(self._text, attribute)


# ---- reading and writing entries -------------------------------------------------------------------


def _verified(source: Source, texts: list[list[str | None]], policy: ast.Policy, places: dict[str, list[Any]]) -> VerifiedSource:
    from racepolicy.language.citations import TextLocation, VerifiedSource

    by_ref = {ref.path: ref for ref in (policy.header.sources if policy.header is not None else ())}
    found = tuple(StoredText(Path(path)) for _, path, _ in texts if path)
    missing = tuple(by_ref[ref] for ref, path, _ in texts if not path and ref in by_ref)
    locations = {quote: TextLocation(str(file), int(line), int(first), int(end)) for quote, (file, line, first, end) in places.items()}
    return VerifiedSource(source.name, source.text, locations=locations, texts=found, missing=missing)  # type: ignore[arg-type]


class Stored:
    """A valid entry of the cache: its index at once, the edition (the AST decoded and checked again) when asked for."""

    def __init__(self, source: Source, header: dict[str, Any], ast_text: str) -> None:
        self.source = source
        self.header = header
        self.ast_text = ast_text
        self.entry = IndexEntry.from_json(header["index"])

    def edition(self, pm: pluggy.PluginManager | None) -> Edition:
        """The checked edition; raises PolicyErrors as checking does (the stored AST is checked by today's checker)."""
        from racepolicy.language import ast_codec
        from racepolicy.language.checker import check

        try:
            if hashlib.sha256(self.ast_text.encode("utf-8", "surrogatepass")).hexdigest() != self.header["ast_sha256"]:
                raise ValueError("the AST is not the one written")
            policy = ast_codec.loads(self.ast_text)
            verified = _verified(self.source, self.header["texts"], policy, self.header["places"])
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError, ArithmeticError):
            # Damaged past its header (ast_codec.CodecError is a ValueError): checked afresh, and written again.
            return check_fresh(self.source, pm)
        return check(policy, self.source, pm, verified=verified)


def read(source: Source, pm: pluggy.PluginManager | None) -> Stored | None:
    """The entry of this exact policy text, or None (no entry, or one not valid now: a cited text changed)."""
    if not enabled() or len(source.text) > MAX_CACHED_CHARS:
        return None
    try:
        # Line 1: the header (what was verified against which texts, the index); the rest: the AST, decoded on demand.
        header_line, _, ast_text = entry_path(source, pm).read_text(encoding="utf-8").partition("\n")
        header = json.loads(header_line)
        if header["format"] != FORMAT or header["name"] != source.name or not ast_text.endswith("}"):
            return None
        texts = header["texts"]
        if _texts_now(source.name, [ref for ref, _, _ in texts]) != texts:
            return None  # a regulation text changed, moved, appeared or went: the quotes must be searched again
        if not isinstance(header["places"], dict):
            return None
        return Stored(source, header, ast_text)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError, ArithmeticError):
        # Missing, unreadable, truncated, foreign or damaged: checked afresh, and written again.
        return None


def write(source: Source, pm: pluggy.PluginManager | None, edition: Edition) -> None:
    """Keep what checking this policy found; never fails (a read-only or full disk only means no cache)."""
    from racepolicy.language import ast_codec
    from racepolicy.language.citations import VerifiedSource

    if not enabled() or len(source.text) > MAX_CACHED_CHARS or not edition.checked:
        return
    verified = edition.source
    refs = [ref.path for ref in (edition.policy.header.sources if edition.policy.header is not None else ())]
    texts = _texts_now(source.name, refs)
    if isinstance(verified, VerifiedSource):
        # Only what the verification saw may be stored: a text missing then but found now (or the reverse) is not cached.
        if [Path(str(t.path)).resolve() for t in verified.texts] != [Path(path) for _, path, _ in texts if path]:
            return
        places = {quote: [loc.file, loc.line, loc.first_line, loc.end_line] for quote, loc in verified.locations.items()}
    else:
        places = {}
    tree = ast_codec.dumps(edition.policy)
    header = {"format": FORMAT, "name": source.name, "texts": texts, "places": places, "index": IndexEntry.of(edition).as_json(),
              "ast_sha256": hashlib.sha256(tree.encode("utf-8", "surrogatepass")).hexdigest()}
    path = entry_path(source, pm)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # cold start: only a write needs it

        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, prefix=".", suffix=".tmp") as handle:
            handle.write(json.dumps(header, separators=(",", ":")) + "\n" + tree)
        try:
            os.replace(handle.name, path)
        except OSError:
            os.unlink(handle.name)
            raise
        _prune(path.parent)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    entries = []
    for entry in os.scandir(folder):
        if entry.name.endswith(".json") and entry.is_file():
            entries.append((entry.stat().st_mtime_ns, entry.path))
    for _, path in sorted(entries)[: max(0, len(entries) - MAX_ENTRIES)]:
        try:
            os.unlink(path)
        except OSError:
            pass  # another process pruned it first


def check_fresh(source: Source, pm: pluggy.PluginManager | None, use_cache: bool = True) -> Edition:
    """Parse and check one policy text (no entry could be used); its entry is written for next time."""
    from racepolicy.language.checker import check
    from racepolicy.language.parser import parse_policy

    edition = check(parse_policy(source.text, source.name), source, pm)
    if use_cache:
        write(source, pm, edition)
    return edition


def load(source: Source, pm: pluggy.PluginManager | None) -> Edition:
    """One policy text checked into an Edition: from its entry when one is valid now, else parsed and checked afresh (and
    its entry written). The REPL's start-up; `PolicySet` reads entries itself, to index an edition before loading it."""
    stored = read(source, pm)
    return stored.edition(pm) if stored is not None else check_fresh(source, pm)
