"""The console index's 12-month trend of the platform's inquiries answered within 4 hours
(issue 14), drawn by ``core.charts`` with the ``INQUIRIES_TARGET_PCT`` line."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Role
from inquiries.services.messaging import message_post
from inquiries.services.sweep import inquiries_escalate_overdue
from tests.accounts.factories import UserFactory
from tests.inquiries.test_admin import client_for, open_question

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
ROW = re.compile(
    r'<tr><th scope="row">(?P<month>\d{4}-\d{2})</th><td>(?P<pct>[^<]+)</td><td>(?P<count>[^<]*)</td></tr>'
)


def answered(*, opened: datetime, after: timedelta) -> None:
    conversation = open_question(subject="Does it fit?", opened=opened)
    member = conversation.seller.memberships.get().user
    message_post(conversation=conversation, author=member, body="Yes it does.", now=opened + after)


def test_index_charts_the_platforms_months_against_the_target() -> None:
    april = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)
    answered(opened=april, after=timedelta(hours=1))
    open_question(subject="Nobody answers", opened=april)
    inquiries_escalate_overdue(now=april + timedelta(hours=5))
    answered(opened=datetime(2026, 5, 4, 9, 0, tzinfo=UTC), after=timedelta(minutes=30))
    with time_machine.travel(NOW, tick=False):
        page = client_for(UserFactory(role=Role.SUPPORT)).get(reverse("admin:index")).content.decode()
    start = page.index('id="sp-response-trend-svg-title"')
    chart = page[start : page.index("</table>", start)]
    rows = {match["month"]: (match["pct"], match["count"]) for match in ROW.finditer(chart)}
    assert list(rows) == [f"2025-{m:02d}" for m in range(6, 13)] + [f"2026-{m:02d}" for m in range(1, 6)]
    assert rows["2026-04"] == ("50 %", "2") and rows["2026-05"] == ("100 %", "1")
    assert rows["2026-03"] == ("no data", "0")
    assert "Inquiries answered within 4 hours, platform-wide, by month</title>" in chart
    assert "target 90 %" in chart
    assert chart.count('class="chart-bar is-below"') == 1  # April, under the line
