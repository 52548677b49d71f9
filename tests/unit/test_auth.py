from datetime import timedelta

import jwt
import pytest
from sqlmodel import select

from services.notifications.models import CaseView
from shared.auth import AuthError, StaffUser, mint_token, scoped, verify_token
from shared.settings import load_settings

settings = load_settings()


def test_a_minted_token_verifies_with_its_claims():
    token = mint_token(settings, sub="u1", name="Aino", roles=["caseworker"], municipalities=["109", "905"])
    user = verify_token(settings, token)
    assert user.model_dump(exclude={"expires_at"}) == StaffUser(sub="u1", name="Aino", roles=["caseworker"], municipalities=["109", "905"]).model_dump(exclude={"expires_at"})
    assert user.expires_at is not None
    assert user.can_see("109") and not user.can_see("091")


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "someone-else"},
        {"iss": "somebody"},
    ],
)
def test_tokens_for_someone_else_are_refused(change):
    claims = {"sub": "u1", "roles": ["admin"], "municipalities": ["109"], "iss": settings.jwt_issuer, "aud": settings.jwt_audience, "exp": 9999999999}
    token = jwt.encode({**claims, **change}, settings.jwt_secret, algorithm="HS256")
    with pytest.raises(AuthError):
        verify_token(settings, token)


def test_expired_and_unsigned_tokens_are_refused():
    expired = mint_token(settings, sub="u", name="", roles=["caseworker"], municipalities=["109"], lifetime=timedelta(seconds=-120))  # beyond the clock leeway
    with pytest.raises(AuthError, match="expired"):
        verify_token(settings, expired)
    unsigned = jwt.encode({"sub": "u", "exp": 9999999999}, key=None, algorithm="none")
    with pytest.raises(AuthError):
        verify_token(settings, unsigned)


def test_development_tokens_are_refused_with_a_real_identity_provider():
    with_provider = load_settings(jwt_public_key="-----BEGIN PUBLIC KEY-----...")
    with pytest.raises(AuthError, match="identity provider"):
        mint_token(with_provider, sub="u", name="", roles=["admin"], municipalities=["109"])


def test_scoping_limits_every_query_to_the_users_municipalities():
    user = StaffUser(sub="u", roles=["caseworker"], municipalities=["109", "905"])
    sql = str(scoped(select(CaseView), CaseView.municipality_code, user).compile(compile_kwargs={"literal_binds": True}))
    assert "case_view.municipality_code IN ('109', '905')" in sql


def test_a_token_living_longer_than_allowed_is_refused():
    import jwt as pyjwt
    from datetime import datetime, timedelta, timezone

    settings = load_settings()
    with pytest.raises(AuthError, match="at most 12 hours"):
        mint_token(settings, sub="u", name="U", roles=["caseworker"], municipalities=["109"], lifetime=timedelta(days=30))
    now = datetime.now(timezone.utc)
    claims = {"sub": "u", "roles": ["caseworker"], "municipalities": ["109"], "iss": settings.jwt_issuer,
              "aud": settings.jwt_audience, "iat": now, "exp": now + timedelta(days=30)}
    with pytest.raises(AuthError, match="longer than 12 hours"):
        verify_token(settings, pyjwt.encode(claims, settings.jwt_secret, algorithm="HS256"))
    without_iat = {key: value for key, value in claims.items() if key != "iat"} | {"exp": now + timedelta(hours=1)}
    with pytest.raises(AuthError, match="iat"):
        verify_token(settings, pyjwt.encode(without_iat, settings.jwt_secret, algorithm="HS256"))


def test_a_clock_a_little_behind_is_forgiven():
    import jwt as pyjwt
    from datetime import datetime, timedelta, timezone

    settings = load_settings()
    now = datetime.now(timezone.utc)
    claims = {"sub": "u", "roles": ["caseworker"], "municipalities": ["109"], "iss": settings.jwt_issuer,
              "aud": settings.jwt_audience, "iat": now - timedelta(hours=1), "exp": now - timedelta(seconds=10)}
    assert verify_token(settings, pyjwt.encode(claims, settings.jwt_secret, algorithm="HS256")).sub == "u"
