"""The employer behind a request: its API key (header `X-API-Key`, CONTRACT.md §2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyHeader

from services.intake.dependencies import Session
from services.intake.employers import service
from services.intake.employers.models import Employer
from shared.http import ApiError

API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="The employer's key, from `kotopolku employers create`")


async def current_employer(session: Session, key: Annotated[str | None, Depends(API_KEY)]) -> Employer:
    """The active employer holding the key; 401 without a key or with one that is not valid."""
    if not key:
        raise ApiError(401, "api_key_missing")
    employer = await service.employer_for_api_key(session, key)
    if employer is None:
        raise ApiError(401, "api_key_invalid")
    return employer


CurrentEmployer = Annotated[Employer, Depends(current_employer)]
