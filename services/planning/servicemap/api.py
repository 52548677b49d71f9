"""The service map's routes: the catalogue (read by all staff, managed by coordinators and
administrators, loadable from a file) and the suggestions for one client's plan.

Who may do what: docs/roles.md."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Path, Query, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning import service as plans
from services.planning.commands import MeasureKind
from services.planning.servicemap import service
from services.planning.servicemap.models import ServiceBody, ServiceItem, ServiceMapEntry, Suggestion
from shared.auth import CurrentStaff, StaffUser, require_role
from shared.cases import VisibleCase
from shared.client_groups import map_groups, young_below_age
from shared.clock import today
from shared.pagination import Page, PageParams, paginate
from shared.refusals import found
from shared.service import session_dependency
from shared.staff_commands import CaseWorker

router = APIRouter(tags=["service map"])

Session = Annotated[AsyncSession, Depends(session_dependency("planning"))]
ServiceCode = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
Manager = Annotated[StaffUser, require_role("coordinator", "admin")]


@router.get("/api/v1/service-map", summary="The service map (palvelukartta), by region and kind")
async def list_services(
    user: CurrentStaff, session: Session, pagination: PageParams,
    region: str | None = None, kind: MeasureKind | None = None, example: bool | None = None,
) -> Page[ServiceItem]:
    return await paginate(session, service.listing(region=region, kind=kind, example=example), pagination, service.item)


@router.get("/api/v1/service-map/{service_code}", summary="One service of the map", responses={404: {"description": "No such service"}})
async def get_service(service_code: ServiceCode, user: CurrentStaff, session: Session) -> ServiceItem:
    return service.item(found(await session.get(ServiceMapEntry, service_code), "service_not_found"))


@router.put(
    "/api/v1/service-map/{service_code}", summary="Add or replace a service of the map",
    responses={403: {"description": "The service (as it is or would become) is not of the user's municipalities or region"}},
)
async def put_service(service_code: ServiceCode, body: ServiceBody, user: Manager, session: Session) -> ServiceItem:
    item = ServiceItem(service_code=service_code, **body.model_dump())
    await service.authorise(session, user, service_code, item)
    await service.put_service(session, item)
    await session.commit()
    return item


@router.delete("/api/v1/service-map/{service_code}", status_code=204, summary="Remove a service from the map")
async def delete_service(service_code: ServiceCode, user: Manager, session: Session) -> Response:
    found(await service.authorise(session, user, service_code), "service_not_found")
    await service.remove_service(session, service_code)
    await session.commit()
    return Response(status_code=204)


@router.post("/api/v1/service-map/load", summary="Load a catalogue file (a JSON list of services; each added or replaced by its code)")
async def load_services(user: Manager, session: Session, services: Annotated[list[ServiceItem], Body(max_length=5000)]) -> dict[str, int]:
    for item in services:  # all or nothing: one service the user may not manage refuses the file
        await service.authorise(session, user, item.service_code, item)
    count = await service.load_services(session, services)
    await session.commit()
    return {"loaded": count}


@router.get(
    "/api/v1/cases/{case_id}/plan/suggestions",
    summary="Services of the map for the client's needs, in languages the client knows, nearest first",
    responses={404: {"description": "No such case (or not visible), or no plan for it"}},
)
async def suggestions(
    case_id: UUID, case: VisibleCase, user: CaseWorker, session: Session,
    need: Annotated[list[str] | None, Query(description="service codes or measure kinds; default: the assessment's service needs")] = None,
) -> list[Suggestion]:
    plan = found(await plans.plan_of_case(session, case_id), "plan_not_found")
    record: dict[str, Any] = plan.record
    return await service.suggest(
        session,
        municipality_code=case["municipality_code"],
        needs=need or record.get("service_needs") or [],
        languages=record.get("client_languages") or [],
        groups=groups_of(case.get("client")),
    )


def groups_of(client: dict[str, Any] | None) -> list[str] | None:
    """The client's groups in the service map's words, from the case as staff see it (its
    `client_groups` are today's, young people included); None when they were never recorded."""
    if not client or client.get("client_groups") is None:
        return None
    birth_date = date.fromisoformat(client["birth_date"]) if client.get("birth_date") else None
    return map_groups(
        client["client_groups"], birth_date, today(), young_below_age(), residence_basis=client.get("residence_basis"),
        target_group=client.get("target_group"), jobseeker=client.get("lead") == "employment_authority",
    )
