"""Decision impact: replay concrete cases under two editions and keep those whose answer changed."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
from racepolicy.evaluation.model import Edition
from racepolicy.evaluation.values import to_json
from racepolicy.language.errors import PolicyError, PolicySyntaxError
from racepolicy.query.policyset import PolicySet

CASE_KEYS = {"query", "race", "infractions", "cancelled", "runner", "name"}
MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class CaseError(ValueError):
    """A line of a cases file that is not a case (its message says why)."""


@attrs.frozen
class CaseResult:
    """One case answered under both editions; an answer that could not be given reads `error: ...`."""

    line: int
    name: str
    old_query: str
    new_query: str
    old: str
    new: str
    changed: bool

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "case": self.name, "old_query": self.old_query, "new_query": self.new_query, "old": self.old, "new": self.new}


@attrs.frozen
class BadLine:
    line: int
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message}


@attrs.frozen
class Impact:
    """The outcome of a replay: every case's answers, and the lines that were not cases."""

    file: str
    results: tuple[CaseResult, ...] = ()
    bad_lines: tuple[BadLine, ...] = ()

    @property
    def changed(self) -> list[CaseResult]:
        return [r for r in self.results if r.changed]

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "replayed": len(self.results),
            "changed": [r.as_json() for r in self.changed],
            "bad_lines": [b.as_json() for b in self.bad_lines],
        }


def _literal(value: Any) -> str:
    """A JSON scalar as a policy literal (runner facts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if '"' in value or "\n" in value:
            raise CaseError("runner text facts may not hold quotes or line breaks")
        return f'"{value}"'
    raise CaseError(f"runner facts must be whole numbers, text or true/false, not {type(value).__name__}")


def _word(value: Any, what: str) -> str:
    if not isinstance(value, str) or not WORD.match(value):
        raise CaseError(f"'{what}' must be a name such as UTMB or lack_of_respect")
    return value


def _on_edition(text: Any, old: Edition, edition: Edition) -> str:
    """A cancellation day for `edition`: MM-DD lands in its year; a full date keeps its distance from the old edition's year."""
    if not isinstance(text, str):
        raise CaseError("'cancelled' must be a date such as 2016-05-15 or a day such as 05-15")
    m = MONTH_DAY.match(text)
    try:
        if m:
            return datetime.date(edition.year, int(m.group(1)), int(m.group(2))).isoformat()
        day = datetime.date.fromisoformat(text)
        return day.replace(year=day.year - old.year + edition.year).isoformat()
    except ValueError:
        raise CaseError(f"'{text}' is not a date (write 2016-05-15 or 05-15)") from None


def case_query(case: Mapping[str, Any], old: Edition, edition: Edition) -> str:
    """The query a case asks of `edition`: as written, or built from race, infractions, cancellation or runner."""
    unknown = sorted(set(case) - CASE_KEYS)
    if unknown:
        raise CaseError(f"unknown key(s) {', '.join(unknown)}; a case has: {', '.join(sorted(CASE_KEYS))}")
    if "query" in case:
        if not isinstance(case["query"], str) or len(case) - ("name" in case) != 1:
            raise CaseError("'query' is a text and stands alone (with an optional 'name')")
        return case["query"]
    if "race" not in case:
        raise CaseError("a case needs 'query', or 'race' with 'infractions', 'cancelled' or 'runner'")
    race = _word(case["race"], "race")
    asked = [k for k in ("infractions", "cancelled", "runner") if k in case]
    if len(asked) != 1:
        raise CaseError("give exactly one of 'infractions', 'cancelled' or 'runner' with 'race'")
    if "infractions" in case:
        infractions = case["infractions"]
        if not isinstance(infractions, list) or not infractions:
            raise CaseError("'infractions' is a list of names, e.g. [\"lack_of_respect\"]")
        return f"penalty {', '.join(_word(i, 'infractions') for i in infractions)} on {race}"
    if "cancelled" in case:
        return f"refund {race} cancelled {_on_edition(case['cancelled'], old, edition)}"
    runner = case["runner"]
    if not isinstance(runner, dict):
        raise CaseError("'runner' is an object of facts, e.g. {\"birth_year\": 1999}")
    facts = ", ".join(f"{_word(k, 'runner')}: {_literal(v)}" for k, v in runner.items())
    return f"eligible {race} given runner = {{{facts}}}"


def _answer(policies: PolicySet, edition: Edition, query: str) -> tuple[str, Any, PolicyError | None]:
    """The answer as a jury reads it, what it means (compared across editions), and the error if none was given."""
    try:
        answer = policies.ask(query, edition=edition.key)
        return answer.text, to_json(answer.value), None
    except PolicyError as exc:
        return f"error: {exc.message}", f"error: {exc.message}", exc


def _single(edition: Edition) -> PolicySet:
    # One set per edition: two versions of the same edition (same key) can then be compared.
    policies = PolicySet()
    policies.editions[edition.key] = edition
    return policies


def replay(old: Edition, new: Edition, lines: Iterable[str], file: str = "<cases>") -> Impact:
    """Answer each case (one JSON object a line) under both editions; a bad line is recorded and the rest go on."""
    old_set, new_set = _single(old), _single(new)
    results: list[CaseResult] = []
    bad: list[BadLine] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        try:
            case = json.loads(text)
        except json.JSONDecodeError as exc:
            bad.append(BadLine(number, f"not JSON: {exc.msg} (column {exc.colno})"))
            continue
        if not isinstance(case, dict):
            bad.append(BadLine(number, "a case is a JSON object, e.g. {\"query\": \"penalty lack_of_respect on UTMB\"}"))
            continue
        try:
            old_query, new_query = case_query(case, old, old), case_query(case, old, new)
        except CaseError as exc:
            bad.append(BadLine(number, str(exc)))
            continue
        old_text, old_meaning, old_error = _answer(old_set, old, old_query)
        new_text, new_meaning, new_error = _answer(new_set, new, new_query)
        if isinstance(old_error, PolicySyntaxError) and isinstance(new_error, PolicySyntaxError):
            bad.append(BadLine(number, f"not a query: {new_error.message}"))
            continue
        name = case.get("name") if isinstance(case.get("name"), str) else new_query
        # Values are compared, not texts: no refund stays no refund though the fee it is a share of changed.
        results.append(CaseResult(number, name, old_query, new_query, old_text, new_text, old_meaning != new_meaning))
    return Impact(file, tuple(results), tuple(bad))
