"""Prometheus counters every service shares; exposed at `/metrics`."""

from typing import Iterable

from prometheus_client import REGISTRY, Counter, Gauge, Metric, generate_latest
from prometheus_client.parser import text_string_to_metric_families

events_published = Counter(
    "kotopolku_events_published", "Events published from an outbox", ["service", "type"]
)
events_processed = Counter(
    "kotopolku_events_processed", "Events whose effect was committed", ["queue", "type"]
)
events_retried = Counter(
    "kotopolku_events_retried", "Events sent back for a later attempt", ["queue", "type"]
)
events_dead_lettered = Counter(
    "kotopolku_events_dead_lettered", "Events moved to a dead-letter queue", ["queue", "type"]
)
workflow_commands_sent = Counter(
    "kotopolku_workflow_commands_sent", "Workflow starts and signals sent to Temporal after their commit", ["service", "kind"]
)
database_statements = Counter(
    "kotopolku_database_statements", "SQL statements sent to a service's database (a batch of rows counts once)", ["service"]
)
consumer_pauses = Counter(
    "kotopolku_consumer_pauses", "Times a consumer paused because its database (or Temporal) was away", ["queue"]
)
workflow_commands_retried = Counter(
    "kotopolku_workflow_commands_retried",
    "Workflow starts and signals Temporal did not take for a reason that may pass (sent again after a pause)",
    ["service", "status"],
)
workflow_commands_given_up = Counter(
    "kotopolku_workflow_commands_given_up",
    "Workflow starts and signals Temporal definitely refused: they wait for an admin's replay",
    ["service", "kind"],
)
webhook_deliveries_sent = Counter(
    "kotopolku_webhook_deliveries_sent", "Webhook deliveries a receiver acknowledged (2xx)"
)
webhook_deliveries_failed = Counter(
    "kotopolku_webhook_deliveries_failed", "Webhook delivery attempts that failed and will be retried"
)
webhook_oldest_pending_seconds = Gauge(
    "kotopolku_webhook_oldest_pending_seconds", "Age of the oldest webhook delivery still waiting to be acknowledged"
)

# What an operator alarms on (deploy/prometheus/alerts.yaml). Gauges are set where the work is
# done anyway (a relay's round, a loop of the notifications service), never by a query per scrape.
relay_backlog = Gauge(
    "kotopolku_relay_backlog",
    "Rows committed but not sent yet: events in the outbox, workflow commands for Temporal (given-up ones included)",
    ["service", "relay"],
)
relay_oldest_waiting_seconds = Gauge(
    "kotopolku_relay_oldest_waiting_seconds", "Age of the oldest row not sent yet (0 when none waits)", ["service", "relay"]
)
cases_overdue = Gauge(
    "kotopolku_cases_overdue", "Open cases with a statutory deadline passed (the case views of notifications)"
)
notifications_failed = Counter(
    "kotopolku_notifications_failed",
    "Messages to a client or staff that could not be sent: failed after every attempt, or no way to send (not_sent)",
    ["kind", "channel", "state"],
)
consumer_messages_ready = Gauge(
    "kotopolku_consumer_messages_ready",
    "Messages waiting in a queue this process consumes, not yet taken by any consumer (RabbitMQ's count)",
    ["queue"],
)
consumer_oldest_in_hand_seconds = Gauge(
    "kotopolku_consumer_oldest_in_hand_seconds",
    "How long the oldest message a consumer of the queue has taken has waited to be finished (0 when none)",
    ["queue"],
)


class _Families:
    """Metric families already collected, in the shape `generate_latest` reads."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self.families


def exposition(others: dict[str, str] | None = None) -> bytes:
    """This process's metrics, with those of the processes in `others` (name → their exposition),
    each of their samples labelled `process="<name>"`: `kotopolku run`'s worker process counts
    what it sends and runs, and `run`'s `/metrics` shows it (services/worker_process.py)."""
    if not others:
        return generate_latest()
    families = {family.name: family for family in REGISTRY.collect()}
    for process, text in others.items():
        for family in text_string_to_metric_families(text):
            # Their counters' `_created` series (which the text format gives as families of their
            # own) would repeat this process's: left out.
            samples = [
                sample._replace(labels={**sample.labels, "process": process}) for sample in family.samples if not sample.name.endswith("_created")
            ]
            if not samples:
                continue
            if family.name in families and families[family.name].type == family.type:
                families[family.name].samples.extend(samples)
            elif family.name not in families:
                family.samples = samples
                families[family.name] = family
    return generate_latest(_Families(families.values()))
