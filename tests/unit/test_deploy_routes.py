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
