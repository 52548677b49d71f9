"""`kotopolku webhooks …`: the operators' side of webhook subscriptions (docs/webhooks.md)."""

from __future__ import annotations


import click

from services.cli import fail, get_settings
from services.cli_database import run_in_service
from shared.settings import ConfigurationError

@click.group()
def webhooks() -> None:
    """Webhook subscriptions (docs/webhooks.md): systems that receive Kotopolku's events over HTTPS."""


def run_in_notifications(work):
    """Run `work(session, settings)` in the notifications database (brought up to date first) and
    commit; a WebhookCommandError ends the command with its reason."""
    settings = get_settings()
    try:
        return run_in_service("notifications", lambda session: work(session, settings), settings)
    except WebhookCommandError as error:
        fail(str(error))
    except ConfigurationError as error:
        fail(f"configuration error: {error}")


class WebhookCommandError(Exception):
    pass


async def _subscription(session, subscription_id: str):
    from uuid import UUID

    from services.notifications.webhooks.models import WebhookSubscription

    try:
        found = await session.get(WebhookSubscription, UUID(subscription_id))
    except ValueError:
        found = None
    if found is None:
        raise WebhookCommandError(f"no webhook subscription {subscription_id} (see `kotopolku webhooks list`)")
    return found


def echo_new_secret(secret: str) -> None:
    # Scripts read the secret from the last line of standard output.
    click.echo("The signing secret is shown only this once; the receiver verifies each delivery with it:")
    click.echo(secret)


@webhooks.command("create")
@click.option("--url", required=True, help="https://… (http://127.0.0.1:… or http://localhost:… in development)")
@click.option("--event-type", "event_types", multiple=True, required=True, help="e.g. fi.kotopolku.case.updated.v1 (repeatable)")
@click.option("--municipality", "municipalities", multiple=True, required=True, help="e.g. 109 (repeatable)")
def webhooks_create(url: str, event_types: tuple[str, ...], municipalities: tuple[str, ...]) -> None:
    """Subscribe URL to these events of these municipalities; prints the secret (on the last line)."""
    from pydantic import ValidationError

    from services.notifications.webhooks import service
    from services.notifications.webhooks.models import WebhookCreate, load_webhook_settings
    from shared.auth import StaffUser
    from shared.envelope import describe_errors

    try:
        body = WebhookCreate(url=url, event_types=list(event_types), municipalities=list(municipalities))
    except ValidationError as error:
        fail(describe_errors(error))
    operator = StaffUser(sub="operator (command line)", roles=["admin"], municipalities=body.municipalities)

    async def create(session, settings):
        refusal = await service.refusal_of_target(body.url, settings, load_webhook_settings())
        if refusal:
            raise WebhookCommandError(f"--url {refusal}")
        return await service.create_subscription(session, operator, body, settings.data_key_bytes)

    subscription, secret = run_in_notifications(create)
    click.echo(f"Webhook {subscription.id} → {subscription.url}")
    echo_new_secret(secret)


@webhooks.command("list")
def webhooks_list() -> None:
    """Each subscription: id, state, URL, municipalities, event types."""
    from sqlmodel import select

    from services.notifications.webhooks.models import WebhookSubscription

    async def listed(session, _settings):
        return list(await session.exec(select(WebhookSubscription).order_by(WebhookSubscription.created_at)))

    found = run_in_notifications(listed)
    if not found:
        click.echo("No webhooks.")
    for subscription in found:
        state = "enabled" if subscription.enabled else f"disabled since {subscription.disabled_at:%Y-%m-%d %H:%M} UTC"
        if subscription.enabled and subscription.failing_since:
            state = f"failing since {subscription.failing_since:%Y-%m-%d %H:%M} UTC"
        click.echo(
            f"{subscription.id}\t{state}\t{subscription.url}\t{','.join(subscription.municipalities)}\t{','.join(subscription.event_types)}"
        )


@webhooks.command("delete")
@click.argument("subscription_id")
def webhooks_delete(subscription_id: str) -> None:
    """Delete a subscription and its delivery log."""
    from services.notifications.webhooks import service

    async def delete(session, _settings):
        await service.delete_subscription(session, await _subscription(session, subscription_id))

    run_in_notifications(delete)
    click.echo(f"Deleted webhook {subscription_id}.")


@webhooks.command("rotate")
@click.argument("subscription_id")
def webhooks_rotate(subscription_id: str) -> None:
    """A new secret (on the last line); the old one still signs deliveries for
    KOTOPOLKU_WEBHOOK_ROTATION_GRACE_SECONDS (a day by default)."""
    from datetime import timedelta

    from services.notifications.webhooks import service
    from services.notifications.webhooks.models import load_webhook_settings

    async def rotate(session, settings):
        grace = timedelta(seconds=load_webhook_settings().rotation_grace_seconds)
        return await service.rotate_secret(session, await _subscription(session, subscription_id), settings.data_key_bytes, grace)

    echo_new_secret(run_in_notifications(rotate))


@webhooks.command("deliveries")
@click.argument("subscription_id")
@click.option("--state", type=click.Choice(["pending", "delivered"]))
@click.option("--limit", type=click.IntRange(1, 200), default=50, show_default=True)
def webhooks_deliveries(subscription_id: str, state: str | None, limit: int) -> None:
    """The delivery log, newest first: id, webhook-id, event type, state, attempts, last answer."""
    from services.notifications.webhooks import service
    from services.notifications.webhooks.models import DeliveryFilters
    from shared.pagination import Pagination

    async def deliveries(session, _settings):
        subscription = await _subscription(session, subscription_id)
        return await service.list_deliveries(session, subscription, DeliveryFilters(state=state), Pagination(page_size=limit))

    page = run_in_notifications(deliveries)
    for item in page.items:
        answer = item.last_error or (str(item.last_status) if item.last_status else "")
        click.echo(f"{item.id}\t{item.webhook_id}\t{item.event_type}\t{item.state}\t{item.attempts}\t{answer}")
    click.echo(f"{page.total} deliveries")


@webhooks.command("replay")
@click.argument("subscription_id")
@click.option("--delivery", "delivery_ids", multiple=True, type=int, help="a delivery's id (repeatable)")
@click.option("--since", type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]), help="every delivery recorded since (UTC unless given)")
def webhooks_replay(subscription_id: str, delivery_ids: tuple[int, ...], since) -> None:
    """Enable the subscription again and send now: the deliveries named, or every one recorded
    since a time, or (neither given) every one still waiting. A running Kotopolku sends them
    within seconds."""
    from datetime import timezone

    from services.notifications.webhooks import service
    from services.notifications.webhooks.models import ReplayRequest

    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)

    async def replay(session, _settings):
        request = ReplayRequest(delivery_ids=list(delivery_ids) or None, since=since)
        return await service.replay(session, await _subscription(session, subscription_id), request)

    click.echo(f"{run_in_notifications(replay)} deliveries will be sent again")
