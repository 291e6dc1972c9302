"""The plugins' entry points kept in the cache (dsl/pluginapi/plugin_cache.py): read again whenever a distribution changes."""

from __future__ import annotations

import importlib
import json
import shutil
import sys
from pathlib import Path

import pytest
from racepolicy.pluginapi import plugin_cache
from racepolicy.pluginapi.manager import ENTRY_POINT_GROUP, make_plugin_manager
from racepolicy.query import cache
from test_external_plugin import install_moonrun


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RACEPOLICY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("RACEPOLICY_NO_CACHE", raising=False)
    return tmp_path / "cache"


def _no_scan(group: str) -> list[list[str]]:
    raise AssertionError("the distributions' metadata was read")


def test_the_second_manager_takes_the_entry_points_from_the_cache(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a first manager that read the entry points WHEN a second one is made THEN no metadata is read, same plugins, same stamp
    fresh = make_plugin_manager()
    make_plugin_manager(use_cache=True)
    assert (cache_dir / "plugins.json").is_file()
    monkeypatch.setattr(plugin_cache, "scan", _no_scan)
    cached = make_plugin_manager(use_cache=True)
    assert [name for name, _ in cached.list_name_plugin()] == [name for name, _ in fresh.list_name_plugin()]
    assert {"utmb", "world-series", "xterra"} <= {name for name, _ in cached.list_name_plugin()}
    # the cache of checked editions keys its entries by the plugins' distributions: the same either way
    assert cache.plugins_stamp(cached) == cache.plugins_stamp(fresh)
    assert "racepolicy==" in cache.plugins_stamp(cached)


def test_a_new_plugin_is_found_and_a_removed_one_is_gone(cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN entry points cached before a plugin is installed
    make_plugin_manager(use_cache=True)
    site = tmp_path / "site"
    site.mkdir()
    try:
        # WHEN a distribution with a plugin appears on sys.path THEN the next manager has it
        dist_info = install_moonrun(site, monkeypatch)
        with_moonrun = make_plugin_manager(use_cache=True)
        assert with_moonrun.get_plugin("moonrun") is not None
        assert "moonrun-plugin==1.0" in cache.plugins_stamp(with_moonrun)
        # and, unchanged, it is read from the cache
        scan = plugin_cache.scan
        monkeypatch.setattr(plugin_cache, "scan", _no_scan)
        assert make_plugin_manager(use_cache=True).get_plugin("moonrun") is not None
        # WHEN its dist-info is removed (the module file stays, as after a careless uninstall) THEN it is gone
        monkeypatch.setattr(plugin_cache, "scan", scan)
        shutil.rmtree(dist_info)
        assert make_plugin_manager(use_cache=True).get_plugin("moonrun") is None
    finally:
        sys.modules.pop("moonrun_plugin", None)


def test_an_upgraded_distribution_changes_the_stamp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    dist_info = install_moonrun(site, monkeypatch)
    before = plugin_cache.distributions_stamp()
    dist_info.rename(site / "moonrun_plugin-1.1.dist-info")
    assert plugin_cache.distributions_stamp() != before


@pytest.mark.parametrize("damage", ["{", "[]", '{"format": 1, "found": {"x": 1}}', '{"format": 1, "found": []}', ""])
def test_a_damaged_file_is_read_again(cache_dir: Path, damage: str) -> None:
    make_plugin_manager(use_cache=True)
    (cache_dir / "plugins.json").write_text(damage)
    assert make_plugin_manager(use_cache=True).get_plugin("utmb") is not None
    assert plugin_cache.read(ENTRY_POINT_GROUP, plugin_cache.distributions_stamp()) is not None


def test_no_cache_writes_nothing(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_plugin_manager()
    monkeypatch.setenv("RACEPOLICY_NO_CACHE", "1")
    make_plugin_manager(use_cache=True)
    assert not (cache_dir / "plugins.json").exists()


def test_an_entry_point_names_a_module_or_an_attribute_in_it() -> None:
    assert plugin_cache.load("racepolicy.plugins.utmb") is importlib.import_module("racepolicy.plugins.utmb")
    assert plugin_cache.load("racepolicy.pluginapi.manager:make_plugin_manager [extra]") is make_plugin_manager


def test_the_plugins_stamp_is_the_one_pluggy_s_own_loading_gives() -> None:
    # The cache of checked editions names its entries by this stamp: entries written before this change stay valid.
    import pluggy
    from racepolicy.pluginapi import hookspecs

    by_pluggy = pluggy.PluginManager(hookspecs.PROJECT)
    by_pluggy.add_hookspecs(hookspecs)
    by_pluggy.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    assert cache.plugins_stamp(make_plugin_manager()) == cache.plugins_stamp(by_pluggy)


@pytest.mark.parametrize("tamper", ["module", "folder", "name"])
def test_a_cache_file_naming_what_no_distribution_declares_is_not_trusted(cache_dir: Path, monkeypatch: pytest.MonkeyPatch, tamper: str) -> None:
    # GIVEN a cache file edited to name a module no installed distribution declares as a plugin (or another folder)
    make_plugin_manager(use_cache=True)
    kept = json.loads((cache_dir / "plugins.json").read_text())
    for points in kept["found"].values():
        if tamper == "module":
            points[0][1] = "antigravity"
        elif tamper == "folder":
            points[0][3] = str(cache_dir / "evil-1.0.dist-info")
        else:
            points[0][0] = "renamed"
    (cache_dir / "plugins.json").write_text(json.dumps(kept))
    imported: list[str] = []
    monkeypatch.setattr(plugin_cache, "scan", lambda group: imported.append(group) or scan(group))
    # WHEN a manager is made THEN the entry points are read from the installed metadata again, and that module is never imported
    pm = make_plugin_manager(use_cache=True)
    assert imported == [ENTRY_POINT_GROUP]
    assert pm.get_plugin("renamed") is None and "antigravity" not in sys.modules
    assert {"utmb", "world-series", "xterra"} <= {name for name, _ in pm.list_name_plugin()}


scan = plugin_cache.scan
