from temporalio.api.common.v1 import Payload

from shared.settings import load_settings
from shared.temporal import EncryptionCodec, data_converter


async def test_payloads_are_encrypted_and_read_back():
    key = load_settings().data_key_bytes
    [payload] = data_converter(key).payload_converter.to_payloads([{"given_names": "Amina", "family_name": "Hassan"}])
    codec = EncryptionCodec(key)
    [encrypted] = await codec.encode([payload])
    assert b"Amina" not in encrypted.SerializeToString()
    assert encrypted.metadata["encoding"] == b"binary/encrypted"
    [decrypted] = await codec.decode([encrypted])
    assert decrypted == payload


async def test_unencrypted_payloads_pass_through():
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b"{}")
    assert await EncryptionCodec(b"k" * 32).decode([plain]) == [plain]
