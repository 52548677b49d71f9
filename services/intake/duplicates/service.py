"""Possible duplicate clients: a new client alike an earlier one is put before staff, never
merged silently."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.duplicates.models import DuplicateClient, DuplicateReview, DuplicateReviewRead
from services.intake.identity import PersonKey, birth_dates_like, match_people
from services.intake.models import Client, ClientCase
from services.intake.outbox import notify
from shared.auth import StaffUser, scoped
from shared.clock import now
from shared.contracts import from_record
from shared.pagination import Page, Pagination, paginate
from shared.refusals import Conflict, NotFound


async def _one_registration_at_a_time(session: AsyncSession, municipality_code: str) -> None:
    """On PostgreSQL, registrations in one municipality look for their duplicates one at a time
    (a lock held until the commit): two alike people registered side by side by two systems, in
    two consumer lanes, would otherwise each miss the other's uncommitted record. SQLite has one
    writer anyway."""
    if (await session.connection()).dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(f"kotopolku-duplicates-{municipality_code}".encode()).digest()[:8], "big", signed=True)
    await session.exec(select(func.pg_advisory_xact_lock(key)))


async def flag_possible_duplicates(session: AsyncSession, client: Client, case: ClientCase) -> list[DuplicateReview]:
    """A new client alike an earlier one of the same municipality (birth date, names and
    nationality, as identity.match_people decides) is put before staff. Clients sharing an
    identity code never get here: they are one client."""
    await _one_registration_at_a_time(session, client.municipality_code)
    earlier = await session.exec(
        select(Client).where(
            Client.municipality_code == client.municipality_code,
            Client.birth_date.in_(birth_dates_like(client.birth_date)),
            Client.id != client.id,
        )
    )
    flagged = []
    for other in earlier:
        if client.identity_code_hash and other.identity_code_hash:
            continue  # two different identity codes: two people
        similarity = match_people(PersonKey.of_record(client), PersonKey.of_record(other))
        if similarity == "none":
            continue
        review = DuplicateReview(
            id=uuid.uuid5(client.id, f"duplicate-of\n{other.id}"),
            municipality_code=client.municipality_code,
            client_id=client.id,
            earlier_client_id=other.id,
            similarity=similarity,
            status="open",
            created_at=now(),
        )
        session.add(review)
        flagged.append(review)
        notify(
            session,
            notification_id=review.id,
            kind="possible_duplicate",
            municipality_code=client.municipality_code,
            params={"similarity": similarity},
            subject=str(case.id),
            case_id=case.id,
            client_id=client.id,
        )
    return flagged


def _duplicate_reviews(user: StaffUser):
    earlier = aliased(Client)
    return scoped(
        select(DuplicateReview, Client, earlier)
        .join(Client, Client.id == DuplicateReview.client_id)
        .join(earlier, earlier.id == DuplicateReview.earlier_client_id),
        DuplicateReview.municipality_code,
        user,
    )


async def _duplicate_read(session: AsyncSession, review: DuplicateReview, client: Client, earlier: Client) -> DuplicateReviewRead:
    async def described(person: Client) -> DuplicateClient:
        case_id = (await session.exec(select(ClientCase.id).where(ClientCase.client_id == person.id))).one()
        return from_record(DuplicateClient, person, client_id=person.id, case_id=case_id)

    return from_record(DuplicateReviewRead, review, client=await described(client), earlier_client=await described(earlier))


async def list_duplicate_reviews(
    session: AsyncSession, *, user: StaffUser, status: str | None, pagination: Pagination
) -> Page[DuplicateReviewRead]:
    query = _duplicate_reviews(user)
    if status:
        query = query.where(DuplicateReview.status == status)
    page = await paginate(session, query.order_by(DuplicateReview.created_at, DuplicateReview.id), pagination)
    page.items = [await _duplicate_read(session, *row) for row in page.items]
    return page


async def get_duplicate_review(session: AsyncSession, *, user: StaffUser, review_id: uuid.UUID) -> DuplicateReviewRead | None:
    row = (await session.exec(_duplicate_reviews(user).where(DuplicateReview.id == review_id))).first()
    return await _duplicate_read(session, *row) if row else None


async def resolve_duplicate_review(
    session: AsyncSession, *, user: StaffUser, review_id: uuid.UUID, decision: str
) -> DuplicateReviewRead:
    """Staff say whether the two are the same person; the decision is recorded with who made it.
    Combining their records is done by staff in the client register (Koto-AJ), not here."""
    row = (await session.exec(_duplicate_reviews(user).where(DuplicateReview.id == review_id))).first()
    if row is None:
        raise NotFound("review_not_found")
    review = row[0]
    if review.status != "open":
        raise Conflict("review_already_resolved")
    review.status, review.resolved_at, review.resolved_by = decision, now(), user.sub
    session.add(review)
    return await _duplicate_read(session, *row)
