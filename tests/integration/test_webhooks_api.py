"""The webhook API (CONTRACT §6): admins only, the secret shown once, https and no SSRF, and
tenancy — an admin manages only subscriptions of their own municipalities, and a subscription
never gets another municipality's event."""

from __future__ import annotations

import uuid

from sqlmodel import select

from services.notifications.webhooks import service
from services.notifications.webhooks.models import WebhookCreate, WebhookDelivery, WebhookSubscription
from shared.auth import StaffUser
from shared.crypto import unseal
from support import running, token
from test_webhooks import case_updated

PUBLIC = "https://93.184.215.14/kotopolku"  # an address on the internet: no name to resolve here
CASE_UPDATED = "fi.kotopolku.case.updated.v1"


def body(url: str = PUBLIC, municipalities=("109",), event_types=(CASE_UPDATED,)) -> dict:
    return {"url": url, "event_types": list(event_types), "municipalities": list(municipalities)}


async def test_only_admins_manage_webhooks(settings):
    async with running(settings, ["notifications"]) as (_runtime, http):
        for role in ("caseworker", "coordinator"):
            headers = token(settings, "109", role=role)
            assert (await http.post("/api/v1/webhooks", headers=headers, json=body())).status_code == 403
            assert (await http.get("/api/v1/webhooks", headers=headers)).status_code == 403
        assert (await http.get("/api/v1/webhooks")).status_code == 401


async def test_the_secret_is_shown_once_and_kept_sealed(settings):
    admin = token(settings, "109", role="admin")
    async with running(settings, ["notifications"]) as (runtime, http):
        created = await http.post("/api/v1/webhooks", headers=admin, json=body())
        assert created.status_code == 201
        secret = created.json()["secret"]
        assert secret.startswith("whsec_")
        listed = await http.get("/api/v1/webhooks", headers=admin)
        one = await http.get(f"/api/v1/webhooks/{created.json()['id']}", headers=admin)
        for response in (listed, one):
            assert response.status_code == 200
            assert secret not in response.text and secret.removeprefix("whsec_") not in response.text
            assert "secret\"" not in response.text.replace("previous_secret_until\"", "")
        assert listed.json()[0]["url"] == PUBLIC and listed.json()[0]["municipalities"] == ["109"]
        async with runtime.contexts["notifications"].db.session() as session:
            stored = await session.get(WebhookSubscription, uuid.UUID(created.json()["id"]))
        assert secret.encode() not in stored.secret_sealed
        assert unseal(settings.data_key_bytes, stored.secret_sealed).decode() == secret

        deleted = await http.delete(f"/api/v1/webhooks/{created.json()['id']}", headers=admin)
        assert deleted.status_code == 204
        assert (await http.get("/api/v1/webhooks", headers=admin)).json() == []
        assert (await http.delete(f"/api/v1/webhooks/{created.json()['id']}", headers=admin)).status_code == 404


async def test_targets_must_be_https_and_public_and_the_422_names_the_field(settings):
    admin = token(settings, "109", role="admin")
    async with running(settings, ["notifications"]) as (_runtime, http):
        for url in ("http://93.184.215.14/hook", "https://10.0.0.8/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]/x", "not a url"):
            refused = await http.post("/api/v1/webhooks", headers=admin, json=body(url))
            assert refused.status_code == 422, url
            assert [problem["field"] for problem in refused.json()["detail"]] == ["url"], url
            assert "url" in refused.json()["message"]
        # The development defaults may deliver to this machine over http.
        assert (await http.post("/api/v1/webhooks", headers=admin, json=body("http://127.0.0.1:9999/hook"))).status_code == 201
        bad_type = await http.post("/api/v1/webhooks", headers=admin, json=body(event_types=["case.updated"]))
        assert bad_type.status_code == 422 and bad_type.json()["detail"][0]["field"] == "event_types"


async def test_an_admin_subscribes_only_for_their_own_municipalities_and_manages_only_those(settings):
    hameenlinna = token(settings, "109", role="admin", sub="admin-109")
    vaasa = token(settings, "905", role="admin", sub="admin-905")
    async with running(settings, ["notifications"]) as (_runtime, http):
        beyond = await http.post("/api/v1/webhooks", headers=hameenlinna, json=body(municipalities=["109", "905"]))
        assert beyond.status_code == 422 and beyond.json()["detail"][0]["field"] == "municipalities"
        created = (await http.post("/api/v1/webhooks", headers=hameenlinna, json=body())).json()
        assert (await http.get("/api/v1/webhooks", headers=vaasa)).json() == []
        for method, path in (
            ("GET", f"/api/v1/webhooks/{created['id']}"),
            ("DELETE", f"/api/v1/webhooks/{created['id']}"),
            ("POST", f"/api/v1/webhooks/{created['id']}/secret"),
            ("GET", f"/api/v1/webhooks/{created['id']}/deliveries"),
        ):
            assert (await http.request(method, path, headers=vaasa)).status_code == 404, path
        assert len((await http.get("/api/v1/webhooks", headers=hameenlinna)).json()) == 1


async def test_a_subscription_never_gets_another_municipalitys_event(settings):
    """Recorded in the consumer's transaction: only events of a municipality in both the
    subscription's list and its creator's token, of a type it asked for."""
    async with running(settings, ["notifications"]) as (runtime, _http):
        db = runtime.contexts["notifications"].db
        async with db.session() as session:
            admin = StaffUser(sub="a", roles=["admin"], municipalities=["109", "905"])
            both, _ = await service.create_subscription(
                session, admin, WebhookCreate(url=PUBLIC, event_types=[CASE_UPDATED], municipalities=["109", "905"]), settings.data_key_bytes
            )
            only_109, _ = await service.create_subscription(
                session, admin, WebhookCreate(url=PUBLIC, event_types=[CASE_UPDATED], municipalities=["109"]), settings.data_key_bytes
            )
            # Written as its creator's token allowed it then; its own list says more than that.
            narrowed, _ = await service.create_subscription(
                session, admin, WebhookCreate(url=PUBLIC, event_types=[CASE_UPDATED], municipalities=["109", "905"]), settings.data_key_bytes
            )
            narrowed.creator_municipalities = ["109"]
            await session.commit()
            ids = {"both": both.id, "only_109": only_109.id, "narrowed": narrowed.id}
            # Recorded and rolled back: nothing is sent in this test.
            await service.record_event(session, case_updated(uuid.uuid4(), "109", "awaiting_assessment"))
            await service.record_event(session, case_updated(uuid.uuid4(), "905", "awaiting_assessment"))
            await service.record_event(session, case_updated(uuid.uuid4(), "905", "x", type="fi.kotopolku.plan.made.v1"))
            got = {(row.subscription_id, row.municipality_code) for row in await session.exec(select(WebhookDelivery))}
            await session.rollback()
    assert got == {(ids["both"], "109"), (ids["both"], "905"), (ids["only_109"], "109"), (ids["narrowed"], "109")}
