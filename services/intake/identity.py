"""Pure functions about people: identity codes, business ids, name matching,
integration-service eligibility and lead authority.

Everything here is deterministic and free of I/O so it can be unit tested and
reused by any service. Error messages are short English sentences meant for
logs and for translation at the UI edge; they never echo the full identity
code back.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Literal

# ---------------------------------------------------------------------------
# Finnish personal identity code (henkilötunnus, HETU)
# ---------------------------------------------------------------------------

# The check character alphabet leaves out G, I, O, Q and Z so they cannot be
# mistaken for digits.
_HETU_CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"

# Signs Y, X, W, V, U (1900s) and B, C, D, E, F (2000s) exist since 2023,
# added so that the 900-999 individual number range does not run out.
_CENTURY_BY_SIGN: dict[str, int] = {
    "+": 1800,
    **dict.fromkeys("-YXWVU", 1900),
    **dict.fromkeys("ABCDEF", 2000),
}
_DEFAULT_SIGN_BY_CENTURY = {1800: "+", 1900: "-", 2000: "A"}

# DDMMYY, century sign (any non-digit, checked separately for a better
# message), NNN, check character.
_HETU_RE = re.compile(r"(\d{2})(\d{2})(\d{2})(\D)(\d{3})([0-9A-Z])", re.ASCII)


@dataclass(frozen=True)
class IdentityCodeInfo:
    birth_date: date
    sex: Literal["female", "male"]


def _hetu_check_char(ddmmyy: str, individual: str) -> str:
    return _HETU_CHECK_CHARS[int(ddmmyy + individual) % 31]


def validate_identity_code(code: str, *, today: date | None = None) -> IdentityCodeInfo:
    """Validate a Finnish personal identity code and return what it encodes.

    Accepts lower case and surrounding whitespace. Individual numbers 900-999
    (temporary codes) are accepted; 000 and 001 are never issued and rejected.
    Raises ValueError with a short message saying what is wrong.
    """
    value = code.strip().upper()
    m = _HETU_RE.fullmatch(value)
    if m is None:
        raise ValueError("identity code must have the form DDMMYY, century sign, 3 digits, check character")
    dd, mm, yy, sign, individual, check = m.groups()

    century = _CENTURY_BY_SIGN.get(sign)
    if century is None:
        raise ValueError(f"unknown century sign {sign!r} in identity code")

    try:
        birth_date = date(century + int(yy), int(mm), int(dd))
    except ValueError:
        raise ValueError("identity code contains an impossible birth date") from None

    if int(individual) < 2:
        raise ValueError("individual number 000 or 001 is not used in identity codes")

    if check != _hetu_check_char(dd + mm + yy, individual):
        raise ValueError("identity code check character does not match")

    if birth_date > (today or date.today()):
        raise ValueError("identity code birth date is in the future")

    # Odd individual numbers are given to men, even to women.
    sex: Literal["female", "male"] = "male" if int(individual) % 2 else "female"
    return IdentityCodeInfo(birth_date=birth_date, sex=sex)


def make_identity_code(birth_date: date, individual_number: int, century_sign: str | None = None) -> str:
    """Build a valid identity code (for tests and fixtures).

    The default century sign is '+', '-' or 'A' by century; a given sign must
    belong to the birth date's century.
    """
    century = birth_date.year // 100 * 100
    if century not in _DEFAULT_SIGN_BY_CENTURY:
        raise ValueError("identity codes exist only for birth years 1800-2099")
    if not 2 <= individual_number <= 999:
        raise ValueError("individual number must be between 002 and 999")
    sign = _DEFAULT_SIGN_BY_CENTURY[century] if century_sign is None else century_sign.upper()
    if _CENTURY_BY_SIGN.get(sign) != century:
        raise ValueError(f"century sign {century_sign!r} does not match birth year {birth_date.year}")
    ddmmyy = birth_date.strftime("%d%m") + f"{birth_date.year % 100:02d}"
    individual = f"{individual_number:03d}"
    return f"{ddmmyy}{sign}{individual}{_hetu_check_char(ddmmyy, individual)}"


# ---------------------------------------------------------------------------
# Finnish business id (Y-tunnus)
# ---------------------------------------------------------------------------

_BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
# The hyphen may be left out only in the 7-digit form; without it a 6-digit
# old id would be indistinguishable from a 7-digit id missing its check digit.
_BUSINESS_ID_RE = re.compile(r"(\d{7})-?(\d)|(\d{6})-(\d)", re.ASCII)


def validate_business_id(value: str) -> str:
    """Validate a Finnish business id and return it as "NNNNNNN-C".

    The hyphen may be missing from the 7-digit form. Old ids "NNNNNN-C" with
    6 digits before the check digit are padded with a leading zero (the check digit is unaffected, since
    a leading zero adds nothing to the weighted sum).
    """
    m = _BUSINESS_ID_RE.fullmatch(value.strip())
    if m is None:
        raise ValueError("business id must have the form NNNNNNN-C (7 digits, hyphen, check digit)")
    body = (m.group(1) or m.group(3)).zfill(7)
    check = int(m.group(2) or m.group(4))

    remainder = sum(w * int(d) for w, d in zip(_BUSINESS_ID_WEIGHTS, body)) % 11
    if remainder == 1:
        # No check digit can be computed, so such numbers are never issued.
        raise ValueError("business id number is not valid (no check digit exists for it)")
    expected = 0 if remainder == 0 else 11 - remainder
    if check != expected:
        raise ValueError("business id check digit does not match")
    return f"{body}-{check}"


# ---------------------------------------------------------------------------
# Name normalisation and person matching
# ---------------------------------------------------------------------------

# Letters that NFKD does not decompose into base letter + combining mark.
# (ß is already turned into "ss" by casefold.)
_EXTRA_FOLDS = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "ð": "d",
        "ł": "l",
        "þ": "th",
        "ı": "i",  # dotless i (Turkish)
        "ħ": "h",
    }
)


def normalise_name_tokens(*names: str) -> tuple[str, ...]:
    """Normalise names into a sorted tuple of tokens for matching people.

    Case-folds, strips diacritics (ä→a, å→a, é→e, ø→o, æ→ae, ß→ss, ...),
    treats any character that is not a letter or digit (hyphens, apostrophes,
    dots, commas, ...) as a separator, and sorts the tokens so that the order
    of given names and family names does not matter. Non-Latin scripts are
    kept (case-folded) rather than dropped.
    """
    text = " ".join(names).casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_EXTRA_FOLDS)
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return tuple(sorted(text.split()))


@dataclass(frozen=True)
class PersonKey:
    """What we know to match one person across systems."""

    name_tokens: tuple[str, ...]
    birth_date: date
    nationality: str  # e.g. ISO 3166 alpha-3 code; compared case-insensitively

    @classmethod
    def of(cls, given_names: str, family_name: str, birth_date: date, nationality: str) -> PersonKey:
        return cls(
            name_tokens=normalise_name_tokens(given_names, family_name),
            birth_date=birth_date,
            nationality=nationality.strip().upper(),
        )

    @classmethod
    def of_record(cls, record) -> PersonKey:
        """The key of any record with the person's fields (a client, a notice's recruit)."""
        return cls.of(record.given_names, record.family_name, record.birth_date, record.nationality)


def _swapped_day_month(d: date) -> date | None:
    try:
        return date(d.year, d.day, d.month)
    except ValueError:
        return None


def birth_dates_like(day: date) -> list[date]:
    """The date, and with day and month swapped (a partial match that a person should see)."""
    swapped = _swapped_day_month(day)
    return [day] if swapped in (None, day) else [day, swapped]


def _names_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    sa, sb = set(a), set(b)
    if sa <= sb or sb <= sa:
        return True
    # Also tolerate one differing token (e.g. a transliteration variant) when
    # at least two tokens are shared and they make up half the longer name.
    shared = len(sa & sb)
    return shared >= 2 and 2 * shared >= max(len(sa), len(sb))


def match_people(a: PersonKey, b: PersonKey) -> Literal["exact", "partial", "none"]:
    """Compare two people; "partial" means a human must look.

    Rules:
      * "exact": same birth date, same nationality (case-insensitive) and the
        same name tokens, counted with repetition (order does not matter).
      * "partial", either
          - same birth date (nationality may differ) and the name token sets
            overlap substantially: one set contains the other (double-barrelled
            family name "Hassan-Ali" vs "Hassan", a given name missing, or the
            same names with a different nationality), or at least two tokens
            are shared and they make up at least half of the longer name; or
          - same name tokens and nationality, but the birth date has day and
            month swapped (03.04. vs 04.03., a common data-entry mix-up).
      * "none": anything else, and always when either side has no name tokens.
    """
    if not a.name_tokens or not b.name_tokens:
        return "none"
    same_nationality = a.nationality.casefold() == b.nationality.casefold()
    same_tokens = Counter(a.name_tokens) == Counter(b.name_tokens)

    if a.birth_date == b.birth_date:
        if same_nationality and same_tokens:
            return "exact"
        if _names_overlap(a.name_tokens, b.name_tokens):
            return "partial"
        return "none"

    if same_tokens and same_nationality and _swapped_day_month(a.birth_date) == b.birth_date:
        return "partial"
    return "none"


# ---------------------------------------------------------------------------
# Integration services: eligibility (Act 681/2023) and lead authority
# ---------------------------------------------------------------------------

EligibilityReason = Literal["within_window", "window_passed", "future_date"]


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: EligibilityReason  # stable machine code; translate at the UI edge


def _add_years(d: date, years: int) -> date:
    """Same day `years` later; Feb 29 becomes Feb 28 in a non-leap year."""
    year = d.year + years
    if d.month == 2 and d.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return d.replace(year=year)


def decide_eligibility(
    *,
    residence_basis: str,
    first_permit_or_registration_on: date,
    today: date,
    window_years: int,
) -> Eligibility:
    """Decide whether a person is still within the integration services window.

    Eligible when today is at most `window_years` calendar years after the
    first residence permit or registration, i.e. up to and including its
    anniversary (a Feb 29 start ends on Feb 28 in a non-leap year). The window
    holds for victims of trafficking too: it is set aside only by a staff
    decision with its reason (`decide_by_staff`), never automatically. A first
    permit date after today is a data error and is not eligible ("future_date").
    """
    if window_years < 0:
        raise ValueError("window_years must not be negative")
    if first_permit_or_registration_on > today:
        return Eligibility(False, "future_date")
    if today <= _add_years(first_permit_or_registration_on, window_years):
        return Eligibility(True, "within_window")
    return Eligibility(False, "window_passed")


Lead = Literal["employment_authority", "municipality"]


def decide_lead(*, jobseeker: bool) -> Lead:
    """Who leads the integration services: the employment authority for
    jobseekers, the municipality for everyone else (a jobseeker leaving job
    search returns to the municipality)."""
    return "employment_authority" if jobseeker else "municipality"


def decide_lead_by_staff(*, lead: str, jobseeker: bool, to: str) -> Lead:
    """A recorded staff decision on who leads: the municipality may hand a
    client who is not a jobseeker to the employment authority, and take them
    back; a jobseeker is the employment authority's while they seek work."""
    if to == lead:
        raise DecisionRefused("lead_unchanged")
    if jobseeker and to == "municipality":
        raise DecisionRefused("jobseeker_led_by_employment_authority")
    return "employment_authority" if to == "employment_authority" else "municipality"


# ---------------------------------------------------------------------------
# Who is owed an assessment: the target groups (Act 681/2023)
# ---------------------------------------------------------------------------

# The municipality's target groups, and unemployed jobseekers (the employment authority's).
TargetGroup = Literal[
    "international_protection",  # beneficiaries of international protection and their family members
    "social_assistance",  # receiving social assistance other than temporarily
    "child_home_care_allowance",
    "unaccompanied_minor",  # arrived as an unaccompanied minor
    "trafficking_victim",
    "other_need",  # others who need it, on their own or another authority's contact
    "jobseeker",  # an unemployed jobseeker: the employment authority's client
]
TARGET_GROUPS: tuple[str, ...] = TargetGroup.__args__  # type: ignore[attr-defined]
# What a register may say outright in `resident.registered`: a group, or `none` (no target group).
StatedTargetGroup = Literal[TargetGroup, "none"]

# What a residence basis says by itself when the register names no group and no job search.
TARGET_GROUP_BY_BASIS = {
    "international_protection": "international_protection",
    "quota_refugee": "international_protection",
    "trafficking_victim": "trafficking_victim",
}
# Work, studies and free movement: no target group of their own; offered guidance.
GUIDANCE_BASES = frozenset({"work", "study", "eu_registration", "nordic"})
# Anything else (`family`: of a refugee, or of a worker? `temporary_protection`, `returnee`,
# `other`) is unclear: staff decide (the `needs_triage` queue).

AdmissionOutcome = Literal["client", "guidance", "triage", "not_eligible"]


@dataclass(frozen=True)
class Admission:
    """Whether someone recorded becomes a client with the statutory clock running (`client`), is
    offered guidance (`guidance`), waits for staff to decide (`triage`), or is outside the window
    (`not_eligible`); with the target group and a stable reason code."""

    outcome: AdmissionOutcome
    target_group: str | None
    reason: str


def decide_admission(
    *, residence_basis: str, stated_group: str | None, jobseeker: bool, eligibility: Eligibility
) -> Admission:
    """The rule for a registration: what the register states wins, then job search, then what the
    residence basis says by itself; the unclear go to staff. A victim of trafficking past the
    window goes to staff too: only their decision sets the limit aside."""
    if not eligibility.eligible:
        if eligibility.reason == "window_passed" and "trafficking_victim" in (residence_basis, stated_group):
            return Admission("triage", "trafficking_victim", "trafficking_window_passed")
        return Admission("not_eligible", None, eligibility.reason)
    if stated_group == "none":
        return Admission("guidance", None, "stated_by_register")
    if stated_group:
        return Admission("client", stated_group, "stated_by_register")
    if jobseeker:
        return Admission("client", "jobseeker", "jobseeker")
    if residence_basis in TARGET_GROUP_BY_BASIS:
        return Admission("client", TARGET_GROUP_BY_BASIS[residence_basis], "residence_basis")
    if residence_basis in GUIDANCE_BASES:
        return Admission("guidance", None, "residence_basis")
    return Admission("triage", None, "residence_basis_unclear")


class DecisionRefused(ValueError):
    """A staff decision that does not fit the case; `code` names the reason in the catalogue."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# The case statuses a staff decision on the target group can change.
DECIDABLE_STATUSES = frozenset({"needs_triage", "guidance_offered", "not_eligible"})


def decide_by_staff(
    *, status: str, eligibility_reason: str, target_group: str | None, set_aside_time_limit: bool
) -> Admission:
    """A staff decision (always with its reason, kept by the caller): a target group starts the
    clock from the decision; none offers guidance. The three-year limit is set aside only for a
    victim of trafficking, and only when the decision says so; a case already on its path, or
    closed for another reason, is not decided again here."""
    if set_aside_time_limit and target_group != "trafficking_victim":
        raise DecisionRefused("time_limit_set_aside_only_for_trafficking")
    if status not in DECIDABLE_STATUSES:
        raise DecisionRefused("target_group_already_decided")
    if status == "not_eligible" and eligibility_reason != "window_passed":
        raise DecisionRefused("target_group_already_decided")
    if status == "not_eligible" and not set_aside_time_limit:
        raise DecisionRefused("time_limit_passed")  # outside the window: only the set-aside opens it
    if target_group is None:
        if status == "guidance_offered":
            raise DecisionRefused("guidance_already_offered")
        return Admission("guidance", None, "staff_decision")
    if eligibility_reason == "window_passed" and not set_aside_time_limit:
        raise DecisionRefused("time_limit_passed")
    reason = "time_limit_set_aside" if set_aside_time_limit and eligibility_reason == "window_passed" else "staff_decision"
    return Admission("client", target_group, reason)
