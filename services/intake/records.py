"""What the client's path workflow starts from and keeps: its input (built by intake when the path
opens) and its state (the `state` query). Plain pydantic models, no tables: the workflow imports
this module passed through the sandbox, so the models are built once per process instead of once
per workflow run (which cost a quarter of the event loop in a burst of registrations)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

from pydantic import BaseModel

from services.intake.notices.matching.records import NoticeMatch
from shared.contracts import AssessmentInput, CaseStatus, Deadline, PlanTimings, Stage


class ClientPathInput(BaseModel):
    client_id: UUID
    case_id: UUID
    municipality_code: str
    reason: str  # the event type that opened the path
    assessment_due_on: date
    assessment_overdue_at: datetime  # the moment the deadline has passed (start of the next day, Finnish time)
    coordinator_escalation_after: timedelta
    # The assessment child workflow's input; None in paths recorded before the assessment had its
    # own workflow (they keep their own assessment timer).
    assessment: AssessmentInput | None = None
    # The plan child workflow's numbers; None in paths recorded before the plan had its own workflow.
    plan: PlanTimings | None = None
    client_languages: list[str] = []  # native and preferred languages (civic orientation's language)
    # The client's interpreter need as recorded when the path opened (staff changes arrive by the
    # `language_needs` signal): the plan's referrals and reviews tell it.
    interpreter_language: str | None = None
    interpreter_dialect: str | None = None
    # Intake moved the case into the assessment stage in the transaction that started the path, so
    # the path does not report its opening back; False in paths started before (they report it).
    opened: bool = False
    # Intake started the assessment beside the path, in the same transaction: two workflows, neither
    # the other's child. The path waits for the assessment's outcome signal; it starts no child
    # (the Temporal server's CPU time per client fell by a quarter to a third, docs/benchmarks.md). False
    # in paths started before, which start their assessment as a child.
    assessment_beside: bool = False


class PathState(BaseModel):
    stage: Stage
    status: CaseStatus
    next_deadline: Deadline | None = None
    escalations: list[str] = []
    employment: NoticeMatch | None = None  # from a matched recruitment notice
