"""The staff review queue of possible matches, and what a matched notice put on the case."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends

from services.intake.dependencies import CaseStaff, Session
from services.intake.notices.matching import service
from services.intake.notices.matching.models import CaseEmploymentRead, MatchReviewRead, ReviewDecision, ReviewStatus
from services.intake.signals import send_workflow_signals
from shared.access import RecordRead, list_query, log_reads
from shared.auth import CurrentStaff
from shared.pagination import Page, PageParams
from shared.refusals import found

router = APIRouter(prefix="/api/v1", tags=["recruitment notices (municipal staff)"])


def review_record(review: MatchReviewRead) -> RecordRead:
    return RecordRead(kind="match_review", record_id=review.id, municipality_code=review.municipality_code,
                      client_id=review.client_id, case_id=review.case_id)


async def visible_review(review_id: UUID, user: CurrentStaff, session: Session) -> MatchReviewRead:
    """The match review of this id, if it is of one of the user's municipalities (else 404)."""
    return found(await service.get_review(session, user=user, review_id=review_id), "review_not_found")


VisibleReview = Annotated[MatchReviewRead, Depends(visible_review)]


async def visible_case_employment(case_id: UUID, user: CurrentStaff, session: Session) -> CaseEmploymentRead:
    """What a matched notice told about the case's client, if the user may see the case (else 404)."""
    return found(await service.get_case_employment(session, user=user, case_id=case_id), "notice_not_found")


@router.get("/municipal/match-reviews", response_model=Page[MatchReviewRead])
async def list_match_reviews(
    user: CurrentStaff, session: Session, pagination: PageParams, status: ReviewStatus | None = None, municipality: str | None = None
):
    """Possible matches of a notice and a registered resident for staff to decide (`status=open`: the queue).
    Each review listed is in the access log."""
    page = await service.list_reviews(session, user=user, status=status, municipality=municipality, pagination=pagination)
    log_reads(session, service="intake", user=user, action="match_reviews.list", records=map(review_record, page.items),
              query=list_query({"status": status, "municipality": municipality}))
    await session.commit()
    return page


@router.get("/municipal/match-reviews/{review_id}", response_model=MatchReviewRead)
async def get_match_review(review: VisibleReview, user: CurrentStaff, session: Session) -> MatchReviewRead:
    log_reads(session, service="intake", user=user, action="match_review.read", records=[review_record(review)])
    await session.commit()
    return review


@router.post("/municipal/match-reviews/{review_id}/resolution", response_model=MatchReviewRead)
async def resolve_match_review(user: CaseStaff, review: VisibleReview, body: ReviewDecision, session: Session) -> MatchReviewRead:
    """`match`: the notice is this client (the notice arrives, the case gets its information);
    `reject`: different people."""
    outcome = await service.resolve_review(session, user=user, review_id=review.id, decision=body.decision)
    send_workflow_signals(session, outcome.signals)
    await session.commit()
    return await service.get_review(session, user=user, review_id=review.id)


@router.get("/municipal/cases/{case_id}/employment", response_model=CaseEmploymentRead)
async def get_case_employment(
    employment: Annotated[CaseEmploymentRead, Depends(visible_case_employment)], user: CurrentStaff, session: Session
) -> CaseEmploymentRead:
    """What the employer's notice told about the client's job and family."""
    record = RecordRead(kind="case_employment", record_id=employment.notice_id, municipality_code=employment.municipality_code,
                        client_id=employment.client_id, case_id=employment.case_id)
    log_reads(session, service="intake", user=user, action="case_employment.read", records=[record])
    await session.commit()
    return employment
