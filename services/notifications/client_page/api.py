"""The client's page: the staff routes that make and revoke its links, and the client's own routes
(open with the code, read the page, the page's texts). Thin: parse, authorise, call service.py."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse

from services.notifications.api import NotificationsContext, Session, visible_case
from services.notifications.service import log_access
from services.notifications.client_messages import templates
from services.notifications.client_messages.handlers import waiting
from services.notifications.client_messages.api import client_of
from services.notifications.client_page import measures, service
from services.notifications.feedback import service as feedback
from services.notifications.client_page.identity import ClientIdentity
from services.notifications.client_page.models import (
    ClientLinkCreate,
    ClientLinkRead,
    ClientPageRead,
    CodeEntry,
    NextStep,
    PageSession,
    SelfReportRead,
    SelfReportWrite,
    WelcomeItemWrite,
    WelcomePackage,
)
from services.notifications.models import CaseView, ClientView
from services.notifications.dashboard import STATIC
from shared import municipalities
from shared.auth import CurrentStaff, require_role
from shared.http import ApiError
from shared.refusals import NotFound

router = APIRouter(tags=["client page"])

VisibleCase = Annotated[tuple[CaseView, ClientView | None], Depends(visible_case)]
NO_STORE = {"Cache-Control": "no-store"}


@router.post(
    "/api/v1/cases/{case_id}/client/link",
    response_model=ClientLinkRead,
    status_code=201,
    dependencies=[require_role("caseworker", "coordinator")],
)
async def create_client_link(
    request: Request, case: VisibleCase, body: ClientLinkCreate, user: CurrentStaff, session: Session, ctx: NotificationsContext
) -> ClientLinkRead:
    """Sends the client a link to their own page on `link_channel` and its code on the other
    channel; the link is valid for the policy's `client_link_days`. 409 when the client lacks
    one of the two channels (or refused it)."""
    view, _client = case
    days = ctx.policy.for_municipality(view.municipality_code).client_link_days
    base_url = ctx.settings.public_url or str(request.base_url)
    link = await service.create_link(session, user, view, client_of(case), body, days=days, base_url=base_url)
    await session.commit()
    waiting(ctx).set()  # the link and the code leave now, not at the delivery loop's next look
    return service.link_read(link)


@router.get("/api/v1/cases/{case_id}/client/links", response_model=list[ClientLinkRead])
async def get_client_links(case: VisibleCase, session: Session) -> list[ClientLinkRead]:
    """The links made for the client of this case, oldest first, with their state."""
    view, _client = case
    return [service.link_read(link) for link in await service.links_of_case(session, view.case_id)]


@router.post(
    "/api/v1/cases/{case_id}/client/links/{link_id}/revocation",
    response_model=ClientLinkRead,
    dependencies=[require_role("caseworker", "coordinator")],
)
async def revoke_client_link(case: VisibleCase, link_id: UUID, user: CurrentStaff, session: Session) -> ClientLinkRead:
    """The link opens nothing any more, and a page opened with it closes."""
    view, _client = case
    link = await service.revoke_link(session, user, view.case_id, link_id)
    await session.commit()
    return service.link_read(link)


def staff_municipality(municipality_code: str, user: CurrentStaff) -> str:
    """A municipality the user works for (else 404, as for its cases)."""
    if not user.can_see(municipality_code):
        raise NotFound("municipality_not_found")
    return municipality_code


StaffMunicipality = Annotated[str, Depends(staff_municipality)]


@router.get("/api/v1/municipalities/{municipality_code}/welcome", response_model=WelcomePackage)
async def get_welcome(municipality_code: StaffMunicipality, session: Session) -> WelcomePackage:
    """The municipality's own welcome items (its clients' pages show them after the national
    defaults), in their order."""
    items = await service.own_welcome(session, municipality_code)
    return WelcomePackage(items=[WelcomeItemWrite.model_validate(item, from_attributes=True) for item in items])


@router.put(
    "/api/v1/municipalities/{municipality_code}/welcome",
    response_model=WelcomePackage,
    dependencies=[require_role("coordinator")],
)
async def put_welcome(municipality_code: StaffMunicipality, package: WelcomePackage, user: CurrentStaff, session: Session) -> WelcomePackage:
    """Replaces the municipality's own welcome items (coordinators): each in one language of the
    client texts, in a section (`registrations`, `housing`, `daycare_and_school`, `health`,
    `work`, `associations`), with an optional `https:` link."""
    await service.set_welcome(session, user, municipality_code, package)
    await session.commit()
    return package


@router.get("/api/v1/cases/{case_id}/client/self-report", response_model=SelfReportRead)
async def get_self_report(case: VisibleCase, user: CurrentStaff, session: Session) -> SelfReportRead:
    """What the client told of themselves before the assessment, in their own words (not
    verified); 404 when they sent nothing. A read of the client's record: in the access log."""
    view, _client = case
    report = await service.self_report(session, view.case_id)
    if report is None:
        raise NotFound("self_report_not_found")
    await log_access(session, user, view, "self_report.read")
    await session.commit()
    return report


# --- the client's side --------------------------------------------------------------------------


@router.get("/client/", response_class=HTMLResponse, include_in_schema=False)
async def client_page() -> HTMLResponse:
    """The page itself: it shows nothing until the code is given (client.js)."""
    return HTMLResponse((STATIC / "client.html").read_text(encoding="utf-8"), headers={"Referrer-Policy": "no-referrer", **NO_STORE})


@router.get("/client/texts/{language}.json", include_in_schema=False)
async def client_page_texts(language: str) -> JSONResponse:
    """The page's words in one language (the catalogue's `client` domain, English where a draft
    lacks one)."""
    if language not in templates.LANGUAGES:
        raise ApiError(404, "not_found")
    return JSONResponse(templates.page_texts(language), headers={"Cache-Control": "no-cache"})


@router.post("/client/api/session", response_model=PageSession)
async def open_client_page(entry: CodeEntry, session: Session) -> JSONResponse:
    """Opens the page with the link's token and the code. An unknown, expired, revoked or locked
    link answers 404 alike; a wrong code 403, and the fifth wrong code locks the link."""
    try:
        identity, secret = await service.LinkAndCode().identify(session, entry.model_dump())
    finally:
        await session.commit()  # a wrong code counts even though the answer is a refusal
    client = await session.get(ClientView, identity.client_id)
    language = service.page_language(client, identity.municipality_code) if client else "fi"
    return JSONResponse(PageSession(session=secret, language=language).model_dump(), headers=NO_STORE)


async def page_identity(session: Session, authorization: Annotated[str | None, Header()] = None) -> ClientIdentity:
    scheme, _, secret = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not secret:
        raise NotFound("client_link_not_valid")
    return await service.identity_of_session(session, secret.strip())


@router.put("/client/api/self-report", response_model=SelfReportRead)
async def put_self_report(identity: Annotated[ClientIdentity, Depends(page_identity)], report: SelfReportWrite, session: Session) -> SelfReportRead:
    """The client tells, before the assessment, their languages and levels as they see them, their
    education, work history, goals and the help they want. Staff see it in the assessment."""
    await service.save_self_report(session, identity, report)
    await session.commit()
    return await service.self_report(session, identity.case_id)


@router.get("/client/api/self-report", response_model=SelfReportRead)
async def get_own_self_report(identity: Annotated[ClientIdentity, Depends(page_identity)], session: Session) -> SelfReportRead:
    report = await service.self_report(session, identity.case_id)
    if report is None:
        raise NotFound("self_report_not_found")
    return report


@router.get("/client/api/page", response_model=ClientPageRead)
async def read_client_page(identity: Annotated[ClientIdentity, Depends(page_identity)], session: Session) -> JSONResponse:
    """What the client's page shows; each read is in the access log."""
    view = await session.get(CaseView, identity.case_id)
    client = await session.get(ClientView, identity.client_id)
    if view is None or client is None:
        raise NotFound("client_link_not_valid")
    language = service.page_language(client, view.municipality_code)
    municipality = municipalities.get(view.municipality_code)
    page = ClientPageRead(
        language=language,
        direction="rtl" if language in service.RTL_LANGUAGES else "ltr",
        given_names=client.given_names,
        municipality=municipality.name(language) if municipality else view.municipality_code,
        stage=view.stage,
        next_step=NextStep(kind=view.next_deadline_kind, due_on=view.next_deadline_on) if view.next_deadline_kind and view.stage != "closed" else None,
        contact_name=view.assignee,
        welcome=await service.welcome_for_page(session, view.municipality_code),
        self_report_open=view.stage in service.SELF_REPORT_STAGES,
        measures=await measures.measures_of_case(session, view.case_id),
        feedback=await feedback.open_questions(session, view.case_id),
    )
    service.log_view(session, identity)
    await session.commit()
    return JSONResponse(page.model_dump(mode="json"), headers=NO_STORE)
