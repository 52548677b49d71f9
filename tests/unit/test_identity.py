from datetime import date

import pytest

from services.intake.identity import (
    Eligibility,
    IdentityCodeInfo,
    PersonKey,
    decide_eligibility,
    decide_lead,
    make_identity_code,
    match_people,
    normalise_name_tokens,
    validate_business_id,
    validate_identity_code,
)

TODAY = date(2026, 6, 15)


# --- identity codes --------------------------------------------------------

# Every century sign, with a birth date in the matching century.
SIGNS = [
    ("+", date(1899, 12, 31)),
    ("-", date(1952, 10, 13)),
    ("Y", date(1901, 1, 1)),
    ("X", date(1960, 2, 29)),
    ("W", date(1975, 7, 4)),
    ("V", date(1988, 11, 30)),
    ("U", date(1999, 12, 31)),
    ("A", date(2000, 1, 1)),
    ("B", date(2004, 2, 29)),
    ("C", date(2010, 5, 17)),
    ("D", date(2015, 9, 9)),
    ("E", date(2020, 3, 1)),
    ("F", date(2025, 12, 24)),
]


@pytest.mark.parametrize(("sign", "birth_date"), SIGNS)
@pytest.mark.parametrize(("individual", "sex"), [(2, "female"), (123, "male"), (898, "female"), (999, "male")])
def test_identity_code_round_trip_every_century_sign(sign, birth_date, individual, sex):
    code = make_identity_code(birth_date, individual, sign)
    assert code[6] == sign
    assert len(code) == 11
    assert validate_identity_code(code, today=TODAY) == IdentityCodeInfo(birth_date=birth_date, sex=sex)


def test_identity_code_known_example():
    # Example used by the population register and python-stdnum.
    assert make_identity_code(date(1952, 10, 13), 308) == "131052-308T"
    assert validate_identity_code("131052-308T", today=TODAY) == IdentityCodeInfo(date(1952, 10, 13), "female")


@pytest.mark.parametrize(
    ("birth_date", "sign"),
    [(date(1850, 1, 1), "+"), (date(1990, 1, 1), "-"), (date(2005, 1, 1), "A")],
)
def test_make_identity_code_default_sign(birth_date, sign):
    assert make_identity_code(birth_date, 50)[6] == sign


@pytest.mark.parametrize(
    ("birth_date", "individual", "sign"),
    [
        (date(1990, 1, 1), 1, None),  # 001 never issued
        (date(1990, 1, 1), 1000, None),
        (date(1990, 1, 1), 50, "A"),  # wrong century
        (date(2001, 1, 1), 50, "-"),
        (date(1990, 1, 1), 50, "Q"),
        (date(1799, 1, 1), 50, None),
    ],
)
def test_make_identity_code_rejects_bad_input(birth_date, individual, sign):
    with pytest.raises(ValueError):
        make_identity_code(birth_date, individual, sign)


def test_identity_code_lower_case_and_whitespace():
    code = make_identity_code(date(2010, 5, 17), 123, "C")  # ends in a letter
    assert code[-1].isalpha()
    info = validate_identity_code(f"  {code.lower()}\n", today=TODAY)
    assert info.birth_date == date(2010, 5, 17)
    assert info.sex == "male"


def test_identity_code_wrong_checksum():
    code = make_identity_code(date(1985, 3, 14), 246)
    wrong = "0123456789ABCDEFHJKLMNPRSTUVWXY".replace(code[-1], "")[0]
    with pytest.raises(ValueError, match="check character"):
        validate_identity_code(code[:-1] + wrong, today=TODAY)


@pytest.mark.parametrize(
    "code",
    ["", "131052308T", "131052-308", "131052-308TT", "1310520308T", "13105X-308T", "131052-3O8T", "13 10 52-308T"],
)
def test_identity_code_bad_format(code):
    with pytest.raises(ValueError, match="form"):
        validate_identity_code(code, today=TODAY)


def test_identity_code_unknown_century_sign():
    good = make_identity_code(date(1990, 1, 1), 50)
    with pytest.raises(ValueError, match="century sign"):
        validate_identity_code(good[:6] + "G" + good[7:], today=TODAY)


def _with_valid_check(ddmmyy: str, sign: str, individual: str) -> str:
    # Build a code with a correct check character around an arbitrary date.
    check = "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(ddmmyy + individual) % 31]
    return f"{ddmmyy}{sign}{individual}{check}"


@pytest.mark.parametrize("ddmmyy", ["300290", "290223", "310490", "001090", "011390", "320190"])
def test_identity_code_impossible_date(ddmmyy):
    # 30 Feb, 29 Feb in a non-leap year, 31 Apr, day 0, month 13, day 32.
    with pytest.raises(ValueError, match="impossible birth date"):
        validate_identity_code(_with_valid_check(ddmmyy, "-", "123"), today=TODAY)


def test_identity_code_feb_29_in_leap_year_ok():
    assert validate_identity_code(_with_valid_check("290200", "A", "123"), today=TODAY).birth_date == date(2000, 2, 29)


def test_identity_code_future_birth_date():
    code = make_identity_code(date(2026, 6, 16), 123)
    with pytest.raises(ValueError, match="future"):
        validate_identity_code(code, today=TODAY)
    # Born today is fine.
    assert validate_identity_code(make_identity_code(TODAY, 123), today=TODAY).birth_date == TODAY


def test_identity_code_default_today_rejects_far_future():
    with pytest.raises(ValueError, match="future"):
        validate_identity_code(make_identity_code(date(2099, 1, 1), 123))


@pytest.mark.parametrize("individual", ["000", "001"])
def test_identity_code_individual_000_001_invalid(individual):
    with pytest.raises(ValueError, match="individual number"):
        validate_identity_code(_with_valid_check("010190", "-", individual), today=TODAY)


def test_identity_code_temporary_900_range_accepted():
    assert validate_identity_code(_with_valid_check("010190", "-", "900"), today=TODAY).sex == "female"


# --- business ids ----------------------------------------------------------


def _business_check_digit(body: str) -> int | None:
    remainder = sum(w * int(d) for w, d in zip((7, 9, 10, 5, 8, 4, 2), body)) % 11
    return None if remainder == 1 else (0 if remainder == 0 else 11 - remainder)


def test_business_id_examples_agree_with_algorithm():
    assert _business_check_digit("0112038") == 9
    assert _business_check_digit("2617416") == 4


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0112038-9", "0112038-9"),
        ("2617416-4", "2617416-4"),
        (" 2617416-4 ", "2617416-4"),
        ("26174164", "2617416-4"),  # hyphen missing
        ("112038-9", "0112038-9"),  # old 6-digit form
        ("0000000-0", "0000000-0"),  # remainder 0 -> check digit 0
    ],
)
def test_business_id_valid(value, expected):
    assert validate_business_id(value) == expected


def test_business_id_wrong_check_digit():
    with pytest.raises(ValueError, match="check digit"):
        validate_business_id("0112038-8")


def test_business_id_remainder_one_is_invalid():
    assert _business_check_digit("0000006") is None
    for check in range(10):
        with pytest.raises(ValueError, match="not valid"):
            validate_business_id(f"0000006-{check}")


@pytest.mark.parametrize(
    "value",
    ["", "0112038", "0112038-", "01120389-9", "0112O38-9", "11203-9", "1120389", "0112038/9", "FI01120389"],
)
def test_business_id_bad_format(value):
    with pytest.raises(ValueError, match="form"):
        validate_business_id(value)


# --- name normalisation ----------------------------------------------------


def test_normalise_diacritics():
    assert normalise_name_tokens("Äänekoski Öhman") == ("aanekoski", "ohman")
    assert normalise_name_tokens("Åsa") == ("asa",)
    assert normalise_name_tokens("José Müller") == ("jose", "muller")
    assert normalise_name_tokens("Straße") == ("strasse",)
    assert normalise_name_tokens("Søren Ærø") == ("aero", "soren")
    assert normalise_name_tokens("Đorđević Łukasz") == ("dordevic", "lukasz")


def test_normalise_order_case_and_spaces():
    assert normalise_name_tokens("Nguyen Van", "An") == normalise_name_tokens("An", "Van Nguyen")
    assert normalise_name_tokens("  MATTI   Juhani ", "virtanen") == ("juhani", "matti", "virtanen")


def test_normalise_separators():
    assert normalise_name_tokens("Hassan-Ali") == ("ali", "hassan")
    assert normalise_name_tokens("O'Brien") == ("brien", "o")
    assert normalise_name_tokens("O’Brien") == ("brien", "o")
    assert normalise_name_tokens("J.R.R., Tolkien") == ("j", "r", "r", "tolkien")


def test_normalise_keeps_non_latin_scripts_and_empty():
    assert normalise_name_tokens("Анна", "Иванова") == ("анна", "иванова")
    assert normalise_name_tokens("", " - ") == ()


# --- matching people -------------------------------------------------------

BORN = date(1990, 3, 4)


def test_match_exact():
    a = PersonKey.of("Matti Juhani", "Virtanen", BORN, "FIN")
    assert match_people(a, PersonKey.of("Matti Juhani", "Virtanen", BORN, "fin")) == "exact"


def test_match_swapped_names_exact():
    a = PersonKey.of("Van An", "Nguyen", BORN, "VNM")
    b = PersonKey.of("Nguyen", "Van An", BORN, "VNM")
    assert match_people(a, b) == "exact"


def test_match_diacritics_exact():
    a = PersonKey.of("Mäkelä", "Äijä", BORN, "FIN")
    b = PersonKey.of("MAKELA", "AIJA", BORN, "FIN")
    assert match_people(a, b) == "exact"


def test_match_double_barrelled_partial():
    a = PersonKey.of("Amina", "Hassan-Ali", BORN, "SOM")
    b = PersonKey.of("Amina", "Hassan", BORN, "SOM")
    assert match_people(a, b) == "partial"
    assert match_people(b, a) == "partial"


def test_match_given_name_missing_partial():
    a = PersonKey.of("Olena Petrivna", "Kovalenko", BORN, "UKR")
    b = PersonKey.of("Olena", "Kovalenko", BORN, "UKR")
    assert match_people(a, b) == "partial"


def test_match_one_token_spelled_differently_partial():
    a = PersonKey.of("Mohamed Ali", "Hassan", BORN, "SOM")
    b = PersonKey.of("Mohammed Ali", "Hassan", BORN, "SOM")
    assert match_people(a, b) == "partial"


def test_match_different_birth_date_none():
    a = PersonKey.of("Matti", "Virtanen", BORN, "FIN")
    b = PersonKey.of("Matti", "Virtanen", date(1990, 3, 5), "FIN")
    assert match_people(a, b) == "none"


def test_match_same_name_and_birth_date_different_nationality_partial():
    a = PersonKey.of("Ahmed", "Mohammed", BORN, "IRQ")
    b = PersonKey.of("Ahmed", "Mohammed", BORN, "SYR")
    assert match_people(a, b) == "partial"


def test_match_day_month_swap_partial():
    a = PersonKey.of("Matti", "Virtanen", date(1990, 3, 4), "FIN")
    b = PersonKey.of("Matti", "Virtanen", date(1990, 4, 3), "FIN")
    assert match_people(a, b) == "partial"
    # A swap with different names or nationality is not enough.
    assert match_people(a, PersonKey.of("Matti", "Virtanen", date(1990, 4, 3), "SWE")) == "none"
    assert match_people(a, PersonKey.of("Matti", "Koskinen", date(1990, 4, 3), "FIN")) == "none"


def test_match_different_names_none():
    a = PersonKey.of("Anna", "Korhonen", BORN, "FIN")
    b = PersonKey.of("Liisa", "Korhonen", BORN, "FIN")
    assert match_people(a, b) == "none"


def test_match_repeated_token_is_partial_not_exact():
    a = PersonKey.of("Ali Ali", "Hassan", BORN, "SOM")
    b = PersonKey.of("Ali", "Hassan", BORN, "SOM")
    assert match_people(a, b) == "partial"


def test_match_empty_names_none():
    a = PersonKey.of("", "", BORN, "FIN")
    assert match_people(a, a) == "none"


def test_person_key_of_normalises():
    key = PersonKey.of("Åsa", "Öberg-Lind", BORN, " swe ")
    assert key == PersonKey(("asa", "lind", "oberg"), BORN, "SWE")


# --- eligibility -----------------------------------------------------------


def _decide(first: date, today: date = TODAY, basis: str = "work", years: int = 3) -> Eligibility:
    return decide_eligibility(
        residence_basis=basis, first_permit_or_registration_on=first, today=today, window_years=years
    )


def test_eligibility_exactly_window_years_ago_eligible():
    assert _decide(date(2023, 6, 15)) == Eligibility(True, "within_window")


def test_eligibility_window_plus_one_day_not_eligible():
    assert _decide(date(2023, 6, 14)) == Eligibility(False, "window_passed")


def test_eligibility_recent_and_same_day():
    assert _decide(date(2026, 1, 1)) == Eligibility(True, "within_window")
    assert _decide(TODAY) == Eligibility(True, "within_window")


def test_eligibility_feb_29_start_ends_feb_28():
    first = date(2024, 2, 29)
    assert _decide(first, today=date(2027, 2, 28)) == Eligibility(True, "within_window")
    assert _decide(first, today=date(2027, 3, 1)) == Eligibility(False, "window_passed")
    # Into a leap year the anniversary is Feb 29 itself.
    assert _decide(first, today=date(2028, 2, 29), years=4) == Eligibility(True, "within_window")
    assert _decide(first, today=date(2028, 3, 1), years=4) == Eligibility(False, "window_passed")


def test_eligibility_window_holds_for_trafficking_victims_too():
    # Only a staff decision sets it aside (test_target_groups.py), never the rule.
    assert _decide(date(2016, 6, 15), basis="trafficking_victim") == Eligibility(False, "window_passed")
    assert _decide(date(2030, 1, 1), basis="trafficking_victim") == Eligibility(False, "future_date")
    assert _decide(date(2025, 1, 1), basis="trafficking_victim") == Eligibility(True, "within_window")


def test_eligibility_future_first_permit():
    assert _decide(date(2026, 6, 16)) == Eligibility(False, "future_date")


def test_eligibility_other_window_lengths():
    assert _decide(date(2021, 6, 15), years=5) == Eligibility(True, "within_window")
    assert _decide(date(2026, 6, 14), years=0) == Eligibility(False, "window_passed")
    with pytest.raises(ValueError):
        _decide(TODAY, years=-1)


# --- lead authority --------------------------------------------------------


def test_lead():
    assert decide_lead(jobseeker=True) == "employment_authority"
    assert decide_lead(jobseeker=False) == "municipality"


def test_non_ascii_digits_rejected():
    # Python's \d would match e.g. Arabic-Indic digits; ids are ASCII only.
    with pytest.raises(ValueError, match="form"):
        validate_identity_code("١٣١٠٥٢-٣٠٨T", today=TODAY)
    with pytest.raises(ValueError, match="form"):
        validate_business_id("٠١١٢٠٣٨-٩")
