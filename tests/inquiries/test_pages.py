"""The inquiry pages: the buyer's messages and the seller dashboard, as each user sees them.

Flows go through the messaging services (``conversation_open``, ``message_post``...), the way the
pages themselves write; the assertions are on what the person sees and on what changed.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from inquiries.models import (
    Conversation,
    ConversationStatus,
    Inquiry,
    InquiryStatus,
    Message,
    MessageKind,
    ReplyTemplate,
)
from inquiries.services.messaging import conversation_close, conversation_open, message_post
from inquiries.services.sweep import inquiries_escalate_overdue
from marketplace.models import Seller
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.inquiries.factories import ReplyTemplateFactory
from tests.marketplace.factories import OrderFactory, ProductFactory, SellerFactory, SellerMemberFactory

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask(buyer: User, seller: Seller, *, subject: str = "Is it in stock?", body: str = "Hello, is it?", **kwargs):  # type: ignore[no-untyped-def]
    return conversation_open(
        buyer=buyer, seller=seller, subject=subject, body=body, now=kwargs.pop("now", timezone.now()), **kwargs
    )


@pytest.fixture
def store() -> Seller:
    return SellerFactory(name="Northwind Outfitters")


@pytest.fixture
def member(store: Seller) -> User:
    return SellerMemberFactory(seller=store, first_name="Sam", last_name="Seller")


@pytest.fixture
def buyer() -> User:
    return BuyerFactory(first_name="Bella", last_name="Buyer")


# --- buyer pages -------------------------------------------------------------------------------


def test_buyer_list_shows_own_conversations_with_status_badges_and_last_message(
    buyer: User, store: Seller, member: User
) -> None:
    waiting = ask(buyer, store, subject="Blue in stock?")
    answered = ask(buyer, store, subject="Shipping to Cape Town?")
    message_post(conversation=answered, author=member, body="Yes, 3 days.", now=timezone.now())
    ask(BuyerFactory(), store, subject="Somebody else's question")

    response = logged_in(buyer).get(reverse("messages"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Blue in stock?" in html and "Shipping to Cape Town?" in html
    assert "Somebody else" not in html
    assert "Awaiting reply" in html
    assert "New reply" in html
    assert "Northwind Outfitters: Yes, 3 days." in html
    assert f'href="{reverse("messages-thread", args=[waiting.pk])}"' in html


def test_buyer_list_shows_recent_orders_with_ask_the_seller_links(buyer: User) -> None:
    order = OrderFactory(buyer=buyer)
    OrderFactory()  # another buyer's order

    html = logged_in(buyer).get(reverse("messages")).content.decode()

    assert "You have no conversations yet" in html
    assert order.number in html
    assert f'href="{reverse("messages-new")}?order={order.pk}"' in html
    assert '<span class="count-pill">1</span>' in html


def test_messages_page_is_open_to_staff_and_sellers_too(member: User) -> None:
    for user in (UserFactory(role=Role.SUPPORT), member):
        assert logged_in(user).get(reverse("messages")).status_code == 200


def test_buyer_thread_shows_the_acknowledgment_and_the_escalation_notice(buyer: User, store: Seller) -> None:
    opened = timezone.now() - timedelta(hours=5)
    conversation = ask(buyer, store, body="Where is my parcel?", now=opened)
    inquiries_escalate_overdue(now=timezone.now())

    response = logged_in(buyer).get(reverse("messages-thread", args=[conversation.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Where is my parcel?" in html
    assert "Automatic reply" in html and "usually replies within" in html
    assert "SayPro support has taken over your question." in html
    assert "our support team is on it now" in html
    assert 'class="msg msg-system"' in html


def test_buyer_replies_and_the_seller_sees_the_message(buyer: User, store: Seller, member: User) -> None:
    conversation = ask(buyer, store)
    message_post(conversation=conversation, author=member, body="Yes.", now=timezone.now())

    response = logged_in(buyer).post(
        reverse("messages-thread", args=[conversation.pk]), {"body": "And in red?"}, follow=True
    )

    assert response.redirect_chain == [(reverse("messages-thread", args=[conversation.pk]), 302)]
    assert "Message sent." in response.content.decode()
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.AWAITING_REPLY
    assert conversation.messages.filter(kind=MessageKind.BUYER).last().body == "And in red?"  # type: ignore[union-attr]


def test_empty_reply_is_shown_inline_and_nothing_is_posted(buyer: User, store: Seller) -> None:
    conversation = ask(buyer, store)
    before = Message.objects.count()

    response = logged_in(buyer).post(reverse("messages-thread", args=[conversation.pk]), {"body": "   "})

    assert response.status_code == 400
    assert "A message cannot be empty." in response.content.decode()
    assert Message.objects.count() == before


def test_reply_to_a_closed_conversation_is_a_clear_message_not_an_error(buyer: User, store: Seller) -> None:
    conversation = ask(buyer, store)
    conversation_close(conversation=conversation, actor=buyer, now=timezone.now())
    before = Message.objects.count()

    response = logged_in(buyer).post(reverse("messages-thread", args=[conversation.pk]), {"body": "Hello?"})

    assert response.status_code == 409
    assert "This conversation is closed." in response.content.decode()
    assert Message.objects.count() == before


def test_buyer_closes_the_conversation(buyer: User, store: Seller) -> None:
    conversation = ask(buyer, store)

    response = logged_in(buyer).post(reverse("messages-close", args=[conversation.pk]), follow=True)

    html = response.content.decode()
    assert "Conversation closed." in html
    assert "You closed this conversation" in html
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.CLOSED
    assert Inquiry.objects.get(conversation=conversation).status == InquiryStatus.CLOSED


def test_closing_twice_says_so(buyer: User, store: Seller) -> None:
    conversation = ask(buyer, store)
    client = logged_in(buyer)
    client.post(reverse("messages-close", args=[conversation.pk]))

    response = client.post(reverse("messages-close", args=[conversation.pk]), follow=True)

    assert "This conversation is already closed." in response.content.decode()


@pytest.mark.parametrize("url_name", ["messages-thread", "messages-close"])
def test_another_users_conversation_is_not_found(buyer: User, store: Seller, member: User, url_name: str) -> None:
    conversation = ask(buyer, store)
    for user in (BuyerFactory(), member, UserFactory(role=Role.SUPPORT)):
        client = logged_in(user)
        assert client.get(reverse("messages-thread", args=[conversation.pk])).status_code == 404
        assert client.post(reverse(url_name, args=[conversation.pk]), {"body": "hi"}).status_code == 404
    assert conversation.messages.count() == 2  # the question and the acknowledgment, nothing else


def test_ask_the_seller_about_an_order_opens_a_conversation(buyer: User, store: Seller) -> None:
    order = OrderFactory(buyer=buyer, seller=store)
    url = f"{reverse('messages-new')}?order={order.pk}"
    client = logged_in(buyer)

    form_html = client.get(url).content.decode()
    response = client.post(url, {"subject": "Invoice address", "body": "Please change it."}, follow=True)

    assert f"About order {order.number}" in form_html
    conversation = Conversation.objects.get(buyer=buyer)
    assert (conversation.seller, conversation.order, conversation.subject) == (store, order, "Invoice address")
    assert response.redirect_chain == [(reverse("messages-thread", args=[conversation.pk]), 302)]
    assert "Your question was sent to Northwind Outfitters." in response.content.decode()


def test_ask_the_seller_about_a_product(buyer: User, store: Seller) -> None:
    product = ProductFactory(seller=store, name="Trail Jacket")
    url = f"{reverse('messages-new')}?seller={store.pk}&product={product.pk}"

    logged_in(buyer).post(url, {"subject": "Sizes", "body": "Does it come in XL?"})

    conversation = Conversation.objects.get(buyer=buyer)
    assert (conversation.product, conversation.order) == (product, None)


def test_ask_form_shows_errors_inline_and_opens_nothing(buyer: User, store: Seller) -> None:
    url = f"{reverse('messages-new')}?seller={store.pk}"

    response = logged_in(buyer).post(url, {"subject": "Sizes", "body": "   "})

    assert response.status_code == 400
    assert "A message cannot be empty." in response.content.decode()
    assert not Conversation.objects.exists()


def test_ask_about_someone_elses_order_or_an_unknown_seller_is_not_found(buyer: User, store: Seller) -> None:
    others_order = OrderFactory(seller=store)
    product_of_other_store = ProductFactory()
    client = logged_in(buyer)

    assert client.get(f"{reverse('messages-new')}?order={others_order.pk}").status_code == 404
    assert client.get(f"{reverse('messages-new')}?seller=999999").status_code == 404
    # Not an id at all: a 400 naming the parameter (core.ids), not a missing page.
    odd = client.get(f"{reverse('messages-new')}?seller=abc")
    assert odd.status_code == 400
    assert "seller: Enter a record" in odd.content.decode()
    url = f"{reverse('messages-new')}?seller={store.pk}&product={product_of_other_store.pk}"
    assert client.get(url).status_code == 404
    assert (
        client.post(f"{reverse('messages-new')}?order={others_order.pk}", {"subject": "x", "body": "y"}).status_code
        == 404
    )
    assert not Conversation.objects.exists()


def test_ask_without_a_target_offers_every_order_paged_and_a_product_search(buyer: User, store: Seller) -> None:
    now = timezone.now()
    orders = [OrderFactory(buyer=buyer, seller=store, placed_at=now - timedelta(days=index)) for index in range(25)]
    OrderFactory(seller=store)  # someone else's: never offered
    client = logged_in(buyer)

    first = client.get(reverse("messages-new")).content.decode()
    third = client.get(reverse("messages-new"), {"page": 3}).content.decode()

    assert 'About one of your orders <span class="count-pill">25</span>' in first
    assert first.count(">Ask the seller<") == 10
    assert "Page 1 of 3" in first and "?page=2" in first
    assert third.count(">Ask the seller<") == 5
    assert f"?order={orders[-1].pk}" in third  # the oldest order is reachable too
    assert f"?order={orders[0].pk}" not in third


def test_a_buyer_finds_a_product_and_asks_before_buying(buyer: User, store: Seller) -> None:
    product = ProductFactory(seller=store, name="Trail Jacket")
    ProductFactory(seller=store, name="Trail Boots", is_active=False)
    client = logged_in(buyer)

    found = client.get(reverse("messages-new"), {"q": "trail"}).content.decode()
    assert f"?product={product.pk}" in found
    assert "Trail Boots" not in found
    form = client.get(reverse("messages-new"), {"product": product.pk}).content.decode()
    assert "Ask Northwind Outfitters" in form and "About <strong>Trail Jacket</strong>" in form
    client.post(f"{reverse('messages-new')}?product={product.pk}", {"subject": "Sizes", "body": "XL?"})

    conversation = Conversation.objects.get(buyer=buyer)
    assert (conversation.seller, conversation.product, conversation.order) == (store, product, None)
    assert client.get(reverse("messages-new"), {"product": 999999}).status_code == 404
    assert (
        client.get(reverse("messages-new"), {"q": "nothing-like-it"}).content.decode().count("No product matches") == 1
    )


def test_the_messages_aside_links_to_every_order(buyer: User, store: Seller) -> None:
    for _ in range(7):
        OrderFactory(buyer=buyer, seller=store)

    html = logged_in(buyer).get(reverse("messages")).content.decode()

    assert html.count(">Ask the seller<") == 5
    assert f'<a href="{reverse("messages-new")}">All 7 orders →</a>' in html


def test_message_bodies_are_escaped(buyer: User, store: Seller, member: User) -> None:
    conversation = ask(buyer, store, subject="<b>bold</b>", body="<script>alert('x')</script>\nsecond line")

    for user, name in ((buyer, "messages-thread"), (member, "seller-conversation")):
        html = logged_in(user).get(reverse(name, args=[conversation.pk])).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>second line" in html
        assert "<b>bold</b>" not in html

    for user, name in ((buyer, "messages"), (member, "seller-dashboard")):
        html = logged_in(user).get(reverse(name)).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;" in html


def _conversations(buyer: User, store: Seller, count: int) -> None:
    for index in range(count):
        conversation = ask(buyer, store, subject=f"Question {index}", product=ProductFactory(seller=store))
        if index % 3 == 0:
            message_post(conversation=conversation, author=buyer, body="Any news?", now=timezone.now())


@pytest.mark.parametrize("url_name", ["messages", "seller-dashboard", "seller-inbox"])
def test_list_pages_cost_the_same_queries_for_3_and_30_conversations(
    url_name: str, store: Seller, member: User, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    few, many = BuyerFactory(), BuyerFactory()
    other_store = SellerFactory()
    other_member = SellerMemberFactory(seller=other_store)
    _conversations(few, store, 3)
    _conversations(many, other_store, 30)
    viewer_few, viewer_many = (few, many) if url_name == "messages" else (member, other_member)
    client_few, client_many = logged_in(viewer_few), logged_in(viewer_many)
    url = reverse(url_name)
    client_few.get(url), client_many.get(url)  # warm the session and content-type caches

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few_queries:
        assert client_few.get(url).status_code == 200
    with django_assert_num_queries(len(few_queries)):
        response = client_many.get(url)
    expected = {"messages": 20, "seller-dashboard": 30, "seller-inbox": 25}[url_name]
    assert response.content.decode().count('class="inbox-row') == expected


# --- seller pages ------------------------------------------------------------------------------


def test_seller_messages_page_pages_waiting_and_answered_conversations(
    buyer: User, store: Seller, member: User
) -> None:
    for index in range(27):
        ask(buyer, store, subject=f"Waiting {index}")
    answered = ask(buyer, store, subject="Already answered")
    message_post(conversation=answered, author=member, body="Yes, it is.", now=timezone.now())
    ask(BuyerFactory(), SellerFactory(), subject="Another store's question")
    client = logged_in(member)

    waiting = client.get(reverse("seller-inbox")).content.decode()
    second = client.get(reverse("seller-inbox"), {"page": 2}).content.decode()
    done = client.get(reverse("seller-inbox"), {"show": "answered"}).content.decode()

    assert waiting.count('class="inbox-row') == 25 and "Page 1 of 2" in waiting
    assert second.count('class="inbox-row') == 2
    assert "Already answered" not in waiting and "Another store" not in waiting
    assert done.count('class="inbox-row') == 1 and "Already answered" in done


def test_seller_messages_page_is_not_found_for_a_user_without_a_store(buyer: User) -> None:
    assert logged_in(buyer).get(reverse("seller-inbox")).status_code == 404


def test_seller_dashboard_shows_kpis_chart_standing_and_the_inbox_by_due_time(
    buyer: User, store: Seller, member: User
) -> None:
    now = timezone.now()
    late = ask(buyer, store, subject="Asked long ago", now=now - timedelta(hours=3, minutes=30))
    late.refresh_from_db()
    ask(buyer, store, subject="Asked just now", now=now)
    answered = ask(buyer, store, subject="Answered one", now=now - timedelta(hours=1))
    message_post(conversation=answered, author=member, body="Done!", now=now - timedelta(minutes=30))
    ask(buyer, SellerFactory(), subject="Other store's question")

    response = logged_in(member).get(reverse("seller-dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Asked long ago") < html.index("Asked just now")
    assert "Other store" not in html
    assert f'data-due="{late.response_due_at:%Y-%m-%dT%H:%M:%S}' in html
    assert "29 min left" in html or "30 min left" in html
    assert "is-due-soon" in html
    assert "Recently answered" in html and "Answered one" in html
    assert "This month" in html and "This quarter" in html
    assert "Projected standing" in html
    assert '<svg class="chart"' in html and "target 90 %" in html
    assert f"/api/v1/sellers/{store.pk}/response-metrics/inquiries.csv?period=" in html
    assert 'href="/seller/" aria-current="page"' in html


def test_seller_dashboard_highlights_overdue_and_escalated(buyer: User, store: Seller, member: User) -> None:
    now = timezone.now()
    ask(buyer, store, subject="Escalated one", now=now - timedelta(hours=6))
    inquiries_escalate_overdue(now=now - timedelta(hours=1))
    ask(buyer, store, subject="Overdue one", now=now - timedelta(hours=4, minutes=10))

    html = logged_in(member).get(reverse("seller-dashboard")).content.decode()

    assert 'class="inbox-row is-escalated"' in html
    assert 'class="inbox-row is-overdue"' in html
    assert "Overdue by 10 min" in html
    assert "2 overdue" in html


def test_seller_dashboard_is_not_found_for_a_user_without_a_store() -> None:
    response = logged_in(BuyerFactory()).get(reverse("seller-dashboard"))

    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_member_of_several_stores_picks_one_and_cannot_pick_others(buyer: User, store: Seller, member: User) -> None:
    second = SellerFactory(name="Second Store")
    second.memberships.create(user=member)
    ask(buyer, second, subject="For the second store")
    client = logged_in(member)

    first_html = client.get(reverse("seller-dashboard")).content.decode()
    second_html = client.get(f"{reverse('seller-dashboard')}?seller={second.pk}").content.decode()

    assert "For the second store" not in first_html
    assert "For the second store" in second_html
    assert 'id="store-picker"' in first_html
    assert client.get(f"{reverse('seller-dashboard')}?seller={SellerFactory().pk}").status_code == 404


def test_seller_conversation_page_has_the_thread_picker_suggestion_and_countdown(
    buyer: User, store: Seller, member: User
) -> None:
    product = ProductFactory(seller=store, name="Trail Jacket")
    ReplyTemplateFactory(seller=store, title="Stock", body="Hi {buyer_name}, {product} is in stock.", keywords="stock")
    ReplyTemplateFactory(seller=SellerFactory(), title="Not ours")
    conversation = ask(buyer, store, body="Is the jacket in stock?", product=product)

    response = logged_in(member).get(reverse("seller-conversation", args=[conversation.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Is the jacket in stock?" in html
    assert 'id="quick-reply-picker"' in html
    assert "Stock" in html and "Not ours" not in html
    assert "Bella Buyer" in html
    assert 'data-due="' in html and "left" in html
    assert "No response needed?" in html


def test_quick_reply_prefill_without_javascript(buyer: User, store: Seller, member: User) -> None:
    template = ReplyTemplateFactory(seller=store, title="Thanks", body="Thanks, {buyer_name}!")
    conversation = ask(buyer, store)

    html = logged_in(member).get(f"{reverse('seller-conversation', args=[conversation.pk])}?template={template.pk}")

    text = html.content.decode()
    assert "Thanks, Bella" in text
    assert f'name="template" value="{template.pk}"' in text


def test_seller_replies_with_a_quick_reply(buyer: User, store: Seller, member: User) -> None:
    template = ReplyTemplateFactory(seller=store, title="Thanks", body="Thanks!")
    conversation = ask(buyer, store)

    response = logged_in(member).post(
        reverse("seller-conversation", args=[conversation.pk]), {"body": "Thanks, Bella!", "template": template.pk}
    )

    assert response.status_code == 302
    reply = conversation.messages.get(kind=MessageKind.SELLER)
    assert (reply.body, reply.template, reply.author) == ("Thanks, Bella!", template, member)
    inquiry = Inquiry.objects.get(conversation=conversation)
    assert (inquiry.status, inquiry.is_within_target) == (InquiryStatus.ANSWERED, True)


def test_seller_reply_ignores_another_stores_template(buyer: User, store: Seller, member: User) -> None:
    foreign = ReplyTemplateFactory(seller=SellerFactory())
    conversation = ask(buyer, store)

    logged_in(member).post(
        reverse("seller-conversation", args=[conversation.pk]), {"body": "Hi", "template": foreign.pk}
    )

    assert conversation.messages.get(kind=MessageKind.SELLER).template is None


def test_seller_empty_reply_is_shown_inline(buyer: User, store: Seller, member: User) -> None:
    conversation = ask(buyer, store)

    response = logged_in(member).post(reverse("seller-conversation", args=[conversation.pk]), {"body": ""})

    assert response.status_code == 400
    assert "A message cannot be empty." in response.content.decode()
    assert not conversation.messages.filter(kind=MessageKind.SELLER).exists()


def test_seller_marks_no_response_needed_with_a_reason(buyer: User, store: Seller, member: User) -> None:
    conversation = ask(buyer, store, body="Thanks a lot!")
    message = conversation.messages.get(kind=MessageKind.BUYER)
    url = reverse("seller-conversation-exclude", args=[conversation.pk])
    client = logged_in(member)

    refused = client.post(url, {"message": message.pk, "reason": ""})
    assert refused.status_code == 400
    assert "Say why this message needs no response." in refused.content.decode()
    assert Inquiry.objects.get(conversation=conversation).status == InquiryStatus.OPEN

    response = client.post(url, {"message": message.pk, "reason": "Just a thank-you"}, follow=True)

    assert "Marked as needing no response" in response.content.decode()
    inquiry = Inquiry.objects.get(conversation=conversation)
    assert (inquiry.status, inquiry.exclusion_reason, inquiry.excluded_by) == (
        InquiryStatus.EXCLUDED,
        "Just a thank-you",
        member,
    )


@pytest.mark.parametrize("url_name", ["seller-conversation", "seller-conversation-exclude"])
def test_seller_pages_of_another_store_are_not_found(buyer: User, store: Seller, url_name: str) -> None:
    conversation = ask(buyer, store)
    for user in (SellerMemberFactory(), buyer, UserFactory(role=Role.SUPPORT)):
        client = logged_in(user)
        assert client.get(reverse("seller-conversation", args=[conversation.pk])).status_code == 404
        assert client.post(reverse(url_name, args=[conversation.pk]), {"body": "x"}).status_code == 404
    assert not conversation.messages.filter(kind=MessageKind.SELLER).exists()


def test_quick_replies_page_lists_own_and_starter_templates(store: Seller, member: User) -> None:
    ReplyTemplateFactory(seller=store, title="Our shipping")
    ReplyTemplateFactory(seller=None, title="Starter: returns")
    ReplyTemplateFactory(seller=SellerFactory(), title="Someone else's")

    html = logged_in(member).get(reverse("seller-quick-replies")).content.decode()

    assert "Our shipping" in html and "Starter: returns" in html
    assert "Someone else" not in html
    assert html.count("seller-quick-reply-edit") == 0  # url names never leak into the page
    assert html.count(">Edit<") == 1  # starters are read-only


def test_quick_reply_pages_are_not_found_for_others(store: Seller) -> None:
    template = ReplyTemplateFactory(seller=store)
    starter = ReplyTemplateFactory(seller=None)
    outsider = SellerMemberFactory()
    client = logged_in(outsider)

    assert client.get(reverse("seller-quick-reply-edit", args=[template.pk])).status_code == 404
    assert client.post(reverse("seller-quick-reply-delete", args=[template.pk])).status_code == 404
    assert client.get(reverse("seller-quick-reply-edit", args=[starter.pk])).status_code == 404
    assert logged_in(BuyerFactory()).get(reverse("seller-quick-replies")).status_code == 404


def test_a_seller_adds_edits_and_deletes_a_quick_reply_from_the_pages(store: Seller, member: User) -> None:
    client = logged_in(member)
    library = reverse("seller-quick-replies")
    bad = client.post(library, {"title": "Sizes", "body": "Hi {nope}"})
    assert bad.status_code == 400 and "nope" in bad.content.decode()
    assert not ReplyTemplate.objects.filter(seller=store).exists()
    added = client.post(library, {"title": "Sizes", "body": "Hi {buyer_name}, M fits most.", "keywords": "size"})
    assert added.status_code == 302 and added["Location"] == library
    template = ReplyTemplate.objects.get(seller=store, title="Sizes")
    edit = reverse("seller-quick-reply-edit", args=[template.pk])
    assert 'value="Sizes"' in client.get(edit).content.decode()
    assert client.post(edit, {"title": "", "body": "x"}).status_code == 400
    assert client.post(edit, {"title": "Sizes and fit", "body": "Hi {buyer_name}, M fits."}).status_code == 302
    template.refresh_from_db()
    assert (template.title, template.body) == ("Sizes and fit", "Hi {buyer_name}, M fits.")
    assert "Quick reply “Sizes and fit” updated." in client.get(library).content.decode()
    assert client.post(reverse("seller-quick-reply-delete", args=[template.pk])).status_code == 302
    assert "Quick reply “Sizes and fit” deleted." in client.get(library).content.decode()
    assert "Sizes and fit" not in client.get(library).content.decode()  # the notice shows once


# --- text over the limit -------------------------------------------------------------------------


def test_the_question_box_shows_its_limit_instead_of_cutting_the_text(buyer: User, store: Seller) -> None:
    html = logged_in(buyer).get(reverse("messages-new"), {"seller": store.pk}).content.decode()

    assert 'data-max-length="5000"' in html
    assert 'maxlength="5000"' not in html  # the browser would cut a longer paste without a word
    assert "js/saypro.js" in html  # the counter


def test_a_question_over_the_limit_is_refused_next_to_the_field_and_kept_whole(buyer: User, store: Seller) -> None:
    body = "word " * 1000 + "the end"  # 5,007 characters

    response = logged_in(buyer).post(f"{reverse('messages-new')}?seller={store.pk}", {"subject": "Long", "body": body})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Too long: 5007 characters, the limit is 5000." in html
    assert "the end</textarea>" in html  # nothing dropped: the whole text is back in the box
    assert not Conversation.objects.exists()


def test_seller_copies_a_starter_quick_reply_into_their_own(store: Seller, member: User) -> None:
    starter = ReplyTemplateFactory(seller=None, title="Shipping times", body="Hi {customer_name}, it ships today.")
    client = logged_in(member)
    assert f'name="copy" value="{starter.pk}"' in client.get(reverse("seller-quick-replies")).content.decode()

    response = client.post(reverse("seller-quick-replies"), {"copy": starter.pk})

    assert response.status_code == 302
    copy = ReplyTemplate.objects.get(seller=store)
    assert (copy.title, copy.body, copy.keywords) == (starter.title, starter.body, starter.keywords)
    own = ReplyTemplateFactory(seller=SellerFactory())
    assert client.post(reverse("seller-quick-replies"), {"copy": own.pk}).status_code == 404
