"""Finnish municipalities (Statistics Finland classification 2026).

Data: ``shared/data/municipalities.csv`` (Source: Statistics Finland, CC BY 4.0).
The CSV is read once, lazily, from a path relative to this file so the product
never reads anything outside its own tree.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_CSV_PATH = Path(__file__).resolve().parent / "data" / "municipalities.csv"


@dataclass(frozen=True)
class Municipality:
    code: str  # 3 digits with leading zeros, e.g. "091"
    name_fi: str
    name_sv: str  # equals name_fi where there is no separate Swedish form
    language: str  # "fi", "fi-sv", "sv-fi" or "sv"
    wellbeing_county: str | None  # None on Åland, which has no wellbeing county
    region: str

    def name(self, lang: str) -> str:
        """Name in the given UI language: Swedish for "sv", Finnish otherwise."""
        return self.name_sv if lang == "sv" else self.name_fi


@cache
def _by_code() -> dict[str, Municipality]:
    with _CSV_PATH.open(encoding="utf-8", newline="") as f:
        rows = [
            Municipality(
                code=row["code"],
                name_fi=row["name_fi"],
                name_sv=row["name_sv"],
                language=row["language"],
                wellbeing_county=row["wellbeing_county"] or None,
                region=row["region"],
            )
            for row in csv.DictReader(f)
        ]
    return {m.code: m for m in rows}


def get(code: str) -> Municipality | None:
    """The municipality with this 3-digit code, or None if there is none."""
    return _by_code().get(code)


def names(code: str) -> dict[str, str]:
    """`municipality_name` and `municipality_name_sv` as the case and the county's view show them:
    the code itself where the classification has no such municipality (any more)."""
    municipality = get(code)
    return {
        "municipality_name": municipality.name_fi if municipality else code,
        "municipality_name_sv": municipality.name_sv if municipality else code,
    }


def exists(code: str) -> bool:
    return code in _by_code()


def all_municipalities() -> list[Municipality]:
    """All municipalities, sorted by code (a fresh list each call)."""
    return sorted(_by_code().values(), key=lambda m: m.code)
