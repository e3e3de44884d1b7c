from django.db import migrations


def create_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    from accounts.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("marketplace", "0001_initial"),
        ("notifications", "0001_initial"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
