"""Feedback: the client answers a question on their page; staff read only the figures of the
answers (`GET /api/v1/figures/feedback`), never an answer. Thin: parse, authorise, call service.py."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from services.notifications.api import NotificationsContext, Session
from services.notifications.client_page.api import page_identity
from services.notifications.client_page.identity import ClientIdentity
from services.notifications.feedback import service
from services.notifications.feedback.models import FeedbackAnswerWrite, FeedbackFigures
from shared.figures import Grouping
from shared.figures_answer import RESPONSES, FigureReader, Format, Period, check_groupings
from shared.targets import FigureSource, figures_response

router = APIRouter(tags=["feedback"])
FEEDBACK = FigureSource("notifications", "feedback_figures.query", "feedback-figures", "figures.feedback.column")


@router.post("/client/api/feedback/{request_id}", status_code=204)
async def answer_feedback(
    identity: Annotated[ClientIdentity, Depends(page_identity)], request_id: UUID, given: FeedbackAnswerWrite, session: Session
) -> Response:
    """The client's answer to a question on their page; kept apart from them and their case."""
    await service.answer(session, identity, request_id, given)
    await session.commit()
    return Response(status_code=204)


@router.get(
    "/api/v1/figures/feedback",
    response_model=FeedbackFigures,
    response_model_by_alias=True,
    summary="Clients' feedback for a period, by measure kind, provider, client group or municipality (JSON, or CSV)",
    responses=RESPONSES,
)
async def feedback_figures_route(
    request: Request, session: Session, ctx: NotificationsContext, user: FigureReader, period: Period,
    by: Grouping = Grouping.measure_kind, format: Format = None,
):
    """Answers, those finding it useful (4-5) and those who understood the language, and the mean
    usefulness; a cell of fewer than five answers is hidden, with what would give it away."""
    check_groupings(by, None, service.GROUPINGS)
    period_from, period_to = period
    answers = await service.answers_in(session, user, period_from, period_to)
    figures = service.feedback_figures(
        answers, period_from=period_from, period_to=period_to, by=by, smallest=ctx.policy.default.figures_smallest_cell
    )
    return await figures_response(request, session, user, FEEDBACK, figures, format)
