from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.sweeps import Sweep, register_sweep, registered_sweeps, sweep_run


def test_registered_sweeps_include_the_notification_email_retry():
    names = [sweep.name for sweep in registered_sweeps()]
    assert "notifications_retry_emails" in names
    assert names == sorted(names)


def test_registering_a_different_function_under_a_taken_name_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        register_sweep("notifications_retry_emails")(lambda *, now: None)


def test_sweep_run_passes_now_through(monkeypatch):
    seen: list[datetime] = []
    from core import sweeps

    monkeypatch.setitem(
        sweeps._registry,
        "probe",
        Sweep(
            name="probe",
            function=lambda *, now: seen.append(now) or "done",
            schedule=timedelta(minutes=1),
            description="probe",
        ),
    )
    moment = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert sweep_run("probe", now=moment) == "done"
    assert seen == [moment]


def test_beat_schedule_has_one_entry_per_registered_sweep():
    from saypro.celery import app

    app.finalize()
    schedule = app.conf.beat_schedule
    for sweep in registered_sweeps():
        entry = schedule[f"sweep:{sweep.name}"]
        assert entry["task"] == "core.run_sweep"
        assert entry["args"] == (sweep.name,)
        assert entry["schedule"] == sweep.schedule


@pytest.mark.django_db
def test_run_sweeps_command_runs_every_sweep_once_and_reports_it():
    out = StringIO()
    call_command("run_sweeps", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [sweep.name for sweep in registered_sweeps()]
    assert 'notifications_retry_emails: {"sent": 0, "failed": 0}' in lines


def test_run_sweeps_lists_the_registry():
    out = StringIO()
    call_command("run_sweeps", "--list", stdout=out)
    assert "notifications_retry_emails" in out.getvalue()


def test_run_sweeps_rejects_an_unknown_sweep():
    with pytest.raises(CommandError, match="unknown sweep"):
        call_command("run_sweeps", "--only", "no_such_sweep")
