"""The groups the integration projects reach (docs/client-groups.md): which of them a client is in.

Four are recorded on the client (from the registration, or a staff decision with its reason):
`stay_at_home_parents`, `disabled`, `unaccompanied_minors` (always with the guardian or
representative recorded) and `family_migrants`. `young_people` is never recorded: it is worked out
from the birth date on the day it is asked about, so nobody stays "young" past the limit. The
service map's entries name the same groups (services/planning/servicemap), with a few more that
the registration already says (`refugees`, `students`, …): `map_groups` gives those too.

Pure functions only: intake, planning and the figures all use them."""

from __future__ import annotations

from datetime import date
from typing import Iterable, Literal

# Recorded on the client; the order is the order they are shown in.
RecordedGroup = Literal["stay_at_home_parents", "disabled", "unaccompanied_minors", "family_migrants"]
RECORDED: tuple[str, ...] = RecordedGroup.__args__  # type: ignore[attr-defined]
YOUNG = "young_people"
GROUPS: tuple[str, ...] = (YOUNG, *RECORDED)  # every group the projects reach
NONE = "none"  # the figures' group of a client in none of them
GuardianRole = Literal["guardian", "representative"]  # huoltaja / edustaja (an unaccompanied minor's)

# A registration's residence basis that by itself says the client is a family migrant.
FAMILY_BASES = frozenset({"family"})
# What the registration says that the service map's own groups name (its ClientGroup values).
MAP_GROUPS_BY_BASIS = {
    "international_protection": "refugees", "quota_refugee": "refugees", "work": "work_migrants",
    "study": "students", "trafficking_victim": "trafficking_victims",
}


def young_below_age() -> int:
    """The age limit of young people: shared/policy.toml's default (one definition in the whole country)."""
    from shared.policy import load_policy  # read once (cached); workflows never call this

    return load_policy().default.young_people_below_age


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def is_young(birth_date: date | None, on: date, below_age: int) -> bool:
    """Young people: under `below_age` (shared/policy.toml `young_people_below_age`, 30 as in the
    youth guarantee and the projects' youth services, which end at 29) on the day `on`."""
    return birth_date is not None and age_on(birth_date, on) < below_age


def recorded_at_registration(*, stated: Iterable[str], residence_basis: str, target_group: str | None) -> list[str]:
    """The groups recorded from a registration: what the register states, and what its residence
    basis or target group says by itself (a `family` basis: a family migrant; the target group
    `unaccompanied_minor`: an unaccompanied minor)."""
    groups = set(stated)
    if residence_basis in FAMILY_BASES:
        groups.add("family_migrants")
    if target_group == "unaccompanied_minor":
        groups.add("unaccompanied_minors")
    return ordered(groups)


def ordered(groups: Iterable[str]) -> list[str]:
    """The recorded groups in their fixed order, each once (`young_people` is never recorded)."""
    given = set(groups)
    return [group for group in RECORDED if group in given]


def groups_on(recorded: Iterable[str] | None, birth_date: date | None, on: date, below_age: int) -> list[str]:
    """Every group the client is in on the day `on`: `young_people` first when young, then the recorded ones."""
    return ([YOUNG] if is_young(birth_date, on, below_age) else []) + ordered(recorded or ())


def map_groups(
    recorded: Iterable[str] | None, birth_date: date | None, on: date, below_age: int,
    *, residence_basis: str | None = None, target_group: str | None = None, jobseeker: bool = False,
) -> list[str]:
    """The client's groups in the service map's words: `groups_on`, and what the registration says
    (`refugees`, `work_migrants`, `students`, `trafficking_victims`, `jobseekers`, `children`)."""
    groups = groups_on(recorded, birth_date, on, below_age)
    extra = {MAP_GROUPS_BY_BASIS.get(residence_basis or "")}
    if target_group == "trafficking_victim":
        extra.add("trafficking_victims")
    if target_group == "international_protection":
        extra.add("refugees")
    if jobseeker or target_group == "jobseeker":
        extra.add("jobseekers")
    if birth_date is not None and age_on(birth_date, on) < 18:
        extra.add("children")
    return groups + sorted(group for group in extra if group and group not in groups)


def figure_group(recorded: Iterable[str] | None, birth_date: date | None, on: date, below_age: int) -> str | None:
    """The figures' group: the client's groups on `on` together (`young_people+family_migrants`), so
    that every client is counted once and the groups add up to the total; `none` for a client in
    none; None (`unknown`) when the groups were not recorded (paths begun before they were)."""
    if recorded is None:
        return None
    return "+".join(groups_on(recorded, birth_date, on, below_age)) or NONE
