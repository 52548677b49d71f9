"""Feedback requests (per case, for the client's page) and answers (apart from the case)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, Field as SchemaField
from sqlmodel import Field, SQLModel

from shared.db import utc_column
from shared.figures import FigureRow, PeriodFigures

About = Literal["measure", "closure"]
Understood = Literal["yes", "partly", "no"]


class FeedbackRequest(SQLModel, table=True):
    """A question waiting on the client's page: after a completed measure, or at the closure."""

    __tablename__ = "feedback_request"

    id: UUID = Field(primary_key=True)  # from the event's id: a redelivery asks nothing twice
    case_id: UUID = Field(index=True)
    client_id: UUID
    municipality_code: str
    about: str  # measure | closure
    measure_id: UUID | None = None
    measure_kind: str | None = None
    provider: str | None = None
    client_group: str | None = None  # the client's target group when asked
    created_at: datetime = Field(sa_column=utc_column())
    # Answered or not, never when: the time would tie the request to its answer.
    answered: bool = False


class FeedbackAnswer(SQLModel, table=True):
    """One answer, with nothing that leads back to the client: no client, no case, no request, no
    time but its month (`YYYY-MM`)."""

    __tablename__ = "feedback_answer"

    id: UUID = Field(primary_key=True)  # random
    municipality_code: str = Field(index=True)
    month: str = Field(index=True)
    about: str
    measure_kind: str | None = None
    provider: str | None = None
    client_group: str | None = None
    usefulness: int  # 1 (not at all) … 5 (very)
    understood: str  # yes | partly | no


class FeedbackQuestion(BaseModel):
    """An open request as the client's page shows it."""

    id: UUID
    about: About
    measure_kind: str | None = None
    provider: str | None = None


class FeedbackAnswerWrite(BaseModel):
    usefulness: int = SchemaField(ge=1, le=5, description="1 (not useful at all) … 5 (very useful)")
    understood: Understood = SchemaField(description="did the client understand the language it was in")


class FeedbackGroupFigures(FigureRow):
    """The answers of one group. `useful` and `understood` are parts of `answers` (their rests are
    protected too: shared/suppression.py)."""

    PARTS: ClassVar[dict[str, tuple[str, ...]]] = {"answers": ("useful",)}
    DERIVED: ClassVar[dict[str, tuple[str, ...]]] = {"usefulness_mean": ("answers",)}

    group: str = SchemaField(description="the group's code (a measure kind, a provider, a client group or a municipality; `unknown` when not given); `all` for the total")
    answers: int | None = SchemaField(description="feedback answers given in the period")
    useful: int | None = SchemaField(description="of them, those rating the usefulness 4 or 5")
    understood: int | None = SchemaField(description="of them, those who understood the language (`yes`)")
    usefulness_mean: float | None = SchemaField(description="the mean usefulness, 1-5, two decimals")


class FeedbackFigures(PeriodFigures[FeedbackGroupFigures]):
    pass
