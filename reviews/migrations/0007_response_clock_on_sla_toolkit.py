"""The review's response clock takes the shared SLA clock's columns (``core.sla.SlaClock``):
``escalate_at`` becomes ``due_at``, the ``answered`` flag becomes ``stopped_at`` (when the first
live response was posted), and the warning and pause columns it does not use are added (null).

The sweep no longer writes an ``escalated`` event per review: the history reads it from the clock.
The rows it wrote before stay (the history shows the clock's line once: see
``reviews.selectors.history``), and so the partial unique constraint that backed their
exactly-once goes; the clock's conditional ``UPDATE ... WHERE escalated_at IS NULL`` is the
exactly-once now.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def _tables(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> tuple[str, str]:
    quote = schema_editor.connection.ops.quote_name
    return (
        quote(apps.get_model("reviews", "ResponseClock")._meta.db_table),
        quote(apps.get_model("reviews", "Review")._meta.db_table),
    )


def stopped_from_answered(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    clock, review = _tables(apps, schema_editor)
    schema_editor.execute(
        f"UPDATE {clock} SET stopped_at = (SELECT review.first_response_at FROM {review} AS review "  # noqa: S608
        f"WHERE review.id = {clock}.review_id) WHERE answered"
    )
    # An answered clock whose review lost its response time meanwhile still stops.
    schema_editor.execute(f"UPDATE {clock} SET stopped_at = due_at WHERE answered AND stopped_at IS NULL")  # noqa: S608


def answered_from_stopped(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    clock, _ = _tables(apps, schema_editor)
    schema_editor.execute(f"UPDATE {clock} SET answered = (stopped_at IS NOT NULL)")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0006_role_permissions"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="responseclock", name="rev_clock_due_idx"),
        migrations.RenameField(model_name="responseclock", old_name="escalate_at", new_name="due_at"),
        migrations.AddField(
            model_name="responseclock", name="stopped_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="responseclock", name="warn_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="responseclock", name="warned_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="responseclock", name="paused_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.RunPython(stopped_from_answered, answered_from_stopped),
        migrations.RemoveField(model_name="responseclock", name="answered"),
        migrations.AddIndex(
            model_name="responseclock",
            index=models.Index(
                condition=models.Q(("escalated_at__isnull", True), ("paused_at__isnull", True), ("stopped_at__isnull", True)),
                fields=["due_at", "review"],
                name="rev_clock_due_idx",
            ),
        ),
        migrations.RemoveConstraint(model_name="reviewevent", name="rev_event_escalated_once"),
    ]
