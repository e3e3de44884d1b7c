"""The escalation clock moves out of the review row into ``ResponseClock`` (see its docstring):
existing negative reviews keep their clock, escalated or not, before the columns go."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def copy_clocks(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """One ``INSERT ... SELECT``: a marketplace with a million reviews migrates in seconds."""
    quote = schema_editor.connection.ops.quote_name
    clock = quote(apps.get_model("reviews", "ResponseClock")._meta.db_table)
    review = quote(apps.get_model("reviews", "Review")._meta.db_table)
    schema_editor.execute(
        f"INSERT INTO {clock} (review_id, escalate_at, answered, escalated_at) "  # noqa: S608 (model metadata)
        f"SELECT id, escalate_at, first_response_at IS NOT NULL, escalated_at FROM {review} "
        "WHERE escalate_at IS NOT NULL"
    )


def copy_clocks_back(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    review_model = apps.get_model("reviews", "Review")
    for clock in apps.get_model("reviews", "ResponseClock").objects.iterator():
        review_model.objects.filter(pk=clock.review_id).update(
            escalate_at=clock.escalate_at, escalated_at=clock.escalated_at
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_review_seller_needs_response_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="ResponseClock",
            fields=[
                (
                    "review",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="clock",
                        serialize=False,
                        to="reviews.review",
                    ),
                ),
                ("escalate_at", models.DateTimeField()),
                ("answered", models.BooleanField(default=False)),
                ("escalated_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(copy_clocks, copy_clocks_back),
        migrations.RemoveIndex(
            model_name="review",
            name="rev_unanswered_negative_idx",
        ),
        migrations.RemoveField(
            model_name="review",
            name="escalate_at",
        ),
        migrations.RemoveField(
            model_name="review",
            name="escalated_at",
        ),
        migrations.AddIndex(
            model_name="responseclock",
            index=models.Index(
                condition=models.Q(("answered", False), ("escalated_at__isnull", True)),
                fields=["escalate_at", "review"],
                name="rev_clock_due_idx",
            ),
        ),
    ]
