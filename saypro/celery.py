"""The Celery app: tasks are autodiscovered from every app's ``tasks.py``; the beat schedule is
built from the sweep registry (``core.sweeps``), one periodic entry per registered sweep."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saypro.settings")

app = Celery("saypro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def schedule_registered_sweeps(sender: Celery, **kwargs: object) -> None:
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from core.sweeps import registered_sweeps
    from core.tasks import run_sweep_task

    for sweep in registered_sweeps():
        sender.add_periodic_task(sweep.schedule, run_sweep_task.s(sweep.name), name=f"sweep:{sweep.name}")
