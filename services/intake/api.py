"""Intake's HTTP routes, thin: parse, authorise, call the service. Clients and cases come in by
events and have no routes of their own here; each sub-domain's api.py holds its routes
(notices/, notices/matching/, duplicates/, triage/, lead/, groups/, language_needs/) and `ROUTERS` lists them all."""

from __future__ import annotations

from fastapi import APIRouter

from services.intake.duplicates.api import router as duplicates_router
from services.intake.groups.api import router as groups_router
from services.intake.language_needs.api import router as language_needs_router
from services.intake.lead.api import router as lead_router
from services.intake.notices.api import router as notices_router
from services.intake.notices.matching.api import router as matching_router
from services.intake.triage.api import router as triage_router

router = APIRouter(prefix="/api/v1", tags=["intake"])

ROUTERS = [router, notices_router, matching_router, duplicates_router, triage_router, lead_router, groups_router, language_needs_router]
