"""Reads of personal data that intake, assessment and planning serve from their own records reach
the access log the coordinators query: each read puts a `personal_data.read` event in the serving
service's outbox, and the notifications service writes it into the log (docs/access-log.md)."""

from __future__ import annotations

from support import employer_key, event, eventually, notice, publish, registration, running, token

REVIEWS = "/api/v1/municipal/match-reviews"
NOTICES = "/api/v1/municipal/recruitment-notices"


async def test_reads_of_reviews_notices_and_assessments_are_in_the_municipality_s_access_log(settings, amqp_url):
    async with running(settings) as (runtime, http):
        employer = await employer_key(runtime)
        # Amina Hassan-Ali is coming to Vaasa; Amina Hassan registers there: a possible match for staff to decide.
        body = notice(recruit={"given_names": "Amina", "family_name": "Hassan-Ali", "nationality": "SO", "birth_date": "1990-04-12"})
        submitted = await http.post("/api/v1/recruitment-notices", json=body, headers=employer)
        assert submitted.status_code == 201, submitted.text
        await publish(amqp_url, event(registration(municipality_code="905")))
        sari = token(settings, "905", sub="sari")

        async def queue():
            return (await http.get(REVIEWS, params={"status": "open"}, headers=sari)).json()["items"]

        [review] = await eventually(queue, what="the match review")

        async def opened():
            case = (await http.get(f"/api/v1/cases/{review['case_id']}", headers=sari)).json()
            if case.get("status") != "awaiting_assessment":
                return None
            return (await http.get(f"/api/v1/cases/{review['case_id']}/assessment", headers=sari)).status_code == 200

        await eventually(opened, what="the case's assessment")
        assert (await http.get(f"{NOTICES}/{review['notice_id']}", headers=sari)).status_code == 200
        # Another municipality's staff read an empty queue: nothing shown, nothing logged.
        assert (await http.get(REVIEWS, headers=token(settings, "109", sub="hanna"))).json()["items"] == []

        vaasa = token(settings, "905", role="coordinator", sub="kaisa")

        async def logged():
            items = (await http.get("/api/v1/access-log", params={"user_sub": "sari", "page_size": 100}, headers=vaasa)).json()["items"]
            actions = {item["action"] for item in items}
            return items if {"match_reviews.list", "recruitment_notice.read", "assessment.read"} <= actions else None

        items = await eventually(logged, what="the reads in Vaasa's access log")
        by_action = {item["action"]: item for item in items}
        listed = by_action["match_reviews.list"]
        assert (listed["record_kind"], listed["record_id"], listed["client_id"], listed["case_id"], listed["query"]) == (
            "match_review", review["id"], review["client_id"], review["case_id"], "status=open"
        )
        read_notice = by_action["recruitment_notice.read"]
        assert (read_notice["record_kind"], read_notice["record_id"], read_notice["client_id"]) == ("recruitment_notice", review["notice_id"], None)
        assessment = by_action["assessment.read"]
        assert (assessment["record_kind"], assessment["case_id"], assessment["client_id"]) == ("assessment", review["case_id"], review["client_id"])
        assert {item["municipality_code"] for item in items} == {"905"}
        assert {item["user_name"] for item in items} == {"Testi Käyttäjä"}
        by_record = (await http.get("/api/v1/access-log", params={"record_id": review["notice_id"]}, headers=vaasa)).json()["items"]
        assert [item["action"] for item in by_record] == ["recruitment_notice.read"]

        # Hämeenlinna's coordinator sees none of Vaasa's reads.
        hameenlinna = (await http.get("/api/v1/access-log", params={"page_size": 100}, headers=token(settings, "109", role="coordinator"))).json()
        assert hameenlinna["items"] == []
