"""Staff roles: every app declares its groups' permissions in its own ``roles.py``; accounts finds
them and each app's migration syncs its own (``accounts.services.roles``)."""

from types import SimpleNamespace

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.db.migrations.loader import MigrationLoader

from accounts.models import GROUP_NAMES
from accounts.services import roles
from accounts.services.roles import app_role_permissions, role_permissions, sync_role_groups

pytestmark = pytest.mark.django_db

APPS_ABOVE_ACCOUNTS = {
    "marketplace",
    "notifications",
    "inquiries",
    "reviews",
    "feedback",
    "helpdesk",
    "royalty",
    "demo",
}


def _group_permissions() -> dict[str, set[str]]:
    # The staff roles' groups and any an app declares (the help desk's departments).
    names = {*GROUP_NAMES.values(), *role_permissions()}
    return {
        group.name: {
            f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
        }
        for group in Group.objects.filter(name__in=names)
    }


def test_the_migrated_groups_have_exactly_what_the_apps_declare() -> None:
    declared = {group: set(permissions) for group, permissions in role_permissions().items()}
    assert _group_permissions() == declared
    assert {"reviews.change_review", "inquiries.change_escalation", "accounts.view_user"} <= declared["moderator"]


def test_each_app_declares_only_its_own_permissions() -> None:
    for app_config in global_apps.get_app_configs():
        for permissions in app_role_permissions(app_config.label).values():
            assert all(name.startswith(f"{app_config.label}.") for name in permissions), app_config.label


def test_an_app_listing_another_apps_permission_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    module = SimpleNamespace(ROLE_PERMISSIONS={"support": ["reviews.view_review", "marketplace.view_order"]})
    monkeypatch.setattr(roles, "import_module", lambda name: module)
    with pytest.raises(ValueError, match=r"marketplace\.view_order"):
        app_role_permissions("reviews")


def test_a_sync_puts_one_apps_permissions_back_and_leaves_the_others_alone() -> None:
    support = Group.objects.get(name="support")
    stray = Permission.objects.get(content_type__app_label="marketplace", codename="delete_order")
    support.permissions.remove(Permission.objects.get(content_type__app_label="reviews", codename="view_review"))
    support.permissions.add(Permission.objects.get(content_type__app_label="reviews", codename="delete_review"), stray)

    sync_role_groups(global_apps, app_label="reviews")
    sync_role_groups(global_apps, app_label="reviews")  # idempotent

    permissions = _group_permissions()["support"]
    assert "reviews.view_review" in permissions and "reviews.delete_review" not in permissions
    assert "marketplace.delete_order" in permissions  # not reviews' business


def test_no_accounts_migration_depends_on_an_app_above_it() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (app_label, name), migration in loader.disk_migrations.items():
        if app_label == "accounts":
            above = {dependency[0] for dependency in migration.dependencies} & APPS_ABOVE_ACCOUNTS
            assert not above, f"accounts.{name} depends on {above}"
