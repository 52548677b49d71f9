"""What completing an assessment names that its workflow cannot check, checked before the command
is sent: the wellbeing services county's participant is on the staff list of the county of the
case's municipality. That list is the planning service's (services/planning/county_staff/): it is
read from there with the caller's own credentials, in-process when planning runs in this process,
else over HTTP at KOTOPOLKU_PLANNING_URL — as the case is read from notifications (shared/cases.py).
A refusal is 422 naming the field."""

from __future__ import annotations

from uuid import UUID

from fastapi import Request

from services.assessment.commands import CompleteAssessment
from shared.auth import StaffUser
from shared.cases import read_as_caller, service_client
from shared.refusals import NotFound, Refused
from shared.service import ServiceContext

PARTICIPANT = "wellbeing_county_participant_sub"
STAFF_PATH = "/api/v1/cases/{case_id}/plan/county-staff"


async def check_complete(ctx: ServiceContext, request: Request, case_id: UUID, user: StaffUser,
                         body: CompleteAssessment) -> CompleteAssessment:
    """The participant's name from the county's list: a typed name alone is refused."""
    if body.wellbeing_county_participant is not None:
        raise Refused("wellbeing_participant_typed", status=422, field="wellbeing_county_participant")
    if body.wellbeing_county_participant_sub is None:
        return body
    async with service_client(request, "planning", request.app.state.settings.planning_url) as client:
        listed = await read_as_caller(client, request, STAFF_PATH.format(case_id=case_id), "planning")
    if listed is None:
        raise NotFound("case_not_found")
    member = next((m for m in listed.get("staff") or [] if m.get("sub") == body.wellbeing_county_participant_sub), None)
    if member is None:
        raise Refused("wellbeing_participant_not_county_staff", status=422, field=PARTICIPANT, county=listed.get("county") or "–")
    return body.model_copy(update={"wellbeing_county_participant": member["name"]})
