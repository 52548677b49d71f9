"""The workflow sandbox runs a workflow's module afresh for every workflow run (and every replay of
one evicted from the cache): it should run nothing else. A helper module imported as
`from package import module` is run again each time too (the sandbox passes through names, not a
package's attributes) — in a burst of registrations that cost as much as the workflow module
itself. Import helpers by their full name inside `imports_passed_through()`."""

from __future__ import annotations

import importlib._bootstrap_external as bootstrap
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from services.assessment.workflows import AssessmentWorkflow
from services.intake.notices.workflows import RecruitmentNoticeWorkflow
from services.intake.triage.workflows import TriageDeadlineWorkflow
from services.intake.workflows import ClientPathWorkflow
from services.planning.workflows import IntegrationPlanWorkflow
from shared.settings import load_settings
from shared.temporal import SANDBOX_RESTRICTIONS, data_converter

HISTORIES = Path(__file__).parent / "histories"
WORKFLOWS = [ClientPathWorkflow, AssessmentWorkflow, IntegrationPlanWorkflow, TriageDeadlineWorkflow, RecruitmentNoticeWorkflow]


@pytest.mark.parametrize("history", [
    "client_path_with_assessment_child_completed_plan_needed.json",
    "assessment_saved_locally_started_completed.json",
    "integration_plan_made_reported_reviewed_expired_extended_closed.json",
    "triage_deadline_passed_then_escalated.json",
    "recruitment_notice_reminded_then_arrived.json",
])
async def test_the_sandbox_runs_only_the_workflow_module_again(history, monkeypatch):
    ran: list[str] = []
    exec_module = bootstrap._LoaderBasics.exec_module

    def noting(loader, module):
        ran.append(module.__name__)
        return exec_module(loader, module)

    # The production worker's restrictions (shared/temporal.py), on a recorded history.
    replayer = Replayer(
        workflows=WORKFLOWS,
        data_converter=data_converter(load_settings().data_key_bytes),
        workflow_runner=SandboxedWorkflowRunner(restrictions=SANDBOX_RESTRICTIONS),
    )
    recorded = WorkflowHistory.from_json("recorded", (HISTORIES / history).read_text())
    await replayer.replay_workflow(recorded)  # what a process imports once, the first time
    monkeypatch.setattr(bootstrap._LoaderBasics, "exec_module", noting)
    await replayer.replay_workflow(recorded)

    workflow_modules = {cls.__module__ for cls in WORKFLOWS}
    packages = {name.rsplit(".", n)[0] for name in workflow_modules for n in (1, 2)}
    assert ran and set(ran) <= workflow_modules | packages, f"run again in the sandbox: {sorted(set(ran) - workflow_modules - packages)}"
