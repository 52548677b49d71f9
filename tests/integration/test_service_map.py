"""The service map (palvelukartta): the example catalogue of the four source regions loaded from
its file, managed by coordinators, read by all staff; and suggestions for a client's plan from the
assessment's service needs, in languages the client knows, nearest first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared import municipalities
from support import make_settings, running, token
from test_plan_api import case_awaiting_plan

EXAMPLE = Path(__file__).resolve().parents[2] / "services" / "planning" / "servicemap" / "example.json"


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url):
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)


def of_regions(*regions: str) -> list[str]:
    return [m.code for m in municipalities.all_municipalities() if m.region in regions]


async def test_the_example_map_and_suggestions_for_a_plan(settings, amqp_url):
    # The example catalogue covers four regions: loaded by a coordinator working for all of them.
    coordinator = token(settings, *of_regions("Kanta-Häme", "Pohjanmaa", "Pohjois-Savo", "Keski-Suomi"), role="coordinator", sub="co-1")
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


async def test_a_coordinator_manages_only_the_services_of_their_own_municipalities_or_region(settings):
    catalogue = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    pohjanmaa = token(settings, *of_regions("Pohjanmaa"), role="coordinator", sub="co-pohj")
    helsinki = token(settings, "091", role="coordinator", sub="co-hki")
    vaasa = token(settings, "905", role="coordinator", sub="co-vaasa")
    admin_of_nowhere = token(settings, role="admin", sub="admin-1")
    vaasa_service = next(dict(s) for s in catalogue if s["service_code"] == "EX-POHJ-KOTO-FI")  # offered in Vaasa only
    vaasa_service.pop("service_code")
    async with running(settings) as (runtime, http):
        assert (await http.post("/api/v1/service-map/load", json=catalogue, headers=pohjanmaa)).status_code == 403
        assert (await http.get("/api/v1/service-map", headers=helsinki)).json()["total"] == 0  # all or nothing
        pohjanmaa_only = [s for s in catalogue if s["region"] == "Pohjanmaa"]
        assert (await http.post("/api/v1/service-map/load", json=pohjanmaa_only, headers=pohjanmaa)).json() == {"loaded": 3}

        # Helsinki's coordinator may neither replace nor delete Vaasa's service, nor move it to Helsinki.
        replaced = await http.put("/api/v1/service-map/EX-POHJ-KOTO-FI", json=dict(vaasa_service, provider="X"), headers=helsinki)
        assert replaced.status_code == 403 and replaced.json()["detail"]["code"] == "service_map_not_yours"
        assert "EX-POHJ-KOTO-FI" in replaced.json()["detail"]["messages"]["sv"]
        moved = dict(vaasa_service, region="Uusimaa", municipality_codes=["091"])
        assert (await http.put("/api/v1/service-map/EX-POHJ-KOTO-FI", json=moved, headers=helsinki)).status_code == 403
        assert (await http.delete("/api/v1/service-map/EX-POHJ-KOTO-FI", headers=helsinki)).status_code == 403
        assert (await http.get("/api/v1/service-map/EX-POHJ-KOTO-FI", headers=helsinki)).json()["provider"] == vaasa_service["provider"]

        # Vaasa's coordinator manages Vaasa's service, but not the region's (which the whole region's may).
        assert (await http.put("/api/v1/service-map/EX-POHJ-KOTO-FI", json=dict(vaasa_service, provider="Y"), headers=vaasa)).status_code == 200
        assert (await http.delete("/api/v1/service-map/EX-POHJ-SAMH", headers=vaasa)).status_code == 403
        assert (await http.delete("/api/v1/service-map/EX-POHJ-SAMH", headers=pohjanmaa)).status_code == 204

        # An administrator with no municipality writes no municipality's service; national ones are theirs alone.
        assert (await http.put("/api/v1/service-map/EX-POHJ-KOTO-FI", json=vaasa_service, headers=admin_of_nowhere)).status_code == 403
        assert (await http.delete("/api/v1/service-map/EX-POHJ-KOTO-FI", headers=admin_of_nowhere)).status_code == 403
        national = dict(vaasa_service, region="national", municipality_codes=[], delivery="remote")
        refused = await http.put("/api/v1/service-map/NAT-1", json=national, headers=pohjanmaa)
        assert refused.status_code == 403 and refused.json()["detail"]["code"] == "service_map_national"
        assert (await http.put("/api/v1/service-map/NAT-1", json=national, headers=admin_of_nowhere)).status_code == 200
        assert (await http.delete("/api/v1/service-map/NAT-1", headers=pohjanmaa)).status_code == 403

        # Where a service is offered lies in its region; a contact link is https only.
        astray = await http.put("/api/v1/service-map/X-2", json=dict(vaasa_service, municipality_codes=["091"]), headers=helsinki)
        assert astray.status_code == 422 and {p["field"] for p in astray.json()["detail"]} == {"municipality_codes"}
        for url in ("javascript:alert(1)", "http://example.fi/palvelu", "https://example.fi/a b"):
            bad = await http.put("/api/v1/service-map/EX-POHJ-KOTO-FI", json=dict(vaasa_service, contact={"url": url}), headers=vaasa)
            assert bad.status_code == 422 and {p["field"] for p in bad.json()["detail"]} == {"contact.url"}, url
        good = dict(vaasa_service, contact={"url": "https://example.fi/palvelu"})
        assert (await http.put("/api/v1/service-map/EX-POHJ-KOTO-FI", json=good, headers=vaasa)).status_code == 200
