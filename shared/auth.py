"""Staff authentication (OIDC-style JWT bearer tokens) and municipality scoping.

A token names the user's roles and the municipalities they work for; every query of a
municipality's records goes through `scoped`, so nobody sees another municipality's clients.
The dashboard may carry the same token in a cookie.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Annotated, Literal

import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, Field, ValidationError

from shared.http import ApiError
from shared.ratelimit import READ_BACK_HEADER, is_read_back, limiter
from shared.settings import Settings

SESSION_COOKIE = "kotopolku_session"
# region: a region's figures only; wellbeing_county: its county's multi-sectoral assessments and plans, read-only (docs/roles.md)
Role = Literal["caseworker", "coordinator", "admin", "region", "wellbeing_county"]


class StaffUser(BaseModel):
    sub: str
    name: str = ""
    roles: list[Role] = Field(default_factory=list)
    municipalities: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)  # the `region` role's regions (maakunta, Finnish name): their figures
    # The `wellbeing_county` role's counties (hyvinvointialue, Finnish name as in shared/data).
    wellbeing_counties: list[str] = Field(default_factory=list)
    expires_at: datetime | None = None  # the token's `exp`: a live stream ends with it

    def can_see(self, municipality_code: str) -> bool:
        return municipality_code in self.municipalities

    def county_municipalities(self) -> list[str]:
        """The municipalities of the `wellbeing_county` role's counties (none without the role)."""
        from shared import municipalities as registry

        if "wellbeing_county" not in self.roles:
            return []
        counties = set(self.wellbeing_counties)
        return [m.code for m in registry.all_municipalities() if m.wellbeing_county in counties]


class AuthError(Exception):
    pass


def mint_token(
    settings: Settings,
    *,
    sub: str,
    name: str,
    roles: list[str],
    municipalities: list[str],
    lifetime: timedelta | None = None,
    regions: list[str] | None = None,
    wellbeing_counties: list[str] | None = None,
) -> str:
    """A development token signed with the shared secret (refused with a real identity provider)."""
    if settings.jwt_public_key or settings.jwt_jwks_url:
        raise AuthError("an identity provider is configured (KOTOPOLKU_JWT_PUBLIC_KEY or _JWKS_URL): development tokens are refused")
    now = datetime.now(timezone.utc)
    lifetime = lifetime or timedelta(hours=settings.jwt_max_lifetime_hours)
    if lifetime > timedelta(hours=settings.jwt_max_lifetime_hours):
        raise AuthError(f"a token may live at most {settings.jwt_max_lifetime_hours:g} hours (KOTOPOLKU_JWT_MAX_LIFETIME_HOURS)")
    claims = {
        "sub": sub,
        "name": name,
        "roles": roles,
        "municipalities": municipalities,
        **({"regions": regions} if regions else {}),
        **({"wellbeing_counties": wellbeing_counties} if wellbeing_counties else {}),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + lifetime,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


# An identity provider's keys are asymmetric: a token claiming any other algorithm (HS256 signed
# with the public key as a secret, `none`) is refused, and a key is used only with its own algorithm.
PROVIDER_ALGORITHMS = ["RS256", "ES256"]
_jwks_clients: dict[str, jwt.PyJWKClient] = {}


def _provider_key(settings: Settings, token: str):
    """The key that verifies a provider's token: from the JWKS by the token's `kid` (fetched once,
    then again only for a `kid` not seen yet: a rotated key), else the configured PEM."""
    if settings.jwt_jwks_url:
        client = _jwks_clients.setdefault(settings.jwt_jwks_url, jwt.PyJWKClient(settings.jwt_jwks_url, cache_keys=True, timeout=10))
        signing = client.get_signing_key_from_jwt(token)
        if signing.algorithm_name not in PROVIDER_ALGORITHMS:
            raise AuthError(f"the JWKS key {signing.key_id} is not for RS256 or ES256")
        header_alg = jwt.get_unverified_header(token).get("alg")
        if header_alg != signing.algorithm_name:
            raise AuthError(f"the token claims {header_alg} but its key is for {signing.algorithm_name}")
        return signing.key, [signing.algorithm_name]
    return settings.jwt_public_key, PROVIDER_ALGORITHMS


def _decode(settings: Settings, token: str, key, algorithms: list[str]) -> dict:
    def decode(with_key):
        return jwt.decode(
            token,
            with_key,
            algorithms=algorithms,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            leeway=settings.jwt_leeway_seconds,
            options={"require": ["sub", "exp", "iat"]},
        )

    try:
        return decode(key)
    except jwt.InvalidSignatureError:
        # During a rotation of the HS256 secret, tokens signed with the previous one still work
        # until they expire; new ones are signed only with the current secret.
        if algorithms == ["HS256"] and settings.jwt_secret_previous:
            return decode(settings.jwt_secret_previous)
        raise


def verify_token(settings: Settings, token: str) -> StaffUser:
    try:
        if settings.jwt_public_key or settings.jwt_jwks_url:
            key, algorithms = _provider_key(settings, token)
        else:
            key, algorithms = settings.jwt_secret, ["HS256"]
        claims = _decode(settings, token, key, algorithms)
        lifetime = claims["exp"] - claims["iat"]
        if lifetime > settings.jwt_max_lifetime_hours * 3600:
            raise AuthError(f"the token lives longer than {settings.jwt_max_lifetime_hours:g} hours")
        return StaffUser.model_validate({**claims, "expires_at": datetime.fromtimestamp(claims["exp"], timezone.utc)})
    except (jwt.PyJWTError, ValidationError) as error:
        raise AuthError(str(error).splitlines()[0]) from None


async def current_staff(request: Request) -> StaffUser:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise ApiError(401, "not_authenticated", headers={"WWW-Authenticate": "Bearer"})
    try:
        settings = request.app.state.settings
        if settings.jwt_jwks_url:  # a JWKS fetch (the first, or for a new `kid`) must not hold up the event loop
            user = await asyncio.to_thread(verify_token, settings, token.strip())
        else:
            user = verify_token(settings, token.strip())
    except AuthError as error:
        raise ApiError(401, "invalid_token", headers={"WWW-Authenticate": "Bearer"}, reason=str(error)) from None
    if not user.roles:
        raise ApiError(403, "no_role")  # a token with no role may do nothing (docs/roles.md)
    settings = request.app.state.settings
    credentials = header or request.cookies.get(SESSION_COOKIE, "")  # as shared/cases.py passes them on
    if not is_read_back(settings.data_key_bytes, credentials, request.headers.get(READ_BACK_HEADER)):
        if not hasattr(request.app.state, "rate_limits"):
            request.app.state.rate_limits = {}
        limiter(request.app.state.rate_limits, "staff_requests", settings.staff_requests_per_minute, 60).check(user.sub)
    request.state.staff = user  # the caller, for reads made on their behalf (shared/cases.py)
    return user


CurrentStaff = Annotated[StaffUser, Depends(current_staff)]


def require_role(*roles: Role):
    async def check(user: CurrentStaff) -> StaffUser:
        if not set(roles) & set(user.roles):
            raise ApiError(403, "forbidden_role", roles=", ".join(roles))
        return user

    return Depends(check)


def scoped(statement, municipality_column, user: StaffUser):
    """Limit a query to the municipalities the user works for."""
    return statement.where(municipality_column.in_(user.municipalities))
