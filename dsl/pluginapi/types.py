"""What a series plugin hands the core: vocabulary, domain functions and query forms."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from racepolicy.evaluation.interpreter import Evaluator


@attrs.frozen
class Vocabulary:
    """The words of a series: used for did-you-mean hints, completion and validators."""

    races: tuple[str, ...] = ()
    infractions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    # (name, other words of the regulation text for it): unknown names are matched against these too.
    aliases: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class Function:
    """A domain function callable from policy expressions (`age_category(runner.birth_year, 2022)`).

    `params` are (name, kind) pairs; kinds are the language's type names or "any".
    `impl` receives the argument values and returns a value of kind `returns`.
    """

    name: str
    params: tuple[tuple[str, str], ...]
    returns: str
    impl: Callable[..., Any]
    doc: str = ""


@attrs.frozen
class QueryForm:
    """A word-led query a plugin answers, such as `refund UTMB cancelled 2022-05-15`.

    `handler(evaluator, args)` gets the evaluator of the chosen edition and the
    query's arguments (values, or names as `str` for bare words) and returns the
    answer's value; it records what it used with `evaluator.note(...)` and
    reports bad arguments with `evaluator.fail(message, evaluator.query_span)`.
    """

    verb: str
    usage: str
    handler: Callable[[Evaluator, Sequence[Any]], Any]
    doc: str = ""
    names: Callable[[Sequence[Any]], Sequence[str]] | None = None
    # The answer that grants nothing (`none` for "which Finals race?"): a "no", exit code 1 like any other.
    refusal: Any = None
