"""Feedback's part of a customer's console timeline: their survey answers and the feedback they
sent, newest first, nobody else's, in the same two statements however many there are."""

from datetime import timedelta

import pytest

from core.timeline import customer_timeline
from feedback.timeline import customer_entries
from tests.accounts.factories import BuyerFactory
from tests.feedback.factories import T0, FeedbackEntryFactory, SurveyInvitationFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db


def _answer(customer, *, overall: int, minutes: int, issues: str = ""):  # type: ignore[no-untyped-def]
    invitation = SurveyInvitationFactory(customer=customer, status="answered", about_label="Request HD-7")
    return SurveyResponseFactory(
        invitation=invitation, overall=overall, issues=issues, created_at=T0 + timedelta(minutes=minutes)
    )


def test_the_customers_answers_and_feedback_show_newest_first_and_nobody_elses() -> None:
    alice, bob = BuyerFactory(), BuyerFactory()
    _answer(alice, overall=2, minutes=1, issues="The refund took a week")
    FeedbackEntryFactory(
        user=alice, interface="checkout", rating=3, category="payment_billing", created_at=T0 + timedelta(minutes=2)
    )
    _answer(bob, overall=5, minutes=3)
    FeedbackEntryFactory(user=bob, created_at=T0 + timedelta(minutes=4))

    entries = customer_entries(alice.pk, limit=10, before=None)

    assert [(entry.kind, entry.status) for entry in entries] == [
        ("survey_answer", "Not satisfied"),
        ("feedback", "Payment and billing"),
    ]
    page = customer_timeline(alice.pk, limit=10)
    feedback_rows = [
        (entry.kind, entry.title, entry.status, entry.summary) for entry in page.entries if entry.app == "feedback"
    ]
    assert feedback_rows == [
        ("feedback", "Feedback from the checkout (3/5)", "Payment and billing", "The coupon field is hard to find."),
        ("survey_answer", "Survey answer 2/5 about Request HD-7", "Not satisfied", "The refund took a week"),
    ]
    assert all(entry.url.startswith("/admin/feedback/") for entry in page.entries if entry.app == "feedback")


def test_before_pages_to_older_entries_only() -> None:
    alice = BuyerFactory()
    _answer(alice, overall=5, minutes=1)
    _answer(alice, overall=4, minutes=5)

    older = customer_entries(alice.pk, limit=10, before=T0 + timedelta(minutes=5))

    assert [entry.title for entry in older] == ["Survey answer 5/5 about Request HD-7"]


def test_the_statements_do_not_grow_with_the_history(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    alice = BuyerFactory()
    for minute in range(3):
        _answer(alice, overall=4, minutes=minute)
    with django_assert_num_queries(2):
        customer_entries(alice.pk, limit=2, before=None)
    for minute in range(3, 40):
        _answer(alice, overall=4, minutes=minute)
        FeedbackEntryFactory(user=alice, created_at=T0 + timedelta(minutes=minute))
    with django_assert_num_queries(2):
        assert len(customer_entries(alice.pk, limit=2, before=None)) == 4
