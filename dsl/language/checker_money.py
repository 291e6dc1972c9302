"""The checker's part for currencies (issue #11 item 5): amounts of two currencies never combine, seen at load where known."""

from __future__ import annotations

from typing import TYPE_CHECKING

from racepolicy.evaluation.values import Money
from racepolicy.language import ast
from racepolicy.language.errors import PolicyError, PolicyTypeError
from racepolicy.language.source import Span

if TYPE_CHECKING:
    from racepolicy.evaluation.model import Edition

# Operators whose two amounts must share a currency.
_SAME_CURRENCY = ("+", "-", "/", "<", "<=", ">", ">=", "==", "!=")


class CurrencyChecks:
    """Follows the currency of amounts through literals, race attributes and arithmetic, as far as it is known at load."""

    ed: Edition

    def error(self, cls: type[PolicyError], message: str, span: Span, hint: str = "") -> None:  # pragma: no cover - Checker's
        raise NotImplementedError

    def _check_currencies(self, expr: ast.Binary, scope: dict[str, str], left: str, right: str) -> None:
        if left != "money" or right != "money" or expr.op not in _SAME_CURRENCY:
            return
        a, b = self._currency_of(expr.left, scope), self._currency_of(expr.right, scope)
        if a and b and a != b:
            verb = {"+": f"add {b} to {a}", "-": f"subtract {b} from {a}", "/": f"divide {a} by {b}"}.get(expr.op, f"compare {a} with {b}")
            self.error(
                PolicyTypeError, f"cannot {verb}: amounts in two currencies never combine", expr.span,
                "convert one of them with a rate the regulation gives, as a rule of its own",
            )

    def _currency_of(self, expr: ast.Expr, scope: dict[str, str]) -> str | None:
        """The currency of an amount when the policy fixes it (a literal, a race's fee), else None."""
        if isinstance(expr, ast.Literal) and isinstance(expr.value, Money):
            return expr.value.currency
        if isinstance(expr, ast.Field):
            subject = expr.subject
            if isinstance(subject, ast.Name) and subject.name in self.ed.races and subject.name not in scope:
                races = [self.ed.races[subject.name]]
            elif isinstance(subject, ast.Name) and scope.get(subject.name) == "race":
                races = list(self.ed.races.values())  # any race: known when every race uses one currency
            else:
                return None
            found = {v.currency for r in races if isinstance(v := r.attributes.get(expr.name), Money)}
            return found.pop() if len(found) == 1 else None
        if isinstance(expr, ast.Binary) and expr.op in ("+", "-", "*", "/"):
            return self._currency_of(expr.left, scope) or (self._currency_of(expr.right, scope) if expr.op != "/" else None)
        if isinstance(expr, ast.Unary):
            return self._currency_of(expr.operand, scope)
        if isinstance(expr, ast.IfExpr):
            then, other = self._currency_of(expr.then, scope), self._currency_of(expr.otherwise, scope)
            return then if then == other else None
        return None
