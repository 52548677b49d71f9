"""The content rules of the assessment's staff commands, its clock (the next reminder, passed
deadline or escalation), and what its interview parts and reminders are made of. Pure functions; the workflow's validators and handlers call them. Import-light:
the workflow sandbox imports this module."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from services.assessment.commands import CompleteAssessment, InterviewRecord
from services.assessment.records import AWAITING, SCHEDULED, AssessmentRecord
from shared.clock import end_of_day
from shared.contracts import AssessmentTimings
from shared.durable import at_reminder_time, refuse
from shared.policy import add_months

INTERVIEW_PARTS = tuple(InterviewRecord.model_fields)


def check_start_date(started_on: date | None, today: date, became_client_on: date) -> None:
    if started_on is not None and started_on > today:
        raise refuse("assessment_date_in_future", "the start date is in the future", 422, on=started_on.isoformat())
    if started_on is not None and started_on < became_client_on:
        raise refuse(
            "assessment_date_before_client", "the start date is before the client became a client", 422, on=started_on.isoformat()
        )


def check_completion(body: CompleteAssessment, today: date, started_on: date | None) -> None:
    if not body.plan_needed and body.plan_type is not None:
        raise refuse("plan_type_without_plan", "a plan type is given but no plan is needed", 422, plan_type=body.plan_type)
    if body.plan_type == "multi_sectoral" and not body.wellbeing_county_participant:
        raise refuse(
            "wellbeing_participant_missing",
            "a multi-sectoral plan needs the wellbeing services county's participant",
            422,
        )
    completed_on = body.completed_on or today
    if completed_on > today:
        raise refuse("assessment_date_in_future", "the completion date is in the future", 422, on=completed_on.isoformat())
    if started_on is not None and completed_on < started_on:
        raise refuse(
            "assessment_completed_before_start",
            "the completion date is before the assessment started",
            422,
            on=completed_on.isoformat(),
            started_on=started_on.isoformat(),
        )


def given_parts(body: InterviewRecord) -> list[str]:
    """The interview parts a command names (a part left out, or null, is left as it was)."""
    return [part for part in INTERVIEW_PARTS if getattr(body, part) is not None]


def interview_params(schedule: dict[str, Any]) -> dict[str, Any]:
    """What a reminder of the interview says of it."""
    return {
        "on": schedule.get("on"),
        "at": (schedule.get("at") or "")[:5],
        "place": schedule.get("place") or "",
        "remote": bool(schedule.get("remote")),
        "interpreter_language": schedule.get("interpreter_language") or "",
    }


def due_under(record: AssessmentRecord, assessment_start_months: int) -> date:
    """The start deadline a policy gives: months from the day the client became one."""
    return add_months(record.became_client_on, assessment_start_months)


def next_alarm(
    record: AssessmentRecord, timings: AssessmentTimings, *, sent: list[str], since: datetime, scheduled_at: datetime | None
) -> tuple[datetime, str] | None:
    """The next thing the clock must do, and its key, or None once the assessment has started."""
    if record.status not in (AWAITING, SCHEDULED):
        return None
    alarms: list[tuple[datetime, str]] = []
    if not record.overdue:
        alarms.append((end_of_day(record.due_on), "overdue"))
    elif not record.escalated:
        # Counted from the deadline: a case reported (or moved) late may escalate at once.
        alarms.append((end_of_day(record.due_on) + timedelta(days=timings.escalation_days), "escalate"))
    schedule = record.schedule
    interview_on = date.fromisoformat(schedule["on"]) if schedule else None
    if interview_on is None or interview_on > record.due_on:
        # The deadline reminders, unless an interview on or before the deadline is booked.
        for days in timings.reminder_days:
            moment, key = at_reminder_time(record.due_on - timedelta(days=days)), f"deadline-{days}"
            if key not in sent and moment > since and not record.overdue:
                alarms.append((moment, key))
    if interview_on is not None and scheduled_at is not None:
        moment = at_reminder_time(interview_on - timedelta(days=timings.interview_reminder_days))
        key = f"interview-{interview_on.isoformat()}"
        if key not in sent and moment > scheduled_at:
            alarms.append((moment, key))
    return min(alarms) if alarms else None
