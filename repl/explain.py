"""What `:explain` adds under the trace: the readings an answer took and the policy lines each citation stands on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from racepolicy.language.source import Source

# Most lines shown for one cited statement: a rule whose `§` stands a few lines below its head.
MAX_LINES = 4


def _statement_lines(source: Source, line: int) -> list[tuple[int, str]]:
    """The cited line and the lines after it down to the one holding its `§` (a statement's clause may close it)."""
    shown: list[tuple[int, str]] = []
    for number in range(line, line + MAX_LINES):
        text = source.line(number)
        if number > line and (not text.strip() or not text.startswith((" ", "\t"))):
            break
        shown.append((number, text))
        if "§" in text:
            break
    return shown


def readings(answer: Any) -> list[str]:
    """The readings of ambiguous clauses the answer took, each with the others the text allows and where it stands."""
    lines = []
    for r in answer.readings():
        others = ", ".join(f'"{a}"' for a in r["alternatives"])
        lines.append(f'  reading "{r["reading"]}" (the text also allows {others}) — {r["file"]}:{r["line"]}')
    return ["readings taken:", *lines] if lines else []


def source_lines(answer: Any, sources: Mapping[str, Source]) -> list[str]:
    """Each citation of the answer with the policy lines it stands on, in the order the trace used them."""
    lines: list[str] = []
    seen: set[tuple[str, int]] = set()
    for entry in answer.trace:
        citation = entry.citation
        if citation is None or (citation.file, citation.line) in seen:
            continue
        seen.add((citation.file, citation.line))
        source = sources.get(citation.file)
        if source is None:
            continue  # typed at the prompt: the trace shows it already
        for number, text in _statement_lines(source, citation.line):
            lines.append(f"  {citation.file}:{number:<4} | {text}")
    return ["source lines:", *lines] if lines else []


def explain_text(answer: Any, sources: Mapping[str, Source]) -> str:
    """The whole `:explain` reply: the answer with its trace, the readings taken, and the cited policy lines."""
    parts = [answer.render(explain=True)]
    parts.extend(f"  warning: {w}" for w in answer.warnings)
    parts.extend(readings(answer))
    parts.extend(source_lines(answer, sources))
    return "\n".join(parts)
