"""The runner-facing summary of a published diff, in sentences: races, fees, cut-offs, distances, gear, eligibility, refunds."""

from __future__ import annotations

import re
from collections.abc import Callable

from racepolicy.diff.compare import ADDED, HARSHER, MILDER, REMOVED, RENAMED, RESTATED, Change, EditionDiff

# Months for the days of a schedule's tiers (`03-16..04-30` reads "16 March to 30 April").
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
_DAY = re.compile(r"\b(\d\d)-(\d\d)\b")
# More races added (or removed) than this are named in one sentence, not one sentence each.
MANY_RACES = 6


def words(name: str) -> str:
    """An identifier as words: `food_reserve` → `food reserve`."""
    return name.replace("_", " ")


def days(text: str) -> str:
    """`03-16..04-30` → `16 March to 30 April`; `through 04-30` → `through 30 April`."""
    text = _DAY.sub(lambda m: f"{int(m.group(2))} {MONTHS[int(m.group(1)) - 1]}", text)
    return text.replace("..", " to ")


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _longer_or_shorter(change: Change, more: str, less: str) -> str:
    if not change.delta:
        return ""
    sign, amount = change.delta[0], change.delta[1:]
    return f" ({amount} {more if sign == '+' else less})" if sign in "+-" else f" ({change.delta})"


def _attributes(diff: EditionDiff, key: str) -> list[Change]:
    return [c for c in diff.changes("race_attributes") if c.subject.partition(" ")[2] == key]


def _races(diff: EditionDiff) -> list[str]:
    found = []
    for kind, opening in ((ADDED, "New race"), (REMOVED, "No longer run")):
        races = [c for c in diff.changes("races") if c.kind == kind]
        if len(races) > MANY_RACES:
            # A series calendar (dozens of races) reads as one list; each race's figures are in the Races section.
            found.append(f"{opening}s ({len(races)}): {', '.join(r.subject for r in races)}.")
            continue
        for race in races:
            facts = [line for line in race.details if line.split(":", 1)[0] in ("distance", "elevation", "start", "cutoff", "fee")]
            shown = ", ".join(words(line.replace("cutoff:", "cut-off").replace("fee:", "entry fee").replace(": ", " ")) for line in facts)
            conditions = [line.split(" — ", 1)[1] for line in race.details if line.startswith("eligible when") and " — " in line]
            text = f"{opening}: {race.subject}" + (f" ({shown})" if shown else "")
            if kind == ADDED and conditions:
                text += "; entry: " + "; ".join(conditions)
            found.append(text + ".")
    return found


def _fees(diff: EditionDiff) -> list[str]:
    return _figures(diff, "fee", "Entry fees", "more", "less") + _figures(diff, "insurance", "Cancellation insurance", "more", "less")


def _figures(diff: EditionDiff, key: str, label: str, more: str, less: str) -> list[str]:
    changes = _attributes(diff, key)
    if not changes:
        return []
    return [f"{label}: " + "; ".join(f"{c.subject.partition(' ')[0]} {c.old} → {c.new}{_longer_or_shorter(c, more, less)}" for c in changes) + "."]


def _gear_subject(change: Change) -> tuple[str, str, str]:
    """`hat on OCC (cold kit)` → ("hat", "OCC", "cold")."""
    name, _, rest = change.subject.partition(" on ")
    races, _, kit = rest.partition(" (")
    return words(name.split(" (now ")[0]), races, kit.removesuffix(" kit)")


def _gear(diff: EditionDiff) -> list[str]:
    changes = [c for s in diff.sections if s.topic.endswith("checklists") for c in s.changes]
    found = []
    basic = [c for c in changes if c.kind == ADDED and not _gear_subject(c)[2]]
    if basic:
        found.append("New mandatory items: " + "; ".join(f"{name} ({races})" for name, races, _ in map(_gear_subject, basic)) + ".")
    kits: dict[str, list[str]] = {}
    for c in changes:
        name, races, kit = _gear_subject(c)
        if c.kind == ADDED and kit:
            kits.setdefault(kit, []).append(f"{name} ({races})")
    for kit, items in kits.items():
        found.append(f"New in the {kit} kit, which the organization may call for: " + "; ".join(items) + ".")
    moved = [c for c in changes if c.kind not in (ADDED, REMOVED, RENAMED) and (c.new or "").startswith("required when the organization calls")]
    by_place: dict[tuple[str, str], list[str]] = {}
    for c in moved:
        name, races, kit = _gear_subject(c)
        by_place.setdefault((races, kit), []).append(name)
    found.extend(f"No longer required in every weather on {races}: {_join(names)}, now in the {kit} kit." for (races, kit), names in by_place.items())
    gone = [c for c in changes if c.kind == REMOVED]
    if gone:
        found.append("No longer required: " + "; ".join(f"{name} ({races})" for name, races, _ in map(_gear_subject, gone)) + ".")
    renamed = [c for c in changes if c.kind == RENAMED]
    found.extend(f"Renamed on {_gear_subject(c)[1]}: “{c.old}” is now “{c.new}”." for c in renamed)
    figures = [c for c in changes if c.kind not in (ADDED, REMOVED, RENAMED) and c not in moved]
    if figures:
        found.append("Changed figures or recommendations: " + "; ".join(f"{_gear_subject(c)[0]} on {_gear_subject(c)[1]}: {c.new}" for c in figures) + ".")
    return found


def _clauses(change: Change) -> tuple[str, str] | None:
    """The clause each edition says a change in, when both are quoted: the words a runner reads."""
    if change.old_cite and change.new_cite and change.old_cite.clause and change.new_cite.clause:
        return change.old_cite.clause, change.new_cite.clause
    return None


def _eligibility(diff: EditionDiff) -> list[str]:
    found = []
    restated = [c for c in diff.changes("rules") if c.kind == RESTATED and "edition year" in c.note]
    restated += [c for c in diff.changes("race_attributes") if c.subject.endswith(" eligibility") and c.kind == RESTATED]
    for c in restated:
        clauses = _clauses(c)
        said = f"“{clauses[0]}” in {diff.old}, “{clauses[1]}” in {diff.new}" if clauses else f"{c.old} in {diff.old}, {c.new} in {diff.new}"
        found.append(f"Age limit unchanged ({words(c.subject.removeprefix('rule ').removesuffix(' eligibility'))}): {said} — {c.note}.")
    for c in diff.changes("race_attributes"):
        if c.subject.endswith(" eligibility") and c.kind != RESTATED:
            # The clause says it in words; the condition is the policy's.
            clauses = _clauses(c)
            said = f"“{clauses[0]}” → “{clauses[1]}”" if clauses else f"{c.old} → {c.new}"
            found.append(f"Entry conditions of {c.subject.removesuffix(' eligibility')}: {said}.")
    # Whole tables only (they list their rows): a cell added or removed in a table of both editions is not a table gone.
    tables = [c for c in diff.changes("tables")
              if c.kind in (ADDED, REMOVED) and c.details and any(w in c.subject for w in ("qualif", "entry", "eligib", "index"))]
    # A table gone is a figure the new text no longer gives, not a condition lifted: the 2022 UTMB text still asks for
    # "the required number of qualifying points for 2022" (seed 003:392) without giving the numbers.
    for kind, opening in ((REMOVED, "No longer given in the text"), (ADDED, "New in the text")):
        names = list(dict.fromkeys(words(c.subject.split("(")[0]) for c in tables if c.kind == kind))
        if names:
            found.append(f"{opening}: {_join(names)}.")
    return found


def _refunds(diff: EditionDiff) -> list[str]:
    found = []
    tiers = [c for c in diff.changes("schedules") if c.kind not in (ADDED, REMOVED) and "refund" in c.subject]
    by_schedule: dict[str, list[str]] = {}
    for c in tiers:
        name, _, when = c.subject.partition(" ")
        by_schedule.setdefault(name, []).append(f"{days(when)}: {c.old} → {c.new}")
    found.extend(f"{words(name).capitalize()}: {'; '.join(items)}." for name, items in by_schedule.items())
    for c in diff.changes("schedules"):
        if c.kind == ADDED and "refund" in c.subject:
            found.append(f"New: {words(c.subject)}, {days(c.new or '')}.")
    for c in diff.changes("rules"):
        # Only the parts that change a figure (`15d → 30d (+15d)`): the rest is a rule's wording, under Other rules.
        figures = [p for p in c.parts if p.endswith(")") and (" (+" in p or " (-" in p)]
        if "refund" in c.subject and c.kind not in (RESTATED, ADDED, REMOVED) and figures:
            found.append(f"{words(c.subject.removeprefix('rule ')).capitalize()}: {days('; '.join(figures))}" + (f" ({c.note})" if c.note else "") + ".")
    return found


def _penalties(diff: EditionDiff) -> list[str]:
    changes = diff.changes("penalties")
    found = []
    for kind, label in ((HARSHER, "Harsher"), (MILDER, "Milder")):
        items = [f"{words(c.subject)}: {c.old} → {c.new}" for c in changes if c.kind == kind]
        if items:
            found.append(f"{label} penalties: " + "; ".join(items) + ".")
    new = [f"{words(c.subject)} ({c.new})" if c.new else words(c.subject) for c in diff.changes("infractions") if c.kind == ADDED]
    if new:
        found.append("New infractions: " + "; ".join(new) + ".")
    return found


def _deciders(diff: EditionDiff) -> list[str]:
    moved: dict[tuple[str, str], list[str]] = {}
    for c in diff.changes("penalties"):
        old, new = c.old or "", c.new or ""
        if old.startswith("discretion of ") and new.startswith("discretion of "):
            pair = (old.removeprefix("discretion of ").lower(), new.removeprefix("discretion of ").lower())
            moved.setdefault(pair, []).append(words(c.subject.split(" on ")[0]))
    return [f"Decided by {new} instead of {old}: {_join(items)}." for (old, new), items in moved.items()]


# What a runner reads first, in this order (the same themes as the text summary, said in sentences).
THEMES: tuple[tuple[str, Callable[[EditionDiff], list[str]]], ...] = (
    ("Races", _races),
    ("Fees", _fees),
    ("Cut-offs", lambda d: _figures(d, "cutoff", "Cut-off times", "longer", "shorter")),
    ("Distances", lambda d: _figures(d, "distance", "Distances", "longer", "shorter") + _figures(d, "elevation", "Elevation gain", "more", "less")),
    ("Gear", _gear),
    ("Eligibility", _eligibility),
    ("Refunds", _refunds),
    ("Penalties", _penalties),
    ("Who decides", _deciders),
)


def in_words(diff: EditionDiff) -> list[tuple[str, list[str]]]:
    """Each theme with changes and its sentences, for the opening of the Markdown document."""
    found = []
    for theme, pick in THEMES:
        sentences = pick(diff)
        if sentences:
            found.append((theme, sentences))
    return found
