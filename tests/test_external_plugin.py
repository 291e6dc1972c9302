"""A third-party series plugin, installed through the entry-point group like the built-in ones, extends racepolicy without touching the core."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pluggy
import pytest
from racepolicy.language.errors import PolicyErrors
from racepolicy.language.source import Source
from racepolicy.pluginapi.manager import ENTRY_POINT_GROUP, known_series, make_plugin_manager
from racepolicy.query.policyset import PolicySet

# The whole plugin of the fictional Moonrun night-trail series, as its author
# would publish it: one module, written against the public API only.
MOONRUN_PLUGIN = '''
"""Moonrun: night trail races run by the light of the moon."""

import datetime
from decimal import Decimal

from racepolicy import Function, Vocabulary, hookimpl
from racepolicy.language.errors import ValidationError

SERIES = "moonrun"
# A known new moon (2000-01-06) and the mean synodic month, in days, as exact decimals.
NEW_MOON = datetime.date(2000, 1, 6)
SYNODIC_MONTH = Decimal("29.530588")
PHASES = ("new moon", "waxing crescent", "first quarter", "waxing gibbous", "full moon", "waning gibbous", "last quarter", "waning crescent")


def moon_phase(when):
    """The phase of the moon on a date, one of eight names."""
    age = Decimal((when - NEW_MOON).days) % SYNODIC_MONTH
    eighth = int((age / SYNODIC_MONTH * 8 + Decimal("0.5")) % 8)
    return PHASES[eighth]


@hookimpl
def racepolicy_series():
    return [SERIES]


@hookimpl
def racepolicy_vocabulary(series):
    if series != SERIES:
        return None
    return Vocabulary(races=("FullMoon", "Eclipse"), infractions=("no_headlamp", "howling"), categories=("werewolf",))


@hookimpl
def racepolicy_race_attributes(series):
    return {"start_hour": "number"} if series == SERIES else None


@hookimpl
def racepolicy_functions(series):
    if series != SERIES:
        return None
    return [Function("moon_phase", (("date", "date"),), "text", moon_phase, "phase of the moon on a date")]


@hookimpl
def racepolicy_validate(edition):
    if edition.series != SERIES:
        return None
    errors = []
    for name, race in edition.races.items():
        hour = race.attributes.get("start_hour")
        if hour is None or not (hour >= 18 or hour < 4):
            errors.append(ValidationError(f"Moonrun race {name} must start at night (18 to 3 o'clock)", race.decl.span, edition.source,
                                          "add e.g. start_hour 21"))
    return errors
'''

MOONRUN_POLICY = """
edition moonrun 2026 "Moonrun night trail series"

section "Races"
race FullMoon "Full Moon 30K": date 2026-05-31, distance 30 km, start_hour 21
race Eclipse "Eclipse 10K": date 2026-08-12, distance 10 km, start_hour 22

section "Gear"
# no_headlamp and howling come from the plugin's vocabulary: no infraction declaration needed.
penalty no_headlamp on all = disqualify § "A headlamp is carried at all times"
penalty howling on all = 5min § "Howling at the moon: 5 minutes"

rule headlamp_lit(race: race) = moon_phase(race.date) != "full moon" § "Headlamps are lit unless the moon is full"
"""


def install_moonrun(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Install the Moonrun plugin in `folder` as a distribution would: a module and a dist-info with entry_points.txt,
    the folder put on sys.path. Gives the dist-info folder."""
    (folder / "moonrun_plugin.py").write_text(MOONRUN_PLUGIN, encoding="utf-8")
    dist_info = folder / "moonrun_plugin-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: moonrun-plugin\nVersion: 1.0\n", encoding="utf-8")
    (dist_info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nmoonrun = moonrun_plugin\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    importlib.invalidate_caches()
    return dist_info


@pytest.fixture
def moonrun_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The Moonrun plugin installed in the test's folder (install_moonrun)."""
    install_moonrun(tmp_path, monkeypatch)
    yield tmp_path
    # Forget the module so no later test sees a plugin whose files are gone.
    sys.modules.pop("moonrun_plugin", None)


@pytest.fixture
def pm(moonrun_installed: Path) -> pluggy.PluginManager:
    return make_plugin_manager()


def test_entry_point_plugin_is_found_beside_the_built_in_series(pm: pluggy.PluginManager) -> None:
    assert {"moonrun", "utmb", "xterra"} <= set(known_series(pm))
    assert pm.get_plugin("moonrun") is not None


def test_policy_of_the_new_series_uses_its_vocabulary_function_and_attributes(pm: pluggy.PluginManager) -> None:
    policies = PolicySet(pm)
    edition = policies.add(Source("moonrun-2026.policy", MOONRUN_POLICY))
    assert edition.vocabulary is not None and edition.vocabulary.races == ("FullMoon", "Eclipse")
    # 2026-05-31 is a full moon, 2026-08-12 a new moon (the night of a total solar eclipse).
    assert policies.ask("moon_phase(2026-05-31)").text == "full moon"
    assert policies.ask("headlamp_lit(FullMoon)").text == "no"
    assert policies.ask("headlamp_lit(Eclipse)").text == "yes"
    assert policies.ask("start_hour Eclipse").text == "22"
    assert policies.ask("penalty howling, howling on Eclipse").text == "10min time penalty"
    assert policies.ask("penalty no_headlamp, howling on FullMoon").text == "disqualification"


def test_validator_of_the_new_series_refuses_a_daytime_race(pm: pluggy.PluginManager) -> None:
    daytime = MOONRUN_POLICY.replace("start_hour 22", "start_hour 14")
    with pytest.raises(PolicyErrors) as caught:
        PolicySet(pm).add(Source("moonrun-2026.policy", daytime))
    [error] = caught.value.errors
    assert error.message == "Moonrun race Eclipse must start at night (18 to 3 o'clock)"
    assert error.render().startswith("moonrun-2026.policy:6:1: error[RP0502]")


def test_without_the_plugin_the_series_words_are_unknown() -> None:
    # The core names no series: the same policy fails on a manager without the Moonrun entry point.
    with pytest.raises(PolicyErrors) as caught:
        PolicySet(make_plugin_manager()).add(Source("moonrun-2026.policy", MOONRUN_POLICY))
    found = {e.message for e in caught.value.errors}
    assert "unknown race attribute 'start_hour'" in found
    assert "unknown infraction 'no_headlamp'" in found
    assert "unknown rule or function 'moon_phase'" in found

