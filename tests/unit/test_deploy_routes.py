"""The reverse proxy (docker compose) and the Ingress (Kubernetes) send every path to the service
that serves it: a case's assessment commands to assessment, its plan to planning, its assignee
and closure to intake, the
municipal staff views to intake, the case views to notifications."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CASE = "/api/v1/cases/8be64a7b-f608-557a-b8ca-f7936633da38"

OWNERS = {
    f"{CASE}/assessment/start": "assessment",
    f"{CASE}/assessment/complete": "assessment",
    f"{CASE}/assessment/schedule": "assessment",
    f"{CASE}/assessment": "assessment",
    f"{CASE}/assignee": "intake",
    f"{CASE}/assignee/take": "intake",
    f"{CASE}/plan": "planning",
    f"{CASE}/plan/reviews": "planning",
    f"{CASE}/plan/measures": "planning",
    f"{CASE}/plan/measures/0b9d1c1e-2f43-4f7e-9d55-1d2b3c4d5e6f": "planning",
    f"{CASE}/plan/extensions": "planning",
    f"{CASE}/planning-notes": "notifications",  # only the whole segment `plan` is planning's
    f"{CASE}/closure": "intake",
    f"{CASE}/plan/suggestions": "planning",
    "/api/v1/service-map": "planning",
    "/api/v1/service-map/EX-HAME-KOTO-FI": "planning",
    "/api/v1/municipal/recruitment-notices": "intake",
    "/api/v1/municipal/cases/x/employment": "intake",
    "/api/v1/recruitment-notices": "intake",
    CASE: "notifications",
    "/api/v1/cases": "notifications",
    "/api/v1/cases/stream": "notifications",
    f"{CASE}/assessments-archive": "notifications",  # only the whole segment `assessment` is assessment's
    "/api/v1/notifications": "notifications",
    "/": "notifications",
    "/dashboard/texts/sv.json": "notifications",
    "/api/v1/figures/assessments": "assessment",
    "/api/v1/figures/plans": "planning",
    "/metrics": None,
}


def nginx_owner(path: str) -> str | None:
    """nginx's choice: an exact match; else the longest prefix, unless it is `^~`, loses to the
    first matching regex location."""
    text = (ROOT / "deploy" / "proxy" / "nginx.conf").read_text(encoding="utf-8")
    locations = re.findall(r"location\s+(=|\^~|~)?\s*(\S+)\s*\{\s*proxy_pass\s+\$(\w+);", text)
    for modifier, pattern, owner in locations:
        if modifier == "=" and path == pattern:
            return owner
    prefixes = [(pattern, modifier, owner) for modifier, pattern, owner in locations if modifier in ("", "^~") and path.startswith(pattern)]
    longest = max(prefixes, key=lambda item: len(item[0]), default=None)
    if longest and longest[1] == "^~":
        return longest[2]
    for modifier, pattern, owner in locations:
        if modifier == "~" and re.search(pattern, path):
            return owner
    return longest[2] if longest else None


def ingress_owner(path: str) -> str | None:
    """ingress-nginx's choice for one host: exact, else the longest matching path (regex paths of
    a use-regex Ingress match from the start)."""
    documents = list(yaml.safe_load_all((ROOT / "deploy" / "kubernetes" / "ingress.yaml").read_text(encoding="utf-8")))
    candidates = []
    for document in documents:
        regex = document["metadata"].get("annotations", {}).get("nginx.ingress.kubernetes.io/use-regex") == "true"
        for rule in document["spec"]["rules"]:
            for item in rule["http"]["paths"]:
                pattern, owner = item["path"], item["backend"]["service"]["name"]
                if item["pathType"] == "Exact" and path == pattern:
                    return owner
                if item["pathType"] == "Prefix" and (path == pattern.rstrip("/") or path.startswith(pattern.rstrip("/") + "/")):
                    candidates.append((len(pattern), owner))
                if item["pathType"] == "ImplementationSpecific" and regex and re.match(pattern, path):
                    candidates.append((len(pattern), owner))
    return max(candidates)[1] if candidates else None


@pytest.mark.parametrize("path", list(OWNERS))
def test_the_proxy_sends_each_path_to_its_owner(path):
    assert nginx_owner(path) == OWNERS[path]


@pytest.mark.parametrize("path", list(OWNERS))
def test_the_ingress_sends_each_path_to_its_owner(path):
    assert ingress_owner(path) == OWNERS[path]


# Every route served, every route reachable: the routes each service serves, from its OpenAPI
# document (and the dashboard's pages, which are outside it), against the proxy and the Ingress.

UNROUTED = {"/healthz", "/readyz", "/metrics"}  # each process's own, for probes and Prometheus
# Served but deliberately not reachable through the proxy, each with why:
NOT_THROUGH_THE_PROXY = {
    # needs intake, assessment and planning in one process (`kotopolku run`); in the split
    # deployment an admin runs `kotopolku export koto-aj` (docs/koto-aj.md)
    ("intake+assessment+planning", "/api/v1/admin/koto-aj/exports"),
    ("intake+assessment+planning", "/api/v1/admin/koto-aj/exports/{export_id}/{name}"),
    # one path, one service: the proxy sends it to intake; planning's refused workflow commands
    # are listed and replayed with `kotopolku workflow-commands` (it opens every service's database)
    ("planning", "/api/v1/admin/workflow-commands"),
    ("planning", "/api/v1/admin/workflow-commands/replay"),
    # served by every process, but only intake and planning send workflow commands (empty elsewhere)
    ("assessment", "/api/v1/admin/workflow-commands"),
    ("assessment", "/api/v1/admin/workflow-commands/replay"),
    ("notifications", "/api/v1/admin/workflow-commands"),
    ("notifications", "/api/v1/admin/workflow-commands/replay"),
}


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> dict[str, set[str]]:
    """Path template -> the processes serving it (a service alone, or all three of the hand-over)."""
    from services.runner import Runtime, create_app
    from shared.settings import SERVICES, load_settings

    settings = load_settings(var_dir=tmp_path_factory.mktemp("routes"), amqp_url="amqp://unused:1/", temporal_address="unused:1",
                             database_url=None)
    paths: dict[str, set[str]] = {}
    for service in SERVICES:
        for path in create_app(Runtime(settings, [service], consumers=False, workers=False)).openapi()["paths"]:
            paths.setdefault(path, set()).add(service)
    everything = create_app(Runtime(settings, consumers=False, workers=False)).openapi()["paths"]
    for path in set(everything) - set(paths):
        paths[path] = {"intake+assessment+planning"}
    dashboard = (ROOT / "services" / "notifications" / "dashboard.py").read_text(encoding="utf-8")
    for path in re.findall(r'@router\.\w+\("([^"]+)"', dashboard):
        paths.setdefault(path, set()).add("notifications")
    return {path: owners for path, owners in paths.items() if path not in UNROUTED}


def concrete(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "8be64a7b-f608-557a-b8ca-f7936633da38", template)


def test_every_route_a_service_serves_is_reachable_through_the_proxy_and_the_ingress(served):
    unreachable = []
    for template, owners in sorted(served.items()):
        for route_to in (nginx_owner, ingress_owner):
            owner = route_to(concrete(template))
            for service in owners:
                if owner != service and (service, template) not in NOT_THROUGH_THE_PROXY:
                    unreachable.append(f"{route_to.__name__}: {template} goes to {owner}, served by {service}")
    assert not unreachable, "\n".join(unreachable)


def _proxy_locations() -> list[tuple[str, str, str]]:
    text = (ROOT / "deploy" / "proxy" / "nginx.conf").read_text(encoding="utf-8")
    return re.findall(r"location\s+(=|\^~|~)?\s*(\S+)\s*\{\s*proxy_pass\s+\$(\w+);", text)


def _ingress_paths() -> list[tuple[str, str, str]]:
    paths = []
    for document in yaml.safe_load_all((ROOT / "deploy" / "kubernetes" / "ingress.yaml").read_text(encoding="utf-8")):
        for rule in document["spec"]["rules"]:
            for item in rule["http"]["paths"]:
                paths.append((item["pathType"], item["path"], item["backend"]["service"]["name"]))
    return paths


def _matches(kind: str, pattern: str, path: str) -> bool:
    if kind in ("=", "Exact"):
        return path == pattern
    if kind in ("~", "ImplementationSpecific"):
        return re.match(pattern, path) is not None
    return path.startswith(pattern.rstrip("/"))


def test_every_path_the_proxy_and_the_ingress_name_is_served_by_their_service(served):
    named = [("nginx.conf", *location) for location in _proxy_locations()] + [("ingress.yaml", *path) for path in _ingress_paths()]
    assert len(named) > 20
    nobody = [
        f"{where}: {pattern} -> {owner}"
        for where, kind, pattern, owner in named
        if not any(owner in owners and _matches(kind, pattern, concrete(template)) for template, owners in served.items())
    ]
    assert not nobody, "named but served by nobody there:\n" + "\n".join(nobody)
