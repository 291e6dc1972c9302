"""The checker's part for lists you can compute with (issue #11 item 2): `where`, fields of lists, sums and orders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from racepolicy.language import ast
from racepolicy.language.errors import PolicyError, PolicyTypeError
from racepolicy.language.source import Span

if TYPE_CHECKING:
    from racepolicy.evaluation.model import Edition

_SUMMABLE = ("number", "money", "duration", "length", "percent")
_ORDERED = ("number", "money", "duration", "length", "percent", "date", "text", "time", "datetime")
# Functions whose result is an item of their list (its kind), and those that return part of their list.
_ITEM_OF_LIST = ("sum", "min", "max")
_PART_OF_LIST = ("sort", "sort_by", "top", "bottom", "top_by", "bottom_by")


class ListChecks:
    """Kinds of list items where the policy shows them: a sum of money and durations is a load error."""

    ed: Edition

    def error(self, cls: type[PolicyError], message: str, span: Span, hint: str = "") -> None:  # pragma: no cover - Checker's
        raise NotImplementedError

    def infer(self, expr: ast.Expr, scope: dict[str, str]) -> str:  # pragma: no cover - Checker's
        raise NotImplementedError

    def _infer_Where(self, expr: ast.Where, scope: dict[str, str]) -> str:
        kind = self.infer(expr.items, scope)
        if kind not in ("list", "any"):
            self.error(PolicyTypeError, f"'where' filters a list, not {kind}", expr.items.span, "write LIST where CONDITION")
        # In the condition a record's fields are names: any name the edition does not know is read as a field.
        local = dict(scope)
        local["item"] = self._item_kind(expr.items, scope) or "any"
        for node in expr.condition.find_all(ast.Name):
            assert isinstance(node, ast.Name)
            if node.name not in local and not self._edition_knows(node.name):
                local[node.name] = "any"
        if isinstance(expr.condition, ast.Name) and expr.condition.name not in local and not self._edition_knows(expr.condition.name):
            local[expr.condition.name] = "any"
        condition = self.infer(expr.condition, local)
        if condition not in ("bool", "any"):
            self.error(PolicyTypeError, f"the condition of 'where' must be yes or no, not {condition}", expr.condition.span,
                       "compare a field, e.g. results where date >= 2015-09-01")
        return "list"

    def _edition_knows(self, name: str) -> bool:
        """A name that means something alone (a race, a group, a rule without parameters, `year`); a function's name
        alone means nothing, so in a condition of `where` it is a field (`date`)."""
        ed = self.ed
        rule = ed.rules.get(name)
        return name in ed.races or name in ed.groups or (rule is not None and not rule.decl.params) or name == "year"

    def _item_kind(self, expr: ast.Expr, scope: dict[str, str]) -> str | None:
        """The one kind of a list's items when the policy shows it (a list literal, a part of one), else None."""
        if isinstance(expr, ast.ListExpr):
            kinds = {self.infer(item, scope) for item in expr.items} - {"any"}
            return kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else None)
        if isinstance(expr, ast.Where):
            return self._item_kind(expr.items, scope)
        if isinstance(expr, ast.Call) and expr.function in _PART_OF_LIST and expr.args and expr.function not in self.ed.callables():
            return self._item_kind(expr.args[0], scope) if not expr.function.endswith("_by") else None
        return None

    def _list_item_kind(self, expr: ast.Call, scope: dict[str, str]) -> str:
        """The kind of `sum(list)`, `min(list)`, `max(list)` (an item's), checking the items where the policy shows them."""
        name = expr.function
        item = self._item_kind(expr.args[0], scope) if expr.args else None
        if item == "mixed":
            shown = expr.args[0]
            kinds = sorted({self.infer(i, scope) for i in shown.items} - {"any"}) if isinstance(shown, ast.ListExpr) else []
            self.error(PolicyTypeError, f"{name} of {' and '.join(kinds) or 'mixed'} values", shown.span, "give values of one kind")
            return "any"
        if item is not None and name == "sum" and item not in _SUMMABLE:
            self.error(PolicyTypeError, f"cannot sum {item} values", expr.args[0].span, "sum numbers, amounts, durations, lengths or percentages")
        elif item is not None and name != "sum" and not name.endswith("_by") and item not in _ORDERED:
            self.error(PolicyTypeError, f"{item} values have no order", expr.args[0].span, "order numbers, amounts, durations, dates or texts")
        if name in _PART_OF_LIST:
            return "list"
        return item if item is not None else "any"
