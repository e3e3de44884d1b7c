from django.db import migrations


def sync_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Re-sync every staff group from accounts.roles now that the inquiries permissions exist
    # (0002 may run before the inquiries tables on a fresh database and then skips them).
    from accounts.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_staff_role_groups"),
        ("inquiries", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
