"""What the services agree on stays true of what they do."""

from services.runner import Runtime
from shared.contracts import INTERNAL_EXCHANGE, MUST_REACH_A_CONSUMER
from shared.settings import load_settings


def test_the_outbox_holds_exactly_the_internal_events_some_service_consumes(tmp_path):
    runtime = Runtime(load_settings(var_dir=tmp_path))
    consumed = {
        key
        for parts in runtime.parts.values()
        for subscription in parts.subscriptions
        for exchange, key in subscription.bindings
        if exchange == INTERNAL_EXCHANGE
    }
    assert consumed == MUST_REACH_A_CONSUMER


def test_the_broker_definitions_bind_what_the_services_consume(tmp_path):
    import json
    from pathlib import Path

    definitions = json.loads((Path(__file__).parents[2] / "deploy" / "rabbitmq" / "definitions.json").read_text())
    declared = {(b["source"], b["destination"], b["routing_key"]) for b in definitions["bindings"] if b["destination_type"] == "queue"}
    # Exchange to exchange: the public events again, by their municipality header (shared/messaging.py).
    assert {(b["source"], b["destination"]) for b in definitions["bindings"] if b["destination_type"] == "exchange"} == {
        ("kotopolku.events", "kotopolku.events.by-municipality")
    }
    runtime = Runtime(load_settings(var_dir=tmp_path))
    consumed = {
        (exchange, subscription.queue, key)
        for parts in runtime.parts.values()
        for subscription in parts.subscriptions
        for exchange, key in subscription.bindings
    }
    # Kotopolku's own queues exactly as its services bind them; beside them, the queues of the
    # systems that subscribe (their users read nothing else: tests/integration/test_subscriber_queues.py).
    assert {binding for binding in declared if binding[1].startswith("kotopolku.")} == consumed
    assert {binding for binding in declared if not binding[1].startswith("kotopolku.")} == {
        ("kotopolku.events", "employment-authority.jobseekers", "fi.kotopolku.jobseeker.#")
    }
