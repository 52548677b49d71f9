"""Dead letters wait with their reason and go back once the cause is fixed (an operator command)."""

from __future__ import annotations

from shared.contracts import INBOUND_DEAD_QUEUE
from shared.dead_letters import replay, summarise
from support import PRODUCER, event, eventually, publish, register_source, registration, running, token


async def test_events_dead_lettered_for_a_missing_registration_are_replayed_once_it_is_made(settings):
    async with running(settings, producer_registered=False) as (runtime, http):
        sent = [registration(external_ref=f"ref-replay-{n}") for n in range(3)]
        for data in sent:
            await publish(settings.amqp_url, event(data))

        async def dead() -> bool:
            return (await summarise(settings.amqp_url, INBOUND_DEAD_QUEUE)).count == 3

        await eventually(dead, what="the unregistered producer's events dead-lettered")
        summary = await summarise(settings.amqp_url, INBOUND_DEAD_QUEUE)
        [(reason, count)] = summary.reasons.items()
        assert count == 3 and PRODUCER in reason  # the reason names the unregistered source

        # The municipality registers its system; the operator sends the events back.
        await register_source(runtime)
        assert await replay(settings.amqp_url, INBOUND_DEAD_QUEUE) == 3
        assert await replay(settings.amqp_url, INBOUND_DEAD_QUEUE) == 0  # nothing left, nothing twice

        async def cases():
            listed = (await http.get("/api/v1/cases", headers=token(settings, "109"))).json()["items"]
            return len(listed) == 3 and listed

        await eventually(cases, what="a case for each replayed registration")
        assert (await summarise(settings.amqp_url, INBOUND_DEAD_QUEUE)).count == 0
