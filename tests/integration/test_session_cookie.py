"""The dashboard's session cookie is Secure when people arrive over HTTPS: told by a proxy that
KOTOPOLKU_FORWARDED_ALLOW_IPS trusts (X-Forwarded-Proto), or when KOTOPOLKU_PUBLIC_URL is https."""

from __future__ import annotations

import base64
import os

import httpx

from services.cli import uvicorn_config
from shared.auth import SESSION_COOKIE
from support import app_of, free_port, make_settings, running, serving, token


def production_like(tmp_path, amqp_url, temporal_address, **overrides):
    secrets = {"jwt_secret": base64.b64encode(os.urandom(32)).decode(), "data_key": base64.b64encode(os.urandom(32)).decode()}
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None, **secrets, **overrides)


async def cookie_of(client: httpx.AsyncClient, url: str, settings, **headers) -> str:
    bearer = token(settings, "109")["Authorization"].removeprefix("Bearer ")
    answer = await client.post(f"{url}/session", data={"token": bearer}, headers=headers, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    [cookie] = [value for value in answer.headers.get_list("set-cookie") if value.startswith(SESSION_COOKIE)]
    return cookie.lower()


async def test_the_cookie_is_secure_behind_a_trusted_proxy_only(tmp_path, amqp_url, temporal_address):
    for trusted, secure in (("127.0.0.1", True), ("10.9.8.7", False)):
        settings = production_like(tmp_path / trusted, amqp_url, temporal_address, forwarded_allow_ips=trusted)
        async with running(settings, ["notifications"]) as (runtime, _http):
            port = free_port()
            app = app_of(runtime)
            async with serving(app, port, uvicorn_config(app, settings, "127.0.0.1", port)) as url, httpx.AsyncClient() as client:
                assert ("; secure" in await cookie_of(client, url, settings, **{"X-Forwarded-Proto": "https"})) is secure
                assert "; secure" not in await cookie_of(client, url, settings)  # plain http, no proxy


async def test_the_cookie_is_secure_when_the_public_address_is_https(tmp_path, amqp_url, temporal_address):
    settings = production_like(tmp_path, amqp_url, temporal_address, public_url="https://kotopolku.example.fi")
    async with running(settings, ["notifications"]) as (runtime, http):
        assert "; secure" in await cookie_of(http, "", settings)
