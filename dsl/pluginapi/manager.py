"""Build a plugin manager: our hookspecs, entry-point plugins, and any plugins passed in."""

from __future__ import annotations

from collections.abc import Iterable

import pluggy
from racepolicy.pluginapi import hookspecs

ENTRY_POINT_GROUP = "racepolicy.plugins"


def make_plugin_manager(plugins: Iterable[object] = (), *, entry_points: bool = True) -> pluggy.PluginManager:
    """A fresh manager (no module global): built-in series load as entry points, like anyone's."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    if entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in plugins:
        pm.register(plugin)
    pm.check_pending()
    return pm


def known_series(pm: pluggy.PluginManager) -> list[str]:
    return sorted({s for names in pm.hook.racepolicy_series() for s in names})
