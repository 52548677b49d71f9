"""One small rate limiter for the whole project: an in-process token bucket per key (an employer,
a staff member). Each key may spend `rate` requests per `period` seconds, in bursts of up to
`rate`; refused requests learn how long to wait (Retry-After).

In-process on purpose: each replica counts for itself, so with N replicas a key may use up to N
times the limit — the limits are a guard against floods and probing, not a quota to bill by. The
settings (`KOTOPOLKU_EMPLOYER_NOTICES_PER_HOUR`, `KOTOPOLKU_STAFF_REQUESTS_PER_MINUTE`,
`KOTOPOLKU_LIVE_STREAM_OPENS_PER_MINUTE`) are in the README's settings table."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass
from typing import Callable

from shared.http import ApiError


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(self, rate: int, period: float, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self.capacity = float(rate)
        self.refill_per_second = rate / period
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str) -> float:
        """Spend one request of `key`: 0 when allowed, else the seconds until one is allowed."""
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.refill_per_second)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.refill_per_second

    def check(self, key: str, code: str = "too_many_requests") -> None:
        """Spend one request of `key`, or refuse with 429, Retry-After and the reason in fi/sv/en."""
        wait = self.take(key)
        if wait:
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, code, headers={"Retry-After": str(seconds)}, seconds=seconds)

    def _forget_full(self, now: float) -> None:
        """Keys whose bucket has filled up again are the same as new ones: forget them (memory stays bounded)."""
        full = [key for key, bucket in self._buckets.items()
                if bucket.tokens + (now - bucket.at) * self.refill_per_second >= self.capacity]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self.max_keys:  # nobody is idle: forget the oldest
            for key in sorted(self._buckets, key=lambda key: self._buckets[key].at)[: len(self._buckets) // 10 or 1]:
                del self._buckets[key]


def limiter(resources: dict, name: str, rate: int, period: float) -> RateLimiter:
    """The process's limiter of this name, kept in a service's (or app's) resources."""
    limiters = resources.setdefault("rate_limiters", {})
    if name not in limiters:
        limiters[name] = RateLimiter(rate, period)
    return limiters[name]


# A service reading a case back for its answer (shared/cases.py) calls the notifications API with
# the user's own credentials; those reads are part of the user's one request and are not counted
# again. The header proves it came from a Kotopolku process (a keyed hash of the credentials).
READ_BACK_HEADER = "x-kotopolku-read-back"


def read_back_proof(key: bytes, credentials: str) -> str:
    return hmac.new(bytes(key), b"read-back\n" + credentials.encode(), hashlib.sha256).hexdigest()


def is_read_back(key: bytes, credentials: str, proof: str | None) -> bool:
    # During a data key rotation a service not yet restarted still proves with the previous key.
    keys = (key, *getattr(key, "previous", ()))
    return bool(proof) and any(hmac.compare_digest(proof, read_back_proof(bytes(each), credentials)) for each in keys)
