"""Micro-benchmarks that print figures (not tests): see bench/README.md.

Shared here: Django set up for a script run from the checkout, and one way of timing.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django(*, redis_url: str | None = None) -> Path:
    """Django with config.settings and a throw-away DATA_DIR; returns that folder.

    With `redis_url`, the cache (and so the rate limiter) is that Redis.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    data_dir = Path(tempfile.mkdtemp(prefix="bench-"))
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    import django

    django.setup()
    return data_dir


@dataclass(frozen=True)
class Rate:
    """Calls per second over `repeats` timed runs, by two clocks (medians reported):
    CPU time of this process, which other work on a shared machine barely moves (pure
    computation: on an idle machine it equals wall time), and wall time, which also
    counts waiting for Redis or a server, and the turns other processes take."""

    cpu_runs: tuple[float, ...]
    wall_runs: tuple[float, ...]

    @property
    def per_second(self) -> float:
        return statistics.median(self.cpu_runs)

    @property
    def micros(self) -> float:
        return 1e6 / self.per_second

    @property
    def wall_per_second(self) -> float:
        return statistics.median(self.wall_runs)

    @property
    def wall_micros(self) -> float:
        return 1e6 / self.wall_per_second


def measure(call: Callable[[], object], *, seconds: float = 0.4, repeats: int = 7) -> Rate:
    """Warm `call` up, pick N so one run lasts about `seconds`, then time `repeats` runs
    of N calls each."""
    n = _calibrate(call, seconds)
    runs = [_run(call, n) for _ in range(repeats)]
    return Rate(tuple(n / cpu for cpu, _ in runs), tuple(n / wall for _, wall in runs))


def measure_pair(
    first: Callable[[], object],
    second: Callable[[], object],
    *,
    seconds: float = 0.4,
    repeats: int = 7,
) -> tuple[Rate, Rate, float]:
    """Both rates, timed in alternating runs so both see the same machine, and the median
    of the per-run CPU-rate ratios first/second."""
    n_first, n_second = _calibrate(first, seconds), _calibrate(second, seconds)
    firsts, seconds_ = [], []
    for _ in range(repeats):
        firsts.append(_run(first, n_first))
        seconds_.append(_run(second, n_second))
    ratio = statistics.median(
        (n_first / a[0]) / (n_second / b[0]) for a, b in zip(firsts, seconds_, strict=True)
    )
    return (
        Rate(
            tuple(n_first / cpu for cpu, _ in firsts), tuple(n_first / wall for _, wall in firsts)
        ),
        Rate(
            tuple(n_second / cpu for cpu, _ in seconds_),
            tuple(n_second / wall for _, wall in seconds_),
        ),
        ratio,
    )


def _calibrate(call: Callable[[], object], seconds: float) -> int:
    for _ in range(50):  # warm: caches, lazy imports, first-call paths
        call()
    n, elapsed = 25, 0.0
    while elapsed < seconds / 4:
        n *= 2
        elapsed = _run(call, n)[1]
    return max(50, int(n * seconds / elapsed))


def _run(call: Callable[[], object], n: int) -> tuple[float, float]:
    """(CPU seconds of this process, wall seconds) for `n` calls. CPU time counts every
    thread of this process (an in-process server too) but not other processes."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        call()
    return time.process_time() - cpu, time.perf_counter() - wall


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table, first column left-aligned, the others right-aligned."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def machine() -> str:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average {load}"
