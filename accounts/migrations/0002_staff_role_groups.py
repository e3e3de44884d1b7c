from django.db import migrations


def create_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The staff groups, with accounts' own permissions; every other app gives them its permissions
    # in its own migrations (``accounts.services.roles``).
    from accounts.services.roles import sync_role_groups

    sync_role_groups(apps, app_label="accounts")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
