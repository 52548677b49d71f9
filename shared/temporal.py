"""Temporal client and worker helpers: pydantic payloads, encrypted at rest in Temporal.

Workflow inputs and histories hold personal data (names, birth dates); the payload codec
encrypts every payload with AES-GCM before it leaves the process, so Temporal's database and UI
see only ciphertext. Payloads are encrypted with the current data key; during a key rotation those
encrypted with a previous key (KOTOPOLKU_DATA_KEY_PREVIOUS) are still read (shared/crypto.py).
"""

from __future__ import annotations

import dataclasses
import py_compile
import sys
from typing import Iterable, Sequence

from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.converter import (
    ActivitySerializationContext,
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
    SerializationContext,
    StorageDriverStoreContext,
    StorageDriverWorkflowInfo,
    WorkflowSerializationContext,
)
from temporalio.worker import UnsandboxedWorkflowRunner, Worker, WorkflowInstance, WorkflowInstanceDetails
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from shared.crypto import seal, unseal

ENCODING = b"binary/encrypted"
KEY_ID = b"kotopolku-1"  # the format's version, not which key: decoding tries the keys in turn


class EncryptionCodec(PayloadCodec):
    def __init__(self, key: bytes) -> None:
        self._key = key

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        encoded = []
        for payload in payloads:
            sealed = seal(self._key, payload.SerializeToString())
            encoded.append(Payload(metadata={"encoding": ENCODING, "encryption-key-id": KEY_ID}, data=sealed))
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        decoded = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                decoded.append(payload)
                continue
            inner = Payload()
            inner.ParseFromString(unseal(self._key, payload.data))
            decoded.append(inner)
        return decoded


def data_converter(key: bytes) -> DataConverter:
    # Failure messages and stack traces can quote personal data (a database error naming a
    # client): they travel encoded, through the same codec, like every payload.
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(key),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect(address: str, namespace: str, key: bytes) -> Client:
    # The tracing interceptor carries the caller's trace into the workflow and its activities (the
    # workers built on this client take it too); with tracing off its spans cost nothing.
    return await Client.connect(address, namespace=namespace, data_converter=data_converter(key), interceptors=[TracingInterceptor()])


# The sandbox re-imports workflow modules for every run; these are deterministic libraries and
# the shared contracts, loaded once and shared instead (it makes every path start cheaper).
PASSTHROUGH_MODULES = ("pydantic", "pydantic_core", "annotated_types", "typing_inspection", "shared", "opentelemetry")
# The sandbox's restrictions wherever Kotopolku runs a workflow in it (its workers, the tests' replays).
SANDBOX_RESTRICTIONS = SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)


def cache_workflow_bytecode(workflows: Iterable[type]) -> None:
    """Write the bytecode of the workflows' modules (`__pycache__`). The sandbox imports a workflow's
    module afresh for every workflow run; without its bytecode cached (PYTHONDONTWRITEBYTECODE, or a
    checkout nothing has compiled yet) every run compiles the source again: nearly half of the
    sandbox's time in a burst of registrations (docs/benchmarks.md). A tree that cannot be written
    is left as it is (an installed package has its bytecode from the install)."""
    for source in {getattr(sys.modules[cls.__module__], "__file__", None) for cls in workflows}:
        if source and source.endswith(".py"):
            try:
                py_compile.compile(source, doraise=True)
            except (OSError, py_compile.PyCompileError):
                pass


class WorkflowContextSandbox(SandboxedWorkflowRunner):
    """The SDK's sandbox, but payloads are encoded and decoded without asking the workflow in it
    which serialization context each belongs to.

    For every activation it decodes and every completion it encodes, temporalio asks the workflow
    instance, once per payload list and pass, whether the payloads belong to the workflow, to one
    of its activities or to a child. Asked of a sandboxed workflow, each question is a small
    program compiled and run with the sandbox's imports put in place: without them, replaying a
    recorded assessment took 12 % less CPU time (docs/benchmarks.md). The answer only chooses a
    converter for the context. Kotopolku's converter, codec and failure
    converter take no context (`context_free`), so every answer gives the same converter; this
    runner answers with the workflow's own context, the SDK's answer for payloads of no command,
    without entering the sandbox. Where the converter does take a context, `build_worker` uses
    the SDK's runner unchanged."""

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return _WorkflowContextInstance(super().create_instance(det))


class _WorkflowContextInstance(WorkflowInstance):
    """A sandboxed workflow instance, every payload of it in its workflow's context."""

    def __init__(self, sandboxed: WorkflowInstance) -> None:
        self._sandboxed = sandboxed
        info = sandboxed.get_info()
        self._context = WorkflowSerializationContext(namespace=info.namespace, workflow_id=info.workflow_id)
        self._store_context = StorageDriverStoreContext(
            target=StorageDriverWorkflowInfo(id=info.workflow_id, run_id=info.run_id, type=info.workflow_type, namespace=info.namespace)
        )

    def activate(self, act: WorkflowActivation) -> WorkflowActivationCompletion:
        return self._sandboxed.activate(act)

    def get_serialization_context(self, command_info: object) -> SerializationContext | None:
        return self._context

    def get_external_store_context(self, command_info: object) -> StorageDriverStoreContext:
        return self._store_context

    def get_info(self):  # noqa: ANN201 (temporalio.workflow.Info)
        return self._sandboxed.get_info()

    def get_thread_id(self) -> int | None:
        return self._sandboxed.get_thread_id()


def context_free(converter: DataConverter) -> bool:
    """Whether no part of `converter` takes a serialization context: given one, the SDK's converter
    answers with itself (nor does it keep payloads in an external store)."""
    contexts = (
        WorkflowSerializationContext(namespace="default", workflow_id="probe"),
        ActivitySerializationContext(
            namespace="default", activity_id="1", activity_type="probe", activity_task_queue="probe",
            workflow_id="probe", workflow_type="probe", is_local=False,
        ),
    )
    return converter.external_storage is None and all(converter.with_context(context) is converter for context in contexts)


def build_worker(
    client: Client, task_queue: str, workflows: Iterable[type], activities: Iterable, *, max_cached_workflows: int = 500,
    sandboxed: bool = True,
) -> Worker:
    """A worker keeping at most `max_cached_workflows` workflows in memory (the SDK's default is
    1,000, each with its own sandboxed copy of the workflow module: a few hundred MB at a burst).
    `sandboxed` runs each workflow in Temporal's sandbox, as the workflow tests do; Kotopolku's own
    workers follow the setting `worker_sandbox` (off unless set: shared/settings.py says why)."""
    workflows = list(workflows)
    if sandboxed:
        cache_workflow_bytecode(workflows)
        runner = WorkflowContextSandbox if context_free(client.data_converter) else SandboxedWorkflowRunner
        workflow_runner = runner(restrictions=SANDBOX_RESTRICTIONS)
    else:
        workflow_runner = UnsandboxedWorkflowRunner()
    return Worker(
        client,
        task_queue=task_queue,
        workflows=workflows,
        activities=list(activities),
        max_cached_workflows=max_cached_workflows,
        workflow_runner=workflow_runner,
    )


# How often a Temporal server's history shard reads its queue of tasks to pass on (a workflow task
# after a start, a signal or an activity's end; an activity task; a child workflow's start). The
# server's default, 20 reads a second per shard, holds each such task up to 50 ms once more than
# about 20 a second pass (one workflow after another: 45 ms at each step); a cluster spreads its
# workflows over many shards, the dev server has one. At 1 000 such a step waits about 2 ms, at
# no measured cost in CPU time or in a burst's rate (docs/benchmarks.md, 2026-12-06, late).
EMBEDDED_TASK_READS_PER_SECOND = 1000
TASK_READS = ("--dynamic-config-value", f"history.transferProcessorMaxPollRPS={EMBEDDED_TASK_READS_PER_SECOND}")


def embedded_server_options(synchronous: str = "full") -> list[str]:
    """The embedded dev server's settings, as `temporal server start-dev` arguments: its SQLite
    file's, and how often it passes tasks on (EMBEDDED_TASK_READS_PER_SECOND).

    WAL made the same workflows about 1.5x faster here and costs no durability with
    synchronous=FULL (each commit's log is flushed before it is answered). synchronous=NORMAL is
    faster again but a power cut may lose the last commits: a workflow start Kotopolku has marked
    sent, an activity it has seen complete — so it is only used when KOTOPOLKU_SQLITE_SYNCHRONOUS=normal."""
    return [
        "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", f"synchronous={synchronous}", *TASK_READS,
    ]
