"""The assessment's and the plan's own record is written by a local activity (`record_locally` in
their input, which intake and the path now set): the history keeps a marker per write instead of
an activity task and a second workflow task, so the Temporal server does less per client and a
staff command is answered one round trip sooner. An assessment started before (no flag in its
input) goes on as it was: the histories recorded before replay (test_replay.py); this one is
recorded for it too (KOTOPOLKU_RECORD_HISTORIES=1)."""

from __future__ import annotations

import os
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.worker import Replayer

from services.assessment import commands as c
from services.assessment.workflows import AssessmentWorkflow
from shared.settings import load_settings
from shared.temporal import data_converter
from workflow_support import workers
from test_assessment import Recorded, command, given, start

HISTORIES = Path(__file__).parent / "histories"


async def test_an_assessment_started_before_goes_on_saving_by_a_normal_activity(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    async with workers(env, recorded, "assessment"):
        handle = await start(env, await given(env))  # an input without `record_locally`
        await handle.execute_update(c.START, await command(env), result_type=c.CommandResult)
        history = await handle.fetch_history()
    scheduled = [e.activity_task_scheduled_event_attributes.activity_type.name for e in history.events
                 if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
    assert scheduled.count("record_assessment") == 2
    assert [record.actions[-1].action for record in recorded.records] == ["opened", "started"]


async def test_the_assessment_saves_its_record_locally_at_every_step(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    async with workers(env, recorded, "assessment"):
        handle = await start(env, (await given(env)).model_copy(update={"record_locally": True}))
        await handle.execute_update(c.START, await command(env), result_type=c.CommandResult)
        await handle.execute_update(
            c.COMPLETE, await command(env, complete=c.CompleteAssessment(plan_needed=False)), result_type=c.CommandResult
        )
        # Written as before: the record whole after each step, in order.
        assert [record.actions[-1].action for record in recorded.records] == ["opened", "started", "completed"]
        assert recorded.records[-1].status == "completed"
        history = await handle.fetch_history()

    events = history.events
    scheduled = [e.activity_task_scheduled_event_attributes.activity_type.name for e in events
                 if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
    assert "record_assessment" not in scheduled  # only intake's activities go through the server
    markers = [e.marker_recorded_event_attributes.marker_name for e in events if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED]
    assert markers.count("core_local_activity") == 3
    assert "core_patch" not in markers  # decided by the input: no marker, no search-attribute upsert
    assert not [e for e in events if e.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES]
    # The opening costs one workflow task: the record written and the timers set in the same one.
    first_timer = next(i for i, e in enumerate(events) if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED)
    completed_tasks = [e for e in events[:first_timer] if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED]
    assert len(completed_tasks) == 1

    await Replayer(workflows=[AssessmentWorkflow], data_converter=data_converter(load_settings().data_key_bytes)).replay_workflow(history)
    if os.environ.get("KOTOPOLKU_RECORD_HISTORIES"):
        (HISTORIES / "assessment_saved_locally_started_completed.json").write_text(history.to_json())
