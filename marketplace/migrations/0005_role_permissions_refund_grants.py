from django.db import migrations


def sync_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Support gains ``grant_refund``; every group views the new records (marketplace/roles.py).
    from accounts.services.roles import sync_role_groups

    sync_role_groups(apps, app_label="marketplace")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0004_buyer_records")]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
