"""Show a regulation diff as text (coloured on a terminal), Markdown for a changelog, or JSON for tools."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from typing import IO, Any

from racepolicy.diff.cases import Impact
from racepolicy.diff.compare import ADDED, HARSHER, MILDER, REMOVED, RENAMED, RESTATED, Change, EditionDiff
from racepolicy.diff.in_words import in_words
from racepolicy.diff.summary import highlights, section_counts
from racepolicy.evaluation.model import Citation

FORMATS = ("text", "markdown", "json")

MARKERS = {ADDED: "+", REMOVED: "-", RESTATED: "="}  # every other kind is a change: "~"

# ANSI colours, only on a terminal and never when NO_COLOR is set (https://no-color.org).
COLOURS = {ADDED: "32", REMOVED: "31", HARSHER: "31", MILDER: "32"}
CHANGED_COLOUR, TITLE_STYLE, CITE_STYLE = "33", "1", "2"


def use_colour(stream: IO[str], choice: str = "auto") -> bool:
    """Colour for `--color always`, or `auto` on a terminal without NO_COLOR."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    isatty: Callable[[], bool] | None = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _cites(diff: EditionDiff, change: Change) -> list[tuple[str, Citation]]:
    found = []
    if change.old_cite is not None:
        found.append((diff.old, change.old_cite))
    if change.new_cite is not None:
        found.append((diff.new, change.new_cite))
    return found


def _headline(diff: EditionDiff) -> str:
    return f"{diff.old} → {diff.new}: " + ("no changes" if diff.equal else _plural(diff.count, "change"))


def _year(label: str) -> str:
    return label.rsplit(" ", 1)[-1]


def _case_answer(label: str, query: str, other: str, answer: str) -> str:
    # A case asked on a day of each edition's year shows the day it was asked under each edition.
    return f"{label} ({query}): {answer}" if query != other else f"{label}: {answer}"


# ---- text ----------------------------------------------------------------------


def render_text(diff: EditionDiff, impact: Impact | None = None, colour: bool = False, explain: bool = False) -> str:
    def paint(text: str, style: str) -> str:
        return f"\x1b[{style}m{text}\x1b[0m" if colour else text

    lines = [paint(_headline(diff), TITLE_STYLE), f"  old: {diff.old_file}", f"  new: {diff.new_file}"]
    if not diff.equal:
        lines += ["", paint("Summary", TITLE_STYLE)]
        lines.append("  changes per section: " + ", ".join(f"{title} {count}" for title, count in section_counts(diff)))
        for found in highlights(diff):
            lines.append(f"  {found.theme}: {'; '.join(found.items)}")
    for section in diff.sections:
        if not section.changes:
            continue
        lines += ["", paint(section.title, TITLE_STYLE)]
        for change in section.changes:
            marker = MARKERS.get(change.kind, "~")
            lines.append(paint(f"  {marker} {change.summary}", COLOURS.get(change.kind, CHANGED_COLOUR)))
            lines.extend(f"      {line}" for line in change.details)
            if explain:
                lines.extend(f"      {line}" for line in change.explain)
            lines.extend(paint(f"      {label}: {cite}", CITE_STYLE) for label, cite in _cites(diff, change))
    if impact is not None:
        lines += ["", paint(_impact_headline(impact), TITLE_STYLE)]
        for result in impact.changed:
            lines.append(paint(f"  ~ line {result.line}: {result.name}", CHANGED_COLOUR))
            lines.append(f"      {_case_answer(diff.old, result.old_query, result.new_query, result.old)}")
            lines.append(f"      {_case_answer(diff.new, result.new_query, result.old_query, result.new)}")
        for bad in impact.bad_lines:
            lines.append(paint(f"  ! {impact.file}:{bad.line}: {bad.message}", COLOURS[REMOVED]))
    return "\n".join(lines) + "\n"


def _impact_headline(impact: Impact) -> str:
    text = f"Decision impact ({impact.file}): {len(impact.changed)} of {_plural(len(impact.results), 'case')} changed"
    if impact.bad_lines:
        text += f", {_plural(len(impact.bad_lines), 'bad line')}"
    return text


# ---- markdown --------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _md_cite(cite: Citation) -> str:
    return cite.render(escape=_md, quotes=("“", "”"), code="`")


# Section headings of the published document, where the diff's own title is a word of the language.
HEADINGS = {
    "Race attributes": "Distances, cut-offs, fees and other race figures",
    "Schedules": "Amounts that depend on the date",
    "Tables": "Tables of values (by race, country, reason...)",
    "Bands": "Number ranges (bibs, ages)",
    "Rules": "Other rules",
}

# How a change opens in the Markdown document; a change of value reads best as the subject and its values.
OPENINGS = {ADDED: "New: ", REMOVED: "Removed: ", RENAMED: "Renamed: ", RESTATED: "Restated, not changed: "}


def render_markdown(diff: EditionDiff, impact: Impact | None = None, explain: bool = False) -> str:
    """A document an editor publishes: what changed in the new year's regulations, summary first, each change cited."""
    old_year, new_year = _year(diff.old), _year(diff.new)
    lines = [f"# What changed in the {new_year} regulations", ""]
    if diff.equal:
        lines.append(f"The {new_year} regulations ({diff.new}) say the same as the {old_year} ones ({diff.old}): no changes.")
    else:
        lines.append(f"{_plural(diff.count, 'change').capitalize()} from the {old_year} regulations ({diff.old}, `{diff.old_file}`) "
                     f"to the {new_year} regulations ({diff.new}, `{diff.new_file}`). Each change cites the clause that says it in each edition.")
        lines += ["", "## In short", ""]
        for theme, sentences in in_words(diff):
            lines.append(f"- **{theme}.** {_md(sentences[0])}")
            lines.extend(f"  - {_md(sentence)}" for sentence in sentences[1:])
        lines += ["", "| Section | Changes |", "|---|---:|"]
        lines.extend(f"| {_md(HEADINGS.get(title, title))} | {count} |" for title, count in section_counts(diff))
    for section in diff.sections:
        if not section.changes:
            continue
        lines += ["", f"## {HEADINGS.get(section.title, section.title)}", ""]
        for change in section.changes:
            kind = f" ({change.kind})" if change.kind in (HARSHER, MILDER) else ""
            if change.kind == RENAMED and change.old and change.new:
                # `Renamed infraction: **missing_phone** → **missing_smartphone**`, not the subject "infraction" in bold.
                note = f" — {_md(change.note)}" if change.note else ""
                lines.append(f"- Renamed {_md(change.subject)}: **{_md(change.old)}** → **{_md(change.new)}**{note}")
            else:
                lines.append(f"- {OPENINGS.get(change.kind, '')}**{_md(change.subject)}**{_md(change.detail)}{kind}")
            lines.extend(f"  - {_md(line)}" for line in change.details)
            if explain:
                lines.extend(f"  - {_md(line)}" for line in change.explain)
            lines.extend(f"  - *{_year(label)}:* {_md_cite(cite)}" for label, cite in _cites(diff, change))
    if impact is not None:
        lines += ["", "## Decision impact", "", _md(_impact_headline(impact).replace("Decision impact ", "Cases ")) + "."]
        if impact.changed:
            lines += ["", f"| line | case | {diff.old} | {diff.new} |", "|---:|---|---|---|"]
            lines.extend(
                f"| {r.line} | {_md(r.name)} | {_md(_case_cell(r.old_query, r.new_query, r.old))} | {_md(_case_cell(r.new_query, r.old_query, r.new))} |"
                for r in impact.changed
            )
        if impact.bad_lines:
            lines += ["", "Lines that are not cases:", ""]
            lines.extend(f"- line {b.line}: {_md(b.message)}" for b in impact.bad_lines)
    return "\n".join(lines) + "\n"


def _case_cell(query: str, other: str, answer: str) -> str:
    return f"{answer} ({query})" if query != other else answer


# ---- json --------------------------------------------------------------------------


def diff_json(diff: EditionDiff, impact: Impact | None = None) -> dict[str, Any]:
    data = diff.as_json()
    data["summary"] = {"sections": [{"title": t, "count": n} for t, n in section_counts(diff)], "highlights": [h.as_json() for h in highlights(diff)]}
    if impact is not None:
        data["cases"] = impact.as_json()
    return data


def render_json(diff: EditionDiff, impact: Impact | None = None) -> str:
    # Keys sorted; lists keep the diff's topic order, so the text is stable run to run.
    return json.dumps(diff_json(diff, impact), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render(diff: EditionDiff, fmt: str, impact: Impact | None = None, colour: bool = False, explain: bool = False) -> str:
    if fmt == "markdown":
        return render_markdown(diff, impact, explain)
    if fmt == "json":
        return render_json(diff, impact)
    return render_text(diff, impact, colour, explain)
