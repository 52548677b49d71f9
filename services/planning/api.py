"""The planning service's HTTP routes. Thin: parse, authorise, call service.py."""

from __future__ import annotations

from fastapi import APIRouter

from shared.service import ServiceContext


def build_router(ctx: ServiceContext) -> APIRouter:
    return APIRouter(prefix="/api/v1", tags=["planning"])
