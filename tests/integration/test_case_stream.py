"""The live case feed (SSE) against a real uvicorn: a Last-Event-ID that is not one of ours, a
change that commits late with a lower id (another replica), too many open streams, an expiring
token."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta, timezone

import httpx

from services.notifications.models import CaseChange
from shared.auth import mint_token
from support import app_of, free_port, running, serving, token


def a_change(change_id: int, municipality_code: str = "109") -> CaseChange:
    case_id, at = uuid.uuid4(), datetime.now(timezone.utc)
    data = {
        "case_id": str(case_id), "client_id": str(uuid.uuid4()), "municipality_code": municipality_code,
        "stage": "assessment", "status": "awaiting_assessment", "next_deadline": None, "deadlines": [],
        "changed_at": at.isoformat(), "reason": "test", "changed_by": "Testi",
    }
    return CaseChange(id=change_id, case_id=case_id, municipality_code=municipality_code, data=data, changed_at=at)


async def write(runtime, *changes: CaseChange) -> None:
    async with runtime.contexts["notifications"].db.session() as session:
        for change in changes:
            session.add(change)
        await session.commit()


async def events(lines, wanted: int, timeout: float = 15) -> list[dict]:
    """The next `wanted` events from a stream's lines (`stream.aiter_lines()`, read once)."""
    found, current = [], {}

    async def read() -> None:
        nonlocal current
        async for line in lines:
            if line == "":
                if "data" in current:
                    found.append(current)
                    if len(found) == wanted:
                        return
                current = {}
            elif ":" in line:
                name, _, value = line.partition(":")
                current[name] = value.strip()

    await asyncio.wait_for(read(), timeout)
    return found


async def test_the_feed_survives_strange_resume_ids_and_sends_a_late_commit(embedded_settings):
    async with running(embedded_settings, ["notifications"]) as (runtime, _http):
        await write(runtime, a_change(100))
        async with serving(app_of(runtime), free_port()) as base, httpx.AsyncClient(timeout=30) as client:
            headers = token(embedded_settings, "109")
            for strange in ("9" * 5000, "9" * 20, "-1", "abc"):
                async with client.stream("GET", f"{base}/api/v1/cases/stream", headers={**headers, "Last-Event-ID": strange}) as stream:
                    assert stream.status_code == 200
                    await write(runtime, a_change(await next_id(runtime)))
                    [event] = await events(stream.aiter_lines(), 1)
                    assert event["event"] == "case.updated" and "changed_by" not in json.loads(event["data"])

            # Another replica wrote id n+2 first and commits n+1 later: both reach the stream.
            async with client.stream("GET", f"{base}/api/v1/cases/stream", headers=headers) as stream:
                lines = stream.aiter_lines()
                n = await next_id(runtime)
                await write(runtime, a_change(n + 1))
                first = await events(lines, 1)
                await write(runtime, a_change(n))
                late = await events(lines, 1)
            assert [int(first[0]["id"]), int(late[0]["id"])] == [n + 1, n]


async def next_id(runtime) -> int:
    from sqlalchemy import func
    from sqlmodel import select

    async with runtime.contexts["notifications"].db.session() as session:
        return ((await session.exec(select(func.max(CaseChange.id)))).one() or 0) + 1


async def test_a_staff_member_has_a_few_streams_at_most_and_a_stream_ends_with_its_token(embedded_settings):
    settings = embedded_settings.model_copy(update={"max_live_streams_per_user": 2})
    async with running(settings, ["notifications"]) as (runtime, _http):
        async with serving(app_of(runtime), free_port()) as base, httpx.AsyncClient(timeout=30) as client:
            headers = token(settings, "109")
            async with client.stream("GET", f"{base}/api/v1/cases/stream", headers=headers) as one:
                async with client.stream("GET", f"{base}/api/v1/cases/stream", headers=headers) as two:
                    assert (one.status_code, two.status_code) == (200, 200)
                    third = await client.get(f"{base}/api/v1/cases/stream", headers=headers)
                    assert third.status_code == 429 and third.json()["detail"]["code"] == "too_many_streams"
                    other = await client.get(f"{base}/api/v1/cases", headers=token(settings, "109", sub="someone-else"))
                    assert other.status_code == 200

            # A token about to expire: the stream ends when it does (the client signs in again).
            short = mint_token(settings, sub="brief", name="", roles=["caseworker"], municipalities=["109"], lifetime=timedelta(seconds=3))
            async with client.stream("GET", f"{base}/api/v1/cases/stream", headers={"Authorization": f"Bearer {short}"}) as stream:
                assert stream.status_code == 200
                ended = asyncio.get_running_loop().time()
                async for _ in stream.aiter_lines():
                    pass
                assert asyncio.get_running_loop().time() - ended < 10
