"""Staff roles are Django groups with permissions, and every app declares its own.

An app that gives staff groups permissions on its records has a ``roles.py`` with
``ROLE_PERMISSIONS = {"support": ["<app>.view_<model>", ...], "moderator": [...], ...}``: only its
own permissions (``<app_label>.<codename>``), for the groups it involves. Accounts finds them
(``role_permissions``: every installed app's ``roles`` module, like the sweep registry finds
``sweeps``) and never imports the apps above it.

Each app's data migration calls ``sync_role_groups(apps, app_label=...)`` after the migration that
creates its models: the groups get exactly that app's listed permissions (the other apps'
permissions of a group are left alone). It is idempotent, so a later migration of the app that
changes its list calls it again, and running it on a database that has the groups already changes
nothing.
"""

from importlib import import_module
from typing import Any

from django.apps import apps as global_apps
from django.utils.module_loading import module_has_submodule

from accounts.models import GROUP_NAMES

ROLES_MODULE = "roles"


def app_role_permissions(app_label: str) -> dict[str, list[str]]:
    """The ``ROLE_PERMISSIONS`` of one installed app ({} when it has no ``roles`` module). Each
    permission must be the app's own."""
    app_config = global_apps.get_app_config(app_label)
    if not module_has_submodule(app_config.module, ROLES_MODULE):
        return {}
    declared: dict[str, list[str]] = getattr(import_module(f"{app_config.name}.{ROLES_MODULE}"), "ROLE_PERMISSIONS", {})
    for group_name, permission_names in declared.items():
        foreign = [name for name in permission_names if not name.startswith(f"{app_label}.")]
        if foreign:
            raise ValueError(f"{app_label}.roles gives {group_name!r} other apps' permissions: {foreign}")
    return declared


def role_permissions() -> dict[str, list[str]]:
    """Every group's permissions, over every installed app's ``roles`` module."""
    merged: dict[str, list[str]] = {name: [] for name in GROUP_NAMES.values()}
    for app_config in global_apps.get_app_configs():
        for group_name, permission_names in app_role_permissions(app_config.label).items():
            merged.setdefault(group_name, []).extend(permission_names)
    return merged


def sync_role_groups(apps: Any, *, app_label: str) -> None:
    """Create the staff groups (if missing) and give each exactly the permissions ``app_label``
    lists for it, with the migration's historical ``apps``."""
    from django.contrib.auth.management import create_permissions

    # The permission rows are normally created after the whole migrate run; the sync needs them now.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    declared = app_role_permissions(app_label)
    app_permissions = permission_model.objects.filter(content_type__app_label=app_label)
    for group_name in sorted({*GROUP_NAMES.values(), *declared}):
        group, _ = group_model.objects.get_or_create(name=group_name)
        codenames = {name.split(".", 1)[1] for name in declared.get(group_name, [])}
        group.permissions.remove(*app_permissions.exclude(codename__in=codenames))
        group.permissions.add(*app_permissions.filter(codename__in=codenames))
