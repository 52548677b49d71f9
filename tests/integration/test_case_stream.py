"""The live case feed (SSE) against a real uvicorn: a Last-Event-ID that is not one of ours, one
further back than the replay (a reset), too many open streams, an expiring token. (A change that
commits late cannot be numbered below one sent: tests/service/test_case_change_order.py.)"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta, timezone

import httpx

from services.notifications.models import CaseChange
from services.notifications.service import REPLAY_LIMIT
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


async def test_the_feed_survives_strange_resume_ids_and_bounds_its_replay(embedded_settings):
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

            # A resume point within the replay gets what it missed; one further back (or 0, the
            # whole history) gets a reset first, and then what comes next.
            n = await next_id(runtime)
            await write(runtime, a_change(n), a_change(n + 1))
            async with client.stream("GET", f"{base}/api/v1/cases/stream", headers={**headers, "Last-Event-ID": str(n - 1)}) as stream:
                assert [int(e["id"]) for e in await events(stream.aiter_lines(), 2)] == [n, n + 1]
            far = n + REPLAY_LIMIT + 10
            await write(runtime, a_change(far))
            async with client.stream("GET", f"{base}/api/v1/cases/stream", headers={**headers, "Last-Event-ID": "0"}) as stream:
                lines = stream.aiter_lines()
                [reset] = await events(lines, 1)
                assert (reset["event"], reset["id"], json.loads(reset["data"])) == ("reset", str(far), {"reason": "resume_point_too_old"})
                await write(runtime, a_change(far + 1))
                [after] = await events(lines, 1)
                assert (after["event"], after["id"]) == ("case.updated", str(far + 1))


async def test_a_stream_reads_once_for_each_change_it_is_woken_for(embedded_settings):
    """Every committed change wakes every open stream of the process: each then reads what is new
    once, and waits again (not a second read to find nothing, which doubled the reads of a busy feed)."""
    from sqlalchemy import event

    from services.notifications.service import case_feed

    async with running(embedded_settings, ["notifications"]) as (runtime, _http):
        ctx = runtime.contexts["notifications"]
        reads: list[str] = []

        def count(_connection, _cursor, statement, *_args) -> None:
            if "FROM case_change" in statement and "case_change.id >" in statement:
                reads.append(statement)

        event.listen(ctx.db.engine.sync_engine, "before_cursor_execute", count)
        async with serving(app_of(runtime), free_port()) as base, httpx.AsyncClient(timeout=30) as client:
            async with client.stream("GET", f"{base}/api/v1/cases/stream", headers=token(embedded_settings, "109")) as stream:
                lines = stream.aiter_lines()
                await asyncio.sleep(0.5)  # its first read (nothing yet), then it waits
                for _ in range(3):
                    reads.clear()
                    await write(runtime, a_change(await next_id(runtime)))
                    await case_feed(ctx).notify()  # as the consumer does after the change's commit
                    [change] = await events(lines, 1)
                    await asyncio.sleep(0.3)
                    assert change["event"] == "case.updated" and len(reads) == 1


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
