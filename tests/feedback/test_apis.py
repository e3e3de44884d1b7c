"""The surveys and feedback log API: the caller's open invitations; a survey by its token with no
login (GET records nothing); the answer 201 / 400 on the field / 404 / 409 / 410; the feedback
log 201 categorised, 400 on the field, 401 anonymous; throttles."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.models import FeedbackEntry, InvitationStatus, SurveyInvitation, SurveyResponse
from tests.accounts.factories import BuyerFactory
from tests.feedback.factories import CategoryRuleFactory, ScheduledInvitationFactory, SurveyInvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_invitation():  # type: ignore[no-untyped-def]
    now = timezone.now()
    return SurveyInvitationFactory(
        about_label="Request HD-000042", sent_at=now - timedelta(hours=1), expires_at=now + timedelta(days=3)
    )


def test_the_list_is_the_callers_open_invitations_only(client_for, django_assert_num_queries) -> None:
    now = timezone.now()
    alice = BuyerFactory()
    later = SurveyInvitationFactory(customer=alice, sent_at=now, expires_at=now + timedelta(days=9))
    sooner = SurveyInvitationFactory(customer=alice, sent_at=now, expires_at=now + timedelta(days=2))
    SurveyInvitationFactory(customer=alice, sent_at=now - timedelta(days=20), expires_at=now - timedelta(days=6))
    SurveyInvitationFactory(customer=alice, status=InvitationStatus.ANSWERED)
    ScheduledInvitationFactory(customer=alice)
    SurveyInvitationFactory(sent_at=now, expires_at=now + timedelta(days=2))  # someone else's
    client = client_for(alice)

    with django_assert_num_queries(3):  # token with its user, count, page
        response = client.get("/api/v1/surveys/")

    assert response.status_code == 200
    assert [row["token"] for row in response.json()["results"]] == [sooner.token, later.token]
    assert set(response.json()["results"][0]) == {"token", "about", "expires_at"}


def test_the_list_refuses_an_unknown_parameter(client_for) -> None:
    response = client_for(BuyerFactory()).get("/api/v1/surveys/?status=sent")
    assert response.status_code == 400
    assert "status" in response.json()


def test_a_survey_opens_without_login_and_the_get_records_nothing(api_client, open_invitation) -> None:
    response = api_client.get(f"/api/v1/surveys/{open_invitation.token}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["about"], body["about_type"]) == ("Request HD-000042", "ticket")
    assert [question["name"] for question in body["questions"]] == [
        "overall",
        "ease",
        "clear_solution",
        "response_time_ok",
        "issues",
        "suggestions",
        "category",
    ]
    open_invitation.refresh_from_db()
    assert (open_invitation.status, open_invitation.answered_at) == (InvitationStatus.SENT, None)


def test_an_answer_is_201_with_the_answer(api_client, open_invitation) -> None:
    CategoryRuleFactory(keyword="refund", category="payment_billing")
    response = api_client.post(
        f"/api/v1/surveys/{open_invitation.token}/",
        {"overall": 5, "ease": 4, "clear_solution": True, "issues": "The refund was slow"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json() | {"created_at": None} == {
        "overall": 5,
        "satisfied": True,
        "ease": 4,
        "clear_solution": True,
        "response_time_ok": None,
        "issues": "The refund was slow",
        "suggestions": "",
        "category": "payment_billing",
        "is_feature_request": False,
        "created_at": None,
    }
    assert SurveyResponse.objects.get().invitation_id == open_invitation.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "overall"),
        ({"overall": 7}, "overall"),
        ({"overall": 5, "ease": "x"}, "ease"),
        ({"overall": 5, "x": 1}, "x"),
    ],
)
def test_a_bad_answer_is_400_on_its_field(api_client, open_invitation, body, field) -> None:
    response = api_client.post(f"/api/v1/surveys/{open_invitation.token}/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert SurveyResponse.objects.count() == 0


def test_an_expired_survey_is_410_a_reused_one_409_an_unknown_one_404(api_client, open_invitation) -> None:
    now = timezone.now()
    expired = SurveyInvitationFactory(sent_at=now - timedelta(days=15), expires_at=now - timedelta(days=1))
    url = f"/api/v1/surveys/{open_invitation.token}/"
    assert api_client.post(url, {"overall": 3}, format="json").status_code == 201

    again = api_client.post(url, {"overall": 5}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_answered")
    assert api_client.get(url).status_code == 409
    gone = api_client.post(f"/api/v1/surveys/{expired.token}/", {"overall": 5}, format="json")
    assert (gone.status_code, gone.json()["code"]) == (410, "expired")
    assert api_client.get(f"/api/v1/surveys/{expired.token}/").status_code == 410
    assert api_client.post("/api/v1/surveys/nope/", {"overall": 5}, format="json").status_code == 404
    assert api_client.post("/api/v1/surveys/a%00b/", {"overall": 5}, format="json").status_code == 404
    assert api_client.get("/api/v1/surveys/a%00b/").status_code == 404
    assert list(SurveyResponse.objects.values_list("overall", flat=True)) == [3]


def test_the_survey_links_are_throttled_per_client(api_client, open_invitation, settings) -> None:
    settings.FEEDBACK_SURVEY_RATE = "3/minute"
    statuses = [api_client.get(f"/api/v1/surveys/{open_invitation.token}/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_logged_feedback_is_201_and_categorised(client_for) -> None:
    CategoryRuleFactory(keyword="wishlist", category="platform_features", marks_feature_request=True)
    alice = BuyerFactory()

    response = client_for(alice).post(
        "/api/v1/feedback/",
        {"interface": "product_page", "body": "Please add a wishlist", "rating": 4, "page": "/products/7/"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    entry = FeedbackEntry.objects.get()
    assert (entry.user_id, entry.interface, entry.rating, entry.page) == (alice.pk, "product_page", 4, "/products/7/")
    assert (entry.category, entry.category_source, entry.kind) == ("platform_features", "rule", "feature_request")
    assert response.json()["kind"] == "feature_request"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "Hi"}, "interface"),
        ({"interface": "kitchen", "body": "Hi"}, "interface"),
        ({"interface": "checkout", "body": "  "}, "body"),
        ({"interface": "checkout", "body": "Hi", "rating": 0}, "rating"),
        ({"interface": "checkout", "body": "Hi", "category": "x"}, "category"),
    ],
)
def test_bad_feedback_is_400_on_its_field(client_for, body, field) -> None:
    response = client_for(BuyerFactory()).post("/api/v1/feedback/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert FeedbackEntry.objects.count() == 0


def test_anonymous_feedback_through_the_api_is_401(api_client) -> None:
    response = api_client.post("/api/v1/feedback/", {"interface": "checkout", "body": "Hi"}, format="json")
    assert response.status_code == 401
    assert FeedbackEntry.objects.count() == 0


def test_the_feedback_log_is_throttled_per_user(client_for, settings) -> None:
    settings.FEEDBACK_LOG_RATE = "2/minute"
    client = client_for(BuyerFactory())
    statuses = [
        client.post("/api/v1/feedback/", {"interface": "checkout", "body": "Hi"}, format="json").status_code
        for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
    assert SurveyInvitation.objects.count() == 0
    assert FeedbackEntry.objects.count() == 2
