"""Liveness, readiness and start-up failures that name what is missing."""

from __future__ import annotations

import pytest

from services.runner import Runtime, StartupError
from support import free_port, make_settings, running


@pytest.fixture
def settings(embedded_settings):
    return embedded_settings


async def test_ready_when_everything_answers_and_503_naming_the_part_that_does_not(settings):
    async with running(settings) as (runtime, http):
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        ready = await http.get("/readyz")
        assert ready.status_code == 200
        assert set(ready.json()["checks"]) == {
            "database:intake", "database:assessment", "database:planning", "database:notifications", "rabbitmq", "temporal",
        }

        await runtime.amqp.close()  # the broker connection is lost
        not_ready = await http.get("/readyz", headers={"Accept-Language": "sv"})
        assert not_ready.status_code == 503
        body = not_ready.json()
        assert body["checks"]["rabbitmq"].startswith("down")
        assert body["checks"]["temporal"] == "ok"
        assert body["message"] == "Tjänsten är inte redo: rabbitmq svarar inte."
        assert body["messages"]["fi"] == "Palvelu ei ole valmis: rabbitmq ei vastaa."


async def test_start_fails_naming_rabbitmq_and_how_to_start_it(tmp_path, temporal_address):
    settings = make_settings(
        tmp_path, amqp_url=f"amqp://guest:guest@127.0.0.1:{free_port()}/", temporal_address=temporal_address, database_url=None
    )
    runtime = Runtime(settings, connect_timeout=0.5)
    with pytest.raises(StartupError, match=r"RabbitMQ is not reachable .*rabbitmq-server -detached"):
        await runtime.start()
    await runtime.stop()


async def test_start_fails_naming_temporal_and_how_to_start_it(tmp_path, amqp_url):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=f"127.0.0.1:{free_port()}", database_url=None)
    runtime = Runtime(settings, connect_timeout=0.5)
    with pytest.raises(StartupError, match=r"Temporal is not reachable .*temporal server start-dev"):
        await runtime.start()
    await runtime.stop()
