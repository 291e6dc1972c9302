"""A query parsed without importing Lark: the grammar's LALR tables for queries, kept as JSON in the cache, and a small lexer.

A cold `racepolicy query` spent about a quarter of its time importing Lark and loading the whole grammar's tables to parse
one line (issue #16). Here the part of those tables a query can reach (the states reachable from the `query` start, the
terminals their contextual lexers try, in Lark's order, and each rule's reduction) is written to the cache folder once,
from Lark's own parser, and read back as JSON (never pickle) by later processes. The parse loop is the direct driver of
`language/parser.py` (its "Driver" block) over those tables, with the same AST methods; it answers only a query that parses
cleanly. Anything else (no tables, tables of another grammar or Lark, a syntax error, a literal its method refuses,
nesting near the limit, a rule it has no method for) gives up, and `parser.parse_query` parses the text with Lark and
words any error exactly as before. So this can change no tree and no message, only the time a cold query takes:
tests/test_query_parse.py parses every query of the question tables and the error-snapshot queries both ways.

The AST methods below are those of `parser._ToAst` for the rules a query reaches (that class subclasses Lark's
Transformer, so it cannot be imported without Lark); the tables name each rule's method, and tables naming a method
missing here are never written.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import attrs
from racepolicy.language import ast
from racepolicy.language.source import Span
from racepolicy.tools.lalr import NUMERIC, BadLiteral, GiveUp, Node, literal_value, reduce, too_many_digits

FORMAT = 1  # bumped when the layout of the tables changes
KEEP_TABLES = 4  # past this many files (one per grammar, Lark and code of racepolicy), the oldest go
# The limits of parser.py (MAX_QUERY_CHARS, MAX_NESTING; MAX_LITERAL_DIGITS is lalr's): a query near them is left to it.
MAX_QUERY_CHARS = 10_000
MAX_NESTING = 100


# ---- tokens and literals: as parser.literal_of reads Lark's tokens ---------------------------------------------------


class QueryToken(str):
    """A token with the attributes of Lark's Token that the AST methods read."""

    type: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __new__(cls, kind: str, value: str, line: int, column: int, end_line: int, end_column: int) -> QueryToken:
        token = super().__new__(cls, value)
        token.type, token.line, token.column, token.end_line, token.end_column = kind, line, column, end_line, end_column
        return token


def _tok_span(tok: QueryToken) -> Span:
    return Span(tok.line or 0, tok.column or 0, tok.end_line or tok.line or 0, tok.end_column or (tok.column or 0) + 1)


def _span(meta: Any) -> Span:
    if getattr(meta, "empty", True):
        return Span(0, 0, 0, 0)
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def literal_of(tok: QueryToken) -> Any:
    """parser.literal_of: the value of a literal token; GiveUp where that one raises (Lark's parse then words the error)."""
    kind = tok.type
    if kind in NUMERIC and too_many_digits(str(tok)) is not None:
        raise GiveUp
    try:
        return literal_value(kind, str(tok))
    except (BadLiteral, AssertionError):
        raise GiveUp from None


# ---- the AST methods of the rules a query reaches (parser._ToAst's, called as the driver calls them: meta, *children) ----


def _literal(meta: Any, tok: QueryToken) -> ast.Literal:
    return ast.Literal(value=literal_of(tok), span=_span(meta))


def _month_day(meta: Any, tok: QueryToken) -> ast.MonthDay:
    month, day = (int(p) for p in str(tok).split("-"))
    datetime.date(2000, month, day)  # a leap year, so 02-29 is accepted; ValueError otherwise (GiveUp)
    return ast.MonthDay(month=month, day=day, span=_tok_span(tok))


def _query(meta: Any, body: ast.Query, given: tuple[ast.Binding, ...] = ()) -> ast.Query:
    return attrs.evolve(body, given=given, span=_span(meta))


_Kits = tuple  # `with hot, cold` on its way into the PenaltyQuery (parser._Kits holds the same names)

METHODS: dict[str, Any] = {
    "if_expr": lambda meta, cond, then, other: ast.IfExpr(condition=cond, then=then, otherwise=other, span=_span(meta)),
    "or_expr": lambda meta, left, right: ast.Binary(op="or", left=left, right=right, span=_span(meta)),
    "and_expr": lambda meta, left, right: ast.Binary(op="and", left=left, right=right, span=_span(meta)),
    "not_expr": lambda meta, operand: ast.Unary(op="not", operand=operand, span=_span(meta)),
    "compare": lambda meta, left, op, right: ast.Binary(op=str(op), left=left, right=right, span=_span(meta)),
    "member": lambda meta, left, right: ast.Binary(op="in", left=left, right=right, span=_span(meta)),
    "not_member": lambda meta, left, right: ast.Binary(op="notin", left=left, right=right, span=_span(meta)),
    "binary": lambda meta, left, op, right: ast.Binary(op=str(op), left=left, right=right, span=_span(meta)),
    "negate": lambda meta, operand: ast.Unary(op="-", operand=operand, span=_span(meta)),
    "field": lambda meta, subject, name: ast.Field(subject=subject, name=str(name), span=_span(meta)),
    "call": lambda meta, name, *args: ast.Call(function=str(name), args=tuple(a for a in args if a is not None), span=_span(meta)),
    **dict.fromkeys(
        ("number", "quantity", "money", "percent", "duration", "date", "text", "time_of_day", "arg_number", "arg_date", "arg_duration",
         "arg_text"), _literal),
    "month_day": _month_day,
    "where_expr": lambda meta, items, condition: ast.Where(items=items, condition=condition, span=_span(meta)),
    "at_time": lambda meta, day, time: ast.Binary(op="at", left=day, right=time, span=_span(meta)),
    "true": lambda meta: ast.Literal(value=True, span=_span(meta)),
    "false": lambda meta: ast.Literal(value=False, span=_span(meta)),
    "name": lambda meta, tok: ast.Name(name=str(tok), span=_span(meta)),
    "list": lambda meta, *items: ast.ListExpr(items=tuple(i for i in items if i is not None), span=_span(meta)),
    "record": lambda meta, *items: ast.RecordExpr(items=tuple(i for i in items if i is not None), span=_span(meta)),
    "record_item": lambda meta, name, value: (str(name), value),
    "name_list": lambda meta, *names: tuple(str(n) for n in names),
    "gear_kits": lambda meta, names: _Kits(names),
    "query": _query,
    "penalty_query": lambda meta, infractions, race, kits=(): ast.PenaltyQuery(infractions=infractions, race=str(race), kits=kits, span=_span(meta)),
    "eligible_query": lambda meta, race: ast.EligibleQuery(race=str(race), span=_span(meta)),
    "form_query": lambda meta, verb, *args: ast.FormQuery(verb=str(verb), args=args, span=_span(meta)),
    "expr_query": lambda meta, expr: ast.ExprQuery(expr=expr, span=_span(meta)),
    "arg_name": lambda meta, tok: ast.Name(name=str(tok), span=_span(meta)),
    "given": lambda meta, *bindings: bindings,
    "binding": lambda meta, name, value: ast.Binding(name=str(name), value=value, span=_span(meta)),
}


# ---- the tables: written from Lark's parser, read as JSON --------------------------------------------------------------


def _grammar_bytes() -> bytes:
    from racepolicy.tools.package_data import files

    return bytes(files("racepolicy.grammar").joinpath("racepolicy.lark").read_bytes())


def _lark_stamp() -> str:
    """The installed Lark's version, read from its package's first module without importing it (the tables are its own)."""
    import importlib.util

    spec = importlib.util.find_spec("lark")
    if spec is None or spec.origin is None:
        raise OSError("no lark")
    return hashlib.sha256(Path(spec.origin).read_bytes()).hexdigest()


@functools.cache
def _key() -> str:
    # Once per process, as the code stamp of the cache of editions (a server asks many queries).
    from racepolicy.query.cache import _code_stamp

    return hashlib.sha256(b"\0".join([str(FORMAT).encode(), _grammar_bytes(), _lark_stamp().encode(), _code_stamp().encode()])).hexdigest()


def tables_path() -> Path:
    """The file of the tables for this grammar, this Lark and this code of racepolicy (in the cache folder, beside `editions/`)."""
    from racepolicy.query.cache import cache_dir

    return cache_dir().parent / "query-tables" / f"{_key()}.json"


def export_tables() -> dict[str, Any] | None:
    """The tables of the `query` start from Lark's parser (as parser.Driver reads them), or None if they hold a shape this
    module does not take (a lexer callback, a split alternation, a rule without its method here)."""
    from lark.parsers.lalr_analysis import Shift
    from racepolicy.language import parser

    lark = parser._lark()
    driver = parser._direct()
    if driver is None:
        return None
    builder = parser._ToAst()
    table = lark.parser.parser.parser.parse_table
    reductions: dict[Any, int] = {}
    reduction_list: list[list[Any]] = []
    for rule, chain in lark._parse_tree_builder.rule_builders:
        origin, size, keep, collapse, method, is_section = driver._reduction(rule, chain, builder)
        name = rule.alias or rule.options.template_source or rule.origin.name
        method_name = None if method is None else name
        if method_name is not None and method_name not in METHODS:
            method_name = "?"  # a rule with an AST method this module lacks: refused below if a query can reach it
        reductions[rule] = len(reduction_list)
        reduction_list.append([origin, size, keep, collapse, method_name, is_section])
    start = table.start_states["query"]
    reachable, todo = {start}, [start]
    while todo:
        for action, arg in table.states[todo.pop()].values():
            if action is Shift and arg not in reachable:
                reachable.add(arg)
                todo.append(arg)
    states: dict[str, dict[str, list[Any]]] = {}
    lexer_ids: dict[int, int] = {}
    lexers: list[dict[str, Any]] = []
    state_lexers: dict[str, int] = {}
    for state in sorted(reachable):
        actions: dict[str, list[Any]] = {}
        for symbol, (action, arg) in table.states[state].items():
            if action is Shift:
                actions[symbol] = [0, arg]
                continue
            reduction = reduction_list[reductions[arg]]
            if reduction[4] == "?":
                return None
            origin, size, keep, collapse = reduction[:4]
            actions[symbol] = [1, origin] if size == 1 and collapse and keep is None else [2, reductions[arg]]
        states[str(state)] = actions
        lark_lexer = driver.lark_lexers[state]
        if id(lark_lexer) not in lexer_ids:
            read = driver.lexer(state)
            if read.callbacks or len(read.mres) != 1:
                return None
            lexer_ids[id(lark_lexer)] = len(lexers)
            lexers.append({
                "terminals": [[name, regexp, None if first is None else "".join(sorted(first))]
                              for (name, regexp), first in zip(read.terminals, read.firsts, strict=True)],
                "flags": int(read.flags), "ignored": sorted(read.ignored), "newlines": sorted(read.newlines), "keywords": read.keywords,
            })
        state_lexers[str(state)] = lexer_ids[id(lark_lexer)]
    return {"format": FORMAT, "start": start, "end": table.end_states["query"], "states": states, "reductions": reduction_list,
            "lexers": lexers, "state_lexers": state_lexers}


def write_tables() -> bool:
    """Write the tables for the next processes; never fails (a read-only cache folder only means Lark parses queries).
    False if they could not be written."""
    try:
        path = tables_path()
        tables = export_tables()
        if tables is None:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # cold start: only a write needs it

        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, prefix=".", suffix=".tmp") as handle:
            json.dump(tables, handle, separators=(",", ":"))
        try:
            os.replace(handle.name, path)
        except OSError:
            os.unlink(handle.name)
            raise
        old = sorted((entry.stat().st_mtime_ns, entry.path) for entry in os.scandir(path.parent) if entry.name.endswith(".json"))
        for _, stale in old[: max(0, len(old) - KEEP_TABLES)]:
            try:
                os.unlink(stale)
            except OSError:
                pass  # another process removed it first
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return False
    return True


class QueryTables:
    """The tables read back, and the lexer alternations compiled from them as queries need them."""

    def __init__(self, found: dict[str, Any]) -> None:
        if found.get("format") != FORMAT:
            raise ValueError("tables of another format")
        self.start: int = found["start"]
        self.end: int = found["end"]
        self.states: dict[int, dict[str, list[Any]]] = {int(state): actions for state, actions in found["states"].items()}
        self.reductions: list[list[Any]] = found["reductions"]
        self.state_lexers = {int(state): lexer for state, lexer in found["state_lexers"].items()}
        self.lexers: list[dict[str, Any]] = found["lexers"]
        for lexer in self.lexers:
            lexer["ignored"], lexer["newlines"] = frozenset(lexer["ignored"]), frozenset(lexer["newlines"])
            lexer["by_char"] = {}
        for actions in self.states.values():
            for kind, arg in actions.values():
                if kind == 2 and self.reductions[arg][4] is not None and self.reductions[arg][4] not in METHODS:
                    raise ValueError(f"no AST method for {self.reductions[arg][0]}")  # tables of other code: never written so

    def _pattern(self, lexer: dict[str, Any], char: str) -> re.Pattern[str] | None:
        # parser.StateLexer.pattern_for: Lark's alternation restricted to the terminals that may start with `char`, same order.
        if char in lexer["by_char"]:
            found: re.Pattern[str] | None = lexer["by_char"][char]
            return found
        whole = not char.isascii() or lexer["flags"] & re.IGNORECASE
        terminals = [(name, regexp) for name, regexp, first in lexer["terminals"] if whole or first is None or char in first]
        found = re.compile("|".join(f"(?P<{name}>{regexp})" for name, regexp in terminals), lexer["flags"]) if terminals else None
        lexer["by_char"][char] = found
        return found

    def parse(self, text: str) -> ast.Query:
        """The AST of a query that parses cleanly (parser.Driver.parse, start `query`); GiveUp otherwise."""
        states, reductions = self.states, self.reductions
        state_stack = [self.start]
        value_stack: list[Any] = []
        pos, line, line_start, end = 0, 1, 0, len(text)
        token: QueryToken | None = None
        while True:
            if pos < end:
                lexer = self.lexers[self.state_lexers[state_stack[-1]]]
                mre = self._pattern(lexer, text[pos])
                m = mre.match(text, pos) if mre is not None else None
                if not m:
                    raise GiveUp
                value, kind = m.group(0), m.lastgroup
                start_line, column = line, pos - line_start + 1
                if kind in lexer["newlines"] and "\n" in value:
                    line += value.count("\n")
                    line_start = pos + value.rindex("\n") + 1
                pos += len(value)
                if not value:
                    raise GiveUp  # an empty match would never move on
                if kind in lexer["ignored"]:
                    continue
                kind = lexer["keywords"].get(kind, {}).get(value, kind)
                token, is_end = QueryToken(kind, value, start_line, column, line, pos - line_start + 1), False  # type: ignore[arg-type]
            else:
                place = (token.line, token.column, token.end_line, token.end_column) if token is not None else (1, 1, 1, 1)
                token, is_end = QueryToken("$END", "", *place), True
            terminal = token.type
            while True:
                action = states[state_stack[-1]].get(terminal)
                if action is None:
                    raise GiveUp
                kind = action[0]
                if kind == 0:
                    if is_end:
                        raise GiveUp
                    state_stack.append(action[1])
                    value_stack.append(token)
                    break
                if kind == 1:
                    state_stack[-1] = self._after_units(state_stack[-2], state_stack[-1], terminal)
                    continue
                origin, size, keep, collapse, method, _ = reductions[action[1]]
                if size:
                    raw = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    raw = []
                result = reduce(raw, keep, collapse, None if method is None else METHODS[method], origin, QueryToken, MAX_NESTING)
                goto = states.get(state_stack[-1], {}).get(origin)
                if goto is None or goto[0] != 0:
                    raise GiveUp
                state_stack.append(goto[1])
                value_stack.append(result)
                if is_end and goto[1] == self.end:
                    top = value_stack[-1]
                    query: ast.Query = top.value if type(top) is Node else top
                    return query

    def _after_units(self, below: int, state: int, terminal: str) -> int:
        while True:
            kind, arg = self.states[state].get(terminal, (2, None))
            if kind != 1:
                return state
            goto = self.states.get(below, {}).get(arg)
            if goto is None or goto[0] != 0 or goto[1] == self.end:
                raise GiveUp
            state = goto[1]

_loaded: dict[Path, QueryTables | None] = {}
_unwritable: set[Path] = set()
_BRACKETS = re.compile(r'"[^"\n]*"|#[^\n]*|[()\[\]{}]')


def read_tables() -> QueryTables | None:
    """The tables in the cache for this grammar, Lark and code, or None (none yet, unreadable, damaged)."""
    try:
        path = tables_path()
    except (OSError, ValueError):
        return None
    if path not in _loaded:
        try:
            _loaded[path] = QueryTables(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            _loaded[path] = None
    return _loaded[path]


def _nesting(text: str) -> int:
    depth = deepest = 0
    for m in _BRACKETS.finditer(text):
        ch = m.group()
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth = max(depth - 1, 0)
    return deepest


def parse_query(text: str, name: str = "<query>", use_cache: bool = True) -> ast.Query:
    """parser.parse_query, from the cached tables when they are there (no Lark imported), else with Lark (and the tables
    are written for the next process)."""
    from racepolicy.query.cache import enabled

    if use_cache and enabled():
        tables = read_tables()
        if tables is not None and len(text) <= MAX_QUERY_CHARS and _nesting(text) <= MAX_NESTING:
            try:
                return tables.parse(text)
            except (GiveUp, RecursionError, IndexError, KeyError, TypeError):
                pass  # Lark's parse below words the error (or takes a shape the tables do not)
    from racepolicy.language import parser

    try:
        return parser.parse_query(text, name)
    finally:
        if use_cache and enabled() and read_tables() is None and tables_path() not in _unwritable:
            _loaded.clear()
            if not write_tables():
                _unwritable.add(tables_path())  # a read-only cache folder: not tried again at every query of this process
