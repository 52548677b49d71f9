"""The service map (palvelukartta): the example catalogue of the four source regions loaded from
its file, managed by coordinators, read by all staff; and suggestions for a client's plan from the
assessment's service needs, in languages the client knows, nearest first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import make_settings, running, token
from test_plan_api import case_awaiting_plan

EXAMPLE = Path(__file__).resolve().parents[2] / "services" / "planning" / "servicemap" / "example.json"


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url):
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)


async def test_the_example_map_and_suggestions_for_a_plan(settings, amqp_url):
    coordinator = token(settings, "109", role="coordinator", sub="co-1")
    caseworker = token(settings, "109", role="caseworker", sub="cw-1")
    catalogue = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert all(service["example"] for service in catalogue)
    assert {service["region"] for service in catalogue} == {"Kanta-Häme", "Pohjanmaa", "Pohjois-Savo", "Keski-Suomi"}
    async with running(settings) as (runtime, http):
        assert (await http.post("/api/v1/service-map/load", json=catalogue, headers=caseworker)).status_code == 403
        loaded = await http.post("/api/v1/service-map/load", json=catalogue, headers=coordinator)
        assert loaded.status_code == 200 and loaded.json() == {"loaded": len(catalogue)}
        page = (await http.get("/api/v1/service-map", params={"region": "Pohjanmaa"}, headers=caseworker)).json()
        assert page["total"] == 3 and {item["region"] for item in page["items"]} == {"Pohjanmaa"}
        one = (await http.get("/api/v1/service-map/EX-POHJ-INTEG-SV", headers=caseworker)).json()
        assert one["names"]["sv"] == "Integrationsutbildning (svenska), exempel"

        # Managed: a bad body names its fields; a service is replaced by its code and removed.
        bad = await http.put("/api/v1/service-map/X-1", json={"names": {"fi": "x"}, "kind": "yoga", "region": "Atlantis", "languages": []}, headers=coordinator)
        assert bad.status_code == 422
        assert {"names.sv", "kind", "region", "provider", "languages"} <= {p["field"] for p in bad.json()["detail"]}
        replaced = dict(catalogue[0], provider="Toinen esimerkkiopisto")
        code = replaced.pop("service_code")
        assert (await http.put(f"/api/v1/service-map/{code}", json=replaced, headers=coordinator)).json()["provider"] == "Toinen esimerkkiopisto"
        assert (await http.delete("/api/v1/service-map/EX-KS-VARHAIS", headers=caseworker)).status_code == 403
        assert (await http.delete("/api/v1/service-map/EX-KS-VARHAIS", headers=coordinator)).status_code == 204
        assert (await http.get("/api/v1/service-map/EX-KS-VARHAIS", headers=caseworker)).status_code == 404

        # A client in Hämeenlinna who speaks Somali, Finnish and English, whose assessment found
        # needs for integration training and civic orientation.
        case = await case_awaiting_plan(http, amqp_url, caseworker, complete={
            "plan_needed": True, "plan_type": "individual", "service_needs": ["integration_training", "civic_orientation"],
        })
        path = f"/api/v1/cases/{case['case_id']}/plan/suggestions"
        suggested = await http.get(path, headers=caseworker)
        assert suggested.status_code == 200, suggested.text
        # In the municipality first, then the region, then remote elsewhere; on-site services of
        # other regions (the Swedish and Finnish trainings in Vaasa) are not suggested.
        assert [(s["service_code"], s["nearness"]) for s in suggested.json()] == [
            ("EX-HAME-KOTO-FI", "municipality"), ("EX-HAME-YO-MULTI", "region"), ("EX-POHJ-SAMH", "remote"),
        ]
        assert suggested.json()[1]["shared_languages"] == ["so", "en"]
        asked = (await http.get(path, params={"need": "literacy_training"}, headers=caseworker)).json()
        assert [s["service_code"] for s in asked] == ["EX-HAME-LUKU"]
        assert (await http.get(path, headers=token(settings, "905"))).status_code == 404
