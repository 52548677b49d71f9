"""The only writers of feedback: a question opened by a completed measure or the case's closure;
the client's answer, stored apart from the case; the figures of the answers."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Iterable
from uuid import UUID

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.feedback.models import (
    FeedbackAnswer, FeedbackAnswerWrite, FeedbackFigures, FeedbackGroupFigures, FeedbackQuestion, FeedbackRequest,
)
from services.notifications.models import ClientView
from shared.auth import StaffUser, scoped
from shared.clock import now
from shared.subscription import parse_data
from shared.contracts import CaseClosed
from shared.envelope import Envelope
from shared.figures import TOTAL, GroupedFacts, Grouping, period_figures
from shared.suppression import Line, hidden_cells
from shared.refusals import Conflict, NotFound

if TYPE_CHECKING:
    from services.notifications.client_page.identity import ClientIdentity
    from services.notifications.client_page.models import ClientMeasure

# Closures the client is asked of: a registration found not eligible never started a path.
NOT_ASKED_CLOSURES = frozenset({"not_eligible"})
# What the feedback figures can be grouped by: the measure, the client group, the municipality.
GROUPINGS = frozenset({Grouping.measure_kind, Grouping.provider, Grouping.target_group, Grouping.municipality})


def _request_id(event_id: str) -> UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"kotopolku:feedback-request:{event_id}")


async def _client_group(session: AsyncSession, client_id: UUID) -> str | None:
    client = await session.get(ClientView, client_id)
    return client.target_group if client else None


async def _open(session: AsyncSession, request: FeedbackRequest) -> FeedbackRequest:
    if await session.get(FeedbackRequest, request.id) is None:
        request.client_group = await _client_group(session, request.client_id)
        session.add(request)
    return request


async def ask_about_measure(session: AsyncSession, event_id: str, measure: ClientMeasure) -> FeedbackRequest:
    """A completed measure: the client's page asks how it was."""
    return await _open(session, FeedbackRequest(
        id=_request_id(event_id), case_id=measure.case_id, client_id=measure.client_id, municipality_code=measure.municipality_code,
        about="measure", measure_id=measure.measure_id, measure_kind=measure.kind, provider=measure.provider, created_at=now(),
    ))


async def ask_at_closure(session: AsyncSession, event: Envelope) -> FeedbackRequest | None:
    """The case closed: the page asks how the whole path was (the page stays open while its link
    is valid)."""
    data = parse_data(CaseClosed, event)
    if data.reason in NOT_ASKED_CLOSURES:
        return None
    return await _open(session, FeedbackRequest(
        id=_request_id(event.id), case_id=data.case_id, client_id=data.client_id, municipality_code=data.municipality_code,
        about="closure", created_at=now(),
    ))


async def open_questions(session: AsyncSession, case_id: UUID) -> list[FeedbackQuestion]:
    query = select(FeedbackRequest).where(FeedbackRequest.case_id == case_id, col(FeedbackRequest.answered).is_(False))
    rows = await session.exec(query.order_by(FeedbackRequest.created_at))
    return [FeedbackQuestion.model_validate(row, from_attributes=True) for row in rows]


async def answer(session: AsyncSession, identity: ClientIdentity, request_id: UUID, given: FeedbackAnswerWrite) -> None:
    """The client's answer, kept without them: the request is only marked answered (409
    `feedback_already_answered` the second time), the answer carries the groups and the month."""
    request = await session.get(FeedbackRequest, request_id)
    if request is None or request.case_id != identity.case_id:
        raise NotFound("feedback_request_not_found")
    if request.answered:
        raise Conflict("feedback_already_answered")
    request.answered = True
    session.add(request)
    session.add(FeedbackAnswer(
        id=uuid.uuid4(), municipality_code=request.municipality_code, month=now().strftime("%Y-%m"), about=request.about,
        measure_kind=request.measure_kind, provider=request.provider, client_group=request.client_group,
        usefulness=given.usefulness, understood=given.understood,
    ))


# --- the figures -------------------------------------------------------------------------------


class AnswerFacts(GroupedFacts):
    """An answer as the figures group it (a client group is the figures' `target_group`)."""

    month: date
    usefulness: int
    understood: str


async def answers_in(session: AsyncSession, user: StaffUser, period_from: date, period_to: date) -> list[AnswerFacts]:
    months = (period_from.strftime("%Y-%m"), period_to.strftime("%Y-%m"))
    query = scoped(select(FeedbackAnswer), FeedbackAnswer.municipality_code, user).where(
        FeedbackAnswer.month >= months[0], FeedbackAnswer.month <= months[1]
    )
    return [
        AnswerFacts(
            municipality_code=row.municipality_code, measure_kind=row.measure_kind, provider=row.provider, target_group=row.client_group,
            month=date.fromisoformat(row.month + "-01"), usefulness=row.usefulness, understood=row.understood,
        )
        for row in await session.exec(query)
    ]


def figures_of(group: str, answers: Iterable[AnswerFacts], period_from: date, period_to: date) -> FeedbackGroupFigures:
    answers = [item for item in answers if period_from <= item.month <= period_to]
    total = sum(item.usefulness for item in answers)
    return FeedbackGroupFigures(
        group=group, answers=len(answers), useful=sum(1 for item in answers if item.usefulness >= 4),
        understood=sum(1 for item in answers if item.understood == "yes"),
        usefulness_mean=round(total / len(answers), 2) if answers else None,
    )


# `useful` and `understood` are each a part of `answers`: the rest of each (answers minus it) is a
# cell a reader could work out, so it is protected as one (never shown itself).
PARTS = ("useful", "understood")


def feedback_figures(answers: list[AnswerFacts], *, period_from: date, period_to: date, by: Grouping, smallest: int) -> FeedbackFigures:
    """Per group and in total, every count of 1 to `smallest - 1` hidden with what would give it
    away (shared/suppression.py); the mean goes with the count of answers."""
    figures = period_figures(
        FeedbackFigures, answers, period_from=period_from, period_to=period_to, by=by, figures_of=figures_of,
        happened=lambda row: bool(row.answers),
    )
    rows = [*figures.groups, figures.total]
    values: dict[tuple[str, str], int] = {}
    lines: list[Line] = []
    for row in rows:
        values[(row.group, "answers")] = row.answers or 0
        for part in PARTS:
            values[(row.group, part)] = getattr(row, part) or 0
            values[(row.group, f"{part}:rest")] = (row.answers or 0) - values[(row.group, part)]
            lines.append(Line([(row.group, part), (row.group, f"{part}:rest")], (row.group, "answers")))
    for column in ("answers", *PARTS, *(f"{part}:rest" for part in PARTS)):
        lines.append(Line([(row.group, column) for row in figures.groups], (TOTAL, column)))
    unshown = {key for key in values if key[1].endswith(":rest")}
    hidden = hidden_cells(values, lines, smallest, unshown=unshown)

    def protected(row: FeedbackGroupFigures) -> FeedbackGroupFigures:
        gone = [column for column in ("answers", *PARTS) if (row.group, column) in hidden]
        gone += [column for column, bases in FeedbackGroupFigures.DERIVED.items() if any(base in gone for base in bases)]
        return row.model_copy(update={**{column: None for column in gone}, "hidden": gone}) if gone else row

    return figures.model_copy(update={"groups": [protected(row) for row in figures.groups], "total": protected(figures.total)})
