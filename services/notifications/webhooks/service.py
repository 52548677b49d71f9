"""The only writers of the webhook tables: subscriptions (created, listed, deleted, their secret
rotated), deliveries (recorded from events, claimed and settled by the delivery loop, replayed),
and what a target URL may be."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import secrets
import socket
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from uuid import UUID

from sqlalchemy import and_, func, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.models import Notification
from services.notifications.webhooks.models import (
    DeliveryFilters,
    DeliveryRead,
    ReplayRequest,
    WebhookCreate,
    WebhookDelivery,
    WebhookSettings,
    WebhookSubscription,
)
from shared.auth import StaffUser
from shared.clock import now
from shared.contracts import NotificationKind
from shared.crypto import seal, unseal
from shared.db import claim_rows
from shared.envelope import Envelope
from shared.pagination import Page, Pagination, paginate
from shared.settings import Settings

SECRET_PREFIX = "whsec_"
DEVELOPMENT_HOSTS = ("127.0.0.1", "localhost")


# --- targets: https only, and no SSRF -----------------------------------------------------------


async def refusal_of_target(url: str, settings: Settings, webhook_settings: WebhookSettings) -> str | None:
    """Why Kotopolku must not POST to this URL, or None. `http:` only to 127.0.0.1 or localhost on
    the development defaults; otherwise `https:` to a host whose every address is public, unless
    the operator allows private targets (KOTOPOLKU_WEBHOOK_ALLOW_PRIVATE_TARGETS)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a valid URL"
    host = parts.hostname
    if parts.scheme not in ("https", "http") or not host:
        return "must be an https:// URL"
    if parts.username or parts.password:
        return "must not carry a user name or password"
    development_loopback = settings.environment == "development" and host in DEVELOPMENT_HOSTS
    if development_loopback:
        return None
    if parts.scheme != "https":
        return "must be https:// (http:// is allowed only to 127.0.0.1 or localhost in development)"
    if webhook_settings.allow_private_targets:
        return None
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):  # no such name, or no name at all (e.g. a NUL in it)
        return f"its host {host} cannot be resolved"
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return (
                f"resolves to {address}, a loopback, link-local or private address "
                "(allowed only when the operator sets KOTOPOLKU_WEBHOOK_ALLOW_PRIVATE_TARGETS)"
            )
    return None


# --- secrets and signatures (Standard Webhooks) -------------------------------------------------


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """`v1,` + base64 HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed with the secret's bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signing_secrets(subscription: WebhookSubscription, data_key: bytes, at: datetime) -> list[str]:
    """The current secret, and during a rotation's grace period the previous one too: a receiver
    accepts a delivery if any signature matches, so it can switch secrets at its own pace."""
    found = [unseal(data_key, subscription.secret_sealed).decode()]
    if subscription.previous_secret_sealed and subscription.previous_secret_until and at < subscription.previous_secret_until:
        found.append(unseal(data_key, subscription.previous_secret_sealed).decode())
    return found


# --- subscriptions ------------------------------------------------------------------------------


def may_manage(user: StaffUser, subscription: WebhookSubscription) -> bool:
    """An admin manages the subscriptions whose municipalities are all theirs."""
    return set(subscription.municipalities) <= set(user.municipalities)


async def create_subscription(
    session: AsyncSession, user: StaffUser, body: WebhookCreate, data_key: bytes
) -> tuple[WebhookSubscription, str]:
    secret = new_secret()
    subscription = WebhookSubscription(
        id=uuid.uuid4(),
        url=body.url,
        event_types=body.event_types,
        municipalities=body.municipalities,
        created_by=user.sub,
        creator_municipalities=sorted(user.municipalities),
        created_at=now(),
        secret_sealed=seal(data_key, secret.encode()),
    )
    session.add(subscription)
    return subscription, secret


async def visible_subscriptions(session: AsyncSession, user: StaffUser) -> list[WebhookSubscription]:
    rows = await session.exec(select(WebhookSubscription).order_by(WebhookSubscription.created_at))
    return [row for row in rows if may_manage(user, row)]


async def get_subscription(session: AsyncSession, user: StaffUser, subscription_id: UUID) -> WebhookSubscription | None:
    subscription = await session.get(WebhookSubscription, subscription_id)
    return subscription if subscription is not None and may_manage(user, subscription) else None


async def delete_subscription(session: AsyncSession, subscription: WebhookSubscription) -> None:
    """The subscription and its delivery log go; nothing more is sent to it."""
    await session.exec(WebhookDelivery.__table__.delete().where(WebhookDelivery.subscription_id == subscription.id))
    await session.delete(subscription)


async def rotate_secret(
    session: AsyncSession, subscription: WebhookSubscription, data_key: bytes, grace: timedelta
) -> str:
    """A new secret (shown once); the old one still signs deliveries for `grace`."""
    secret = new_secret()
    subscription.previous_secret_sealed = subscription.secret_sealed if grace else None
    subscription.previous_secret_until = now() + grace if grace else None
    subscription.secret_sealed = seal(data_key, secret.encode())
    session.add(subscription)
    return secret


# --- deliveries ---------------------------------------------------------------------------------


def ordering_key(event: Envelope) -> str:
    """A case's events go out in order, one after the other; other events need not wait."""
    data = event.data if isinstance(event.data, dict) else {}
    case_id = data.get("case_id")
    return f"case:{case_id}" if case_id else f"event:{event.source}:{event.id}"


async def record_event(session: AsyncSession, event: Envelope) -> int:
    """A delivery for each subscription that wants this event: its type, and its
    municipality (`data.municipality_code`) in both the subscription's list and its creator's.
    Same transaction as the consumer's inbox row; sent by the delivery loop after the commit."""
    data = event.data if isinstance(event.data, dict) else {}
    municipality = data.get("municipality_code")
    if not isinstance(municipality, str):
        return 0  # an event of no municipality can't be scoped to anyone's
    body = None
    recorded = 0
    at = now()
    # A disabled subscription keeps collecting (in order): a replay sends everything it missed.
    for subscription in await session.exec(select(WebhookSubscription)):
        wanted = event.type in subscription.event_types
        allowed = municipality in subscription.municipalities and municipality in subscription.creator_municipalities
        if not (wanted and allowed):
            continue
        body = body or event.to_json().decode()
        session.add(
            WebhookDelivery(
                webhook_id=f"msg_{uuid.uuid4().hex}",
                subscription_id=subscription.id,
                event_source=event.source,
                event_id=event.id,
                event_type=event.type,
                municipality_code=municipality,
                ordering_key=ordering_key(event),
                body=body,
                next_attempt_at=at,
                created_at=at,
            )
        )
        recorded += 1
    return recorded


async def claim_due(session: AsyncSession, lease: timedelta, limit: int = 50) -> list[tuple[WebhookDelivery, WebhookSubscription]]:
    """Deliveries due now, of enabled subscriptions, each the earliest pending one of its case;
    claimed for `lease` (their next attempt moved past it, committed) so another loop leaves them
    alone and a process that dies while sending retries them when the lease ends."""
    at = now()
    earlier = aliased(WebhookDelivery)
    waits_for_earlier = (
        select(earlier.id)
        .where(
            earlier.subscription_id == WebhookDelivery.subscription_id,
            earlier.ordering_key == WebhookDelivery.ordering_key,
            earlier.state == "pending",
            earlier.id < WebhookDelivery.id,
        )
        .exists()
    )
    query = (
        select(WebhookDelivery, WebhookSubscription)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(
            WebhookSubscription.enabled,
            WebhookDelivery.state == "pending",
            WebhookDelivery.next_attempt_at <= at,
            ~waits_for_earlier,
        )
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )
    candidates = list(await session.exec(query))
    taken = await claim_rows(
        session, WebhookDelivery, [delivery.id for delivery, _ in candidates],
        WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= at, next_attempt_at=at + lease,
    )
    await session.commit()
    return [(delivery, subscription) for delivery, subscription in candidates if delivery.id in taken]


async def settle_delivered(session: AsyncSession, delivery_id: int, status: int) -> None:
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return  # its subscription was deleted meanwhile
    at = now()
    delivery.state, delivery.delivered_at = "delivered", at
    delivery.attempts += 1
    delivery.last_status, delivery.last_error = status, None
    session.add(delivery)
    subscription = await session.get(WebhookSubscription, delivery.subscription_id)
    if subscription is not None and subscription.failing_since is not None:
        subscription.failing_since = None
        session.add(subscription)


async def settle_failed(
    session: AsyncSession, delivery_id: int, status: int | None, error: str, webhook_settings: WebhookSettings
) -> bool:
    """The attempt failed: the next one after an exponentially growing wait. A subscription that
    has been failing for KOTOPOLKU_WEBHOOK_DISABLE_AFTER_SECONDS is disabled and its municipalities'
    admins are told. True when it was disabled now."""
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return False
    at = now()
    delivery.attempts += 1
    wait = min(webhook_settings.max_retry_seconds, webhook_settings.first_retry_seconds * 2 ** (delivery.attempts - 1))
    delivery.next_attempt_at = at + timedelta(seconds=wait)
    delivery.last_status, delivery.last_error = status, error[:500]
    session.add(delivery)
    subscription = await session.get(WebhookSubscription, delivery.subscription_id)
    if subscription is None or not subscription.enabled:
        return False
    subscription.failing_since = subscription.failing_since or at
    session.add(subscription)
    if at - subscription.failing_since < timedelta(seconds=webhook_settings.disable_after_seconds):
        return False
    subscription.enabled, subscription.disabled_at = False, at
    for code in subscription.municipalities:
        session.add(
            Notification(
                id=uuid.uuid5(subscription.id, f"webhook_disabled {at.isoformat()} {code}"),
                kind=NotificationKind.webhook_disabled,
                municipality_code=code,
                recipient_role="admin",
                params={
                    "url": subscription.url,
                    "subscription_id": str(subscription.id),
                    "since": subscription.failing_since.strftime("%Y-%m-%d %H:%M UTC"),
                    "error": error[:200],
                },
                created_at=at,
            )
        )
    return True


async def oldest_pending_age(session: AsyncSession) -> float:
    """Seconds the oldest delivery of an enabled subscription has waited (0: none waits)."""
    oldest = (
        await session.exec(
            select(func.min(WebhookDelivery.created_at))
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .where(WebhookSubscription.enabled, WebhookDelivery.state == "pending")
        )
    ).one()
    return max(0.0, (now() - oldest).total_seconds()) if oldest else 0.0


async def next_due(session: AsyncSession) -> datetime | None:
    return (
        await session.exec(
            select(func.min(WebhookDelivery.next_attempt_at))
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .where(WebhookSubscription.enabled, WebhookDelivery.state == "pending")
        )
    ).one()


async def list_deliveries(
    session: AsyncSession, subscription: WebhookSubscription, filters: DeliveryFilters, pagination: Pagination
) -> Page[DeliveryRead]:
    """The subscription's delivery log, newest first."""
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    if filters.state:
        query = query.where(WebhookDelivery.state == filters.state)
    query = query.order_by(col(WebhookDelivery.id).desc())
    return await paginate(session, query, pagination, lambda row: DeliveryRead.model_validate(row, from_attributes=True))


async def replay(session: AsyncSession, subscription: WebhookSubscription, request: ReplayRequest) -> int:
    """Enable the subscription and send again, now: the deliveries named, or every one recorded
    since the time given (delivered ones too), or without either every pending one. A replayed
    delivery keeps its `webhook-id`: a receiver that already has it knows it."""
    at = now()
    subscription.enabled, subscription.disabled_at, subscription.failing_since = True, None, None
    session.add(subscription)
    chosen = WebhookDelivery.subscription_id == subscription.id
    if request.delivery_ids:
        chosen = and_(chosen, col(WebhookDelivery.id).in_(request.delivery_ids))
    elif request.since is not None:
        chosen = and_(chosen, WebhookDelivery.created_at >= request.since)
    else:
        chosen = and_(chosen, WebhookDelivery.state == "pending")
    result = await session.exec(
        update(WebhookDelivery).where(chosen).values(state="pending", next_attempt_at=at, delivered_at=None)
    )
    return result.rowcount
