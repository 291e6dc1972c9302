"""Load policy files and folders into a set of editions, and route each query to one of them."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pluggy
from racepolicy.evaluation.model import Edition
from racepolicy.language import ast
from racepolicy.language.errors import DuplicateError, InputError, PolicyError, PolicyErrors, QueryError, did_you_mean
from racepolicy.language.source import Source, Span
from racepolicy.query.answer import Answer
from racepolicy.query.index import IndexEntry

if TYPE_CHECKING:
    from racepolicy.api import Rulebook
    from racepolicy.query.cache import Stored
    from racepolicy.query.routing import Route

POLICY_SUFFIX = ".policy"
MAX_FILE_BYTES = 2_000_000
RUNNERS = ("interpreter", "compiled")


def read_source(path: Path) -> Source:
    """Read a policy file as text, turning every OS or encoding failure into an InputError."""
    name = str(path)
    where = Source(name, "")
    if not path.exists():
        raise InputError("no such file", source=where, hint="check the path")
    if path.is_dir():
        raise InputError("is a folder, not a policy file", source=where, hint="give the folder itself to load every .policy file in it")
    try:
        info = path.stat()
        # A FIFO would block for ever and /dev/zero never ends: only regular files are read, and never past the limit
        # (the file may grow between stat and read).
        if not stat.S_ISREG(info.st_mode):
            raise InputError("is not a regular file (a device, a pipe or a socket)", source=where, hint="save the policy to a file")
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            size = max(info.st_size, len(data))
            raise InputError(f"file is {'over ' if size == len(data) else ''}{size:,} bytes, over the limit of {MAX_FILE_BYTES:,}",
                             source=where, hint="split the policy")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=where) from None
    try:
        # utf-8-sig: editors on Windows start files with a byte-order mark, which is not part of the policy.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Point at the first bad byte in the line as an editor shows it, so the author finds it at once.
        before = data[: exc.start]
        line_start = before.rfind(b"\n") + 1
        line = before.count(b"\n") + 1
        column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        shown = Source(name, data.decode("utf-8", errors="replace"))
        raise InputError(
            f"not UTF-8 text (byte {exc.start})", Span(line, column, line, column + 1), shown, "save the file as UTF-8",
        ) from None
    return Source(name, text)


def policy_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand folders to the .policy files they hold, sorted; files are kept as given."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*" + POLICY_SUFFIX) if p.is_file()))
        else:
            found.append(path)
    return found


def bundled_sources() -> list[Source]:
    """The policies shipped with racepolicy (package data, so an installed wheel has them)."""
    from racepolicy.tools.package_data import files  # cold start: importlib.resources only for a zip

    folder = files("racepolicy.policies")
    sources = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(POLICY_SUFFIX):
            sources.append(Source(entry.name, entry.read_text(encoding="utf-8")))
    return sources


def compile_source(source: Source, pm: pluggy.PluginManager | None) -> Edition:
    """Parse and check one policy text into an Edition."""
    from racepolicy.language.checker import check
    from racepolicy.language.parser import parse_policy

    policy = parse_policy(source.text, source.name)
    return check(policy, source, pm)


class PolicySet:
    """Every loaded edition, keyed `series-year`; answers queries with the edition that fits.

    Editions found in the cache of checked editions (dsl/query/cache.py) are loaded when first needed: a query is routed
    on their index, and only the edition that answers it is decoded and checked. `editions` loads every one of them."""

    def __init__(self, pm: pluggy.PluginManager | None = None, use_cache: bool = False) -> None:
        if pm is None:
            from racepolicy.pluginapi.manager import make_plugin_manager

            pm = make_plugin_manager(use_cache=use_cache)  # cold start: the entry points from the cache too
        self.pm = pm
        self.use_cache = use_cache
        self._editions: dict[str, Edition] = {}
        # ---- the cache of checked editions: every edition's index in load order, and those not loaded yet
        self._index: dict[str, IndexEntry | Edition] = {}
        self._pending: dict[str, Stored] = {}
        self._loading = threading.RLock()

    @property
    def editions(self) -> dict[str, Edition]:
        if self._pending:
            with self._loading:
                if self._pending:
                    self._editions = {key: self._editions[key] if key in self._editions else self._load_pending(key) for key in self._index}
        return self._editions

    @editions.setter
    def editions(self, value: dict[str, Edition]) -> None:
        self._editions = value
        self._index = dict(value)
        self._pending = {}

    def _load_pending(self, key: str) -> Edition:
        # Taken off the pending ones only once checked: an edition that fails to load fails again at the next ask.
        edition = self._pending[key].edition(self.pm)
        del self._pending[key]
        self._index[key] = edition
        return edition

    def _edition(self, key: str) -> Edition:
        """One edition by its key, loaded from the cache if it was not yet."""
        if key in self._pending:
            with self._loading:  # `racepolicy serve` answers in threads
                if key in self._pending:
                    self._editions[key] = self._load_pending(key)
                    if not self._pending:  # keep the load order, as `editions` would
                        self._editions = {k: self._editions[k] for k in self._index}
        return self._editions[key]

    def _routable(self) -> Mapping[str, IndexEntry | Edition]:
        """What routing looks at: the index while some editions are not loaded, the editions otherwise."""
        return self._index if self._pending else self.editions

    # ---- loading
    @classmethod
    def load(cls, paths: Sequence[str | os.PathLike[str]], pm: pluggy.PluginManager | None = None, use_cache: bool = False) -> PolicySet:
        """Load files and folders; raises PolicyErrors with every error of every file. `use_cache`: through the cache of
        checked editions (unless RACEPOLICY_NO_CACHE is set)."""
        policy_set = cls(pm, use_cache)
        files = policy_files(paths)
        if not files:
            raise InputError(f"no {POLICY_SUFFIX} files in {', '.join(str(p) for p in paths)}", hint="give a policy file or a folder of them")
        errors: list[PolicyError] = []
        for path in files:
            try:
                policy_set._add(read_source(path))
            except PolicyErrors as exc:
                errors.extend(exc.errors)
            except PolicyError as exc:
                errors.append(exc)
        if errors:
            raise PolicyErrors(errors)
        return policy_set

    @classmethod
    def bundled(cls, pm: pluggy.PluginManager | None = None, use_cache: bool = False) -> PolicySet:
        policy_set = cls(pm, use_cache)
        for source in bundled_sources():
            policy_set._add(source)
        return policy_set

    def add(self, source: Source) -> Edition:
        """Check one policy text and add its edition (through the cache when the set uses it)."""
        entry = self._add(source)
        return entry if not isinstance(entry, IndexEntry) else self._edition(entry.key)

    def _add(self, source: Source) -> Edition | IndexEntry:
        """`add`, but an edition found in the cache is only indexed: loaded when needed."""
        from racepolicy.query import cache

        if not self._pending:  # `editions` may have been changed in place (the REPL and tests do): the index follows it
            self._index = dict(self._editions)
        stored = cache.read(source, self.pm) if self.use_cache else None
        if stored is not None and stored.entry.key not in self._index:
            self._index[stored.entry.key] = stored.entry
            self._pending[stored.entry.key] = stored
            return stored.entry
        if stored is not None:
            edition = stored.edition(self.pm)  # loaded twice: checked in full below, for the error the other path gives
        else:
            edition = cache.check_fresh(source, self.pm) if self.use_cache else compile_source(source, self.pm)
        if edition.key in self._index and _file_of(self._index[edition.key]) != source.name:
            other = _file_of(self._index[edition.key])
            raise DuplicateError(
                f"edition {edition.label} is loaded twice (also in {other})",
                edition.policy.header.span if edition.policy.header else edition.policy.span, source,
                "load one file per edition",
            )
        self._pending.pop(edition.key, None)
        self._editions[edition.key] = edition
        self._index[edition.key] = edition
        return edition

    # ---- choosing an edition
    def find(self, name: str) -> Edition:
        """An edition by `utmb-2022`, `utmb 2022` or a series name alone (its latest year)."""
        key = name.strip().replace(" ", "-")
        known = self._routable()
        if key in known:
            return self._edition(key)
        same_series = [e for e in known.values() if e.series == key]
        if same_series:
            return self._edition(max(same_series, key=lambda e: e.year).key)
        raise QueryError(
            f"no edition '{name}' is loaded", hint=did_you_mean(key, known) or f"loaded: {', '.join(sorted(known)) or 'none'}",
        )

    def edition(self, name: str) -> Rulebook:
        """One edition for embedders, by `utmb-2022` or a series name: its rules as plain callables (docs/api.md)."""
        from racepolicy.api import Rulebook

        return Rulebook(self.find(name))

    def latest(self) -> list[Edition]:
        """The newest edition of each series, newest first."""
        by_series: dict[str, Edition] = {}
        for edition in self.editions.values():
            if edition.series not in by_series or edition.year > by_series[edition.series].year:
                by_series[edition.series] = edition
        return sorted(by_series.values(), key=lambda e: (-e.year, e.series))

    def choose(self, names: set[str]) -> Edition:
        """The edition a query means: the newest one that knows every name it uses."""
        from racepolicy.query.forms import edition_knows

        if not self.editions:
            raise QueryError("no policy is loaded", hint="load a .policy file or folder first")
        # Most names known first; among equals an edition with races (a query nearly always names one), then the newest.
        ranked = sorted(
            self.editions.values(), key=lambda e: (-sum(edition_knows(e, n) for n in names), not e.races, -e.year, e.series),
        )
        complete = [e for e in ranked if all(edition_knows(e, n) for n in names)]
        if complete:
            latest_of_series = {e.key for e in self.latest()}
            preferred = [e for e in complete if e.key in latest_of_series]
            return (preferred or complete)[0]
        return ranked[0]

    # ---- queries
    def _form_at_place(self, query: ast.Query) -> ast.Query:
        """`assistance at champex` reads as the time-of-day operator `at` (as in `2022-08-26 at 18:00`); when its left side
        is the word of a query form and no rule, it is that form asked with the words `at PLACE`."""
        expr = query.expr if isinstance(query, ast.ExprQuery) else None
        if not (isinstance(expr, ast.Binary) and expr.op == "at" and isinstance(expr.left, ast.Name) and isinstance(expr.right, ast.Name)):
            return query
        verb = expr.left.name
        if not any(verb in e.query_forms and verb not in e.callables() for e in self._routable().values()):
            return query
        at = ast.Name(name="at", span=Span(expr.left.span.end_line, expr.left.span.end_column + 1, expr.left.span.end_line, expr.left.span.end_column + 3))
        return ast.FormQuery(verb=verb, args=(at, expr.right), given=query.given, span=query.span)

    def ask(
        self, text: str, edition: str | None = None, facts: Mapping[str, Any] | None = None, tracing: bool = True,
        runner: str = "interpreter",
    ) -> Answer:
        """Parse and answer one query; `edition` pins the edition, otherwise it is chosen by the names used.

        `runner` names the evaluation strategy: "interpreter" (the reference, which traces) or
        "compiled" (generated Python built once per edition; its trace comes from the interpreter).
        """
        if runner not in RUNNERS:
            raise QueryError(f"unknown runner '{runner}'", hint=f"runners: {', '.join(RUNNERS)}")
        from racepolicy.query.forms import answer
        from racepolicy.tools.query_parse import parse_query  # cold start: through the cache, a query parses without Lark

        source = Source("<query>", text)
        query = self._form_at_place(parse_query(text, source.name, use_cache=self.use_cache))
        from racepolicy.query.routing import pinned

        if edition:
            chosen = pinned(self.find(edition), query, self._routable())
        else:
            chosen = self._route(query, source, set(facts or {}))
        answered = answer(chosen.edition, query, source, tracing=tracing, facts=facts, runner=runner)
        return attrs.evolve(answered, edition_note=chosen.note, warnings=(*chosen.warnings, *answered.warnings))

    def _route(self, query: ast.Query, source: Source, given: set[str]) -> Route:
        """`routing.route` on the index when some editions are not loaded yet: only the chosen one is then loaded. A query
        routing rejects is routed again on the loaded editions, so that its error reads as it always does."""
        from racepolicy.query.routing import Route, route

        if self._pending:
            from racepolicy.query.index import NotIndexed

            try:
                chosen = route(self._index, query, source, given)  # type: ignore[arg-type]
            except (PolicyError, NotIndexed):
                pass
            else:
                return Route(self._edition(chosen.edition.key), chosen.note, chosen.warnings)
        return route(self.editions, query, source, given)


def _file_of(edition: Edition | IndexEntry) -> str:
    return edition.file if isinstance(edition, IndexEntry) else edition.source.name
