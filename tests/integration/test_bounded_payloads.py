"""Bounded payloads, the audit's probes against a real Kotopolku: a staff command's lists and texts
are bounded (422 naming the field), a measure's outcome is small and typed, and a body past
KOTOPOLKU_MAX_REQUEST_BYTES is refused by the application itself (413), before anything reaches a
workflow's history."""

from __future__ import annotations

import pytest

from support import make_settings, running, token
from test_plan_api import case_awaiting_plan

MEGABYTES_3 = "x" * 3_000_000


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url):
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)


def fields(response) -> set[str]:
    assert response.status_code == 422, response.text
    return {problem["field"] for problem in response.json()["detail"]}


def too_large(response) -> None:
    assert response.status_code == 413, response.text
    detail = response.json()["detail"]
    assert detail["code"] == "request_too_large" and "1048576" in detail["messages"]["sv"]


async def test_staff_commands_take_bounded_bodies(settings, amqp_url):
    caseworker = token(settings, "109", role="caseworker", sub="cw-1")
    async with running(settings) as (runtime, http):
        case = await case_awaiting_plan(http, amqp_url, caseworker)
        path = f"/api/v1/cases/{case['case_id']}"

        # The audit's probes: 3 MB of skills, a 3 MB outcome.
        corrections = f"{path}/assessment/corrections"
        too_large(await http.post(corrections, json={"reason": "x", "special_skills": ["x" * 1000] * 3000}, headers=caseworker))
        too_large(await http.post(f"{path}/plan", json={"type": "individual", "measures": [{"kind": "other", "outcome": {"text": MEGABYTES_3}}]}, headers=caseworker))
        # Within the size, a list or text past its bound is named.
        assert fields(await http.post(corrections, json={"reason": "x", "special_skills": ["x" * 100] * 31}, headers=caseworker)) == {"special_skills"}
        assert fields(await http.post(corrections, json={"reason": "x", "special_skills": ["x" * 201]}, headers=caseworker)) == {"special_skills.0"}
        assert fields(await http.post(corrections, json={"reason": "x", "service_needs": ["y"] * 31}, headers=caseworker)) == {"service_needs"}
        refused = await http.post(f"{path}/plan", json={"type": "individual", "measures": [{"kind": "other", "outcome": {"grade": 5, "notes": "x" * 1001}}]}, headers=caseworker)
        assert fields(refused) == {"measures.0.outcome.grade", "measures.0.outcome.notes"}
        assert fields(await http.post(f"{path}/plan", json={"type": "individual", "measures": [{"kind": "other"}] * 51}, headers=caseworker)) == {"measures"}

        # A body sent in pieces, with no Content-Length, is counted as it arrives.
        async def pieces():
            yield b'{"reason": "x", "notes": "'
            for _ in range(20):
                yield b"x" * 100_000
            yield b'"}'

        too_large(await http.post(corrections, content=pieces(), headers={**caseworker, "Content-Type": "application/json"}))

        # A typed outcome is kept as given.
        made = await http.post(f"{path}/plan", json={"type": "individual", "measures": [{"kind": "language_studies", "language": "fi"}]}, headers=caseworker)
        assert made.status_code == 200, made.text
        [measure] = (await http.get(f"{path}/plan", headers=caseworker)).json()["measures"]
        change = f"{path}/plan/measures/{measure['measure_id']}"
        too_large(await http.patch(change, json={"outcome": {"notes": MEGABYTES_3}}, headers=caseworker))
        assert fields(await http.patch(change, json={"outcome": {"cefr": "B7"}}, headers=caseworker)) == {"outcome.cefr"}
        changed = await http.patch(change, json={"outcome": {"language": "fi", "cefr": "B1.1"}}, headers=caseworker)
        assert changed.status_code == 200, changed.text
        [measure] = (await http.get(f"{path}/plan", headers=caseworker)).json()["measures"]
        assert measure["outcome"] == {"language": "fi", "cefr": "B1.1"}
