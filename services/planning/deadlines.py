"""A plan's deadlines and the alarms they ring: which deadlines are open, the latest day plans may
run to, and the next reminder, passed deadline or escalation. Pure functions of the plan's record
and state; the workflow sleeps until the next alarm. Import-light: the workflow sandbox imports it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from services.planning.records import ACTIVE, AWAITING, EXPIRED, PlanRecord, PlanState
from shared.clock import end_of_day
from shared.contracts import Deadline, DeadlineKind, PlanTimings
from shared.durable import at_reminder_time
from shared.policy import add_days, add_months


def open_deadlines(record: PlanRecord) -> list[Deadline]:
    """Every open deadline of the plan, nearest first."""
    found: list[Deadline] = []
    if record.status == AWAITING:
        found.append(Deadline(kind=DeadlineKind.plan_start, due_on=record.plan_start_due_on))
    elif record.status in (ACTIVE, EXPIRED):
        if record.referral_met_on is None and record.referral_due_on is not None:
            found.append(Deadline(kind=DeadlineKind.plan_referral, due_on=record.referral_due_on))
        if record.review_due_on is not None:
            found.append(Deadline(kind=DeadlineKind.plan_review, due_on=record.review_due_on))
        if record.ends_on is not None:
            found.append(Deadline(kind=DeadlineKind.plan_end, due_on=record.ends_on))
    return sorted(found, key=lambda d: (d.due_on, d.kind.value))


# Where the record keeps each deadline's day.
DUE_FIELDS = {
    DeadlineKind.plan_start: "plan_start_due_on",
    DeadlineKind.plan_referral: "referral_due_on",
    DeadlineKind.plan_review: "review_due_on",
    DeadlineKind.plan_end: "ends_on",
}


def due_of(record: PlanRecord, kind: DeadlineKind) -> date | None:
    return getattr(record, DUE_FIELDS[kind])


def set_due(record: PlanRecord, kind: DeadlineKind, due_on: date) -> None:
    setattr(record, DUE_FIELDS[kind], due_on)


def policy_due(record: PlanRecord, timings: PlanTimings) -> dict[DeadlineKind, date]:
    """The open deadlines that come from the policy's numbers, as `timings` gives them (a changed
    policy moves them to these): the plan's start from the completed assessment, the referral
    from the plan. The next review comes no later than `review_months` after the last review (or
    the plan): a shorter number brings it earlier, a longer one leaves the date staff set. The
    plan's end is the plan's own decision, within the limits: the new limits apply to extensions
    and to the time limit, not to the end already decided."""
    due: dict[DeadlineKind, date] = {}
    if record.status == AWAITING:
        due[DeadlineKind.plan_start] = add_days(record.assessment_completed_on, timings.plan_start_days)
    elif record.status in (ACTIVE, EXPIRED) and record.plan_on is not None:
        if record.referral_met_on is None and record.referral_due_on is not None:
            due[DeadlineKind.plan_referral] = add_months(record.plan_on, timings.referral_months)
        if record.review_due_on is not None:
            last = record.reviews[-1].reviewed_on if record.reviews else record.plan_on
            due[DeadlineKind.plan_review] = min(record.review_due_on, add_months(last, timings.review_months))
    return due


def latest_end(record: PlanRecord, timings: PlanTimings) -> date | None:
    """The day all the client's plans together must end by (policy), from the first plan."""
    first = record.first_plan_on
    return add_months(first, timings.plans_total_max_months) if first else None


def next_referral_alarm(record: PlanRecord, state: PlanState, timings: PlanTimings) -> tuple[datetime, str] | None:
    """A measure referred to its provider with no report from the provider within policy
    `referral_answer_days` reminds the caseworker, once: the moment and its key
    ("referral:<referred_on>:<measure_id>"), or None."""
    if not timings.referral_answer_days or record.status not in (ACTIVE, EXPIRED):
        return None
    alarms = [
        (at_reminder_time(measure.referred_on + timedelta(days=timings.referral_answer_days)), key)
        for measure in record.measures
        if measure.status == "referred" and measure.referred_on is not None and not measure.reports
        and (key := f"referral:{measure.referred_on.isoformat()}:{measure.measure_id}") not in state.sent
    ]
    return min(alarms) if alarms else None


def latest_extended_end(record: PlanRecord, timings: PlanTimings) -> date | None:
    """The furthest an extension decided beyond the total may reach (the policy's own cap)."""
    latest = latest_end(record, timings)
    return add_months(latest, timings.extension_beyond_total_max_months) if latest else None


def at_time_limit(record: PlanRecord, timings: PlanTimings, due_on: date) -> bool:
    """A plan_end on or after the total of all plans (or beyond it, by a decision): the plans end."""
    latest = latest_end(record, timings)
    return latest is not None and due_on >= latest


def next_alarm(record: PlanRecord, state: PlanState, timings: PlanTimings) -> tuple[datetime, str] | None:
    """The next moment something is due, and its key ("<kind>:<due_on>:<what>"), or None."""
    alarms: list[tuple[datetime, str]] = []
    for deadline in open_deadlines(record):
        prefix = f"{deadline.kind.value}:{deadline.due_on.isoformat()}"
        overdue = f"{prefix}:overdue"
        if overdue not in state.sent:
            alarms.append((end_of_day(deadline.due_on), overdue))
            set_at = state.set_at.get(deadline.kind.value)
            for days in timings.reminder_days:
                key = f"{prefix}:reminder-{days}"
                moment = at_reminder_time(deadline.due_on - timedelta(days=days))
                if key not in state.sent and (set_at is None or moment > set_at):
                    alarms.append((moment, key))
        elif f"{prefix}:escalate" not in state.sent and not (
            deadline.kind == DeadlineKind.plan_end and at_time_limit(record, timings, deadline.due_on)
        ):
            alarms.append((end_of_day(deadline.due_on) + timedelta(days=timings.escalation_days), f"{prefix}:escalate"))
    return min(alarms) if alarms else None
