"""Every staff route of every service, from the OpenAPI documents, × (no token, an expired token,
a token with no role, each role, another municipality): a route answers 401 without a valid token,
403 to a role it does not allow and lets through the roles it does, as its dependencies declare
(`require_role`), and a record of another municipality is not found (404) — checked on a real
Kotopolku holding a client's case, plan, webhook subscription and recruitment notice. The
matrix is generated into docs/roles.md ("Route by route") and compared with it, so the document
cannot drift from what is served. No route is left out: each is staff's, an employer's (API
key), the client's own page's or public, and the last three are listed by name."""

from __future__ import annotations

import os
import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import get_args

import httpx
import pytest
from fastapi.routing import APIRoute

from services.runner import Runtime, create_app
from shared.auth import Role, current_staff, mint_token
from shared.clock import today
from shared.figures import month_end
from shared.settings import SERVICES
from support import app_of, employer_key, make_settings, notice, running, submitted, token
from test_plan_api import case_awaiting_plan

ROLES = get_args(Role)  # every role there is: a new one is in the matrix at once
EMPLOYER_ROUTES = {  # an employer's API key, not a staff token (CONTRACT.md §2)
    ("GET", "/api/v1/recruitment-notices"), ("POST", "/api/v1/recruitment-notices"), ("GET", "/api/v1/recruitment-notices/{notice_id}"),
    ("POST", "/api/v1/recruitment-notices/{notice_id}/withdrawal"),
}
PUBLIC_ROUTES = {("GET", "/healthz"), ("GET", "/readyz")}
CLIENT_ROUTES = {  # the client's own page: its one-time link and code, then a page session (docs/client-page.md)
    ("POST", "/client/api/session"), ("GET", "/client/api/page"), ("GET", "/client/api/self-report"), ("PUT", "/client/api/self-report"),
    ("POST", "/client/api/feedback/{request_id}"),
}
# An endless response (Server-Sent Events): its refusals are checked, a role let through is not followed.
ENDLESS = {("GET", "/api/v1/cases/stream")}
ID = "8be64a7b-f608-557a-b8ca-f7936633da38"
# The case routes of intake, assessment and planning first ask notifications for the case the user
# may see (404 before anything else, docs/roles.md), so a role they refuse is refused only for a
# case that exists: here (no notifications running: 503) that is not reached. Those refusals are
# tested on real cases (tests/integration/test_assessment_api.py, test_plan_api.py, test_triage_api.py).
CASE_FIRST = re.compile(r"^/api/v1/cases/\{case_id\}/")


def _api_routes(app) -> list:
    """The application's routes, those of included routers too (FastAPI keeps them per router)."""
    found = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "effective_route_contexts"):
            found.extend(context for context in route.effective_route_contexts() if context.methods)
    return found


def _roles_allowed(route) -> set[str] | None:
    """The roles the route's dependencies allow (every role when it needs only a staff token);
    None when it needs no staff token."""
    allowed: set[str] = set(ROLES)
    staff = False
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if dependant.call is current_staff:
            staff = True
        closure = getattr(dependant.call, "__closure__", None) or ()
        if getattr(dependant.call, "__name__", "") == "check":
            for cell in closure:
                if isinstance(cell.cell_contents, tuple) and set(cell.cell_contents) <= set(ROLES):
                    allowed &= set(cell.cell_contents)
        stack.extend(dependant.dependencies)
    return allowed if staff else None


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("matrix"), amqp_url="amqp://unused:1/", temporal_address="unused:1",
                             database_url=None, staff_requests_per_minute=1_000_000)
    return settings, {service: (Runtime(settings, [service], consumers=False, workers=False)) for service in SERVICES}


def _token(settings, roles: list[str], lifetime: timedelta | None = None) -> dict[str, str]:
    jwt = mint_token(settings, sub="matrix", name="Matriisi", roles=roles, municipalities=["109"], lifetime=lifetime,
                     regions=["Kanta-Häme"] if "region" in roles else None,
                     wellbeing_counties=["Kanta-Hämeen hyvinvointialue"] if "wellbeing_county" in roles else None)
    return {"Authorization": f"Bearer {jwt}"}


@pytest.mark.parametrize("service", SERVICES)
async def test_every_route_answers_each_caller_as_its_roles_say(service, apps):
    settings, runtimes = apps
    runtime = runtimes[service]
    await runtime.migrate()
    app = create_app(runtime)
    routes = [(method, route) for route in _api_routes(app) if route.include_in_schema for method in sorted(route.methods) if method != "HEAD"]
    documented = {(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item if method != "head"}
    assert {(method, route.path) for method, route in routes} == documented

    wrong = []
    callers = {
        "no token": ({}, {401}),
        "expired token": (_token(settings, ["admin"], lifetime=timedelta(seconds=-60)), {401}),
        "no role": (_token(settings, []), {403}),
    }
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kotopolku") as http:
        for method, route in routes:
            path = re.sub(r"\{[^}]+\}", ID, route.path)
            allowed = _roles_allowed(route)
            if allowed is None:
                assert (method, route.path) in EMPLOYER_ROUTES | PUBLIC_ROUTES | CLIENT_ROUTES, f"{method} {route.path} needs no staff token: list it"
                continue
            for who, (headers, expected) in callers.items():
                answer = await http.request(method, path, headers=headers, json={} if method in ("POST", "PUT", "PATCH") else None)
                if answer.status_code not in expected:
                    wrong.append(f"{method} {route.path}, {who}: {answer.status_code}, not {expected}")
            for role in ROLES:
                if role in allowed and (method, route.path) in ENDLESS:
                    continue
                answer = await http.request(method, path, headers=_token(settings, [role]), json={} if method in ("POST", "PUT", "PATCH") else None)
                refused = answer.status_code in (401, 403)
                if role not in allowed and service != "notifications" and CASE_FIRST.match(route.path) and answer.status_code == 503:
                    continue  # the case was not looked up (see CASE_FIRST)
                if (role in allowed) == refused:
                    wrong.append(f"{method} {route.path}, {role}: {answer.status_code} ({'allowed' if role in allowed else 'not allowed'})")
    for ctx in runtime.contexts.values():
        await ctx.db.dispose()
    assert not wrong, "\n".join(wrong)


# What a token of another municipality gets, by route (the first pattern that matches "METHOD
# path"): a record of another municipality is not found, as if it did not exist; a list or a
# figure shows only the token's own municipalities; writing into another's is refused.
OTHER_MUNICIPALITY = [
    (r"^\w+ /api/v1/county/.*\{case_id\}", "404 (another county's case)"),
    (r"\{(case_id|municipality_code|notice_id|review_id|subscription_id|link_id|measure_id|export_id)\}", "404"),
    (r"^POST /api/v1/admin/koto-aj/exports$", "404 (`municipalities`: its own only)"),
    # Tested with real catalogues in tests/integration/test_service_map.py.
    (r"^(PUT|DELETE) /api/v1/service-map/|^POST /api/v1/service-map/load", "403 (`service_map_not_yours`)"),
    (r"^GET /api/v1/service-map", "one shared catalogue"),
    (r"^(PUT|POST) /api/v1/figures/.*/targets", "403 (`target_municipality_not_yours`)"),
    (r"/api/v1/admin/workflow-commands", "operators' (no municipality)"),
    (r"^POST /api/v1/webhooks$", "422 (`municipalities`: its own only)"),
    (r"^PUT /api/v1/county/staff/", "403 (`county_not_yours`)"),
    (r"^GET ", "none of theirs shown"),
]
OTHER_NOT_FOUND = re.compile(r"^404")
ROLES_DOC = Path(__file__).resolve().parents[2] / "docs" / "roles.md"
TABLE_START, TABLE_END = "<!-- route table: start -->", "<!-- route table: end -->"


def other_municipality(method: str, path: str) -> str:
    return next(what for pattern, what in OTHER_MUNICIPALITY if re.search(pattern, f"{method} {path}"))


def staff_routes(app) -> list[tuple[str, str, set[str]]]:
    """(method, path, roles allowed) of every staff route of the application."""
    found = []
    for route in _api_routes(app):
        allowed = _roles_allowed(route)
        if route.include_in_schema and allowed is not None:
            found.extend((method, route.path, allowed) for method in sorted(route.methods) if method != "HEAD")
    return found


def route_table(apps_by_service) -> str:
    rows = sorted({(path, method, frozenset(allowed)) for app in apps_by_service for method, path, allowed in staff_routes(app)})
    lines = ["| route | " + " | ".join(ROLES) + " | another municipality's |", "|---|" + ":-:|" * len(ROLES) + "---|"]
    for path, method, allowed in rows:
        marks = " | ".join("✓" if role in allowed else "" for role in ROLES)
        lines.append(f"| `{method} {path}` | {marks} | {other_municipality(method, path)} |")
    return "\n".join(lines)


def test_the_roles_document_shows_every_route_as_served(apps):
    """docs/roles.md's route table is this matrix; KOTOPOLKU_WRITE_ROUTE_TABLE=1 writes it anew."""
    settings, runtimes = apps
    # Each service's own process, and all of them in one (`kotopolku run`: the Koto-AJ hand-over too).
    every_service = Runtime(settings, SERVICES, consumers=False, workers=False)
    table = route_table([create_app(runtime) for runtime in (*runtimes.values(), every_service)])
    text = ROLES_DOC.read_text(encoding="utf-8")
    before, _, rest = text.partition(TABLE_START)
    shown, _, after = rest.partition(TABLE_END)
    if os.environ.get("KOTOPOLKU_WRITE_ROUTE_TABLE") == "1":
        ROLES_DOC.write_text(f"{before}{TABLE_START}\n{table}\n{TABLE_END}{after}", encoding="utf-8")
        return
    assert TABLE_START in text and TABLE_END in text, f"docs/roles.md has no route table ({TABLE_START} … {TABLE_END})"
    assert shown.strip() == table, "docs/roles.md's route table differs from the routes served: KOTOPOLKU_WRITE_ROUTE_TABLE=1 pytest " + __file__


# The records the test makes (a review it does not make: its id is made up, and only the refusals count).
REAL = {"case_id", "measure_id", "municipality_code", "subscription_id", "notice_id", "export_id", "name"}
# What the case has none of (no employment matched, no self-report): 404 to its own staff too. The
# case is looked up first, by the same lookup as every other case route's.
NOTHING_YET = {"/api/v1/municipal/cases/{case_id}/employment", "/api/v1/cases/{case_id}/client/self-report"}


def _other_token(settings, role: str) -> dict[str, str]:
    """A token of Vaasa (Pohjanmaa, Pohjanmaan hyvinvointialue): another municipality, region and county than Hämeenlinna's."""
    municipal = role not in ("region", "wellbeing_county")
    jwt = mint_token(settings, sub=f"vaasa-{role}", name="Vaasa", roles=[role], municipalities=["905"] if municipal else [],
                     regions=["Pohjanmaa"] if role == "region" else None,
                     wellbeing_counties=["Pohjanmaan hyvinvointialue"] if role == "wellbeing_county" else None)
    return {"Authorization": f"Bearer {jwt}"}


async def test_a_record_of_another_municipality_is_not_found_on_any_route(settings, amqp_url):
    """Hämeenlinna's (109) case with its plan and measure, a webhook subscription, a recruitment
    notice and a Koto-AJ export, asked for on every route by each role of Vaasa (905): 404 to every
    role it allows, 403 or 404 to the rest; lists and figures show none of it; writes naming 109
    are refused. The same routes answer Hämeenlinna's own staff otherwise than 404 (what is asked
    for exists)."""
    staff = token(settings, "109", role="caseworker", sub="cw-matrix")
    async with running(settings) as (runtime, http):
        case = await case_awaiting_plan(http, amqp_url, staff)
        case_id, client_id = case["case_id"], case["client_id"]
        made = await http.post(f"/api/v1/cases/{case_id}/plan", json={"type": "individual", "measures": [{"kind": "language_studies"}]}, headers=staff)
        assert made.status_code == 200, made.text
        plan = (await http.get(f"/api/v1/cases/{case_id}/plan", headers=staff)).json()
        subscription = await http.post("/api/v1/webhooks", headers=token(settings, "109", role="admin"), json={
            "url": "https://93.184.215.14/kotopolku", "event_types": ["fi.kotopolku.case.updated.v1"], "municipalities": ["109"]})
        assert subscription.status_code == 201, subscription.text
        notice_id = (await submitted(http, await employer_key(runtime), notice(municipality_code="109")))["id"]
        handed = await http.post("/api/v1/admin/koto-aj/exports", headers=token(settings, "109", role="admin"),
                                 json={"from": today().replace(day=1).isoformat(), "to": today().isoformat()})
        assert handed.status_code == 200 and handed.json()["export_id"], handed.text
        ids = {
            "case_id": case_id, "measure_id": plan["measures"][0]["measure_id"], "municipality_code": "109", "notice_id": notice_id,
            "subscription_id": subscription.json()["id"], "export_id": handed.json()["export_id"],
            "name": handed.json()["files"][0].rsplit("/", 1)[-1], "review_id": str(uuid.uuid4()), "link_id": str(uuid.uuid4()),
            "service_code": "EX-MATRIX",
        }
        theirs = [case_id, client_id, notice_id, subscription.json()["id"], '"109"']

        wrong = []
        period = {"from": today().replace(day=1).isoformat(), "to": month_end(today()).isoformat()}
        into_theirs = {  # a write naming Hämeenlinna, by Vaasa's role that may write: (body, content type, answer)
            ("PUT", "/api/v1/figures/plans/targets"): ([{"municipality_code": "109", "figure": "plans_made", **period, "target": 4}], None, 403),
            ("PUT", "/api/v1/figures/assessments/targets"): ([{"municipality_code": "109", "figure": "completed", **period, "target": 4}], None, 403),
            ("POST", "/api/v1/figures/plans/targets/import"): (f"municipality_code;figure;from;to;target\n109;plans_made;{period['from']};{period['to']};4\n", "text/csv", 403),
            ("POST", "/api/v1/figures/assessments/targets/import"): (f"municipality_code;figure;from;to;target\n109;completed;{period['from']};{period['to']};4\n", "text/csv", 403),
            ("POST", "/api/v1/admin/koto-aj/exports"): ({**period, "municipalities": ["109"]}, None, 404),
            ("POST", "/api/v1/webhooks"): ({"url": "https://93.184.215.14/kotopolku", "event_types": ["fi.kotopolku.case.updated.v1"], "municipalities": ["109"]}, None, 422),
            ("PUT", "/api/v1/county/staff/{county}"): ({"staff": [{"sub": "matrix", "name": "Matrix"}]}, None, 403),
        }
        for (method, path), (body, content_type, status) in into_theirs.items():
            role = "admin" if "webhooks" in path or "/admin/" in path or "/county/staff/" in path else "coordinator"
            headers = {**_other_token(settings, role), **({"Content-Type": content_type} if content_type else {})}
            url = path.replace("{county}", "Kanta-Hämeen hyvinvointialue")  # Hämeenlinna's county
            answer = await http.request(method, url, headers=headers, **({"content": body} if content_type else {"json": body}))
            if answer.status_code != status or not other_municipality(method, path).startswith(str(status)):
                wrong.append(f"{method} {path} into 109, {role} of 905: {answer.status_code} {answer.text[:200]}, not {status}")
        for method, path, allowed in staff_routes(app_of(runtime)):
            expected = other_municipality(method, path)
            if (method, path) in ENDLESS or (method, path) in into_theirs:
                continue  # the live feed: tests/integration/test_case_stream_tenancy.py; the writes: above
            url = re.sub(r"\{(\w+)\}", lambda found: ids[found.group(1)], path)
            params = {"municipality": "109"} if method == "GET" else None
            body = {} if method in ("POST", "PUT", "PATCH") else None
            for role in ROLES:
                answer = await http.request(method, url, params=params, json=body, headers=_other_token(settings, role))
                if OTHER_NOT_FOUND.match(expected):
                    if answer.status_code != 404 and not (role not in allowed and answer.status_code == 403):
                        wrong.append(f"{method} {path}, {role} of 905: {answer.status_code}, not 404")
                elif expected == "none of theirs shown" and answer.status_code == 200:
                    if shown := [record for record in theirs if record in answer.text]:
                        wrong.append(f"{method} {path}, {role} of 905: shows 109's {shown}")
            if OTHER_NOT_FOUND.match(expected) and method == "GET" and set(re.findall(r"\{(\w+)\}", path)) <= REAL and path not in NOTHING_YET and "/county/" not in path:
                role = next(role for role in ("caseworker", "coordinator", "admin") if role in allowed)
                own = await http.request(method, url, headers=token(settings, "109", role=role, sub=f"own-{role}"))
                if own.status_code == 404:
                    wrong.append(f"{method} {path}: 404 to 109's own staff too (the test asks for nothing that exists)")
    assert not wrong, "\n".join(wrong)
