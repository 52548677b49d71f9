"""Intake's HTTP routes. Thin: parse, authorise, call service.py."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from sqlalchemy.exc import IntegrityError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from services.intake import service
from services.intake.models import (
    CaseEmploymentRead,
    DuplicateDecision,
    DuplicateReviewPage,
    DuplicateReviewRead,
    Employer,
    MatchReviewPage,
    MatchReviewRead,
    NoticeCreate,
    NoticePage,
    NoticeRead,
    NoticeStatus,
    ReviewDecision,
    ReviewStatus,
    StaffNoticePage,
    StaffNoticeRead,
)
from services.intake.workflows import NoticeInput, RecruitmentNoticeWorkflow, notice_workflow_id
from shared.auth import CurrentStaff
from shared.contracts import task_queue
from shared.http import Answer, ApiError, Page, PageSize
from shared.service import ServiceContext


def build_router(ctx: ServiceContext) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["intake"])
    return router


# --- recruitment notices: employers (CONTRACT.md §2) and the destination municipality's staff ---

API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="The employer's key, from `kotopolku employers create`")


@contextmanager
def temporal_required():
    """Temporal unreachable: nothing is committed, and the caller may simply try again."""
    try:
        yield
    except RPCError as error:
        raise ApiError(503, "dependency_down", parts=f"Temporal ({error.status.name if error.status else 'unavailable'})") from None


@contextmanager
def refused_transitions():
    try:
        yield
    except service.NoticeTransitionRefused as refused:
        raise ApiError(409, f"notice_already_{refused.current}") from None


def submission_response(submission: service.Submission) -> JSONResponse:
    location = f"/api/v1/recruitment-notices/{submission.notice_id}"
    return JSONResponse(submission.response, status_code=201, headers={"Location": location})


def build_notice_router(ctx: ServiceContext) -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    notices, staff = ["recruitment notices"], ["recruitment notices (municipal staff)"]

    async def current_employer(key: Annotated[str | None, Depends(API_KEY)]) -> Employer:
        if not key:
            raise ApiError(401, "api_key_missing")
        async with ctx.db.session() as session:
            employer = await service.employer_for_api_key(session, key)
        if employer is None:
            raise ApiError(401, "api_key_invalid")
        return employer

    # (A plain default, not an Annotated alias: annotations are strings here, resolved at module level.)
    employer_key = Depends(current_employer)

    async def body_hash(request: Request) -> str | None:
        return service.request_hash(await request.body())

    async def first_answer(
        employer: Employer = employer_key,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)] = None,
        body_hash: str | None = Depends(body_hash),
    ) -> None:
        """A repeated Idempotency-Key is answered before the body is validated again."""
        if idempotency_key is None or body_hash is None:
            return
        async with ctx.db.session() as session:
            try:
                earlier = await service.earlier_submission(
                    session, employer=employer, idempotency_key=idempotency_key, body_hash=body_hash
                )
            except service.IdempotencyKeyReused:
                raise ApiError(409, "idempotency_key_reused") from None
        if earlier is not None:
            raise Answer(submission_response(earlier))

    @router.post(
        "/recruitment-notices", status_code=201, response_model=NoticeRead, tags=notices, dependencies=[Depends(first_answer)]
    )
    async def submit_notice(
        body: NoticeCreate,
        employer: Employer = employer_key,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)] = None,
        body_hash: str = Depends(body_hash),
    ) -> JSONResponse:
        """Tell the destination municipality about a recruit, with the recruit's consent. The same
        Idempotency-Key with the same body answers as the first time; with another body, 409."""
        policy = ctx.policy.for_municipality(body.destination_municipality_code)
        temporal = ctx.require_temporal()

        async def start_workflow(notice: NoticeInput) -> None:
            await temporal.start_workflow(
                RecruitmentNoticeWorkflow.run,
                notice,
                id=notice_workflow_id(notice.notice_id),
                task_queue=task_queue("intake"),
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            )

        for attempt in range(2):
            try:
                async with ctx.db.session() as session:
                    # The workflow is started, and told of any match, before the commit: a failure
                    # leaves nothing behind that could be lost.
                    with temporal_required():
                        submission = await service.submit_notice(
                            session, employer=employer, body=body, body_hash=body_hash, idempotency_key=idempotency_key,
                            policy=policy, start_workflow=start_workflow,
                        )
                        await service.send_workflow_signals(temporal, submission.outcome.signals)
                    if not submission.replayed:
                        await session.commit()
                break
            except service.IdempotencyKeyReused:
                raise ApiError(409, "idempotency_key_reused") from None
            except IntegrityError:
                # A request at the same moment took the same Idempotency-Key (answer as it did) or
                # matched the same resident first: once more, from what is committed now.
                if attempt:
                    raise
        return submission_response(submission)

    @router.get("/recruitment-notices", response_model=NoticePage, tags=notices)
    async def list_notices(
        employer: Employer = employer_key, status: NoticeStatus | None = None, page: Page = 1, page_size: PageSize = 50
    ) -> NoticePage:
        """The employer's own notices, newest first."""
        async with ctx.db.session() as session:
            rows, total = await service.list_employer_notices(session, employer=employer, status=status, page=page, page_size=page_size)
        return NoticePage(items=[service.notice_for_employer(row) for row in rows], total=total, page=page, page_size=page_size)

    @router.get("/recruitment-notices/{notice_id}", response_model=NoticeRead, tags=notices)
    async def get_notice(notice_id: UUID, employer: Employer = employer_key) -> dict:
        async with ctx.db.session() as session:
            notice = await service.get_employer_notice(session, employer=employer, notice_id=notice_id)
        if notice is None:
            raise ApiError(404, "notice_not_found")
        return service.notice_for_employer(notice)

    @router.post("/recruitment-notices/{notice_id}/withdrawal", response_model=NoticeRead, tags=notices)
    async def withdraw_notice(notice_id: UUID, employer: Employer = employer_key) -> dict:
        """The recruit is not coming after all. Refused (409) once the notice arrived or expired."""
        async with ctx.db.session() as session:
            with refused_transitions():
                notice = await service.withdraw_notice(session, employer=employer, notice_id=notice_id)
            if notice is None:
                raise ApiError(404, "notice_not_found")
            with temporal_required():
                signal = service.WorkflowSignal(notice_workflow_id(notice.id), "withdrawn")
                await service.send_workflow_signals(ctx.require_temporal(), [signal])
            await session.commit()
        return service.notice_for_employer(notice)

    @router.get("/municipal/recruitment-notices", response_model=StaffNoticePage, tags=staff)
    async def list_municipal_notices(
        user: CurrentStaff,
        status: NoticeStatus | None = None,
        municipality: str | None = None,
        page: Page = 1,
        page_size: PageSize = 50,
    ) -> StaffNoticePage:
        """Notices for the user's municipalities, soonest expected arrival first."""
        async with ctx.db.session() as session:
            items, total = await service.list_staff_notices(
                session, user=user, status=status, municipality=municipality, page=page, page_size=page_size
            )
        return StaffNoticePage(items=items, total=total, page=page, page_size=page_size)

    @router.get("/municipal/recruitment-notices/{notice_id}", response_model=StaffNoticeRead, tags=staff)
    async def get_municipal_notice(notice_id: UUID, user: CurrentStaff) -> StaffNoticeRead:
        async with ctx.db.session() as session:
            notice = await service.get_staff_notice(session, user=user, notice_id=notice_id)
        if notice is None:
            raise ApiError(404, "notice_not_found")
        return notice

    @router.post("/municipal/recruitment-notices/{notice_id}/acknowledgement", response_model=StaffNoticeRead, tags=staff)
    async def acknowledge_notice(notice_id: UUID, user: CurrentStaff) -> StaffNoticeRead:
        """The municipality has seen the notice (the employer sees `acknowledged`)."""
        async with ctx.db.session() as session:
            with refused_transitions():
                notice = await service.acknowledge_notice(session, user=user, notice_id=notice_id)
            if notice is None:
                raise ApiError(404, "notice_not_found")
            await session.commit()
            return await service.get_staff_notice(session, user=user, notice_id=notice_id)

    @router.get("/municipal/match-reviews", response_model=MatchReviewPage, tags=staff)
    async def list_match_reviews(
        user: CurrentStaff,
        status: ReviewStatus | None = None,
        municipality: str | None = None,
        page: Page = 1,
        page_size: PageSize = 50,
    ) -> MatchReviewPage:
        """Possible matches of a notice and a registered resident for staff to decide (`status=open`: the queue)."""
        async with ctx.db.session() as session:
            items, total = await service.list_reviews(
                session, user=user, status=status, municipality=municipality, page=page, page_size=page_size
            )
        return MatchReviewPage(items=items, total=total, page=page, page_size=page_size)

    @router.get("/municipal/match-reviews/{review_id}", response_model=MatchReviewRead, tags=staff)
    async def get_match_review(review_id: UUID, user: CurrentStaff) -> MatchReviewRead:
        async with ctx.db.session() as session:
            review = await service.get_review(session, user=user, review_id=review_id)
        if review is None:
            raise ApiError(404, "review_not_found")
        return review

    @router.post("/municipal/match-reviews/{review_id}/resolution", response_model=MatchReviewRead, tags=staff)
    async def resolve_match_review(review_id: UUID, body: ReviewDecision, user: CurrentStaff) -> MatchReviewRead:
        """`match`: the notice is this client (the notice arrives, the case gets its information);
        `reject`: different people."""
        async with ctx.db.session() as session:
            try:
                outcome = await service.resolve_review(session, user=user, review_id=review_id, decision=body.decision)
            except service.ReviewRefused as refused:
                raise ApiError(409, refused.code) from None
            if outcome is None:
                raise ApiError(404, "review_not_found")
            with temporal_required():
                await service.send_workflow_signals(ctx.require_temporal(), outcome.signals)
            await session.commit()
            return await service.get_review(session, user=user, review_id=review_id)

    @router.get("/municipal/duplicate-reviews", response_model=DuplicateReviewPage, tags=staff)
    async def list_duplicate_reviews(
        user: CurrentStaff,
        status: Literal["open", "same_person", "different_people"] | None = None,
        page: Page = 1,
        page_size: PageSize = 50,
    ) -> DuplicateReviewPage:
        """Clients who may be the same person registered twice (`status=open`: the queue)."""
        async with ctx.db.session() as session:
            items, total = await service.list_duplicate_reviews(session, user=user, status=status, page=page, page_size=page_size)
        return DuplicateReviewPage(items=items, total=total, page=page, page_size=page_size)

    @router.post("/municipal/duplicate-reviews/{review_id}/resolution", response_model=DuplicateReviewRead, tags=staff)
    async def resolve_duplicate_review(review_id: UUID, body: DuplicateDecision, user: CurrentStaff) -> DuplicateReviewRead:
        """`same_person` or `different_people`: recorded with who decided. Records are combined by
        staff in the client register, never silently here."""
        async with ctx.db.session() as session:
            try:
                review = await service.resolve_duplicate_review(session, user=user, review_id=review_id, decision=body.decision)
            except service.DuplicateReviewRefused as refused:
                raise ApiError(409, refused.code) from None
            if review is None:
                raise ApiError(404, "review_not_found")
            await session.commit()
        return review

    @router.get("/municipal/cases/{case_id}/employment", response_model=CaseEmploymentRead, tags=staff)
    async def get_case_employment(case_id: UUID, user: CurrentStaff) -> CaseEmploymentRead:
        """What the employer's notice told about the client's job and family."""
        async with ctx.db.session() as session:
            employment = await service.get_case_employment(session, user=user, case_id=case_id)
        if employment is None:
            raise ApiError(404, "notice_not_found")
        return employment

    return router
