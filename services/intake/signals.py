"""Signals to running workflows that a state change decided (sent by the caller before it commits)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from temporalio.client import Client as TemporalClient
from temporalio.service import RPCError, RPCStatusCode

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class WorkflowSignal:
    """A signal the caller sends after the state change is computed (before it commits)."""

    workflow_id: str
    name: str
    arg: Any = None


async def send_workflow_signals(temporal: TemporalClient, signals: list[WorkflowSignal]) -> None:
    """Send what a change decided. A workflow that already ended has nothing left to learn."""
    for signal in signals:
        handle = temporal.get_workflow_handle(signal.workflow_id)
        try:
            if signal.arg is None:
                await handle.signal(signal.name)
            else:
                await handle.signal(signal.name, signal.arg)
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
            log.warning("workflow to signal has ended", workflow_id=signal.workflow_id, signal=signal.name)
