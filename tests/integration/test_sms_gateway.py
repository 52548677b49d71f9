"""The HTTP SMS gateway adapter against a real HTTP server on this machine: the JSON it posts, its
bearer token and idempotency key, and that a refusal or an unreachable gateway leaves the message
to be retried."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services.notifications.client_messages.models import ClientMessage
from services.notifications.client_messages.sms import HttpSmsGateway, SmsNotSent, provider
from shared.settings import load_settings
from support import free_port


class Gateway(BaseHTTPRequestHandler):
    received: list[tuple[dict, dict]] = []
    answer = 202

    def do_POST(self):  # http.server's handler interface
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received.append((dict(self.headers), body))
        self.send_response(Gateway.answer)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.received, Gateway.answer = [], 202
    yield f"http://127.0.0.1:{server.server_address[1]}/sms"
    server.shutdown()


def message() -> ClientMessage:
    at = datetime.now(timezone.utc)
    return ClientMessage(
        id=uuid.uuid4(), case_id=uuid.uuid4(), client_id=uuid.uuid4(), municipality_code="091", kind="plan_made",
        channel="sms", language="uk", to="+358401234567", text="Helsinki: Ваш план інтеграції складено 1.2.2030.",
        next_attempt_at=at, created_at=at,
    )


async def test_the_gateway_gets_the_message_as_json_with_the_bearer_token(gateway):
    sent = message()
    await HttpSmsGateway(gateway, "secret-token", "Helsinki").send(sent, datetime.now(timezone.utc))
    [(headers, body)] = Gateway.received
    assert headers["Authorization"] == "Bearer secret-token"
    assert headers["Idempotency-Key"] == str(sent.id)
    assert body == {"to": "+358401234567", "text": sent.text, "sender": "Helsinki", "language": "uk", "reference": str(sent.id)}


async def test_a_refusing_or_absent_gateway_leaves_the_message_for_a_retry(gateway):
    Gateway.answer = 503
    with pytest.raises(SmsNotSent, match="503"):
        await HttpSmsGateway(gateway, None, "Kotopolku").send(message(), datetime.now(timezone.utc))
    with pytest.raises(SmsNotSent, match="unreachable"):
        await HttpSmsGateway(f"http://127.0.0.1:{free_port()}/sms", None, "Kotopolku").send(message(), datetime.now(timezone.utc))


def test_the_gateway_is_used_when_configured_else_the_file_in_development_only(tmp_path):
    assert isinstance(provider(load_settings(var_dir=tmp_path, sms_gateway_url="https://sms.example/send")), HttpSmsGateway)
    assert provider(load_settings(var_dir=tmp_path)).path == tmp_path / "sms.jsonl"
    production = load_settings(var_dir=tmp_path).model_copy(update={"environment": "production"})
    assert provider(production) is None  # marked not sent for staff to see, never a file nobody reads
