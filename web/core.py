"""What the jury console asks of racepolicy: the CLI's and the REPL's own answers, describe data, diff and completions, as JSON-ready data."""

from __future__ import annotations

import threading
from typing import Any

import attrs
from racepolicy.evaluation.model import Edition
from racepolicy.language.errors import InputError, InputTooLargeError, PolicyError, QueryError
from racepolicy.language.parser import MAX_QUERY_CHARS
from racepolicy.query.policyset import PolicySet

# Regulation lines shown around a clause, so the jury reads it in its paragraph.
CLAUSE_CONTEXT = 2
# Most lines one clause request returns (a quote with `...` may span a page).
MAX_CLAUSE_LINES = 80
# Most completions returned for one request: a menu, not a dump.
MAX_COMPLETIONS = 60


@attrs.define
class _CompletionSession:
    """What the REPL's completer reads of a session: the loaded policies, the pinned edition and the facts (none on the web)."""

    policies: PolicySet
    edition: str | None = None
    facts: dict[str, tuple[str, Any]] = attrs.field(factory=dict)


def error_json(exc: PolicyError) -> dict[str, Any]:
    """The errors' JSON, as `--json` prints it, always as a list, with the located text the CLI prints on stderr."""
    errors = getattr(exc, "errors", None) or (exc,)
    return {"errors": [{**e.as_json(), "text": e.render()} for e in errors]}


def check_text(text: object, what: str, limit: int = MAX_QUERY_CHARS) -> str:
    """A text parameter of a request, or the located error the CLI would give for it."""
    if not isinstance(text, str):
        raise InputError(f"'{what}' must be a text", hint=f"send {what} as a JSON string")
    if len(text) > limit:
        raise InputTooLargeError(f"'{what}' is {len(text):,} characters, over the limit of {limit:,}", hint="ask a shorter question")
    return text


class JuryCore:
    """One loaded set of policies, answering the console's questions; evaluation is serialised so requests never share a half-built cache."""

    def __init__(self, policies: PolicySet) -> None:
        self.policies = policies
        self._lock = threading.Lock()

    def edition(self, name: str) -> Edition:
        return self.policies.find(check_text(name, "edition", 200))

    def editions(self) -> dict[str, Any]:
        from racepolicy.query.describe import describe

        with self._lock:
            return describe(self.policies, [])

    def describe(self, words: list[str]) -> dict[str, Any]:
        from racepolicy.query.describe import describe

        for word in words:
            check_text(word, "name", 200)
        with self._lock:
            return describe(self.policies, words)

    def query(self, text: object, edition: object = None) -> dict[str, Any]:
        query = check_text(text, "query")
        pinned = None if edition in (None, "", "auto") else check_text(edition, "edition", 200)
        with self._lock:
            return self.policies.ask(query, edition=pinned).as_json()

    def checklists(self, name: str) -> dict[str, Any]:
        """The equipment checklists of an edition as the answers of `carry RACE` and `carry RACE with KIT` (what the CLI answers),
        for every race that has a checklist; a kit's answer only where the kit adds to that race's list."""
        from racepolicy.evaluation import equipment

        chosen = self.edition(name)
        kits = equipment.kits(chosen)
        answers = []
        with self._lock:
            for race in chosen.races:
                if not any(race in c.races for c in chosen.checklists.values()):
                    continue
                for kit in ("", *kits):
                    try:
                        answer = self.policies.ask(f"carry {race}" + (f" with {kit}" if kit else ""), edition=chosen.key).as_json()
                    except PolicyError:  # a race whose name is no query word cannot be asked about here; the CLI cannot either
                        break
                    if kit and not any(item["kit"] == kit for item in answer["value"]["items"]):
                        continue
                    answers.append(answer)
        return {"edition": chosen.label, "key": chosen.key, "kits": kits, "answers": answers}

    def diff(self, old: str, new: str, markdown: bool = False) -> dict[str, Any]:
        from racepolicy.diff.compare import diff_editions
        from racepolicy.diff.render import diff_json, render_markdown

        older, newer = self.edition(old), self.edition(new)
        with self._lock:
            found = diff_editions(older, newer, self.policies.pm)
            data = diff_json(found)
            if markdown:
                data["markdown"] = render_markdown(found)
        return data

    def complete(self, text: str, edition: str | None = None) -> dict[str, Any]:
        """The REPL's completions for the text before the cursor: what replaces the word being typed, and its label."""
        from prompt_toolkit.completion import CompleteEvent
        from prompt_toolkit.document import Document
        from racepolicy.repl.completer import RacePolicyCompleter, RankedCompleter

        check_text(text, "text")
        pinned = self.edition(edition).key if edition not in (None, "", "auto") else None
        completer = RankedCompleter(RacePolicyCompleter(_CompletionSession(self.policies, pinned)))  # type: ignore[arg-type]
        with self._lock:
            found = []
            for completion in completer.get_completions(Document(text, len(text)), CompleteEvent(completion_requested=True)):
                found.append({"text": completion.text, "start": completion.start_position, "meta": completion.display_meta_text})
                if len(found) == MAX_COMPLETIONS:
                    break
        return {"text": text, "completions": found}

    def clause(self, edition: str, file: str, first_line: int, end_line: int) -> dict[str, Any]:
        """The lines of a regulation text a citation points to, with a little context; only texts a loaded edition cites are read."""
        chosen = self.edition(edition)
        texts = {t.name: t for t in getattr(chosen.source, "texts", ())}
        text = texts.get(file)
        if text is None:
            raise QueryError(f"the {chosen.label} edition cites no regulation text called '{file}'",
                             hint=f"its texts: {', '.join(sorted(texts)) or 'none (its citations are not verified)'}")
        rows = text.raw.split("\n")
        if not 1 <= first_line <= end_line <= len(rows):
            raise QueryError(f"lines {first_line}-{end_line} are not in {file} ({len(rows)} lines)", hint="use the lines a citation gives")
        start = max(1, first_line - CLAUSE_CONTEXT)
        stop = min(len(rows), end_line + CLAUSE_CONTEXT, start + MAX_CLAUSE_LINES - 1)
        return {
            "edition": chosen.label, "file": file, "first_line": first_line, "end_line": end_line,
            "lines": [{"number": n, "text": rows[n - 1], "cited": first_line <= n <= end_line} for n in range(start, stop + 1)],
        }
