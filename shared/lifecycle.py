"""How a case moves: one table `(stage, status, fact) -> (stage, status)`, and the deadlines each
fact opens and closes (documented in docs/case-statuses.md).

Workflows report *facts* (what happened: `assessment.completed.plan_needed`); intake applies this
table where the case's stage and status are written (`services/intake/service.py`), and the
workflows read the same table to know where the case now stands. A fact that does not fit the
case's state is refused with the reason. Each fact's code is also the `reason` a timeline entry
shows, in words from the catalogue (`dashboard.reason.<code>`), and names the domain event it
publishes (`FACT_EVENTS`).

Pure and import-light: the workflow sandbox imports it.
"""

from __future__ import annotations

from enum import StrEnum

from typing import Any

from shared.contracts import (
    ASSESSMENT_COMPLETED,
    ASSESSMENT_SCHEDULED,
    ASSESSMENT_STARTED,
    CASE_CLOSED,
    CLOSURE_STATUS,
    DEADLINE_ESCALATED,
    DEADLINE_PASSED,
    DEADLINE_REMINDED,
    PLAN_ENDED,
    PLAN_EXTENDED,
    PLAN_MADE,
    PLAN_REVIEWED,
    STATUSES_BY_STAGE,
    CaseStatus,
    ClosureReason,
    DeadlineKind,
    NotificationRequested,
    Stage,
)

S, C, D = Stage, CaseStatus, DeadlineKind


class Fact(StrEnum):
    """What happened to a case. The value is the code a timeline entry carries as its reason."""

    # intake
    path_opened = "path.opened"  # eligible: the path starts (the timeline shows the registration's event type)
    not_eligible = "not_eligible"
    # Who is owed an assessment (services/intake/identity.py): no statutory clock yet.
    triage_needed = "admission.triage_needed"  # unclear: the triage queue, with its own deadline
    guidance_offered = "admission.guidance_offered"  # in no target group: guidance, no clock
    triage_decision_missed = "deadline.triage_decision.missed"  # the triage queue's clock (intake/triage/)
    # assessment
    assessment_scheduled = "assessment.scheduled"
    assessment_rescheduled = "assessment.rescheduled"
    assessment_start_missed = "deadline.assessment_start.missed"
    assessment_started = "assessment.started"
    assessment_completed_plan_needed = "assessment.completed.plan_needed"
    assessment_completed_plan_not_needed = "assessment.completed.plan_not_needed"
    assessment_cancelled_moved_away = "assessment.cancelled.moved_away"
    assessment_reopened_moved_in = "assessment.reopened.moved_in"
    # A changed policy applied (`kotopolku policy apply`): the open deadline moves with its numbers;
    # one that had passed (staff told, perhaps the coordinator too) stays passed, its move on the timeline.
    policy_deadline_moved = "policy.deadline_moved"
    policy_passed_deadline_moved = "policy.passed_deadline_moved"
    # planning and follow-up
    plan_start_missed = "deadline.plan_start.missed"
    plan_made = "plan.made"
    plan_reviewed = "plan.reviewed"
    plan_extended = "plan.extended"
    plan_review_missed = "deadline.plan_review.missed"
    plan_referral_missed = "deadline.plan_referral.missed"
    plan_end_passed = "deadline.plan_end.passed"
    measure_added = "plan.measure_added"
    measure_updated = "plan.measure_updated"
    service_reported = "service.reported"
    # closure (CONTRACT §5), one fact per reason
    closed_employed = "case.closed.employed"
    closed_studying = "case.closed.studying"
    closed_moved_away = "case.closed.moved_away"
    closed_time_limit = "case.closed.time_limit"
    closed_declined = "case.closed.declined"
    closed_other = "case.closed.other"


def closure_fact(reason: ClosureReason) -> Fact:
    return Fact(f"case.closed.{reason.value}")


ASSESSMENT_OPEN = STATUSES_BY_STAGE[S.assessment]
FOLLOW_UP = STATUSES_BY_STAGE[S.follow_up]
OPEN_STAGES = (S.assessment, S.planning, S.follow_up)


def _stay(stage: Stage, statuses: tuple[CaseStatus, ...], fact: Fact) -> dict:
    """A fact put on the timeline that leaves stage and status as they are."""
    return {(stage, status, fact): (stage, status) for status in statuses}


# The table. A row missing is a refusal: the fact does not fit that state.
TRANSITIONS: dict[tuple[Stage, CaseStatus, Fact], tuple[Stage, CaseStatus]] = {
    (S.intake, C.received, Fact.path_opened): (S.assessment, C.awaiting_assessment),
    (S.intake, C.received, Fact.not_eligible): (S.closed, C.not_eligible),
    (S.intake, C.received, Fact.triage_needed): (S.intake, C.needs_triage),
    (S.intake, C.received, Fact.guidance_offered): (S.intake, C.guidance_offered),
    (S.intake, C.needs_triage, Fact.guidance_offered): (S.intake, C.guidance_offered),  # staff decided: no target group
    # Who is owed an assessment (services/intake/identity.py): the path opens later for a case
    # offered guidance or triaged once staff decide or the client asks, and for a victim of
    # trafficking past the window once staff set the limit aside.
    (S.intake, C.needs_triage, Fact.path_opened): (S.assessment, C.awaiting_assessment),
    (S.intake, C.guidance_offered, Fact.path_opened): (S.assessment, C.awaiting_assessment),
    (S.closed, C.not_eligible, Fact.path_opened): (S.assessment, C.awaiting_assessment),
    # A passed triage deadline is on the timeline; the case waits in the queue for the decision.
    (S.intake, C.needs_triage, Fact.triage_decision_missed): (S.intake, C.needs_triage),
    # Booking the interview; a passed deadline stays visible until the assessment starts.
    (S.assessment, C.awaiting_assessment, Fact.assessment_scheduled): (S.assessment, C.assessment_scheduled),
    (S.assessment, C.assessment_scheduled, Fact.assessment_scheduled): (S.assessment, C.assessment_scheduled),
    (S.assessment, C.assessment_overdue, Fact.assessment_scheduled): (S.assessment, C.assessment_overdue),
    (S.assessment, C.awaiting_assessment, Fact.assessment_rescheduled): (S.assessment, C.assessment_scheduled),
    (S.assessment, C.assessment_scheduled, Fact.assessment_rescheduled): (S.assessment, C.assessment_scheduled),
    (S.assessment, C.assessment_overdue, Fact.assessment_rescheduled): (S.assessment, C.assessment_overdue),
    (S.assessment, C.awaiting_assessment, Fact.assessment_start_missed): (S.assessment, C.assessment_overdue),
    (S.assessment, C.assessment_scheduled, Fact.assessment_start_missed): (S.assessment, C.assessment_overdue),
    (S.assessment, C.awaiting_assessment, Fact.assessment_started): (S.assessment, C.assessment_in_progress),
    (S.assessment, C.assessment_scheduled, Fact.assessment_started): (S.assessment, C.assessment_in_progress),
    (S.assessment, C.assessment_overdue, Fact.assessment_started): (S.assessment, C.assessment_in_progress),
    (S.assessment, C.assessment_in_progress, Fact.assessment_completed_plan_needed): (S.planning, C.awaiting_plan),
    (S.assessment, C.assessment_in_progress, Fact.assessment_completed_plan_not_needed): (S.closed, C.plan_not_needed),
    # A move cancels the assessment where the client lived and re-opens it where they live now.
    **_stay(S.assessment, ASSESSMENT_OPEN, Fact.assessment_cancelled_moved_away),
    **{(S.assessment, status, Fact.assessment_reopened_moved_in): (S.assessment, C.awaiting_assessment) for status in ASSESSMENT_OPEN},
    # A policy change moves the deadline; stage and status stay (a passed one is not un-escalated).
    **_stay(S.assessment, ASSESSMENT_OPEN, Fact.policy_deadline_moved),
    **_stay(S.assessment, ASSESSMENT_OPEN, Fact.policy_passed_deadline_moved),
    **_stay(S.planning, STATUSES_BY_STAGE[S.planning], Fact.policy_deadline_moved),
    **_stay(S.planning, STATUSES_BY_STAGE[S.planning], Fact.policy_passed_deadline_moved),
    **_stay(S.follow_up, FOLLOW_UP, Fact.policy_deadline_moved),
    **_stay(S.follow_up, FOLLOW_UP, Fact.policy_passed_deadline_moved),
    **_stay(S.intake, (C.needs_triage,), Fact.policy_deadline_moved),
    **_stay(S.intake, (C.needs_triage,), Fact.policy_passed_deadline_moved),
    (S.planning, C.awaiting_plan, Fact.plan_start_missed): (S.planning, C.plan_overdue),
    (S.planning, C.awaiting_plan, Fact.plan_made): (S.follow_up, C.plan_active),
    (S.planning, C.plan_overdue, Fact.plan_made): (S.follow_up, C.plan_active),
    # A review sets the next review, an extension the plan's end: a passed one of them is met again.
    (S.follow_up, C.plan_active, Fact.plan_reviewed): (S.follow_up, C.plan_active),
    (S.follow_up, C.review_overdue, Fact.plan_reviewed): (S.follow_up, C.plan_active),
    (S.follow_up, C.plan_expired, Fact.plan_reviewed): (S.follow_up, C.plan_expired),
    (S.follow_up, C.plan_active, Fact.plan_extended): (S.follow_up, C.plan_active),
    (S.follow_up, C.review_overdue, Fact.plan_extended): (S.follow_up, C.review_overdue),
    (S.follow_up, C.plan_expired, Fact.plan_extended): (S.follow_up, C.plan_active),
    (S.follow_up, C.plan_active, Fact.plan_review_missed): (S.follow_up, C.review_overdue),
    # A review due while the case is already overdue or expired is on the timeline only.
    (S.follow_up, C.review_overdue, Fact.plan_review_missed): (S.follow_up, C.review_overdue),
    (S.follow_up, C.plan_expired, Fact.plan_review_missed): (S.follow_up, C.plan_expired),
    (S.follow_up, C.plan_active, Fact.plan_end_passed): (S.follow_up, C.plan_expired),
    (S.follow_up, C.review_overdue, Fact.plan_end_passed): (S.follow_up, C.plan_expired),
    **_stay(S.follow_up, FOLLOW_UP, Fact.plan_referral_missed),
    **_stay(S.follow_up, FOLLOW_UP, Fact.measure_added),
    **_stay(S.follow_up, FOLLOW_UP, Fact.measure_updated),
    # Providers may report before the plan is made (kept until a measure of theirs is added).
    **_stay(S.planning, STATUSES_BY_STAGE[S.planning], Fact.service_reported),
    **_stay(S.follow_up, FOLLOW_UP, Fact.service_reported),
    # Closure: a path that has begun closes from any open status, with the status of its reason;
    # so does a case offered guidance or waiting for triage (intake closes it: no path to tell).
    **{
        (stage, status, closure_fact(reason)): (S.closed, closed)
        for reason, closed in CLOSURE_STATUS.items()
        for stage, statuses in ((S.intake, (C.needs_triage, C.guidance_offered)), *((stage, STATUSES_BY_STAGE[stage]) for stage in OPEN_STAGES))
        for status in statuses
    },
}

# The deadlines a fact opens (due dates the workflow works out from policy) and closes.
OPENS: dict[Fact, tuple[DeadlineKind, ...]] = {
    Fact.triage_needed: (D.triage_decision,),
    Fact.path_opened: (D.assessment_start,),
    Fact.assessment_reopened_moved_in: (D.assessment_start,),
    Fact.assessment_completed_plan_needed: (D.plan_start,),
    Fact.plan_made: (D.plan_referral, D.plan_review, D.plan_end),
    Fact.plan_reviewed: (D.plan_review,),
    Fact.plan_extended: (D.plan_end,),
}
CLOSES: dict[Fact, tuple[DeadlineKind, ...]] = {
    Fact.guidance_offered: (D.triage_decision,),
    Fact.path_opened: (D.triage_decision,),
    Fact.assessment_started: (D.assessment_start,),
    Fact.assessment_completed_plan_needed: (D.assessment_start,),
    Fact.plan_made: (D.plan_start,),
    # A referral meets plan_referral: closed by the measure facts when one is referred (workflow decides).
    **{fact: tuple(D) for fact in Fact if fact.value.startswith("case.closed.") or fact in (Fact.not_eligible, Fact.assessment_completed_plan_not_needed)},
}


class FactRefused(ValueError):
    """The fact does not fit the case's state; the message says why."""


def move(stage: Stage, status: CaseStatus, fact: Fact) -> tuple[Stage, CaseStatus]:
    """Where the case is after `fact`; FactRefused when the fact does not fit where it is."""
    target = TRANSITIONS.get((stage, status, fact))
    if target is not None:
        return target
    if stage == S.closed:
        raise FactRefused(f"the case is closed ({status}): {fact} no longer applies")
    allowed = sorted({f.value for (s, st, f) in TRANSITIONS if (s, st) == (stage, status)})
    raise FactRefused(f"a case in {stage}/{status} cannot take {fact}; it can take: {', '.join(allowed) or 'nothing'}")


def moves() -> set[tuple[tuple[Stage, CaseStatus], tuple[Stage, CaseStatus]]]:
    """Every (from, to) pair the table allows (for changes reported without a fact)."""
    return {((stage, status), target) for (stage, status, _), target in TRANSITIONS.items() if (stage, status) != target}




# --- the domain events a fact publishes (CONTRACT §3; payloads in shared.contracts) -------------

ONE_EVENT: dict[Fact, str] = {
    Fact.assessment_scheduled: ASSESSMENT_SCHEDULED,
    Fact.assessment_rescheduled: ASSESSMENT_SCHEDULED,
    Fact.assessment_started: ASSESSMENT_STARTED,
    Fact.assessment_completed_plan_needed: ASSESSMENT_COMPLETED,
    Fact.assessment_completed_plan_not_needed: ASSESSMENT_COMPLETED,
    Fact.plan_made: PLAN_MADE,
    Fact.plan_reviewed: PLAN_REVIEWED,
    Fact.plan_extended: PLAN_EXTENDED,
}
MISSED: dict[Fact, DeadlineKind] = {
    Fact.triage_decision_missed: DeadlineKind.triage_decision,
    Fact.assessment_start_missed: DeadlineKind.assessment_start,
    Fact.plan_start_missed: DeadlineKind.plan_start,
    Fact.plan_review_missed: DeadlineKind.plan_review,
    Fact.plan_referral_missed: DeadlineKind.plan_referral,
    Fact.plan_end_passed: DeadlineKind.plan_end,
}
MISSED_FACT: dict[DeadlineKind, Fact] = {kind: fact for fact, kind in MISSED.items()}
MEASURE_STATUSES = ("referred", "started", "completed", "interrupted")  # each has its event


def domain_events(fact: Fact, before: Stage, details: dict[str, Any], today: str) -> list[tuple[str, dict[str, Any]]]:
    """The events `fact` publishes, as (type, data without the case's ids). `before`: the stage
    the case was in; `today`: the day it happened (ISO) where the details do not say. Measures
    that a plan or its review referred, started or ended (`details["measures"]`) follow the
    fact's own event, each as its measure event."""
    details = dict(details)
    measures = [measure_event(measure) for measure in details.pop("measures", [])]
    return _own_events(fact, before, details, today) + [event for event in measures if event is not None]


def measure_event(details: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """measure.<status>.v1 for a measure now referred, started, completed or interrupted."""
    status = details.get("status")
    if status not in MEASURE_STATUSES:
        return None
    return f"fi.kotopolku.measure.{status}.v1", {key: value for key, value in details.items() if key != "status"}


def _own_events(fact: Fact, before: Stage, details: dict[str, Any], today: str) -> list[tuple[str, dict[str, Any]]]:
    if fact in ONE_EVENT:
        events = [(ONE_EVENT[fact], dict(details))]
        if fact == Fact.assessment_completed_plan_not_needed:
            events.append((CASE_CLOSED, {"reason": "plan_not_needed", "closed_on": details.get("completed_on", today)}))
        return events
    if fact in MISSED:
        return [(DEADLINE_PASSED, {"kind": MISSED[fact].value, **details})]
    if fact in (Fact.measure_added, Fact.measure_updated, Fact.service_reported):
        event = measure_event(details)
        return [event] if event else []
    if fact == Fact.not_eligible:
        return [(CASE_CLOSED, {"reason": "not_eligible", "closed_on": today})]
    if fact.value.startswith("case.closed."):
        reason = fact.value.removeprefix("case.closed.")
        closed_on = details.get("closed_on", today)
        events = [(PLAN_ENDED, {"reason": reason, "ended_on": closed_on})] if before == Stage.follow_up else []
        return events + [(CASE_CLOSED, {"reason": reason, "closed_on": closed_on})]
    return []


def reason_text(fact: Fact, text: str | None = None) -> str:
    """A timeline entry's reason: the fact's code (the dashboard shows its words from the
    catalogue), then what staff wrote or what it was about, after `: `."""
    return f"{fact.value}: {text}" if text else fact.value


REMINDERS = ("assessment_deadline_reminder", "plan_deadline_reminder")  # notification kinds


def deadline_event(request: NotificationRequested) -> tuple[str, dict[str, Any]] | None:
    """The domain event of a notification about a case's deadline: staff reminded before it
    (`deadline.reminded`), or the coordinators told that a passed one is still not met
    (`deadline.escalated`; its passing is the fact's own `deadline.passed`). None for the others."""
    params = request.params
    if "deadline_kind" not in params or "due_on" not in params:
        return None
    deadline = {"kind": params["deadline_kind"], "due_on": params["due_on"]}
    if request.kind in REMINDERS:
        return DEADLINE_REMINDED, {**deadline, "days_before": params.get("days")}
    if request.kind == "deadline_missed" and request.recipient_role == "coordinator":
        return DEADLINE_ESCALATED, deadline
    return None
