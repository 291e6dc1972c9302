"""The summary a diff opens with: changes per section, and the ones a runner notices first (fees, cut-offs, gear...)."""

from __future__ import annotations

from collections.abc import Callable

import attrs
from racepolicy.diff.compare import ADDED, HARSHER, MILDER, REMOVED, RESTATED, Change, EditionDiff


@attrs.frozen
class Highlight:
    """One line of the summary: a theme a runner cares about and its changes, shortest form first."""

    theme: str
    items: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {"theme": self.theme, "items": list(self.items)}


def _value(change: Change, subject: str) -> str:
    if change.kind == ADDED:
        return f"{subject} {change.new} (new)"
    if change.kind == REMOVED:
        return f"{subject} {change.old} (gone)"
    return f"{subject} {change.old} → {change.new}" + (f" ({change.delta})" if change.delta else "")


def _attribute(diff: EditionDiff, names: tuple[str, ...]) -> list[str]:
    found = []
    for change in diff.changes("race_attributes"):
        race, _, key = change.subject.partition(" ")
        if key in names:
            found.append(_value(change, change.subject if len(names) > 1 else race))
    return found


# Themes in the order a runner reads a new edition: which races, what it costs, how long, how far, what to carry,
# who may enter, what comes back on cancelling, how penalties moved.
THEMES: tuple[tuple[str, Callable[[EditionDiff], list[str]]], ...] = (
    ("Races", lambda d: [f"{c.subject} {'added' if c.kind == ADDED else 'removed'}" for c in d.changes("races")]),
    ("Fees", lambda d: _attribute(d, ("fee", "insurance"))),
    ("Cut-offs", lambda d: _attribute(d, ("cutoff",))),
    ("Distances", lambda d: _attribute(d, ("distance",))),
    ("Gear", lambda d: [f"{'+' if c.kind == ADDED else '-' if c.kind == REMOVED else '~'} {c.subject}"
                        for s in d.sections if s.topic.endswith("checklists") for c in s.changes]),
    ("Eligibility", lambda d: [c.summary for c in d.changes("race_attributes") if c.subject.endswith(" eligibility")]
     + [c.summary for c in d.changes("rules") if c.kind == RESTATED and "edition year" in c.note]),
    ("Refunds", lambda d: [c.summary for t in ("schedules", "rules") for c in d.changes(t) if "refund" in c.subject and c.kind != RESTATED]),
    ("Penalties", lambda d: _penalty_counts(d.changes("penalties"))),
    ("Who decides", lambda d: [c.summary for c in d.changes("penalties") if (c.old or "").startswith("discretion") and (c.new or "").startswith("discretion")]),
)


def _penalty_counts(changes: list[Change]) -> list[str]:
    counts = [(sum(c.kind == HARSHER for c in changes), "harsher"), (sum(c.kind == MILDER for c in changes), "milder"),
              (sum(c.kind not in (HARSHER, MILDER) for c in changes), "otherwise changed, added or removed")]
    return [", ".join(f"{n} {word}" for n, word in counts if n)] if changes else []


def highlights(diff: EditionDiff) -> list[Highlight]:
    found = []
    for theme, pick in THEMES:
        items = pick(diff)
        if items:
            found.append(Highlight(theme, tuple(items)))
    return found


def section_counts(diff: EditionDiff) -> list[tuple[str, int]]:
    """Each section with changes, and how many (restatements shown but not counted)."""
    return [(s.title, s.count) for s in diff.sections if s.changes]
