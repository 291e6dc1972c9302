"""racepolicy: a rules-as-code language for trail-race regulations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from racepolicy.hookspecs import hookimpl

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
    from racepolicy.answer import Answer
    from racepolicy.errors import PolicyError, PolicyErrors
    from racepolicy.model import Edition
    from racepolicy.pluginmanager import make_plugin_manager
    from racepolicy.plugins_api import Function, QueryForm, Vocabulary
    from racepolicy.policyset import PolicySet

# Imports are lazy so `racepolicy --version` starts without loading Lark.
_LAZY = {
    "Answer": "racepolicy.answer",
    "PolicyError": "racepolicy.errors",
    "PolicyErrors": "racepolicy.errors",
    "Edition": "racepolicy.model",
    "make_plugin_manager": "racepolicy.pluginmanager",
    "Function": "racepolicy.plugins_api",
    "QueryForm": "racepolicy.plugins_api",
    "Vocabulary": "racepolicy.plugins_api",
    "PolicySet": "racepolicy.policyset",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'racepolicy' has no attribute {name!r}")


def load(*paths: str) -> PolicySet:
    """Load policy files or folders (the bundled policies when none are given) into a PolicySet."""
    from racepolicy.policyset import PolicySet

    return PolicySet.load(list(paths)) if paths else PolicySet.bundled()
