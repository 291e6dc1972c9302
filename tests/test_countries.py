"""Country names through a maintained library (pycountry, ISO 3166) and continents by UN M49: one country, one region."""

from __future__ import annotations

import pycountry
import pytest
from racepolicy.language.errors import PolicyError
from racepolicy.plugins.geography import CONTINENT_OF_CODE, continent_of, country_code
from racepolicy.query.policyset import PolicySet


@pytest.mark.parametrize("spelling", ["USA", "usa", "United States", "united states", "US"])
def test_every_spelling_of_the_united_states_is_region_1(bundled: PolicySet, spelling: str) -> None:
    # seed 001:61 "Region 1: USA, Europe, China, Oceania"
    assert bundled.ask(f'region("{spelling}")').text == "1"


@pytest.mark.parametrize("spelling", ["China", "china", "CHN"])
def test_china_is_region_1_however_written(bundled: PolicySet, spelling: str) -> None:
    assert bundled.ask(f'region("{spelling}")').text == "1"


@pytest.mark.parametrize(("country", "region"), [("France", "1"), ("New Zealand", "1"), ("Japan", "2"), ("Brazil", "2"), ("Réunion", "2")])
def test_continents_decide_the_other_countries(bundled: PolicySet, country: str, region: str) -> None:
    assert bundled.ask(f'region("{country}")').text == region


def test_the_elite_answer_no_longer_depends_on_the_spelling(bundled: PolicySet) -> None:
    answers = {bundled.ask(f'elite_access("{c}", "100K", "men", 800)').text for c in ("USA", "usa", "United States")}
    assert len(answers) == 1


def test_an_unknown_country_is_an_error_not_region_2(bundled: PolicySet) -> None:
    with pytest.raises(PolicyError, match="unknown country 'Atlantis'"):
        bundled.ask('region("Atlantis")')


def test_every_iso_country_but_antarctica_has_a_continent() -> None:
    codes = {c.alpha_2 for c in pycountry.countries}
    assert codes - set(CONTINENT_OF_CODE) == {"AQ"}
    assert set(CONTINENT_OF_CODE) <= codes


@pytest.mark.parametrize(("name", "code"), [("Czech Republic", "CZ"), ("Reunion", "RE"), ("UK", "GB"), ("Turkey", "TR"), ("South Korea", "KR")])
def test_everyday_english_names_resolve(name: str, code: str) -> None:
    assert country_code(name) == code
    assert continent_of(name) is not None
