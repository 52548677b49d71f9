"""The staff queue of clients who may be the same person registered twice."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends

from services.intake.dependencies import CaseStaff, Session
from services.intake.duplicates import service
from services.intake.duplicates.models import DuplicateDecision, DuplicateReviewRead
from shared.access import RecordRead, list_query, log_reads
from shared.auth import CurrentStaff
from shared.pagination import Page, PageParams
from shared.refusals import found

router = APIRouter(prefix="/api/v1", tags=["duplicate clients (municipal staff)"])


def review_records(review: DuplicateReviewRead) -> list[RecordRead]:
    """A review shows two clients: reading it is a read of both."""
    return [
        RecordRead(kind="duplicate_review", record_id=review.id, municipality_code=review.municipality_code,
                   client_id=person.client_id, case_id=person.case_id)
        for person in (review.client, review.earlier_client)
    ]


async def visible_duplicate_review(review_id: UUID, user: CurrentStaff, session: Session) -> DuplicateReviewRead:
    """The duplicate review of this id, if it is of one of the user's municipalities (else 404)."""
    return found(await service.get_duplicate_review(session, user=user, review_id=review_id), "review_not_found")


VisibleDuplicateReview = Annotated[DuplicateReviewRead, Depends(visible_duplicate_review)]


@router.get("/municipal/duplicate-reviews", response_model=Page[DuplicateReviewRead])
async def list_duplicate_reviews(
    user: CurrentStaff,
    session: Session,
    pagination: PageParams,
    status: Literal["open", "same_person", "different_people"] | None = None,
):
    """Clients who may be the same person registered twice (`status=open`: the queue). Each review
    listed is in the access log, as a read of both clients."""
    page = await service.list_duplicate_reviews(session, user=user, status=status, pagination=pagination)
    records = [record for review in page.items for record in review_records(review)]
    log_reads(session, service="intake", user=user, action="duplicate_reviews.list", records=records, query=list_query({"status": status}))
    await session.commit()
    return page


@router.get("/municipal/duplicate-reviews/{review_id}", response_model=DuplicateReviewRead)
async def get_duplicate_review(review: VisibleDuplicateReview, user: CurrentStaff, session: Session) -> DuplicateReviewRead:
    """One review, open or decided (in the access log as a read of both clients)."""
    log_reads(session, service="intake", user=user, action="duplicate_review.read", records=review_records(review))
    await session.commit()
    return review


@router.post("/municipal/duplicate-reviews/{review_id}/resolution", response_model=DuplicateReviewRead)
async def resolve_duplicate_review(
    user: CaseStaff, review: VisibleDuplicateReview, body: DuplicateDecision, session: Session
) -> DuplicateReviewRead:
    """`same_person` or `different_people`: recorded with who decided. Records are combined by
    staff in the client register, never silently here."""
    resolved = await service.resolve_duplicate_review(session, user=user, review_id=review.id, decision=body.decision)
    await session.commit()
    return resolved
