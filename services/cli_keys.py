"""`kotopolku rekey`: rewrite what is sealed or hashed with the data key under the current key.

After a rotation (README, "Rotating keys") rows sealed or hashed with a previous key are still read
through KOTOPOLKU_DATA_KEY_PREVIOUS; this command re-seals them and recomputes the identity-code
lookup hashes with KOTOPOLKU_DATA_KEY, in batches, so that the current key alone finds them. It is
idempotent: a row already under the current key is left as it is.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import click

from shared.crypto import UnknownDataKey, lookup_hash, seal, sealed_with_current, unseal
from shared.settings import ConfigurationError

BATCH = 500


@dataclass
class Counts:
    seen: int = 0
    rewritten: int = 0
    unreadable: int = 0


def _current(key: bytes, sealed: bytes) -> bytes:
    """The value sealed again with the current key (or as it was, when it already is)."""
    return sealed if sealed_with_current(key, sealed) else seal(key, unseal(key, sealed))


async def _next_batch(session, table, after, *conditions) -> list:
    """The next BATCH rows of `table` by id, after `after` (None: from the first)."""
    from sqlmodel import select

    query = select(table).where(*conditions).order_by(table.id).limit(BATCH)
    if after is not None:
        query = query.where(table.id > after)
    return list((await session.exec(query)).all())


async def rekey_clients(session, key: bytes, after=None) -> tuple[Counts, object]:
    """One batch of intake's clients with a sealed identity code (ordered by id, after `after`)."""
    from services.intake.models import Client

    clients = await _next_batch(session, Client, after, Client.identity_code_sealed.is_not(None))
    counts = Counts()
    for client in clients:
        counts.seen += 1
        try:
            code = unseal(key, client.identity_code_sealed).decode()
        except UnknownDataKey:
            counts.unreadable += 1
            continue
        hashed = lookup_hash(key, code)
        sealed = _current(key, client.identity_code_sealed)
        if hashed != client.identity_code_hash or sealed is not client.identity_code_sealed:
            client.identity_code_hash, client.identity_code_sealed = hashed, sealed
            session.add(client)
            counts.rewritten += 1
    return counts, clients[-1].id if clients else None


async def rekey_webhook_secrets(session, key: bytes, after=None) -> tuple[Counts, object]:
    """One batch of notifications' webhook subscriptions (their signing secrets are sealed)."""
    from services.notifications.webhooks.models import WebhookSubscription

    subscriptions = await _next_batch(session, WebhookSubscription, after)
    counts = Counts()
    for subscription in subscriptions:
        counts.seen += 1
        try:
            sealed = _current(key, subscription.secret_sealed)
            previous = _current(key, subscription.previous_secret_sealed) if subscription.previous_secret_sealed else None
        except UnknownDataKey:
            counts.unreadable += 1
            continue
        if sealed is not subscription.secret_sealed or previous is not subscription.previous_secret_sealed:
            subscription.secret_sealed, subscription.previous_secret_sealed = sealed, previous
            session.add(subscription)
            counts.rewritten += 1
    return counts, subscriptions[-1].id if subscriptions else None


# Every service database that holds something sealed or hashed with the data key (assessment and
# planning hold none: they know clients only by id).
TARGETS = (
    ("intake", "clients' identity codes", rekey_clients),
    ("notifications", "webhook signing secrets", rekey_webhook_secrets),
)


async def rekey_service(settings, service: str, work) -> Counts:
    """All rows of one service, batch after batch, each batch committed on its own."""
    from services.cli_database import with_database

    async def in_batches(database) -> Counts:
        total, after = Counts(), None
        while True:
            async with database.session() as session:
                counts, after = await work(session, settings.data_key_bytes, after)
                await session.commit()
            total.seen += counts.seen
            total.rewritten += counts.rewritten
            total.unreadable += counts.unreadable
            if after is None:
                return total

    return await with_database(settings, service, in_batches)


async def rekey_all(settings, echo=click.echo) -> int:
    """Rekey every service database; the number of rows no key could open."""
    unreadable = 0
    for service, what, work in TARGETS:
        counts = await rekey_service(settings, service, work)
        echo(f"{service}: {what}: {counts.seen} seen, {counts.rewritten} rewritten with the current key, {counts.unreadable} unreadable")
        unreadable += counts.unreadable
    return unreadable


@click.command()
def rekey() -> None:
    """Re-seal and re-hash everything under KOTOPOLKU_DATA_KEY (after a key rotation; README, "Rotating keys")."""
    from services.cli import fail, get_settings  # the command group imports this module

    try:
        settings = get_settings()
        unreadable = asyncio.run(rekey_all(settings))
    except ConfigurationError as error:
        fail(f"configuration error: {error}")
    if unreadable:
        fail(
            f"{unreadable} rows were sealed with a key that is neither KOTOPOLKU_DATA_KEY nor in "
            "KOTOPOLKU_DATA_KEY_PREVIOUS: add that key to KOTOPOLKU_DATA_KEY_PREVIOUS and run `kotopolku rekey` again"
        )
