"""The only writers of the county staff lists, and the check that a participant is on one."""

from __future__ import annotations

from sqlmodel import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning.county_staff.models import CountyStaffMember, StaffMember
from shared import municipalities
from shared.auth import StaffUser
from shared.clock import now
from shared.refusals import Forbidden, NotFound, Refused


def county_of(municipality_code: str) -> str | None:
    """The wellbeing services county of a municipality (None on Åland, which has none)."""
    municipality = municipalities.get(municipality_code)
    return municipality.wellbeing_county if municipality else None


def known_county(county: str) -> str:
    if county not in {m.wellbeing_county for m in municipalities.all_municipalities() if m.wellbeing_county}:
        raise NotFound("wellbeing_county_unknown", county=county)
    return county


def check_admin_of(user: StaffUser, county: str) -> None:
    """An administrator sends the list of a county one of whose municipalities they serve: not
    another region's (an admin named to no municipality is no county's either)."""
    if not any(county_of(code) == county for code in user.municipalities):
        raise Forbidden("county_not_yours", county=county)


async def replace_list(session: AsyncSession, county: str, staff: list[StaffMember]) -> int:
    """The county's list as the identity provider's group has it now: those left out are gone."""
    await session.exec(delete(CountyStaffMember).where(CountyStaffMember.county == county))
    for member in {member.sub: member for member in staff}.values():
        session.add(CountyStaffMember(county=county, **member.model_dump(), source="list", updated_at=now()))
    return len(staff)


async def seen(session: AsyncSession, user: StaffUser) -> None:
    """A county's staff member who signs in with the role is on their counties' lists (the
    provider vouches for them); the caller commits."""
    for county in user.wellbeing_counties:
        member = await session.get(CountyStaffMember, (county, user.sub))
        if member is None:
            session.add(CountyStaffMember(county=county, sub=user.sub, name=user.name or user.sub, source="sign_in", updated_at=now()))
        elif user.name and member.name != user.name:
            member.name, member.updated_at = user.name, now()
            session.add(member)


async def staff_of(session: AsyncSession, county: str) -> list[CountyStaffMember]:
    query = select(CountyStaffMember).where(CountyStaffMember.county == county).order_by(CountyStaffMember.name, CountyStaffMember.sub)
    return list((await session.exec(query)).all())


async def participant(session: AsyncSession, *, municipality_code: str, sub: str, field: str) -> CountyStaffMember:
    """The county's participant chosen by `sub`: refused (422, naming the field) unless they are on
    the staff list of the wellbeing services county of the case's municipality."""
    county = county_of(municipality_code)
    member = await session.get(CountyStaffMember, (county, sub)) if county else None
    if member is None:
        raise Refused("wellbeing_participant_not_county_staff", status=422, field=field, county=county or "–")
    return member
