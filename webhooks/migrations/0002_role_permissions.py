from django.db import migrations


def sync_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The staff groups get exactly the permissions webhooks/roles.py lists (idempotent).
    from accounts.services.roles import sync_role_groups

    sync_role_groups(apps, app_label="webhooks")


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("accounts", "0002_staff_role_groups"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
