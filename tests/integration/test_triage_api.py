"""The triage queue and the staff decision on a client's target group, through the running
system: a registration that does not settle the target group waits in its municipality's queue;
a decision with its reason starts the statutory clock; roles, tenancy and refusals in fi/sv/en."""

from __future__ import annotations

import pytest

from shared.clock import today
from shared.policy import add_months, load_policy
from shared.auth import mint_token
from support import eventually, event, make_settings, person, publish, registration, running, token


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url):
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)


def assert_refused(response, code: str, status: int = 409) -> None:
    assert response.status_code == status and response.json()["detail"]["code"] == code, response.text
    messages = response.json()["detail"]["messages"]
    assert set(messages) == {"fi", "sv", "en"} and all(messages.values()), messages


async def test_staff_decide_the_unclear_from_their_queue_and_the_clock_starts(settings, amqp_url):
    async with running(settings) as (runtime, http):
        staff, coordinator = token(settings, "109"), token(settings, "109", role="coordinator")
        await publish(amqp_url, event(registration(residence_basis="family", person=person(family_name="Karimi"))))
        await publish(amqp_url, event(registration(residence_basis="work", person=person(family_name="Nguyen"))))
        await publish(amqp_url, event(registration(residence_basis="family", municipality_code="905", person=person(family_name="Ali"))))

        async def both_listed():
            items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
            return {item["client"]["family_name"]: item for item in items} if len(items) == 2 else None

        listed = await eventually(both_listed, what="both of 109's cases listed")
        assert (listed["Nguyen"]["stage"], listed["Nguyen"]["status"], listed["Nguyen"]["next_deadline"]) == ("intake", "guidance_offered", None)
        assert (listed["Karimi"]["status"], listed["Karimi"]["next_deadline"]["kind"]) == ("needs_triage", "triage_decision")

        queue = (await http.get("/api/v1/municipal/triage", headers=staff)).json()
        assert [(item["family_name"], item["residence_basis"], item["admission_reason"]) for item in queue["items"]] == [
            ("Karimi", "family", "residence_basis_unclear")
        ]
        [elsewhere] = (await http.get("/api/v1/municipal/triage", headers=token(settings, "905"))).json()["items"]
        assert elsewhere["family_name"] == "Ali"

        case_id = listed["Karimi"]["case_id"]
        url = f"/api/v1/cases/{case_id}/target-group"
        decision = {"target_group": "international_protection", "reason": "Family member of a refugee"}
        # Another municipality's case: 404; a role that may not: 403; a bad body: 422 naming the field.
        assert (await http.post(url, json=decision, headers=token(settings, "905"))).status_code == 404
        assert (await http.post(url, json=decision, headers=token(settings, "109", role="admin"))).status_code == 403
        no_role = {"Authorization": "Bearer " + mint_token(settings, sub="x", name="X", roles=[], municipalities=["109"])}
        assert (await http.post(url, json=decision, headers=no_role)).status_code == 403
        invalid = await http.post(url, json={"target_group": "tourist"}, headers=staff)
        assert invalid.status_code == 422 and {"target_group", "reason"} <= {problem["field"] for problem in invalid.json()["detail"]}
        set_aside = await http.post(url, json={**decision, "set_aside_time_limit": True}, headers=staff)
        assert set_aside.status_code == 422, set_aside.text

        decided = await http.post(url, json=decision, headers=staff)
        assert decided.status_code == 200, decided.text
        assert decided.json()["case_id"] == case_id

        async def clock_running():
            case = (await http.get(f"/api/v1/cases/{case_id}", headers=staff)).json()
            return case if case["status"] == "awaiting_assessment" else None

        case = await eventually(clock_running, what="the path started by the decision")
        due_on = add_months(today(), load_policy().default.assessment_start_months)
        assert case["next_deadline"] == {"kind": "assessment_start", "due_on": due_on.isoformat()}
        assert any(entry["reason"].startswith("target_group.decided.international_protection") for entry in case["timeline"])
        assert (await http.get("/api/v1/municipal/triage", headers=staff)).json()["items"] == []

        assert_refused(await http.post(url, json=decision, headers=coordinator), "target_group_already_decided")
        nguyen = f"/api/v1/cases/{listed['Nguyen']['case_id']}/target-group"
        assert_refused(await http.post(nguyen, json={"target_group": None, "reason": "a worker"}, headers=staff), "guidance_already_offered")

        async def queue_read_logged():
            log = (await http.get("/api/v1/access-log", params={"case_id": case_id}, headers=coordinator)).json()["items"]
            return [row for row in log if row["action"] == "triage.list"]

        await eventually(queue_read_logged, what="the queue's reads in the access log")

        # A client offered guidance who moves abroad: the case closes without any path.
        closed = await http.post(f"/api/v1/cases/{listed['Nguyen']['case_id']}/closure", json={"reason": "moved_away"}, headers=staff)
        assert closed.status_code == 200, closed.text
        assert (closed.json()["stage"], closed.json()["status"]) == ("closed", "moved_away")
