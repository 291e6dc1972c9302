"""The policy formatter: one canonical layout, comments kept in place, and a proof that nothing was lost.

`format_policy(text)` returns the canonical text, or raises a PolicyError and
returns nothing when the result would not parse to the same AST as the input,
or would drop a comment or a section heading.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal

import attrs
from racepolicy.evaluation.values import Duration, Length, Money, Percent, TimeOfDay, fmt_decimal
from racepolicy.language import ast
from racepolicy.language.errors import FormatError, PolicyError
from racepolicy.language.source import Source, Span

# Lines longer than this are wrapped where the language allows (rule bodies, penalty lists).
WIDTH = 160
INDENT = "  "

# Strings and comments, left to right, so a '#' inside a quoted text is never a comment.
_STRINGS_AND_COMMENTS = re.compile(r'"[^"\n]*"|#[^\n]*')


# ---- expressions -----------------------------------------------------------------

# Binding strength of each kind of expression, loosest first (as in grammar/racepolicy.lark).
IF, OR, AND, NOT, COMPARE, TIMED, SUM, PRODUCT, UNARY, POSTFIX, ATOM = range(11)
_BINARY_LEVEL = {"or": OR, "and": AND, "+": SUM, "-": SUM, "*": PRODUCT, "/": PRODUCT, "at": TIMED}


def literal(value: object) -> str:
    """A literal value as it is written in a policy."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return fmt_decimal(value)
    if isinstance(value, Money):
        return f"{fmt_decimal(value.amount)} {value.currency}"
    if isinstance(value, Length):
        return str(value)
    if isinstance(value, Percent):
        return f"{fmt_decimal(value.value)}%"
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, datetime.datetime):  # not written as a literal; built with `at`
        raise FormatError("a date-time literal is written DATE at TIME")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, TimeOfDay):
        return str(value)
    if isinstance(value, str):
        return f'"{value}"'
    raise FormatError(f"cannot write a literal of type {type(value).__name__}")


def _level(expr: ast.Expr) -> int:
    if isinstance(expr, ast.IfExpr | ast.Where):
        return IF
    if isinstance(expr, ast.Binary):
        return _BINARY_LEVEL.get(expr.op, COMPARE)
    if isinstance(expr, ast.Unary):
        return NOT if expr.op == "not" else UNARY
    if isinstance(expr, ast.Field | ast.Call):
        return POSTFIX
    return ATOM


def expression(expr: ast.Expr, at_least: int = IF) -> str:
    """An expression with the fewest parentheses that keep its meaning."""
    text = _expression(expr)
    return f"({text})" if _level(expr) < at_least else text


def _expression(expr: ast.Expr) -> str:
    if isinstance(expr, ast.Literal):
        return literal(expr.value)
    if isinstance(expr, ast.MonthDay):
        return f"{expr.month:02}-{expr.day:02}"
    if isinstance(expr, ast.NotApplicable):
        return "n/a"
    if isinstance(expr, ast.Name):
        return expr.name
    if isinstance(expr, ast.Field):
        return f"{expression(expr.subject, POSTFIX)}.{expr.name}"
    if isinstance(expr, ast.Call):
        return f"{expr.function}({', '.join(expression(a) for a in expr.args)})"
    if isinstance(expr, ast.Unary):
        if expr.op == "not":
            return f"not {expression(expr.operand, NOT)}"
        return f"-{expression(expr.operand, UNARY)}"
    if isinstance(expr, ast.Binary):
        level = _level(expr)
        if level == COMPARE:  # comparisons do not chain: both sides are sums, or a date at a time
            op = {"in": "in", "notin": "not in"}.get(expr.op, expr.op)
            return f"{expression(expr.left, TIMED)} {op} {expression(expr.right, TIMED)}"
        if level == TIMED:  # `day at 12:00` does not chain either
            return f"{expression(expr.left, SUM)} at {expression(expr.right, SUM)}"
        return f"{expression(expr.left, level)} {expr.op} {expression(expr.right, level + 1)}"
    if isinstance(expr, ast.IfExpr):
        return f"if {expression(expr.condition)} then {expression(expr.then)} else {expression(expr.otherwise)}"
    if isinstance(expr, ast.Where):  # issue #11 item 2; the list is a disjunction, the condition any expression
        return f"{expression(expr.items, OR)} where {expression(expr.condition)}"
    if isinstance(expr, ast.ListExpr):
        return "[" + ", ".join(expression(i) for i in expr.items) + "]"
    if isinstance(expr, ast.RecordExpr):
        return "{" + ", ".join(f"{k}: {expression(v)}" for k, v in expr.items) + "}"
    raise FormatError(f"cannot write a {type(expr).__name__}")


def _cite(citation: ast.Citation | None) -> str:
    if citation is None:
        return ""
    reading = f' reading "{citation.reading}"' + "".join(f' over "{a}"' for a in citation.alternatives) if citation.reading else ""
    return f'§ "{citation.text}"{reading}'


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _sanction(s: ast.SanctionExpr) -> str:
    if s.kind == "time":
        return str(Duration(Decimal(s.minutes)))
    if s.kind == "discretion" and s.decider:
        return f"discretion of {literal(s.decider)}"
    if s.kind == "ban":
        term = f"{s.ban_months // 12} years" if s.ban_months % 12 == 0 else f"{s.ban_months} months"
        return f"disqualify{' immediately' if s.immediate else ''} for {term}"
    if s.immediate:
        return "disqualify immediately" + (" for life" if s.kind == "life" else "")
    words = {"disqualify": "disqualify", "life": "disqualify for life", "discretion": "discretion", "doping": "as doping", "none": "no penalty"}
    return words[s.kind]


def _when(st: ast.PenaltyDecl) -> str:
    return f"when {expression(st.condition)}" if st.condition is not None else ""


def _aligned(rows: list[tuple[int, list[str]]]) -> list[tuple[int, str]]:
    """Rows of columns padded so each column starts at the same place; empty trailing columns add nothing."""
    widths = [max((len(cols[i]) for _, cols in rows if i < len(cols) - 1 and any(cols[i + 1:])), default=0)
              for i in range(max((len(c) for _, c in rows), default=0))]
    out = []
    for line, cols in rows:
        last = max((i for i, c in enumerate(cols) if c), default=-1)
        out.append((line, " ".join(c.ljust(widths[i]) if i < last else c for i, c in enumerate(cols[: last + 1]))))
    return out


# ---- statements --------------------------------------------------------------------

Lines = list[tuple[int, str]]  # (source line it came from, text)


def _header(h: ast.Header) -> Lines:
    lines = [(h.span.line, f'edition {h.series} {h.year} {literal(h.title)} currency {h.currency}')]
    return lines + [(s.span.line, f"source {literal(s.path)}") for s in h.sources]


def _race(st: ast.RaceDecl) -> Lines:
    head = _join(f"race {st.name}", literal(st.title) if st.title else "", _cite(st.citation)) + ":"
    items: list[tuple[int, str, bool]] = [
        (a.span.line, _join(f"{a.name} {expression(a.value)}", _cite(a.citation)), a.citation is None) for a in st.attributes
    ]
    items += [(e.span.line, _join(f"eligible when {expression(e.condition)}", _cite(e.citation)), False) for e in st.eligibility]
    items.sort(key=lambda i: i[0])
    lines: Lines = [(st.span.line, head)]
    # Short attributes without a citation share a line; cited ones stand alone.
    current: list[str] = []
    current_line = 0
    for index, (line, text, short) in enumerate(items):
        last = index == len(items) - 1
        if short and current and len(INDENT + ", ".join([*current, text]) + ",") <= WIDTH:
            current.append(text)
        else:
            if current:
                lines.append((current_line, INDENT + ", ".join(current) + ","))
            current, current_line = [text], line
        if not short or last:
            lines.append((current_line, INDENT + ", ".join(current) + ("" if last else ",")))
            current = []
    return lines


def _names_line(prefix: str, names: Iterable[str], suffix: str, line: int) -> Lines:
    text = _join(prefix, ", ".join(names), suffix)
    return [(line, text)]


def _penalty_columns(st: ast.PenaltyDecl) -> list[str]:
    return [f"penalty {', '.join(st.infractions)} on {', '.join(st.targets)}", "=", _join(_sanction(st.sanction), _when(st)), _cite(st.citation)]


def _penalty_wrapped(st: ast.PenaltyDecl) -> Lines:
    # Too long for one line: the infractions wrap under each other, the citation goes below.
    lines: Lines = []
    current = "penalty "
    for i, name in enumerate(st.infractions):
        piece = name + ("," if i < len(st.infractions) - 1 else "")
        if len(current) + len(piece) > WIDTH and current.strip() != "penalty":
            lines.append((st.span.line, current.rstrip()))
            current = " " * 8
        current += piece + " "
    lines.append((st.span.line, _join(f"{current}on {', '.join(st.targets)} = {_sanction(st.sanction)}", _when(st))))
    if st.citation is not None:
        lines.append((st.span.line, INDENT + _cite(st.citation)))
    return lines


def _tiers(tiers: Iterable[ast.Tier], otherwise: ast.Otherwise | None) -> Lines:
    rows = [(t.span.line, [INDENT + "through " + expression(t.through), "->", expression(t.value), _cite(t.citation)]) for t in tiers]
    if otherwise is not None:
        rows.append((otherwise.span.line, [INDENT + "otherwise", "->", expression(otherwise.value), _cite(otherwise.citation)]))
    return _aligned(rows)


def _key(key: ast.Literal | ast.Name) -> str:
    return key.name if isinstance(key, ast.Name) else literal(key.value)


def _params(params: tuple[ast.Param, ...], typed: bool = True) -> str:
    return "(" + ", ".join(p.name + (f": {p.type}" if typed and p.type != "any" else "") for p in params) + ")"


def _rule(st: ast.RuleDecl) -> Lines:
    head = f"rule {st.name}" + (_params(st.params) if st.params else "") + " ="
    one_line = _join(head, expression(st.body), _cite(st.citation))
    if len(one_line) <= WIDTH:
        return [(st.span.line, one_line)]
    if st.citation is not None and len(_join(head, expression(st.body))) <= WIDTH:
        return [(st.span.line, _join(head, expression(st.body))), (st.span.line, INDENT + _cite(st.citation))]
    lines: Lines = [(st.span.line, head)]
    body = st.body
    # An if / else if chain reads best one branch per line.
    if isinstance(body, ast.IfExpr):
        lines.append((st.span.line, INDENT + f"if {expression(body.condition)} then {expression(body.then)}"))
        while isinstance(body.otherwise, ast.IfExpr):
            body = body.otherwise
            lines.append((st.span.line, INDENT + f"else if {expression(body.condition)} then {expression(body.then)}"))
        lines.append((st.span.line, INDENT + f"else {expression(body.otherwise)}"))
    else:
        lines.append((st.span.line, INDENT + expression(body)))
    if st.citation is not None:
        lines.append((st.span.line, INDENT + _cite(st.citation)))
    return lines


# ---- equipment checklists (gear) ----


def _gear_item(item: ast.GearItem) -> Lines:
    """One checklist item: on one line when it fits; otherwise each spec on a line of its own, then the ties and citation."""
    head = _join(INDENT + item.mode, str(item.count) if item.count is not None else "", item.name,
                 literal(item.description) if item.description else "")
    specs = [f"spec {literal(spec.text)}" for spec in item.specs]
    ties = _join(*(f"{word} {', '.join(names)}" for word, names in (("except", item.excepted), ("absent", item.absent), ("fewer", item.fewer)) if names))
    cite = _cite(item.citation)
    one_line = _join(head, *specs, ties, cite)
    if len(one_line) <= WIDTH:
        return [(item.span.line, one_line)]
    more = INDENT * 2
    tail = [_join(ties, cite)] if len(more + _join(ties, cite)) <= WIDTH else [p for p in (ties, cite) if p]
    return [(item.span.line, row) for row in (head, *(more + p for p in (*specs, *tail)))]


def _checklist(st: ast.ChecklistDecl) -> Lines:
    specs = [f"spec {literal(spec.text)}" for spec in st.specs]
    start = _join(f"checklist {st.name} on {', '.join(st.targets)}", f"kit {st.kit}" if st.kit else "")
    head = _join(start, *specs, _cite(st.citation)) + ":"
    if len(head) <= WIDTH:
        return [(st.span.line, head), *(line for item in st.items for line in _gear_item(item))]
    # Too long: each list-wide spec on a line of its own, the citation and ':' after the last.
    rows = [start, *(INDENT * 2 + spec for spec in specs)]
    if st.citation is not None:
        rows.append(INDENT * 2 + _cite(st.citation))
    rows[-1] += ":"
    return [*((st.span.line, row) for row in rows), *(line for item in st.items for line in _gear_item(item))]


def statement(st: ast.Statement) -> Lines:
    """One statement in canonical layout (penalties are aligned by the caller, block by block)."""
    if isinstance(st, ast.RaceDecl):
        return _race(st)
    if isinstance(st, ast.GroupDecl):
        return _names_line(f"group {st.name} =", st.members, _cite(st.citation), st.span.line)
    if isinstance(st, ast.InfractionDecl):
        return [(st.span.line, _join(f"infraction {st.name}", literal(st.description), _cite(st.citation)))]
    if isinstance(st, ast.PenaltyDecl):
        return [(st.span.line, " ".join(c for c in _penalty_columns(st) if c))]
    if isinstance(st, ast.ScheduleDecl):
        return [(st.span.line, _join(f"schedule {st.name}", _cite(st.citation)) + ":"), *_tiers(st.tiers, st.otherwise)]
    if isinstance(st, ast.TableDecl):
        rows = [(r.span.line, [INDENT + ", ".join(_key(k) for k in r.keys), "->", expression(r.value), _cite(r.citation)]) for r in st.rows]
        if st.otherwise is not None:
            rows.append((st.otherwise.span.line, [INDENT + "otherwise", "->", expression(st.otherwise.value), _cite(st.otherwise.citation)]))
        head = _join(f"table {st.name}{_params(st.params)}", _cite(st.citation)) + ":"
        return [(st.span.line, head), *_aligned(rows)]
    if isinstance(st, ast.BandDecl):
        rows = [(r.span.line, [INDENT + r.label.replace("-", "..") if r.high is not None else INDENT + r.label,
                               "->" if r.value is not None else "", expression(r.value) if r.value is not None else "", _cite(r.citation)])
                for r in st.rows]
        return [(st.span.line, _join(f"band {st.name}", _cite(st.citation)) + ":"), *_aligned(rows)]
    if isinstance(st, ast.RuleDecl):
        return _rule(st)
    if isinstance(st, ast.ChecklistDecl):
        return _checklist(st)
    if isinstance(st, ast.AssertDecl):
        one_line = _join("assert", expression(st.condition), _cite(st.citation))
        if len(one_line) <= WIDTH:
            return [(st.span.line, one_line)]
        return [(st.span.line, f"assert {expression(st.condition)}"), (st.span.line, INDENT + _cite(st.citation))]
    if isinstance(st, ast.InputDecl):
        one_line = _join(f"input {st.name}: {st.type}", literal(st.reason), _cite(st.citation))
        if len(one_line) <= WIDTH or st.citation is None:
            return [(st.span.line, one_line)]
        return [(st.span.line, _join(f"input {st.name}: {st.type}", literal(st.reason))), (st.span.line, INDENT + _cite(st.citation))]
    if isinstance(st, ast.InformativeDecl):
        one_line = _join("informative", _cite(st.citation), literal(st.reason))
        if len(one_line) <= WIDTH:
            return [(st.span.line, one_line)]
        return [(st.span.line, _join("informative", _cite(st.citation))), (st.span.line, INDENT + literal(st.reason))]
    if isinstance(st, ast.WordsDecl | ast.FactsDecl):
        return _words_or_facts(st)
    if isinstance(st, ast.AttributeDecl):  # issue #11 item 10
        return [(st.span.line, _join(f"attribute {st.name}: {st.type}", _cite(st.citation)))]
    raise FormatError(f"cannot write a {type(st).__name__}")


# ---- closed sets of words and the shapes of facts (issue #11 item 1)


def _words_or_facts(st: ast.WordsDecl | ast.FactsDecl) -> Lines:
    """One word or one field a line, so each carries its own citation and comment."""
    if isinstance(st, ast.WordsDecl):
        head = _join(f"words {st.name}", "case sensitive" if st.case_sensitive else "", _cite(st.citation)) + ":"
        items = [(w.span.line, _join(literal(w.text), "(" + ", ".join(literal(a) for a in w.aliases) + ")" if w.aliases else "", _cite(w.citation)))
                 for w in st.words]
    else:
        head = _join(f"facts {st.name}", _cite(st.citation)) + ":"
        items = [(f.span.line, _join(f"{f.name}: {f.type}", "optional" if f.optional else "", _cite(f.citation))) for f in st.fields]
    last = len(items) - 1
    return [(st.span.line, head), *((line, INDENT + text + ("," if i < last else "")) for i, (line, text) in enumerate(items))]


# ---- the whole file ------------------------------------------------------------------


@attrs.frozen
class _Block:
    """A run of output lines standing for source lines first..last."""

    first: int
    last: int
    lines: tuple[tuple[int, str], ...]
    penalty: ast.PenaltyDecl | None = None


def comments(text: str) -> list[tuple[int, str, bool]]:
    """Every comment as (line, text, whether code stands before it on its line)."""
    found = []
    for m in _STRINGS_AND_COMMENTS.finditer(text):
        if m.group().startswith("#"):
            start = text.rfind("\n", 0, m.start()) + 1
            found.append((text.count("\n", 0, m.start()) + 1, m.group().rstrip(), bool(text[start : m.start()].strip())))
    return found


def section_marks(text: str) -> list[tuple[int, str]]:
    """Every `section "..."` heading as (line, title), as the parser found them."""
    from racepolicy.language.parser import section_headings

    return section_headings(text)


def _blocks(policy: ast.Policy, text: str) -> list[_Block]:
    blocks: list[_Block] = []
    if policy.header is not None:
        h = policy.header
        blocks.append(_Block(h.span.line, h.span.end_line, tuple(_header(h))))
    for line, title in section_marks(text):
        blocks.append(_Block(line, line, ((line, f"section {literal(title)}"),)))
    for st in policy.statements:
        penalty = st if isinstance(st, ast.PenaltyDecl) else None
        blocks.append(_Block(st.span.line, st.span.end_line, tuple(statement(st)), penalty))
    blocks.sort(key=lambda b: b.first)
    for line, comment, trailing in comments(text):
        if trailing:
            continue
        holder = next((i for i, b in enumerate(blocks) if b.first < line <= b.last), None)
        if holder is None:
            blocks.append(_Block(line, line, ((line, comment),)))
            continue
        # A comment inside a statement stays inside it, before the part that follows it.
        block = blocks[holder]
        at = next((i for i, (tag, _) in enumerate(block.lines) if tag > line), len(block.lines))
        # After the statement's last part, it reads as a comment of its own line (and is one on the next run).
        lines = (*block.lines[:at], (line, INDENT + comment if at < len(block.lines) else comment), *block.lines[at:])
        blocks[holder] = attrs.evolve(block, lines=lines, penalty=None if len(lines) > 1 else block.penalty)
    blocks.sort(key=lambda b: b.first)
    return blocks


def _align_penalties(blocks: list[_Block]) -> list[_Block]:
    """Consecutive penalties (no blank line or comment between) form a chart whose '=' and '§' line up."""
    out: list[_Block] = []
    run: list[_Block] = []

    def flush() -> None:
        # Citations stay on the penalty's line when the whole chart fits; otherwise each goes below its penalty.
        columns = {id(b): _penalty_columns(b.penalty) for b in run if b.penalty is not None}
        fits = [b for b in run if len(" ".join(columns[id(b)][:3])) <= WIDTH]
        rows = _aligned([(b.first, columns[id(b)]) for b in fits])
        inline = all(len(row) <= WIDTH for _, row in rows)
        if not inline:
            rows = _aligned([(b.first, columns[id(b)][:3]) for b in fits])
        aligned = dict(zip((id(b) for b in fits), rows, strict=True))
        for b in run:
            assert b.penalty is not None
            if id(b) not in aligned:
                lines = tuple(_penalty_wrapped(b.penalty))
            elif inline or b.penalty.citation is None:
                lines = (aligned[id(b)],)
            else:
                lines = (aligned[id(b)], (b.first, INDENT + _cite(b.penalty.citation)))
            out.append(attrs.evolve(b, lines=lines))
        run.clear()

    for block in blocks:
        # Next line or the same line: once formatted, both are on consecutive lines.
        if block.penalty is not None and (not run or block.first <= run[-1].last + 1):
            run.append(block)
            continue
        flush()
        if block.penalty is not None:
            run.append(block)
        else:
            out.append(block)
    flush()
    return out


def layout(policy: ast.Policy, text: str) -> str:
    """The canonical text of a parsed policy, with the comments and headings of `text` where they stood."""
    source_lines = text.split("\n")
    blank = {i + 1 for i, row in enumerate(source_lines) if not row.strip()}
    trailing = {}
    for line, comment, is_trailing in comments(text):
        if is_trailing:
            trailing.setdefault(line, []).append(comment)
    out: list[str] = []
    commented: set[int] = set()  # output lines that already end with a comment
    previous: _Block | None = None
    for block in _align_penalties(_blocks(policy, text)):
        if previous is not None and any(n in blank for n in range(previous.last + 1, block.first)):
            out.append("")
        for index, (_, row) in enumerate(block.lines):
            out.append(row.rstrip())
            # A comment that ended a source line follows the output line made from that source line.
            last = index + 1 == len(block.lines)
            extra: list[str] = []
            for line in range(block.lines[index][0], block.last + 1 if last else block.lines[index + 1][0]):
                for comment in trailing.pop(line, []):
                    if len(out) - 1 in commented or extra:
                        # One comment per line: a second one could not be told apart from the first.
                        extra.append(comment if last else INDENT + comment)
                    else:
                        out[-1] += "  " + comment
                        commented.add(len(out) - 1)
            out.extend(extra)
        previous = block
    for leftover in trailing.values():  # pragma: no cover - every trailing comment sits on some statement's line
        out.extend(leftover)
    return "\n".join(out).rstrip("\n") + "\n"


def format_policy(text: str, name: str = "<policy>") -> str:
    """The canonical layout of a policy; raises PolicyError if the text does not parse or the result would differ."""
    from racepolicy.language.parser import parse_policy

    original = parse_policy(text, name)
    result = layout(original, text)
    source = Source(name, text)
    try:
        again = parse_policy(result, name)
    except PolicyError as exc:
        raise FormatError(f"the formatted text does not parse ({exc.message})", Span(1, 1, 1, 2), source,
                          "please report this; the file was left as it was") from None
    if again != original:
        raise FormatError("the formatted text would mean something else", Span(1, 1, 1, 2), source,
                          "please report this; the file was left as it was")
    if sorted(c for _, c, _ in comments(result)) != sorted(c for _, c, _ in comments(text)) or [
        t for _, t in section_marks(result)
    ] != [t for _, t in section_marks(text)]:
        raise FormatError("the formatted text would lose a comment or a section heading", Span(1, 1, 1, 2), source,
                          "please report this; the file was left as it was")
    return result
