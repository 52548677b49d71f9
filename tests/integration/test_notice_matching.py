"""Matching recruitment notices and registered residents, on SQLite and PostgreSQL (service level:
no broker or Temporal needed). One exact match seen from both sides is matched; anything less
clear goes to the staff review queue — never a guess."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from services.intake import service as intake
from services.intake.employers import service as employers
from services.intake.models import ResidentRegistered
from services.intake.notices import service as notices
from services.intake.notices.matching import service as matching
from services.intake.notices.matching.models import CaseEmployment, MatchReview
from services.intake.notices.models import NoticeCreate, RecruitmentNotice
from shared.pagination import Pagination
from shared.refusals import NotFound
from shared.auth import StaffUser
from shared.policy import load_policy
from shared.workflow_commands import WorkflowCommand
from shared.clock import today as finnish_today
from support import event, make_business_id, notice, person, registration, statements_sent

POLICY = load_policy().default




async def employer(database, number: int = 112038):
    async with database.session() as session:
        created, _ = await employers.create_employer(session, business_id=make_business_id(number), name=f"Employer {number}")
        await session.commit()
    return created


async def submit(database, owner, *, given_names="Nguyen Van", family_name="An", birth_date="1995-02-01", nationality="VN", municipality="905"):
    body = NoticeCreate.model_validate(
        notice(
            municipality_code=municipality,
            recruit={"given_names": given_names, "family_name": family_name, "birth_date": birth_date, "nationality": nationality},
        )
    )
    async with database.session() as session:
        submission = await notices.submit_notice(session, employer=owner, body=body, idempotency_key=None, policy=POLICY)
        await session.commit()
        # Its workflow starts once the submission commits.
        [start] = (await session.exec(select(WorkflowCommand).where(WorkflowCommand.workflow_id == f"notice-{submission.notice_id}"))).all()
    assert (start.kind, start.workflow_type, start.arg["municipality_code"]) == ("start", "RecruitmentNotice", municipality)
    return submission


async def register(database, *, given_names="Nguyen Van", family_name="An", birth_date="1995-02-01", nationality="VN", municipality="905", **extra):
    data = registration(
        municipality_code=municipality,
        person=person(given_names=given_names, family_name=family_name, birth_date=birth_date, nationality=nationality),
        **extra,
    )
    async with database.session() as session:
        registered = await intake.register_resident(
            session, event=event(data), data=ResidentRegistered.model_validate(data), policy=POLICY, data_key=b"k" * 32
        )
        outcome = None
        if registered.created and registered.path is not None:
            outcome = await matching.match_notices_for_client(session, registered.client, just_recorded=registered.created)
        await session.commit()
    return registered.client, outcome


async def notice_status(database, notice_id) -> str:
    async with database.session() as session:
        return (await session.get(RecruitmentNotice, notice_id)).status


async def open_reviews(database) -> list[MatchReview]:
    async with database.session() as session:
        return list(await session.exec(select(MatchReview).where(MatchReview.status == "open").order_by(MatchReview.created_at)))


async def test_a_resident_recorded_just_now_is_matched_without_looking_for_a_notice_on_their_case(database):
    """A statement less per registration: a client recorded in this transaction has no notice yet."""
    owner = await employer(database)
    submitted = await submit(database, owner)
    with statements_sent(database) as statements:
        client, outcome = await register(database)
    assert outcome.result == "matched" and outcome.matched == (submitted.notice_id, client.id)
    assert not [statement for statement in statements if statement.startswith("SELECT case_employment.")]


@pytest.mark.parametrize(
    "names_on_notice, names_in_register",
    [
        (("Nguyen Van", "An"), ("An", "Nguyen Van")),  # given and family names the other way round
        (("Nguyen Van", "An"), ("Nguyễn Văn", "An")),  # diacritics
        (("Sami", "Äijälä"), ("SAMI", "Aijala")),  # ä/a and case
        (("Jean-Luc", "Picard"), ("Jean Luc", "Picard")),  # hyphen or space
    ],
)
async def test_the_same_person_written_differently_is_matched(database, names_on_notice, names_in_register):
    owner = await employer(database)
    submitted = await submit(database, owner, given_names=names_on_notice[0], family_name=names_on_notice[1])
    client, outcome = await register(database, given_names=names_in_register[0], family_name=names_in_register[1])
    assert outcome.result == "matched" and outcome.matched == (submitted.notice_id, client.id)
    assert await notice_status(database, submitted.notice_id) == "arrived"
    signals = {(signal.workflow_id, signal.name) for signal in outcome.signals}
    assert signals == {(f"notice-{submitted.notice_id}", "arrived"), (f"client-{client.id}", "notice_matched")}
    notice_matched = next(signal.arg for signal in outcome.signals if signal.name == "notice_matched")
    assert (notice_matched.employer_name, notice_matched.job_title) == (owner.name, "Welder")
    async with database.session() as session:
        employment = (await session.exec(select(CaseEmployment))).one()
    assert (employment.client_id, employment.notice_id, employment.matched_by) == (client.id, submitted.notice_id, "automatic")
    assert await open_reviews(database) == []


async def test_a_double_barrelled_name_goes_to_review_not_a_guess(database):
    owner = await employer(database)
    submitted = await submit(database, owner, given_names="Amina", family_name="Hassan-Ali", nationality="SO", birth_date="1990-04-12")
    client, outcome = await register(database, given_names="Amina", family_name="Hassan", nationality="SO", birth_date="1990-04-12")
    assert outcome.result == "review" and outcome.signals == []
    assert await notice_status(database, submitted.notice_id) == "received"
    [review] = await open_reviews(database)
    assert (review.notice_id, review.client_id, review.similarity, review.reason) == (submitted.notice_id, client.id, "partial", "partial_match")


async def test_two_notices_for_people_with_the_same_name_and_birth_date_go_to_review(database):
    first, second = await submit(database, await employer(database, 1)), await submit(database, await employer(database, 2))
    client, outcome = await register(database)
    assert outcome.result == "review"
    reviews = await open_reviews(database)
    assert {(review.notice_id, review.reason) for review in reviews} == {(first.notice_id, "several_candidates"), (second.notice_id, "several_candidates")}
    assert {await notice_status(database, first.notice_id), await notice_status(database, second.notice_id)} == {"received"}


async def test_two_residents_with_the_same_name_and_birth_date_go_to_review_when_the_notice_comes(database):
    one, _ = await register(database, external_ref="ref-one")
    other, _ = await register(database, external_ref="ref-two")
    submitted = await submit(database, await employer(database))
    assert submitted.outcome.result == "review"
    assert submitted.response["status"] == "received"
    assert {review.client_id for review in await open_reviews(database)} == {one.id, other.id}


async def test_someone_registered_earlier_who_fits_just_as_well_stops_an_automatic_match(database):
    """Registered before the notice came, yet older than the look-back: still a rival, so staff decide."""
    earlier, _ = await register(database, external_ref="ref-old", registered_on=finnish_today() - timedelta(days=200))
    submitted = await submit(database, await employer(database))
    assert submitted.outcome.result == "none"  # too long ago to be matched from the notice's side
    newcomer, outcome = await register(database, external_ref="ref-new")
    assert outcome.result == "review"
    assert {review.client_id for review in await open_reviews(database)} == {earlier.id, newcomer.id}
    assert await notice_status(database, submitted.notice_id) == "received"


@pytest.mark.parametrize(
    "registered, expected",
    [
        ({"nationality": "TH"}, "review"),  # same names and birth date, another nationality
        ({"birth_date": "1995-01-02"}, "review"),  # day and month swapped
        ({"birth_date": "1995-02-02"}, "none"),
        ({"given_names": "Tran Thi", "family_name": "Mai"}, "none"),
        ({"municipality": "109"}, "none"),  # registered in another municipality
    ],
)
async def test_near_misses(database, registered, expected):
    submitted = await submit(database, await employer(database))
    _, outcome = await register(database, **registered)
    assert outcome.result == expected
    assert await notice_status(database, submitted.notice_id) == "received"


async def test_a_notice_for_someone_already_registered_waits_for_staff(database):
    """Found at submission: the employer's answer says nothing and the case gets nothing until staff confirm."""
    client, outcome = await register(database)
    assert outcome.result == "none"
    submitted = await submit(database, await employer(database))
    assert submitted.outcome.result == "review" and submitted.outcome.signals == []
    assert submitted.response["status"] == "received"
    assert "client" not in str(submitted.response)  # the employer learns nothing about the person
    assert await notice_status(database, submitted.notice_id) == "received"
    async with database.session() as session:
        assert (await session.exec(select(CaseEmployment))).all() == []
    [review] = await open_reviews(database)
    assert (review.client_id, review.similarity, review.reason) == (client.id, "exact", "registered_before_notice")

    staff = StaffUser(sub="s1", name="Sari", roles=["caseworker"], municipalities=["905"])
    async with database.session() as session:
        confirmed = await matching.resolve_review(session, user=staff, review_id=review.id, decision="match")
        await session.commit()
    assert confirmed.matched == (submitted.notice_id, client.id)
    assert await notice_status(database, submitted.notice_id) == "arrived"


async def test_a_client_already_matched_is_not_matched_again(database):
    client, _ = await register(database)
    first = await submit(database, await employer(database, 1))
    [review] = await open_reviews(database)
    async with database.session() as session:
        await matching.resolve_review(session, user=StaffUser(sub="s1", roles=["caseworker"], municipalities=["905"]), review_id=review.id, decision="match")
        await session.commit()
    assert await notice_status(database, first.notice_id) == "arrived"
    later = await submit(database, await employer(database, 2))
    assert later.outcome.result == "none" and later.response["status"] == "received"


async def test_staff_resolve_a_review_by_choosing_the_notice_or_rejecting_it(database):
    first, second = await submit(database, await employer(database, 1)), await submit(database, await employer(database, 2))
    client, _ = await register(database)
    staff, elsewhere = StaffUser(sub="s1", name="Sari", roles=["caseworker"], municipalities=["905"]), StaffUser(sub="s2", municipalities=["109"])
    by_notice = {review.notice_id: review.id for review in await open_reviews(database)}

    async with database.session() as session:
        with pytest.raises(NotFound):
            await matching.resolve_review(session, user=elsewhere, review_id=by_notice[first.notice_id], decision="match")
        listed = await matching.list_reviews(session, user=elsewhere, status=None, municipality=None, pagination=Pagination(page_size=10))
        assert (listed.items, listed.total) == ([], 0)

    async with database.session() as session:
        outcome = await matching.resolve_review(session, user=staff, review_id=by_notice[second.notice_id], decision="match")
        await session.commit()
    assert outcome.matched == (second.notice_id, client.id)
    assert {signal.name for signal in outcome.signals} == {"arrived", "notice_matched"}
    assert (await notice_status(database, second.notice_id), await notice_status(database, first.notice_id)) == ("arrived", "received")

    async with database.session() as session:
        reviews = {review.notice_id: review for review in await session.exec(select(MatchReview))}
        employment = (await session.exec(select(CaseEmployment))).one()
        with pytest.raises(matching.ReviewRefused, match="review_already_resolved"):
            await matching.resolve_review(session, user=staff, review_id=by_notice[first.notice_id], decision="match")
    assert (reviews[second.notice_id].status, reviews[second.notice_id].resolved_by) == ("matched", "Sari")
    assert reviews[first.notice_id].status == "superseded"  # the client was matched: nothing left to decide
    assert employment.matched_by == "s1"


async def test_a_rejected_review_leaves_the_notice_open(database):
    submitted = await submit(database, await employer(database), family_name="Hassan-Ali", given_names="Amina")
    await register(database, given_names="Amina", family_name="Hassan")
    [review] = await open_reviews(database)
    staff = StaffUser(sub="s1", roles=["caseworker"], municipalities=["905"])
    async with database.session() as session:
        outcome = await matching.resolve_review(session, user=staff, review_id=review.id, decision="reject")
        await session.commit()
    assert outcome.result == "none" and outcome.signals == []
    assert await notice_status(database, submitted.notice_id) == "received"
    async with database.session() as session:
        assert (await session.get(MatchReview, review.id)).status == "rejected"


async def test_a_review_of_a_withdrawn_notice_needs_no_decision(database):
    owner = await employer(database)
    submitted = await submit(database, owner, family_name="Hassan-Ali", given_names="Amina")
    await register(database, given_names="Amina", family_name="Hassan")
    [review] = await open_reviews(database)
    async with database.session() as session:
        await notices.withdraw_notice(session, notice=await notices.get_employer_notice(session, employer=owner, notice_id=submitted.notice_id))
        await session.commit()
    async with database.session() as session:
        assert (await session.get(MatchReview, review.id)).status == "superseded"
        with pytest.raises(matching.ReviewRefused, match="review_already_resolved"):
            await matching.resolve_review(session, user=StaffUser(sub="s", municipalities=["905"]), review_id=review.id, decision="match")


async def test_revoked_and_rotated_keys(database):
    async with database.session() as session:
        created, key = await employers.create_employer(session, business_id="0112038-9", name="Example Oy")
        await session.commit()
    async with database.session() as session:
        assert (await employers.employer_for_api_key(session, key)).id == created.id
        assert await employers.employer_for_api_key(session, key + "x") is None
        with pytest.raises(employers.EmployerError, match="already registered"):
            await employers.create_employer(session, business_id="0112038-9", name="Again")
    async with database.session() as session:
        _, new_key = await employers.rotate_employer_key(session, business_id="0112038-9")
        await session.commit()
    async with database.session() as session:
        assert await employers.employer_for_api_key(session, key) is None
        assert await employers.employer_for_api_key(session, new_key) is not None
        await employers.revoke_employer(session, business_id="0112038-9")
        await session.commit()
    async with database.session() as session:
        assert await employers.employer_for_api_key(session, new_key) is None
        assert [employer.active for employer in await employers.list_employers(session)] == [False]
