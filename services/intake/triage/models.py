"""The staff decision on a client's target group and the triage queue's items."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.intake.identity import TargetGroup
from shared.text import PrintableParagraphs


class TargetGroupDecision(BaseModel):
    """`target_group`: the client is owed an assessment and the statutory clock starts today;
    `null`: they are in no target group and are offered guidance. Always with the reason."""

    model_config = ConfigDict(extra="forbid")

    target_group: TargetGroup | None = Field(description="the target group decided, or null for none (guidance)")
    reason: PrintableParagraphs = Field(min_length=1, max_length=2000, description="why, as the decision records it")
    set_aside_time_limit: bool = Field(
        False,
        description="a victim of trafficking who could be reached only later: the eligibility window is set aside",
    )

    @model_validator(mode="after")
    def _only_for_trafficking(self) -> "TargetGroupDecision":
        if self.set_aside_time_limit and self.target_group != "trafficking_victim":
            raise ValueError("set_aside_time_limit is only for target_group trafficking_victim")
        return self


class TriageItem(BaseModel):
    """A client waiting for the staff decision on their target group (no identity code)."""

    case_id: UUID
    client_id: UUID
    municipality_code: str
    given_names: str
    family_name: str
    birth_date: date
    nationality: str
    residence_basis: str
    household_id: str | None
    jobseeker: bool
    registered_on: date
    first_permit_or_registration_on: date | None
    admission_reason: str | None = Field(description="why it is in the queue: residence_basis_unclear, trafficking_window_passed")
    target_group: str | None = Field(description="what the register or the rule suggests, if anything")
    decision_due_on: date | None
