"""Recruitment notices: submission (with its Idempotency-Key), withdrawal, acknowledgement,
expiry, and what employers and staff read. Status moves go through notices/state.py; matching a
notice to a registered resident is notices/matching/."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.employers.models import Employer, EmployerSummary
from services.intake.models import ReviewPerson
from services.intake.notices.matching.models import CaseEmployment
from services.intake.notices.matching.service import MatchOutcome, match_clients_for_notice
from services.intake.notices.models import (
    NoticeCreate,
    NoticeIdempotencyKey,
    NoticeRead,
    NoticeStatus,
    Preparations,
    RecruitmentNotice,
    StaffNoticeRead,
)
from services.intake.notices.state import OPEN_NOTICE_STATUSES, locked_notice, move_notice, publish_notice_updated
from services.intake.notices.workflows import NOTICE_WORKFLOW, NoticeInput, NoticeOutcome, notice_workflow_id
from services.intake.staff_lists import filtered
from shared.auth import StaffUser, scoped
from shared.clock import FINNISH_TIME, end_of_day, now
from shared.contracts import from_record, task_queue
from shared.durable import at_reminder_time
from shared.pagination import Page, Pagination, paginate
from shared.policy import Policy
from shared.refusals import Conflict
from shared.workflow_commands import start_workflow


class IdempotencyKeyReused(Conflict):
    """The employer used the Idempotency-Key before, with a different body."""

    def __init__(self) -> None:
        super().__init__("idempotency_key_reused")


@dataclass
class Submission:
    notice_id: uuid.UUID
    response: dict  # the answer to the employer (the same again for a repeated Idempotency-Key)
    replayed: bool
    outcome: MatchOutcome = field(default_factory=MatchOutcome)


def children_ages(arrival: date, birth_years: list[int]) -> list[int]:
    """Ages reached in the year of arrival, oldest first (school starts the year a child turns 7)."""
    return sorted((arrival.year - year for year in birth_years), reverse=True)


def preparations_for(expected_arrival_on: date, family: dict) -> Preparations:
    ages = children_ages(expected_arrival_on, family.get("children_birth_years", []))
    return Preparations(
        daycare_ages=[age for age in ages if age < 7],
        school_ages=[age for age in ages if 7 <= age <= 17],
        adults=family.get("adults", 1),
    )


def notice_read(notice: RecruitmentNotice) -> NoticeRead:
    """What the employer sees: what it sent and the status, nothing about the registered person."""
    return NoticeRead(
        id=notice.id, status=notice.status, created_at=notice.created_at, updated_at=notice.updated_at, **notice.submission
    )


def notice_for_employer(notice: RecruitmentNotice) -> dict:
    """The employer's view as JSON (kept as the first answer to an Idempotency-Key)."""
    return notice_read(notice).model_dump(mode="json")


def notice_for_staff(notice: RecruitmentNotice, employer: Employer, case_id: uuid.UUID | None) -> StaffNoticeRead:
    return StaffNoticeRead(
        id=notice.id,
        status=notice.status,
        created_at=notice.created_at,
        updated_at=notice.updated_at,
        **notice.submission,
        employer=from_record(EmployerSummary, employer),
        preparations=preparations_for(notice.expected_arrival_on, notice.submission["family"]),
        acknowledged_at=notice.acknowledged_at,
        acknowledged_by=notice.acknowledged_by,
        client_id=notice.client_id,
        case_id=case_id,
    )


def notice_details(notice: RecruitmentNotice, employer: Employer, policy: Policy) -> dict:
    """What the notifications about a notice say (rendered in fi/sv/en by the notifications service)."""
    preparations = preparations_for(notice.expected_arrival_on, notice.submission["family"])
    return {
        "notice_id": str(notice.id),
        "employer": employer.name,
        "job_title": notice.submission["employment"]["job_title"],
        "recruit": f"{notice.given_names} {notice.family_name}",
        "expected_arrival_on": notice.expected_arrival_on.isoformat(),
        "adults": preparations.adults,
        "children_ages": children_ages(notice.expected_arrival_on, notice.submission["family"]["children_birth_years"]),
        "daycare_ages": preparations.daycare_ages,
        "school_ages": preparations.school_ages,
        "grace_days": policy.notice_grace_days,
    }


def notice_workflow_input(notice: RecruitmentNotice, employer: Employer, policy: Policy) -> NoticeInput:
    """The notice workflow's input: its moments come from the destination municipality's policy."""
    arrival = notice.expected_arrival_on
    return NoticeInput(
        notice_id=notice.id,
        municipality_code=notice.municipality_code,
        remind_at=at_reminder_time(arrival - timedelta(days=policy.notice_reminder_days)),
        # Expires when the last day of the grace period is over.
        expire_at=end_of_day(arrival + timedelta(days=policy.notice_grace_days)),
        details=notice_details(notice, employer, policy),
    )


def request_hash(raw_body: bytes) -> str | None:
    """The body as sent, in canonical JSON: what "the same body" means for an Idempotency-Key.
    None when it is not JSON at all (validation answers it)."""
    try:
        canonical = json.dumps(json.loads(raw_body), sort_keys=True, separators=(",", ":"))
    except ValueError:
        return None
    return hashlib.sha256(canonical.encode()).hexdigest()


async def earlier_submission(
    session: AsyncSession, *, employer: Employer, idempotency_key: str, body_hash: str
) -> Submission | None:
    """The first answer to this Idempotency-Key when the body is the same; IdempotencyKeyReused
    when it is not; None for a new key. Asked before the body is validated, so that the first
    answer stands even when the same body would no longer be accepted today."""
    earlier = await session.get(NoticeIdempotencyKey, (employer.id, idempotency_key))
    if earlier is None:
        return None
    if not hmac.compare_digest(earlier.request_hash, body_hash):
        raise IdempotencyKeyReused()
    return Submission(earlier.notice_id, earlier.response, replayed=True)


async def submit_notice(
    session: AsyncSession,
    *,
    employer: Employer,
    body: NoticeCreate,
    idempotency_key: str | None,
    policy: Policy,
    body_hash: str | None = None,  # request_hash of the body as sent; needed with an Idempotency-Key
) -> Submission:
    """Record a notice, start its workflow (once this commits) and match the notice against
    residents already registered; the caller sends `outcome.signals` and commits. A repeated Idempotency-Key with the same body gives the first answer (nothing
    is started); with another body, IdempotencyKeyReused. A request at the same moment with the
    same key makes the flush fail (IntegrityError): the caller then asks again."""
    if idempotency_key is not None:
        earlier = await earlier_submission(session, employer=employer, idempotency_key=idempotency_key, body_hash=body_hash)
        if earlier is not None:
            return earlier

    submitted_at = now()
    notice = RecruitmentNotice(
        id=uuid.uuid4(),
        employer_id=employer.id,
        municipality_code=body.destination_municipality_code,
        status=NoticeStatus.received,
        # The recruit as matching compares people, as columns.
        **from_record(ReviewPerson, body.recruit).model_dump(),
        expected_arrival_on=body.expected_arrival_on,
        submission=body.model_dump(mode="json"),
        created_at=submitted_at,
        updated_at=submitted_at,
    )
    session.add(notice)
    start_workflow(
        session, NOTICE_WORKFLOW, notice_workflow_input(notice, employer, policy),
        id=notice_workflow_id(notice.id), task_queue=task_queue("intake"),
    )
    await session.flush()
    remembered = None
    if idempotency_key is not None:
        remembered = NoticeIdempotencyKey(
            employer_id=employer.id, key=idempotency_key, request_hash=body_hash, notice_id=notice.id, response={},
            created_at=submitted_at,
        )
        session.add(remembered)
        await session.flush()  # a request at the same moment with the same key fails here
    publish_notice_updated(session, notice, "recruitment_notice.received")

    # Notice after registration: residents registered recently, without a notice, are candidates.
    registered_since = submitted_at.astimezone(FINNISH_TIME).date() - timedelta(days=policy.notice_grace_days)
    outcome = await match_clients_for_notice(session, notice, registered_since=registered_since)
    response = notice_for_employer(notice)
    if remembered is not None:
        remembered.response = response
        session.add(remembered)
    return Submission(notice.id, response, replayed=False, outcome=outcome)


async def withdraw_notice(session: AsyncSession, *, notice: RecruitmentNotice) -> RecruitmentNotice:
    """The employer withdraws its notice. The caller signals the workflow `withdrawn` before committing."""
    notice = await locked_notice(session, notice.id)
    await move_notice(session, notice, NoticeStatus.withdrawn, "recruitment_notice.withdrawn")
    return notice


async def acknowledge_notice(session: AsyncSession, *, user: StaffUser, notice_id: uuid.UUID) -> RecruitmentNotice:
    """The destination municipality's staff saw the notice (a database change only)."""
    notice = await locked_notice(session, notice_id)
    await move_notice(session, notice, NoticeStatus.acknowledged, "recruitment_notice.acknowledged")
    notice.acknowledged_at, notice.acknowledged_by = notice.updated_at, user.name or user.sub
    return notice


async def _notice_outcome(session: AsyncSession, notice: RecruitmentNotice) -> NoticeOutcome:
    case_id = None
    if notice.client_id is not None:
        employment = (await session.exec(select(CaseEmployment).where(CaseEmployment.notice_id == notice.id))).first()
        case_id = employment.case_id if employment else None
    return NoticeOutcome(status=notice.status, client_id=notice.client_id, case_id=case_id)


async def expire_notice(session: AsyncSession, notice_id: uuid.UUID) -> NoticeOutcome:
    """The grace period passed: an open notice expires; one that ended otherwise stays as it is."""
    notice = await locked_notice(session, notice_id)
    if notice is None:
        raise LookupError(f"recruitment notice {notice_id} is not recorded")
    if notice.status in OPEN_NOTICE_STATUSES:
        await move_notice(session, notice, NoticeStatus.expired, "recruitment_notice.expired")
    return await _notice_outcome(session, notice)


async def notice_recorded(session: AsyncSession, notice_id: uuid.UUID) -> bool:
    return await session.get(RecruitmentNotice, notice_id) is not None


async def settled_notice_status(session: AsyncSession, notice_id: uuid.UUID) -> NoticeOutcome | None:
    """How the notice ended, or None while it is still open in the database."""
    notice = await session.get(RecruitmentNotice, notice_id)
    if notice is None or notice.status in OPEN_NOTICE_STATUSES:
        return None
    return await _notice_outcome(session, notice)


async def get_employer_notice(session: AsyncSession, *, employer: Employer, notice_id: uuid.UUID) -> RecruitmentNotice | None:
    query = select(RecruitmentNotice).where(RecruitmentNotice.id == notice_id, RecruitmentNotice.employer_id == employer.id)
    return (await session.exec(query)).first()


async def list_employer_notices(
    session: AsyncSession, *, employer: Employer, status: NoticeStatus | None, pagination: Pagination
) -> Page[NoticeRead]:
    """The employer's own notices, newest first."""
    query = select(RecruitmentNotice).where(RecruitmentNotice.employer_id == employer.id)
    if status is not None:
        query = query.where(RecruitmentNotice.status == status)
    query = query.order_by(RecruitmentNotice.created_at.desc(), RecruitmentNotice.id)
    return await paginate(session, query, pagination, notice_read)


def _staff_notices(user: StaffUser):
    query = (
        select(RecruitmentNotice, Employer, CaseEmployment.case_id)
        .join(Employer, Employer.id == RecruitmentNotice.employer_id)
        .outerjoin(CaseEmployment, CaseEmployment.notice_id == RecruitmentNotice.id)
    )
    return scoped(query, RecruitmentNotice.municipality_code, user)


async def list_staff_notices(
    session: AsyncSession, *, user: StaffUser, status: NoticeStatus | None, municipality: str | None, pagination: Pagination
) -> Page[StaffNoticeRead]:
    """The notices for the user's municipalities, soonest arrival first."""
    query = filtered(_staff_notices(user), RecruitmentNotice, status=status, municipality=municipality)
    query = query.order_by(RecruitmentNotice.expected_arrival_on, RecruitmentNotice.created_at, RecruitmentNotice.id)
    return await paginate(session, query, pagination, lambda row: notice_for_staff(*row))


async def get_staff_notice(session: AsyncSession, *, user: StaffUser, notice_id: uuid.UUID) -> StaffNoticeRead | None:
    row = (await session.exec(_staff_notices(user).where(RecruitmentNotice.id == notice_id))).first()
    return notice_for_staff(*row) if row else None
