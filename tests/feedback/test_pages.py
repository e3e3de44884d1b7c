"""The survey page (no login, GET records nothing, POST answers, thank you; expired 410, answered
409, unknown 404; bad input re-shown 400 with nothing stored), the customer's open surveys, and
the "Feedback" control on every page and its form (anonymous allowed, rate limited, back to the
page with a thank-you)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from feedback.models import FeedbackEntry, InvitationStatus, SurveyResponse
from feedback.pages import interface_for_path, safe_back
from tests.accounts.factories import BuyerFactory
from tests.feedback.factories import SurveyInvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation():  # type: ignore[no-untyped-def]
    now = timezone.now()
    return SurveyInvitationFactory(
        about_label="Request HD-000042", sent_at=now - timedelta(hours=1), expires_at=now + timedelta(days=3)
    )


def test_the_survey_opens_without_login_and_the_get_records_nothing(client, invitation) -> None:
    response = client.get(f"/surveys/{invitation.token}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "How did we do?" in html
    assert "Request HD-000042" in html
    assert html.count('name="overall"') == 5
    assert 'name="csrfmiddlewaretoken"' in html
    assert "feedback-dialog" not in html  # no feedback control on the survey itself
    invitation.refresh_from_db()
    assert (invitation.status, invitation.answered_at) == (InvitationStatus.SENT, None)
    assert SurveyResponse.objects.count() == 0


def test_answering_shows_thank_you_and_reopening_shows_already_answered(client, invitation) -> None:
    response = client.post(
        f"/surveys/{invitation.token}/",
        {"overall": "5", "ease": "4", "clear_solution": "yes", "response_time_ok": "no", "issues": "Slow at first"},
    )

    assert response.status_code == 200
    assert "Thank you!" in response.content.decode()
    answer = SurveyResponse.objects.get()
    assert (answer.overall, answer.ease, answer.clear_solution, answer.response_time_ok, answer.issues) == (
        5,
        4,
        True,
        False,
        "Slow at first",
    )
    again = client.get(f"/surveys/{invitation.token}/")
    assert again.status_code == 409
    assert "Already answered, thank you" in again.content.decode()
    assert client.post(f"/surveys/{invitation.token}/", {"overall": "1"}).status_code == 409
    assert SurveyResponse.objects.get().overall == 5


def test_a_survey_without_a_rating_is_shown_again_with_the_message(client, invitation) -> None:
    response = client.post(f"/surveys/{invitation.token}/", {"issues": "keep me"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Tap a number from 1 (very unhappy) to 5 (very happy)." in html
    assert "keep me" in html
    assert SurveyResponse.objects.count() == 0


def test_the_survey_post_needs_the_csrf_token(invitation) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"/surveys/{invitation.token}/", {"overall": "5"}).status_code == 403
    assert SurveyResponse.objects.count() == 0


def test_an_expired_survey_is_a_friendly_410_and_an_unknown_one_404(client) -> None:
    now = timezone.now()
    expired = SurveyInvitationFactory(sent_at=now - timedelta(days=20), expires_at=now - timedelta(days=6))

    response = client.get(f"/surveys/{expired.token}/")
    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()
    assert client.post(f"/surveys/{expired.token}/", {"overall": "5"}).status_code == 410
    assert client.get("/surveys/no-such-token/").status_code == 404
    assert SurveyResponse.objects.count() == 0


def test_my_surveys_lists_the_open_ones(client, invitation, django_assert_max_num_queries) -> None:
    client.force_login(invitation.customer)
    SurveyInvitationFactory(status=InvitationStatus.ANSWERED, customer=invitation.customer)

    with django_assert_max_num_queries(6):  # session, user, unread count, invitations (+ savepoints)
        response = client.get("/surveys/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("survey-list-item") == 1
    assert f"/surveys/{invitation.token}/" in html


@pytest.mark.parametrize(
    ("path", "interface"),
    [
        ("/seller/reviews/", "seller_dashboard"),
        ("/messages/12/", "messaging"),
        ("/support/new/", "support"),
        ("/help/track-an-order/", "support"),
        ("/reviews/", "reviews"),
        ("/orders/3/", "checkout"),
        ("/", "product_page"),
    ],
)
def test_the_interface_follows_the_page(path, interface) -> None:
    assert interface_for_path(path) == interface


def test_only_this_sites_pages_are_gone_back_to() -> None:
    assert [safe_back(path) for path in ("/orders/?page=2", "//evil.example", "https://evil.example/", "")] == [
        "/orders/?page=2",
        "/",
        "/",
        "/",
    ]


def test_every_page_carries_the_feedback_control_with_the_pages_interface(client) -> None:
    client.force_login(BuyerFactory())
    html = client.get("/support/").content.decode()

    assert 'href="/feedback/?from=/support/"' in html
    assert 'id="feedback-dialog"' in html
    assert '<input type="hidden" name="interface" value="support">' in html


def test_an_anonymous_visitor_leaves_feedback_and_goes_back_with_thanks(client) -> None:
    page = client.get("/feedback/?from=/help/")
    assert page.status_code == 200
    assert '<option value="support" selected>' in page.content.decode()

    response = client.post(
        "/feedback/",
        {"interface": "support", "rating": "2", "body": "Search finds nothing", "back": "/help/"},
        follow=True,
    )

    assert response.redirect_chain == [("/help/", 302)]
    assert "Thank you for your feedback" in response.content.decode()
    entry = FeedbackEntry.objects.get()
    assert (entry.user_id, entry.interface, entry.rating, entry.body, entry.page) == (
        None,
        "support",
        2,
        "Search finds nothing",
        "/help/",
    )


def test_a_signed_in_users_feedback_is_theirs_and_never_goes_back_off_site(client) -> None:
    alice = BuyerFactory()
    client.force_login(alice)
    response = client.post("/feedback/", {"interface": "checkout", "body": "Fine", "back": "https://evil.example/"})
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    assert FeedbackEntry.objects.get().user_id == alice.pk


def test_empty_feedback_is_shown_again_and_nothing_is_logged(client) -> None:
    response = client.post("/feedback/", {"interface": "checkout", "body": "  ", "back": "/orders/"})
    assert response.status_code == 400
    assert FeedbackEntry.objects.count() == 0


def test_the_feedback_form_is_rate_limited_per_address(client, settings) -> None:
    settings.FEEDBACK_LOG_RATE = "2/minute"
    statuses = [
        client.post("/feedback/", {"interface": "checkout", "body": f"Note {n}", "back": "/"}).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert FeedbackEntry.objects.count() == 2


def test_an_empty_survey_post_says_what_is_missing(client, invitation) -> None:
    response = client.post(f"/surveys/{invitation.token}/", {})
    assert response.status_code == 400
    assert "Tap a number from 1 (very unhappy) to 5 (very happy)." in response.content.decode()
    assert SurveyResponse.objects.count() == 0
