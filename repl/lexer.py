"""A Pygments lexer for .policy files and REPL queries (registered as the `racepolicy` Pygments lexer)."""

from __future__ import annotations

from typing import ClassVar

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text, Whitespace
from racepolicy.evaluation.values import CURRENCIES, CURRENCY_ALIASES

# Keywords of the grammar (grammar/racepolicy.lark); a test checks this list against the grammar's terminals.
DECLARATIONS = ("edition", "section", "race", "group", "infraction", "penalty", "schedule", "table", "band", "rule", "currency", "source", "informative",
                "input", "assert", "checklist", "words", "facts", "attribute")
KEYWORDS = ("on", "all", "disqualify", "for", "life", "discretion", "as", "doping", "through", "otherwise", "eligible", "when",
            "if", "then", "else", "given", "reading", "over",
            # equipment checklists
            "kit", "require", "recommend", "spec", "except", "absent", "fewer", "with",
            # richer sanctions (issue #11 item 4)
            "immediately", "of", "no", "years", "year", "months", "month",
            # closed sets of words and the shapes of facts (issue #11 item 1)
            "case", "sensitive", "optional",
            # time of day (issue #11 item 5), lists (item 2)
            "at", "where")
WORD_OPERATORS = ("and", "or", "not", "in")
CONSTANTS = ("true", "false")
TYPES = ("number", "money", "duration", "length", "percent", "date", "text", "bool", "record", "list", "sanction", "time", "datetime")
BUILTINS = ("min", "max", "ceil", "floor", "round", "abs", "years_between", "len",
            "working_days_after", "working_days_between", "add_months", "months_between", "date_of", "time_of",
            "sum", "count", "sort", "sort_by", "top", "bottom", "top_by", "bottom_by", "any", "all", "subset")

_END = r"(?![A-Za-z0-9_])"
_CURRENCIES = "|".join((*CURRENCIES, *CURRENCY_ALIASES))


class RacePolicyLexer(RegexLexer):
    """Highlights racepolicy policies and queries: keywords, literals with units, citations, races."""

    name = "racepolicy"
    aliases: ClassVar[list[str]] = ["racepolicy", "policy"]
    filenames: ClassVar[list[str]] = ["*.policy"]
    mimetypes: ClassVar[list[str]] = ["text/x-racepolicy"]
    url = "https://github.com/racepolicy/racepolicy"

    tokens: ClassVar[dict[str, list]] = {  # type: ignore[type-arg]
        "root": [
            (r"\s+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            # A REPL command such as `:load PATH` at the start of the input.
            (r"^(:)([A-Za-z?]+)", bygroups(Punctuation, Keyword.Pseudo)),
            (r"§", Keyword.Namespace),
            (r'"[^"\n]*"?', String.Double),
            # Literals: longest shapes first, as in the grammar's terminal priorities.
            (r"\d{4}-\d{2}-\d{2}" + _END, Number.Other),  # a date
            (r"\d{2}-\d{2}" + _END, Number.Other),  # a day of the year
            (r"\d{1,2}:\d{2}(?![0-9])", Number.Other),  # a time of day
            (r"\d+(\.\d+)? ?(" + _CURRENCIES + ")" + _END, Number.Float),  # money
            (r"\d+(\.\d+)? ?(km|cm|m)" + _END, Number.Float),  # a length
            (r"\d+(\.\d+)?%", Number.Float),
            (r"(\d+d(\d+h)?|\d+h(\d+(min)?)?|\d+min)" + _END, Number.Integer),  # a duration
            (r"\d+(\.\d+)?", Number),
            (words(DECLARATIONS, suffix=r"\b"), Keyword.Declaration),
            (words(KEYWORDS, suffix=r"\b"), Keyword),
            (words(WORD_OPERATORS, suffix=r"\b"), Operator.Word),
            (words(CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (r"n/a(?![A-Za-z0-9_])", Keyword.Constant),  # a table cell the regulation marks not applicable
            (words(TYPES, suffix=r"\b"), Keyword.Type),
            (words(BUILTINS, suffix=r"(?=\s*\()"), Name.Builtin),
            (r"[A-Za-z_][A-Za-z0-9_]*(?=\s*\()", Name.Function),
            # Race names and groups are written in capitals by convention (UTMB, CCC).
            (r"[A-Z][A-Z0-9_]*" + _END, Name.Constant),
            (r"[A-Za-z_][A-Za-z0-9_]*", Name),
            (r"->|\.\.|==|!=|<=|>=|[<>+\-*/=]", Operator),
            (r"[(),:\[\]{}.]", Punctuation),
            (r".", Text),
        ],
    }
