from django.db import migrations


def sync_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The staff groups get exactly the permissions notifications/roles.py lists; idempotent, so it is
    # also how a database made before the apps declared their own roles is brought in line.
    from accounts.services.roles import sync_role_groups

    sync_role_groups(apps, app_label="notifications")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_alter_notification_kind"),
        ("accounts", "0002_staff_role_groups"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
