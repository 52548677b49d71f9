"""`run`'s /metrics shows its worker process's metrics beside its own (shared/metrics.py exposition)."""

from __future__ import annotations

from collections import Counter

from prometheus_client import CollectorRegistry, Counter as PromCounter, Gauge, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from shared import metrics


def _workers_exposition() -> str:
    """What a worker process's own registry would expose."""
    registry = CollectorRegistry()
    sent = PromCounter("kotopolku_workflow_commands_sent", "sent", ["service", "kind"], registry=registry)
    sent.labels("intake", "start").inc(4)
    backlog = Gauge("kotopolku_relay_backlog", "backlog", ["service", "relay"], registry=registry)
    backlog.labels("intake", "workflow commands").set(2)
    only_there = Gauge("kotopolku_only_in_the_worker_process", "only there", registry=registry)
    only_there.set(7)
    return generate_latest(registry).decode()


def test_the_worker_processs_samples_are_labelled_and_each_family_is_told_once():
    metrics.workflow_commands_sent.labels("intake", "signal").inc()
    text = metrics.exposition({"workers": _workers_exposition()}).decode()

    types = Counter(line for line in text.splitlines() if line.startswith("# TYPE"))
    assert [line for line, seen in types.items() if seen > 1] == []  # a valid exposition
    samples = [sample for family in text_string_to_metric_families(text) for sample in family.samples]
    sent = {(s.labels["kind"], s.labels.get("process")): s.value for s in samples if s.name == "kotopolku_workflow_commands_sent_total"}
    assert sent[("start", "workers")] == 4
    assert ("signal", None) in sent  # this process's own, unlabelled
    assert [s.value for s in samples if s.name == "kotopolku_relay_backlog" and s.labels.get("process") == "workers"] == [2]
    assert [s.labels for s in samples if s.name == "kotopolku_only_in_the_worker_process"] == [{"process": "workers"}]
    assert not any(s.name.endswith("_created") and s.labels.get("process") == "workers" for s in samples)


def test_without_other_processes_it_is_this_processs_exposition():
    assert metrics.exposition(None).startswith(b"# HELP")
