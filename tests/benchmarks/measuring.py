"""How the benchmarks measure the processes they start: CPU time, memory, the machine's load,
`kotopolku run`'s processes, and py-spy's samples summed up."""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from support import children, run_worker_processes


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class CpuUse:
    """CPU time spent by some processes between `start()` and `stop()`, less what they spend
    idle (their timers and polls, measured before `start()`). Unlike rates and latencies, it
    hardly changes when other work shares the machine: the cost of one client."""

    def __init__(self, pids: dict[str, list[int]]) -> None:
        self.pids, self.began, self.used = pids, {}, {}
        self.idle: dict[str, float] = {}  # CPU seconds a second each group spends with nothing to do
        self.started_at = 0.0

    def _now(self) -> dict[str, float]:
        return {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in self.pids.items()}

    async def measure_idle(self, seconds: float = 4) -> None:
        before = self._now()
        await asyncio.sleep(seconds)
        self.idle = {name: (used - before[name]) / seconds for name, used in self._now().items()}

    def start(self) -> None:
        self.began, self.started_at = self._now(), time.perf_counter()

    def stop(self) -> dict[str, float]:
        elapsed = time.perf_counter() - self.started_at
        self.used = {
            name: max(0.0, seconds - self.began[name] - self.idle.get(name, 0.0) * elapsed) for name, seconds in self._now().items()
        }
        return self.used

    def per_item_ms(self, count: int) -> dict[str, float]:
        return {name: round(1000 * seconds / count, 1) for name, seconds in self.used.items()}

    async def until_quiet(self, limit: float = 180) -> None:
        """Waits until the processes are back to idle (within 5 % of a core of it, over 2 s): what
        a burst set going (workflows, relays) is counted too, not only what reached the feed."""
        idle = sum(self.idle.values())
        deadline, last = time.perf_counter() + limit, self._now()
        while time.perf_counter() < deadline:
            await asyncio.sleep(2)
            now = self._now()
            if (sum(now.values()) - sum(last.values())) / 2 < idle + 0.05:
                return
            last = now


def memory_mb(pids: list[int]) -> float:
    """What processes take of the machine's memory: their proportional set size (a page shared by n
    processes counts 1/n in each), so that `run` and the worker process it forked, which share the
    pages of what `run` had loaded, are not counted twice (their RSS would). For one process alone
    it is its RSS, less its share of the libraries other processes also map."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return round(total / 1024, 1)


def run_processes(pid: int) -> dict[str, list[int]]:
    """`kotopolku run`'s processes: itself, the worker process it forks (where it does), and its
    embedded Temporal server."""
    workers = run_worker_processes(pid)
    return {"kotopolku": [pid], "kotopolku_workers": workers, "temporal_server": [child for child in children(pid) if child not in workers]}


def top_functions(raw_profile: Path, limit: int = 12) -> dict:
    """py-spy's raw (collapsed) stacks → the functions most often on top (self), and Kotopolku's own
    functions most often anywhere on the stack (total: what they and all they call took)."""
    own, total, samples = Counter(), Counter(), 0
    for line in raw_profile.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        samples += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            if "services/" in frame or "shared/" in frame:  # Kotopolku's own code, whatever it calls
                total[frame] += int(count)

    def share(counter: Counter) -> list[tuple[str, float]]:
        return [(frame, round(100 * n / samples, 1)) for frame, n in counter.most_common(limit)]

    return {"samples": samples, "self": share(own), "total": share(total)}


def percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted values: the smallest value with at least `share` of
    them at or below it. Of 100 values, p99 is the 99th, not the largest (`max_ms` is that)."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def profiling(processes: dict[str, list[int]], workdir: Path, rate: int = 100) -> dict[str, subprocess.Popen]:
    """py-spy on `run` and on its worker process: only the thread holding the interpreter."""
    pids = {"run": processes["kotopolku"][0], **{f"worker-{i}": pid for i, pid in enumerate(processes["kotopolku_workers"])}}
    return {
        name: subprocess.Popen(
            [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid), "--gil", "--format", "raw", "--rate", str(rate),
             "--output", str(workdir / f"profile-{name}.txt")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for name, pid in pids.items()
    }


async def database_statements(base: str) -> Counter:
    """SQL statements `kotopolku run` has sent its databases so far, by process ("run" and, as its
    /metrics labels them, "workers"): a count that the machine's speed does not change."""
    async with httpx.AsyncClient(timeout=30) as client:
        text = (await client.get(f"{base}/metrics")).text
    counted: Counter = Counter()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "kotopolku_database_statements_total":
                counted[sample.labels.get("process", "run")] += sample.value
    return counted


def statements_each(before: Counter, after: Counter, items: int) -> dict[str, float]:
    return {process: round((after[process] - before[process]) / items, 1) for process in sorted(after)}

