"""The benchmark registry: ``@benchmark("name")`` on a function in any ``bench/bench_*.py`` module.

A benchmark function takes the run's ``Context`` and returns a ``dict`` of measurements (see
``latency_summary`` for the request-timing keys); the runner adds name, rows, wall_seconds, the git
commit and a timestamp, writes ``bench/results[/smoke]/<name>.json`` and prints the table.
Raise ``BenchmarkSkipped`` when a precondition is missing (e.g. an endpoint not written yet).
"""

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.data import DataSet


class BenchmarkSkipped(Exception):
    """The benchmark cannot run here; the reason is printed and no result is written."""


@dataclass
class Context:
    rows: int
    smoke: bool
    data: DataSet
    server: Any  # bench.server.Server, started lazily by ``base_url``
    log: Callable[[str], None] = print
    extra: dict[str, Any] = field(default_factory=dict)

    def scaled(self, full: int, smoke: int) -> int:
        """A count that is ``full`` in a real run and ``smoke`` in a smoke run."""
        return smoke if self.smoke else full

    @property
    def base_url(self) -> str:
        return self.server.ensure_started()


@dataclass
class Benchmark:
    name: str
    function: Callable[[Context], dict[str, Any]]
    description: str


REGISTRY: dict[str, Benchmark] = {}


def benchmark(name: str) -> Callable[[Callable[[Context], dict[str, Any]]], Callable[[Context], dict[str, Any]]]:
    def register(function: Callable[[Context], dict[str, Any]]) -> Callable[[Context], dict[str, Any]]:
        if name in REGISTRY:
            raise ValueError(f"benchmark {name!r} is registered twice")
        REGISTRY[name] = Benchmark(name=name, function=function, description=(function.__doc__ or "").strip())
        return function

    return register


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(fraction * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def latency_summary(latencies_seconds: list[float], elapsed_seconds: float) -> dict[str, Any]:
    """p50/p95/p99/mean in milliseconds, the request count and requests per second."""
    values = sorted(latency * 1000 for latency in latencies_seconds)
    return {
        "requests": len(values),
        "p50_ms": round(percentile(values, 0.50), 2),
        "p95_ms": round(percentile(values, 0.95), 2),
        "p99_ms": round(percentile(values, 0.99), 2),
        "mean_ms": round(statistics.fmean(values), 2) if values else 0.0,
        "max_ms": round(values[-1], 2) if values else 0.0,
        "requests_per_second": round(len(values) / elapsed_seconds, 1) if elapsed_seconds else 0.0,
    }
