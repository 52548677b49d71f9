"""Domain policy as data: statutory deadlines with per-municipality overrides.

Workflows receive the numbers they need in their input (computed here, outside the sandbox), so a
policy change applies to new paths as the processes start with the new file. Running paths follow
a change when it is applied (`kotopolku policy apply`, docs/policy.md): each policy has a version
(a hash of its numbers, with its name and the day it takes effect), and the deadlines it moves are
worked out here (`deadline_moves`), the same for the preview (`policy diff`) and the change.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import tomllib
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts import AssessmentTimings, DeadlineKind, PlanTimings

DEFAULT_POLICY_FILE = Path(__file__).with_name("policy.toml")
# What a policy file says about itself, not a number a deadline runs by.
META = ("label", "effective_from")


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    eligibility_window_years: int
    assessment_start_months: int
    triage_decision_days: int
    assessment_reminder_days: tuple[int, ...]
    assessment_interview_reminder_days: int
    assessment_escalation_days: int
    assessment_correction_days: int
    plan_start_days: int
    plan_services_referral_months: int
    first_plan_max_months: int
    plans_total_max_months: int
    plan_extension_beyond_total_max_months: int
    plan_review_months: int
    plan_reminder_days: tuple[int, ...]
    plan_escalation_days: int
    referral_answer_days: int
    civic_orientation_min_hours: int
    integration_training_target_cefr: str
    notice_reminder_days: int
    notice_grace_days: int
    client_link_days: int = Field(default=14, ge=1)
    young_people_below_age: int = Field(default=30, ge=1)
    figures_smallest_cell: int = Field(ge=1)
    # The version of the policy book this came from (PolicyBook.version): what its deadlines name.
    version: str = Field(default="", exclude=True)


class PolicyBook:
    """The default policy and each municipality's overrides, under one version: the first 12 hex
    digits of a SHA-256 of the numbers (comments and layout do not change it), its name and the
    day it takes effect."""

    def __init__(self, defaults: dict, overrides: dict[str, dict]) -> None:
        meta = {key: defaults[key] for key in META if key in defaults}
        numbers = {key: value for key, value in defaults.items() if key not in META}
        content = {"defaults": numbers, "municipalities": overrides, **meta}
        canonical = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
        self.version = hashlib.sha256(canonical.encode()).hexdigest()[:12]
        self.label: str | None = meta.get("label")
        effective_from = meta.get("effective_from")
        self.effective_from: date | None = date.fromisoformat(str(effective_from)) if effective_from else None
        self.content = json.loads(canonical)
        self.default = Policy(**numbers, version=self.version)
        self._by_municipality = {code: Policy(**{**numbers, **values}, version=self.version) for code, values in overrides.items()}

    def for_municipality(self, code: str) -> Policy:
        return self._by_municipality.get(code, self.default)


@cache
def load_policy(override_file: Path | None = None) -> PolicyBook:
    return read_policy(override_file)


def read_policy(override_file: Path | None = None) -> PolicyBook:
    """The defaults with `override_file`'s settings over them (not cached: a new file to compare).
    Raises tomllib.TOMLDecodeError or pydantic's ValidationError for a file that is not a policy."""
    defaults = tomllib.loads(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    overrides: dict[str, dict] = {}
    if override_file is not None:
        data = tomllib.loads(Path(override_file).read_text(encoding="utf-8"))
        overrides = data.pop("municipalities", {})
        defaults = {**defaults, **data}
    return PolicyBook(defaults, overrides)


def add_months(day: date, months: int) -> date:
    """Calendar months; the 31st becomes the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


def assessment_timings(policy: Policy) -> AssessmentTimings:
    """The numbers an assessment runs by, for the workflow's input (and a move's signal)."""
    return AssessmentTimings(
        reminder_days=sorted(policy.assessment_reminder_days, reverse=True),
        escalation_days=policy.assessment_escalation_days,
        interview_reminder_days=policy.assessment_interview_reminder_days,
        plan_start_days=policy.plan_start_days,
        correction_days=policy.assessment_correction_days,
    )


def plan_timings(policy: Policy) -> PlanTimings:
    """The numbers a plan runs by, for the plan workflow's input."""
    return PlanTimings(
        plan_start_days=policy.plan_start_days,
        referral_months=policy.plan_services_referral_months,
        review_months=policy.plan_review_months,
        first_plan_max_months=policy.first_plan_max_months,
        plans_total_max_months=policy.plans_total_max_months,
        extension_beyond_total_max_months=policy.plan_extension_beyond_total_max_months,
        reminder_days=sorted(policy.plan_reminder_days, reverse=True),
        escalation_days=policy.plan_escalation_days,
        referral_answer_days=policy.referral_answer_days,
        civic_orientation_min_hours=policy.civic_orientation_min_hours,
        policy_version=policy.version or None,
    )


# --- when the policy changes: which open deadlines move ------------------------------------------


class OpenDeadline(BaseModel):
    """An open deadline as the service that keeps it has it: what its date was worked out from
    (`basis_on`: the day the client became one for `assessment_start`, the completed assessment for
    `plan_start`, the day the case was put in the queue for `triage_decision`)."""

    case_id: str
    municipality_code: str
    kind: DeadlineKind
    due_on: date
    basis_on: date
    policy_version: str | None = None  # the version it came from (None: before versions were kept)
    passed: bool = False  # the caseworker has been told it passed


class DeadlineMove(BaseModel):
    """An open deadline the new policy moves: from when to when, and whether it had passed."""

    case_id: str
    municipality_code: str
    kind: DeadlineKind
    due_on: date
    moves_to: date
    from_version: str | None = None
    passed: bool = False


def due_under(kind: DeadlineKind, basis_on: date, policy: Policy) -> date | None:
    """The deadline `policy` gives from its basis; None for a kind worked out otherwise (a plan's
    referral, review and end follow the plan's own dates and decisions)."""
    if kind == DeadlineKind.assessment_start:
        return add_months(basis_on, policy.assessment_start_months)
    if kind == DeadlineKind.plan_start:
        return add_days(basis_on, policy.plan_start_days)
    if kind == DeadlineKind.triage_decision:
        return add_days(basis_on, policy.triage_decision_days)
    return None


def deadline_moves(deadlines: list[OpenDeadline], book: PolicyBook) -> list[DeadlineMove]:
    """The deadlines that `book` moves (each by its municipality's policy), nearest first."""
    moves = []
    for deadline in deadlines:
        moves_to = due_under(deadline.kind, deadline.basis_on, book.for_municipality(deadline.municipality_code))
        if moves_to is not None and moves_to != deadline.due_on:
            moves.append(DeadlineMove(
                case_id=deadline.case_id, municipality_code=deadline.municipality_code, kind=deadline.kind, due_on=deadline.due_on,
                moves_to=moves_to, from_version=deadline.policy_version, passed=deadline.passed,
            ))
    return sorted(moves, key=lambda move: (move.due_on, move.municipality_code, move.case_id))
