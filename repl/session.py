"""The state of one REPL session: loaded editions, the pinned edition, case facts, what-if definitions, answers."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import pluggy
from racepolicy.evaluation.model import Citation, Edition
from racepolicy.evaluation.values import render
from racepolicy.language import ast
from racepolicy.language.checker import check
from racepolicy.language.errors import InputError, PolicyError, PolicyErrors, PolicySyntaxError, QueryError
from racepolicy.language.source import Source, Span
from racepolicy.query import cache
from racepolicy.query.answer import Answer
from racepolicy.query.policyset import POLICY_SUFFIX, PolicySet, bundled_sources, policy_files, read_source

# Statements a jury may type at the prompt for a what-if; they change this session only.
DEFINITION_KEYWORDS = ("race", "group", "infraction", "penalty", "schedule", "table", "band", "rule", "checklist", "input", "assert", "informative")
# Typed statements are cited under this heading and this source name.
SESSION_SECTION = "typed at the prompt"
SESSION_SOURCE = "<session>"
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@attrs.frozen
class Reply:
    """What the session says back to one line of input."""

    text: str
    ok: bool = True
    kind: str = "answer"  # answer, info, error, empty
    quit: bool = False


def error_reply(exc: PolicyError) -> Reply:
    return Reply(exc.render(), ok=False, kind="error")


def first_word(text: str) -> str:
    match = _WORD.match(text.lstrip())
    return match.group(0) if match else ""


def classify(text: str) -> str:
    """What a line is: "empty", "command" (`:help`), "definition" (`rule x = ...`) or "query"."""
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return "empty"
    if stripped.startswith(":"):
        return "command"
    word = first_word(stripped)
    if word in ("edition", "section"):
        return "definition"
    if word not in DEFINITION_KEYWORDS:
        return "query"
    from racepolicy.language.parser import parse_policy, parse_query

    # `penalty a on UTMB` asks, `penalty a on UTMB = 1h` defines; other keywords can
    # still start a query when used as a fact name (`race.fee`), so the query grammar goes first.
    try:
        parse_query(stripped)
        return "query"
    except PolicyError:
        pass
    try:
        parse_policy(stripped, SESSION_SOURCE)
        return "definition"
    except PolicyError:
        pass
    if word == "penalty":
        before_given = stripped.split(" given ", 1)[0]
        return "definition" if "=" in before_given else "query"
    return "definition"


@attrs.define
class SessionEdition:
    """An edition recompiled with the statements typed at the prompt appended to its file."""

    edition: Edition
    base_name: str  # the file's source name
    offset: int  # lines of file text before the first typed statement
    statements: tuple[str, ...]


class Session:
    """Everything a race meeting has set up: answers queries and commands, never raises to the caller."""

    def __init__(self, paths: Sequence[str] = (), pm: pluggy.PluginManager | None = None) -> None:
        if pm is None:
            from racepolicy.pluginapi.manager import make_plugin_manager

            pm = make_plugin_manager()
        self.pm = pm
        self.paths: list[str] = [str(p) for p in paths]
        self.include_bundled = not self.paths
        self.base: dict[str, Edition] = {}  # as loaded from files
        self.policies = PolicySet(pm)  # what queries see: base plus session definitions
        self.edition: str | None = None  # pinned edition key; None routes each query by the names it uses
        self.facts: dict[str, tuple[str, Any]] = {}  # name -> (expression as typed, value)
        self.definitions: dict[str, list[str]] = {}  # edition key -> statements typed at the prompt
        self.session_editions: dict[str, SessionEdition] = {}
        self.last_query = ""
        self.failures = 0

    # ---- loading
    def open(self) -> list[Reply]:
        """Load the files (or the bundled policies); errors are replies, never exceptions."""
        return self.reload(first=True)

    def _read_sources(self) -> tuple[list[Source], list[PolicyError]]:
        sources: list[Source] = []
        errors: list[PolicyError] = []
        if self.include_bundled:
            sources.extend(bundled_sources())
        for raw in self.paths:
            path = Path(raw)
            if path.is_dir() and not policy_files([path]):
                errors.append(InputError(f"no {POLICY_SUFFIX} files in {raw}", source=Source(raw, ""), hint="give a policy file or a folder of them"))
                continue
            for file in policy_files([path]):
                try:
                    sources.append(read_source(file))
                except PolicyError as exc:
                    errors.append(exc)
        return sources, errors

    def reload(self, first: bool = False) -> list[Reply]:
        """Re-read every file; a file that no longer checks keeps its last good edition loaded."""
        sources, errors = self._read_sources()
        failed = {e.source_name for e in errors}
        fresh: dict[str, Edition] = {}
        notes: list[str] = []
        for source in sources:
            try:
                edition = cache.load(source, self.pm)  # the cache of checked editions (docs/cache.md)
            except PolicyError as exc:
                errors.append(exc)
                failed.add(source.name)
                continue
            if edition.key in fresh:
                notes.append(f"{edition.label} is in both {fresh[edition.key].source.name} and {source.name}: using {source.name}")
            fresh[edition.key] = edition
        kept = []
        for key, old in self.base.items():
            if key not in fresh and old.source.name in failed:
                fresh[key] = old
                kept.append(old)
        replies = [error_reply(e) for e in errors]
        for old in kept:
            replies.append(Reply(f"{old.source.name} has errors: the last good version of {old.label} stays loaded", ok=False, kind="error"))
        self.base = fresh
        replies.extend(self._rebuild())
        if self.edition and self.edition not in self.policies.editions:
            replies.append(Reply(f"edition {self.edition} is no longer loaded: queries now choose their edition", kind="info"))
            self.edition = None
        replies.extend(self._refresh_facts())
        replies.extend(Reply(n, kind="info") for n in notes)
        if not first:
            replies.append(Reply(f"reloaded: {self.editions_line()}", kind="info"))
        elif not self.base:
            replies.append(Reply("no edition is loaded: use :load PATH", ok=False, kind="error"))
        return replies

    def load(self, raw: str) -> list[Reply]:
        """Add a file or folder to the session (`:load PATH`)."""
        path = Path(raw).expanduser()
        if not path.exists():
            return [error_reply(InputError("no such file or folder", source=Source(raw, ""), hint="check the path"))]
        before = set(self.base)
        if str(path) not in self.paths:
            self.paths.append(str(path))
        replies = self.reload(first=True)
        added = sorted(set(self.base) - before)
        if added:
            replies.append(Reply(f"loaded {', '.join(self.base[k].label for k in added)} from {raw}", kind="info"))
        elif not any(not r.ok for r in replies):
            replies.append(Reply(f"reloaded the editions in {raw}", kind="info"))
        return replies

    def _rebuild(self) -> list[Reply]:
        """The editions queries see: the loaded ones, with this session's definitions applied."""
        self.policies.editions = dict(self.base)
        self.session_editions = {}
        replies = []
        for key, statements in list(self.definitions.items()):
            if key not in self.base:
                replies.append(Reply(f"edition {key} is gone: its session definitions are set aside", ok=False, kind="error"))
                continue
            try:
                self._apply(key, statements)
            except PolicyError as exc:
                replies.append(Reply(f"the session definitions no longer fit {key}:\n{exc.render()}", ok=False, kind="error"))
        return replies

    # ---- session definitions (what-ifs)
    def _apply(self, key: str, statements: Sequence[str]) -> Edition:
        base = self.base[key]
        redefined = set()
        for text in statements:
            policy = _parse_statement(text)
            redefined |= {s.name for s in policy.statements if isinstance(s, ast.RuleDecl)}
        file_text = _blank_rules(base.source.text, base.policy, redefined)
        head = file_text.rstrip("\n") + f'\nsection "{SESSION_SECTION}"\n'
        offset = head.count("\n")
        source = Source(f"{base.source.name}+session", head + "\n".join(statements) + "\n")
        try:
            edition = check(_combined(base.policy, redefined, statements, offset, source.name), source, self.pm)
        except PolicyError as exc:
            raise _relocate_error(exc, source.name, base.source, offset, statements) from None
        self.session_editions[key] = SessionEdition(edition, base.source.name, offset, tuple(statements))
        self.policies.editions[key] = edition
        return edition

    def define(self, text: str) -> Reply:
        word = first_word(text)
        if word in ("edition", "section"):
            raise QueryError(f"'{word}' cannot be typed at the prompt", Span.point(1, 1), Source(SESSION_SOURCE, text),
                             "use :edition NAME YEAR to switch edition, :load PATH to load a file")
        policy = _parse_statement(text)
        key = self._edition_for_definition(text)
        statements = [*self.definitions.get(key, []), text.strip()]
        edition = self._apply(key, statements)
        self.definitions[key] = statements
        what = ", ".join(_describe(s) for s in policy.statements)
        return Reply(f"{what}: defined for this session in {edition.label} (see :session)", kind="info")

    def _edition_for_definition(self, text: str) -> str:
        if self.edition:
            return self.edition
        if not self.base:
            raise QueryError("no policy is loaded", hint="use :load PATH first")
        return self.policies.choose(set(_WORD.findall(text)) - set(DEFINITION_KEYWORDS)).key

    def clear_definitions(self) -> list[Reply]:
        self.definitions.clear()
        replies = self._rebuild()
        return [*replies, Reply("session definitions cleared", kind="info")]

    # ---- facts of the case
    def fact_values(self) -> dict[str, Any]:
        return {name: value for name, (_, value) in self.facts.items()}

    def set_fact(self, name: str, expression: str) -> Reply:
        others = {k: v for k, v in self.fact_values().items() if k != name}
        value = self.policies.ask(expression, edition=self.edition, facts=others, tracing=False).value
        self.facts[name] = (expression, value)
        return Reply(f"fact {name} = {render(value)}", kind="info")

    def _refresh_facts(self) -> list[Reply]:
        """Re-evaluate facts after the editions changed (a race fact must be the race of the edition in use)."""
        replies = []
        for name, (expression, _) in list(self.facts.items()):
            try:
                self.set_fact(name, expression)
            except PolicyError as exc:
                del self.facts[name]
                replies.append(Reply(f"fact {name} dropped: {exc.message}", ok=False, kind="error"))
        return replies

    # ---- editions
    def pin(self, name: str | None) -> list[Reply]:
        if name is None:
            self.edition = None
            return [Reply("queries now choose the newest edition that knows their names", kind="info"), *self._refresh_facts()]
        edition = self.policies.find(name)
        self.edition = edition.key
        return [Reply(f"queries now use {edition.label}: {edition.title}", kind="info"), *self._refresh_facts()]

    def editions_line(self) -> str:
        if not self.policies.editions:
            return "no editions loaded"
        return "editions " + ", ".join(sorted(self.policies.editions))

    def editions_table(self) -> str:
        if not self.policies.editions:
            return "no editions loaded (use :load PATH)"
        rows = []
        for key in sorted(self.policies.editions):
            edition = self.policies.editions[key]
            mark = "*" if key == self.edition else " "
            extra = " (+session)" if key in self.session_editions else ""
            source = self.base[key].source.name if key in self.base else edition.source.name
            races = f"{len(edition.races)} races: {', '.join(edition.races)}" if edition.races else "no races"
            rows.append(f"{mark} {key:<18} {edition.title}{extra}\n    {source}: {races}")
        pinned = f"queries use {self.edition}" if self.edition else "each query uses the newest edition that knows its names"
        return "\n".join([*rows, f"({pinned})"])

    # ---- queries
    def ask(self, text: str, explain: bool = False) -> Reply:
        self.last_query = text.strip()
        try:
            answer = self.policies.ask(text, edition=self.edition, facts=self.fact_values())
        except PolicyError as exc:
            raise self._relocate(exc) from None
        answer = self._relocate_answer(answer)
        if explain:
            from racepolicy.repl.explain import explain_text

            sources = {e.source.name: e.source for e in self.base.values()} or {e.source.name: e.source for e in self.policies.editions.values()}
            return Reply(explain_text(answer, sources))
        reason = [f"  {answer.reason}"] if answer.reason else []
        note = [f"  ({answer.edition_note})"] if answer.edition_note else []
        warnings = [f"  warning: {w}" for w in answer.warnings]
        cited = [*(f"  {c}" for c in answer.citations()), *(f"  {i}" for i in answer.input_lines())]
        lines = [f"{answer.text}    [{answer.edition}]", *reason, *note, *warnings, *cited]
        return Reply("\n".join(lines))

    def answer(self, text: str) -> Answer:
        """The Answer object itself (for tools and tests), citations mapped back to files and the session."""
        return self._relocate_answer(self.policies.ask(text, edition=self.edition, facts=self.fact_values()))

    def _relocate(self, exc: PolicyError) -> PolicyError:
        for info in self.session_editions.values():
            if exc.source_name == info.edition.source.name:
                return _relocate_error(exc, info.edition.source.name, self.base[info.edition.key].source, info.offset, info.statements)
        return exc

    def _relocate_answer(self, answer: Answer) -> Answer:
        infos = {info.edition.source.name: info for info in self.session_editions.values()}
        if not infos:
            return answer
        trace = []
        for entry in answer.trace:
            citation = entry.citation
            if citation is not None and citation.file in infos:
                citation = _relocate_citation(citation, infos[citation.file])
            trace.append(attrs.evolve(entry, citation=citation))
        return attrs.evolve(answer, trace=tuple(trace))

    # ---- one line of input
    def handle(self, text: str) -> list[Reply]:
        """Answer one line (query, command or definition); every failure becomes an error reply."""
        from racepolicy.repl.commands import run_command

        kind = "query"
        try:
            not_utf8(text)
            kind = classify(text)
            if kind == "empty":
                return []
            if kind == "command":
                replies = run_command(self, text.strip())
            elif kind == "definition":
                replies = [self.define(text)]
            else:
                replies = [self.ask(text)]
        except PolicyError as exc:
            if exc.source is None and kind == "command":
                exc.with_source(Source("<command>", text.strip()))  # say where, rather than "<input>"
            replies = [error_reply(exc)]
        except RecursionError:
            replies = [Reply("error: input is nested too deeply", ok=False, kind="error")]
        except Exception as exc:
            replies = [Reply(f"internal error ({type(exc).__name__}: {exc}); the session goes on, please report this", ok=False, kind="error")]
        if any(not r.ok for r in replies):
            self.failures += 1
        return replies

    def describe(self) -> str:
        """What `:session` shows: the pinned edition, the facts and the statements typed here."""
        lines = [f"edition: {self.edition or 'chosen per query'}"]
        if self.facts:
            lines.append("facts:")
            for name, (expression, value) in self.facts.items():
                shown = render(value)
                lines.append(f"  {name} = {expression}" + (f"    ({shown})" if shown != expression.strip() else ""))
        else:
            lines.append("facts: none (set with :facts NAME = VALUE)")
        if self.definitions:
            lines.append("definitions (this session only):")
            for key, statements in self.definitions.items():
                lines.extend(f"  [{key}] {s}" for s in statements)
        else:
            lines.append("definitions: none (type a rule or penalty to try a what-if)")
        return "\n".join(lines)


def not_utf8(text: str, name: str = "<input>") -> None:
    """Raise InputError at the first byte that was not UTF-8 (read with surrogateescape, it is a lone surrogate)."""
    for index, char in enumerate(text):
        if "\udc80" <= char <= "\udcff":
            line = text.count("\n", 0, index) + 1
            column = index - (text.rfind("\n", 0, index) + 1) + 1
            shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise InputError(f"not UTF-8 text (byte 0x{ord(char) - 0xDC00:02X})", Span(line, column, line, column + 1),
                             Source(name, shown), "type or save the input as UTF-8")


# ---- typed statements, each parsed once: the 1,000th definition of a session must not re-parse the 999 before it

_PARSED: dict[tuple[str, int, str], tuple[ast.Statement, ...]] = {}
_PARSED_LIMIT = 10_000


def _placed(text: str, line: int, name: str) -> tuple[ast.Statement, ...]:
    """The statements of a typed text as the combined source holds them (from `line` + 1 on, under the session heading)."""
    from racepolicy.language.parser import parse_policy

    key = (text, line, name)
    if key not in _PARSED:
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        # Blank lines before it put every span where it stands in the combined source, as a parse of the whole would.
        parsed = parse_policy("\n" * line + text + "\n", name)
        _PARSED[key] = tuple(attrs.evolve(st, section=SESSION_SECTION) for st in parsed.statements)
    return _PARSED[key]


def _combined(base: ast.Policy, redefined: set[str], statements: Sequence[str], offset: int, name: str) -> ast.Policy:
    """The AST of the file (rules typed anew taken out) followed by the typed statements: what parsing the combined source
    gives, built from parses already made."""
    kept = tuple(st for st in base.statements if not (isinstance(st, ast.RuleDecl) and st.name in redefined))
    typed: list[ast.Statement] = []
    line = offset
    for text in statements:
        typed.extend(_placed(text, line, name))
        line += text.count("\n") + 1
    return attrs.evolve(base, statements=kept + tuple(typed))


@functools.lru_cache(maxsize=4096)
def _parse_statement(text: str) -> ast.Policy:
    from racepolicy.language.parser import parse_policy

    policy = parse_policy(text, SESSION_SOURCE)
    if policy.header is not None:
        raise PolicySyntaxError("an edition header cannot be typed at the prompt", policy.header.span, Source(SESSION_SOURCE, text),
                                "use :edition NAME YEAR to switch edition")
    return policy


def _describe(statement: ast.Statement) -> str:
    if isinstance(statement, ast.PenaltyDecl):
        return f"penalty {', '.join(statement.infractions)} on {', '.join(statement.targets)}"
    name = getattr(statement, "name", "")
    kind = type(statement).__name__.removesuffix("Decl").lower()
    return f"{kind} {name}".strip()


def _blank_rules(text: str, policy: ast.Policy, names: set[str]) -> str:
    """The file text with the named rules blanked out (same line numbers), so a typed rule replaces them."""
    if not names:
        return text
    lines = text.split("\n")
    for statement in policy.statements:
        if isinstance(statement, ast.RuleDecl) and statement.name in names:
            span = statement.span
            for number in range(span.line, span.end_line + 1):
                row = lines[number - 1]
                start = span.column - 1 if number == span.line else 0
                end = span.end_column - 1 if number == span.end_line else len(row)
                lines[number - 1] = row[:start] + " " * (end - start) + row[end:]
    return "\n".join(lines)


def _relocate_citation(citation: Citation, info: SessionEdition) -> Citation:
    if citation.line > info.offset:
        return attrs.evolve(citation, file=SESSION_SOURCE, line=citation.line - info.offset)
    return attrs.evolve(citation, file=info.base_name)


def _relocate_error(exc: PolicyError, combined: str, base: Source, offset: int, statements: Sequence[str]) -> PolicyError:
    """Point an error in file-plus-session text at the file or at the typed statements."""
    if isinstance(exc, PolicyErrors):
        return PolicyErrors([_relocate_error(e, combined, base, offset, statements) for e in exc.errors])
    if exc.source_name != combined:
        return exc
    span = exc.span
    if span.line > offset:
        typed = Source(SESSION_SOURCE, "\n".join(statements))
        moved = Span(span.line - offset, span.column, span.end_line - offset, span.end_column)
        exc.span, exc.source = moved, typed
    else:
        exc.source = base
    return exc

