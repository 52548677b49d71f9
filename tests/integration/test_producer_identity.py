"""A producer is who the broker says it is (the AMQP user_id RabbitMQ validates), not who its
event says it is; a move, a jobseeker registration or a service report comes only from a system of
the municipality the client lives in, and a refusal never tells where that is."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from datetime import date
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

from shared.contracts import INBOUND_DEAD_QUEUE, JOBSEEKER_REGISTERED, RESIDENT_MOVED, SERVICE_REPORTED
from shared.envelope import STRUCTURED_CONTENT_TYPE
from support import dead_letters, event, eventually, make_settings, publish, register_source, registration, running, token

HAMEENLINNA = "urn:kotopolku:system:hameenlinna-register"
VAASA = "urn:kotopolku:system:vaasa-register"


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url):
    """Short retry pauses: a client not known yet is looked for again soon."""
    return make_settings(
        tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url, retry_delays_seconds=[0.2, 0.2],
    )


@pytest.fixture
def broker_user(amqp_url):
    """A RabbitMQ user of its own, allowed to write to kotopolku.inbound only (as deploy/rabbitmq
    defines one per producing system)."""
    rabbitmqctl = shutil.which("rabbitmqctl")
    if rabbitmqctl is None:
        pytest.fail("this test makes a RabbitMQ user: it needs rabbitmqctl on the PATH (make test has it)", pytrace=False)
    name, password = f"producer-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    vhost = urlsplit(amqp_url).path.lstrip("/") or "/"
    subprocess.run([rabbitmqctl, "add_user", name, password], capture_output=True, check=True)
    subprocess.run(
        [rabbitmqctl, "set_permissions", "-p", vhost, name, "^$", "^kotopolku\\.inbound$", "^$"], capture_output=True, check=True
    )
    parts = urlsplit(amqp_url)
    url = urlunsplit(parts._replace(netloc=f"{name}:{password}@{parts.hostname}:{parts.port or 5672}", path="/" + quote(vhost, safe="")))
    yield name, url
    subprocess.run([rabbitmqctl, "delete_user", name], capture_output=True)


async def cases(http, settings, municipality: str) -> list[dict]:
    return (await http.get("/api/v1/cases", headers=token(settings, municipality))).json()["items"]


async def test_the_broker_user_not_the_event_decides_who_published(settings, amqp_url, broker_user):
    name, producer_url = broker_user
    async with running(settings, producer_registered=False) as (runtime, http):
        await register_source(runtime, HAMEENLINNA, ["109"], broker_user=name)
        # Kotopolku's own login (anyone holding a shared login) can't speak for the register …
        await publish(amqp_url, event(registration(municipality_code="109"), source=HAMEENLINNA))
        # … nor a message without user_id, even when its CloudEvent claims one.
        claimed = json.loads(event(registration(municipality_code="109"), source=HAMEENLINNA).to_json())
        claimed.update({"_broker_user": name, "broker_user": name})
        await publish(amqp_url, body=json.dumps(claimed).encode(), content_type=STRUCTURED_CONTENT_TYPE,
                      routing_key=claimed["type"], user_id=None)
        reasons = [message.headers["x-kotopolku-error"] for message in await dead_letters(amqp_url, INBOUND_DEAD_QUEUE, wanted=2)]
        assert reasons == [
            f"source '{HAMEENLINNA}' publishes as broker user '{name}', not 'guest'",
            f"the message has no AMQP user_id: source '{HAMEENLINNA}' must publish as broker user '{name}' and set user_id",
        ]
        # The register's own user, with write access to kotopolku.inbound only, is accepted.
        await publish(producer_url, event(registration(municipality_code="109"), source=HAMEENLINNA), user_id=name, declare=False)
        assert len(await eventually(lambda: cases(http, settings, "109"), what="the register's event")) == 1


async def test_a_source_added_without_a_broker_user_accepts_the_default_login(settings, amqp_url):
    async with running(settings, producer_registered=False) as (runtime, http):
        await register_source(runtime, HAMEENLINNA, ["109"])  # as `kotopolku sources add` without --broker-user
        await publish(amqp_url, event(registration(municipality_code="109"), source=HAMEENLINNA))
        assert len(await eventually(lambda: cases(http, settings, "109"), what="the event of the default login")) == 1


async def test_a_move_comes_only_from_the_municipality_the_client_lives_in_and_its_refusal_tells_nothing(settings, amqp_url):
    data = registration(municipality_code="109")
    async with running(settings, producer_registered=False) as (runtime, http):
        await register_source(runtime, HAMEENLINNA, ["109"])
        await register_source(runtime, VAASA, ["905"])
        await publish(amqp_url, event(data, source=HAMEENLINNA))
        [case] = await eventually(lambda: cases(http, settings, "109"), what="the registered case")

        def move(ref: dict) -> dict:
            return {"person_ref": ref, "from_municipality_code": "109", "to_municipality_code": "905",
                    "moved_on": date.today().isoformat()}

        # Vaasa's system claims the client moved to Vaasa, became a jobseeker there, or took part in
        # a Vaasa service: not its client; the refusals do not tell where the client lives.
        client = {"client_id": case["client_id"]}
        await publish(amqp_url, event(move(client), type=RESIDENT_MOVED, source=VAASA))
        jobseeker = {"person_ref": client, "municipality_code": "905", "registered_on": date.today().isoformat()}
        await publish(amqp_url, event(jobseeker, type=JOBSEEKER_REGISTERED, source=VAASA))
        service = {"person_ref": client, "service_code": "VAASA-1", "status": "started", "on": date.today().isoformat()}
        await publish(amqp_url, event(service, type=SERVICE_REPORTED, source=VAASA))
        # A client nobody knows (yet) is looked for again, as for any report: the registration may be on its way.
        await publish(amqp_url, event(move({"client_id": str(uuid.uuid4())}), type=RESIDENT_MOVED, source=VAASA))
        reasons = [message.headers["x-kotopolku-error"] for message in await dead_letters(amqp_url, INBOUND_DEAD_QUEUE, wanted=4)]
        refused = f"source '{VAASA}' may report {{}} only for a client living in a municipality it is registered for"
        assert sorted(reasons) == sorted([
            refused.format("a move"), refused.format("a jobseeker registration"), refused.format("a service"),
            "gave up after 3 attempts: ClientNotKnown: no client found by person_ref.client_id",
        ])
        assert not any("109" in reason for reason in reasons)
        assert (await cases(http, settings, "905")) == []

        # The system of the municipality the client lives in moves the case.
        await publish(amqp_url, event(move({"client_id": case["client_id"]}), type=RESIDENT_MOVED, source=HAMEENLINNA))
        [moved] = await eventually(lambda: cases(http, settings, "905"), what="the case in Vaasa")
        assert moved["case_id"] == case["case_id"]
