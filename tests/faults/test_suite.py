"""The fault suite judges strictly: what it can't test fails, and every loss or double counts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

spec = importlib.util.spec_from_file_location("fault_suite", Path(__file__).with_name("run.py"))
suite_module = importlib.util.module_from_spec(spec)
sys.modules["fault_suite"] = suite_module  # its dataclasses look themselves up there
spec.loader.exec_module(suite_module)


async def test_a_fault_this_machine_cannot_produce_fails_the_round(tmp_path):
    suite = suite_module.Suite(tmp_path, count=1, settle_timeout=1)
    suite.rabbit.server = None  # as on a machine without rabbitmq-server
    restart = next(r for r in suite_module.ROUNDS if r.fault is suite_module.restart_rabbitmq)
    outcome = await suite.play(restart)
    assert not outcome.ok
    assert "could not produce the fault on this machine" in outcome.problem and "rabbitmq-server" in outcome.problem
    assert "FAILED" in suite_module.line(restart, outcome)


def test_every_lost_doubled_or_stuck_client_counts():
    people = [("a", {}), ("b", {}), ("c", {})]
    cases = [
        {"client_id": "a", "stage": "assessment", "status": "awaiting_assessment"},
        {"client_id": "a", "stage": "assessment", "status": "awaiting_assessment"},
        {"client_id": "c", "stage": "intake", "status": "received"},
        {"client_id": "someone else", "stage": "intake", "status": "received"},
    ]
    outcome = suite_module.Outcome(published=3)
    suite_module.judge(people, cases, outcome)
    assert (outcome.cases, outcome.lost, outcome.doubled, outcome.wrong_status) == (3, 1, 1, 1)
    assert not outcome.ok
