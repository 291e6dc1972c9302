"""The checker's part for closed sets of words and the shapes of facts (issue #11 item 1), mixed into Checker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from racepolicy.evaluation.words import FactShape, WordSet
from racepolicy.language import ast
from racepolicy.language.errors import DuplicateError, PolicyError, PolicyTypeError, UnknownNameError, UnknownWordError, UnreadFactWarning, did_you_mean
from racepolicy.language.source import Source, Span

if TYPE_CHECKING:
    from racepolicy.evaluation.model import Edition


class WordsAndFactsChecks:
    """Words: literals must be words of their set. Facts: fields read must be declared; fields nobody reads are warned about."""

    ed: Edition
    source: Source
    query_mode: bool
    replacements: dict[int, str]
    _fields_read: set[tuple[str, str]]

    def error(self, cls: type[PolicyError], message: str, span: Span, hint: str = "") -> None:  # pragma: no cover - Checker's
        raise NotImplementedError

    def _check_words(self, ed: Edition) -> None:
        for word_set in ed.words.values():
            seen: dict[str, ast.Word] = {}
            for word in word_set.decl.words:
                for spelling in (word.text, *word.aliases):
                    key = spelling if word_set.case_sensitive else spelling.casefold()
                    if key in seen and seen[key] is not word:
                        self.error(
                            DuplicateError, f"'{spelling}' stands for two words of '{word_set.name}'", word.span,
                            f"already a spelling of \"{seen[key].text}\" (line {seen[key].span.line})",
                        )
                    seen.setdefault(key, word)
        for table in ed.tables.values():  # a table's column may be typed with a set of words
            for param in table.decl.params:
                if param.type != "any":
                    self._check_type(param.type, param.span, param.name)
        for shape in ed.facts.values():
            names: set[str] = set()
            for field in shape.decl.fields:
                if field.name in names:
                    self.error(DuplicateError, f"field '{field.name}' of {shape.name} is declared twice", field.span, "declare each field once")
                names.add(field.name)
                self._check_type(field.type, field.span, field.name)

    def _check_type(self, type_name: str, span: Span, name: str = "") -> None:
        from racepolicy.language.checker import KINDS

        if type_name not in KINDS and type_name not in self.ed.words:
            if span.line == span.end_line and name:
                # Point at the type, after `name:` (names carry no spans of their own).
                at = self.source.line(span.line).find(":", span.column - 1 + len(name))
                rest = self.source.line(span.line)[at + 1:] if at >= 0 else ""
                column = at + 2 + len(rest) - len(rest.lstrip())
                if at >= 0 and rest.lstrip().startswith(type_name):
                    span = Span(span.line, column, span.line, column + len(type_name))
            self.error(
                PolicyTypeError, f"unknown type '{type_name}'", span,
                did_you_mean(type_name, [*KINDS, *self.ed.words]) or f"types: {', '.join(sorted(KINDS - {'any'}))} or a set of words",
            )


    def _fact_field_kind(self, expr: ast.Field, scope: dict[str, str]) -> str:
        """The kind of `runner.birth_year` when the policy declares `facts runner`; an unknown field is a load error."""
        shape = self._shape_of(expr.subject, scope)
        if shape is None:
            return "any"
        field = shape.fields.get(expr.name)
        if field is None:
            end = expr.span
            self.error(
                UnknownNameError, f"{shape.name} has no field '{expr.name}'",
                Span(end.end_line, end.end_column - len(expr.name), end.end_line, end.end_column),
                did_you_mean(expr.name, shape.fields) or f"the fields of {shape.name}: {', '.join(shape.fields)}",
            )
            return "any"
        self._fields_read.add((shape.name, field.name))
        return "text" if field.type in self.ed.words else field.type


    def _shape_of(self, subject: ast.Expr, scope: dict[str, str]) -> FactShape | None:
        if isinstance(subject, ast.Name) and scope.get(subject.name, "record") in ("record", "any"):
            return self.ed.facts.get(subject.name)
        return None


    def _words_of(self, expr: ast.Expr, scope: dict[str, str]) -> WordSet | None:
        """The set of words an expression's value belongs to: a typed parameter or a field of declared facts."""
        if isinstance(expr, ast.Name):
            return self.ed.words.get(scope.get(expr.name, ""))
        if isinstance(expr, ast.Field):
            shape = self._shape_of(expr.subject, scope)
            field = shape.fields.get(expr.name) if shape else None
            return self.ed.words.get(field.type) if field else None
        return None


    def _check_word_literal(self, expr: ast.Node, word_set: WordSet) -> None:
        """A text written where a word of `word_set` is expected must be one of its words (a query may use an alias)."""
        if isinstance(expr, ast.ListExpr):
            for item in expr.items:
                self._check_word_literal(item, word_set)
            return
        if not isinstance(expr, ast.Literal) or not isinstance(expr.value, str):
            return
        found = word_set.canonical(expr.value)
        if found is None:
            self.error(
                UnknownWordError, f"\"{expr.value}\" is not one of the words of '{word_set.name}': {word_set.listing()}", expr.span,
                did_you_mean(expr.value, word_set.spellings()) or f"declared at line {word_set.decl.span.line}",
            )
        elif found != expr.value:
            if self.query_mode:
                self.replacements[id(expr)] = found  # a jury may type an alias or another case; the answer uses the word
            else:
                self.error(
                    UnknownWordError, f"write the word of '{word_set.name}' as declared: \"{found}\", not \"{expr.value}\"", expr.span,
                    "aliases and other cases are for the facts a query gives; the policy uses each word's own spelling",
                )


    def _warn_unread_facts(self, ed: Edition) -> None:
        for shape in ed.facts.values():
            for field in shape.decl.fields:
                if (shape.name, field.name) not in self._fields_read:
                    ed.warnings.append(UnreadFactWarning(
                        f"no rule reads {shape.name}.{field.name}: giving it changes no answer", field.span, self.source,
                        f"read it in a rule or condition ({shape.name}.{field.name}), or remove it from facts {shape.name}",
                    ))

    def _settle_word_params(self, ed: Edition) -> None:
        """Runners see a parameter typed with words as text (its values are words already, checked where they enter);
        the checker keeps the set in `param_words` to check the texts queries pass."""
        import attrs

        for rule in ed.rules.values():
            if any(p.type in ed.words for p in rule.decl.params):
                for p in rule.decl.params:
                    if p.type in ed.words:
                        ed.param_words[(rule.name, p.name)] = p.type
                params = tuple(attrs.evolve(p, type="text") if p.type in ed.words else p for p in rule.decl.params)
                rule.decl = attrs.evolve(rule.decl, params=params)

    def _declare_attributes(self, ed: Edition) -> None:
        """`attribute NAME: TYPE` adds a race attribute of the policy's own to the core's and the plugins' (issue #11 item 10)."""
        kinds = dict(ed.attribute_kinds)
        own: dict[str, ast.AttributeDecl] = {}
        for st in self.policy_statements():
            if not isinstance(st, ast.AttributeDecl):
                continue
            self._check_type(st.type, st.span, st.name)
            if st.name in own:
                self.error(DuplicateError, f"attribute '{st.name}' is declared twice", st.span, f"first declared on line {own[st.name].span.line}")
            elif st.name in kinds and kinds[st.name] != st.type:
                self.error(
                    DuplicateError, f"attribute '{st.name}' is already {kinds[st.name]} (core or series plugin), not {st.type}", st.span,
                    "use the attribute as it is, or give yours another name",
                )
            own[st.name] = st
            kinds.setdefault(st.name, st.type)
        ed.attribute_kinds = kinds

    def policy_statements(self) -> tuple[ast.Statement, ...]:  # pragma: no cover - Checker's
        raise NotImplementedError
