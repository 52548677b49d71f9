"""The development secrets are published with the source: with them anyone can mint a staff token.
A service using them answers only requests made on this machine: one that a proxy forwarded
(X-Forwarded-For, Forwarded) may come from anywhere, even through a proxy on the same host in front
of a loopback listener, and is refused, through a real uvicorn as `kotopolku serve` runs it."""

from __future__ import annotations

import base64
import os

import httpx
import pytest

from services.cli import uvicorn_config
from support import app_of, free_port, make_settings, running, serving, token

FORWARDED = [{"X-Forwarded-For": "203.0.113.7"}, {"Forwarded": "for=203.0.113.7;proto=https"}, {"X-Forwarded-For": "127.0.0.1"}]


@pytest.mark.parametrize("own_secrets", [False, True], ids=["development-secrets", "own-secrets"])
async def test_a_request_through_a_proxy_is_refused_while_the_development_secrets_are_in_use(tmp_path, amqp_url, temporal_address, own_secrets):
    secrets = {"jwt_secret": base64.b64encode(os.urandom(32)).decode(), "data_key": base64.b64encode(os.urandom(32)).decode()} if own_secrets else {}
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None, **secrets)
    assert settings.uses_development_secrets is not own_secrets
    staff = token(settings, "109")
    async with running(settings, ["notifications"]) as (runtime, _http):
        port = free_port()
        app = app_of(runtime)
        async with serving(app, port, uvicorn_config(app, settings, "127.0.0.1", port)) as url, httpx.AsyncClient(base_url=url) as client:
            assert (await client.get("/api/v1/cases", headers=staff)).status_code == 200  # straight from this machine
            for headers in FORWARDED:
                answer = await client.get("/api/v1/cases", headers={**staff, **headers, "Accept-Language": "sv"})
                if own_secrets:
                    assert answer.status_code == 200, answer.text
                    continue
                assert answer.status_code == 403, (headers, answer.text)
                detail = answer.json()["detail"]
                assert detail["code"] == "development_secrets_behind_proxy" and "KOTOPOLKU_JWT_SECRET" in detail["message"]
                assert set(detail["messages"]) >= {"fi", "sv", "en"} and "proxy" in detail["message"]
