"""What staff see and record of messages to a client: the messages sent on a case (never their
text) and the channels the client refused."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.notifications.api import Session, visible_case
from services.notifications.client_messages import service
from services.notifications.client_messages.models import ClientChannels, ClientChannelsRead, ClientMessageRead
from services.notifications.models import CaseView, ClientView
from shared.auth import require_role
from shared.refusals import Refused

router = APIRouter(prefix="/api/v1", tags=["cases"])

VisibleCase = Annotated[tuple[CaseView, ClientView | None], Depends(visible_case)]


def client_of(case: tuple[CaseView, ClientView | None]) -> ClientView:
    _view, client = case
    if client is None:
        raise Refused("client_not_recorded")  # 409: the registration's record has not arrived yet
    return client


@router.get("/cases/{case_id}/client/messages", response_model=list[ClientMessageRead])
async def get_client_messages(case: VisibleCase, session: Session) -> list[ClientMessageRead]:
    """The messages the client was sent or is to be sent on this case, oldest first: kind,
    channel, language, state, and whether an interpreter or another channel is needed. The
    dashboard shows them on the case's timeline."""
    view, _client = case
    return await service.messages_of_case(session, view.case_id)


@router.get("/cases/{case_id}/client/channels", response_model=ClientChannelsRead)
async def get_client_channels(case: VisibleCase) -> ClientChannelsRead:
    """The channels the client can be reached on and those they refused."""
    return service.channels_read(client_of(case))


@router.put(
    "/cases/{case_id}/client/channels",
    response_model=ClientChannelsRead,
    dependencies=[require_role("caseworker", "coordinator")],
)
async def put_client_channels(case: VisibleCase, channels: ClientChannels, session: Session) -> ClientChannelsRead:
    """The client refuses these channels (`{"refused": ["sms"]}`) and gets no message on them; an
    empty list accepts every channel again. A message waiting on a refused channel is not sent."""
    answer = await service.set_channels(session, client_of(case), channels)
    await session.commit()
    return answer
