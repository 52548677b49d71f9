"""The client's recorded interpreter need in the plan, on Temporal's time-skipping server: the path
gives its plan the need recorded on the client (staff's latest change, else the registration's),
a running plan hears staff's change by its `language_needs` signal, and referrals and reviews
tell it. The histories are recorded for the replay test (KOTOPOLKU_RECORD_HISTORIES=1)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from temporalio.worker import Replayer

from services.intake.workflows import ClientPathWorkflow
from services.planning import commands as c
from services.planning.workflows import IntegrationPlanWorkflow
from shared.contracts import LANGUAGE_NEEDS_SIGNAL, LanguageNeedsChanged
from shared.settings import load_settings
from shared.temporal import data_converter
from workflow_support import workers
from plan_support import Recorded, command, made, path_with_plan, state, update

HISTORIES = Path(__file__).parent / "histories"


def told(details: dict) -> tuple:
    return details.get("interpreter_needed"), details.get("interpreter_language"), details.get("interpreter_dialect")


async def test_the_plan_tells_the_recorded_need_and_follows_staffs_changes(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    async with workers(env, recorded, "planning", "assessment", path=True):
        # Registered with a Levantine Arabic interpreter; staff changed it to Sorani Kurdish during
        # the assessment (booked with no interpreter): the plan starts with the change.
        path, plan, _ = await path_with_plan(
            env, recorded, interpreter=("ar", "Levantine"), language_needs=LanguageNeedsChanged(interpreter_language="ku", interpreter_dialect="Sorani"),
        )
        record = (await state(plan)).record
        assert (record.interpreter_language, record.interpreter_dialect) == ("ku", "Sorani")
        await made(env, plan)
        await update(plan, c.ADD_MEASURE, await command(env, measure=c.MeasureBody(kind="mentoring", status="referred", place="remote")))
        referral = recorded.changes[-1].details
        assert told(referral) == (True, "ku", "Sorani") and referral["place"] == "remote"

        # Staff record a Tigrinya interpreter: the running plan hears it (twice: a relay's repeat).
        for _ in range(2):
            await plan.signal(LANGUAGE_NEEDS_SIGNAL, LanguageNeedsChanged(interpreter_language="ti"))
        for _ in range(100):
            if (await state(plan)).record.interpreter_language == "ti":
                break
            await asyncio.sleep(0.05)
        after = (await state(plan)).record
        assert (after.interpreter_language, after.interpreter_dialect) == ("ti", None)
        assert [action.action for action in after.actions].count("language_needs") == 1
        await update(plan, c.ADD_MEASURE, await command(env, measure=c.MeasureBody(kind="work_pair", status="referred", place="Kauppakatu 3")))
        assert told(recorded.changes[-1].details) == (True, "ti", None)
        await update(plan, c.REVIEW, await command(env, review=c.ReviewPlan()))
        assert told(recorded.changes[-1].details) == (True, "ti", None)

        # No interpreter needed any more: referrals say nothing of one.
        await plan.signal(LANGUAGE_NEEDS_SIGNAL, LanguageNeedsChanged())
        for _ in range(100):
            if (await state(plan)).record.interpreter_language is None:
                break
            await asyncio.sleep(0.05)
        await update(plan, c.ADD_MEASURE, await command(env, measure=c.MeasureBody(kind="other", status="referred")))
        assert told(recorded.changes[-1].details) == (None, None, None)
        plan_history = await plan.fetch_history()
        path_history = await path.fetch_history()
    replayer = Replayer(workflows=[ClientPathWorkflow, IntegrationPlanWorkflow], data_converter=data_converter(load_settings().data_key_bytes))
    await replayer.replay_workflow(plan_history)
    await replayer.replay_workflow(path_history)
    if os.environ.get("KOTOPOLKU_RECORD_HISTORIES"):
        (HISTORIES / "integration_plan_language_needs_changed_referred_reviewed.json").write_text(plan_history.to_json())
        (HISTORIES / "client_path_language_needs_changed_plan_started.json").write_text(path_history.to_json())


async def test_with_no_need_recorded_nor_booked_the_plan_knows_none(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    async with workers(env, recorded, "planning", "assessment", path=True):
        _, plan, _ = await path_with_plan(env, recorded)
        record = (await state(plan)).record
        # (One booked for the interview stands in for a need never recorded: tests/integration/test_domain_events.py.)
        assert (record.interpreter_language, record.interpreter_dialect) == (None, None)
