"""The only writers of the assessment service's tables and outbox. Each function works inside the
caller's unit of work; every write is idempotent by id, as activities may run again."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment.models import Assessment, AssessmentCorrection
from services.assessment.records import AssessmentRecord, CorrectionRecord
from shared import lifecycle
from shared.clock import FINNISH_TIME, now
from shared.contracts import ASSESSMENT_CORRECTED, INTERNAL_EXCHANGE, NOTIFICATION_REQUESTED, NotificationRequested, service_source
from shared.domain_events import publish_domain_event
from shared.messaging import publish
from shared.rows import put_row

SOURCE = service_source("assessment")


# The record's ids and dates go to their columns as they are; the rest in its JSON form.
TYPED_COLUMNS = {"case_id", "client_id", "became_client_on", "due_on", "started_on", "completed_on", "birth_date"}


async def save_assessment(session: AsyncSession, record: AssessmentRecord) -> None:
    """Write the assessment as the workflow has it now (its workflow is the one writer of a row)."""
    values = {**record.model_dump(mode="json", exclude={"assessment_id"}), **record.model_dump(include=TYPED_COLUMNS)}
    await put_row(session, Assessment, id=record.assessment_id, updated_at=now(), **values)


async def record_correction(session: AsyncSession, correction: CorrectionRecord) -> None:
    """A correction is a row of its own beside the assessment (who, when, why, what changed); the
    assessment then shows the corrected parts."""
    if await session.get(AssessmentCorrection, correction.correction_id) is None:
        row = correction.model_dump(exclude={"correction_id", "assessment"})
        session.add(AssessmentCorrection(id=correction.correction_id, **row))
        publish_domain_event(
            session, source=SOURCE, case_id=correction.case_id, client_id=correction.assessment.client_id,
            municipality_code=correction.assessment.municipality_code, event_type=ASSESSMENT_CORRECTED,
            data={"corrected_on": correction.corrected_at.astimezone(FINNISH_TIME).date(), "parts": sorted(correction.changes)},
        )
    await save_assessment(session, correction.assessment)


def request_notification(session: AsyncSession, request: NotificationRequested) -> None:
    """Ask the notifications service to tell staff (it decides how); leaves with the commit."""
    publish(
        session,
        type=NOTIFICATION_REQUESTED,
        source=SOURCE,
        data=request,
        exchange=INTERNAL_EXCHANGE,
        subject=str(request.case_id or request.municipality_code),
    )
    deadline_event = lifecycle.deadline_event(request)  # a reminder or an escalation of the start deadline
    if deadline_event is not None and request.case_id and request.client_id and request.municipality_code:
        event_type, data = deadline_event
        publish_domain_event(session, source=SOURCE, case_id=request.case_id, client_id=request.client_id,
                             municipality_code=request.municipality_code, event_type=event_type, data=data)
