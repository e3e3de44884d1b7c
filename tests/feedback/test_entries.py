"""The feedback log service and staff re-categorisation (audited; nothing changes, nothing is
recorded; refused without the permission)."""

import pytest

from core.exceptions import Forbidden, InvalidInput
from feedback.models import FeedbackEntry, Recategorisation
from feedback.services.entries import feedback_log, feedback_recategorise
from tests.accounts.factories import BuyerFactory, StaffFactory, UserFactory
from tests.feedback.factories import T0, CategoryRuleFactory, FeedbackEntryFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db


def test_feedback_is_logged_with_the_rules_category_and_kind() -> None:
    CategoryRuleFactory(keyword="coupon", category="payment_billing", position=1)
    CategoryRuleFactory(keyword="please add", category="", marks_feature_request=True, position=2)
    alice = BuyerFactory()

    entry = feedback_log(
        interface="checkout", body=" Please ADD a coupon field ", user=alice, rating="3", page="/orders/", now=T0
    )

    entry.refresh_from_db()
    assert (entry.body, entry.rating, entry.user_id, entry.page, entry.created_at) == (
        "Please ADD a coupon field",
        3,
        alice.pk,
        "/orders/",
        T0,
    )
    assert (entry.category, entry.category_source, entry.kind) == ("payment_billing", "rule", "feature_request")


def test_the_visitors_choice_wins_over_the_rules() -> None:
    CategoryRuleFactory(keyword="coupon", category="payment_billing")
    entry = feedback_log(interface="checkout", body="coupon", user=None, category="technical", now=T0)
    assert (entry.category, entry.category_source, entry.kind, entry.user_id) == ("technical", "user", "feedback", None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"interface": "kitchen"}, "interface"),
        ({"body": ""}, "body"),
        ({"body": "x" * 2001}, "body"),
        ({"rating": 6}, "rating"),
        ({"category": "weather"}, "category"),
        ({"page": "/a\nb"}, "page"),
    ],
)
def test_bad_feedback_is_refused_on_its_field(fields, field) -> None:
    with pytest.raises(InvalidInput) as refused:
        feedback_log(**{"interface": "checkout", "body": "Hi", "user": None, "now": T0, **fields})
    assert refused.value.field == field
    assert FeedbackEntry.objects.count() == 0


def test_staff_recategorise_an_answer_and_the_change_is_audited() -> None:
    support = StaffFactory()
    answer = SurveyResponseFactory(category="technical", category_source="rule")

    audit = feedback_recategorise(
        target=answer,
        category="shipping_delivery",
        is_feature_request=True,
        reason="About the parcel",
        actor=support,
        now=T0,
    )

    answer.refresh_from_db()
    assert (answer.category, answer.category_source, answer.is_feature_request) == ("shipping_delivery", "staff", True)
    assert audit is not None
    assert (audit.response_id, audit.entry_id, audit.actor_id, audit.reason, audit.created_at) == (
        answer.pk,
        None,
        support.pk,
        "About the parcel",
        T0,
    )
    assert (audit.from_category, audit.to_category, audit.from_feature_request, audit.to_feature_request) == (
        "technical",
        "shipping_delivery",
        False,
        True,
    )


def test_recategorising_an_entry_sets_its_kind() -> None:
    entry = FeedbackEntryFactory(category="", kind="feedback")
    feedback_recategorise(target=entry, category="", is_feature_request=True, actor=StaffFactory(), now=T0)
    entry.refresh_from_db()
    assert (entry.kind, entry.category_source) == ("feature_request", "staff")


def test_no_change_records_nothing() -> None:
    entry = FeedbackEntryFactory(category="product", kind="feedback")
    assert (
        feedback_recategorise(target=entry, category="product", is_feature_request=False, actor=StaffFactory(), now=T0)
        is None
    )
    assert Recategorisation.objects.count() == 0


def test_who_may_not_recategorise_changes_nothing() -> None:
    entry = FeedbackEntryFactory(category="product")
    for user in (BuyerFactory(), UserFactory(role="finance")):
        with pytest.raises(Forbidden):
            feedback_recategorise(target=entry, category="technical", is_feature_request=False, actor=user, now=T0)
    entry.refresh_from_db()
    assert entry.category == "product"
    assert Recategorisation.objects.count() == 0
