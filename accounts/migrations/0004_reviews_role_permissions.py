from django.db import migrations


def sync_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Re-sync every staff group from accounts.roles now that the reviews permissions exist
    # (earlier syncs may run before the reviews tables on a fresh database and then skip them).
    from accounts.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_inquiries_role_permissions"),
        ("reviews", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
