from django.db import migrations, models

# PostgreSQL only (SQLite counts with COUNT(*)): statement-level triggers with transition tables, so
# a COPY or a bulk INSERT of 100,000 orders adds to the tally once, not per row. Each statement adds
# to the slot of its backend (pid modulo 16): concurrent transactions rarely queue on one row, and
# the addition commits or rolls back with the orders themselves.
TRIGGERS = """
CREATE FUNCTION marketplace_order_tally_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO marketplace_ordertally (slot, orders)
        SELECT pg_backend_pid() % 16, count(*) FROM tally_new_rows HAVING count(*) > 0
        ON CONFLICT (slot) DO UPDATE SET orders = marketplace_ordertally.orders + EXCLUDED.orders;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO marketplace_ordertally (slot, orders)
        SELECT pg_backend_pid() % 16, -count(*) FROM tally_old_rows HAVING count(*) > 0
        ON CONFLICT (slot) DO UPDATE SET orders = marketplace_ordertally.orders + EXCLUDED.orders;
    ELSE  -- TRUNCATE
        DELETE FROM marketplace_ordertally;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER marketplace_order_tally_insert AFTER INSERT ON marketplace_order
    REFERENCING NEW TABLE AS tally_new_rows FOR EACH STATEMENT EXECUTE FUNCTION marketplace_order_tally_add();
CREATE TRIGGER marketplace_order_tally_delete AFTER DELETE ON marketplace_order
    REFERENCING OLD TABLE AS tally_old_rows FOR EACH STATEMENT EXECUTE FUNCTION marketplace_order_tally_add();
CREATE TRIGGER marketplace_order_tally_truncate AFTER TRUNCATE ON marketplace_order
    FOR EACH STATEMENT EXECUTE FUNCTION marketplace_order_tally_add();
-- The orders there are now (the triggers above hold the table's lock until this migration commits:
-- no insert slips between the count and the first trigger).
INSERT INTO marketplace_ordertally (slot, orders) SELECT 0, count(*) FROM marketplace_order;
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS marketplace_order_tally_insert ON marketplace_order;
DROP TRIGGER IF EXISTS marketplace_order_tally_delete ON marketplace_order;
DROP TRIGGER IF EXISTS marketplace_order_tally_truncate ON marketplace_order;
DROP FUNCTION IF EXISTS marketplace_order_tally_add();
"""


def install_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS, params=None)


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0005_role_permissions_refund_grants"),
    ]

    operations = [
        migrations.CreateModel(
            name="OrderTally",
            fields=[
                ("slot", models.SmallIntegerField(primary_key=True, serialize=False)),
                ("orders", models.BigIntegerField(default=0)),
            ],
            options={
                "ordering": ["slot"],
            },
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
