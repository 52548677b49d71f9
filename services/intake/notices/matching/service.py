"""Matching a recruitment notice to a registered resident, and the staff review queue.

Names are compared normalised (case, diacritics, order and hyphens don't matter), with the birth
date and nationality (identity.match_people). A pair is matched automatically only when it is
the one exact match seen from both sides when the resident registers after the notice; a notice
that fits someone already registered, and anything less clear, goes to staff: never a guess."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.employers.models import Employer, EmployerSummary
from services.intake.identity import PersonKey, birth_dates_like, match_people
from services.intake.models import Client, ClientCase, ReviewPerson
from services.intake.notices.matching.models import (
    AUTOMATIC,
    CaseEmployment,
    CaseEmploymentRead,
    MatchReview,
    MatchReviewRead,
    ReviewStatus,
)
from services.intake.notices.matching.records import NoticeMatch
from services.intake.notices.models import FamilyFields, NoticeStatus, RecruitmentNotice
from services.intake.notices.state import OPEN_NOTICE_STATUSES, locked_notice, move_notice, supersede_reviews
from services.intake.notices.workflows import notice_workflow_id
from services.intake.outbox import notify
from services.intake.service import case_of
from services.intake.signals import WorkflowSignal
from services.intake.staff_lists import filtered
from shared.auth import StaffUser, scoped
from shared.clock import now
from shared.contracts import from_record
from shared.pagination import Page, Pagination, paginate
from shared.refusals import Conflict, NotFound


@dataclass
class MatchOutcome:
    """What matching did: one clear match (`matched`), reviews opened for staff, or nothing."""

    matched: tuple[uuid.UUID, uuid.UUID] | None = None  # (notice id, client id)
    reviews: list[uuid.UUID] = field(default_factory=list)
    signals: list[WorkflowSignal] = field(default_factory=list)

    @property
    def result(self) -> Literal["matched", "review", "none"]:
        return "matched" if self.matched else "review" if self.reviews else "none"


async def _open_notices_like(session: AsyncSession, municipality_code: str, birth_date: date) -> list[RecruitmentNotice]:
    query = select(RecruitmentNotice).where(
        RecruitmentNotice.municipality_code == municipality_code,
        RecruitmentNotice.status.in_(OPEN_NOTICE_STATUSES),
        RecruitmentNotice.birth_date.in_(birth_dates_like(birth_date)),
    )
    return list(await session.exec(query.order_by(RecruitmentNotice.created_at)))


async def _unmatched_clients_like(
    session: AsyncSession, municipality_code: str, birth_date: date, *, registered_since: date | None
) -> list[Client]:
    """Eligible clients of the municipality with no notice on their case yet."""
    query = select(Client).where(
        Client.municipality_code == municipality_code,
        Client.eligible.is_(True),
        Client.birth_date.in_(birth_dates_like(birth_date)),
        Client.id.not_in(select(CaseEmployment.client_id)),
    )
    if registered_since is not None:
        query = query.where(Client.registered_on >= registered_since)
    return list(await session.exec(query.order_by(Client.created_at)))


Candidate = tuple[RecruitmentNotice, Client, str]  # (notice, client, "exact" | "partial")


async def match_notices_for_client(session: AsyncSession, client: Client, *, just_recorded: bool = False) -> MatchOutcome:
    """Registration after the notice: match a newly registered resident to the open notices of
    the municipality. The caller sends `outcome.signals` (after starting the client's path).
    `just_recorded`: the client was recorded in this transaction, so no notice is on their case yet."""
    if not just_recorded and (await session.exec(select(CaseEmployment).where(CaseEmployment.client_id == client.id))).first() is not None:
        return MatchOutcome()
    person = PersonKey.of_record(client)
    candidates: list[Candidate] = []
    for notice in await _open_notices_like(session, client.municipality_code, client.birth_date):
        similarity = match_people(PersonKey.of_record(notice), person)
        if similarity != "none":
            candidates.append((notice, client, similarity))
    exact = [candidate for candidate in candidates if candidate[2] == "exact"]
    if len(exact) == 1:
        notice = exact[0][0]
        # Someone else registered earlier may fit the notice just as well: then a person decides.
        rivals = [
            (notice, other, "exact")
            for other in await _unmatched_clients_like(session, notice.municipality_code, notice.birth_date, registered_since=None)
            if other.id != client.id and match_people(PersonKey.of_record(notice), PersonKey.of_record(other)) == "exact"
        ]
        if not rivals:
            return await _match(session, notice, client, matched_by=AUTOMATIC)
        candidates += rivals
    return await _open_reviews(session, candidates)


async def match_clients_for_notice(session: AsyncSession, notice: RecruitmentNotice, *, registered_since: date) -> MatchOutcome:
    """Notice after registration: residents registered since the date who fit the notice go to the
    staff review queue — never matched at submission, however exact. Otherwise the employer's answer
    (`arrived`) would tell it who is registered, and its text would reach a real client's case
    unseen: the employer and the case learn of the match only once staff confirm it."""
    person = PersonKey.of_record(notice)
    candidates: list[Candidate] = []
    for client in await _unmatched_clients_like(session, notice.municipality_code, notice.birth_date, registered_since=registered_since):
        similarity = match_people(person, PersonKey.of_record(client))
        if similarity != "none":
            candidates.append((notice, client, similarity))
    exact = [candidate for candidate in candidates if candidate[2] == "exact"]
    return await _open_reviews(session, candidates, exact_reason="several_candidates" if len(exact) > 1 else REGISTERED_BEFORE_NOTICE)


REGISTERED_BEFORE_NOTICE = "registered_before_notice"  # the one exact match, found when the notice came


async def _match(session: AsyncSession, notice: RecruitmentNotice, client: Client, *, matched_by: str) -> MatchOutcome:
    """The notice arrived as this client: the case gets the notice's information."""
    notice = await locked_notice(session, notice.id)
    case = await case_of(session, client.id)
    notice.client_id = client.id
    await move_notice(session, notice, NoticeStatus.arrived, "recruitment_notice.arrived", case_id=case.id)
    employer = await session.get(Employer, notice.employer_id)
    employment, family = notice.submission["employment"], notice.submission["family"]
    match = NoticeMatch(
        notice_id=notice.id,
        employer_name=employer.name,
        job_title=employment["job_title"],
        start_date=date.fromisoformat(employment["start_date"]),
        workplace_municipality_code=employment["workplace_municipality_code"],
        expected_arrival_on=notice.expected_arrival_on,
        family_adults=family["adults"],
        children_birth_years=family["children_birth_years"],
    )
    session.add(
        CaseEmployment(
            **match.model_dump(),  # what the path workflow is told, kept on the case as well
            case_id=case.id,
            client_id=client.id,
            employer_business_id=employer.business_id,
            matched_at=now(),
            matched_by=matched_by,
        )
    )
    await supersede_reviews(session, client_id=client.id)
    signals = [WorkflowSignal(notice_workflow_id(notice.id), "arrived", client.id)]
    if case.workflow_id:
        signals.append(WorkflowSignal(case.workflow_id, "notice_matched", match))
    return MatchOutcome(matched=(notice.id, client.id), signals=signals)


async def _open_reviews(session: AsyncSession, candidates: list[Candidate], *, exact_reason: str = "several_candidates") -> MatchOutcome:
    opened = []
    for notice, client, similarity in candidates:
        known = select(MatchReview).where(MatchReview.notice_id == notice.id, MatchReview.client_id == client.id)
        if (await session.exec(known)).first() is not None:
            continue  # already in the queue, or decided by staff
        review = MatchReview(
            id=uuid.uuid4(),
            municipality_code=notice.municipality_code,
            notice_id=notice.id,
            client_id=client.id,
            similarity=similarity,
            reason=exact_reason if similarity == "exact" else "partial_match",
            status=ReviewStatus.open,
            created_at=now(),
        )
        session.add(review)
        opened.append(review)
    if opened:
        await session.flush()
        municipality_code = opened[0].municipality_code
        notify(
            session, notification_id=uuid.uuid4(), kind="notice_match_review", municipality_code=municipality_code,
            params={"count": len(opened)}, subject=municipality_code,
        )
    return MatchOutcome(reviews=[review.id for review in opened])


class ReviewRefused(Conflict):
    """The review can't be resolved so; `code` is the catalogue's message saying why."""


def _reviews(user: StaffUser):
    query = (
        select(MatchReview, RecruitmentNotice, Employer, Client, ClientCase.id)
        .join(RecruitmentNotice, RecruitmentNotice.id == MatchReview.notice_id)
        .join(Employer, Employer.id == RecruitmentNotice.employer_id)
        .join(Client, Client.id == MatchReview.client_id)
        .outerjoin(ClientCase, ClientCase.client_id == Client.id)
    )
    return scoped(query, MatchReview.municipality_code, user)


def _review_read(review: MatchReview, notice: RecruitmentNotice, employer: Employer, client: Client, case_id) -> MatchReviewRead:
    return from_record(
        MatchReviewRead,
        review,  # its own fields, and the ids of its notice and client
        notice_status=notice.status,
        recruit=from_record(ReviewPerson, notice),
        employer=from_record(EmployerSummary, employer),
        expected_arrival_on=notice.expected_arrival_on,
        case_id=case_id,
        client=from_record(ReviewPerson, client),
        registered_on=client.registered_on,
    )


async def list_reviews(
    session: AsyncSession, *, user: StaffUser, status: ReviewStatus | None, municipality: str | None, pagination: Pagination
) -> Page[MatchReviewRead]:
    query = filtered(_reviews(user), MatchReview, status=status, municipality=municipality)
    return await paginate(session, query.order_by(MatchReview.created_at, MatchReview.id), pagination, lambda row: _review_read(*row))


async def get_review(session: AsyncSession, *, user: StaffUser, review_id: uuid.UUID) -> MatchReviewRead | None:
    row = (await session.exec(_reviews(user).where(MatchReview.id == review_id))).first()
    return _review_read(*row) if row else None


async def resolve_review(
    session: AsyncSession, *, user: StaffUser, review_id: uuid.UUID, decision: Literal["match", "reject"]
) -> MatchOutcome:
    """Staff decide: this notice is this client (`match`), or they are different people (`reject`).
    The caller sends `outcome.signals` before committing."""
    query = scoped(select(MatchReview).where(MatchReview.id == review_id), MatchReview.municipality_code, user)
    review = (await session.exec(query.with_for_update())).first()
    if review is None:
        raise NotFound("review_not_found")
    if review.status != ReviewStatus.open:
        raise ReviewRefused("review_already_resolved")
    outcome = MatchOutcome()
    if decision == "match":
        notice = await locked_notice(session, review.notice_id)
        if notice.status not in OPEN_NOTICE_STATUSES:
            raise ReviewRefused("review_notice_not_open")
        if (await session.exec(select(CaseEmployment).where(CaseEmployment.client_id == review.client_id))).first() is not None:
            raise ReviewRefused("review_client_already_matched")
        outcome = await _match(session, notice, await session.get(Client, review.client_id), matched_by=user.sub)
    review.status = ReviewStatus.matched if decision == "match" else ReviewStatus.rejected
    review.resolved_at, review.resolved_by = now(), user.name or user.sub
    session.add(review)
    return outcome


async def get_case_employment(session: AsyncSession, *, user: StaffUser, case_id: uuid.UUID) -> CaseEmploymentRead | None:
    query = scoped(
        select(CaseEmployment, ClientCase.municipality_code)
        .join(ClientCase, ClientCase.id == CaseEmployment.case_id)
        .where(CaseEmployment.case_id == case_id),
        ClientCase.municipality_code,
        user,
    )
    row = (await session.exec(query)).first()
    if row is None:
        return None
    found, municipality_code = row
    return CaseEmploymentRead(
        case_id=found.case_id,
        client_id=found.client_id,
        municipality_code=municipality_code,
        notice_id=found.notice_id,
        employer=EmployerSummary(business_id=found.employer_business_id, name=found.employer_name),
        job_title=found.job_title,
        start_date=found.start_date,
        workplace_municipality_code=found.workplace_municipality_code,
        expected_arrival_on=found.expected_arrival_on,
        family=FamilyFields(adults=found.family_adults, children_birth_years=found.children_birth_years),
        matched_at=found.matched_at,
        matched_by=found.matched_by,
    )
