"""The wellbeing services county is told when a multi-sectoral plan asks it to take part: intake
asks for the notification with the plan's change (its own records, SQLite), and the notifications
service shows it to the county's staff of that municipality's county only."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from services.intake import service
from services.intake.app import MIGRATIONS as INTAKE_MIGRATIONS
from services.intake.models import ResidentRegistered
from services.notifications import service as notifications
from services.notifications.app import MIGRATIONS as NOTIFICATION_MIGRATIONS
from services.notifications.templates import render, title
from shared.auth import StaffUser
from shared.contracts import NOTIFICATION_REQUESTED, CaseChange, CaseStatus, NotificationRequested, Stage
from shared.db import Database
from shared.messaging import OutboxMessage
from shared.policy import load_policy
from support import event, registration

DATA_KEY = b"k" * 32


@pytest.fixture
async def intake(tmp_path):
    database = Database("intake", f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}")
    await database.migrate(INTAKE_MIGRATIONS)
    yield database
    await database.dispose()


@pytest.fixture
async def notifications_db(tmp_path):
    database = Database("notifications", f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}")
    await database.migrate(NOTIFICATION_MIGRATIONS)
    yield database
    await database.dispose()


async def plan_made(database, plan_type: str) -> list[NotificationRequested]:
    """A case awaiting its plan, the plan made as its workflow reports it (twice: a retried
    activity), and the notifications intake asked for."""
    data = registration()
    async with database.session() as session:
        registered = await service.register_resident(
            session, event=event(data), data=ResidentRegistered.model_validate(data), policy=load_policy().default, data_key=DATA_KEY
        )
        case = registered.case
        case.stage, case.status = Stage.planning, CaseStatus.awaiting_plan
        session.add(case)
        await session.commit()
    change = CaseChange(case_id=case.id, stage=Stage.follow_up, status=CaseStatus.plan_active, next_deadline=None, reason="plan.made",
                        fact="plan.made", details={"plan_type": plan_type, "made_on": date.today().isoformat()})
    for _ in range(2):
        async with database.session() as session:
            await service.apply_case_change(session, change)
            await session.commit()
    async with database.session() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    bodies = [json.loads(row.body) for row in rows]
    return [NotificationRequested.model_validate(b["data"]) for b in bodies
            if b["type"] == NOTIFICATION_REQUESTED and b["data"]["case_id"] == str(case.id) and b["data"]["kind"] != "possible_duplicate"]


def county(name: str) -> StaffUser:
    return StaffUser(sub="hva-1", name="Hanna", roles=["wellbeing_county"], wellbeing_counties=[name])


async def test_a_multi_sectoral_plan_tells_its_county_and_no_other(intake, notifications_db):
    [asked] = await plan_made(intake, "multi_sectoral")  # once, however often the change is reported
    assert (asked.kind, asked.recipient_role, asked.municipality_code) == ("county_participation_requested", "wellbeing_county", "109")
    assert await plan_made(intake, "individual") == []

    async with notifications_db.session() as session:
        await notifications.record_notification(session, asked)
        await session.commit()
        shown = await notifications.list_notifications(session, county("Kanta-Hämeen hyvinvointialue"))
        assert [n.case_id for n in shown] == [asked.case_id]
        assert await notifications.list_notifications(session, county("Pohjanmaan hyvinvointialue")) == []
        caseworker = StaffUser(sub="kw-1", roles=["caseworker"], municipalities=["109"])
        assert await notifications.list_notifications(session, caseworker) == []  # addressed to the county, not to them
    texts = render(asked.kind, asked.params)
    assert {title(asked.kind, language) for language in ("fi", "sv", "en")} == {
        "hyvinvointialuetta pyydetään mukaan", "välfärdsområdet ombeds delta", "wellbeing services county asked to take part"
    }
    assert all(texts[language] for language in ("fi", "sv", "en"))
