"""Recruitment notices over HTTP: employers submit and follow their own (CONTRACT.md §2), the
destination municipality's staff read and acknowledge them. Thin: parse, authorise, call service.py."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from services.intake.dependencies import CaseStaff, IntakeContext, Session
from services.intake.employers.api import CurrentEmployer
from services.intake.notices import service
from services.intake.notices.models import NoticeCreate, NoticeRead, NoticeStatus, RecruitmentNotice, StaffNoticeRead
from services.intake.notices.workflows import notice_workflow_id
from services.intake.signals import WorkflowSignal, send_workflow_signals
from shared.access import RecordRead, list_query, log_reads
from shared.auth import CurrentStaff
from shared.http import Answer
from shared.pagination import Page, PageParams
from shared.ratelimit import limiter
from shared.refusals import found

router = APIRouter(prefix="/api/v1")
NOTICES, STAFF = ["recruitment notices"], ["recruitment notices (municipal staff)"]

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)]


async def body_hash(request: Request) -> str | None:
    return service.request_hash(await request.body())


BodyHash = Annotated[str | None, Depends(body_hash)]


async def employer_notice(notice_id: UUID, employer: CurrentEmployer, session: Session) -> RecruitmentNotice:
    """The notice of this id, if it is the calling employer's (else 404)."""
    return found(await service.get_employer_notice(session, employer=employer, notice_id=notice_id), "notice_not_found")


EmployerNotice = Annotated[RecruitmentNotice, Depends(employer_notice)]


async def visible_notice(notice_id: UUID, user: CurrentStaff, session: Session) -> StaffNoticeRead:
    """The notice of this id, if it is for one of the user's municipalities (else 404)."""
    return found(await service.get_staff_notice(session, user=user, notice_id=notice_id), "notice_not_found")


VisibleNotice = Annotated[StaffNoticeRead, Depends(visible_notice)]


def notice_record(notice: StaffNoticeRead) -> RecordRead:
    """A notice names its recruit: staff reading it is in the access log (the client, once arrived)."""
    return RecordRead(kind="recruitment_notice", record_id=notice.id, municipality_code=notice.destination_municipality_code,
                      client_id=notice.client_id, case_id=notice.case_id)


def submission_response(submission: service.Submission) -> JSONResponse:
    location = f"/api/v1/recruitment-notices/{submission.notice_id}"
    return JSONResponse(submission.response, status_code=201, headers={"Location": location})


async def first_answer(employer: CurrentEmployer, session: Session, body_hash: BodyHash, idempotency_key: IdempotencyKey = None) -> None:
    """A repeated Idempotency-Key is answered before the body is validated again."""
    if idempotency_key is None or body_hash is None:
        return
    earlier = await service.earlier_submission(session, employer=employer, idempotency_key=idempotency_key, body_hash=body_hash)
    if earlier is not None:
        raise Answer(submission_response(earlier))


@router.post("/recruitment-notices", status_code=201, response_model=NoticeRead, tags=NOTICES, dependencies=[Depends(first_answer)])
async def submit_notice(
    body: NoticeCreate,
    employer: CurrentEmployer,
    session: Session,
    ctx: IntakeContext,
    body_hash: BodyHash,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Tell the destination municipality about a recruit, with the recruit's consent. The same
    Idempotency-Key with the same body answers as the first time; with another body, 409. An
    employer may submit at most KOTOPOLKU_EMPLOYER_NOTICES_PER_HOUR notices an hour (429 beyond,
    with Retry-After)."""
    settings = ctx.settings
    limiter(ctx.resources, "employer_notices", settings.employer_notices_per_hour, 3600).check(str(employer.id), "too_many_notices")
    policy = ctx.policy.for_municipality(body.destination_municipality_code)
    for attempt in range(2):
        try:
            # The notice's workflow starts, and learns of any match, once this commits.
            submission = await service.submit_notice(
                session, employer=employer, body=body, body_hash=body_hash, idempotency_key=idempotency_key, policy=policy
            )
            send_workflow_signals(session, submission.outcome.signals)
            if not submission.replayed:
                await session.commit()
            break
        except IntegrityError:
            # A request at the same moment took the same Idempotency-Key (answer as it did) or
            # matched the same resident first: once more, from what is committed now.
            if attempt:
                raise
            await session.rollback()
            await session.refresh(employer)  # the rollback expired it
    return submission_response(submission)


@router.get("/recruitment-notices", response_model=Page[NoticeRead], tags=NOTICES)
async def list_notices(employer: CurrentEmployer, session: Session, pagination: PageParams, status: NoticeStatus | None = None):
    """The employer's own notices, newest first."""
    return await service.list_employer_notices(session, employer=employer, status=status, pagination=pagination)


@router.get("/recruitment-notices/{notice_id}", response_model=NoticeRead, tags=NOTICES)
async def get_notice(notice: EmployerNotice) -> NoticeRead:
    return service.notice_read(notice)


@router.post("/recruitment-notices/{notice_id}/withdrawal", response_model=NoticeRead, tags=NOTICES)
async def withdraw_notice(notice: EmployerNotice, session: Session) -> NoticeRead:
    """The recruit is not coming after all. Refused (409) once the notice arrived or expired."""
    notice = await service.withdraw_notice(session, notice=notice)
    send_workflow_signals(session, [WorkflowSignal(notice_workflow_id(notice.id), "withdrawn")])
    await session.commit()
    return service.notice_read(notice)


@router.get("/municipal/recruitment-notices", response_model=Page[StaffNoticeRead], tags=STAFF)
async def list_municipal_notices(
    user: CurrentStaff, session: Session, pagination: PageParams, status: NoticeStatus | None = None, municipality: str | None = None
):
    """Notices for the user's municipalities, soonest expected arrival first. Each notice listed is
    in the access log."""
    page = await service.list_staff_notices(session, user=user, status=status, municipality=municipality, pagination=pagination)
    log_reads(session, service="intake", user=user, action="recruitment_notices.list", records=map(notice_record, page.items),
              query=list_query({"status": status, "municipality": municipality}))
    await session.commit()
    return page


@router.get("/municipal/recruitment-notices/{notice_id}", response_model=StaffNoticeRead, tags=STAFF)
async def get_municipal_notice(notice: VisibleNotice, user: CurrentStaff, session: Session) -> StaffNoticeRead:
    log_reads(session, service="intake", user=user, action="recruitment_notice.read", records=[notice_record(notice)])
    await session.commit()
    return notice


@router.post("/municipal/recruitment-notices/{notice_id}/acknowledgement", response_model=StaffNoticeRead, tags=STAFF)
async def acknowledge_notice(user: CaseStaff, notice: VisibleNotice, session: Session) -> StaffNoticeRead:
    """The municipality has seen the notice (the employer sees `acknowledged`)."""
    await service.acknowledge_notice(session, user=user, notice_id=notice.id)
    await session.commit()
    return await service.get_staff_notice(session, user=user, notice_id=notice.id)
