"""Clause-by-clause coverage of a regulation text by its policy: encoded, informative or uncovered."""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal

import attrs
from racepolicy.evaluation.model import Edition
from racepolicy.language import ast
from racepolicy.language.citations import RegulationText, VerifiedSource, all_spans, normalise, quote_spans
from racepolicy.language.parser import section_headings

ENCODED, INFORMATIVE, UNCOVERED = "encoded", "informative", "uncovered"
# A clause counts as quoted when statements quote at least this share of its characters.
QUOTED_SHARE = Decimal("0.5")

# Lines a web page adds around every article: navigation, sharing, the shop. Never a rule.
BOILERPLATE = re.compile(
    r"^(skip to (main )?content|follow the races live|share article:?|share on \w+|we recommend|your cart|"
    r"your cart is empty.*|return to shop|menu|log ?in|sign ?up|search|back to top|cookie.*|all rights reserved.*)$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(•|·|-|\*|\d{1,2}[.)]|[a-z][.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9•\"“(])")
_WORD = re.compile(r"\w+")


@attrs.frozen
class Clause:
    """One clause of a regulation text and what the policy says of it."""

    file: str
    line: int
    section: str
    kind: str  # sentence, list item, table row
    text: str
    status: str = UNCOVERED
    share: Decimal = Decimal(0)  # how much of it statements quote
    statements: tuple[int, ...] = ()  # policy lines of the statements that quote it
    reason: str = ""  # for an informative clause: why it carries no rule

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file, "line": self.line, "section": self.section, "kind": self.kind, "text": self.text,
            "status": self.status, "quoted": str(self.share), "statements": list(self.statements), "reason": self.reason,
        }


@attrs.frozen
class Tally:
    """Counts of clauses by status."""

    encoded: int = 0
    informative: int = 0
    uncovered: int = 0

    @property
    def total(self) -> int:
        return self.encoded + self.informative + self.uncovered

    def add(self, status: str) -> Tally:
        return attrs.evolve(self, **{status: getattr(self, status) + 1})

    def percent(self, count: int) -> Decimal:
        if self.total == 0:
            return Decimal(100)
        return (Decimal(100) * count / self.total).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)

    @property
    def accounted(self) -> Decimal:
        """The share of clauses encoded or marked informative, in percent."""
        return self.percent(self.encoded + self.informative)

    def as_json(self) -> dict[str, object]:
        return {"clauses": self.total, "encoded": self.encoded, "informative": self.informative, "uncovered": self.uncovered,
                "accounted_percent": str(self.accounted), "encoded_percent": str(self.percent(self.encoded)),
                "informative_percent": str(self.percent(self.informative))}


@attrs.frozen
class Coverage:
    """The coverage of one policy over its regulation texts."""

    policy: str
    edition: str
    texts: tuple[str, ...]
    clauses: tuple[Clause, ...]
    headings: int
    boilerplate: int

    def tally(self, clauses: tuple[Clause, ...] | None = None) -> Tally:
        tally = Tally()
        for clause in self.clauses if clauses is None else clauses:
            tally = tally.add(clause.status)
        return tally

    def sections(self) -> list[tuple[str, str, Tally]]:
        """(file, section, tally) in text order."""
        order: dict[tuple[str, str], Tally] = {}
        for clause in self.clauses:
            key = (clause.file, clause.section)
            order[key] = order.get(key, Tally()).add(clause.status)
        return [(file, section, tally) for (file, section), tally in order.items()]

    def as_json(self, uncovered_only: bool = False) -> dict[str, object]:
        return {
            "policy": self.policy, "edition": self.edition, "texts": list(self.texts), "summary": self.tally().as_json(),
            "headings": self.headings, "boilerplate": self.boilerplate,
            "sections": [{"file": f, "section": s, **t.as_json()} for f, s, t in self.sections()],
            "clauses": [c.as_json() for c in self.clauses if not uncovered_only or c.status == UNCOVERED],
        }


# ---- splitting a text into clauses ----------------------------------------------------


def _is_heading(line: str, before: str, after: str, titles: frozenset[str]) -> bool:
    """A heading: a `section` title of the policy, an upper-case line among running text, or a short label ending with ':'."""
    if normalise(line).rstrip(":").casefold() in titles:
        return True
    words = _WORD.findall(line)
    if not words or len(words) > 14 or line.endswith((".", ";", ",", "!", "?")):
        return False
    letters = [ch for ch in line if ch.isalpha()]
    if len(letters) >= 3 and all(ch.isupper() for ch in letters) and not re.search(r"(?<![A-Za-z])\d", line):
        # ENTRY FEE, GENERAL OVERVIEW OF THE EVENT; not a cell of a table in capitals (XTERRA ATX between short cells).
        return len(_WORD.findall(before)) >= 8 or len(_WORD.findall(after)) >= 8 or not before
    return line.endswith(":") and len(words) <= 6  # a label that opens a list or a table ("Fees:")


def split(text: RegulationText, titles: frozenset[str] = frozenset()) -> Iterator[tuple[str, int, int, int, str, str]]:
    """(kind, line, raw start, raw end, section, clause text) for each clause; kind is heading or boilerplate for those.

    `titles` are the policy's `section` titles (case-folded): a line that is one of them is a heading."""
    rows = text.raw.split("\n")
    starts = [0]
    for row in rows:
        starts.append(starts[-1] + len(row) + 1)
    section = ""
    for number, row in enumerate(rows, start=1):
        stripped = row.strip()
        if not stripped:
            continue
        begin = starts[number - 1] + row.index(stripped)
        following = next((r.strip() for r in rows[number:] if r.strip()), "")
        before = next((r.strip() for r in reversed(rows[: number - 1]) if r.strip()), "")
        if BOILERPLATE.match(stripped):
            yield "boilerplate", number, begin, begin + len(stripped), section, stripped
            continue
        if _is_heading(stripped, before, following, titles):
            section = stripped.rstrip(":")
            yield "heading", number, begin, begin + len(stripped), section, stripped
            continue
        bullet = _BULLET.match(stripped)
        words = len(_WORD.findall(stripped))
        kind = "list item" if bullet else "table row" if words <= 8 and not stripped.endswith((".", "!", "?")) else "sentence"
        offset = 0
        for piece in _SENTENCE_END.split(stripped) if kind != "table row" else [stripped]:
            at = stripped.index(piece, offset)
            offset = at + len(piece)
            yield kind, number, begin + at, begin + offset, section, piece


# ---- matching clauses with statements ----------------------------------------------------


def _quotes(policy: ast.Policy) -> Iterator[tuple[str, int, str | None]]:
    """(quote, policy line, reason) of every citation; reason is None for an encoded statement's."""
    for st in policy.statements:
        reason = st.reason if isinstance(st, ast.InformativeDecl) else None
        seen: set[int] = set()
        for node in st.find_all(ast.Citation):
            if id(node) in seen:
                continue
            seen.add(id(node))
            assert isinstance(node, ast.Citation)
            yield node.text, node.span.line or st.span.line, reason


def _share(mask: bytearray, start: int, end: int, text: str) -> Decimal:
    letters = sum(1 for i in range(start, end) if not text[i].isspace())
    if letters == 0:
        return Decimal(0)
    covered = sum(1 for i in range(start, end) if mask[i] and not text[i].isspace())
    return Decimal(covered) / letters


def coverage_of(edition: Edition) -> Coverage:
    """How the edition's policy covers its regulation texts (which must have been found and verified)."""
    source = edition.source
    texts = source.texts if isinstance(source, VerifiedSource) else ()
    quotes = list(_quotes(edition.policy))
    titles = frozenset(normalise(title).casefold() for _, title in section_headings(source.text, source.name))
    clauses: list[Clause] = []
    headings = boilerplate = 0
    for text in texts:
        encoded, informative = bytearray(len(text.text)), bytearray(len(text.text))
        placed: list[tuple[int, int, int, str | None]] = []  # start, end, policy line, reason
        for quote, line, reason in quotes:
            if reason is None:
                spans = quote_spans(quote, text) or []  # a statement encodes what it quotes, not what `...` skips
            else:
                # An informative mark covers every place its words stand, `...` included: "first words ... last words" marks a passage.
                spans = all_spans(quote, text)
                if len(spans) > 1 and "..." in normalise(quote):
                    spans = [(spans[0][0], spans[-1][1])]
            mask = informative if reason is not None else encoded
            for start, end in spans:
                mask[start:end] = b"\x01" * (end - start)
                placed.append((start, end, line, reason))
        for kind, number, raw_start, raw_end, section, body in split(text, titles):
            if kind == "heading":
                headings += 1
                continue
            if kind == "boilerplate":
                boilerplate += 1
                continue
            start = bisect.bisect_left(text.offsets, raw_start)
            end = bisect.bisect_left(text.offsets, raw_end)
            by_rule, by_note = _share(encoded, start, end, text.text), _share(informative, start, end, text.text)
            touching = [p for p in placed if p[0] < end and p[1] > start]
            if by_rule >= QUOTED_SHARE or (by_rule > 0 and by_rule + by_note >= QUOTED_SHARE and by_rule >= by_note):
                status, share = ENCODED, by_rule
                lines = tuple(sorted({p[2] for p in touching if p[3] is None}))
            elif by_note >= QUOTED_SHARE or by_rule + by_note >= QUOTED_SHARE:
                status, share = INFORMATIVE, by_note
                lines = tuple(sorted({p[2] for p in touching if p[3] is not None}))
            else:
                status, share, lines = UNCOVERED, max(by_rule, by_note), tuple(sorted({p[2] for p in touching}))
            reason = next((p[3] for p in touching if p[3] is not None), "") if status == INFORMATIVE else ""
            clauses.append(Clause(text.name, number, section, kind, body, status, share.quantize(Decimal("0.01")), lines, reason or ""))
    return Coverage(edition.source.name, edition.label, tuple(t.name for t in texts), tuple(clauses), headings, boilerplate)


# ---- output ---------------------------------------------------------------------------------


def _cut(text: str, width: int = 100) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _tally_line(t: Tally) -> str:
    return (f"{t.accounted}% accounted for ({t.encoded} encoded {t.percent(t.encoded)}%, {t.informative} informative "
            f"{t.percent(t.informative)}%, {t.uncovered} uncovered) of {t.total} clauses")


def render_text(cov: Coverage, show: str = "summary") -> str:
    """The report as text; `show` is summary, uncovered (the gaps, with their lines) or all (every clause)."""
    out = [f"{cov.policy} ({cov.edition}): {', '.join(cov.texts)}"]
    if show != "uncovered":
        width = max([len(s) for _, s, _ in cov.sections()] + [12])
        width = min(width, 60)
        out.append(f"  {'section':<{width}}  {'clauses':>7}  {'encoded':>7}  {'informative':>11}  {'uncovered':>9}  {'accounted':>9}")
        for file, section, t in cov.sections():
            label = _cut(section or f"(start of {file})", width)
            out.append(f"  {label:<{width}}  {t.total:>7}  {t.encoded:>7}  {t.informative:>11}  {t.uncovered:>9}  {str(t.accounted) + '%':>9}")
    if show in ("uncovered", "all"):
        for c in cov.clauses:
            if show == "all" or c.status == UNCOVERED:
                mark = {ENCODED: "encoded", INFORMATIVE: "informative", UNCOVERED: "UNCOVERED"}[c.status]
                extra = f" (line {', '.join(map(str, c.statements))})" if c.statements else ""
                if c.status == INFORMATIVE and c.reason:
                    extra += f": {c.reason}"
                if c.status == UNCOVERED and c.share:
                    extra += f" ({int(c.share * 100)}% quoted)"
                out.append(f"  {c.file}:{c.line}  {mark}{extra}  [{_cut(c.section, 40)}] {_cut(c.text)}")
    out.append(f"  overall: {_tally_line(cov.tally())}; {cov.headings} headings and {cov.boilerplate} lines of site boilerplate not counted")
    return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def render_markdown(cov: Coverage, show: str = "summary") -> str:
    out = [f"## {cov.policy} ({cov.edition})", "", f"Texts: {', '.join(f'`{t}`' for t in cov.texts)}", "",
           f"**{_tally_line(cov.tally())}**", ""]
    if show != "uncovered":
        out += ["| section | clauses | encoded | informative | uncovered | accounted |", "|---|---:|---:|---:|---:|---:|"]
        for file, section, t in cov.sections():
            out.append(f"| {_md(section or f'(start of {file})')} | {t.total} | {t.encoded} | {t.informative} | {t.uncovered} | {t.accounted}% |")
        out.append("")
    if show in ("uncovered", "all"):
        out += ["| where | status | section | clause |", "|---|---|---|---|"]
        for c in cov.clauses:
            if show == "all" or c.status == UNCOVERED:
                out.append(f"| `{c.file}:{c.line}` | {c.status} | {_md(c.section)} | {_md(_cut(c.text))} |")
        out.append("")
    return "\n".join(out)


def render_json(coverages: list[Coverage], show: str = "summary") -> str:
    return json.dumps({"policies": [c.as_json(uncovered_only=show == "uncovered") for c in coverages]}, indent=2, ensure_ascii=False)
