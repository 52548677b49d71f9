"""The live case feed (SSE, CONTRACT §3) withholds other municipalities' changes, fed as intake
feeds it (RabbitMQ, both databases, a real uvicorn): a caseworker of 091 sees 091's case change
and never a 049 case changed at the same moment — live, and when the stream resumes with
`Last-Event-ID` — while 049's own staff see theirs."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import httpx

from support import app_of, eventually, free_port, running, serving, token
from test_case_stream import events
from test_projection_order import case_changed, send

STREAM = "/api/v1/cases/stream"


async def test_the_live_feed_withholds_other_municipalities_changes(settings, amqp_url):
    helsinki, espoo = token(settings, "091", sub="cw-091"), token(settings, "049", sub="cw-049")
    ours, theirs, marker = (uuid.uuid4() for _ in range(3))
    async with running(settings, ["notifications"]) as (runtime, http):
        async with serving(app_of(runtime), free_port()) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
            async with client.stream("GET", STREAM, headers=helsinki) as stream, client.stream("GET", STREAM, headers=espoo) as other:
                assert (stream.status_code, other.status_code) == (200, 200)
                at = datetime.now(timezone.utc)  # both cases change at the same moment
                await send(amqp_url, case_changed(theirs, uuid.uuid4(), "awaiting_assessment", at, "registered", "049"),
                           case_changed(ours, uuid.uuid4(), "awaiting_assessment", at, "registered", "091"))

                async def committed(case_id, headers):
                    return (await http.get(f"/api/v1/cases/{case_id}", headers=headers)).status_code == 200

                await eventually(lambda: committed(theirs, espoo), what="049's change committed")
                await eventually(lambda: committed(ours, helsinki), what="091's change committed")
                # 049's change is in before this one: a stream that let it through would send it first.
                await send(amqp_url, case_changed(marker, uuid.uuid4(), "awaiting_assessment", datetime.now(timezone.utc), "registered", "091"))

                seen = await events(stream.aiter_lines(), 2, timeout=60)
                assert [json.loads(event["data"])["case_id"] for event in seen] == [str(ours), str(marker)]
                assert all(json.loads(event["data"])["municipality_code"] == "091" for event in seen)
                [their_own] = await events(other.aiter_lines(), 1, timeout=60)
                assert json.loads(their_own["data"])["case_id"] == str(theirs)

            # Resumed from before all three (049's id within what is replayed): 091's changes only.
            start = min(int(seen[0]["id"]), int(their_own["id"])) - 1
            assert start < int(their_own["id"]) < int(seen[1]["id"])
            async with client.stream("GET", STREAM, headers={**helsinki, "Last-Event-ID": str(start)}) as resumed:
                await send(amqp_url, case_changed(uuid.uuid4(), uuid.uuid4(), "awaiting_assessment", datetime.now(timezone.utc), "registered", "091"))
                replayed = await events(resumed.aiter_lines(), 3, timeout=60)
                ids = [json.loads(event["data"])["case_id"] for event in replayed]
                assert ids[:2] == [str(ours), str(marker)] and str(theirs) not in ids
                assert all(json.loads(event["data"])["municipality_code"] == "091" for event in replayed)
