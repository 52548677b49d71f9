"""Tokens from a real identity provider: RS256 and ES256 tokens verified with the keys of its JWKS
(served here by a local HTTP server), a key found by the token's `kid`; algorithm confusion refused
(HS256 signed with the public key, `none`, a token claiming another algorithm than its key's)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from shared.auth import AuthError, mint_token, verify_token
from shared.settings import load_settings

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def _jwk(algorithm, key, kid: str, alg: str) -> dict:
    return {**json.loads(algorithm.to_jwk(key.public_key())), "kid": kid, "alg": alg, "use": "sig"}


JWKS = {"keys": [_jwk(RSAAlgorithm, RSA_KEY, "rsa-1", "RS256"), _jwk(ECAlgorithm, EC_KEY, "ec-1", "ES256")]}


@pytest.fixture(scope="module")
def jwks_url():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's interface)
            body = json.dumps(JWKS).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


@pytest.fixture
def settings(tmp_path, jwks_url):
    return load_settings(var_dir=tmp_path, jwt_jwks_url=jwks_url, jwt_issuer="https://idp.example.fi", jwt_audience="kotopolku")


def claims(**overrides) -> dict:
    now = int(time.time())
    return {"sub": "kaisa", "name": "Kaisa", "roles": ["caseworker"], "municipalities": ["109"],
            "iss": "https://idp.example.fi", "aud": "kotopolku", "iat": now, "exp": now + 600, **overrides}


@pytest.mark.parametrize("key, kid, algorithm", [(RSA_KEY, "rsa-1", "RS256"), (EC_KEY, "ec-1", "ES256")])
def test_a_providers_token_is_verified_with_its_jwks_key(settings, key, kid, algorithm):
    token = jwt.encode(claims(), key, algorithm=algorithm, headers={"kid": kid})
    user = verify_token(settings, token)
    assert (user.sub, user.roles, user.municipalities) == ("kaisa", ["caseworker"], ["109"])


def _public_pem(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _unsigned(payload: dict, header: dict) -> str:
    encode = lambda part: jwt.utils.base64url_encode(json.dumps(part).encode()).decode()  # noqa: E731
    return f"{encode(header)}.{encode(payload)}."


@pytest.mark.parametrize("forge", [
    # HS256 "signed" with the public key the provider publishes: the classic confusion
    lambda: _hs256_with_public_key(),
    lambda: _unsigned(claims(), {"alg": "none", "kid": "rsa-1", "typ": "JWT"}),
    # the EC key's kid on an RS256 header: the key decides the algorithm, not the token
    lambda: jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "ec-1"}),
    lambda: jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "unknown"}),
    lambda: jwt.encode(claims(), rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256", headers={"kid": "rsa-1"}),
], ids=["hs256-with-the-public-key", "alg-none", "kid-of-another-algorithm", "unknown-kid", "another-key"])
def test_algorithm_confusion_and_foreign_keys_are_refused(settings, forge):
    with pytest.raises(AuthError):
        verify_token(settings, forge())


def _hs256_with_public_key() -> str:
    import hashlib
    import hmac

    encode = lambda part: jwt.utils.base64url_encode(json.dumps(part).encode()).decode()  # noqa: E731
    signing_input = f"{encode({'alg': 'HS256', 'kid': 'rsa-1', 'typ': 'JWT'})}.{encode(claims())}"
    signature = hmac.new(_public_pem(RSA_KEY), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{jwt.utils.base64url_encode(signature).decode()}"


def test_development_tokens_are_refused_once_a_provider_is_configured(settings):
    with pytest.raises(AuthError):
        mint_token(settings, sub="x", name="x", roles=["admin"], municipalities=["109"])
