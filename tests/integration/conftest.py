"""What the integration tests share beyond tests/conftest.py."""

from __future__ import annotations

import aio_pika
import pytest


@pytest.fixture
async def connection(amqp_url):
    """A robust connection to the test broker, as the services hold one."""
    connection = await aio_pika.connect_robust(amqp_url)
    yield connection
    await connection.close()
