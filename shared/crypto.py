"""Sealing personal data at rest and looking it up without storing it in the clear.

The data key can be rotated (README, "Rotating keys"): a `DataKey` is the current key and the
previous ones still accepted. Sealing and hashing use the current key; unsealing tries the current
key and then each previous one (AES-GCM's tag tells which fits), and lookups match a hash made with
any of them until `kotopolku rekey` has rewritten the rows.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class DataKey(bytes):
    """The current data key (the bytes themselves) with the previous keys still accepted for reading."""

    previous: tuple[bytes, ...] = ()

    def __new__(cls, current: bytes, previous: tuple[bytes, ...] | list[bytes] = ()) -> "DataKey":
        key = super().__new__(cls, current)
        key.previous = tuple(p for p in previous if p != current)
        return key


class UnknownDataKey(ValueError):
    """Sealed with a key that is neither the current data key nor any previous one."""


def seal(key: bytes, plaintext: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(bytes(key)).encrypt(nonce, plaintext, None)


def _open(key: bytes, sealed: bytes) -> bytes:
    return AESGCM(bytes(key)).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], None)


def unseal(key: bytes, sealed: bytes) -> bytes:
    try:
        return _open(key, sealed)
    except InvalidTag:
        pass
    for older in getattr(key, "previous", ()):  # only during a rotation: no extra work otherwise
        try:
            return _open(older, sealed)
        except InvalidTag:
            continue
    raise UnknownDataKey(
        "sealed with a key that is neither KOTOPOLKU_DATA_KEY nor any key in KOTOPOLKU_DATA_KEY_PREVIOUS (or the data is damaged)"
    )


def sealed_with_current(key: bytes, sealed: bytes) -> bool:
    try:
        _open(key, sealed)
        return True
    except InvalidTag:
        return False


def lookup_hash(key: bytes, value: str) -> str:
    """A keyed hash: equal values find each other, the value itself can't be read back."""
    return hmac.new(bytes(key), value.encode(), hashlib.sha256).hexdigest()


def lookup_hashes(key: bytes, value: str) -> list[str]:
    """The value's hash under the current key first, then under each previous key: a row hashed
    before the rotation (and not yet rewritten by `kotopolku rekey`) is found as well."""
    return [lookup_hash(key, value), *(lookup_hash(older, value) for older in getattr(key, "previous", ()))]
