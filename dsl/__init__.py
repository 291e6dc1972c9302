"""racepolicy: a rules-as-code language for trail-race regulations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from racepolicy.pluginapi.hookspecs import hookimpl

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "Edition",
    "Function",
    "PolicyError",
    "PolicyErrors",
    "PolicySet",
    "QueryForm",
    "Vocabulary",
    "__version__",
    "hookimpl",
    "load",
    "make_plugin_manager",
]

if TYPE_CHECKING:
    from racepolicy.evaluation.model import Edition
    from racepolicy.language.errors import PolicyError, PolicyErrors
    from racepolicy.pluginapi.manager import make_plugin_manager
    from racepolicy.pluginapi.types import Function, QueryForm, Vocabulary
    from racepolicy.query.answer import Answer
    from racepolicy.query.policyset import PolicySet

# Imports are lazy so `racepolicy --version` starts without loading Lark.
_LAZY = {
    "Answer": "racepolicy.query.answer",
    "PolicyError": "racepolicy.language.errors",
    "PolicyErrors": "racepolicy.language.errors",
    "Edition": "racepolicy.evaluation.model",
    "make_plugin_manager": "racepolicy.pluginapi.manager",
    "Function": "racepolicy.pluginapi.types",
    "QueryForm": "racepolicy.pluginapi.types",
    "Vocabulary": "racepolicy.pluginapi.types",
    "PolicySet": "racepolicy.query.policyset",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'racepolicy' has no attribute {name!r}")


def load(*paths: str) -> PolicySet:
    """Load policy files or folders (the bundled policies when none are given) into a PolicySet."""
    from racepolicy.query.policyset import PolicySet

    return PolicySet.load(list(paths)) if paths else PolicySet.bundled()
