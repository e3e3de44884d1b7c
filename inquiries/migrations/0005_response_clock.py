"""The response clock moves out of the inquiry and conversation rows into ``InquiryClock`` (one
narrow row per inquiry, ``core.sla``), which also becomes the support queue: ``Escalation`` is now
a proxy of the escalated clocks, its id the inquiry's.

What the sweep used to write per escalated inquiry besides the clock is read from the clock now,
so the copies go: the conversation's stored ``escalated`` status (now ``awaiting_reply``; readers
see ``escalated`` from the clock), ``Conversation.escalated_at``, the sweep's thread notices
(system messages) and its ``warned`` / ``escalated`` history rows. Reversible: going back rebuilds
each of them from the clocks.

The copies are single ``INSERT ... SELECT`` / ``UPDATE`` statements, so a marketplace with a
million inquiries migrates in seconds.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

NOTICE = " hasn't replied within the response target, so our support team is on it now."


def _tables(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor, *names: str) -> list[str]:
    quote = schema_editor.connection.ops.quote_name
    return [quote(apps.get_model("inquiries", name)._meta.db_table) for name in names]


def clocks_from_rows(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    clock, inquiry, escalation, conversation, message, event = _tables(
        apps, schema_editor, "InquiryClock", "Inquiry", "Escalation", "Conversation", "Message", "ConversationEvent"
    )
    execute = schema_editor.execute
    # Every inquiry gets its clock; a stopped inquiry's clock stopped when it did. The queue's
    # fields come from its escalation, if it had one.
    execute(
        f"""
        INSERT INTO {clock} (inquiry_id, conversation_id, seller_id, warn_at, due_at, warned_at, escalated_at,
                             stopped_at, assignee_id, assigned_at, resolved_at, resolved_by_id, resolution)
        SELECT inquiry.id, inquiry.conversation_id, inquiry.seller_id, inquiry.warn_at, inquiry.response_due_at, inquiry.warned_at,
               COALESCE(inquiry.escalated_at, escalation.escalated_at),
               CASE WHEN inquiry.status = 'open' THEN NULL
                    ELSE COALESCE(inquiry.answered_at, inquiry.excluded_at, inquiry.closed_at, inquiry.awaiting_since)
               END,
               escalation.assignee_id, escalation.assigned_at, escalation.resolved_at, escalation.resolved_by_id,
               COALESCE(escalation.resolution, '')
        FROM {inquiry} AS inquiry LEFT JOIN {escalation} AS escalation ON escalation.inquiry_id = inquiry.id
        """  # noqa: S608 (identifiers from model metadata)
    )
    execute(f"UPDATE {conversation} SET status = 'awaiting_reply' WHERE status = 'escalated'")  # noqa: S608
    execute(f"DELETE FROM {message} WHERE kind = 'system'")  # noqa: S608
    execute(f"DELETE FROM {event} WHERE kind IN ('warned', 'escalated')")  # noqa: S608


def rows_from_clocks(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    clock, inquiry, escalation, conversation, message, event, seller = _tables(
        apps, schema_editor, "InquiryClock", "Inquiry", "Escalation", "Conversation", "Message", "ConversationEvent"
    ) + [schema_editor.connection.ops.quote_name(apps.get_model("marketplace", "Seller")._meta.db_table)]
    execute = schema_editor.execute
    execute(
        f"UPDATE {inquiry} SET warn_at = (SELECT clock.warn_at FROM {clock} AS clock WHERE clock.inquiry_id = {inquiry}.id)"  # noqa: S608,E501
    )
    execute(f"UPDATE {inquiry} SET warn_at = response_due_at WHERE warn_at IS NULL")  # noqa: S608
    execute(
        f"""
        INSERT INTO {escalation} (inquiry_id, conversation_id, escalated_at, assignee_id, assigned_at, resolved_at,
                                  resolved_by_id, resolution)
        SELECT inquiry_id, conversation_id, escalated_at, assignee_id, assigned_at, resolved_at, resolved_by_id,
               resolution
        FROM {clock} WHERE escalated_at IS NOT NULL ORDER BY escalated_at, inquiry_id
        """  # noqa: S608
    )
    execute(
        f"""
        UPDATE {conversation} SET escalated_at = (
            SELECT MIN(clock.escalated_at) FROM {clock} AS clock WHERE clock.conversation_id = {conversation}.id
        )
        """  # noqa: S608
    )
    execute(
        f"""
        UPDATE {conversation} SET status = 'escalated' WHERE status = 'awaiting_reply' AND id IN (
            SELECT conversation_id FROM {clock} WHERE escalated_at IS NOT NULL AND stopped_at IS NULL
        )
        """  # noqa: S608
    )
    for kind, column in (("warned", "warned_at"), ("escalated", "escalated_at")):
        execute(
            f"""
            INSERT INTO {event} (conversation_id, inquiry_id, kind, note, created_at)
            SELECT conversation_id, inquiry_id, %s, '', {column} FROM {clock} WHERE {column} IS NOT NULL
            """,  # noqa: S608
            [kind],
        )
    execute(
        f"""
        INSERT INTO {message} (conversation_id, kind, body, created_at)
        SELECT clock.conversation_id, 'system', seller.name || %s, clock.escalated_at
        FROM {clock} AS clock JOIN {inquiry} AS inquiry ON inquiry.id = clock.inquiry_id
        JOIN {seller} AS seller ON seller.id = inquiry.seller_id
        WHERE clock.escalated_at IS NOT NULL
        """,  # noqa: S608
        [NOTICE],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inquiries", "0004_role_permissions"),
        ("marketplace", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="InquiryClock",
            fields=[
                ("warn_at", models.DateTimeField(blank=True, null=True)),
                ("due_at", models.DateTimeField()),
                ("warned_at", models.DateTimeField(blank=True, null=True)),
                ("escalated_at", models.DateTimeField(blank=True, null=True)),
                ("paused_at", models.DateTimeField(blank=True, null=True)),
                ("stopped_at", models.DateTimeField(blank=True, null=True)),
                (
                    "inquiry",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="clock",
                        serialize=False,
                        to="inquiries.inquiry",
                    ),
                ),
                (
                    "conversation",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clocks",
                        to="inquiries.conversation",
                    ),
                ),
                (
                    "seller",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="marketplace.seller",
                    ),
                ),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assigned_escalations",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("assigned_at", models.DateTimeField(blank=True, null=True)),
                ("resolved_at", models.DateTimeField(blank=True, null=True)),
                (
                    "resolved_by",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("resolution", models.CharField(blank=True, max_length=200)),
            ],
            options={
                "ordering": ["due_at", "inquiry_id"],
            },
        ),
        # Nullable first, so that going back can add the column before ``rows_from_clocks`` fills it.
        migrations.AlterField(model_name="inquiry", name="warn_at", field=models.DateTimeField(null=True)),
        migrations.RunPython(clocks_from_rows, rows_from_clocks),
        migrations.RemoveConstraint(
            model_name="conversationevent",
            name="inq_event_once_per_inquiry",
        ),
        migrations.RemoveIndex(
            model_name="inquiry",
            name="inq_open_unescalated_due_idx",
        ),
        migrations.RemoveIndex(
            model_name="inquiry",
            name="inq_open_unwarned_due_idx",
        ),
        migrations.RemoveField(
            model_name="conversation",
            name="escalated_at",
        ),
        migrations.RemoveField(
            model_name="inquiry",
            name="warn_at",
        ),
        migrations.DeleteModel(
            name="Escalation",
        ),
        migrations.AddIndex(
            model_name="inquiryclock",
            index=models.Index(
                condition=models.Q(("escalated_at__isnull", True), ("paused_at__isnull", True), ("stopped_at__isnull", True)),
                fields=["due_at", "inquiry"],
                name="inq_clock_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="inquiryclock",
            index=models.Index(
                condition=models.Q(
                    ("escalated_at__isnull", True),
                    ("paused_at__isnull", True),
                    ("stopped_at__isnull", True),
                    ("warn_at__isnull", False),
                    ("warned_at__isnull", True),
                ),
                fields=["warn_at", "due_at", "inquiry"],
                name="inq_clock_warn_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="inquiryclock",
            index=models.Index(
                condition=models.Q(("escalated_at__isnull", False)),
                fields=["conversation"],
                name="inq_clock_escalated_conv_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="inquiryclock",
            index=models.Index(
                condition=models.Q(("escalated_at__isnull", False), ("resolved_at__isnull", True)),
                fields=["escalated_at", "inquiry"],
                name="inq_queue_open_idx",
            ),
        ),
        migrations.CreateModel(
            name="Escalation",
            fields=[],
            options={
                "ordering": ["escalated_at", "inquiry_id"],
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("inquiries.inquiryclock",),
        ),
    ]
