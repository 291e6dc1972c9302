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

import functools
import re
from collections.abc import Callable
from functools import partial
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
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


SHIFT, UNIT, REDUCE = 0, 1, 2  # the kinds of action
_UNSEEN = object()
# Token() checks for a deprecated keyword, then calls this: the same token, built in a third of the time.
_NEW_TOKEN: Callable[..., Token] = getattr(Token, "_future_new", Token)


_ASCII = frozenset(chr(i) for i in range(128))


@functools.cache
def first_chars(pattern: str) -> frozenset[str] | None:
    """The ASCII characters a match of the regular expression may start with (non-ASCII ones are not followed);
    None whenever unsure, which is taken as "any character"."""
    try:
        return _first_of(list(sre_parse.parse(pattern)))
    except Exception:  # pragma: no cover - a pattern this reading does not know: unsure
        return None


def _first_of(items: list[Any]) -> frozenset[str] | None:
    found: set[str] = set()
    for op, arg in items:
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # zero width: what follows comes first (skipping a lookahead only widens the answer)
        if op is sre.LITERAL:
            return frozenset(found | {chr(arg)})
        if op is sre.IN:
            members = _set_members(arg)
            return None if members is None else frozenset(found | members)
        if op is sre.SUBPATTERN:
            inner = _first_of(list(arg[-1]))
            return None if inner is None else frozenset(found | inner)
        if op is sre.BRANCH:
            branches = [_first_of(list(branch)) for branch in arg[1]]
            if any(b is None for b in branches):
                return None
            return frozenset(found.union(*branches))  # type: ignore[arg-type]
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, _, item = arg
            inner = _first_of(list(item))
            if inner is None:
                return None
            found |= inner
            if low >= 1:
                return frozenset(found)
            continue  # repeated zero times, the next item comes first
        return None  # anything else (any character, a back reference, ...): unsure
    return None  # the pattern may match the empty text: unsure


def _set_members(members: list[Any]) -> set[str] | None:
    found: set[str] = set()
    for op, arg in members:
        if op is sre.LITERAL:
            found.add(chr(arg))
        elif op is sre.RANGE:
            found.update(c for c in _ASCII if arg[0] <= ord(c) <= arg[1])
        elif op is sre.CATEGORY and arg is sre.CATEGORY_DIGIT:
            found.update("0123456789")
        elif op is sre.CATEGORY and arg is sre.CATEGORY_WORD:
            found.update(c for c in _ASCII if c.isalnum() or c == "_")
        else:
            return None  # a negated set, another category: unsure
    return found


class StateLexer:
    """One of Lark's contextual lexers (those of several states may be the same), read without Lark's per-token calls.

    Lark tries one alternation of every terminal the state accepts, in its order; the first that matches wins. Here
    the alternation tried is that of the terminals that may start with the character at hand, in the same order, so
    the same one wins (the others cannot match there). A keyword read as a NAME gets its own type from a dict, as
    Lark's callback finds it by matching each keyword's text.
    """

    __slots__ = ("by_char", "callbacks", "firsts", "flags", "ignored", "keywords", "mres", "newlines", "patterns", "spaces", "terminals")

    def __init__(self, lexer: Any, patterns: dict[tuple[str, ...], Any], whitespace: frozenset[str]) -> None:
        scanner = lexer.scanner
        self.mres = list(scanner._mres)
        self.terminals = [(t.name, t.pattern.to_regexp()) for t in scanner.terminals]
        self.firsts = [first_chars(regexp) for _, regexp in self.terminals]
        self.flags = scanner.g_regex_flags
        self.ignored = frozenset(lexer.ignore_types)
        self.newlines = frozenset(lexer.newline_types)
        self.by_char: dict[str, Any] = {}
        self.patterns = patterns  # shared by all lexers: tuple of terminal names -> their alternation
        self.keywords: dict[str, dict[str, str]] = {}
        self.callbacks: dict[str, Any] = {}
        for name, callback in lexer.callback.items():
            unless = getattr(getattr(callback, "scanner", None), "terminals", None)
            if type(callback).__name__ == "UnlessCallback" and unless is not None and all(
                t.pattern.type == "str" and not t.pattern.flags for t in unless
            ):
                table: dict[str, str] = {}
                for t in unless:
                    table.setdefault(t.pattern.value, t.name)  # the first in the callback's order wins, as in its alternation
                self.keywords[name] = table
            else:
                self.callbacks[name] = callback
        # The characters where whitespace is skipped without the alternation: those WS starts with, if no terminal tried
        # before WS may start with them (so where one stands, Lark's lexer takes WS, and skips it).
        order = [name for name, _ in self.terminals]
        self.spaces: frozenset[str] = frozenset()
        if whitespace and "WS" in order and len(self.mres) == 1 and "WS" not in self.callbacks and "WS" not in self.keywords:
            if all(first is not None and not first & whitespace for first in self.firsts[: order.index("WS")]):
                self.spaces = whitespace

    def pattern_for(self, char: str) -> Any:
        """The alternation to try where `char` stands (the full one for a character outside ASCII); None if no terminal may start with it."""
        if char not in _ASCII:
            return None if len(self.mres) != 1 else self.mres[0]
        names = tuple(name for (name, _), first in zip(self.terminals, self.firsts, strict=True) if first is None or char in first)
        if not names:
            compiled = None
        elif len(self.mres) != 1:
            compiled = self.mres  # Lark split its alternation (too many groups): keep its pieces
        else:
            compiled = self.patterns.get(names)
            if compiled is None:
                regexps = dict(self.terminals)
                compiled = self.patterns[names] = re.compile("|".join(f"(?P<{n}>{regexps[n]})" for n in names), self.flags)
        self.by_char[char] = compiled
        return compiled


def _whitespace(lark: Lark) -> tuple[re.Pattern[str], frozenset[str]] | None:
    """The ignored WS terminal's pattern and the characters it may start with (StateLexer.skips tells where it is safe)."""
    found = [t for t in lark.terminals if t.name == "WS" and t.name in lark.lexer_conf.ignore]
    if not found:
        return None
    pattern = re.compile(found[0].pattern.to_regexp())
    return pattern, frozenset(c for c in " \t\f\r\n" if pattern.match(c))


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
        # Actions keyed by state then terminal or rule name: (SHIFT, next state), (UNIT, rule name) to reduce `?a: b` where
        # the child passes up as it is (most reductions), (REDUCE, reduction) otherwise.
        self.states: dict[int, dict[str, tuple[int, Any]]] = {
            state: {name: self._action(action, arg, reductions) for name, (action, arg) in actions.items()}
            for state, actions in table.states.items()
        }
        # (state beneath, state, next terminal) -> the state a chain of UNIT reductions ends in: found once, then looked up.
        self.units: dict[tuple[int, int, str], int] = {}
        # Each state's lexer, read here (StateLexer) once a text reaches the state, as Lark builds its own; states share them.
        self.lark_lexers: dict[int, Any] = frontend.lexer.lexers
        self.lexers: dict[int, StateLexer] = {}
        self.shared: dict[int, StateLexer] = {}
        self.patterns: dict[tuple[str, ...], Any] = {}
        self.whitespace = _whitespace(lark)

    def lexer(self, state: int) -> StateLexer:
        """The lexer of a state, made on first use."""
        lark_lexer = self.lark_lexers[state]
        found = self.shared.get(id(lark_lexer))
        if found is None:
            found = self.shared[id(lark_lexer)] = StateLexer(lark_lexer, self.patterns, self.whitespace[1] if self.whitespace else frozenset())
        self.lexers[state] = found
        return found

    @staticmethod
    def _action(action: Any, arg: Any, reductions: dict[Any, _Reduction]) -> tuple[int, Any]:
        if action is Shift:
            return (SHIFT, arg)
        origin, size, keep, collapse, _, _ = reduction = reductions[arg]
        if size == 1 and collapse and keep is None:
            # Lark's ExpandSingleChild returns the child, and its positions come out as they were: nothing to do but the goto.
            return (UNIT, origin)
        return (REDUCE, reduction)

    def _after_units(self, below: int, state: int, terminal: str, end_state: int) -> int:
        """The state on top once every UNIT reduction the terminal triggers is done (the state beneath stays)."""
        states = self.states
        while True:
            kind, arg = states[state].get(terminal, (REDUCE, None))
            if kind != UNIT:
                return state
            goto = states[below].get(arg)
            if goto is None or goto[0] != SHIFT or goto[1] == end_state:
                raise GiveUp  # not a shape this grammar has: left to Lark
            state = goto[1]

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
        states, lexers, max_height, literal, units = self.states, self.lexers, self.max_height, self.literal, self.units
        new_token = _NEW_TOKEN
        space = self.whitespace[0] if self.whitespace else None
        state_stack = [self.start_states[start]]
        value_stack: list[Any] = []
        end_state = self.end_states[start]
        sections: list[tuple[int, int, str]] = []
        pos, line, line_start, end = 0, 1, 0, len(text)
        token: Token | None = None
        while True:
            # ---- the next token, as Lark's contextual lexer finds it in this state
            if pos < end:
                lexer = lexers.get(state_stack[-1]) or self.lexer(state_stack[-1])
                char = text[pos]
                if char in lexer.spaces:
                    value = space.match(text, pos).group(0)  # type: ignore[union-attr]  # spaces is empty without a pattern
                    count = value.count("\n")
                    if count:
                        line += count
                        line_start = pos + value.rindex("\n") + 1
                    pos += len(value)
                    continue
                mre = lexer.by_char.get(char, _UNSEEN)
                if mre is _UNSEEN:
                    mre = lexer.pattern_for(char)
                if mre is None:
                    raise GiveUp
                if type(mre) is list:
                    for piece in mre:
                        m = piece.match(text, pos)
                        if m:
                            break
                else:
                    m = mre.match(text, pos)
                if not m:
                    raise GiveUp
                value, kind = m.group(0), m.lastgroup
                start_pos, start_line, column = pos, line, pos - line_start + 1
                if kind in lexer.newlines:
                    count = value.count("\n")
                    if count:
                        line += count
                        line_start = pos + value.rindex("\n") + 1
                pos += len(value)
                if kind in lexer.ignored:
                    if kind in lexer.callbacks:
                        raise GiveUp  # a callback Lark would run on a skipped token: not one this grammar has
                    continue
                if kind in lexer.keywords:
                    kind = lexer.keywords[kind].get(value, kind)
                tok = new_token(kind, value, start_pos, start_line, column, line, pos - line_start + 1, pos)
                if kind in lexer.callbacks:
                    tok = lexer.callbacks[kind](tok)
                token, is_end = tok, False
            else:
                token = Token.new_borrow_pos("$END", "", token) if token is not None else Token("$END", "", 0, 1, 1)
                is_end = True
            # ---- shift it, after every reduction it completes
            terminal = token.type
            while True:
                action = states[state_stack[-1]].get(terminal)
                if action is None:
                    raise GiveUp
                kind = action[0]
                if kind == SHIFT:
                    if is_end:
                        raise GiveUp
                    state_stack.append(action[1])
                    value_stack.append(token)
                    break
                if kind == UNIT:
                    key = (state_stack[-2], state_stack[-1], terminal)
                    landed = units.get(key)
                    if landed is None:
                        landed = units[key] = self._after_units(*key, end_state)
                    state_stack[-1] = landed
                    continue
                origin, size, keep, collapse, method, is_section = action[1]
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
                if goto is None or goto[0] != SHIFT:
                    raise GiveUp
                state_stack.append(goto[1])
                value_stack.append(result)
                if is_end and goto[1] == end_state:
                    top = value_stack[-1]
                    return (top.value if type(top) is _Node else top), sections
