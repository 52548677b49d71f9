"""A database error about a person, logged as Kotopolku logs it, names no one: the engine hides the
statement's values and the log drops what the error or the line would still carry."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import date

import pytest
import structlog
from sqlalchemy.exc import IntegrityError

from services.notifications.app import MIGRATIONS
from services.notifications.models import ClientView
from shared.db import Database
from shared.logging import configure_logging

PERSON = ("Amina Secretname", "Hassan", "1990-04-12")


def client(client_id: uuid.UUID) -> ClientView:
    return ClientView(
        client_id=client_id, given_names="Amina Secretname", family_name="Hassan", birth_date=date(1990, 4, 12),
        nationality="SO", native_language="so", residence_basis="work", lead="municipality", eligible=True,
        eligibility_reason="within the window",
    )


async def test_a_duplicate_key_error_about_a_person_is_logged_without_their_data(tmp_path, database_url, capsys):
    database = Database("notifications", database_url or f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}")
    await database.migrate(MIGRATIONS)
    configure_logging("INFO", "json")
    client_id = uuid.uuid4()
    try:
        async with database.session() as session:
            session.add(client(client_id))
            await session.commit()
        with pytest.raises(IntegrityError) as error:
            async with database.session() as session:
                session.add(client(client_id))
                await session.commit()
        # Every way a line may carry it: the exception, its text in a field, a library's log,
        # and fields named for a person's data.
        try:
            raise error.value
        except IntegrityError:
            structlog.get_logger("test").exception("client not recorded", error=str(error.value), given_names="Amina Secretname")
            logging.getLogger("library").exception("library failed: %s", error.value)
        structlog.get_logger("test").info("recorded", person={"family_name": "Hassan", "birth_date": "1990-04-12"}, parameters=PERSON)
    finally:
        await database.dispose()
    output = capsys.readouterr().err
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert [line["event"] for line in lines][-1] == "recorded" and len(lines) >= 3
    assert "IntegrityError" in output  # what went wrong is still told
    for value in PERSON:
        assert value not in output, f"{value!r} in the log: {output}"
    assert "[SQL:" not in output and "[parameters:" not in output
