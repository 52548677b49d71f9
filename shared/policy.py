"""Domain policy as data: statutory deadlines with per-municipality overrides.

Workflows receive the numbers they need in their input (computed here, outside the sandbox), so a
policy change applies to new paths without touching running ones.
"""

from __future__ import annotations

import calendar
import tomllib
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts import AssessmentTimings, PlanTimings

DEFAULT_POLICY_FILE = Path(__file__).with_name("policy.toml")


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


class PolicyBook:
    """The default policy and each municipality's overrides."""

    def __init__(self, defaults: dict, overrides: dict[str, dict]) -> None:
        self.default = Policy(**defaults)
        self._by_municipality = {code: Policy(**{**defaults, **values}) for code, values in overrides.items()}

    def for_municipality(self, code: str) -> Policy:
        return self._by_municipality.get(code, self.default)


@cache
def load_policy(override_file: Path | None = None) -> PolicyBook:
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
    )
