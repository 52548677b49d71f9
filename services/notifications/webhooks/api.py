"""Webhook subscriptions (CONTRACT §6), for admins. Thin: parse, authorise, call service.py.
An admin sees and manages the subscriptions whose municipalities are all theirs (else 404)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from fastapi.exceptions import RequestValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.webhooks import service
from services.notifications.webhooks.delivery import wakeup
from services.notifications.webhooks.models import (
    DeliveryFilters,
    DeliveryRead,
    ReplayRequest,
    ReplayResult,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookSettings,
    WebhookSubscription,
    load_webhook_settings,
)
from shared.auth import CurrentStaff, require_role
from shared.pagination import Page, PageParams
from shared.refusals import found
from shared.service import ServiceContext, context_dependency, session_dependency

NotificationsContext = Annotated[ServiceContext, Depends(context_dependency("notifications"))]
Session = Annotated[AsyncSession, Depends(session_dependency("notifications"))]

router = APIRouter(prefix="/api/v1", tags=["webhooks"], dependencies=[require_role("admin")])


def webhook_settings(ctx: ServiceContext) -> WebhookSettings:
    return ctx.resources.get("webhook_settings") or ctx.resources.setdefault("webhook_settings", load_webhook_settings())


def invalid(field: str, message: str, value) -> RequestValidationError:
    """A 422 naming the field, like any other bad body."""
    return RequestValidationError([{"loc": ("body", field), "msg": message, "type": "value_error", "input": value}])


async def managed_subscription(subscription_id: UUID, user: CurrentStaff, session: Session) -> WebhookSubscription:
    return found(await service.get_subscription(session, user, subscription_id), "webhook_not_found")


ManagedSubscription = Annotated[WebhookSubscription, Depends(managed_subscription)]


def read(subscription: WebhookSubscription) -> WebhookRead:
    return WebhookRead.model_validate(subscription, from_attributes=True)


@router.post("/webhooks", status_code=201, response_model=WebhookCreated)
async def create_webhook(body: WebhookCreate, user: CurrentStaff, session: Session, ctx: NotificationsContext) -> WebhookCreated:
    """A subscription: `event_types` of `municipalities` (all of them the admin's own) are POSTed
    to `url`, signed with the secret answered here — shown only this once (docs/webhooks.md)."""
    beyond = sorted(set(body.municipalities) - set(user.municipalities))
    if beyond:
        raise invalid("municipalities", f"not among your municipalities: {', '.join(beyond)}", body.municipalities)
    refusal = await service.refusal_of_target(body.url, ctx.settings, webhook_settings(ctx))
    if refusal:
        raise invalid("url", f"url {refusal}", body.url)
    subscription, secret = await service.create_subscription(session, user, body, ctx.settings.data_key_bytes)
    await session.commit()
    return WebhookCreated(id=subscription.id, secret=secret)


@router.get("/webhooks", response_model=list[WebhookRead])
async def list_webhooks(user: CurrentStaff, session: Session) -> list[WebhookRead]:
    return [read(subscription) for subscription in await service.visible_subscriptions(session, user)]


@router.get("/webhooks/{subscription_id}", response_model=WebhookRead)
async def get_webhook(subscription: ManagedSubscription) -> WebhookRead:
    return read(subscription)


@router.delete("/webhooks/{subscription_id}", status_code=204)
async def delete_webhook(subscription: ManagedSubscription, session: Session) -> Response:
    await service.delete_subscription(session, subscription)
    await session.commit()
    return Response(status_code=204)


@router.post("/webhooks/{subscription_id}/secret", response_model=WebhookCreated)
async def rotate_webhook_secret(subscription: ManagedSubscription, session: Session, ctx: NotificationsContext) -> WebhookCreated:
    """A new secret, shown once. For KOTOPOLKU_WEBHOOK_ROTATION_GRACE_SECONDS (a day by default)
    each delivery carries two signatures, with the new secret and the old one."""
    grace = timedelta(seconds=webhook_settings(ctx).rotation_grace_seconds)
    secret = await service.rotate_secret(session, subscription, ctx.settings.data_key_bytes, grace)
    await session.commit()
    return WebhookCreated(id=subscription.id, secret=secret)


@router.get("/webhooks/{subscription_id}/deliveries", response_model=Page[DeliveryRead])
async def list_deliveries(
    subscription: ManagedSubscription, session: Session, pagination: PageParams, filters: Annotated[DeliveryFilters, Query()]
):
    """The delivery log, newest first: each event with its `webhook-id`, attempts and last answer."""
    return await service.list_deliveries(session, subscription, filters, pagination)


@router.post("/webhooks/{subscription_id}/replay", response_model=ReplayResult)
async def replay_deliveries(subscription: ManagedSubscription, body: ReplayRequest, session: Session, ctx: NotificationsContext) -> ReplayResult:
    """Enable the subscription again and send now: the deliveries named, or all recorded since a
    time, or (neither given) every one still waiting."""
    replayed = await service.replay(session, subscription, body)
    await session.commit()
    wakeup(ctx).wake()
    return ReplayResult(replayed=replayed)
