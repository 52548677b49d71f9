"""Who takes part for the wellbeing services county in a multi-sectoral plan, as the plan's record
keeps it: chosen from the county's staff list (the route checked the choice: county_staff/), on
the plan and on each of its reviews. Pure: the plan workflow calls it."""

from __future__ import annotations

from typing import Any

from services.planning.commands import MakePlan, ReviewPlan
from services.planning.records import PlanRecord


def choose(record: PlanRecord, body: MakePlan | ReviewPlan) -> None:
    """A participant chosen in the command becomes the plan's (the one it had stays otherwise)."""
    if body.wellbeing_county_participant:
        record.wellbeing_county_participant = body.wellbeing_county_participant
        record.wellbeing_county_participant_sub = body.wellbeing_county_participant_sub


def of_review(record: PlanRecord, body: ReviewPlan) -> dict[str, Any]:
    """A multi-sectoral plan's review records the county's participant: the one chosen for it
    (who then is the plan's), else the plan's own. Other plans' reviews record none."""
    if record.type != "multi_sectoral":
        return {}
    choose(record, body)
    return {"wellbeing_county_participant": record.wellbeing_county_participant,
            "wellbeing_county_participant_sub": record.wellbeing_county_participant_sub}
