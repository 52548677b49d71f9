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


async def test_failure_messages_leave_encrypted_too():
    from temporalio.api.failure.v1 import Failure

    from shared.temporal import data_converter

    converter = data_converter(b"k" * 32)
    failure = Failure()
    await converter.encode_failure(ValueError("client Amina Hassan, 120490-123A, was not found"), failure)
    assert "Amina" not in failure.message and "Amina" not in str(failure.stack_trace)
    assert "Amina" not in failure.SerializeToString().decode("latin-1")
    decoded = await converter.decode_failure(failure)
    assert "Amina Hassan" in str(decoded)
