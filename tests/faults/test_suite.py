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


async def test_a_webhook_missing_or_acknowledged_twice_fails_the_round():
    from faults.webhooks import WebhookWatch

    watch = WebhookWatch(rabbit=None, municipality="109", outage=60)
    watch.witness.events = {("s", "a"), ("s", "b"), ("s", "c")}  # published on kotopolku.events
    watch.receiver.acknowledged.update({"msg_1": 2, "msg_2": 1, "msg_3": 1})  # msg_1 twice
    watch.receiver.events.update({("s", "a"): {"msg_1"}, ("s", "b"): {"msg_2", "msg_3"}})  # b under two ids; c never
    counted = await watch.judge(people=3, timeout=0)
    assert (counted.expected, counted.delivered, counted.missing, counted.doubled) == (3, 2, 1, 2)
    outcome = suite_module.Outcome(published=3, cases=3, webhooks=counted)
    assert not outcome.ok
    assert "missing 1, doubled 2" in suite_module.line(suite_module.ROUNDS[-1], outcome)
