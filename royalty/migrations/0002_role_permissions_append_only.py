from django.db import migrations

# PostgreSQL only (SQLite relies on the services and the model's save()/delete() guards): a
# statement line is never updated or deleted, and is only added to a draft statement; an event
# row is never updated. A correction is a new line in a draft (DESIGN, "Royalty").
TRIGGERS = """
CREATE FUNCTION royalty_line_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (SELECT 1 FROM royalty_statement WHERE id = NEW.statement_id AND status = 'draft') THEN
            RAISE EXCEPTION 'royalty: a line can only be added to a draft statement (statement %)', NEW.statement_id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'royalty: statement lines are append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER royalty_line_append_only BEFORE INSERT OR UPDATE OR DELETE ON royalty_statementline
    FOR EACH ROW EXECUTE FUNCTION royalty_line_append_only();
CREATE FUNCTION royalty_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'royalty: statement events are append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER royalty_event_append_only BEFORE UPDATE ON royalty_statementevent
    FOR EACH ROW EXECUTE FUNCTION royalty_event_append_only();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS royalty_line_append_only ON royalty_statementline;
DROP FUNCTION IF EXISTS royalty_line_append_only();
DROP TRIGGER IF EXISTS royalty_event_append_only ON royalty_statementevent;
DROP FUNCTION IF EXISTS royalty_event_append_only();
"""


def install_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS, params=None)


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS, params=None)


def sync_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The staff groups get exactly the permissions royalty/roles.py lists; idempotent.
    from accounts.services.roles import sync_role_groups

    sync_role_groups(apps, app_label="royalty")


class Migration(migrations.Migration):
    dependencies = [
        ("royalty", "0001_initial"),
        ("accounts", "0002_staff_role_groups"),
    ]

    operations = [
        migrations.RunPython(install_triggers, drop_triggers),
        migrations.RunPython(sync_groups, migrations.RunPython.noop),
    ]
