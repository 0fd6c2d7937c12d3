"""Country codes as ISO 3166-1 alpha-2, whatever a dataset wrote.

CAIDA's AS-organization files carry the country the RIR recorded, which is nearly always an
alpha-2 code but not quite: an APNIC organization has ``Sweden`` spelled out, and RIPE NCC
registers pan-European organizations under ``EU`` (APNIC, in older data, ``AP``).
``EU`` and ``AP`` are ISO's *exceptionally reserved* codes for regions, not countries: no
country analysis, ranking by country or world map can place them, so they become ``''``
(no country known), exactly like an organization without a country. Country names are
matched against ISO's names (``iso3166-1.csv``, from Debian ``iso-codes``), and ``UK`` (an
exceptionally reserved code some registries used for the United Kingdom) becomes ``GB``.
Anything else that is not an assigned code also becomes ``''``.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources

__all__ = ["REGION_CODES", "iso_countries", "normalise_country"]

# exceptionally reserved ISO codes for regions: recorded by registries, but not a country
REGION_CODES = frozenset({"EU", "AP"})
_ALIASES = {"UK": "GB"}


@lru_cache(maxsize=1)
def iso_countries() -> tuple[dict[str, str], dict[str, str]]:
    """(numeric -> alpha-2, alpha-2 -> ISO name) for every assigned ISO 3166-1 code."""
    text = resources.files("splinternet.sources").joinpath("iso3166-1.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO("\n".join(ln for ln in text.splitlines() if not ln.startswith("#")))))
    return {r["numeric"]: r["alpha2"] for r in rows}, {r["alpha2"]: r["name"] for r in rows}


@lru_cache(maxsize=1)
def _by_name() -> dict[str, str]:
    names = {name.casefold(): code for code, name in iso_countries()[1].items()}
    # "Korea, Republic of" is also written "Republic of Korea"; the short name before the comma is not unique
    for code, name in iso_countries()[1].items():
        if ", " in name:
            head, tail = name.split(", ", 1)
            names.setdefault(f"{tail} {head}".casefold(), code)
    return names


@lru_cache(maxsize=4096)
def normalise_country(value: str) -> str:
    """An assigned ISO 3166-1 alpha-2 code (upper case) for a registry's country value, or ''."""
    text = (value or "").strip()
    if not text:
        return ""
    code = text.upper()
    code = _ALIASES.get(code, code)
    if len(code) == 2:
        return code if code in iso_countries()[1] else ""
    return _by_name().get(text.casefold(), "")
