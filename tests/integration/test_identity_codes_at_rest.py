"""No identity code in clear anywhere at rest: after one client's whole path through a real
Kotopolku (RabbitMQ, Temporal, SQLite and PostgreSQL) — registered by identity code, assessed,
given a plan, moved by identity code, closed — and another client registered beside it, every
column of every table of every service's database is searched for the identity codes used. Only
sealed or hashed forms may be there; a code in clear fails the test naming service.table.column."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import inspect, text

from shared.clock import today
from shared.contracts import RESIDENT_MOVED
from support import event, eventually, person, publish, registration, running, token, with_identity_code
from test_plan_api import case_awaiting_plan

FAMILY_NAME = "Säilöttävä"  # in clear in the staff views: proves the search reads every database


def as_text(value) -> str:
    """A stored value as text to search: bytes as they are (a sealed value is not text), JSON as written."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("latin-1")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


async def columns_holding(runtime, needles: list[str]) -> dict[str, set[str]]:
    """Each needle (case-insensitive) with the `service.table.column`s that hold it."""
    found: dict[str, set[str]] = {}
    for service, ctx in runtime.contexts.items():
        async with ctx.db.engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            assert tables, f"no tables in {service}'s database"
            for table in tables:
                for row in (await connection.execute(text(f'SELECT * FROM "{table}"'))).mappings():
                    for column, value in row.items():
                        shown = as_text(value).casefold()
                        for needle in needles:
                            if needle.casefold() in shown:
                                found.setdefault(needle, set()).add(f"{service}.{table}.{column}")
    return found


async def test_no_identity_code_in_clear_in_any_database_after_a_whole_path(settings, amqp_url):
    staff, new_staff = token(settings, "109", sub="cw-rest"), token(settings, "837", sub="cw-rest-837")
    first = with_identity_code(registration(person=person(family_name=FAMILY_NAME)), birth_date=date(1988, 2, 3))
    second = with_identity_code(registration(municipality_code="905", person=person(given_names="Omar", family_name="Ali")), birth_date=date(1992, 7, 9))
    codes = [first["person"]["personal_identity_code"], second["person"]["personal_identity_code"]]
    async with running(settings) as (runtime, http):
        await publish(amqp_url, event(second))
        case = await case_awaiting_plan(http, amqp_url, staff, person=first["person"])
        case_id = case["case_id"]
        made = await http.post(f"/api/v1/cases/{case_id}/plan", json={"type": "individual", "measures": [
            {"kind": "integration_training", "service_code": "HAMK-KOTO-24", "provider": "HAMK", "language": "fi", "hours": 600, "status": "referred"},
        ]}, headers=staff)
        assert made.status_code == 200, made.text

        # The population register names the person by identity code alone.
        await publish(amqp_url, event({"person_ref": {"personal_identity_code": codes[0]}, "from_municipality_code": "109",
                                       "to_municipality_code": "837", "moved_on": today().isoformat()}, type=RESIDENT_MOVED))

        async def moved():
            return (await http.get(f"/api/v1/cases/{case_id}", headers=new_staff)).status_code == 200

        await eventually(moved, what="the case moved by identity code")
        closed = await http.post(f"/api/v1/cases/{case_id}/closure", json={"reason": "employed"}, headers=new_staff)
        assert closed.status_code == 200, closed.text

        async def both_registered():
            listed = (await http.get("/api/v1/cases", params={"q": "Ali"}, headers=token(settings, "905"))).json()["items"]
            return bool(listed)

        await eventually(both_registered, what="the second client's case")

        found = await columns_holding(runtime, [*codes, *(code[:6] + code[7:] for code in codes), FAMILY_NAME])
    assert found.pop(FAMILY_NAME, None), "the search found not even the family name: it reads nothing"
    assert not found, "identity codes in clear: " + "; ".join(f"{code} in {', '.join(sorted(where))}" for code, where in found.items())
