"""Feedback in the console: the lists open with a constant number of queries; an answer or an
entry is re-categorised from its page or in bulk (audited); the keyword rules are edited and
tested; finance reads but may not re-categorise."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from feedback.models import CategoryRule, FeedbackEntry, Recategorisation
from tests.accounts.factories import StaffFactory, UserFactory
from tests.feedback.factories import (
    CategoryRuleFactory,
    FeedbackEntryFactory,
    SurveyInvitationFactory,
    SurveyResponseFactory,
)
from tests.utils import form_token

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("model", "factory"),
    [
        ("surveyinvitation", SurveyInvitationFactory),
        ("surveyresponse", SurveyResponseFactory),
        ("feedbackentry", FeedbackEntryFactory),
        ("categoryrule", CategoryRuleFactory),
    ],
)
def test_each_list_opens_with_a_constant_number_of_queries(model, factory, django_assert_max_num_queries) -> None:
    client = logged_in(StaffFactory())
    url = reverse(f"admin:feedback_{model}_changelist")
    factory.create_batch(2)
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200
    factory.create_batch(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_an_answer_is_recategorised_from_its_page_and_audited() -> None:
    support = StaffFactory()
    answer = SurveyResponseFactory(category="technical", issues="Late parcel")
    client = logged_in(support)
    url = reverse("admin:feedback_surveyresponse_recategorise", args=[answer.pk])
    assert (
        "Re-categorise…"
        in client.get(reverse("admin:feedback_surveyresponse_change", args=[answer.pk])).content.decode()
    )

    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {"category": "shipping_delivery", "reason": "Parcel", "form_token": form_token(page.content.decode())},
    )

    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.category, answer.category_source) == ("shipping_delivery", "staff")
    audit = Recategorisation.objects.get()
    assert (audit.actor_id, audit.from_category, audit.to_category, audit.reason) == (
        support.pk,
        "technical",
        "shipping_delivery",
        "Parcel",
    )


def test_a_recategorisation_without_a_reason_is_refused_and_changes_nothing() -> None:
    answer = SurveyResponseFactory(category="technical")
    url = reverse("admin:feedback_surveyresponse_recategorise", args=[answer.pk])
    response = logged_in(StaffFactory()).post(url, {"category": "product"})
    assert response.status_code == 400
    answer.refresh_from_db()
    assert answer.category == "technical"
    assert Recategorisation.objects.count() == 0


def test_finance_reads_answers_but_may_not_recategorise() -> None:
    answer = SurveyResponseFactory(category="technical")
    client = logged_in(UserFactory(role="finance"))
    assert client.get(reverse("admin:feedback_surveyresponse_change", args=[answer.pk])).status_code == 200
    url = reverse("admin:feedback_surveyresponse_recategorise", args=[answer.pk])
    assert client.post(url, {"category": "product", "reason": "x"}).status_code == 403
    answer.refresh_from_db()
    assert answer.category == "technical"


def test_entries_are_recategorised_in_bulk_after_asking_the_reason() -> None:
    entries = FeedbackEntryFactory.create_batch(2, category="")
    client = logged_in(StaffFactory())
    url = reverse("admin:feedback_feedbackentry_changelist")
    selected = {"action": "recategorise_selected", "_selected_action": [entry.pk for entry in entries]}

    asked = client.post(url, selected)
    assert asked.status_code == 200
    assert Recategorisation.objects.count() == 0
    done = client.post(
        url, {**selected, "apply": "1", "category": "technical", "is_feature_request": "on", "reason": "Bugs"}
    )

    assert done.status_code == 302
    assert set(FeedbackEntry.objects.values_list("category", "kind")) == {("technical", "feature_request")}
    assert Recategorisation.objects.count() == 2


def test_staff_add_a_rule_and_test_a_text_against_the_rules() -> None:
    support = StaffFactory()
    client = logged_in(support)
    response = client.post(
        reverse("admin:feedback_categoryrule_add"),
        {"keyword": "  Late   Parcel ", "category": "shipping_delivery", "position": "10", "is_active": "on"},
    )
    assert response.status_code == 302
    rule = CategoryRule.objects.get()
    assert (rule.keyword, rule.created_by_id) == ("late parcel", support.pk)

    tested = client.post(reverse("admin:feedback_categoryrule_test"), {"text": "My LATE parcel never came"})
    html = tested.content.decode()
    assert tested.status_code == 200
    assert "Shipping and delivery (by a keyword rule)" in html
