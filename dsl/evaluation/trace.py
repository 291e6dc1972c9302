"""Trace entries: which statements an answer used, with their inputs and citations."""

from __future__ import annotations

import attrs
from racepolicy.evaluation.model import Citation


@attrs.frozen
class TraceEntry:
    """One statement that took part in an answer."""

    kind: str  # penalty, rule, schedule, table, band, attribute, eligibility, function, query
    name: str
    detail: str = ""
    inputs: tuple[tuple[str, str], ...] = ()
    result: str = ""
    citation: Citation | None = None
    depth: int = 0

    def render(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.inputs)
        head = f"{self.kind} {self.name}" + (f"({args})" if args else "")
        if self.detail:
            head += f": {self.detail}"
        if self.result:
            head += f" → {self.result}"
        if self.citation:
            head += f"\n    {self.citation}"
        return "  " * self.depth + head.replace("\n", "\n" + "  " * self.depth)

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "name": self.name,
            "detail": self.detail,
            "inputs": dict(self.inputs),
            "result": self.result,
            "citation": self.citation.as_json() if self.citation else None,
        }
