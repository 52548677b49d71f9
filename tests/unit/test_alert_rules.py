"""The example alert rules (deploy/prometheus/alerts.yaml) are valid for Prometheus (promtool), use
only metrics Kotopolku exports, and cover what an operator must be woken for."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

import shared.metrics  # noqa: F401  (registers every metric)

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yaml"

# What the operator alarms on, and the metric each alarm must read.
MUST_ALARM_ON = {
    "outbox backlog and age": "kotopolku_relay_oldest_waiting_seconds",
    "workflow-command backlog and age": "kotopolku_relay_oldest_waiting_seconds",
    "workflow commands given up": "kotopolku_workflow_commands_given_up_total",
    "dead letters": "kotopolku_events_dead_lettered_total",
    "deadlines missed": "kotopolku_cases_overdue",
    "notifications failed": "kotopolku_notifications_failed_total",
    "webhook deliveries failing": "kotopolku_webhook_deliveries_failed_total",
    "consumer lag: messages waiting": "kotopolku_consumer_messages_ready",
    "consumer lag: a message stuck in hand": "kotopolku_consumer_oldest_in_hand_seconds",
}


def rules() -> list[dict]:
    return [rule for group in yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"] for rule in group["rules"]]


def test_promtool_accepts_the_rules():
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is missing: apt-get install --no-install-recommends prometheus (.ci/run does)", pytrace=False)
    checked = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_rule_reads_metrics_kotopolku_exports_and_every_alarm_is_there():
    exported = {sample.name for metric in REGISTRY.collect() for sample in metric.samples if sample.name.startswith("kotopolku_")}
    exported |= {metric.name for metric in REGISTRY.collect() if metric.name.startswith("kotopolku_")}
    read = set()
    for rule in rules():
        assert rule["alert"].startswith("Kotopolku") and rule["annotations"]["summary"] and rule["labels"]["severity"]
        names = set(re.findall(r"\bkotopolku_\w+", rule["expr"]))
        unknown = {name for name in names if name not in exported and not any(name == f"{m}_total" for m in exported)}
        assert not unknown, f"{rule['alert']} reads metrics nobody exports: {unknown}"
        read |= names
    missing = {what for what, metric in MUST_ALARM_ON.items() if metric not in read}
    assert not missing, f"no alert for: {missing}"
    relays = " ".join(rule["expr"] for rule in rules() if "kotopolku_relay_oldest_waiting_seconds" in rule["expr"])
    assert 'relay="outbox relay"' in relays and 'relay="workflow commands"' in relays
