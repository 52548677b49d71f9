"""The plan's services and a feedback question on the client's page, in a real browser (Debian's
Chromium driven by Playwright) at a phone's size: the client reads their language course with its
provider, place, time, language and interpreter in Persian (right to left) and in Finnish, and answers
the question that waits after the course is completed; staff record the client's interpreter
need and integration language and see them on the case in the dashboard."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

import httpx
import pytest
from playwright.async_api import async_playwright, expect
from sqlmodel import select

from services.notifications.client_messages.models import ClientMessage
from services.notifications.feedback.models import FeedbackAnswer
from shared.clock import today
from browser import launch, signed_in
from support import app_of, event, eventually, free_port, make_settings, person, publish, registration, running, serving, token, with_identity_code
from test_client_page_browser import PHONE, date_text

pytestmark = pytest.mark.e2e


async def test_the_client_reads_their_plans_services_and_answers_a_feedback_question(tmp_path, amqp_url, temporal_address):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None)
    staff = token(settings, "091", role="caseworker", sub="cw-feedback-page")
    async with running(settings) as (runtime, _http):
        async with serving(app_of(runtime), free_port()) as base, async_playwright() as playwright, httpx.AsyncClient(base_url=base) as http:
            await publish(amqp_url, event(with_identity_code(registration(municipality_code="091", person=person(
                given_names="Zahra", family_name="Ahmadi", native_language="fa", preferred_languages=["fa"],
                contact={"email": "zahra@example.org", "phone": "040 555 0202"},
            )))))

            async def case_listed():
                items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
                return [item["case_id"] for item in items if item["client"] and item["client"]["family_name"] == "Ahmadi" and item["next_deadline"]]

            [case_id] = await eventually(case_listed, what="the client's case")
            assessment, plan = f"/api/v1/cases/{case_id}/assessment", f"/api/v1/cases/{case_id}/plan"

            async def answers(path: str):
                return (await http.get(path, headers=staff)).status_code == 200

            await eventually(lambda: answers(assessment), what="the assessment workflow")
            on = today()
            for step, body in (("schedule", {"on": on.isoformat(), "interpreter_language": "fa"}), ("start", {}), ("complete", {"plan_needed": True})):
                answer = await http.post(f"{assessment}/{step}", json=body, headers=staff)
                assert answer.status_code == 200, answer.text
            await eventually(lambda: answers(plan), what="the plan workflow")
            ends = on + timedelta(days=120)
            made = await http.post(plan, json={"type": "individual", "measures": [
                {"kind": "language_studies", "provider": "Helsingin aikuisopisto", "place": "remote", "language": "fi", "starts_on": on.isoformat(),
                 "ends_on": ends.isoformat(), "status": "referred"},
            ]}, headers=staff)
            assert made.status_code == 200, made.text

            link = await http.post(f"/api/v1/cases/{case_id}/client/link", json={"link_channel": "email"}, headers=staff)
            assert link.status_code == 201, link.text
            async with runtime.contexts["notifications"].db.session() as session:
                sent = {row.kind: row.text for row in await session.exec(select(ClientMessage).where(ClientMessage.case_id == UUID(case_id)))}
            url = re.search(r"(http\S+/client/#\S+)", sent["page_link"]).group(1)
            code = re.search(r"\b(\d{6})\b", sent["page_code"]).group(1)

            browser = await launch(playwright)
            page = await (await browser.new_context(locale="fi-FI", **PHONE)).new_page()
            await page.goto(url)
            await page.fill("#code", code)
            await page.click("#code-submit")
            await expect(page.locator("#page-view")).to_be_visible()
            assert (await page.get_attribute("html", "lang"), await page.get_attribute("html", "dir")) == ("fa", "rtl")

            # The course, in Persian: kind, provider, place (given remotely), time, language and the interpreter.
            course = page.locator("#measure-list li[data-kind='language_studies']")
            await expect(course.locator("h3")).to_have_text("آموزش زبان", timeout=20_000)
            await expect(course.locator(".provider")).to_have_text("ارائه‌دهنده: Helsingin aikuisopisto")
            await expect(course.locator(".place")).to_have_text("مکان: از راه دور")
            await expect(course.locator(".time")).to_have_text(f"زمان: {date_text(on.isoformat())} – {date_text(ends.isoformat())}")
            assert await course.evaluate("element => getComputedStyle(element).direction") == "rtl"
            await expect(page.locator("#feedback")).to_be_hidden()  # nothing asked before the course ends

            await page.click("button[data-lang='fi']")
            await expect(course.locator("h3")).to_have_text("Kieliopinnot")
            await expect(course.locator(".status")).to_have_text("Lähete lähetetty")
            await expect(course.locator(".language")).to_have_text("Kieli: suomi")
            await expect(course.locator(".place")).to_have_text("Paikka: Etänä")
            await expect(course.locator(".interpreter")).to_have_text("Tulkki: persia")

            # The course is completed: on the next visit a question waits.
            [measure] = (await http.get(plan, headers=staff)).json()["measures"]
            for status in ("started", "completed"):
                changed = await http.patch(f"{plan}/measures/{measure['measure_id']}", json={"status": status}, headers=staff)
                assert changed.status_code == 200, changed.text

            async def asked():
                await page.reload()
                await expect(page.locator("#measure-list li")).to_have_count(1)
                return await page.locator("#feedback form").count() == 1

            await eventually(asked, what="the feedback question on the page")
            await page.click("button[data-lang='fi']")
            await expect(course.locator(".status")).to_have_text("Päättynyt")
            question = page.locator("#feedback form[data-about='measure']")
            await expect(question.locator("h3")).to_have_text("Miten palvelu sujui: Kieliopinnot?")
            await question.locator("input[value='5']").check()
            await question.locator("input[value='partly']").check()
            await question.locator("button[type='submit']").click()
            await expect(page.locator("#feedback-sent")).to_be_visible()
            await expect(page.locator("#feedback form")).to_have_count(0)

            async with runtime.contexts["notifications"].db.session() as session:
                [kept] = (await session.exec(select(FeedbackAnswer))).all()
            assert (kept.usefulness, kept.understood, kept.provider) == (5, "partly", "Helsingin aikuisopisto")

            # Staff record the client's interpreter need and integration language; the case shows them.
            needs = {"interpreter": {"language": "fa", "dialect": "Dari"}, "integration_language": "sv"}
            recorded = await http.put(f"/api/v1/cases/{case_id}/language-needs", json=needs, headers=staff)
            assert recorded.status_code == 200, recorded.text

            async def shown_on_case():
                client = (await http.get(f"/api/v1/cases/{case_id}", headers=staff)).json()["client"]
                return client["integration_language"] == "sv"

            await eventually(shown_on_case, what="the language needs on the case")
            staff_page = await signed_in(browser, base, staff["Authorization"].removeprefix("Bearer "))
            await staff_page.locator(f"#cases tr[data-case-id='{case_id}']").click()
            client_details = staff_page.locator("#detail-client")
            await expect(client_details).to_contain_text("Tulkki", timeout=20_000)
            await expect(client_details).to_contain_text("Tulkki" + "Persia (Dari)")
            await expect(client_details).to_contain_text("Kotoutumisen kieli")
            await expect(client_details).to_contain_text("Kotoutumisen kieli" + "Ruotsi")
            await browser.close()
