"""Employers and their API keys: registered by an administrator (`kotopolku employers …`), the key
shown once and only its hash kept."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.employers.models import Employer
from services.intake.identity import validate_business_id
from shared.clock import now


class EmployerError(Exception):
    """An employer can't be registered or changed so; the message says why (for the command line)."""


API_KEY_PREFIX = "kp_"


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def api_key_hash(key: str) -> str:
    # A plain SHA-256 is enough for a 256-bit random key, and fast enough to check on every request.
    return hashlib.sha256(key.encode()).hexdigest()


def _business_id(value: str) -> str:
    try:
        return validate_business_id(value)
    except ValueError as error:
        raise EmployerError(f"business id {value!r}: {error}") from None


async def _employer_by_business_id(session: AsyncSession, business_id: str) -> Employer:
    business_id = _business_id(business_id)
    employer = (await session.exec(select(Employer).where(Employer.business_id == business_id))).first()
    if employer is None:
        raise EmployerError(f"no employer with business id {business_id} is registered")
    return employer


async def create_employer(session: AsyncSession, *, business_id: str, name: str) -> tuple[Employer, str]:
    """A new employer and its API key (returned once; only its hash is stored)."""
    business_id, name = _business_id(business_id), name.strip()
    if not 1 <= len(name) <= 200:
        raise EmployerError("the name must be 1 to 200 characters")
    if (await session.exec(select(Employer).where(Employer.business_id == business_id))).first() is not None:
        raise EmployerError(f"an employer with business id {business_id} is already registered (`employers rotate` gives it a new key)")
    key = new_api_key()
    employer = Employer(
        id=uuid.uuid4(), business_id=business_id, name=name, api_key_hash=api_key_hash(key), active=True,
        created_at=now(), updated_at=now(),
    )
    session.add(employer)
    await session.flush()
    return employer, key


async def rotate_employer_key(session: AsyncSession, *, business_id: str) -> tuple[Employer, str]:
    """A new key for the employer; the old one stops working at once. Re-enables a revoked employer."""
    employer = await _employer_by_business_id(session, business_id)
    key = new_api_key()
    employer.api_key_hash, employer.active, employer.updated_at = api_key_hash(key), True, now()
    session.add(employer)
    return employer, key


async def revoke_employer(session: AsyncSession, *, business_id: str) -> Employer:
    employer = await _employer_by_business_id(session, business_id)
    employer.active, employer.updated_at = False, now()
    session.add(employer)
    return employer


async def list_employers(session: AsyncSession) -> list[Employer]:
    return list(await session.exec(select(Employer).order_by(Employer.name)))


async def employer_for_api_key(session: AsyncSession, key: str) -> Employer | None:
    """The active employer holding this key, else None."""
    digest = api_key_hash(key)
    employer = (await session.exec(select(Employer).where(Employer.api_key_hash == digest))).first()
    if employer is None or not hmac.compare_digest(employer.api_key_hash, digest) or not employer.active:
        return None
    return employer
