"""Every recorded history of a running-workflow shape must still replay: a change to workflow code
that would break workflows already running fails here (use `workflow.patched` for such changes,
then record a new history beside the old ones). Each replays twice: in Temporal's sandbox, which
refuses a workflow that reads the clock or chance itself, and outside it, as Kotopolku's workers
run workflows unless `KOTOPOLKU_WORKER_SANDBOX` is set."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from services.assessment.workflows import AssessmentWorkflow
from services.intake.notices.workflows import RecruitmentNoticeWorkflow
from services.intake.triage.workflows import TriageDeadlineWorkflow
from services.intake.workflows import ClientPathWorkflow
from services.planning.workflows import IntegrationPlanWorkflow
from shared.settings import load_settings
from shared.temporal import SANDBOX_RESTRICTIONS, data_converter

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


RUNNERS = {
    "sandboxed": lambda: SandboxedWorkflowRunner(restrictions=SANDBOX_RESTRICTIONS),
    "unsandboxed": UnsandboxedWorkflowRunner,
}


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("path", HISTORIES, ids=[path.stem for path in HISTORIES])
async def test_recorded_histories_replay(path: Path, runner: str):
    replayer = Replayer(
        workflows=[ClientPathWorkflow, RecruitmentNoticeWorkflow, AssessmentWorkflow, IntegrationPlanWorkflow, TriageDeadlineWorkflow],
        data_converter=data_converter(load_settings().data_key_bytes),
        workflow_runner=RUNNERS[runner](),
    )
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    await replayer.replay_workflow(history)


def test_there_are_histories_to_replay():
    assert HISTORIES
