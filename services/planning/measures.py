"""The rules of a plan's measures: what a measure may be, how a change to one applies, when the
referral deadline is met. Pure functions on the plan's record; the workflow's validators and
handlers call them. Import-light: the workflow sandbox imports this module."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic_core import to_jsonable_python

from services.planning.commands import REFERRED, MeasureBody, MeasureChange
from services.planning.records import Measure, PlanRecord
from shared.contracts import PlanTimings
from shared.durable import refuse


def check_measure(measure: MeasureBody, plan_on: date, ends_on: date, timings: PlanTimings, client_languages: list[str]) -> None:
    if measure.starts_on and measure.ends_on and measure.ends_on < measure.starts_on:
        raise refuse("measure_dates_reversed", "the measure ends before it starts", 422)
    for day in (measure.starts_on, measure.ends_on):
        if day is not None and not plan_on <= day <= ends_on:
            raise refuse("measure_outside_plan_period", "the measure's dates are outside the plan's period", 422,
                         on=day.isoformat(), plan_on=plan_on.isoformat(), ends_on=ends_on.isoformat())
    if measure.kind == "civic_orientation":
        minimum = timings.civic_orientation_min_hours
        if measure.hours is None or measure.hours < minimum:
            raise refuse("civic_orientation_too_short", "civic orientation lasts at least the policy's hours", 422,
                         hours=measure.hours or 0, minimum=minimum)
        if measure.language is None or (client_languages and measure.language not in client_languages):
            raise refuse("civic_orientation_language", "civic orientation is given in a language the client knows", 422,
                         language=measure.language or "-", known=", ".join(client_languages) or "-")


def find(record: PlanRecord, measure_id: UUID) -> Measure | None:
    return next((m for m in record.measures if m.measure_id == measure_id), None)


def merged(record: PlanRecord, change: MeasureChange) -> MeasureBody:
    measure = find(record, change.measure_id)
    assert measure is not None
    given = change.model_dump(exclude={"measure_id"}, exclude_none=True)
    # The record's outcome may hold a provider's own fields: only a new one given is checked.
    kept = measure.model_dump(include=set(MeasureBody.model_fields) - {"outcome"})
    return MeasureBody.model_validate({**kept, **given})


def check_change(record: PlanRecord, change: MeasureChange, timings: PlanTimings, client_languages: list[str]) -> None:
    if find(record, change.measure_id) is None:
        raise refuse("measure_unknown", "the plan has no such measure", 422, measure_id=str(change.measure_id))
    assert record.plan_on is not None and record.ends_on is not None
    check_measure(merged(record, change), record.plan_on, record.ends_on, timings, client_languages)


def apply_change(record: PlanRecord, change: MeasureChange) -> dict[str, Any]:
    """Change the measure; what it was and what it is now, for the record of who did what."""
    measure = find(record, change.measure_id)
    assert measure is not None
    given = change.model_dump(mode="json", exclude={"measure_id"}, exclude_none=True)
    before = {name: to_jsonable_python(getattr(measure, name)) for name in given}
    changed = merged(record, change).model_dump()  # the outcome as the fields given
    for name in given:
        setattr(measure, name, changed[name])
    return {"measure_id": str(measure.measure_id), "from": before, "to": given}


def note_progress(record: PlanRecord, on: date) -> None:
    """Keep when each measure was referred and when it started (the time between is a figure)."""
    for measure in record.measures:
        if measure.status == "referred" and measure.referred_on is None:
            measure.referred_on = on
        if measure.status in ("started", "completed") and measure.started_on is None:
            measure.started_on = on


def meet_referral(record: PlanRecord, today: date) -> bool:
    """The plan_referral deadline is met once a measure is referred (or under way): True when it
    became met now."""
    if record.referral_met_on is None and any(m.status in REFERRED for m in record.measures):
        record.referral_met_on = today
        return True
    return False
