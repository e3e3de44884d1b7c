"""The per-inquiry CSV: one row per inquiry, the figures recomputed from its rows, streamed,
formula-safe, documented as text/csv."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.http import StreamingHttpResponse

from accounts.models import Role
from inquiries.selectors.exports import COLUMNS, safe_cell
from inquiries.selectors.kpis import response_metrics
from tests.accounts.factories import UserFactory
from tests.inquiries.factories import inquiry_with_outcome
from tests.marketplace.factories import SellerFactory, SellerMemberFactory

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
NOVEMBER = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


def opened(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    seller = SellerFactory(name="Northwind")
    other = SellerFactory(name="Contoso")
    owner = SellerMemberFactory(seller=seller, username="owner")
    agent = UserFactory(role=Role.SUPPORT, username="agent")
    rows = [
        inquiry_with_outcome(
            seller=seller, opened=opened(2), outcome="seller", after=timedelta(hours=1), answered_by=owner
        ),
        inquiry_with_outcome(
            seller=seller,
            opened=opened(3),
            outcome="seller",
            after=timedelta(hours=5),
            answered_by=owner,
            escalated=True,
        ),
        inquiry_with_outcome(
            seller=seller, opened=opened(4), outcome="staff", after=timedelta(hours=6), answered_by=agent
        ),
        inquiry_with_outcome(seller=seller, opened=opened(5), outcome="excluded", reason='=HYPERLINK("x")'),
        inquiry_with_outcome(seller=seller, opened=opened(6), outcome="closed", after=timedelta(hours=1)),
        inquiry_with_outcome(seller=seller, opened=opened(7), outcome="closed", after=timedelta(hours=5)),
        inquiry_with_outcome(seller=seller, opened=opened(8), outcome="open", escalated=True),
    ]
    rows[0].conversation.subject = "=cmd|' /C calc'!A0"
    rows[0].conversation.save()
    inquiry_with_outcome(seller=other, opened=opened(2), outcome="seller", after=timedelta(minutes=5))
    return {"seller": seller, "other": other, "owner": owner, "agent": agent, "rows": rows}


@pytest.fixture(autouse=True)
def frozen_now():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


def read_csv(response: StreamingHttpResponse) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_rows_add_up_to_the_figures(world, client_for):
    response = client_for(world["owner"]).get(
        f"/api/v1/sellers/{world['seller'].pk}/response-metrics/inquiries.csv", {"period": "2026-11"}
    )
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="inquiries-seller-{world["seller"].pk}-2026-11.csv"'
    )
    rows = read_csv(response)
    assert list(rows[0]) == COLUMNS
    assert [int(row["inquiry_id"]) for row in rows] == [inquiry.pk for inquiry in world["rows"]]

    metrics = response_metrics(seller_id=world["seller"].pk, start=NOVEMBER[0], end=NOVEMBER[1], now=NOW)
    counted = [row for row in rows if row["counted"] == "yes"]
    assert len(counted) == metrics.inquiries == 5
    assert sum(row["within_target"] == "yes" for row in counted) == metrics.answered_within_target == 1
    assert sum(row["answered_at"] != "" for row in counted) == metrics.answered == 3
    assert sum(row["escalated"] == "yes" for row in counted) == metrics.escalated == 3
    assert sum(row["status"] == "excluded" for row in rows) == metrics.excluded == 1


def test_csv_row_says_who_answered_and_why_excluded(world, client_for):
    rows = read_csv(
        client_for(world["agent"]).get(
            f"/api/v1/sellers/{world['seller'].pk}/response-metrics/inquiries.csv", {"period": "2026-11"}
        )
    )
    first, late, staff, excluded, closed_early, closed_late, overdue = rows
    assert first["subject"] == "'=cmd|' /C calc'!A0"  # formula-safe
    assert (first["opened_at"], first["due_at"], first["answered_at"]) == (
        "2026-11-02T09:00:00+00:00",
        "2026-11-02T13:00:00+00:00",
        "2026-11-02T10:00:00+00:00",
    )
    assert (first["answered_by"], first["answered_by_kind"], first["first_response_seconds"]) == (
        "owner",
        "seller",
        "3600",
    )
    assert (first["within_target"], first["escalated"], first["seller"]) == ("yes", "no", "Northwind")
    assert (late["within_target"], late["escalated"], late["escalated_at"]) == (
        "no",
        "yes",
        "2026-11-03T13:00:00+00:00",
    )
    assert (staff["answered_by"], staff["answered_by_kind"], staff["within_target"], staff["escalated"]) == (
        "agent",
        "staff",
        "no",
        "yes",
    )
    assert (excluded["counted"], excluded["within_target"], excluded["exclusion_reason"]) == (
        "no",
        "",
        '\'=HYPERLINK("x")',
    )
    assert (closed_early["counted"], closed_late["counted"], closed_late["within_target"]) == ("no", "yes", "no")
    assert (overdue["status"], overdue["counted"], overdue["answered_at"], overdue["escalated"]) == (
        "open",
        "yes",
        "",
        "yes",
    )


def test_platform_csv_is_for_staff_and_has_every_seller(world, client_for):
    response = client_for(world["agent"]).get("/api/v1/response-metrics/inquiries.csv", {"period": "2026-11"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="inquiries-platform-2026-11.csv"'
    assert {row["seller"] for row in read_csv(response)} == {"Northwind", "Contoso"}
    assert client_for(world["owner"]).get("/api/v1/response-metrics/inquiries.csv").status_code == 404


@pytest.mark.parametrize("role", [Role.FINANCE, Role.INTEGRATION])
def test_finance_and_integration_get_the_figures_but_not_the_buyers_subjects(world, client_for, role):
    """The CSV is how the figures are checked; the subjects are the buyers' words, from private
    conversations those accounts do not read."""
    client = client_for(UserFactory(role=role))
    for url in (
        "/api/v1/response-metrics/inquiries.csv",
        f"/api/v1/sellers/{world['seller'].pk}/response-metrics/inquiries.csv",
    ):
        rows = read_csv(client.get(url, {"period": "2026-11"}))
        assert len(rows) >= 7
        assert {row["subject"] for row in rows} == {""}
        assert {row["counted"] for row in rows} == {"yes", "no"}
    own = read_csv(
        client_for(world["owner"]).get(
            f"/api/v1/sellers/{world['seller'].pk}/response-metrics/inquiries.csv", {"period": "2026-11"}
        )
    )
    assert all(row["subject"] for row in own)


def test_csv_errors_are_json(world, client_for):
    response = client_for(world["owner"]).get(
        f"/api/v1/sellers/{world['seller'].pk}/response-metrics/inquiries.csv",
        {"period": "2026-13"},
        HTTP_ACCEPT="text/csv",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "period" in response.json()


def test_csv_query_count_does_not_grow_with_rows(world, client_for, django_assert_max_num_queries):
    client = client_for(world["owner"])
    path = f"/api/v1/sellers/{world['seller'].pk}/response-metrics/inquiries.csv"
    for day in range(10, 28):
        inquiry_with_outcome(seller=world["seller"], opened=opened(day), outcome="seller", after=timedelta(minutes=9))
    with django_assert_max_num_queries(4):  # token, seller, membership, the rows (joined)
        rows = read_csv(client.get(path, {"period": "2026-11"}))
    assert len(rows) == 25


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 12", "'+33 6 12"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (None, ""),
        (True, "yes"),
        (3600, "3600"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_quoted(value, cell):
    assert safe_cell(value) == cell


def test_schema_documents_the_csv_as_text_csv(client_for, db):
    schema = client_for(UserFactory(role=Role.SUPPORT)).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/sellers/{id}/response-metrics/inquiries.csv"]["get"]
    assert list(operation["responses"]["200"]["content"]) == ["text/csv"]
    assert list(operation["responses"]["404"]["content"]) == ["application/json"]
