"""`make benchmark`'s table sets the staff commands beside raw Temporal's updates of the same
shape, measured in the same run, and names each CPU figure for what it is."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from tables import print_table  # noqa: E402


def a_row(what: str, **figures) -> dict:
    return {"what": what, "count": 100, "per_second": 10.0, **figures}


REPORT = {
    "machine": {"cpus": 2, "load_at_start": "0.1", "load_at_end": "0.2"},
    "results": [
        a_row("raw Temporal: 300 one-activity workflows at once", cpu_ms_each={"temporal_server": 20.0, "client_and_worker": 8.0}),
        a_row("raw Temporal: 5 clients at once, each giving updates that run one activity", p50_ms=50.0, p99_ms=80.0,
              cpu_ms_each={"temporal_server": 10.0, "client_and_worker": 6.0}),
        a_row("Kotopolku: staff command answered with the changed case, 5 staff at once", p50_ms=150.0, p99_ms=320.0,
              first_commands_ms=[200.0], slowest=[{"ms": 330.0, "turn": 1}],
              cpu_ms_each={"kotopolku": 15.0, "kotopolku_workers": 20.0, "temporal_server": 22.0}),
        a_row("Kotopolku: staff command answered with the changed case, 5 staff at once, 1 s pauses", p50_ms=60.0, p99_ms=75.0,
              first_commands_ms=[150.0], slowest=[{"ms": 80.0, "turn": 3}]),
    ],
}


def test_the_staff_commands_are_set_beside_raw_temporals_updates(capsys):
    print_table(REPORT, staff=5)
    printed = capsys.readouterr().out
    assert "beside raw Temporal's updates of one activity: p50 150.0 against 50.0 ms (3.0 ×), p99 320.0 against 80.0 ms (4.0 ×)" in printed
    assert "a raw workflow: temporal_server 20.0 + client_and_worker 8.0 = 28.0" in printed
    assert "a raw update: temporal_server 10.0 + client_and_worker 6.0 = 16.0" in printed
    assert "a staff command: kotopolku 15.0 + kotopolku_workers 20.0 + temporal_server 22.0 = 57.0" in printed
