"""`kotopolku demo`: a running Kotopolku (the development defaults) filled with a believable example,
through its real ways in — events on kotopolku.inbound from a registered demo source, the employer
API, and the staff API — never by writing tables.

EXAMPLE DATA: every person here is fictitious. Family names begin with "Esimerkki" ("example")
and identity codes have an individual number of 901–949, of the range 900–999 the population
register never gives (their checksums are valid, so Kotopolku takes them as it would real ones);
docs/examples uses 950–999.

Running it again adds nothing twice: the CloudEvents have fixed ids (intake's inbox remembers
them), staff commands carry Idempotency-Keys, each step first looks at where the case stands and
is skipped when the case is already past it, and the employer's notice is submitted only when the
employer has none.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

import httpx

from services.demo_people import CLIENTS, LATE, RECRUIT, STEPS, TARGET_STATUS, Client
from services.events_send import intake_database, send_events
from services.intake.employers import service as employers
from services.intake.sources import service as sources
from shared import municipalities
from shared.auth import AuthError, mint_token
from shared.clock import today as finnish_today
from shared.contracts import RESIDENT_MOVED, RESIDENT_REGISTERED
from shared.settings import Settings

SOURCE = "urn:kotopolku:system:example-demo-register"
SOURCE_NAME = "Example register (kotopolku demo)"
MUNICIPALITIES = ("109", "905", "297")  # Hämeenlinna, Vaasa, Kuopio
EMPLOYER_BUSINESS_ID = "9876540-6"
EMPLOYER_NAME = "Esimerkki Konepaja Oy (demo)"
SERVICE_MAP = Path(__file__).parent / "planning" / "servicemap" / "example.json"


DEMO_COUNTY_SUB = "demo-county-social-worker"


class DemoError(Exception):
    """The demo could not go on; the text says why and what to do."""


def notice_body(today: date) -> dict[str, Any]:
    """The employer's recruitment notice (CONTRACT §2) for its recruit, Client 7."""
    arrival = today + timedelta(days=7)
    return {
        "recruit": {"given_names": RECRUIT.given_names, "family_name": RECRUIT.family_name, "birth_date": RECRUIT.birth_date.isoformat(),
                    "nationality": RECRUIT.nationality, "languages": list(RECRUIT.preferred_languages),
                    "email": "nguyen.an@example.org"},
        "employment": {"job_title": "Hitsaaja / Welder", "start_date": (arrival + timedelta(days=14)).isoformat(),
                       "workplace_municipality_code": "109"},
        "expected_arrival_on": arrival.isoformat(),
        "destination_municipality_code": "109",
        "family": {"adults": 1, "children_birth_years": [today.year - 6]},
        "contact": {"name": "Henkilöstöhallinto (esimerkki)", "email": "hr@example.com", "phone": "+358600000000"},
        "consent": {"given": True, "given_on": today.isoformat()},
    }


def base_url(settings: Settings) -> str:
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = "127.0.0.1" if settings.http_host in ("0.0.0.0", "::", "") else settings.http_host
    return f"http://{host}:{settings.http_port}"


def coordinator_token(settings: Settings) -> str:
    """A coordinator of the demo municipalities, for the dashboard (for KOTOPOLKU_JWT_MAX_LIFETIME_HOURS)."""
    return mint_token(settings, sub="demo-coordinator", name="Esimerkki Koordinaattori", roles=["coordinator"],
                      municipalities=list(MUNICIPALITIES))


def way_in(settings: Settings) -> str:
    """The lines of `kotopolku run`'s banner that show a newcomer in: on the development defaults a
    coordinator's token for the demo municipalities, and how to add the demo data."""
    try:
        token = coordinator_token(settings)
    except AuthError:  # a real identity provider signs staff in
        return "  Sign in through your organisation's identity provider.\n"
    return (
        "  Sign in to the dashboard as a coordinator of Hämeenlinna (109), Vaasa (905) and Kuopio (297) with this token\n"
        f"  (valid {settings.jwt_max_lifetime_hours:g} hours; kotopolku dev-token mints others):\n    {token}\n"
        "  Add example clients at every stage:  .venv/bin/kotopolku demo\n"
        "  Try your own events:                 .venv/bin/kotopolku events send FILE… (docs/examples/README.md)\n"
    )


@dataclass
class Demo:
    settings: Settings
    http: httpx.AsyncClient
    echo: Callable[[str], None]
    timeout: float
    today: date = field(default_factory=finnish_today)

    staff: dict[str, str] = field(init=False)  # the staff member the demo acts as

    def __post_init__(self) -> None:
        token = mint_token(self.settings, sub="demo-caseworker", name="Esimerkki Työntekijä", roles=["caseworker", "coordinator"],
                           municipalities=list(MUNICIPALITIES))
        self.staff = {"Authorization": f"Bearer {token}"}

    async def wait(self, check: Callable[[], Any], what: str) -> Any:
        deadline = time.monotonic() + self.timeout
        while True:
            found = await check()
            if found:
                return found
            if time.monotonic() > deadline:
                raise DemoError(f"waited {self.timeout:g} s for {what}; is every part of Kotopolku running (see its log)?")
            await asyncio.sleep(0.3)

    # --- the ways in --------------------------------------------------------------------------

    async def send(self, events: list[tuple[str, str, dict]]) -> None:
        """CloudEvents (id, type, data) from the demo source; each must be accepted."""
        files = [
            (event_id, json.dumps({"specversion": "1.0", "id": event_id, "source": SOURCE, "type": type_,
                                   "time": f"{self.today.isoformat()}T08:00:00+02:00", "datacontenttype": "application/json",
                                   "data": data}).encode())
            for event_id, type_, data in events
        ]
        for outcome in await send_events(self.settings, files, timeout=self.timeout):
            if not outcome.accepted:
                raise DemoError(f"event {outcome.line()}")

    async def command(self, case_id: str, path: str, body: dict, key: str) -> dict:
        """A staff command; a refusal because the case's workflow is still opening is tried again."""
        deadline = time.monotonic() + self.timeout
        while True:
            response = await self.http.post(f"/api/v1/cases/{case_id}/{path}", json=body, headers={**self.staff, "Idempotency-Key": key})
            if response.status_code == 200:
                return response.json()
            detail = response.json().get("detail") if response.headers.get("content-type", "").startswith("application/json") else None
            code = detail.get("code", "") if isinstance(detail, dict) else ""
            if response.status_code in (409, 503) and (code.endswith("not_open") or response.status_code == 503) and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
                continue
            raise DemoError(f"POST /api/v1/cases/{case_id}/{path} answered {response.status_code}: {response.text[:500]}")

    async def county_participant(self, municipality_code: str) -> str:
        """The example social worker of the municipality's wellbeing services county, on the county's
        staff list as an administrator sends it: the assessment's participant is chosen from it."""
        county = municipalities.get(municipality_code).wellbeing_county
        admin = mint_token(self.settings, sub="demo-admin", name="Esimerkki Ylläpitäjä", roles=["admin"], municipalities=list(MUNICIPALITIES))
        staff = {"staff": [{"sub": DEMO_COUNTY_SUB, "name": "Sosiaalityöntekijä (esimerkki)", "title": "sosiaalityöntekijä"}]}
        response = await self.http.put(f"/api/v1/county/staff/{county}", json=staff, headers={"Authorization": f"Bearer {admin}"})
        if response.status_code != 200:
            raise DemoError(f"PUT /api/v1/county/staff/{county} answered {response.status_code}: {response.text[:500]}")
        return DEMO_COUNTY_SUB

    async def case(self, case_id: str) -> dict:
        response = await self.http.get(f"/api/v1/cases/{case_id}", headers=self.staff)
        if response.status_code != 200:
            raise DemoError(f"GET /api/v1/cases/{case_id} answered {response.status_code}: {response.text[:300]}")
        return response.json()

    async def find_case(self, client: Client) -> dict | None:
        response = await self.http.get("/api/v1/cases", params={"q": client.family_name, "page_size": 100}, headers=self.staff)
        if response.status_code != 200:
            raise DemoError(f"GET /api/v1/cases answered {response.status_code}: {response.text[:300]}")
        for item in response.json()["items"]:
            person = item.get("client") or {}
            if (person.get("given_names"), person.get("birth_date"), person.get("nationality")) == (
                client.given_names, client.birth_date.isoformat(), client.nationality
            ):
                return item
        return None

    async def status_in(self, case_id: str, statuses: set[str] | None, what: str) -> dict:
        """The case once its status is one of `statuses` (None: once it has left intake)."""
        async def reached():
            case = await self.case(case_id)
            return case if (case["status"] in statuses if statuses else case["stage"] != "intake") else None

        return await self.wait(reached, what)

    # --- the steps ----------------------------------------------------------------------------

    async def check_running(self) -> None:
        try:
            response = await self.http.get("/readyz")
        except httpx.TransportError:
            raise DemoError(f"Kotopolku does not answer at {self.http.base_url}: start it first (make run)") from None
        if response.status_code != 200:
            raise DemoError(f"Kotopolku at {self.http.base_url} is not ready: {response.text[:300]}")

    async def service_map(self) -> None:
        """The example service map, which the plans' measures come from (loaded when missing)."""
        catalogue = json.loads(SERVICE_MAP.read_text(encoding="utf-8"))
        # Loaded as a coordinator of every municipality of the catalogue's regions: a coordinator
        # manages the services of their own municipalities and whole regions only.
        regions = {item["region"] for item in catalogue}
        loader = mint_token(self.settings, sub="demo-service-map", name="Esimerkki Palvelukartta", roles=["coordinator"],
                            municipalities=sorted(m.code for m in municipalities.all_municipalities() if m.region in regions))
        for item in catalogue:
            if (await self.http.get(f"/api/v1/service-map/{item['service_code']}", headers=self.staff)).status_code != 200:
                response = await self.http.post("/api/v1/service-map/load", json=catalogue, headers={"Authorization": f"Bearer {loader}"})
                if response.status_code != 200:
                    raise DemoError(f"loading the example service map answered {response.status_code}: {response.text[:300]}")
                self.echo(f"Loaded the example service map ({len(catalogue)} services).")
                return

    async def recruitment_notice(self, api_key: str) -> None:
        """The employer tells Hämeenlinna of its recruit before he registers (once)."""
        headers = {"X-API-Key": api_key}
        listed = await self.http.get("/api/v1/recruitment-notices", headers=headers)
        if listed.status_code != 200:
            raise DemoError(f"GET /api/v1/recruitment-notices answered {listed.status_code}: {listed.text[:300]}")
        if listed.json()["total"]:
            return
        response = await self.http.post("/api/v1/recruitment-notices", json=notice_body(self.today),
                                        headers={**headers, "Idempotency-Key": "demo-notice-1"})
        if response.status_code != 201:
            raise DemoError(f"the recruitment notice answered {response.status_code}: {response.text[:500]}")
        self.echo(f"{EMPLOYER_NAME} sent a recruitment notice for {RECRUIT.given_names} {RECRUIT.family_name}.")

    async def register_everyone(self) -> dict[int, str]:
        await self.send([(f"{client.key}-registered", RESIDENT_REGISTERED, client.registration(self.today)) for client in CLIENTS])

        async def all_listed():
            found = {client.number: await self.find_case(client) for client in CLIENTS}
            return found if all(found.values()) else None

        found = await self.wait(all_listed, "every demo client's case in the case list")
        self.echo(f"{len(CLIENTS)} residents registered through {SOURCE}.")
        return {number: case["case_id"] for number, case in found.items()}

    async def move(self, client: Client, case_id: str) -> None:
        case = await self.status_in(case_id, TARGET_STATUS["registered"] | {"assessment_overdue"}, f"{client.key}'s assessment to open")
        if case["municipality_code"] == client.moves_to:
            return
        moved = {"person_ref": {"external_ref": client.key}, "from_municipality_code": client.municipality,
                 "to_municipality_code": client.moves_to, "moved_on": (self.today - timedelta(days=1)).isoformat()}
        await self.send([(f"{client.key}-moved", RESIDENT_MOVED, moved)])

        async def moved_there():
            return (await self.case(case_id))["municipality_code"] == client.moves_to

        await self.wait(moved_there, f"{client.key}'s case to move to {client.moves_to}")

    async def bring(self, client: Client, case_id: str) -> None:
        """Take the case through the staff steps to its target, skipping those it is past."""
        if client.moves_to:
            await self.move(client, case_id)
        for step in STEPS[client.target]:
            await self.step(client, case_id, step)
        # A later run may find a case whose deadline has passed since: late is where it stands now.
        await self.status_in(case_id, TARGET_STATUS[client.target] | LATE, f"{client.key} to reach {client.target}")

    async def step(self, client: Client, case_id: str, step: str) -> None:
        case = await self.status_in(case_id, None, f"{client.key}'s path to open")
        status, key = case["status"], f"{client.key}-{step}"
        if step == "schedule" and status == "awaiting_assessment":
            language = client.preferred_languages[0]
            body = {"on": (self.today + timedelta(days=5 + client.number % 7)).isoformat(), "at": "10:00",
                    "place": "Kotoutumispalvelut, palvelupiste (esimerkki)", "interview_language": "fi",
                    **({"interpreter_language": language} if language not in ("fi", "sv", "en") else {})}
            await self.command(case_id, "assessment/schedule", body, key)
            await self.status_in(case_id, {"assessment_scheduled"}, f"{client.key}'s booking")
        elif step == "start" and status in ("awaiting_assessment", "assessment_scheduled", "assessment_overdue"):
            await self.command(case_id, "assessment/start", {}, key)
            await self.status_in(case_id, {"assessment_in_progress"}, f"{client.key}'s assessment to start")
        elif step == "complete_plan" and status == "assessment_in_progress":
            body = {"plan_needed": True, "plan_type": client.plan_type,
                    "service_needs": [measure.service_code for measure in client.measures],
                    "goals": "Suomen kielen opinnot ja työllistyminen (esimerkki)."}
            if client.plan_type == "multi_sectoral":
                body["wellbeing_county_participant_sub"] = await self.county_participant(client.municipality)
            await self.command(case_id, "assessment/complete", body, key)
            await self.status_in(case_id, {"awaiting_plan", "plan_overdue"}, f"{client.key}'s assessment to complete")
        elif step == "complete_no_plan" and status == "assessment_in_progress":
            body = {"plan_needed": False, "reason": "Asiakas osaa jo suomea ja on töissä (esimerkki)."}
            await self.command(case_id, "assessment/complete", body, key)
        elif step == "plan" and status in ("awaiting_plan", "plan_overdue"):
            body: dict[str, Any] = {
                "type": client.plan_type, "goals": "Kielitaito B1.1 ja polku työelämään (esimerkki).",
                "measures": [{"kind": measure.kind, "service_code": measure.service_code, "provider": measure.provider,
                              "language": measure.language, "hours": measure.hours, "status": "referred",
                              "starts_on": (self.today + timedelta(days=14)).isoformat()} for measure in client.measures],
            }  # a multi-sectoral plan keeps the county participant its assessment named
            await self.command(case_id, "plan", body, key)
            await self.status_in(case_id, {"plan_active"}, f"{client.key}'s plan")
        elif step == "review" and status in ("plan_active", "review_overdue"):
            plan = await self.http.get(f"/api/v1/cases/{case_id}/plan", headers=self.staff)
            if plan.status_code == 200 and not plan.json().get("reviews"):
                await self.command(case_id, "plan/reviews", {"notes": "Opinnot alkaneet suunnitellusti (esimerkki)."}, key)
        elif step == "close" and status in ("plan_active", "review_overdue", "plan_expired"):
            await self.command(case_id, "closure", {"reason": client.closure}, key)


async def fill(settings: Settings, *, echo: Callable[[str], None], timeout: float = 120) -> str:
    """Fill the running Kotopolku with the demo; the coordinator's token for the dashboard."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would bury what the demo tells
    base = base_url(settings)
    try:
        coordinator_token(settings)
    except AuthError as error:  # a real identity provider is configured: the demo is for development
        raise DemoError(str(error)) from None
    async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(60)) as http:
        demo = Demo(settings, http, echo, timeout)
        await demo.check_running()

        api_key = await administration(settings)
        echo(f"{SOURCE} may publish for {', '.join(MUNICIPALITIES)}; {EMPLOYER_NAME} has an API key.")
        await demo.service_map()
        await demo.recruitment_notice(api_key)
        cases = await demo.register_everyone()

        # A few clients at a time: each one's steps wait for the case before going on.
        slots = asyncio.Semaphore(4)

        async def bring(client: Client) -> None:
            async with slots:
                await demo.bring(client, cases[client.number])

        await asyncio.gather(*(bring(client) for client in CLIENTS))
        summary = await stage_counts(http, demo.staff)
        echo("Cases by stage: " + ", ".join(f"{stage} {count}" for stage, count in summary.items()))
        echo(f"Dashboard: {base}/ — sign in with this coordinator token for {', '.join(MUNICIPALITIES)} (valid {settings.jwt_max_lifetime_hours:g} hours):")
    return coordinator_token(settings)


async def administration(settings: Settings) -> str:
    """What an operator does with `kotopolku sources add` and `kotopolku employers create|rotate`:
    the demo source may publish for the demo municipalities; the employer's API key."""
    async with intake_database(settings) as database, database.session() as session:
        await sources.register_source(session, source=SOURCE, name=SOURCE_NAME, municipalities=list(MUNICIPALITIES))
        try:
            _employer, key = await employers.create_employer(session, business_id=EMPLOYER_BUSINESS_ID, name=EMPLOYER_NAME)
        except employers.EmployerError:  # made by an earlier run: its key was shown once, so it gets a new one
            _employer, key = await employers.rotate_employer_key(session, business_id=EMPLOYER_BUSINESS_ID)
        await session.commit()
        return key


async def stage_counts(http: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, int]:
    counts = {}
    for stage in ("intake", "assessment", "planning", "follow_up", "closed"):
        response = await http.get("/api/v1/cases", params={"stage": stage, "page_size": 1}, headers=headers)
        counts[stage] = response.json()["total"]
    return counts
