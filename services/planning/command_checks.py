"""What a plan command names that its workflow cannot check (it sees no database and no other
case), checked before the command is sent: a family plan's members are cases of the client's own
household, in the user's municipalities; the wellbeing services county's participant is on the
staff list of the county of the case's municipality. A refusal is 422 naming the field."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request

from services.planning.commands import MakePlan, ReviewPlan
from services.planning.county_staff import service as county_staff
from shared.auth import StaffUser
from shared.cases import read_case
from shared.refusals import NotFound, Refused
from shared.service import ServiceContext

FAMILY = "family_members"
PARTICIPANT = "wellbeing_county_participant_sub"


async def check_make(ctx: ServiceContext, request: Request, case_id: UUID, user: StaffUser, body: MakePlan) -> MakePlan:
    case = await _case(request, case_id)
    if body.family_members:
        await check_household(request, case_id, case, body.family_members)
    return await _participant(ctx, case, body)


async def check_review(ctx: ServiceContext, request: Request, case_id: UUID, user: StaffUser, body: ReviewPlan) -> ReviewPlan:
    if body.wellbeing_county_participant is None and body.wellbeing_county_participant_sub is None:
        return body  # the plan's participant, if any, is recorded on the review by the workflow
    return await _participant(ctx, await _case(request, case_id), body)


async def _case(request: Request, case_id: UUID) -> dict[str, Any]:
    case = await read_case(request, case_id)
    if case is None:
        raise NotFound("case_not_found")
    return case


async def _participant(ctx: ServiceContext, case: dict[str, Any], body: Any) -> Any:
    """The participant's name from the county's list: a typed name alone is refused."""
    if body.wellbeing_county_participant is not None:
        raise Refused("wellbeing_participant_typed", status=422, field="wellbeing_county_participant")
    if body.wellbeing_county_participant_sub is None:
        return body
    async with ctx.db.session() as session:
        member = await county_staff.participant(
            session, municipality_code=case["municipality_code"], sub=body.wellbeing_county_participant_sub, field=PARTICIPANT,
        )
    return body.model_copy(update={"wellbeing_county_participant": member.name})


async def check_household(request: Request, case_id: UUID, case: dict[str, Any], members: list[UUID]) -> None:
    """Every member is another case of the client's household (the registration's `household_id`)
    that the user may see: a case of another household, or of a municipality not theirs, is
    refused alike (nothing said of it)."""
    household = (case.get("client") or {}).get("household_id")
    if not household:
        raise Refused("family_no_household", status=422, field=FAMILY)
    for member in dict.fromkeys(members):
        other = None if member == case_id else await read_case(request, member)
        if other is None or (other.get("client") or {}).get("household_id") != household:
            raise Refused("family_member_not_of_household", status=422, field=FAMILY, case_id=str(member))
