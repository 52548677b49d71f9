"""The workers' sandbox encodes and decodes a workflow's payloads without entering the sandbox to
ask each payload's serialization context (shared.temporal.WorkflowContextSandbox): Kotopolku's
converter takes no context, so the answer never changed a thing. The payloads are still
encrypted, the workflow still runs its activities, local activities and updates; a converter that
does take a context gets the SDK's runner unchanged."""

from __future__ import annotations

import dataclasses

import pytest
from temporalio.converter import SerializationContext, WithSerializationContext
from temporalio.worker.workflow_sandbox import _runner

from services.assessment import commands as c
from shared.settings import load_settings
from shared.temporal import ENCODING, EncryptionCodec, context_free, data_converter
from workflow_support import workers
from test_assessment import Recorded, command, given, start


class ContextCodec(EncryptionCodec, WithSerializationContext):
    """A codec that would encrypt each workflow's payloads apart: it takes the context."""

    def with_context(self, context: SerializationContext) -> "ContextCodec":
        return ContextCodec(self._key)


def test_kotopolku_converter_takes_no_context():
    assert context_free(data_converter(load_settings().data_key_bytes))


def test_a_converter_that_takes_a_context_keeps_the_sdk_sandbox():
    converter = dataclasses.replace(data_converter(b"k" * 32), payload_codec=ContextCodec(b"k" * 32))
    assert not context_free(converter)


@pytest.fixture
def sandbox_asked(monkeypatch) -> list[object]:
    """Each time a payload's context is asked of a sandboxed workflow."""
    asked: list[object] = []
    ask = _runner._Instance.get_serialization_context

    def counted(self, command_info):
        asked.append(command_info)
        return ask(self, command_info)

    monkeypatch.setattr(_runner._Instance, "get_serialization_context", counted)
    return asked


async def test_a_staff_command_runs_without_asking_the_sandbox_and_its_payloads_stay_encrypted(time_skipping_env, sandbox_asked):
    env, recorded = time_skipping_env, Recorded()
    async with workers(env, recorded, "assessment"):
        handle = await start(env, (await given(env)).model_copy(update={"record_locally": True}))
        result = await handle.execute_update(c.START, await command(env), result_type=c.CommandResult)
        history = await handle.fetch_history()
    assert result.status == "assessment_in_progress"
    assert [record.actions[-1].action for record in recorded.records] == ["opened", "started"]
    assert sandbox_asked == []
    started = history.events[0].workflow_execution_started_event_attributes
    assert all(payload.metadata["encoding"] == ENCODING for payload in started.input.payloads)
    assert recorded.changes, "intake's activity ran with its argument decoded"
