"""The plan figures' schemas: plain facts per plan in, one row of figures per group out. The
groupings and the period's frame are the assessment figures' too (shared/figures.py)."""

from __future__ import annotations

from datetime import date

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from shared.figures import UNKNOWN, FigureRow, GroupedFacts, Grouping, PeriodFigures

__all__ = [
    "COLUMNS", "END_REASONS", "LANGUAGE_MEASURES", "UNKNOWN", "Grouping", "MeasureFacts", "MeasureFigures", "MeasureGroupFigures",
    "MeasureOfPlan", "PlanFacts", "PlanFigures", "PlanGroupFigures",
]

LANGUAGE_MEASURES = ("language_studies", "integration_training", "literacy_training")
END_REASONS = ("employed", "studying", "moved_away", "time_limit", "declined", "other")


class MeasureFacts(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str
    started_on: date | None = None  # the provider's first `started` report, else the measure's start once under way
    completed_on: date | None = None  # the provider's `completed` report, else the measure's end once completed
    interrupted_on: date | None = None  # the provider's `interrupted` report, else the measure's end once interrupted
    provider: str | None = None
    hours: float | None = None
    language: str | None = None
    cefr: str | None = None  # the level reached (outcome)
    referred_on: date | None = None  # when it was referred to its provider (kept since referrals are followed)


class PlanFacts(GroupedFacts):
    """What the figures need of one plan, besides what it is grouped by."""

    plan_start_due_on: date
    plan_on: date | None = None
    ended_on: date | None = None
    end_reason: str | None = None  # employed, studying, moved_away, time_limit, declined, other
    language_target: str = "B1.1"  # the policy's target level for the plan's municipality
    measures: tuple[MeasureFacts, ...] = ()


class PlanGroupFigures(FigureRow):
    # How the counts hang together: a whole and its parts (what the parts leave is worked out too)
    PARTS: ClassVar[dict[str, tuple[str, ...]]] = {
        "plans_made": ("made_within_deadline",),
        "measures_started": ("measures_started_after_referral",),
        "measures_completed": ("civic_orientation_completed", "language_levels_recorded"),
        "language_levels_recorded": ("reached_language_target",),
        "plans_ended": tuple(f"ended_{reason}" for reason in END_REASONS),
    }
    DERIVED: ClassVar[dict[str, tuple[str, ...]]] = {
        "share_made_within_deadline": ("plans_made", "made_within_deadline"),
        "civic_orientation_hours": ("civic_orientation_completed",),
        "median_days_referral_to_start": ("measures_started_after_referral",),
        "share_reached_language_target": ("language_levels_recorded", "reached_language_target"),
    }

    group: str = Field(description="the group's code (municipality, residence basis, gender, language or plan type; `unknown` when not reported); `all` for the total")
    plans_made: int | None = Field(description="plans drawn up (the plan's date) in the period")
    made_within_deadline: int | None = Field(description="of those, drawn up on or before their plan_start deadline")
    share_made_within_deadline: float | None = Field(description="made_within_deadline / plans_made, 0–1 (three decimals); null when none")
    measures_started: int | None = Field(description="measures started in the period")
    measures_completed: int | None = Field(description="measures completed in the period")
    measures_started_after_referral: int | None = Field(description="of the measures started in the period, those referred to their provider first (the day is known)")
    median_days_referral_to_start: float | None = Field(description="of those, the median days from the referral to the start; null when none")
    civic_orientation_completed: int | None = Field(description="civic-orientation measures completed in the period")
    civic_orientation_hours: float | None = Field(description="their hours")
    language_levels_recorded: int | None = Field(description="language measures (studies, integration training, literacy) completed in the period with the level reached")
    reached_language_target: int | None = Field(description="of those, at or above the policy's target level (default B1.1)")
    share_reached_language_target: float | None = Field(description="reached_language_target / language_levels_recorded; null when none")
    plans_ended: int | None = Field(description="plans ended in the period")
    ended_employed: int | None
    ended_studying: int | None
    ended_moved_away: int | None
    ended_time_limit: int | None
    ended_declined: int | None
    ended_other: int | None


class PlanFigures(PeriodFigures[PlanGroupFigures]):
    pass


COLUMNS = tuple(name for name in PlanGroupFigures.model_fields if name not in ("across", "hidden"))


class MeasureOfPlan(GroupedFacts):
    """One measure, grouped by its plan's groups and its own kind and provider."""

    started_on: date | None = None
    completed_on: date | None = None
    interrupted_on: date | None = None
    hours: float | None = None
    referred_on: date | None = None  # when it was referred to its provider


class MeasureGroupFigures(FigureRow):
    PARTS: ClassVar[dict[str, tuple[str, ...]]] = {"started": ("started_after_referral",)}
    DERIVED: ClassVar[dict[str, tuple[str, ...]]] = {
        "hours_completed": ("completed",), "median_days_referral_to_start": ("started_after_referral",),
    }

    group: str = Field(description="the group's code (a measure kind, a provider, or a client grouping's code; `unknown` when not given); `all` for the total")
    started: int | None = Field(description="measures started in the period (the provider's first `started` report, else the measure's start once under way)")
    completed: int | None = Field(description="measures completed in the period")
    interrupted: int | None = Field(description="measures interrupted in the period (the provider's `interrupted` report, else the measure's end once interrupted)")
    hours_completed: float | None = Field(description="the hours of the measures completed in the period")
    started_after_referral: int | None = Field(description="of the measures started in the period, those referred to their provider first (the day is known)")
    median_days_referral_to_start: float | None = Field(description="of those, the median days from the referral to the start; null when none")


class MeasureFigures(PeriodFigures[MeasureGroupFigures]):
    pass
