"""Signals to workflows that a state change decided: written to the workflow-command outbox in the
change's own transaction, sent to Temporal after it commits (shared.workflow_commands)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.workflow_commands import signal_workflow


@dataclass(frozen=True)
class WorkflowSignal:
    """A signal a state change decided; it leaves only if the change commits."""

    workflow_id: str
    name: str
    arg: Any = None


def send_workflow_signals(session: AsyncSession, signals: list[WorkflowSignal]) -> None:
    """Send what a change decided, once it commits. A workflow that has ended by then has nothing
    left to learn."""
    for signal in signals:
        signal_workflow(session, signal.workflow_id, signal.name, signal.arg)
