"""What a webhook may target (https, no SSRF) and how its deliveries are signed."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

import pytest
from standardwebhooks.webhooks import Webhook

from services.notifications.webhooks.models import WebhookCreate, WebhookSettings
from services.notifications.webhooks.service import new_secret, refusal_of_target, signature
from shared.settings import load_settings

PRODUCTION = dict(
    environment="production",
    jwt_secret="x" * 40,
    jwt_issuer="https://login.example.fi",
    data_key=base64.b64encode(b"p" * 32).decode(),
)


@pytest.fixture
def development(tmp_path):
    return load_settings(var_dir=tmp_path)


@pytest.fixture
def production(tmp_path):
    return load_settings(var_dir=tmp_path, **PRODUCTION)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/hook", "http://localhost:9000/", "https://127.0.0.1/hook", "https://93.184.215.14/hook"],
)
async def test_development_allows_its_own_machine_and_public_https(development, url):
    assert await refusal_of_target(url, development, WebhookSettings()) is None


@pytest.mark.parametrize(
    "url, because",
    [
        ("http://93.184.215.14/hook", "must be https://"),
        ("ftp://93.184.215.14/hook", "must be an https:// URL"),
        ("https://user:pw@93.184.215.14/", "user name or password"),
        ("https://10.1.2.3/hook", "private address"),
        ("https://192.168.0.10/hook", "private address"),
        ("https://169.254.169.254/latest/meta-data", "private address"),  # the cloud metadata service
        ("https://[::1]/hook", "private address"),
        ("https://[::ffff:10.0.0.1]/hook", "private address"),
        ("https://100.64.0.1/hook", "private address"),
        ("https://0.0.0.0/hook", "private address"),
        ("https://93.184.215.14:99999/", "not a valid URL"),
        ("https://nothing-here.invalid/hook", "cannot be resolved"),
    ],
)
async def test_refused_targets_say_why(development, url, because):
    assert because in await refusal_of_target(url, development, WebhookSettings())


async def test_outside_development_loopback_and_http_are_refused(production):
    assert "must be https://" in await refusal_of_target("http://127.0.0.1:8080/hook", production, WebhookSettings())
    assert "private address" in await refusal_of_target("https://127.0.0.1/hook", production, WebhookSettings())
    assert await refusal_of_target("https://93.184.215.14/hook", production, WebhookSettings()) is None


async def test_the_operator_may_allow_private_targets(production):
    allowed = WebhookSettings(allow_private_targets=True)
    assert await refusal_of_target("https://10.1.2.3/hook", production, allowed) is None
    assert "must be https://" in await refusal_of_target("http://10.1.2.3/hook", production, allowed)


def test_the_setting_is_read_from_its_variable(monkeypatch):
    monkeypatch.setenv("KOTOPOLKU_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
    monkeypatch.setenv("KOTOPOLKU_WEBHOOK_DISABLE_AFTER_SECONDS", "60")
    settings = WebhookSettings()
    assert settings.allow_private_targets and settings.disable_after_seconds == 60


def test_signatures_are_what_standard_webhooks_verifies():
    secret = new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    body = json.dumps({"specversion": "1.0", "id": "1", "data": {"municipality_code": "109"}}).encode()
    timestamp = int(datetime.now(timezone.utc).timestamp())
    header = signature(secret, "msg_1", timestamp, body)
    Webhook(secret).verify(body, {"webhook-id": "msg_1", "webhook-timestamp": str(timestamp), "webhook-signature": header})
    assert header == Webhook(secret).sign("msg_1", datetime.fromtimestamp(timestamp, timezone.utc), body.decode())


def test_a_subscription_names_kotopolku_event_types_and_real_municipalities():
    with pytest.raises(ValueError, match="not a Kotopolku event type"):
        WebhookCreate(url="https://x.example/", event_types=["case.updated"], municipalities=["109"])
    with pytest.raises(ValueError, match="not a municipality code"):
        WebhookCreate(url="https://x.example/", event_types=["fi.kotopolku.case.updated.v1"], municipalities=["000"])


def test_a_bad_setting_names_its_variable(monkeypatch):
    from services.notifications.webhooks.models import load_webhook_settings
    from shared.settings import ConfigurationError

    monkeypatch.setenv("KOTOPOLKU_WEBHOOK_TIMEOUT_SECONDS", "0")
    with pytest.raises(ConfigurationError, match="KOTOPOLKU_WEBHOOK_TIMEOUT_SECONDS"):
        load_webhook_settings()
