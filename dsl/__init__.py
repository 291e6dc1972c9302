"""racepolicy: a rules-as-code language for trail-race regulations; this module is its public surface."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from racepolicy.pluginapi.hookspecs import hookimpl

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "Decision",
    "Edition",
    "Function",
    "PolicyError",
    "PolicyErrors",
    "PolicySet",
    "QueryForm",
    "RuleFunction",
    "Rulebook",
    "Vocabulary",
    "__version__",
    "hookimpl",
    "load",
    "loads",
    "make_plugin_manager",
    "to_python",
]

if TYPE_CHECKING:
    from racepolicy.api import Decision, Rulebook, RuleFunction, load, loads, to_python
    from racepolicy.evaluation.model import Edition
    from racepolicy.language.errors import PolicyError, PolicyErrors
    from racepolicy.pluginapi.manager import make_plugin_manager
    from racepolicy.pluginapi.types import Function, QueryForm, Vocabulary
    from racepolicy.query.answer import Answer
    from racepolicy.query.policyset import PolicySet

# Each public name and the module that holds it (where to read its code). Imports are lazy,
# so `racepolicy --version` starts without loading Lark.
_LAZY = {
    # embedding: load policies, call rules with plain values (docs/api.md)
    "load": "racepolicy.api",
    "loads": "racepolicy.api",
    "Rulebook": "racepolicy.api",
    "RuleFunction": "racepolicy.api",
    "Decision": "racepolicy.api",
    "to_python": "racepolicy.api",
    "PolicySet": "racepolicy.query.policyset",
    "Answer": "racepolicy.query.answer",
    # errors: every one a user can cause is a PolicyError
    "PolicyError": "racepolicy.language.errors",
    "PolicyErrors": "racepolicy.language.errors",
    # writing a plugin (docs/plugins.md); hookimpl is imported above
    "Edition": "racepolicy.evaluation.model",
    "make_plugin_manager": "racepolicy.pluginapi.manager",
    "Function": "racepolicy.pluginapi.types",
    "QueryForm": "racepolicy.pluginapi.types",
    "Vocabulary": "racepolicy.pluginapi.types",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # found once: later reads are plain attribute reads (an embedder calls racepolicy.loads in a loop)
        return value
    raise AttributeError(f"module 'racepolicy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
