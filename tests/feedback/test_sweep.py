"""The survey sweep: due invitations are sent once (in-app and email with the token link), a
reminder goes once to who has not answered while the link is valid; statements per batch do not
grow with the rows due; on PostgreSQL sweeps at once send each invitation once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.sweeps import get_sweep
from feedback.models import InvitationStatus, SurveyInvitation
from feedback.services.answers import survey_answer
from feedback.services.invitations import survey_request, survey_withdraw
from feedback.services.sweep import feedback_sweep, surveys_remind, surveys_send_due
from notifications.models import Notification
from tests.accounts.factories import BuyerFactory
from tests.feedback.factories import T0, ScheduledInvitationFactory, SurveyInvitationFactory
from tests.utils import requires_postgres, run_at_once

pytestmark = pytest.mark.django_db
# probe, savepoint, claim and mark, notices (INSERT ... SELECT), release
STATEMENTS = 5
DAY = timedelta(days=1)


def test_the_sweep_is_registered() -> None:
    assert get_sweep("feedback_surveys").function(now=T0) == {"sent": 0, "reminded": 0}


def test_a_due_invitation_is_sent_once_in_app_and_by_email_with_its_link(
    settings, django_capture_on_commit_callbacks
) -> None:
    settings.SITE_URL = "https://desk.example.com"
    alice = BuyerFactory(username="alice", email="alice@example.com")
    invitation = ScheduledInvitationFactory(customer=alice, about_label="Request HD-000042", send_after=T0)
    ScheduledInvitationFactory(send_after=T0 + timedelta(hours=1))  # not yet

    with django_capture_on_commit_callbacks(execute=True):
        assert feedback_sweep(now=T0) == {"sent": 1, "reminded": 0}

    invitation.refresh_from_db()
    assert (invitation.status, invitation.sent_at, invitation.expires_at) == ("sent", T0, T0 + 14 * DAY)
    notice = Notification.objects.get(recipient=alice)
    assert (notice.kind, notice.title, notice.link) == (
        "survey_invitation",
        "How did we do? Request HD-000042",
        f"/surveys/{invitation.token}/",
    )
    assert notice.body.startswith("How did we do with Request HD-000042?")
    assert "until 7 December 2026" in notice.body
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    assert f"https://desk.example.com/surveys/{invitation.token}/" in mail.outbox[0].body
    assert feedback_sweep(now=T0 + timedelta(minutes=1)) == {"sent": 0, "reminded": 0}
    assert Notification.objects.count() == 1


def test_an_interaction_reopened_before_the_delay_is_never_surveyed() -> None:
    customer = BuyerFactory()
    survey_request(
        about_type="ticket", about_id=7, about_label="Request", customer=customer, channel="web", resolved_at=T0, now=T0
    )
    survey_withdraw(about_type="ticket", about_id=7, now=T0 + timedelta(minutes=10))

    assert surveys_send_due(now=T0 + timedelta(hours=1)) == 0
    assert SurveyInvitation.objects.get().status == InvitationStatus.WITHDRAWN
    assert Notification.objects.count() == 0


def test_the_reminder_email_carries_the_absolute_link(settings, django_capture_on_commit_callbacks) -> None:
    settings.SITE_URL = "https://desk.example.com"
    waiting = SurveyInvitationFactory(sent_at=T0 - 4 * DAY, expires_at=T0 + 10 * DAY, about_label="Request HD-7")

    with django_capture_on_commit_callbacks(execute=True):
        assert surveys_remind(now=T0) == 1

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[SayPro] A minute for our survey? Request HD-7"
    assert mail.outbox[0].body.startswith("A reminder: how did we do with Request HD-7?")
    assert f"https://desk.example.com/surveys/{waiting.token}/" in mail.outbox[0].body


def test_one_reminder_after_the_wait_and_none_once_answered_or_expired(settings) -> None:
    settings.FEEDBACK_SURVEY_REMINDER_AFTER = 3 * DAY
    waiting = SurveyInvitationFactory(sent_at=T0, expires_at=T0 + 14 * DAY)
    answered = SurveyInvitationFactory(sent_at=T0, expires_at=T0 + 14 * DAY)
    survey_answer(token=answered.token, overall=5, now=T0 + DAY)
    expired = SurveyInvitationFactory(sent_at=T0 - 20 * DAY, expires_at=T0 - 6 * DAY)

    assert surveys_remind(now=T0 + 3 * DAY - timedelta(seconds=1)) == 0
    assert surveys_remind(now=T0 + 3 * DAY) == 1
    assert surveys_remind(now=T0 + 4 * DAY) == 0

    waiting.refresh_from_db()
    assert waiting.reminded_at == T0 + 3 * DAY
    reminder = Notification.objects.get(kind="survey_reminder")
    assert (reminder.recipient_id, reminder.link) == (waiting.customer_id, f"/surveys/{waiting.token}/")
    expired.refresh_from_db()
    assert expired.reminded_at is None


@pytest.mark.parametrize("due", [10, 1000])
def test_statements_per_batch_do_not_grow_with_the_invitations_due(due) -> None:
    customers = BuyerFactory.create_batch(5)
    SurveyInvitation.objects.bulk_create(
        ScheduledInvitationFactory.build(customer=customers[index % 5], about_id=index + 1, send_after=T0)
        for index in range(due)
    )
    with CaptureQueriesContext(connection) as queries:
        assert surveys_send_due(now=T0) == due
    assert len(queries) == STATEMENTS, [query["sql"][:80] for query in queries]
    assert Notification.objects.filter(kind="survey_invitation").count() == due

    SurveyInvitation.objects.update(sent_at=T0 - 4 * DAY)
    with CaptureQueriesContext(connection) as queries:
        assert surveys_remind(now=T0) == due
    assert len(queries) == STATEMENTS, [query["sql"][:80] for query in queries]


def test_a_batch_at_a_time_until_none_is_due(settings) -> None:
    for _ in range(7):
        ScheduledInvitationFactory(send_after=T0)
    assert surveys_send_due(now=T0, batch_size=3) == 7
    assert SurveyInvitation.objects.filter(status="sent", sent_at=T0).count() == 7


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_sweeps_at_once_send_each_invitation_once(settings) -> None:
    settings.FEEDBACK_SWEEP_BATCH_SIZE = 25
    customers = BuyerFactory.create_batch(10)
    for index in range(300):
        ScheduledInvitationFactory(customer=customers[index % 10], send_after=T0)

    results = run_at_once(4, lambda index: surveys_send_due(now=T0))

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(results) == 300  # type: ignore[arg-type]
    assert SurveyInvitation.objects.filter(status="sent").count() == 300
    assert Notification.objects.filter(kind="survey_invitation").count() == 300
    assert surveys_send_due(now=T0) == 0
