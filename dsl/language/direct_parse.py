"""The grammar's LALR tables, as Lark builds them, driven here so that each rule becomes its AST node as it reduces (no parse tree).

Lark's own parse (issue #16) builds a tree of every rule, propagates positions through it in
wrapper objects, and our transformer then walks the tree again: three quarters of loading a small
policy. This driver reads the same tables Lark computed from `grammar/racepolicy.lark` (the parse
table, each state's lexer, each rule's child filter) and calls the same `_ToAst` methods, with the
positions Lark's `propagate_positions` would have given. It only ever answers a text that parses
cleanly: a syntax error, an exception raised by an AST method, nesting near the limit or anything
it was not built for makes it give up, and `parser.py` parses the text again the usual way, which
words every error exactly as before. So it can change no message, only the time a valid text takes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from lark import Lark, Token
from lark.parse_tree_builder import ChildFilterLALR_NoPlaceholders, ExpandSingleChild, PropagatePositions
from lark.parsers.lalr_analysis import Shift


class GiveUp(Exception):
    """This text is for Lark's own parse (an error to word, or a shape the driver does not take)."""


class _Meta:
    """The positions `propagate_positions` gives a tree node, as the AST methods read them."""

    __slots__ = ("column", "empty", "end_column", "end_line", "line")

    def __init__(self, extent: tuple[int, int, int, int] | None) -> None:
        if extent is None:
            self.empty = True
        else:
            self.empty = False
            self.line, self.column, self.end_line, self.end_column = extent


class _Node:
    """A reduced rule on the stack: its AST value (or, for a `_rule` Lark inlines into its parent, its children),
    its own extent, the extent of the outermost rule that passed it up unchanged (Lark's "container"), its height."""

    __slots__ = ("children", "container", "height", "own", "value")

    def __init__(self, value: Any, own: tuple[int, int, int, int] | None, height: int, children: list[Any] | None = None) -> None:
        self.value = value
        self.own = own
        self.container = own
        self.height = height
        self.children = children


# What one reduction does: (rule name to push, expansion size, children kept as (index, expand) or None for all,
# collapse a single child, the AST method or None for an inlined `_rule`, is a `section` heading).
_Reduction = tuple[str, int, "list[tuple[int, bool]] | None", bool, "Callable[..., Any] | None", bool]


_ONLY_CHILD = [(0, False)]


class Driver:
    """The parse table, the lexers of each state and the rule reductions of one Lark parser."""

    def __init__(self, lark: Lark, builder: Any, max_height: int, literal: Callable[[Token], Any]) -> None:
        frontend = lark.parser
        table = frontend.parser.parser.parse_table
        self.start_states: dict[str, int] = dict(table.start_states)
        self.end_states: dict[str, int] = dict(table.end_states)
        self.max_height = max_height
        self.literal = literal
        reductions: dict[Any, _Reduction] = {}
        for rule, chain in lark._parse_tree_builder.rule_builders:
            reductions[rule] = self._reduction(rule, chain, builder)
        # Actions keyed by state then terminal or rule name: (True, next state) to shift, (False, reduction) to reduce.
        self.states: dict[int, dict[str, tuple[bool, Any]]] = {
            state: {name: (True, arg) if action is Shift else (False, reductions[arg]) for name, (action, arg) in actions.items()}
            for state, actions in table.states.items()
        }
        # Each state's lexer: (compiled alternations, callbacks such as keywords out of NAME, ignored, may hold a newline).
        self.lexers: dict[int, tuple[list[Any], dict[str, Any], frozenset[str], frozenset[str]]] = {}
        shared: dict[int, tuple[list[Any], dict[str, Any], frozenset[str], frozenset[str]]] = {}
        for state, lexer in frontend.lexer.lexers.items():
            found = shared.get(id(lexer))
            if found is None:
                scanner = lexer.scanner
                found = shared[id(lexer)] = (list(scanner._mres), dict(lexer.callback), frozenset(lexer.ignore_types), frozenset(lexer.newline_types))
            self.lexers[state] = found

    @staticmethod
    def _reduction(rule: Any, chain: list[Any], builder: Any) -> _Reduction:
        collapse, keep, positions = False, None, False
        for wrapper in chain:
            if wrapper is ExpandSingleChild:
                collapse = True
            elif isinstance(wrapper, partial) and wrapper.func is ChildFilterLALR_NoPlaceholders:
                keep = list(wrapper.args[0])
            elif wrapper is PropagatePositions:
                positions = True
            else:
                raise TypeError(f"unexpected tree builder step {wrapper!r}")
        if not positions:
            raise TypeError("the grammar is built without positions")
        name = rule.alias or rule.options.template_source or rule.origin.name
        method = None
        if not name.startswith("_"):
            wrapped = getattr(builder, name, None)
            method = getattr(wrapped, "base_func", None)  # the method itself, under v_args(meta=True, inline=True)
        return (rule.origin.name, len(rule.expansion), keep, collapse, method, name == "section")

    def parse(self, text: str, start: str) -> tuple[Any, list[tuple[int, int, str]]]:
        """The AST of a text that parses cleanly, and its `section` headings as (line, column, title); GiveUp otherwise."""
        states, lexers, max_height, literal = self.states, self.lexers, self.max_height, self.literal
        state_stack = [self.start_states[start]]
        value_stack: list[Any] = []
        end_state = self.end_states[start]
        sections: list[tuple[int, int, str]] = []
        pos, line, line_start, end = 0, 1, 0, len(text)
        token: Token | None = None
        while True:
            # ---- the next token, as Lark's contextual lexer finds it in this state
            if pos < end:
                mres, callbacks, ignored, newlines = lexers[state_stack[-1]]
                for mre in mres:
                    m = mre.match(text, pos)
                    if m:
                        break
                else:
                    raise GiveUp
                value, kind = m.group(0), m.lastgroup
                start_pos, start_line, column = pos, line, pos - line_start + 1
                if kind in newlines:
                    count = value.count("\n")
                    if count:
                        line += count
                        line_start = pos + value.rindex("\n") + 1
                pos += len(value)
                skip = kind in ignored
                if skip and kind not in callbacks:
                    continue
                tok = Token(kind, value, start_pos, start_line, column, line, pos - line_start + 1, pos)
                if kind in callbacks:
                    tok = callbacks[kind](tok)
                if skip:
                    continue
                token, is_end = tok, False
            else:
                token = Token.new_borrow_pos("$END", "", token) if token is not None else Token("$END", "", 0, 1, 1)
                is_end = True
            # ---- shift it, after every reduction it completes
            while True:
                action = states[state_stack[-1]].get(token.type)
                if action is None:
                    raise GiveUp
                if action[0]:
                    if is_end:
                        raise GiveUp
                    state_stack.append(action[1])
                    value_stack.append(token)
                    break
                origin, size, keep, collapse, method, is_section = action[1]
                if size == 1 and collapse and (keep is None or keep == _ONLY_CHILD):
                    # `?sum: product` and the like: the child passes up as it is, with the same extent (most reductions).
                    del state_stack[-1]
                    goto = states[state_stack[-1]].get(origin)
                    if goto is None or not goto[0]:
                        raise GiveUp
                    state_stack.append(goto[1])
                    if is_end and goto[1] == end_state:
                        top = value_stack[-1]
                        return (top.value if type(top) is _Node else top), sections
                    continue
                if size:
                    raw = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    raw = []
                # The extent Lark's PropagatePositions gives: first and last child that has one, including dropped keywords.
                extent = None
                for child in raw:
                    if type(child) is Token:
                        first = (child.line, child.column)
                        break
                    if child.container is not None:
                        first = child.container[:2]
                        break
                else:
                    first = None
                if first is not None:
                    for child in reversed(raw):
                        if type(child) is Token:
                            extent = (*first, child.end_line, child.end_column)
                            break
                        if child.container is not None:
                            extent = (*first, *child.container[2:])
                            break
                if keep is None:
                    kept = raw
                else:
                    kept = []
                    for index, expand in keep:
                        if expand:
                            kept += raw[index].children
                        else:
                            kept.append(raw[index])
                if collapse and len(kept) == 1:
                    result = kept[0]
                    if type(result) is _Node and extent is not None:
                        if result.own is None:
                            raise GiveUp  # Lark would give the empty child its parent's place: not a case this grammar has
                        result.container = extent
                elif method is None:
                    if not origin.startswith("_"):
                        raise GiveUp  # a rule without an AST method would stay a Lark tree
                    result = _Node(None, extent, 0, kept)
                else:
                    height = 1
                    args = []
                    for child in kept:
                        if type(child) is _Node:
                            if child.height >= height:
                                height = child.height + 1
                            args.append(child.value)
                        else:
                            args.append(child)
                    if height > max_height:
                        raise GiveUp  # parser.py refuses it with its located error
                    if is_section:
                        sections.extend((extent[0], extent[1], literal(a)) for a in args if type(a) is Token)  # type: ignore[index]
                    try:
                        result = _Node(method(_Meta(extent), *args), extent, height)
                    except Exception:
                        raise GiveUp from None  # the usual parse reports it, located
                goto = states[state_stack[-1]].get(origin)
                if goto is None or not goto[0]:
                    raise GiveUp
                state_stack.append(goto[1])
                value_stack.append(result)
                if is_end and goto[1] == end_state:
                    top = value_stack[-1]
                    return (top.value if type(top) is _Node else top), sections
