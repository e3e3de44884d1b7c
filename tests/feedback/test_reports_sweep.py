"""The report sweep: category alerts to their owners and the monthly / quarterly report mails, each
sent once per (kind, period, category), even by sweeps running at once."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core import mail

from accounts.models import Role
from core.sweeps import get_sweep
from feedback.models import ReportDispatch
from feedback.services.reports import feedback_reports_send, first_working_day
from notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.feedback.factories_reports import CategoryOwnerFactory, ReportEntryFactory, ReportResponseFactory
from tests.utils import requires_postgres, run_at_once

pytestmark = pytest.mark.django_db


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def staff() -> dict[str, Any]:
    return {
        "support": UserFactory(username="support-a", role=Role.SUPPORT),
        "moderator": UserFactory(username="moderator-a", role=Role.MODERATOR),
        "finance": UserFactory(username="finance-a", role=Role.FINANCE),
    }


def _reports() -> list[Notification]:
    return list(Notification.objects.filter(kind="csat_report").order_by("recipient__username"))


def test_first_working_day_skips_the_weekend() -> None:
    assert first_working_day(date(2026, 11, 20)) == date(2026, 11, 2)  # 1 Nov 2026 is a Sunday
    assert first_working_day(date(2026, 8, 31)) == date(2026, 8, 3)  # 1 Aug a Saturday
    assert first_working_day(date(2026, 12, 9)) == date(2026, 12, 1)


def test_monthly_report_goes_to_support_and_moderators_on_the_first_working_day_once(
    staff: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    ReportResponseFactory(created_at=at(2026, 10, 20), overall=5, category="technical")
    ReportResponseFactory(created_at=at(2026, 10, 21), overall=2, category="technical")

    assert feedback_reports_send(now=at(2026, 11, 1, 9)) == {"alerts": 0, "monthly": 0, "quarterly": 0}  # Sunday
    assert not _reports()
    with django_capture_on_commit_callbacks(execute=True):
        summary = feedback_reports_send(now=at(2026, 11, 2, 0, 5))

    assert summary == {"alerts": 0, "monthly": 2, "quarterly": 0}
    reports = _reports()
    assert [note.recipient.username for note in reports] == ["moderator-a", "support-a"]
    assert reports[0].title == "Monthly CSAT report 2026-10: 50 % (target 90 %)"
    assert "CSAT: 50 % (1 of 2 answers satisfied), target 90 %." in reports[0].body
    assert "- Technical: 50 % of 2 answers (below target)" in reports[0].body
    assert reports[0].link == "/admin/feedback/actionplan/report/?period=2026-10"
    assert sorted(message.to[0] for message in mail.outbox) == ["moderator-a@example.com", "support-a@example.com"]
    assert feedback_reports_send(now=at(2026, 11, 2, 1, 5))["monthly"] == 0
    assert len(_reports()) == 2


def test_quarterly_report_on_the_first_working_day_after_the_quarter(staff: dict[str, Any]) -> None:
    ReportResponseFactory(created_at=at(2026, 8, 20), overall=5)

    summary = feedback_reports_send(now=at(2026, 10, 1, 6))

    assert summary == {"alerts": 0, "monthly": 2, "quarterly": 2}
    titles = sorted(note.title for note in _reports() if note.recipient.username == "support-a")
    assert titles == [
        "Monthly CSAT report 2026-09: — (target 90 %)",
        "Quarterly CSAT report 2026-Q3: 100 % (target 90 %)",
    ]
    assert set(ReportDispatch.objects.values_list("kind", "period")) == {
        ("monthly", "2026-09"),
        ("quarterly", "2026-Q3"),
    }
    assert feedback_reports_send(now=at(2026, 11, 2, 6))["quarterly"] == 0  # not a quarter's first month


def test_a_category_below_target_alerts_its_owners_once(staff: dict[str, Any], settings: Any) -> None:
    settings.FEEDBACK_ALERT_MIN_RESPONSES = 4
    shipping_owner = CategoryOwnerFactory(category="shipping_delivery", user=staff["support"]).user
    CategoryOwnerFactory(category="technical", user=staff["moderator"])
    for overall in (5, 5, 2, 1):
        ReportResponseFactory(created_at=at(2026, 12, 2), overall=overall, category="shipping_delivery")
    for overall in (1, 1, 1):  # below target, but too few answers to tell
        ReportResponseFactory(created_at=at(2026, 12, 2), overall=overall, category="technical")
    ReportDispatch.objects.create(kind="monthly", period="2026-11", created_at=at(2026, 12, 1))

    summary = feedback_reports_send(now=at(2026, 12, 7, 10))

    assert summary["alerts"] == 1
    (alert,) = Notification.objects.filter(kind="csat_alert")
    assert alert.recipient == shipping_owner
    assert alert.title == "Shipping and delivery: CSAT 50 % this month, below the 90 % target"
    assert feedback_reports_send(now=at(2026, 12, 7, 11))["alerts"] == 0
    assert Notification.objects.filter(kind="csat_alert").count() == 1


def test_issues_rising_sharply_alert_the_owners(staff: dict[str, Any], settings: Any) -> None:
    settings.FEEDBACK_RISING_MIN_ISSUES = 3
    owner = CategoryOwnerFactory(category="payment_billing", user=staff["finance"]).user
    ReportDispatch.objects.create(kind="monthly", period="2026-11", created_at=at(2026, 12, 1))
    ReportEntryFactory(created_at=at(2026, 11, 2), category="payment_billing")  # same days last month: 1
    ReportEntryFactory(created_at=at(2026, 11, 20), category="payment_billing")  # later last month: not compared
    for day in (2, 3, 4):
        ReportEntryFactory(created_at=at(2026, 12, day), category="payment_billing", body="Charged twice")

    summary = feedback_reports_send(now=at(2026, 12, 7, 10))

    assert summary["alerts"] == 1
    (alert,) = Notification.objects.filter(kind="csat_alert")
    assert (alert.recipient, alert.title) == (owner, "Payment and billing: 3 issues this month so far, up from 1")
    assert ReportDispatch.objects.filter(kind="rising", period="2026-12", category="payment_billing").exists()


def test_the_sweep_is_registered() -> None:
    assert get_sweep("feedback_reports").function(now=at(2026, 12, 6)) == {"alerts": 0, "monthly": 0, "quarterly": 0}


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_sweeps_at_once_send_each_report_once() -> None:
    UserFactory(username="support-b", role=Role.SUPPORT)
    ReportResponseFactory(created_at=at(2026, 11, 20), overall=5)

    results = run_at_once(4, lambda index: feedback_reports_send(now=at(2026, 12, 1, 6)))

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sorted(result["monthly"] for result in results) == [0, 0, 0, 1]  # type: ignore[index]
    assert Notification.objects.filter(kind="csat_report").count() == 1
