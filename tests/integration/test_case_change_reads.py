"""A workflow's change to a case (intake's `record_case_change`) reads only what it needs, on
SQLite and PostgreSQL: the client is read for a booking (its interpreter need), for nothing else."""

from __future__ import annotations

from datetime import date

from services.intake import service as intake
from services.intake.models import ResidentRegistered
from shared.policy import load_policy
from shared.contracts import CaseChange
from support import event, registration, statements_sent, with_identity_code


async def changed(database, change: CaseChange) -> list[str]:
    """The statements `apply_case_change` sent."""
    with statements_sent(database) as sent:
        async with database.session() as session:
            await intake.apply_case_change(session, change, once="activity-1")
            await session.commit()
    return sent


async def test_a_change_that_is_not_a_booking_does_not_read_the_client(database):
    data = with_identity_code(registration(municipality_code="109"))
    async with database.session() as session:
        registered = await intake.register_resident(
            session, event=event(data), data=ResidentRegistered.model_validate(data), policy=load_policy().for_municipality("109"),
            data_key=b"k" * 32,
        )
        await intake.start_path(session, registered.case, registered.path)
        await session.commit()

    started = CaseChange(
        case_id=registered.case.id, stage="assessment", status="assessment_in_progress", next_deadline=None,
        reason="assessment.started", fact="assessment.started", changed_by="caseworker-1",
        details={"started_on": date.today().isoformat()},
    )
    sent = await changed(database, started)
    assert not [statement for statement in sent if statement.startswith("SELECT") and "FROM client " in statement + " "]
    assert any(statement.startswith("UPDATE client_case") for statement in sent)
