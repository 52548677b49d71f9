"""A person registered twice without a shared identity code is flagged for staff, never merged."""

from __future__ import annotations


from support import PRODUCER, event, eventually, person, publish, register_source, registration, running, token, with_identity_code

OTHER_REGISTER = "urn:kotopolku:system:tampere-register"


async def reviews(http, headers, **params):
    return (await http.get("/api/v1/municipal/duplicate-reviews", params=params, headers=headers)).json()


async def test_the_same_person_from_two_systems_is_flagged_and_staff_decide(settings, amqp_url):
    async with running(settings) as (runtime, http):
        await register_source(runtime, OTHER_REGISTER, ["837"])
        await publish(amqp_url, event(registration(municipality_code="837", person=person(given_names="Hämäläinen-Ali Aino"))))
        # The other system writes the name in another order and without the diacritics.
        await publish(amqp_url, event(
            registration(municipality_code="837", person=person(given_names="Aino", family_name="Hamalainen-Ali Hassan")),
            source=OTHER_REGISTER,
        ))
        staff = token(settings, "837")

        async def flagged():
            return (await reviews(http, staff, status="open"))["items"]

        [review] = await eventually(flagged, what="the duplicate review")
        assert review["similarity"] in ("exact", "partial")
        assert review["earlier_client"]["source"] == PRODUCER and review["client"]["source"] == OTHER_REGISTER
        # Two clients and two cases remain: nothing was merged.
        async def both_cases():
            return (await http.get("/api/v1/cases", headers=staff)).json()["total"] == 2

        await eventually(both_cases, what="both cases in the list")

        async def told():
            return [n["kind"] for n in (await http.get("/api/v1/notifications", headers=staff)).json()]

        assert await eventually(told, what="staff told") == ["possible_duplicate"]
        assert (await reviews(http, token(settings, "091")))["items"] == []

        one = f"/api/v1/municipal/duplicate-reviews/{review['id']}"
        assert (await http.get(one, headers=staff)).json() == review
        assert (await http.get(one, headers=token(settings, "091"))).status_code == 404
        url = f"{one}/resolution"
        decided = await http.post(url, json={"decision": "same_person"}, headers=staff)
        assert decided.status_code == 200 and decided.json()["status"] == "same_person"
        assert decided.json()["resolved_by"] == "tester"
        assert (await http.get(one, headers=staff)).json() == decided.json()
        coordinator = token(settings, "837", role="coordinator")

        async def reads_logged():
            log = (await http.get("/api/v1/access-log", params={"record_id": review["id"]}, headers=coordinator)).json()["items"]
            reads = sorted(row["client_id"] for row in log if row["action"] == "duplicate_review.read")
            return reads if len(reads) == 4 else None  # two reads of the review, each of both clients

        both_clients = [review["client"]["client_id"], review["earlier_client"]["client_id"]]
        assert await eventually(reads_logged, what="the reads logged") == sorted(both_clients * 2)
        again = await http.post(url, json={"decision": "different_people"}, headers=staff)
        assert again.status_code == 409 and again.json()["detail"]["code"] == "review_already_resolved"
        assert (await http.post(url, json={"decision": "merge"}, headers=staff)).status_code == 422
        assert (await http.post(url, json={"decision": "same_person"}, headers=token(settings, "091"))).status_code == 404


async def test_different_identity_codes_or_different_people_are_not_flagged(settings, amqp_url):
    async with running(settings) as (runtime, http):
        await publish(amqp_url, event(with_identity_code(registration(municipality_code="179"))))
        await publish(amqp_url, event(with_identity_code(registration(municipality_code="179"))))  # twins
        await publish(amqp_url, event(registration(municipality_code="179", person=person(given_names="Fatima", family_name="Yusuf"))))
        staff = token(settings, "179")

        async def all_three():
            return (await http.get("/api/v1/cases", headers=staff)).json()["total"] == 3

        await eventually(all_three, what="three clients")
        assert (await reviews(http, staff))["items"] == []
