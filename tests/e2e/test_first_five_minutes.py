"""A newcomer's first five minutes (README): `kotopolku run` prints a way in, `kotopolku demo` fills
the running system (twice: the second time adds nothing), the dashboard shows the demo's cases —
its screenshot in the README is taken here — and `kotopolku events send` tells what became of
each example event and of a bad one."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from services.demo import CLIENTS, MUNICIPALITIES, RECRUIT
from browser import launch
from support import free_port
from test_processes import KOTOPOLKU, environment, processes, wait_ready  # noqa: F401  (environment: a fixture)

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).parents[2]
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.json"))
SCREENSHOT = ROOT / "docs" / "dashboard-demo.png"
STAGE_OF_TARGET = {
    "registered": "assessment", "overdue": "assessment", "scheduled": "assessment", "in_progress": "assessment",
    "planning": "planning", "follow_up": "follow_up", "reviewed": "follow_up",
    "no_plan": "closed", "closed": "closed", "not_eligible": "closed",
    "guidance": "intake", "triage": "intake",
}


@pytest.fixture
async def kotopolku(environment, temporal_address, tmp_path):  # noqa: F811
    """`kotopolku run` on a port of its own (with the tests' Temporal server); its environment and address."""
    env = {**environment, "KOTOPOLKU_HTTP_PORT": str(free_port()), "KOTOPOLKU_TEMPORAL_ADDRESS": temporal_address}
    base = f"http://127.0.0.1:{env['KOTOPOLKU_HTTP_PORT']}"
    with processes(["run"], env=env, logs=tmp_path) as running:
        await wait_ready(base, running, tmp_path)
        yield env, base, (tmp_path / "process-0.log").read_text()


def command(*args: str, env: dict, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([KOTOPOLKU, *args], env=env, capture_output=True, text=True, timeout=900, input=input)


def last_line(done: subprocess.CompletedProcess) -> str:
    return done.stdout.strip().splitlines()[-1]


async def cases(base: str, token: str, **filters) -> dict:
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        response = await http.get("/api/v1/cases", params={"page_size": 100, **filters})
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_demo_fills_kotopolku_once_and_the_dashboard_shows_it(kotopolku):
    env, base, banner = kotopolku

    # `make run` shows the way in: a coordinator's token for the demo municipalities, and the demo.
    [banner_token] = [line.strip() for line in banner.splitlines() if line.startswith("    eyJ")]
    assert "kotopolku demo" in banner and "kotopolku events send" in banner
    async with httpx.AsyncClient(base_url=base) as http:
        me = (await http.get("/dashboard/me", headers={"Authorization": f"Bearer {banner_token}"})).json()
    assert me["roles"] == ["coordinator"] and sorted(me["municipalities"]) == sorted(MUNICIPALITIES)

    first = command("demo", env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    token = last_line(first)
    listed = await cases(base, token)
    expected = Counter(STAGE_OF_TARGET[client.target] for client in CLIENTS)
    assert listed["total"] == len(CLIENTS) >= 20
    assert Counter(case["stage"] for case in listed["items"]) == expected
    assert {"intake", "assessment", "planning", "follow_up", "closed"} <= set(expected)
    assert (await cases(base, token, municipality="109"))["total"] >= 10
    statuses = Counter(case["status"] for case in listed["items"])
    assert statuses["assessment_overdue"] == 1 and statuses["assessment_scheduled"] >= 2 and statuses["assessment_in_progress"] >= 2
    assert {"employed", "studying", "declined", "plan_not_needed", "not_eligible", "guidance_offered", "needs_triage"} <= set(statuses)
    [overdue] = (await cases(base, token, overdue="true"))["items"]
    assert overdue["overdue"] and overdue["next_deadline"]["kind"] == "assessment_start"
    [mover] = [client for client in CLIENTS if client.moves_to]
    [moved] = (await cases(base, token, q=mover.family_name))["items"]
    assert moved["municipality_code"] == mover.moves_to
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        [notice] = (await http.get("/api/v1/municipal/recruitment-notices")).json()["items"]
        reviewed = [case for case in listed["items"] if case["client"]["family_name"] == "Esimerkki-Rahimi" and case["client"]["given_names"] == "Fatemeh"]
        plan = (await http.get(f"/api/v1/cases/{reviewed[0]['case_id']}/plan")).json()
    assert notice["status"] == "arrived"
    assert len(plan["reviews"]) == 1 and {measure["service_code"] for measure in plan["measures"]} == {"EX-HAME-KOTO-FI", "EX-HAME-YO-MULTI"}
    assert RECRUIT.family_name in {case["client"]["family_name"] for case in listed["items"]}

    # Again: nothing is added twice, nothing moves.
    second = command("demo", env=env)
    assert second.returncode == 0, second.stderr[-3000:]
    again = await cases(base, token)
    assert again["total"] == listed["total"]
    assert sorted((case["case_id"], case["status"]) for case in again["items"]) == sorted((case["case_id"], case["status"]) for case in listed["items"])
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        assert (await http.get("/api/v1/municipal/recruitment-notices")).json()["total"] == 1
        assert len((await http.get(f"/api/v1/cases/{reviewed[0]['case_id']}/plan")).json()["reviews"]) == 1

    # The dashboard, signed in with the printed token, shows the demo's cases (the README's screenshot).
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        page = await (await browser.new_context(locale="en-GB", viewport={"width": 1440, "height": 1000})).new_page()
        await page.goto(base + "/")
        await page.fill("#token", token)
        await page.click("#signin-submit")
        await expect(page.locator("#app-view")).to_be_visible()
        await page.click("button[data-lang='en']")
        rows = page.locator("#cases tr[data-case-id]")
        await expect(rows).to_have_count(len(CLIENTS), timeout=20_000)
        await expect(page.locator("#cases")).to_contain_text("Esimerkki-Hassan")
        await expect(page.locator("#cases tr[data-status='assessment_overdue']")).to_have_count(1)
        await page.screenshot(path=str(SCREENSHOT))
        await browser.close()


async def test_events_send_tells_what_became_of_each_event(kotopolku, tmp_path):
    env, _base, _banner = kotopolku
    added = command("sources", "add", "urn:kotopolku:system:hameenlinna-register", "--municipality", "109", env=env)
    assert added.returncode == 0, added.stderr

    sent = command("events", "send", *map(str, EXAMPLES), env=env)
    assert sent.returncode == 0, sent.stdout + sent.stderr[-2000:]
    lines = sent.stdout.strip().splitlines()
    assert [line.split(": ", 1)[1].split(" ")[0] for line in lines[:-1]] == ["accepted"] * len(EXAMPLES)
    assert last_line(sent) == f"{len(EXAMPLES)} accepted, 0 not accepted"

    # The same events again: already accepted, not sent twice.
    again = command("events", "send", str(EXAMPLES[0]), env=env)
    assert again.returncode == 0 and "accepted earlier" in again.stdout

    # A bad file and an unknown type: each dead-lettered with Kotopolku's reason; a new one on stdin accepted.
    event = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    bad = {**event, "id": "example-bad-1", "data": {key: value for key, value in event["data"].items() if key != "municipality_code"}}
    unknown = {**event, "id": "example-bad-2", "type": "fi.kotopolku.resident.adopted.v1"}
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    (tmp_path / "unknown.json").write_text(json.dumps(unknown))
    person = {key: value for key, value in event["data"]["person"].items() if key != "personal_identity_code"}
    fresh = {**event, "id": "example-stdin-1",
             "data": {**event["data"], "external_ref": "example-person-0099", "person": {**person, "given_names": "Sahra"}}}
    done = command("events", "send", str(tmp_path / "bad.json"), str(tmp_path / "unknown.json"), "-", env=env, input=json.dumps(fresh))
    assert done.returncode == 1
    assert done.stdout.splitlines()[:3] == [
        f"{tmp_path / 'bad.json'}: dead-lettered: data of fi.kotopolku.resident.registered.v1 is invalid: municipality_code: Field required",
        f"{tmp_path / 'unknown.json'}: dead-lettered: unknown event type 'fi.kotopolku.resident.adopted.v1'",
        "<stdin>: accepted (source urn:kotopolku:system:hameenlinna-register, id example-stdin-1)",
    ]
    assert last_line(done) == "1 accepted, 2 not accepted"
    assert "2 of 3 events were not accepted" in done.stderr


def test_with_no_kotopolku_running_both_commands_say_to_start_it(environment, tmp_path):  # noqa: F811
    env = {**environment, "KOTOPOLKU_HTTP_PORT": str(free_port())}  # a fresh virtual host, nothing listening
    demo = command("demo", env=env)
    assert demo.returncode == 1 and "start it first (make run)" in demo.stderr
    sent = command("events", "send", str(EXAMPLES[0]), env=env)
    assert sent.returncode == 1 and "start Kotopolku first (kotopolku run)" in sent.stderr
