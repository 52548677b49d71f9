"""The one rate limiter (shared/ratelimit.py): a token bucket per key, with the wait it tells."""

from __future__ import annotations

import pytest

from shared.http import ApiError
from shared.ratelimit import RateLimiter, limiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_key_spends_its_rate_then_waits_for_the_next_token():
    clock = Clock()
    limits = RateLimiter(3, 60, clock=clock)
    assert [limits.take("a") for _ in range(3)] == [0, 0, 0]
    assert limits.take("a") == pytest.approx(20)  # one token every 20 s
    assert limits.take("b") == 0  # each key has its own bucket
    clock.now = 20
    assert limits.take("a") == 0 and limits.take("a") > 0


def test_a_refusal_is_429_with_retry_after_and_the_reason():
    limits = RateLimiter(1, 3600, clock=Clock())
    limits.check("employer")
    with pytest.raises(ApiError) as refused:
        limits.check("employer", "too_many_notices")
    assert refused.value.status == 429 and refused.value.headers == {"Retry-After": "3600"}
    assert refused.value.code == "too_many_notices"


def test_memory_stays_bounded():
    clock = Clock()
    limits = RateLimiter(1, 1, clock=clock, max_keys=10)
    for n in range(100):
        limits.take(f"user-{n}")
        clock.now += 0.01
    assert len(limits._buckets) <= 10


def test_one_limiter_per_name_in_a_process():
    resources: dict = {}
    assert limiter(resources, "staff", 5, 60) is limiter(resources, "staff", 5, 60)
