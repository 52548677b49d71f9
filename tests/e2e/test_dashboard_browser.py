"""The staff dashboard in a real browser (Debian's Chromium driven by Playwright): sign in, see a
new client's case arrive live, read it in Finnish and Swedish, open it."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from services.intake.employers import service
from shared.auth import mint_token
from shared.clock import today as finnish_today
from shared.figures import month_end
from browser import launch
from support import app_of, event, every_count_shown, eventually, free_port, make_settings, notice, person, publish, registration, running, serving

pytestmark = pytest.mark.e2e


async def test_staff_follow_a_new_case_live_in_finnish_and_swedish(tmp_path, amqp_url, temporal_address):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None)
    async with running(settings) as (runtime, _http):
        async with serving(app_of(runtime), free_port()) as base, async_playwright() as playwright:
            browser = await launch(playwright)
            page = await (await browser.new_context(locale="fi-FI")).new_page()
            await page.goto(base + "/")

            # Signed out: the sign-in form, in Finnish.
            await expect(page.locator("#signin-view")).to_be_visible()
            token = mint_token(settings, sub="aino", name="Aino Virtanen", roles=["caseworker"], municipalities=["109"])
            await page.fill("#token", token)
            await page.click("#signin-submit")
            await expect(page.locator("#app-view")).to_be_visible()
            await expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
            await expect(page.locator("#cases tr[data-case-id]")).to_have_count(0)

            # A municipal system registers a resident: the row appears without reloading.
            await publish(amqp_url, event(registration(municipality_code="109")))
            row = page.locator("#cases tr[data-case-id][data-status='awaiting_assessment']")
            await expect(row).to_have_count(1, timeout=20_000)
            await expect(row).to_contain_text("Hassan")
            await expect(row).to_contain_text("Odottaa alkukartoitusta")
            await expect(row).to_contain_text("Hämeenlinna")

            await page.click("button[data-lang='sv']")
            await expect(row).to_contain_text("Väntar på inledande kartläggning")
            await expect(row).to_contain_text("Tavastehus")
            assert await page.get_attribute("html", "lang") == "sv"

            await row.click()
            detail = page.locator("#case-detail")
            await expect(detail).to_be_visible()
            await expect(page.locator("#detail-deadlines li[data-kind='assessment_start']")).to_have_count(1)
            await browser.close()


async def test_staff_acknowledge_a_recruitment_notice(tmp_path, amqp_url, temporal_address):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None)
    async with running(settings) as (runtime, _http):
        async with runtime.contexts["intake"].db.session() as session:
            _employer, key = await service.create_employer(session, business_id="0112038-9", name="Esimerkki Oy")
            await session.commit()
        async with serving(app_of(runtime), free_port()) as base, async_playwright() as playwright:
            async with httpx.AsyncClient(base_url=base) as http:
                body = notice(arrival=finnish_today() + timedelta(days=30), municipality_code="109")
                submitted = await http.post("/api/v1/recruitment-notices", json=body, headers={"X-API-Key": key})
                assert submitted.status_code == 201, submitted.text
                notice_id = submitted.json()["id"]

            browser = await launch(playwright)
            page = await (await browser.new_context(locale="fi-FI")).new_page()
            await page.goto(base + "/")
            await expect(page.locator("#signin-view")).to_be_visible()
            token = mint_token(settings, sub="aino", name="Aino Virtanen", roles=["caseworker"], municipalities=["109"])
            await page.fill("#token", token)
            await page.click("#signin-submit")
            await expect(page.locator("#app-view")).to_be_visible()

            # The notice is listed for the destination municipality's staff, as received.
            row = page.locator(f"#notices [data-notice-id='{notice_id}']")
            await expect(row).to_have_attribute("data-status", "received", timeout=20_000)
            await expect(row).to_contain_text("Nguyen Van An")
            await expect(row).to_contain_text("Esimerkki Oy")
            await expect(row).to_contain_text("Welder")
            await expect(row).to_contain_text("Vastaanotettu")
            await expect(page.locator("#reviews [data-review-id]")).to_have_count(0)
            await expect(page.locator("#reviews-empty")).to_be_visible()

            await row.locator("button[data-action='acknowledge']").click()
            await expect(row).to_have_attribute("data-status", "acknowledged")
            await expect(row).to_contain_text("Kuitattu")
            await expect(row).to_contain_text("Aino Virtanen")
            await expect(row.locator("button[data-action='acknowledge']")).to_have_count(0)

            await page.click("button[data-lang='sv']")
            await expect(row).to_contain_text("Kvitterad")
            await browser.close()

            # The employer sees it too.
            async with httpx.AsyncClient(base_url=base) as http:
                answer = await http.get(f"/api/v1/recruitment-notices/{notice_id}", headers={"X-API-Key": key})
            assert answer.status_code == 200 and answer.json()["status"] == "acknowledged"


async def test_a_caseworker_takes_a_case_and_runs_its_assessment(tmp_path, amqp_url, temporal_address):
    """Take the case, schedule, start, record a language skill, complete with a plan needed: the
    case is then in planning, awaiting its plan; the panel reads in Swedish too, a refused command
    shows its reason, and the figures view counts the completed assessment."""
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None, policy_file=every_count_shown(tmp_path))
    async with running(settings) as (runtime, _http):
        async with serving(app_of(runtime), free_port()) as base, async_playwright() as playwright:
            browser = await launch(playwright)
            page = await (await browser.new_context(locale="fi-FI")).new_page()
            await page.goto(base + "/")
            token = mint_token(settings, sub="aino", name="Aino Virtanen", roles=["caseworker"], municipalities=["109"])
            await page.fill("#token", token)
            await page.click("#signin-submit")
            await expect(page.locator("#app-view")).to_be_visible()

            # Registered with an interpreter need: a Somali (Maay) interpreter.
            await publish(amqp_url, event(registration(municipality_code="109", person=person(interpreter={"language": "so", "dialect": "Maay"}))))
            row = page.locator("#cases tr[data-case-id]")
            await expect(row).to_have_count(1, timeout=20_000)
            await row.locator("button").first.click()
            panel = page.locator("#assessment-panel")
            await expect(panel).to_have_attribute("data-assessment-status", "awaiting", timeout=20_000)

            # The booking's interpreter is filled in from the recorded need; leaving it out warns.
            await expect(page.locator("#schedule-interpreter")).to_have_value("so")
            await expect(page.locator("#schedule-interpreter-dialect")).to_have_value("Maay")
            warning = page.locator("#schedule-interpreter-warning")
            await expect(warning).to_be_hidden()
            await page.fill("#schedule-interpreter", "")
            await expect(warning).to_be_visible()
            await expect(warning).to_contain_text("Somali (Maay)")
            await page.click("button[data-lang='sv']")
            await expect(warning).to_contain_text("tolkbehov")
            await page.click("button[data-lang='fi']")
            await page.fill("#schedule-interpreter", "so")
            await expect(warning).to_be_hidden()

            # A caseworker takes the case: the assignee in the detail and in the list.
            await page.click("#take-case")
            await expect(page.locator("#assignee-now")).to_contain_text("Aino Virtanen")
            await expect(row.locator("td[data-column='assignee']")).to_contain_text("Aino Virtanen", timeout=10_000)
            await expect(page.locator("#take-case")).to_have_count(0)

            # A refused command shows its reason in the user's language: an interview in the past.
            await page.fill("#schedule-on", (finnish_today() - timedelta(days=1)).isoformat())
            await page.click("#schedule-form button[type='submit']")
            await expect(page.locator("#assessment-message")).to_be_visible()
            await expect(page.locator("#assessment-message")).to_contain_text("menneisyydessä")

            interview_on = (finnish_today() + timedelta(days=7)).isoformat()
            await page.fill("#schedule-on", interview_on)
            await page.fill("#schedule-at", "10:30")
            await page.check("#schedule-remote")
            await page.fill("#schedule-interpreter", "so")
            await page.click("#schedule-form button[type='submit']")
            await expect(panel).to_have_attribute("data-assessment-status", "scheduled", timeout=15_000)
            await expect(page.locator("#assessment-message")).to_be_hidden()

            await page.click("#start-assessment")
            await expect(panel).to_have_attribute("data-assessment-status", "in_progress", timeout=15_000)

            await page.fill("#skill-language", "fi")
            await page.select_option("#skill-skill", "speaking")
            await page.select_option("#skill-level", "A2.1")
            await page.select_option("#skill-source", "level_test")
            await page.fill("#skill-on", finnish_today().isoformat())
            await page.click("#record-form button[type='submit']")
            skills = page.locator("#assessment-parts dd[data-part='language_skills']")
            await expect(skills).to_contain_text("A2.1", timeout=15_000)
            await expect(skills).to_contain_text("Puhuminen")

            # In Swedish too.
            await page.click("button[data-lang='sv']")
            await expect(page.locator("#assessment-title")).to_have_text("Inledande kartläggning")
            await expect(skills).to_contain_text("Tala")
            await expect(page.locator("#complete-form h4")).to_have_text("Slutför kartläggningen")

            await page.select_option("#complete-plan-needed", "yes")
            await page.select_option("#complete-plan-type", "individual")
            await page.click("#complete-form button[type='submit']")
            await expect(panel).to_have_attribute("data-assessment-status", "completed", timeout=15_000)
            await expect(row).to_have_attribute("data-stage", "planning", timeout=15_000)
            await expect(row).to_have_attribute("data-status", "awaiting_plan")
            await expect(page.locator("#detail-deadlines li[data-kind='plan_start']")).to_have_count(1)

            # The figures view shows the completed assessment.
            await page.select_option("#figures-by", "gender")
            await page.click("#figures-show")
            total = page.locator("#figures-body tr[data-group='all']")
            await expect(total.locator("td[data-column='completed']")).to_have_text("1", timeout=10_000)
            await expect(total.locator("td[data-column='started']")).to_have_text("1")
            await expect(total.locator("td[data-column='share_started_within_deadline']")).to_have_text("100 %")
            await expect(page.locator("#figures-body tr[data-group='female'] th")).to_have_text("Kvinna")
            await browser.close()


async def test_a_coordinator_sees_the_figures_as_charts_in_two_languages_and_downloads_them(tmp_path, amqp_url, temporal_address):
    """Six new clients this month and a target for them: the figures view draws the monthly
    series, the look ahead, the target against the result and the cross-tab as charts, in Swedish
    and in English, and the figures download as a CSV file and an Excel workbook."""
    from openpyxl import load_workbook

    from support import person, token

    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None)
    async with running(settings) as (runtime, http):
        coordinator = token(settings, "109", role="coordinator", sub="co-109")
        for number in range(6):
            data = registration(municipality_code="109", person=person(family_name=f"Testi{number}", birth_date=f"198{number}-03-1{number}"))
            await publish(amqp_url, event(data))
        today = finnish_today()
        month = {"from": today.replace(day=1).isoformat(), "to": month_end(today).isoformat()}

        async def counted():
            answer = (await http.get("/api/v1/figures/assessments", params=month, headers=coordinator)).json()
            return answer if answer["total"]["became_clients"] == 6 else None

        await eventually(counted, what="the six new clients in the figures", timeout=90)

        async with serving(app_of(runtime), free_port()) as base, async_playwright() as playwright:
            browser = await launch(playwright)
            page = await (await browser.new_context(locale="sv-FI", accept_downloads=True)).new_page()
            await page.goto(base + "/")
            signin = mint_token(settings, sub="co-109", name="Kaisa Koordinaattori", roles=["coordinator"], municipalities=["109"])
            await page.fill("#token", signin)
            await page.click("#signin-submit")
            await expect(page.locator("#app-view")).to_be_visible()
            await page.click("button[data-lang='sv']")

            await page.fill("#figures-from", month["from"])
            await page.fill("#figures-to", month["to"])
            await page.select_option("#figures-by", "municipality")
            await page.select_option("#figures-across", "residence_basis")
            await page.click("#figures-show")

            # The coordinator sets a target for the period shown, in the figures view itself.
            await expect(page.locator("#targets-form-title")).to_have_text("Sätt ett mål")
            await expect(page.locator("#targets-form-hint")).to_contain_text(f"{month['from']} – {month['to']}")
            await page.select_option("#target-municipality", "109")
            await page.select_option("#target-figure", "assessments:became_clients")
            await page.fill("#target-value", "8")
            await page.click("#target-set")
            await expect(page.locator("#targets-form-done")).to_have_text("Målet är satt.")
            stored = (await http.get("/api/v1/figures/assessments/targets", params=month, headers=coordinator)).json()
            assert [(t["municipality_code"], t["figure"], t["target"]) for t in stored] == [("109", "became_clients", 8)]

            series = page.locator("#chart-series-clients")
            await expect(series.locator("title").first).to_have_text("Nya klienter per månad (24 mån)", timeout=15_000)
            await expect(series.locator("g.bar")).to_have_count(24)
            await expect(series.locator("g.bar").last).to_have_attribute("data-value", "6")
            await expect(page.locator("#chart-series-plans g.bar")).to_have_count(24)
            await expect(page.locator("#chart-ahead title").first).to_have_text("Tidsfrister som infaller de kommande månaderna")
            # The assessments of all six fall due within the next three months, hidden or shown by month.
            await expect(page.locator("#chart-ahead g.bar")).not_to_have_count(0)
            targets = page.locator("#chart-targets g.bar")
            await expect(targets).to_have_count(1)
            await expect(targets).to_have_attribute("data-value", "6")
            await expect(targets.locator("line.bar-target")).to_have_count(1)
            target_row = page.locator("#figures-targets tr[data-figure='became_clients']")
            await expect(target_row.locator("td[data-column='achieved']")).to_have_text("6")
            await expect(target_row.locator("td[data-column='share']")).to_have_text("75 %")
            await expect(page.locator("#figures-targets-caption")).to_have_text("Mål för perioden")
            cross = page.locator("#chart-cross g.bar")
            await expect(cross).to_have_count(1)
            await expect(cross).to_have_attribute("data-value", "6")
            await expect(page.locator("#figures-body tr[data-group='109/international_protection'] td[data-column='became_clients']")).to_have_text("6")

            # The same in English, without asking again.
            await page.click("button[data-lang='en']")
            await expect(series.locator("title").first).to_have_text("New clients by month (24 months)")
            await expect(page.locator("#chart-targets title").first).to_have_text("Target and achieved")
            await expect(page.locator("#figures-xlsx")).to_have_text("Download Excel workbook")

            # The downloads: the CSV file and the workbook, opened with a real reader.
            async with page.expect_download() as csv_download:
                await page.click("#figures-csv")
            text = (await (await csv_download.value).path()).read_bytes().decode("utf-8-sig")
            lines = text.split("\r\n")
            assert lines[1].startswith("109;international_protection;6;"), text
            async with page.expect_download() as xlsx_download:
                await page.click("#figures-xlsx")
            download = await xlsx_download.value
            assert download.suggested_filename == f"assessment-figures_municipality-residence_basis_{month['from']}_{month['to']}.xlsx"
            workbook = tmp_path / download.suggested_filename
            await download.save_as(workbook)
            book = load_workbook(workbook)
            rows = list(book.worksheets[0].iter_rows(values_only=True))
            assert rows[1][:3] == ("109", "international_protection", 6)
            assert rows[-1][:3] == ("all", "all", 6)
            targets_sheet = list(book.worksheets[1].iter_rows(values_only=True))
            assert targets_sheet[1] == ("109", "became_clients", 8, 6, 0.75)
            await browser.close()


async def test_a_caseworker_decides_a_target_group_from_the_triage_queue_in_finnish_and_swedish(tmp_path, amqp_url, temporal_address):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None)
    async with running(settings) as (runtime, _http):
        async with serving(app_of(runtime), free_port()) as base, async_playwright() as playwright:
            browser = await launch(playwright)
            page = await (await browser.new_context(locale="fi-FI")).new_page()
            await page.goto(base + "/")
            token = mint_token(settings, sub="aino", name="Aino Virtanen", roles=["caseworker"], municipalities=["109"])
            await page.fill("#token", token)
            await page.click("#signin-submit")
            await expect(page.locator("#app-view")).to_be_visible()

            # A family member: of a refugee, or of a worker? The registration does not say.
            await publish(amqp_url, event(registration(municipality_code="109", residence_basis="family")))
            row = page.locator("#cases tr[data-case-id][data-status='needs_triage']")
            await expect(row).to_have_count(1, timeout=20_000)
            await expect(row).to_contain_text("Kohderyhmä ratkaistava")
            await page.click("#reviews-refresh")
            item = page.locator("#reviews [data-kind='triage']")
            await expect(item).to_have_count(1, timeout=10_000)
            await expect(item).to_contain_text("Hassan")
            await expect(item).to_contain_text("Kohderyhmä ei selviä oleskeluperusteesta")

            await page.click("button[data-lang='sv']")
            await expect(item).to_contain_text("Målgrupp att avgöra")
            await expect(row).to_contain_text("Målgruppen ska avgöras")
            await item.locator("select").select_option("international_protection")
            await item.locator("input[type='text']").fill("Familjemedlem till en flykting")
            await item.locator("button[type='submit']").click()
            await expect(page.locator("#reviews [data-kind='triage']")).to_have_count(0, timeout=15_000)
            started = page.locator("#cases tr[data-case-id][data-status='awaiting_assessment']")
            await expect(started).to_have_count(1, timeout=20_000)
            await expect(started).to_contain_text("Väntar på inledande kartläggning")
            await browser.close()
