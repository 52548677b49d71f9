"""Every read of personal data is in the access log — the case detail, and each case a list or a
name search showed — and coordinators query the log of their own municipalities."""

from __future__ import annotations

from support import event, eventually, person, publish, registration, running, token


async def test_lists_and_name_searches_are_logged_and_coordinators_read_the_log(settings, amqp_url):
    async with running(settings) as (runtime, http):
        await publish(amqp_url, event(registration(municipality_code="109", person=person(given_names="Amina", family_name="Hassan"))))
        await publish(amqp_url, event(registration(municipality_code="905", person=person(given_names="Olena", family_name="Kovalenko"))))
        sari = token(settings, "109", sub="sari")

        async def listed():
            return (await http.get("/api/v1/cases", params={"q": "hass"}, headers=sari)).json()["items"]

        [case] = await eventually(listed, what="the name search to find the case")
        assert (await http.get(f"/api/v1/cases/{case['case_id']}", headers=sari)).status_code == 200
        await eventually(lambda: http_ok(http, "/api/v1/cases", token(settings, "905", sub="vaasa")), what="Vaasa's list")

        coordinator = token(settings, "109", role="coordinator", sub="kaisa")
        log = (await http.get("/api/v1/access-log", params={"user_sub": "sari"}, headers=coordinator)).json()
        reads = [(item["action"], item["case_id"], item["query"], item["user_name"]) for item in log["items"]]
        assert reads[0] == ("case.read", case["case_id"], None, "Testi Käyttäjä")
        assert ("cases.list", case["case_id"], "q=hass", "Testi Käyttäjä") in reads
        assert {item["municipality_code"] for item in log["items"]} == {"109"}
        # Only the coordinator's municipalities: Vaasa's reads are not Hämeenlinna's to see.
        everything = (await http.get("/api/v1/access-log", params={"page_size": 100}, headers=coordinator)).json()["items"]
        assert "vaasa" not in {item["user_sub"] for item in everything}
        vaasa_log = (await http.get("/api/v1/access-log", headers=token(settings, "905", role="coordinator"))).json()["items"]
        assert {item["user_sub"] for item in vaasa_log} == {"vaasa"}
        # Coordinators only.
        assert (await http.get("/api/v1/access-log", headers=sari)).status_code == 403
        filtered = (await http.get("/api/v1/access-log", params={"case_id": case["case_id"], "page_size": 1}, headers=coordinator)).json()
        assert filtered["total"] >= 2 and len(filtered["items"]) == 1


async def http_ok(http, url, headers):
    items = (await http.get(url, headers=headers)).json()["items"]
    return items or None
