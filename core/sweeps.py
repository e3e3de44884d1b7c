"""Registry of periodic sweeps.

A sweep is a set-based service that looks at the state of the database at ``now`` and moves
whatever is due (warn, escalate, retry). Sweeps are state-based, never countdown tasks: after the
worker or beat was down for hours, the next run catches up. Beat runs each registered sweep on its
schedule (``saypro/celery.py``); ``manage.py run_sweeps`` runs them all once, now.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery.schedules import crontab

SweepFunction = Callable[..., Any]


@dataclass(frozen=True)
class Sweep:
    name: str
    function: SweepFunction
    schedule: timedelta | crontab
    description: str


_registry: dict[str, Sweep] = {}


def register_sweep(
    name: str, *, schedule: timedelta | crontab = timedelta(minutes=1)
) -> Callable[[SweepFunction], SweepFunction]:
    """Register ``function(*, now)`` as the sweep ``name``; it returns a summary (any JSON-able value)."""

    def decorator(function: SweepFunction) -> SweepFunction:
        if name in _registry and _registry[name].function is not function:
            raise ValueError(f"sweep {name!r} is registered twice")
        _registry[name] = Sweep(
            name=name, function=function, schedule=schedule, description=(function.__doc__ or "").strip()
        )
        return function

    return decorator


def registered_sweeps() -> list[Sweep]:
    return sorted(_registry.values(), key=lambda sweep: sweep.name)


def get_sweep(name: str) -> Sweep:
    return _registry[name]


def sweep_run(name: str, *, now: datetime) -> Any:
    return get_sweep(name).function(now=now)
