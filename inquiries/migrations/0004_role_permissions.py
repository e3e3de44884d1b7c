from django.db import migrations


def sync_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The staff groups get exactly the permissions inquiries/roles.py lists; idempotent, so it is
    # also how a database made before the apps declared their own roles is brought in line.
    from accounts.services.roles import sync_role_groups

    sync_role_groups(apps, app_label="inquiries")


class Migration(migrations.Migration):
    dependencies = [
        ("inquiries", "0003_placeholders_help_text"),
        ("accounts", "0002_staff_role_groups"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
