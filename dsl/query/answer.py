"""Answers to queries: the value, the edition that gave it, and the trace of cited statements."""

from __future__ import annotations

import json
from typing import Any

import attrs
from racepolicy.evaluation.trace import TraceEntry
from racepolicy.evaluation.values import Sanction, render, to_json


@attrs.frozen
class Answer:
    """What a query returns: `value` plus the statements used, each with its citation."""

    query: str
    edition: str
    value: Any
    trace: tuple[TraceEntry, ...] = ()
    note: str = ""
    reason: str = ""  # why a "no" is a no: the condition of the regulation not met

    @property
    def text(self) -> str:
        return render(self.value) + (f" ({self.note})" if self.note else "")

    @property
    def negative(self) -> bool:
        """A no: an ineligible runner, a failed qualification (exit code 1 on the command line)."""
        return self.value is False

    def citations(self) -> list[str]:
        seen: dict[str, None] = {}
        for entry in self.trace:
            if entry.citation is not None:
                seen.setdefault(str(entry.citation), None)
        return list(seen)

    def inputs(self) -> list[dict[str, Any]]:
        """The declared inputs this answer used: figures the regulation does not give, supplied with the query."""
        seen: dict[str, dict[str, Any]] = {}
        for entry in self.trace:
            if entry.kind == "input":
                seen.setdefault(entry.name, {"name": entry.name, "value": entry.result, "reason": entry.detail.split(": ", 1)[-1]})
        return list(seen.values())

    def readings(self) -> list[dict[str, Any]]:
        """The readings of ambiguous clauses this answer depends on, each once, with the citation it belongs to."""
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        for entry in self.trace:
            citation = entry.citation
            if citation is not None and citation.reading:
                seen.setdefault((citation.clause, citation.reading), {
                    "reading": citation.reading, "alternatives": list(citation.alternatives), "clause": citation.clause,
                    "file": citation.file, "line": citation.line,
                })
        return list(seen.values())

    def render(self, explain: bool = False) -> str:
        lines = [self.text]
        if self.reason:
            lines.append(f"  {self.reason}")
        if explain:
            lines.append(f"  edition: {self.edition}")
            lines.extend("  " + e.render().replace("\n", "\n  ") for e in self.trace)
        else:
            lines.extend(f"  {c}" for c in self.citations())
            lines.extend(f"  {line}" for line in self.input_lines())
        return "\n".join(lines)

    def input_lines(self) -> list[str]:
        """One line per declared input used: said apart from the citations, as these figures come from the query, not the regulation."""
        return [f"input {i['name']} = {i['value']}: supplied with the query, not in the regulation ({i['reason']})" for i in self.inputs()]

    def as_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "edition": self.edition,
            "value": to_json(self.value),
            "text": self.text,
            "reason": self.reason,
            "trace": [e.as_json() for e in self.trace],
            "readings": self.readings(),
            "inputs": self.inputs(),
        }

    def to_json_text(self) -> str:
        return json.dumps(self.as_json(), indent=2, sort_keys=True, ensure_ascii=False)

    def to_json(self) -> str:
        """The answer as JSON text: value (exact values as strings), text, reason and the trace with its citations."""
        return self.to_json_text()

    def to_python(self) -> Any:
        """The value as plain Python (Decimal, timedelta, date, str, bool, a Decision for a sanction; see docs/api.md)."""
        from racepolicy.api import Decision, to_python

        if isinstance(self.value, Sanction):
            return Decision.of(self.value, self.citations())  # with the clauses the trace cites
        return to_python(self.value)
