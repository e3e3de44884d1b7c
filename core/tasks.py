from celery import shared_task
from django.utils import timezone

from core.sweeps import sweep_run


@shared_task(name="core.run_sweep")
def run_sweep_task(name: str) -> object:
    """Thin wrapper: the sweep itself is idempotent and takes the time from the process clock."""
    return sweep_run(name, now=timezone.now())
