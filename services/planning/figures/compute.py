"""The plan figures from plain data: no database, no clock (unit-tested on lists of facts).

A plan counts in a period for what happened in it: `plans_made` by the plan's date, measures by
the day they started or were completed, language levels and civic-orientation hours by the
measure's completion, `plans_ended` by the day the plan ended. A period's figures stay the same
once it is over. The grouping and the CSV file are the assessment figures' too (shared/figures.py).
"""

from __future__ import annotations

from datetime import date
from statistics import median
from typing import Any, Iterable

from services.planning.figures.models import (
    END_REASONS, LANGUAGE_MEASURES, Grouping, MeasureFacts, MeasureFigures, MeasureGroupFigures, MeasureOfPlan, PlanFacts, PlanFigures,
    PlanGroupFigures,
)
from shared.figures import monthly_series, period_figures, share, within
from shared.figures_answer import figures_csv

__all__ = ["figures_csv", "figures_of", "level_rank", "measure_facts", "measure_figures", "measures_of", "plan_facts", "plan_figures", "plan_series", "reaches"]
CEFR_ORDER = ("A1.1", "A1.2", "A1.3", "A2.1", "A2.2", "B1.1", "B1.2", "B2.1", "B2.2", "C1.1", "C1.2", "C2")
STARTED = ("started", "completed", "interrupted")


def level_rank(level: str | None) -> int | None:
    """A CEFR level's place (A1.1 … C2); a main level alone (`B1`) is its first sub-level."""
    if not level:
        return None
    level = level.strip().upper()
    if level in CEFR_ORDER:
        return CEFR_ORDER.index(level)
    return next((index for index, known in enumerate(CEFR_ORDER) if known.startswith(level + ".") or known == level), None)


def reaches(level: str | None, target: str) -> bool:
    rank, goal = level_rank(level), level_rank(target)
    return rank is not None and goal is not None and rank >= goal


def measure_facts(measure: dict[str, Any]) -> MeasureFacts:
    """A measure of a stored plan record: its start and completion days from the providers'
    reports, else from its own dates once its status says so."""
    reports = measure.get("reports") or []
    started = sorted(r["on"] for r in reports if r.get("status") == "started" and r.get("on"))
    completed = sorted(r["on"] for r in reports if r.get("status") == "completed" and r.get("on"))
    interrupted = sorted(r["on"] for r in reports if r.get("status") == "interrupted" and r.get("on"))
    status = measure.get("status")
    started_on = started[0] if started else (measure.get("starts_on") if status in STARTED else None)
    if started_on is None and completed:
        started_on = completed[0]
    completed_on = completed[-1] if completed else (measure.get("ends_on") if status == "completed" else None)
    outcome = measure.get("outcome") or {}
    return MeasureFacts(
        kind=measure.get("kind") or "other",
        started_on=started_on,
        completed_on=completed_on if status == "completed" else None,
        interrupted_on=(interrupted[-1] if interrupted else measure.get("ends_on")) if status == "interrupted" else None,
        provider=measure.get("provider"),
        hours=measure.get("hours"),
        language=outcome.get("language") or measure.get("language"),
        cefr=outcome.get("cefr"),
        referred_on=measure.get("referred_on"),
    )


def plan_facts(record: dict[str, Any], language_target: str) -> PlanFacts:
    """The facts of a stored plan record (services/planning/workflows.py PlanRecord)."""
    reason = record.get("closure_reason") or (record.get("end_reason") if record.get("end_reason") == "time_limit" else None)
    return PlanFacts(
        municipality_code=record["municipality_code"],
        plan_start_due_on=record["plan_start_due_on"],
        plan_on=record.get("plan_on"),
        ended_on=record.get("ended_on"),
        end_reason=reason,
        residence_basis=record.get("residence_basis"),
        gender=record.get("gender"),
        native_language=record.get("native_language"),
        target_group=record.get("target_group"),
        client_groups=tuple(record["client_groups"]) if record.get("client_groups") is not None else None,
        birth_date=record.get("birth_date"),
        lead=record.get("lead"),
        interpreter_language=record.get("interpreter_language"),
        plan_type=record.get("type"),
        language_target=language_target,
        measures=tuple(measure_facts(m) for m in record.get("measures") or []),
    )


def _referral_waits(started: Iterable[MeasureFacts | MeasureOfPlan], count: str) -> dict[str, Any]:
    """Of measures started, those referred to their provider first (`count`), and the median days
    from the referral to the start."""
    waits = [(m.started_on - m.referred_on).days for m in started if m.referred_on and m.started_on and m.started_on >= m.referred_on]
    return {count: len(waits), "median_days_referral_to_start": float(median(waits)) if waits else None}


def figures_of(group: str, facts: Iterable[PlanFacts], period_from: date, period_to: date) -> PlanGroupFigures:
    facts = list(facts)
    made = [p for p in facts if within(p.plan_on, period_from, period_to)]
    in_time = sum(1 for p in made if p.plan_on <= p.plan_start_due_on)  # type: ignore[operator]
    started = [m for p in facts for m in p.measures if within(m.started_on, period_from, period_to)]
    completed = [(p, m) for p in facts for m in p.measures if within(m.completed_on, period_from, period_to)]
    civic = [m for _p, m in completed if m.kind == "civic_orientation"]
    levels = [(p, m) for p, m in completed if m.kind in LANGUAGE_MEASURES and m.cefr]
    reached = sum(1 for p, m in levels if reaches(m.cefr, p.language_target))
    ended = [p for p in facts if within(p.ended_on, period_from, period_to)]
    reasons = {reason: sum(1 for p in ended if (p.end_reason or "other") == reason) for reason in END_REASONS}
    return PlanGroupFigures(
        group=group,
        plans_made=len(made),
        made_within_deadline=in_time,
        share_made_within_deadline=share(in_time, len(made)),
        measures_started=len(started),
        measures_completed=len(completed),
        **_referral_waits(started, "measures_started_after_referral"),
        civic_orientation_completed=len(civic),
        civic_orientation_hours=float(sum(m.hours or 0 for m in civic)),
        language_levels_recorded=len(levels),
        reached_language_target=reached,
        share_reached_language_target=share(reached, len(levels)),
        plans_ended=len(ended),
        **{f"ended_{reason}": count for reason, count in reasons.items()},
    )


def _happened(row: PlanGroupFigures) -> bool:
    return bool(row.plans_made or row.measures_started or row.measures_completed or row.plans_ended)


def plan_figures(
    facts: Iterable[PlanFacts], *, period_from: date, period_to: date, by: Grouping, across: Grouping | None = None
) -> PlanFigures:
    """Per group (sorted by code, `unknown` last) and in total, and with `across` per cell of the
    two groupings; a group appears when something of it happened in the period."""
    return period_figures(
        PlanFigures, facts, period_from=period_from, period_to=period_to, by=by, across=across, figures_of=figures_of, happened=_happened
    )


# --- the measures, by kind and by provider --------------------------------------------------------


def measures_of(plans: Iterable[PlanFacts]) -> list[MeasureOfPlan]:
    """Each plan's measures, with the plan's groups (a measure counts where its plan counts)."""
    own = {"started_on", "completed_on", "interrupted_on", "hours", "referred_on", "measure_kind", "provider"}
    groups = set(MeasureOfPlan.model_fields) - own
    return [
        MeasureOfPlan(
            **plan.model_dump(include=groups), measure_kind=measure.kind, provider=measure.provider, started_on=measure.started_on,
            completed_on=measure.completed_on, interrupted_on=measure.interrupted_on, hours=measure.hours,
            referred_on=measure.referred_on,
        )
        for plan in plans
        for measure in plan.measures
    ]


def measure_figures_of(group: str, facts: Iterable[MeasureOfPlan], period_from: date, period_to: date) -> MeasureGroupFigures:
    facts = list(facts)
    started = [m for m in facts if within(m.started_on, period_from, period_to)]
    completed = [m for m in facts if within(m.completed_on, period_from, period_to)]
    return MeasureGroupFigures(
        group=group,
        started=len(started),
        completed=len(completed),
        interrupted=sum(1 for m in facts if within(m.interrupted_on, period_from, period_to)),
        hours_completed=float(sum(m.hours or 0 for m in completed)),
        **_referral_waits(started, "started_after_referral"),
    )


def _measure_happened(row: MeasureGroupFigures) -> bool:
    return bool(row.started or row.completed or row.interrupted)


def measure_figures(
    facts: Iterable[MeasureOfPlan], *, period_from: date, period_to: date, by: Grouping, across: Grouping | None = None
) -> MeasureFigures:
    """Measures started, completed and interrupted in the period, and the hours completed: per
    group (a measure kind, a provider, or a grouping of the clients) and in total."""
    return period_figures(
        MeasureFigures, facts, period_from=period_from, period_to=period_to, by=by, across=across,
        figures_of=measure_figures_of, happened=_measure_happened,
    )


def plan_series(facts: Iterable[PlanFacts], *, months: list[tuple[date, date]], by: Grouping) -> PlanFigures:
    """Month by month: per group and month, per group, per month and in total."""
    return monthly_series(PlanFigures, facts, months=months, by=by, figures_of=figures_of, happened=_happened)
