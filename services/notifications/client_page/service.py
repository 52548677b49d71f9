"""The only writers of links to the client's page: made by staff (the link and the code sent as
client messages, each on its own channel), revoked by staff, opened by the client with the code
(a few wrong codes lock the link), and every view of the page written to the access log."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import tomllib
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.client_messages import templates
from services.notifications.client_messages.models import ClientMessage
from services.notifications.client_messages.service import sms_number
from services.notifications.client_page.identity import ClientIdentity
from services.notifications.client_page.models import (
    WELCOME_SECTIONS,
    ClientLink,
    ClientLinkCreate,
    ClientLinkRead,
    ClientSelfReport,
    SelfReportRead,
    SelfReportWrite,
    WelcomeEntry,
    WelcomeItem,
    WelcomePackage,
)
from services.notifications.models import AccessLogEntry, CaseView, ClientView
from shared import municipalities
from shared.auth import StaffUser
from shared.clock import now
from shared.refusals import Conflict, NotFound, Refused

MAX_WRONG_CODES = 5  # then the link is locked: staff make a new one
RTL_LANGUAGES = frozenset({"ar", "fa"})


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def link_state(link: ClientLink, at: datetime) -> str:
    if link.revoked_at is not None:
        return "revoked"
    if link.locked_at is not None:
        return "locked"
    return "expired" if link.expires_at <= at else "active"


def link_read(link: ClientLink) -> ClientLinkRead:
    return ClientLinkRead(
        id=link.id, created_at=link.created_at, expires_at=link.expires_at, link_channel=link.link_channel,
        code_channel=link.code_channel, created_by=link.created_by, state=link_state(link, now()),
    )


def _addresses(client: ClientView) -> dict[str, str]:
    found = {"sms": client.phone and sms_number(client.phone), "email": client.email}
    return {channel: to for channel, to in found.items() if to and channel not in client.refused_channels}


def message_id(link_id: UUID, kind: str) -> UUID:
    """The client message carrying a link's token (`page_link`) or its code (`page_code`)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"kotopolku:client-link:{link_id}:{kind}")


def _message(link: ClientLink, client: ClientView, channel: str, to: str, kind: str, language: str, text: str) -> ClientMessage:
    at = now()
    return ClientMessage(
        id=message_id(link.id, kind),
        case_id=link.case_id, client_id=client.client_id, municipality_code=link.municipality_code, kind=kind,
        channel=channel, language=language, to=to, subject=templates.subject(language) if channel == "email" else None,
        text=text, next_attempt_at=at, created_at=at,
    )


async def create_link(
    session: AsyncSession, user: StaffUser, view: CaseView, client: ClientView, body: ClientLinkCreate, *, days: int, base_url: str
) -> ClientLink:
    """A new link, valid `days` days: its token goes to the client on `body.link_channel`, the code
    on the other channel (both as client messages, sent after the commit). A client without both
    channels can't be sent one (409): the code must not travel with the link."""
    addresses = _addresses(client)
    code_channel = "sms" if body.link_channel == "email" else "email"
    if body.link_channel not in addresses or code_channel not in addresses:
        raise Conflict("client_link_needs_two_channels")
    token, code = secrets.token_urlsafe(24), f"{secrets.randbelow(10**6):06d}"
    at = now()
    link = ClientLink(
        id=uuid.uuid4(), case_id=view.case_id, client_id=client.client_id, municipality_code=view.municipality_code,
        token_hash=_hash(token), code_hash=_hash(code), link_channel=body.link_channel, code_channel=code_channel,
        created_by=user.sub, created_at=at, expires_at=at + timedelta(days=days),
    )
    session.add(link)
    language, _unreadable = templates.language_of(client, view.municipality_code)
    municipality = municipalities.get(view.municipality_code)
    name = municipality.name(language) if municipality else "Kotopolku"
    until = link.expires_at.date()
    url = f"{base_url.rstrip('/')}/client/#{token}"  # in the fragment: the token never reaches a server log
    texts = {
        "page_link": templates.page_text("client.page_link", language, municipality=name, url=url, date=f"{until.day}.{until.month}.{until.year}"),
        "page_code": templates.page_text("client.page_code", language, municipality=name, code=code),
    }
    session.add(_message(link, client, body.link_channel, addresses[body.link_channel], "page_link", language, texts["page_link"]))
    session.add(_message(link, client, code_channel, addresses[code_channel], "page_code", language, texts["page_code"]))
    return link


async def links_of_case(session: AsyncSession, case_id: UUID) -> list[ClientLink]:
    return list(await session.exec(select(ClientLink).where(ClientLink.case_id == case_id).order_by(ClientLink.created_at)))


async def revoke_link(session: AsyncSession, user: StaffUser, case_id: UUID, link_id: UUID) -> ClientLink:
    link = await session.get(ClientLink, link_id)
    if link is None or link.case_id != case_id:
        raise NotFound("client_link_not_found")
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by, link.session_hash = now(), user.sub, None
        session.add(link)
    return link


class LinkAndCode:
    """The identification of today (identity.py): the link's token and the code sent apart."""

    async def identify(self, session: AsyncSession, credentials: dict[str, str]) -> tuple[ClientIdentity, str]:
        link = (await session.exec(select(ClientLink).where(ClientLink.token_hash == _hash(credentials["token"])))).first()
        # Unknown, expired, revoked and locked links answer alike: the page shows nothing of them.
        if link is None or link_state(link, now()) != "active":
            raise NotFound("client_link_not_valid")
        if not hmac.compare_digest(link.code_hash, _hash(credentials["code"].strip())):
            link.failed_codes += 1
            if link.failed_codes >= MAX_WRONG_CODES:
                link.locked_at = now()
            session.add(link)
            if link.locked_at is not None:
                raise NotFound("client_link_not_valid")
            raise Refused("client_code_wrong", status=403)
        secret = secrets.token_urlsafe(32)
        link.session_hash, link.failed_codes = _hash(secret), 0
        session.add(link)
        return ClientIdentity(link.id, link.client_id, link.case_id, link.municipality_code), secret


async def identity_of_session(session: AsyncSession, secret: str) -> ClientIdentity:
    """The client of an open page session; a link since revoked or expired ends it."""
    link = (await session.exec(select(ClientLink).where(ClientLink.session_hash == _hash(secret)))).first()
    if link is None or link_state(link, now()) != "active":
        raise NotFound("client_link_not_valid")
    return ClientIdentity(link.id, link.client_id, link.case_id, link.municipality_code)


def page_language(client: ClientView, municipality_code: str) -> str:
    return templates.language_of(client, municipality_code)[0]


def log_view(session: AsyncSession, identity: ClientIdentity) -> None:
    """The client read their own page: in the access log like any read of the record."""
    session.add(
        AccessLogEntry(
            user_sub=f"client-link:{identity.link_id}", user_name="client", record_kind="client_page",
            record_id=identity.link_id, case_id=identity.case_id, client_id=identity.client_id,
            municipality_code=identity.municipality_code, action="client_page.read", at=now(),
        )
    )


# --- the welcome package -----------------------------------------------------------------------

WELCOME_DEFAULTS = Path(__file__).with_name("welcome.toml")


@functools.cache
def national_welcome() -> dict[str, list[WelcomeEntry]]:
    """The defaults every municipality's package starts with, by language (welcome.toml)."""
    data = tomllib.loads(WELCOME_DEFAULTS.read_text(encoding="utf-8"))
    by_language: dict[str, list[WelcomeEntry]] = {}
    for item in data["item"]:
        assert item["section"] in WELCOME_SECTIONS, item["section"]
        for language in ("fi", "sv", "en"):
            by_language.setdefault(language, []).append(
                WelcomeEntry(section=item["section"], title=item[language]["title"], body=item[language]["body"], url=item.get("url"), own=False)
            )
    return by_language


async def own_welcome(session: AsyncSession, municipality_code: str) -> list[WelcomeItem]:
    query = select(WelcomeItem).where(WelcomeItem.municipality_code == municipality_code).order_by(WelcomeItem.position)
    return list(await session.exec(query))


async def set_welcome(session: AsyncSession, user: StaffUser, municipality_code: str, package: WelcomePackage) -> list[WelcomeItem]:
    """The municipality's own items, replaced as a whole by what its coordinator sent."""
    for item in await own_welcome(session, municipality_code):
        await session.delete(item)
    at = now()
    items = [
        WelcomeItem(municipality_code=municipality_code, position=position, updated_by=user.sub, updated_at=at, **item.model_dump())
        for position, item in enumerate(package.items)
    ]
    session.add_all(items)
    return items


async def welcome_for_page(session: AsyncSession, municipality_code: str) -> dict[str, list[WelcomeEntry]]:
    """Each language's package: the national defaults, then the municipality's own items, grouped
    by section in the sections' order."""
    by_language = {language: list(entries) for language, entries in national_welcome().items()}
    for item in await own_welcome(session, municipality_code):
        entry = WelcomeEntry(section=item.section, title=item.title, body=item.body, url=item.url, own=True)
        by_language.setdefault(item.language, []).append(entry)
    order = {section: index for index, section in enumerate(WELCOME_SECTIONS)}
    return {language: sorted(entries, key=lambda entry: order[entry.section]) for language, entries in by_language.items()}


# --- the self-report before the assessment ---------------------------------------------------------

SELF_REPORT_STAGES = frozenset({"intake", "assessment"})  # after the assessment the interview has been held


async def save_self_report(session: AsyncSession, identity: ClientIdentity, report: SelfReportWrite) -> ClientSelfReport:
    """The client's self-report, replacing the one they sent before; only before the assessment
    is complete (409 `self_report_closed` after it)."""
    view = await session.get(CaseView, identity.case_id)
    if view is None or view.stage not in SELF_REPORT_STAGES:
        raise Conflict("self_report_closed")
    row = await session.get(ClientSelfReport, identity.case_id) or ClientSelfReport(
        case_id=identity.case_id, client_id=identity.client_id, municipality_code=identity.municipality_code, submitted_at=now()
    )
    data = report.model_dump(mode="json")
    for name, value in data.items():
        setattr(row, name, value)
    row.submitted_at = now()
    session.add(row)
    return row


async def self_report(session: AsyncSession, case_id: UUID) -> SelfReportRead | None:
    row = await session.get(ClientSelfReport, case_id)
    return SelfReportRead.model_validate(row, from_attributes=True) if row else None
