"""The only writers of the assessment service's tables and outbox. Each function works inside the
caller's unit of work; every write is idempotent by id, as activities may run again."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment.models import Assessment, AssessmentCorrection
from services.assessment.records import AssessmentRecord, CorrectionRecord
from shared.clock import now
from shared.contracts import INTERNAL_EXCHANGE, NOTIFICATION_REQUESTED, NotificationRequested, service_source
from shared.messaging import publish

SOURCE = service_source("assessment")


async def save_assessment(session: AsyncSession, record: AssessmentRecord) -> Assessment:
    """Write the assessment as the workflow has it now (its workflow is the one writer of a row)."""
    values = record.model_dump(mode="json", exclude={"assessment_id"})
    values.update(
        case_id=record.case_id,
        client_id=record.client_id,
        became_client_on=record.became_client_on,
        due_on=record.due_on,
        started_on=record.started_on,
        completed_on=record.completed_on,
    )
    row = await session.get(Assessment, record.assessment_id)
    if row is None:
        row = Assessment(id=record.assessment_id, updated_at=now(), **values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now()
    session.add(row)
    return row


async def record_correction(session: AsyncSession, correction: CorrectionRecord) -> None:
    """A correction is a row of its own beside the assessment (who, when, why, what changed); the
    assessment then shows the corrected parts."""
    if await session.get(AssessmentCorrection, correction.correction_id) is None:
        session.add(
            AssessmentCorrection(
                id=correction.correction_id,
                assessment_id=correction.assessment_id,
                case_id=correction.case_id,
                corrected_by_sub=correction.corrected_by_sub,
                corrected_by_name=correction.corrected_by_name,
                corrected_at=correction.corrected_at,
                reason=correction.reason,
                changes=correction.changes,
            )
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
