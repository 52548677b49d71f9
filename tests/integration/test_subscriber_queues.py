"""A system that subscribes to Kotopolku's events (the employment authority) has its queue and its
user in deploy/rabbitmq/definitions.json: on a real broker, with exactly those permissions and that
binding, it receives the hand-over events of jobseekers and nothing else, and can read nothing else."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import aio_pika
import pytest
from aiormq.exceptions import ChannelAccessRefused

from shared.contracts import EVENTS_EXCHANGE
from shared.messaging import declare_exchanges

DEFINITIONS = json.loads((Path(__file__).parents[2] / "deploy" / "rabbitmq" / "definitions.json").read_text())
USER = "consumer-employment-authority"


def defined(kind: str, **match) -> list[dict]:
    return [entry for entry in DEFINITIONS[kind] if all(entry.get(key) == value for key, value in match.items())]


@pytest.fixture
def subscriber(amqp_url):
    """A user with the permissions the definitions give the employment authority's user."""
    rabbitmqctl = shutil.which("rabbitmqctl")
    if rabbitmqctl is None:
        pytest.fail("this test makes a RabbitMQ user: it needs rabbitmqctl on the PATH (make test has it)", pytrace=False)
    [permissions] = defined("permissions", user=USER)
    name, password = f"{USER}-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    vhost = urlsplit(amqp_url).path.lstrip("/") or "/"
    subprocess.run([rabbitmqctl, "add_user", name, password], capture_output=True, check=True)
    subprocess.run(
        [rabbitmqctl, "set_permissions", "-p", vhost, name, permissions["configure"], permissions["write"], permissions["read"]],
        capture_output=True, check=True,
    )
    parts = urlsplit(amqp_url)
    yield urlunsplit(parts._replace(netloc=f"{name}:{password}@{parts.hostname}:{parts.port or 5672}", path="/" + quote(vhost, safe="")))
    subprocess.run([rabbitmqctl, "delete_user", name], capture_output=True)


async def test_the_employment_authority_reads_jobseekers_hand_over_and_nothing_else(amqp_url, subscriber):
    [permissions] = defined("permissions", user=USER)
    [binding] = [b for b in DEFINITIONS["bindings"] if permissions["read"].strip("^$").replace("\\.", ".") == b["destination"]]
    queue_name = binding["destination"]
    [queue] = defined("queues", name=queue_name)

    # As the definitions make them (the operator's broker loads them at boot).
    async with await aio_pika.connect(amqp_url) as admin:
        channel = await admin.channel(publisher_confirms=True)
        await declare_exchanges(channel)
        declared = await channel.declare_queue(queue_name, durable=queue["durable"], arguments=queue["arguments"])
        await declared.purge()
        await declared.bind(binding["source"], routing_key=binding["routing_key"])
        await channel.declare_queue("kotopolku.notifications", durable=True)
        events = await channel.get_exchange(EVENTS_EXCHANGE)
        for event_type in ("fi.kotopolku.jobseeker.plan.made.v1", "fi.kotopolku.plan.made.v1",
                           "fi.kotopolku.case.updated.v1", "fi.kotopolku.jobseeker.assessment.completed.v1"):
            await events.publish(aio_pika.Message(json.dumps({"type": event_type}).encode()), routing_key=event_type)

    async with await aio_pika.connect(subscriber) as connection:
        channel = await connection.channel()
        own = await channel.get_queue(queue_name, ensure=False)
        received = []
        while (message := await own.get(fail=False)) is not None:
            received.append(json.loads(message.body)["type"])
            await message.ack()
        assert received == ["fi.kotopolku.jobseeker.plan.made.v1", "fi.kotopolku.jobseeker.assessment.completed.v1"]

        with pytest.raises(ChannelAccessRefused):  # Kotopolku's own queues are not its to read
            theirs = await (await connection.channel()).get_queue("kotopolku.notifications", ensure=False)
            await theirs.get(fail=False)
        with pytest.raises(ChannelAccessRefused):  # nor may it make queues of its own
            await (await connection.channel()).declare_queue(f"employment-authority.{uuid.uuid4().hex[:6]}")
