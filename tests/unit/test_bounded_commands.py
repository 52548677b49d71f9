"""Every list and text a staff command takes is bounded: each command goes into a workflow's
history, and Temporal ends a workflow whose history outgrows its limit."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from services.assessment import commands as assessment
from services.intake.closure.commands import CloseCase
from services.planning import commands as planning
from services.planning.servicemap.models import ServiceBody

BODIES: list[type[BaseModel]] = [
    assessment.ScheduleAssessment, assessment.StartAssessment, assessment.InterviewRecord, assessment.CompleteAssessment,
    assessment.CorrectAssessment, planning.MakePlan, planning.ReviewPlan, planning.MeasureBody, planning.MeasureFields,
    planning.ExtendPlan, CloseCase, ServiceBody,
]


def unbounded(schema: dict, definitions: dict, where: str) -> list[str]:
    if "$ref" in schema:
        return unbounded(definitions[schema["$ref"].rsplit("/", 1)[1]], definitions, where)
    found = []
    for alternative in schema.get("anyOf", []):
        found += unbounded(alternative, definitions, where)
    kind = schema.get("type")
    if kind == "string" and not ({"maxLength", "enum", "const", "format"} & set(schema)):
        pattern = schema.get("pattern", "")  # a pattern of fixed-size parts only bounds it too
        if not pattern or any(sign in pattern for sign in "*+"):
            found.append(where)
    if kind == "array":
        if "maxItems" not in schema:
            found.append(where)
        found += unbounded(schema.get("items", {}), definitions, f"{where}[]")
    if kind == "object":
        if schema.get("additionalProperties") not in (None, False):
            found.append(where)
        for name, field in schema.get("properties", {}).items():
            found += unbounded(field, definitions, f"{where}.{name}")
    return found


@pytest.mark.parametrize("body", BODIES, ids=lambda body: body.__name__)
def test_every_list_and_text_of_a_command_is_bounded(body):
    schema = body.model_json_schema()
    assert unbounded(schema, schema.get("$defs", {}), body.__name__) == []


def test_the_audits_probes_are_refused():
    with pytest.raises(ValidationError) as error:
        assessment.InterviewRecord(special_skills=["x" * 1000] * 3000)
    assert {problem["loc"][0] for problem in error.value.errors()} == {"special_skills"}
    with pytest.raises(ValidationError):
        planning.MeasureFields(outcome={"text": "x" * 3_000_000})
    with pytest.raises(ValidationError):
        planning.MeasureFields(outcome={"notes": "x" * 3_000_000})
    assert planning.MeasureBody(kind="other", outcome={"language": "fi", "cefr": "B1.1"}).model_dump()["outcome"] == {"language": "fi", "cefr": "B1.1"}
