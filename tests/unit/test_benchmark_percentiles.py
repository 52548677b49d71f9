"""The benchmarks' percentiles are nearest-rank: of 100 commands, p99 is the 99th fastest, and the
slowest is `max_ms` (before, p99 of 100 values was the largest of them)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from measuring import percentile  # noqa: E402
from steady_load import summary  # noqa: E402


def test_p99_of_a_hundred_is_the_ninety_ninth_and_the_largest_is_the_maximum():
    seconds = [n / 1000 for n in range(1, 101)]
    figures = summary("staff commands", list(reversed(seconds)), 1.0)
    assert (figures["p50_ms"], figures["p99_ms"], figures["max_ms"]) == (50.0, 99.0, 100.0)


def test_nearest_rank_at_the_edges():
    assert percentile([7.0], 0.99) == 7.0
    assert percentile(list(range(1, 201)), 0.99) == 198
    assert percentile(list(range(1, 11)), 0.5) == 5
    assert percentile(list(range(1, 11)), 1.0) == 10
