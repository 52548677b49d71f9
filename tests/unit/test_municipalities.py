from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from shared import municipalities
from shared.municipalities import Municipality, all_municipalities, exists, get


def test_all_308_rows_sorted_and_unique():
    rows = all_municipalities()
    assert len(rows) == 308
    codes = [m.code for m in rows]
    assert codes == sorted(codes)
    assert len(set(codes)) == 308
    assert all(len(c) == 3 and c.isdigit() for c in codes)


def test_helsinki():
    m = get("091")
    assert m == Municipality("091", "Helsinki", "Helsingfors", "fi-sv", "Helsingin kaupunki", "Uusimaa")
    assert m.name("fi") == "Helsinki"
    assert m.name("sv") == "Helsingfors"
    assert m.name("en") == "Helsinki"


def test_vaasa():
    m = get("905")
    assert m is not None
    assert (m.name_fi, m.name_sv) == ("Vaasa", "Vasa")
    assert m.name("sv") == "Vasa"
    assert m.region == "Pohjanmaa"


def test_hameenlinna():
    m = get("109")
    assert m is not None
    assert m.name("fi") == "Hämeenlinna"
    assert m.region == "Kanta-Häme"


def test_aland_has_no_wellbeing_county():
    m = get("478")
    assert m is not None
    assert m.name("sv") == "Mariehamn"
    assert m.wellbeing_county is None
    assert m.language == "sv"


def test_language_counts():
    counts: dict[str, int] = {}
    for m in all_municipalities():
        counts[m.language] = counts.get(m.language, 0) + 1
    assert counts == {"fi": 259, "fi-sv": 18, "sv-fi": 15, "sv": 16}


@pytest.mark.parametrize("code", ["000", "588", "91", "0091", "", "abc"])
def test_unknown_code(code):
    assert get(code) is None
    assert not exists(code)


def test_exists():
    assert exists("091")
    assert exists("905")
    assert exists("109")


def test_frozen_and_list_is_a_copy():
    m = get("091")
    with pytest.raises(FrozenInstanceError):
        m.name_fi = "X"  # type: ignore[misc]
    all_municipalities().clear()
    assert len(all_municipalities()) == 308


def test_csv_is_bundled_in_tree():
    # The product reads only its own copy, next to the module.
    path = municipalities._CSV_PATH
    assert path.parent.parent == Path(municipalities.__file__).resolve().parent
    assert path.is_file()
    assert path.name == "municipalities.csv"


def test_names_as_a_case_shows_them():
    assert municipalities.names("905") == {"municipality_name": "Vaasa", "municipality_name_sv": "Vasa"}
    assert municipalities.names("999") == {"municipality_name": "999", "municipality_name_sv": "999"}  # not in the classification
