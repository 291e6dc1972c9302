"""Load policy files and folders into a set of editions, and route each query to one of them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
from racepolicy.evaluation.model import Edition
from racepolicy.language.errors import DuplicateError, InputError, PolicyError, PolicyErrors, QueryError, did_you_mean
from racepolicy.language.source import Source, Span
from racepolicy.query.answer import Answer

if TYPE_CHECKING:
    from racepolicy.api import Rulebook

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
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}", source=where, hint="split the policy")
        data = path.read_bytes()
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
    folder = resources.files("racepolicy.policies")
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
    """Every loaded edition, keyed `series-year`; answers queries with the edition that fits."""

    def __init__(self, pm: pluggy.PluginManager | None = None) -> None:
        if pm is None:
            from racepolicy.pluginapi.manager import make_plugin_manager

            pm = make_plugin_manager()
        self.pm = pm
        self.editions: dict[str, Edition] = {}

    # ---- loading
    @classmethod
    def load(cls, paths: Sequence[str | os.PathLike[str]], pm: pluggy.PluginManager | None = None) -> PolicySet:
        """Load files and folders; raises PolicyErrors with every error of every file."""
        policy_set = cls(pm)
        files = policy_files(paths)
        if not files:
            raise InputError(f"no {POLICY_SUFFIX} files in {', '.join(str(p) for p in paths)}", hint="give a policy file or a folder of them")
        errors: list[PolicyError] = []
        for path in files:
            try:
                policy_set.add(read_source(path))
            except PolicyErrors as exc:
                errors.extend(exc.errors)
            except PolicyError as exc:
                errors.append(exc)
        if errors:
            raise PolicyErrors(errors)
        return policy_set

    @classmethod
    def bundled(cls, pm: pluggy.PluginManager | None = None) -> PolicySet:
        policy_set = cls(pm)
        for source in bundled_sources():
            policy_set.add(source)
        return policy_set

    def add(self, source: Source) -> Edition:
        edition = compile_source(source, self.pm)
        if edition.key in self.editions and self.editions[edition.key].source.name != source.name:
            other = self.editions[edition.key].source.name
            raise DuplicateError(
                f"edition {edition.label} is loaded twice (also in {other})",
                edition.policy.header.span if edition.policy.header else edition.policy.span, source,
                "load one file per edition",
            )
        self.editions[edition.key] = edition
        return edition

    # ---- choosing an edition
    def find(self, name: str) -> Edition:
        """An edition by `utmb-2022`, `utmb 2022` or a series name alone (its latest year)."""
        key = name.strip().replace(" ", "-")
        if key in self.editions:
            return self.editions[key]
        same_series = [e for e in self.editions.values() if e.series == key]
        if same_series:
            return max(same_series, key=lambda e: e.year)
        raise QueryError(
            f"no edition '{name}' is loaded", hint=did_you_mean(key, self.editions) or f"loaded: {', '.join(sorted(self.editions)) or 'none'}",
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
        from racepolicy.language.parser import parse_query
        from racepolicy.query.forms import answer, referenced_names

        source = Source("<query>", text)
        query = parse_query(text, source.name)
        chosen = self.find(edition) if edition else self.choose(referenced_names(query) - set(facts or {}))
        return answer(chosen, query, source, tracing=tracing, facts=facts, runner=runner)
