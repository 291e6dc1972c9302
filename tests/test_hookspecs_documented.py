"""Every hook a plugin may implement is documented: a docstring in dsl/pluginapi/hookspecs.py and an entry in docs/plugins.md."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from racepolicy.pluginapi import hookspecs

PLUGINS_DOC = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"
HOOKSPECS = sorted(name for name, obj in vars(hookspecs).items() if inspect.isfunction(obj) and hasattr(obj, f"{hookspecs.PROJECT}_spec"))


def test_hookspecs_are_found() -> None:
    # Guards the discovery below: a renamed marker would otherwise make every check vacuous.
    assert "racepolicy_validate" in HOOKSPECS
    assert len(HOOKSPECS) >= 7


@pytest.mark.parametrize("name", HOOKSPECS)
def test_hookspec_has_a_docstring_saying_what_it_returns(name: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    assert doc.strip(), f"hookspec {name} has no docstring"
    assert ":returns:" in doc, f"hookspec {name} does not say what it returns"


@pytest.mark.parametrize("name", HOOKSPECS)
def test_hookspec_has_an_entry_in_the_plugin_guide(name: str) -> None:
    assert f"#### `{name}`" in PLUGINS_DOC.read_text(encoding="utf-8"), f"docs/plugins.md has no reference entry for {name}"
