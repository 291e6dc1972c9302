"""Build a plugin manager: our hookspecs, entry-point plugins, and any plugins passed in."""

from __future__ import annotations

import weakref
from collections.abc import Iterable

import pluggy
from racepolicy.pluginapi import hookspecs

ENTRY_POINT_GROUP = "racepolicy.plugins"

# The distribution (`Name==Version`) of each plugin loaded from an entry point, by plugin name: the cache of checked
# editions keys its entries by them (query/cache.plugins_stamp), without reading the distributions' metadata again.
DISTRIBUTIONS: weakref.WeakKeyDictionary[pluggy.PluginManager, dict[str, str]] = weakref.WeakKeyDictionary()


def make_plugin_manager(plugins: Iterable[object] = (), *, entry_points: bool = True, use_cache: bool = False) -> pluggy.PluginManager:
    """A fresh manager (no module global): built-in series load as entry points, like anyone's.

    `use_cache`: the entry points from the cache folder when the installed distributions have not changed
    (pluginapi/plugin_cache.py), so that importlib.metadata is not imported; `racepolicy`'s commands use it."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    if entry_points:
        from racepolicy.pluginapi import plugin_cache

        # As pluggy's load_setuptools_entrypoints: in the order found, a name already registered or blocked is skipped.
        loaded = DISTRIBUTIONS.setdefault(pm, {})
        for name, value, distribution, _ in plugin_cache.entry_points(ENTRY_POINT_GROUP, use_cache):
            if pm.get_plugin(name) or pm.is_blocked(name):
                continue
            pm.register(plugin_cache.load(value), name=name)
            loaded[name] = distribution
    for plugin in plugins:
        pm.register(plugin)
    pm.check_pending()
    return pm


def known_series(pm: pluggy.PluginManager) -> list[str]:
    return sorted({s for names in pm.hook.racepolicy_series() for s in names})
