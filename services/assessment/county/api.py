"""The wellbeing services county's read-only view of a multi-sectoral assessment of its own
county (role `wellbeing_county`, docs/roles.md). Another county's assessment, or one that is not
multi-sectoral, answers 404; the county changes nothing here. The read is in the access log."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment.county import service
from shared.access import RecordRead, log_reads
from shared.auth import StaffUser, require_role
from shared.refusals import found
from shared.service import session_dependency

router = APIRouter(prefix="/api/v1/county/assessments", tags=["wellbeing services county"])

Session = Annotated[AsyncSession, Depends(session_dependency("assessment"))]
County = Annotated[StaffUser, require_role("wellbeing_county")]


@router.get("/{case_id}", summary="A multi-sectoral assessment of the county's municipalities (read-only)",
            responses={404: {"description": "No multi-sectoral assessment of the county's municipalities for the case"}})
async def get_county_assessment(case_id: UUID, user: County, session: Session) -> dict[str, Any]:
    assessment = found(await service.county_assessment(session, user=user, case_id=case_id), "assessment_not_found")
    record = RecordRead(kind="assessment", record_id=case_id, municipality_code=assessment.municipality_code,
                        client_id=assessment.client_id, case_id=case_id)
    log_reads(session, service="assessment", user=user, action="county.assessment.read", records=[record])
    await session.commit()
    return assessment.model_dump(mode="json", exclude={"actions"})
