"""NUL characters in a console list's filters and search (core.middleware): a 400 naming the
parameter on every list page. On PostgreSQL, which refuses NUL in text, nine list pages' filters
answered 500 (``?status__exact=%00``); SQLite let them through as "no match"."""

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import AdminFactory


def _list_parameters(model_admin: admin.ModelAdmin) -> list[str]:
    """``q`` and each list filter's parameter, as the sidebar's links write them."""
    names = ["q"]
    for list_filter in model_admin.list_filter:
        field: Any = list_filter[0] if isinstance(list_filter, tuple) else list_filter
        if isinstance(field, str):
            names += [f"{field}__exact", field]
        else:
            names.append(getattr(field, "parameter_name", None) or "unknown")
    return names


CHANGELISTS = sorted(
    (f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist", _list_parameters(model_admin))
    for model, model_admin in admin.site._registry.items()
)


@pytest.mark.parametrize(("url_name", "parameters"), CHANGELISTS, ids=[name for name, _ in CHANGELISTS])
def test_a_nul_in_any_console_list_filter_or_search_is_a_400_naming_it(db, url_name, parameters) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(AdminFactory())
    url = reverse(url_name)
    assert client.get(url).status_code == 200
    for name in parameters:
        response = client.get(f"{url}?{name}=a%00")
        assert response.status_code == 400, (url, name, response.status_code)
        assert f"{name}: Null characters are not allowed." in response.content.decode()
