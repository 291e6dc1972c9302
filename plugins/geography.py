"""Countries and continents for the World Series regions: names resolved by pycountry (ISO 3166), continents by UN M49."""

from __future__ import annotations

import functools
import unicodedata

# Continents of the UN geoscheme (M49), by ISO 3166-1 alpha-2 code. pycountry knows countries and their
# names in every spelling ISO gives, but not regions; M49 is the standard list of which country lies where.
_M49 = {
    "Africa": (
        "DZ EG LY MA SD TN EH "  # Northern Africa
        "BI KM DJ ER ET KE MG MW MU YT MZ RE RW SC SO SS TZ UG ZM ZW IO TF "  # Eastern Africa
        "AO CM CF TD CG CD GQ GA ST "  # Middle Africa
        "BW SZ LS NA ZA "  # Southern Africa
        "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG"  # Western Africa
    ),
    "Americas": (
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI "  # Caribbean
        "BZ CR SV GT HN MX NI PA "  # Central America
        "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE "  # South America
        "BM CA GL PM US"  # Northern America
    ),
    "Asia": (
        "KZ KG TJ TM UZ "  # Central Asia
        "CN HK MO KP JP MN KR TW "  # Eastern Asia
        "BN KH ID LA MY MM PH SG TH TL VN "  # South-eastern Asia
        "AF BD BT IN IR MV NP PK LK "  # Southern Asia
        "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE"  # Western Asia
    ),
    "Europe": (
        "BY BG CZ HU PL MD RO RU SK UA "  # Eastern Europe
        "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB "  # Northern Europe
        "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES "  # Southern Europe
        "AT BE FR DE LI LU MC NL CH"  # Western Europe
    ),
    "Oceania": (
        "AU NZ NF HM CX CC "  # Australia and New Zealand
        "FJ NC PG SB VU "  # Melanesia
        "GU KI MH FM NR MP PW UM "  # Micronesia
        "AS CK PF NU PN WS TK TO TV WF"  # Polynesia
    ),
}
CONTINENT_OF_CODE = {code: continent for continent, codes in _M49.items() for code in codes.split()}

# English names in everyday use that ISO 3166 does not list (it says "Türkiye", "Cabo Verde", "Côte d'Ivoire").
_EVERYDAY = {
    "uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "turkey": "TR", "cape verde": "CV", "ivory coast": "CI", "holland": "NL", "russia": "RU", "south korea": "KR", "north korea": "KP",
    "uae": "AE", "brunei": "BN", "palestine": "PS", "vatican": "VA", "swaziland": "SZ", "burma": "MM", "east timor": "TL",
}
# Not in ISO 3166 at all, but a country trail races are held in.
_OUTSIDE_ISO = {"kosovo": "Europe"}


def _fold(name: str) -> str:
    """Lower case without accents or punctuation: "Réunion" and "reunion", "Côte d'Ivoire" and "cote divoire" meet."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if c.isalnum() or c.isspace()).split())


@functools.cache
def _index() -> dict[str, str]:
    """Every ISO spelling of every country (codes, short, official and common names), folded, to its alpha-2 code."""
    import pycountry  # imported when a country is first asked about: the REPL starts without loading it

    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                index.setdefault(_fold(value), country.alpha_2)
        # "Korea, Republic of" is also written "Republic of Korea"; "Bolivia, Plurinational State of" as "Bolivia".
        head = country.name.split(",")[0]
        index.setdefault(_fold(head), country.alpha_2)
    for name, code in _EVERYDAY.items():
        index.setdefault(_fold(name), code)
    return index


def country_code(country: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country written any usual way ("usa", "United States", "USA" -> "US")."""
    return _index().get(_fold(country))


def continent_of(country: str) -> str | None:
    """The continent of a country by the UN geoscheme, or None when the name is not a country."""
    folded = _fold(country)
    if folded in _OUTSIDE_ISO:
        return _OUTSIDE_ISO[folded]
    code = country_code(country)
    return CONTINENT_OF_CODE.get(code) if code else None
