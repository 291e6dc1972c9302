"""What a name is, in a line or two: the kind, the signature or value, the clause it cites and that clause's line in the regulation text."""

from __future__ import annotations

from racepolicy.evaluation.builtins import BUILTINS
from racepolicy.evaluation.model import Edition
from racepolicy.language import ast
from racepolicy.language.citations import location_of
from racepolicy.language.source import Source
from racepolicy.lsp.analysis import Definition

# Longest excerpt of a statement shown in a hover: a race with its attributes fits, a whole table is cut.
MAX_SHOWN = 600


def _params(params: tuple[ast.Param, ...]) -> str:
    return ", ".join(p.name if p.type == "any" else f"{p.name}: {p.type}" for p in params)


def signature(definition: Definition, source: Source) -> str:
    """The declaration as written, up to its body: `rule late_fee(days: number)`, `race UTMB "Ultra-Trail du Mont-Blanc"`."""
    st = definition.statement
    if isinstance(st, ast.RuleDecl):
        return f"rule {st.name}({_params(st.params)})" if st.params else f"rule {st.name}"
    if isinstance(st, ast.TableDecl):
        return f"table {st.name}({_params(st.params)})"
    if isinstance(st, ast.RaceDecl):
        return f'race {st.name} "{st.title}"' if st.title else f"race {st.name}"
    if isinstance(st, ast.GroupDecl):
        return f"group {st.name} = {', '.join(st.members)}"
    if isinstance(st, ast.InfractionDecl):
        return f'infraction {st.name} "{st.description}"'
    if isinstance(st, ast.InputDecl):
        return f'input {st.name}: {st.type} "{st.reason}"'
    if isinstance(st, ast.ChecklistDecl):
        return f"checklist {st.name} on {', '.join(st.targets)}" + (f" kit {st.kit}" if st.kit else "")
    if isinstance(st, ast.WordsDecl):
        return f"words {st.name}: " + ", ".join(f'"{w.text}"' for w in st.words)
    if isinstance(st, ast.FactsDecl):
        return f"facts {st.name}: " + ", ".join(f"{f.name}: {f.type}" + (" optional" if f.optional else "") for f in st.fields)
    if isinstance(st, ast.AttributeDecl):
        return f"attribute {st.name}: {st.type}"
    return f"{definition.kind} {definition.name}"


def excerpt(node: ast.Node, source: Source) -> str:
    """The statement's own text, cut at MAX_SHOWN characters."""
    span = node.span
    lines = source.text.split("\n")
    if not 1 <= span.line <= span.end_line <= len(lines):
        return ""

    def offset(line: int, column: int) -> int:
        return sum(len(text) + 1 for text in lines[: line - 1]) + column - 1

    text = source.text[offset(span.line, span.column) : offset(span.end_line, span.end_column)].replace("\r", "")
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def citation_text(citation: ast.Citation | None, source: Source) -> str:
    """The quoted clause and, once verified, its line in the regulation text."""
    if citation is None:
        return "no § citation of its own"
    where = location_of(source, citation.text)
    place = f" — {where.file}:{where.line}" if where is not None else " — not verified against the regulation text"
    reading = f'\n\nreading "{citation.reading}" (the text also allows {" or ".join(repr(a) for a in citation.alternatives)})' if citation.reading else ""
    return f'§ "{citation.text}"{place}{reading}'


def describe(definition: Definition, source: Source) -> str:
    """A hover's Markdown for a declared name."""
    st = definition.statement
    parts = [f"**{definition.kind}** `{definition.name}`", f"```racepolicy\n{excerpt(st, source)}\n```"]
    if st.section:
        parts.append(f"section \"{st.section}\"")
    parts.append(citation_text(st.citation, source))
    return "\n\n".join(parts)


def describe_function(name: str, edition: Edition | None) -> str | None:
    """A built-in's or a series plugin's function: its signature."""
    if name in BUILTINS:
        low, high, kinds, returns, _ = BUILTINS[name]
        count = "" if high == low else f", {low} or more arguments" if high is None else f", {low} to {high} arguments"
        return f"**built-in function** `{name}({', '.join(kinds)}) -> {returns}`{count}"
    if edition is not None and name in edition.functions:
        function = edition.functions[name]
        params = ", ".join(f"{n}: {k}" for n, k in function.params)
        return f"**{edition.series} function** `{name}({params}) -> {function.returns}`" + (f"\n\n{function.doc}" if function.doc else "")
    return None
