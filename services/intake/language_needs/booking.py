"""The interview booking against the client's recorded interpreter need: a booking may leave the
need out (staff may have arranged it otherwise, e.g. a worker who speaks the client's language),
but the case's timeline then says the need is not met, so that nobody finds out at the interview.
Pure: intake calls it when the assessment reports a booking (services/intake/service.py)."""

from __future__ import annotations

from typing import Any

from services.intake.models import Client
from shared.lifecycle import Fact

BOOKINGS = (Fact.assessment_scheduled, Fact.assessment_rescheduled)
NOT_BOOKED = "interpreter_need.not_booked"  # the timeline's reason code (dashboard.reason.*)


def unmet_need(client: Client | None, fact: Fact | None, details: dict[str, Any] | None) -> str | None:
    """The timeline's reason when a booking leaves out the client's recorded interpreter need
    (none booked, or one in another language); None when it is met or none is recorded."""
    if client is None or fact not in BOOKINGS or not client.interpreter_language:
        return None
    if (details or {}).get("interpreter_language") == client.interpreter_language:
        return None
    dialect = f" ({client.interpreter_dialect})" if client.interpreter_dialect else ""
    return f"{NOT_BOOKED}: {client.interpreter_language}{dialect}"
