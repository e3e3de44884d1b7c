"""One-time form tokens on the messaging pages and the console (``core.idempotency.one_time_form``,
``{% form_token %}``): a doubled submit answers with the first result and writes nothing new."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from inquiries.models import Conversation, Escalation, Message
from inquiries.services.messaging import conversation_open
from inquiries.services.sweep import inquiries_escalate_overdue
from marketplace.models import Seller
from notifications.models import Notification
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import SellerFactory, SellerMemberFactory
from tests.utils import form_token, requires_postgres, run_at_once, submit_twice


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def store(db) -> Seller:  # type: ignore[no-untyped-def]
    seller = SellerFactory(name="Northwind")
    SellerMemberFactory(seller=seller, email="nora@example.com")
    return seller


@pytest.fixture
def buyer(db) -> User:  # type: ignore[no-untyped-def]
    return BuyerFactory(username="bella")


@pytest.fixture
def conversation(store: Seller, buyer: User) -> Conversation:
    return conversation_open(buyer=buyer, seller=store, subject="Stock", body="In blue?", now=timezone.now())


def test_a_double_clicked_reply_posts_one_message_and_both_answer_with_the_first_redirect(buyer, conversation):
    url = reverse("messages-thread", args=[conversation.pk])

    first, second = submit_twice(logged_in(buyer), url, {"body": "Any news?"})

    assert (first.status_code, second.status_code) == (302, 302)
    assert second["Location"] == first["Location"] == url
    assert Message.objects.filter(body="Any news?").count() == 1


def test_each_rendering_of_a_page_has_its_own_tokens(buyer, conversation):
    client = logged_in(buyer)
    url = reverse("messages-thread", args=[conversation.pk])
    page = client.get(url).content.decode()
    assert form_token(page, 0) != form_token(page, 1)  # the reply form and the close form
    assert form_token(page) != form_token(client.get(url).content.decode())


def test_without_a_token_each_post_is_its_own(buyer, conversation):
    client = logged_in(buyer)
    url = reverse("messages-thread", args=[conversation.pk])
    client.post(url, {"body": "Any news?"})
    client.post(url, {"body": "Any news?"})
    assert Message.objects.filter(body="Any news?").count() == 2


def test_a_token_sent_again_with_other_content_writes_nothing_and_says_so(buyer, conversation):
    client = logged_in(buyer)
    url = reverse("messages-thread", args=[conversation.pk])
    token = form_token(client.get(url).content.decode())
    client.post(url, {"body": "Any news?", "form_token": token})

    again = client.post(url, {"body": "Something else", "form_token": token})

    assert again.status_code == 302 and again["Location"] == url
    assert not Message.objects.filter(body="Something else").exists()
    assert "This form had already been sent" in " ".join(str(m) for m in get_messages(again.wsgi_request))


def test_a_refused_submit_keeps_no_token_so_the_corrected_form_is_sent(buyer, conversation):
    client = logged_in(buyer)
    url = reverse("messages-thread", args=[conversation.pk])
    token = form_token(client.get(url).content.decode())

    refused = client.post(url, {"body": "   ", "form_token": token})
    corrected = client.post(url, {"body": "Any news?", "form_token": token})

    assert (refused.status_code, corrected.status_code) == (400, 302)
    assert Message.objects.filter(body="Any news?").count() == 1


def test_a_double_clicked_new_question_opens_one_conversation(buyer, store):
    url = f"{reverse('messages-new')}?seller={store.pk}"

    first, second = submit_twice(logged_in(buyer), url, {"subject": "Sizes", "body": "Does it come in XL?"})

    conversation = Conversation.objects.get(buyer=buyer, subject="Sizes")
    assert first["Location"] == second["Location"] == reverse("messages-thread", args=[conversation.pk])


def test_a_double_clicked_seller_reply_posts_once(store, conversation):
    member = store.memberships.get().user
    client = logged_in(member)
    url = reverse("seller-conversation", args=[conversation.pk])
    token = form_token(client.get(url).content.decode())
    assert client.post(url, {"body": "Yes, in blue.", "form_token": token}).status_code == 302
    notifications = Notification.objects.count()

    assert client.post(url, {"body": "Yes, in blue.", "form_token": token}).status_code == 302

    assert Message.objects.filter(kind="seller").count() == 1
    assert Notification.objects.count() == notifications  # the buyer was told once


def test_a_double_clicked_quick_reply_is_saved_once(store):
    member = store.memberships.get().user
    data = {"title": "Shipping", "body": "We ship in 2 days.", "keywords": "ship"}
    # The add form comes after the library's delete buttons.
    responses = submit_twice(logged_in(member), reverse("seller-quick-replies"), data, nth=-1)
    assert [response.status_code for response in responses] == [302, 302]
    assert store.reply_templates.filter(title="Shipping").count() == 1


def test_a_double_clicked_console_reply_is_posted_once(db):
    now = timezone.now()
    agent = UserFactory(username="agent", role=Role.SUPPORT)
    seller = SellerFactory()
    SellerMemberFactory(seller=seller)
    opened = now - timedelta(hours=5)
    conversation = conversation_open(buyer=BuyerFactory(), seller=seller, subject="Late", body="Where?", now=opened)
    assert inquiries_escalate_overdue(now=now - timedelta(minutes=30)) == 1
    escalation = Escalation.objects.get(conversation=conversation)
    url = reverse("admin:inquiries_escalation_reply", args=[escalation.pk])

    first, second = submit_twice(logged_in(agent), url, {"body": "We are on it."})

    assert (first.status_code, second.status_code) == (302, 302)
    assert Message.objects.filter(body="We are on it.").count() == 1


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_submits_at_once_post_one_message(buyer, conversation):
    url = reverse("messages-thread", args=[conversation.pk])
    token = form_token(logged_in(buyer).get(url).content.decode())

    def submit(index: int) -> tuple[int, str]:
        response = logged_in(buyer).post(url, {"body": "Any news?", "form_token": token})
        return response.status_code, response["Location"]

    results = run_at_once(4, submit)

    assert results == [(302, url)] * 4, results
    assert Message.objects.filter(body="Any news?").count() == 1
