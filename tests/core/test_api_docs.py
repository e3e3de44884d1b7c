"""/api/docs/: the operations grouped by area, each with a summary (``core.api.schema``)."""

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def _operations() -> list[tuple[str, str, dict]]:
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    return [(method, path, operation) for path, item in schema["paths"].items() for method, operation in item.items()]


def test_every_operation_is_tagged_with_its_area_not_the_version() -> None:
    areas = [tag["name"] for tag in settings.SPECTACULAR_SETTINGS["TAGS"]]
    operations = _operations()

    tags = {(method, path): operation["tags"] for method, path, operation in operations}
    assert all(len(tagged) == 1 and tagged[0] in areas for tagged in tags.values()), tags
    assert tags[("get", "/api/v1/orders/")] == ["Marketplace records"]
    assert tags[("post", "/api/v1/conversations/")] == ["Buyer-seller messaging"]
    assert tags[("get", "/api/v1/sellers/{id}/review-metrics/")] == ["Reviews and ratings"]
    assert tags[("post", "/api/v1/auth/token/")] == ["Accounts and roles"]
    assert {tag for tagged in tags.values() for tag in tagged} == set(areas)  # no area is empty


def test_every_operation_has_a_short_summary() -> None:
    summaries = {(method, path): operation.get("summary", "") for method, path, operation in _operations()}

    assert all(0 < len(summary) <= 100 for summary in summaries.values()), summaries
    assert summaries[("post", "/api/v1/shipments/{id}/events/")] == "Record a carrier scan"
    assert summaries[("get", "/api/v1/orders/")] == "List orders"
    assert summaries[("post", "/api/v1/users/")] == "Create a user"
