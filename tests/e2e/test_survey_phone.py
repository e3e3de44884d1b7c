"""A customer answers a satisfaction survey from the email's link on a phone-sized screen
(375 x 667): the survey sweep mails the invitation (locmem outbox), the link opens without a
login, one tap on 5 and a couple of optional answers, then thank you; opening the link again says
it is already answered. Screenshots in ``tests/e2e/screenshots/``."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from feedback.models import SurveyResponse
from feedback.services.invitations import survey_request
from feedback.services.sweep import surveys_send_due
from tests.accounts.factories import BuyerFactory
from tests.e2e.test_inquiries_flow import shoot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("staff_groups")]


def test_a_customer_answers_the_survey_from_the_email_on_a_phone(
    page: Page, live_server, request: pytest.FixtureRequest
) -> None:
    now = timezone.now()
    customer = BuyerFactory(username="carla", first_name="Carla", email="carla@example.com")
    survey_request(
        about_type="ticket",
        about_id=4242,
        about_label="Request HD-004242: my invoice is wrong",
        customer=customer,
        channel="web",
        resolved_at=now - timedelta(hours=1),
        now=now - timedelta(hours=1),
    )
    mail.outbox.clear()
    assert surveys_send_due(now=now) == 1  # its emails are sent on commit (eager tasks in tests)
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+(/surveys/[\w-]+/)", mail.outbox[0].body)
    assert link is not None, mail.outbox[0].body
    survey_url = live_server.url + link.group(1)

    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(survey_url)
    expect(page.get_by_role("heading", name="How did we do?", level=1)).to_be_visible()
    expect(page.get_by_text("Request HD-004242: my invoice is wrong")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    shoot(page, request, "1-survey", mobile_too=False)

    overall = page.get_by_role("group", name="Overall, how satisfied are you?")
    overall.get_by_text("5", exact=True).click()
    expect(overall.get_by_role("radio", name="5")).to_be_checked()
    page.get_by_role("group", name=re.compile("How easy was it")).get_by_text("4", exact=True).click()
    page.get_by_role("group", name=re.compile("Was the solution clear")).get_by_text("Yes", exact=True).click()
    page.get_by_label("What could we improve?").fill("Tell me sooner when an invoice is reissued.")
    page.get_by_role("button", name="Send my answer").click()

    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    shoot(page, request, "2-thanks", mobile_too=False)
    answer = SurveyResponse.objects.get()
    assert (answer.overall, answer.ease, answer.clear_solution, answer.satisfied) == (5, 4, True, True)
    assert answer.suggestions == "Tell me sooner when an invoice is reissued."

    page.goto(survey_url)
    expect(page.get_by_role("heading", name="Already answered, thank you")).to_be_visible()
    shoot(page, request, "3-already-answered", mobile_too=False)
    assert SurveyResponse.objects.count() == 1
