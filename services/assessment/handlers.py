"""The assessment service's AMQP handlers."""

from __future__ import annotations

from shared.subscription import Subscription
from shared.service import ServiceContext


def subscriptions(ctx: ServiceContext) -> list[Subscription]:
    return []
