"""The delivery loop: sends recorded deliveries after their commit, never inside a transaction.

Each round claims what is due (committed), POSTs each claimed delivery with no session open,
then settles the outcomes in a new transaction. A subscription's deliveries go out one after
another; different subscriptions are served side by side, so one slow receiver (at most
KOTOPOLKU_WEBHOOK_TIMEOUT_SECONDS) holds up only its own."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from datetime import timedelta

import httpx
import structlog

from services.notifications.webhooks import service
from services.notifications.webhooks.models import WebhookDelivery, WebhookSettings, WebhookSubscription
from shared import metrics
from shared.clock import now, wait_at_most
from shared.db import Database
from shared.service import ServiceContext
from shared.settings import Settings
from shared.tracing import TRACEPARENT, SpanKind, current_traceparent, span, traceparent_in

log = structlog.get_logger(__name__)

CONTENT_TYPE = "application/cloudevents+json"
IDLE_SECONDS = 5.0  # a look even when not woken: deliveries another process recorded, retries come due


class Wakeup:
    """Set when the consumer commits new deliveries in this process: the loop sends at once."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    def wake(self) -> None:
        self.event.set()

    async def wait(self, seconds: float) -> None:
        await wait_at_most(seconds, self.event.wait())
        self.event.clear()


def wakeup(ctx: ServiceContext) -> Wakeup:
    """The service's one wake-up of the delivery loop, shared by its consumer, its routes and the loop."""
    return ctx.resources.setdefault("webhook_wakeup", Wakeup())


class WebhookDeliveryLoop:
    def __init__(self, database: Database, settings: Settings, wakeup: Wakeup, webhook_settings: WebhookSettings | None = None) -> None:
        self.database = database
        self.settings = settings
        self.webhook_settings = webhook_settings or WebhookSettings()
        self.wakeup = wakeup

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=self.webhook_settings.timeout_seconds, follow_redirects=False) as client:
            while True:
                sent = await self.deliver_due(client)
                if not sent:
                    await self.wakeup.wait(await self._idle_seconds())

    async def _idle_seconds(self) -> float:
        async with self.database.session() as session:
            metrics.webhook_oldest_pending_seconds.set(await service.oldest_pending_age(session))
            due = await service.next_due(session)
        if due is None:
            return IDLE_SECONDS
        return min(IDLE_SECONDS, max(0.05, (due - now()).total_seconds()))

    async def deliver_due(self, client: httpx.AsyncClient) -> int:
        """One round; how many deliveries were attempted."""
        lease = timedelta(seconds=self.webhook_settings.timeout_seconds + 5)  # a dead sender's claim ends soon after its POST would have
        async with self.database.session() as session:
            claimed = await service.claim_due(session, lease)
        by_subscription: dict = defaultdict(list)
        for delivery, subscription in claimed:
            by_subscription[subscription.id].append((delivery, subscription))
        await asyncio.gather(*(self._deliver_in_turn(client, items) for items in by_subscription.values()))
        return len(claimed)

    async def _deliver_in_turn(self, client: httpx.AsyncClient, items: list[tuple[WebhookDelivery, WebhookSubscription]]) -> None:
        for delivery, subscription in items:
            status, error = await self._post(client, delivery, subscription)
            async with self.database.session() as session:
                if error is None:
                    await service.settle_delivered(session, delivery.id, status)
                    disabled = False
                else:
                    disabled = await service.settle_failed(session, delivery.id, status, error, self.webhook_settings)
                await session.commit()
            if error is None:
                metrics.webhook_deliveries_sent.inc()
                continue
            metrics.webhook_deliveries_failed.inc()
            log.warning("webhook not delivered yet", webhook_id=delivery.webhook_id, subscription_id=str(subscription.id), error=error)
            if disabled:
                log.warning("webhook subscription disabled after failing too long", subscription_id=str(subscription.id))
            # The rest of this subscription's round waits: its receiver is failing (and a case's
            # later events must not overtake the one that failed).
            return

    async def _post(self, client: httpx.AsyncClient, delivery: WebhookDelivery, subscription: WebhookSubscription) -> tuple[int | None, str | None]:
        """(the receiver's status, why it failed — None when acknowledged)."""
        # Checked again at each attempt: the name may resolve elsewhere than when it was created.
        refusal = await service.refusal_of_target(subscription.url, self.settings, self.webhook_settings)
        if refusal:
            return None, f"url {refusal}"
        body = delivery.body.encode()
        timestamp = int(time.time())
        signing = service.signing_secrets(subscription, self.settings.data_key_bytes, now())
        headers = {
            "content-type": CONTENT_TYPE,
            "webhook-id": delivery.webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(service.signature(secret, delivery.webhook_id, timestamp, body) for secret in signing),
            "user-agent": "Kotopolku-Webhooks/1",
        }
        # The event's trace goes on to the receiver (its `traceparent` header), attempt by attempt.
        with span(f"webhook {delivery.event_type}", traceparent=traceparent_in(body), kind=SpanKind.CLIENT, webhook_id=delivery.webhook_id):
            traceparent = current_traceparent()
            if traceparent:
                headers[TRACEPARENT] = traceparent
            try:
                response = await client.post(subscription.url, content=body, headers=headers)
            except httpx.HTTPError as error:
                return None, f"{type(error).__name__}: {error}".strip()
        if 200 <= response.status_code < 300:
            return response.status_code, None
        return response.status_code, f"the receiver answered {response.status_code}"
