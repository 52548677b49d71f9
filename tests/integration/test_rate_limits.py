"""Rate limits of the staff API and of opening live streams (shared/ratelimit.py), per user."""

from __future__ import annotations

from shared.ratelimit import limiter
from support import make_settings, running, token


async def test_a_staff_member_has_a_request_budget_and_others_keep_theirs(tmp_path, amqp_url, temporal_address, database_url):
    settings = make_settings(
        tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url,
        staff_requests_per_minute=3, live_stream_opens_per_minute=1,
    )
    async with running(settings) as (runtime, http):
        sari, other = token(settings, "109", sub="sari"), token(settings, "109", sub="olli")
        assert [(await http.get("/api/v1/cases", headers=sari)).status_code for _ in range(3)] == [200, 200, 200]
        refused = await http.get("/api/v1/cases", headers={**sari, "Accept-Language": "fi"})
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        detail = refused.json()["detail"]
        assert detail["code"] == "too_many_requests" and set(detail["messages"]) == {"fi", "sv", "en"}
        assert (await http.get("/api/v1/cases", headers=other)).status_code == 200

        # Live streams: one opening a minute here. The first opening is spent directly (an open
        # stream would not end under the test's in-process transport); the next is refused before
        # the stream answers.
        ctx = runtime.contexts["notifications"]
        opens = limiter(ctx.resources, "live_stream_opens", settings.live_stream_opens_per_minute, 60)
        assert opens.take("olli") == 0
        again = await http.get("/api/v1/cases/stream", headers=other)
        assert again.status_code == 429 and again.json()["detail"]["code"] == "too_many_requests"


async def test_a_command_reading_its_case_back_counts_once(tmp_path, amqp_url, temporal_address, database_url):
    """An assessment command answers with the case read back from notifications with the user's
    own token, polling until it shows the change: that read-back is not charged to the user."""
    from support import event, eventually, publish, registration

    settings = make_settings(
        tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url, staff_requests_per_minute=4,
    )
    async with running(settings) as (runtime, http):
        await publish(amqp_url, event(registration(municipality_code="109")))
        watcher, sari = token(settings, "109", sub="watcher"), token(settings, "109", sub="sari")
        [case] = await eventually(lambda: _items(http, watcher), interval=1, what="the case")
        started = await http.post(f"/api/v1/cases/{case['case_id']}/assessment/start", json={}, headers=sari)
        assert started.status_code == 200, started.text
        assert (await http.get(f"/api/v1/cases/{case['case_id']}", headers=sari)).status_code == 200
        # A forged read-back proof doesn't make requests free.
        forged = {**sari, "x-kotopolku-read-back": "0" * 64}
        codes = [(await http.get("/api/v1/cases", headers=forged)).status_code for _ in range(3)]
        assert 429 in codes


async def _items(http, headers):
    return (await http.get("/api/v1/cases", headers=headers)).json()["items"]
