"""Rotating the data key and the HS256 token secret: the previous keys are read, never written."""

import base64

import pytest

from shared.auth import AuthError, mint_token, verify_token
from shared.crypto import DataKey, UnknownDataKey, lookup_hash, lookup_hashes, seal, sealed_with_current, unseal
from shared.settings import ConfigurationError, load_settings
from shared.temporal import EncryptionCodec, data_converter

A, B, C = b"a" * 32, b"b" * 32, b"c" * 32


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_a_value_sealed_with_a_previous_key_unseals():
    sealed = seal(A, b"120490-123A")
    assert unseal(DataKey(B, [C, A]), sealed) == b"120490-123A"


def test_sealing_always_uses_the_current_key():
    sealed = seal(DataKey(B, [A]), b"120490-123A")
    assert unseal(B, sealed) == b"120490-123A"
    assert sealed_with_current(B, sealed) and not sealed_with_current(A, sealed)


def test_a_value_sealed_with_an_unknown_key_fails_clearly():
    with pytest.raises(UnknownDataKey, match="KOTOPOLKU_DATA_KEY_PREVIOUS"):
        unseal(DataKey(B, [C]), seal(A, b"120490-123A"))
    with pytest.raises(UnknownDataKey):
        unseal(B, seal(A, b"x"))


def test_lookups_match_hashes_made_with_every_key_current_first():
    assert lookup_hashes(DataKey(B, [A]), "120490-123A") == [lookup_hash(B, "120490-123A"), lookup_hash(A, "120490-123A")]
    assert lookup_hashes(B, "120490-123A") == [lookup_hash(B, "120490-123A")]


async def test_payloads_encrypted_with_a_previous_key_are_read_and_new_ones_use_the_current():
    [payload] = data_converter(A).payload_converter.to_payloads([{"given_names": "Amina"}])
    [old] = await EncryptionCodec(A).encode([payload])
    rotated = EncryptionCodec(DataKey(B, [A]))
    assert await rotated.decode([old]) == [payload]
    [new] = await rotated.encode([payload])
    assert await EncryptionCodec(B).decode([new]) == [payload]
    with pytest.raises(UnknownDataKey):
        await EncryptionCodec(DataKey(C, [B])).decode([old])


def test_settings_carry_the_previous_keys():
    settings = load_settings(data_key=b64(B), data_key_previous=f"{b64(A)}, {b64(C)}")
    assert bytes(settings.data_key_bytes) == B
    assert settings.data_key_bytes.previous == (A, C)
    assert load_settings(data_key=b64(B), data_key_previous="").data_key_bytes.previous == ()


@pytest.mark.parametrize("previous", [b64(b"short"), "not base64!", f"{b64(A)},{b64(b'x' * 31)}"])
def test_previous_keys_must_be_32_bytes(previous):
    with pytest.raises(ConfigurationError, match="KOTOPOLKU_DATA_KEY_PREVIOUS"):
        load_settings(data_key=b64(B), data_key_previous=previous)


def test_previous_keys_from_the_environment_are_checked(monkeypatch):
    monkeypatch.setenv("KOTOPOLKU_DATA_KEY_PREVIOUS", b64(b"short"))
    with pytest.raises(ConfigurationError, match="KOTOPOLKU_DATA_KEY_PREVIOUS"):
        load_settings()


def test_tokens_signed_with_the_previous_secret_verify_until_they_expire():
    old_secret, new_secret = "o" * 40, "n" * 40
    old_token = mint_token(load_settings(jwt_secret=old_secret), sub="u1", name="Aino", roles=["caseworker"], municipalities=["109"])
    rotated = load_settings(jwt_secret=new_secret, jwt_secret_previous=old_secret)
    assert verify_token(rotated, old_token).sub == "u1"
    new_token = mint_token(rotated, sub="u2", name="Eino", roles=["caseworker"], municipalities=["109"])
    assert verify_token(load_settings(jwt_secret=new_secret), new_token).sub == "u2"
    with pytest.raises(AuthError):
        verify_token(load_settings(jwt_secret=new_secret), old_token)


def test_a_read_back_proof_made_with_the_previous_key_is_accepted():
    from shared.ratelimit import is_read_back, read_back_proof

    assert is_read_back(DataKey(B, [A]), "Bearer x", read_back_proof(A, "Bearer x"))
    assert not is_read_back(B, "Bearer x", read_back_proof(A, "Bearer x"))
    assert not is_read_back(DataKey(B, [A]), "Bearer x", None)
