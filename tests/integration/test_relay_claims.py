"""What a relay's claim costs the database (SQLite and PostgreSQL): its count for the gauges, one
write that finds the oldest free rows and leases them, and one look at the earlier rows of their
keys — the rows of a key another relay holds are let go again in the same transaction."""

from __future__ import annotations

import uuid

from shared.envelope import Envelope
from shared.relays import OutboxRelay
from support import an_event, statements_sent, write_events


def about(subject: str, n: int) -> Envelope:
    return an_event("test.claimed", n, subject=subject)


async def claim_counting(database, relay: OutboxRelay) -> tuple[list, list[str]]:
    """The rows claimed, and the kind of each statement the claim sent."""
    with statements_sent(database) as sent:
        claimed = await relay.claim()
    return claimed, [statement.split(" ")[0] for statement in sent]


async def test_a_claim_is_a_count_one_leasing_write_and_a_look_at_earlier_rows(database, connection):
    first, second = OutboxRelay(database, connection), OutboxRelay(database, connection)
    await first.claim()  # its first round forgets old sent rows: not what is counted below
    await second.claim()
    a, b = f"case-{uuid.uuid4()}", f"case-{uuid.uuid4()}"
    await write_events(database, about(a, 1), about(a, 2))
    claimed, sent = await claim_counting(database, first)
    assert [row.ordering_key for row in claimed] == [a, a]
    assert sent == ["SELECT", "UPDATE", "SELECT"]

    # The first relay holds a's rows: a's next row waits for them, b's goes.
    await write_events(database, about(a, 3), about(b, 1))
    claimed, sent = await claim_counting(database, second)
    assert [row.ordering_key for row in claimed] == [b]
    assert sent == ["SELECT", "UPDATE", "SELECT", "UPDATE"]  # a's row let go again
