"""The conversations API: opening, reading (scoped, filtered, constant query counts), messages,
closing, excluding and the suggested reply; and one flow over real HTTP."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import time_machine
from django.conf import settings

from accounts.models import Role
from inquiries.models import Conversation, ConversationEvent, Inquiry, InquiryStatus, Message
from inquiries.services.messaging import conversation_open, message_post
from inquiries.services.sweep import inquiries_sweep
from tests.accounts.factories import PASSWORD, BuyerFactory, UserFactory
from tests.inquiries.factories import ReplyTemplateFactory
from tests.marketplace.factories import OrderFactory, ProductFactory, SellerFactory, SellerMemberFactory

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LIST = "/api/v1/conversations/"


def detail(pk: int) -> str:
    return f"{LIST}{pk}/"


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db, clock):  # type: ignore[no-untyped-def]
    seller = SellerFactory(name="Northwind")
    other_seller = SellerFactory(name="Contoso")
    return {
        "seller": seller,
        "other_seller": other_seller,
        "buyer": BuyerFactory(username="bella", first_name="Bella"),
        "other_buyer": BuyerFactory(username="otto"),
        "member": SellerMemberFactory(username="nora", seller=seller),
        "other_member": SellerMemberFactory(username="carl", seller=other_seller),
        "support": UserFactory(username="sam", role=Role.SUPPORT),
        "finance": UserFactory(username="fin", role=Role.FINANCE),
        "integration": UserFactory(username="int", role=Role.INTEGRATION),
    }


def _open(world: dict[str, Any], *, buyer: Any = None, seller: Any = None, body: str = "Is it in stock?") -> Any:
    return conversation_open(
        buyer=buyer or world["buyer"], seller=seller or world["seller"], subject="Stock", body=body, now=T0
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# --- POST /conversations/ ----------------------------------------------------------------------


def test_buyer_opens_a_conversation_with_their_message_and_the_acknowledgment(world, client_for):
    response = client_for(world["buyer"]).post(
        LIST, {"seller": world["seller"].pk, "subject": "  Blue jacket  ", "body": "Does it come in blue?"}
    )

    assert response.status_code == 201
    conversation = Conversation.objects.get()
    buyer_message, ack = Message.objects.order_by("id")
    due = T0 + settings.INQUIRIES_RESPONSE_TARGET
    assert response.json() == {
        "id": conversation.pk,
        "buyer": world["buyer"].pk,
        "seller": world["seller"].pk,
        "subject": "Blue jacket",
        "product": None,
        "order": None,
        "status": "awaiting_reply",
        "awaiting_since": _iso(T0),
        "response_due_at": _iso(due),
        "is_overdue": False,
        "first_response_at": None,
        "escalated_at": None,
        "closed_at": None,
        "last_message_at": _iso(T0),
        "created_at": _iso(T0),
        "updated_at": _iso(T0),
        "messages": [
            {
                "id": buyer_message.pk,
                "conversation": conversation.pk,
                "kind": "buyer",
                "author": world["buyer"].pk,
                "body": "Does it come in blue?",
                "template": None,
                "created_at": _iso(T0),
            },
            {
                "id": ack.pk,
                "conversation": conversation.pk,
                "kind": "auto_ack",
                "author": None,
                "body": "Thanks for your message! Northwind usually replies within 4 hours. "
                "We'll let you know as soon as they answer.",
                "template": None,
                "created_at": _iso(T0),
            },
        ],
    }
    assert Inquiry.objects.get().status == InquiryStatus.OPEN


def test_buyer_asks_about_a_product_and_one_of_their_orders(world, client_for):
    product = ProductFactory(seller=world["seller"])
    order = OrderFactory(buyer=world["buyer"], seller=world["seller"])

    response = client_for(world["buyer"]).post(
        LIST,
        {
            "seller": world["seller"].pk,
            "subject": "Order",
            "body": "Where is it?",
            "product": product.pk,
            "order": order.pk,
        },
    )

    assert response.status_code == 201
    assert (response.json()["product"], response.json()["order"]) == (product.pk, order.pk)


def _bad_inputs(world: dict[str, Any]) -> dict[str, tuple[dict[str, Any], str]]:
    seller = world["seller"].pk
    base = {"seller": seller, "subject": "Hello", "body": "Hi"}
    others_product = ProductFactory(seller=world["other_seller"])
    others_order = OrderFactory(buyer=world["other_buyer"], seller=world["seller"])
    order_elsewhere = OrderFactory(buyer=world["buyer"], seller=world["other_seller"])
    inactive = SellerFactory(is_active=False)
    return {
        "unknown seller": (base | {"seller": 999_999}, "seller"),
        "seller not an id": (base | {"seller": "abc"}, "seller"),
        "missing seller": ({"subject": "Hello", "body": "Hi"}, "seller"),
        "inactive seller": (base | {"seller": inactive.pk}, "seller"),
        "unknown product": (base | {"product": 999_999}, "product"),
        "another seller's product": (base | {"product": others_product.pk}, "product"),
        "unknown order": (base | {"order": 999_999}, "order"),
        "another buyer's order": (base | {"order": others_order.pk}, "order"),
        "own order with another seller": (base | {"order": order_elsewhere.pk}, "order"),
        "empty body": (base | {"body": ""}, "body"),
        "blank body": (base | {"body": "   \n "}, "body"),
        "missing body": ({"seller": seller, "subject": "Hello"}, "body"),
        "body too long": (base | {"body": "x" * (settings.INQUIRIES_MESSAGE_MAX_LENGTH + 1)}, "body"),
        "NUL in body": (base | {"body": "a\x00b"}, "body"),
        "empty subject": (base | {"subject": ""}, "subject"),
        "subject too long": (base | {"subject": "s" * 201}, "subject"),
    }


BAD_INPUT_CASES = [
    "unknown seller",
    "seller not an id",
    "missing seller",
    "inactive seller",
    "unknown product",
    "another seller's product",
    "unknown order",
    "another buyer's order",
    "own order with another seller",
    "empty body",
    "blank body",
    "missing body",
    "body too long",
    "NUL in body",
    "empty subject",
    "subject too long",
]


@pytest.mark.parametrize("case", BAD_INPUT_CASES)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(world, client_for, case):
    payload, field = _bad_inputs(world)[case]

    response = client_for(world["buyer"]).post(LIST, payload)

    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert (Conversation.objects.count(), Message.objects.count(), Inquiry.objects.count()) == (0, 0, 0)


def test_a_seller_member_cannot_ask_their_own_store(world, client_for):
    response = client_for(world["member"]).post(LIST, {"seller": world["seller"].pk, "subject": "Hi", "body": "Hi"})

    assert response.status_code == 400
    assert response.json()["code"] == "own_store"
    assert Conversation.objects.count() == 0


@pytest.mark.parametrize("who", ["support", "finance", "integration"])
def test_staff_cannot_open_a_conversation_on_a_buyers_behalf(world, client_for, who):
    response = client_for(world[who]).post(LIST, {"seller": world["seller"].pk, "subject": "Hi", "body": "Hi"})

    assert response.status_code == 403
    assert Conversation.objects.count() == 0


def test_anonymous_gets_401(world, api_client):
    assert api_client.get(LIST).status_code == 401
    assert api_client.post(LIST, {"seller": world["seller"].pk, "subject": "Hi", "body": "Hi"}).status_code == 401


# --- GET /conversations/ and /conversations/<id>/ ---------------------------------------------


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_each_caller_lists_what_they_may_see(world, client_for, clock):
    mine = _open(world)
    clock.shift(timedelta(minutes=1))
    elsewhere = _open(world, seller=world["other_seller"])
    clock.shift(timedelta(minutes=1))
    theirs = conversation_open(
        buyer=world["other_buyer"], seller=world["seller"], subject="Size", body="Size?", now=T0 + timedelta(minutes=2)
    )

    assert _ids(client_for(world["buyer"]).get(LIST)) == [elsewhere.pk, mine.pk]
    assert _ids(client_for(world["other_buyer"]).get(LIST)) == [theirs.pk]
    assert _ids(client_for(world["member"]).get(LIST)) == [theirs.pk, mine.pk]
    assert _ids(client_for(world["other_member"]).get(LIST)) == [elsewhere.pk]
    everything = [theirs.pk, elsewhere.pk, mine.pk]
    assert _ids(client_for(world["support"]).get(LIST)) == everything
    assert _ids(client_for(world["finance"]).get(LIST)) == []
    assert _ids(client_for(world["integration"]).get(LIST)) == []


def test_list_items_carry_no_messages_and_the_page_envelope(world, client_for):
    _open(world)

    body = client_for(world["buyer"]).get(LIST).json()

    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    assert "messages" not in body["results"][0]


@pytest.mark.parametrize("who", ["other_buyer", "other_member"])
def test_another_buyers_or_sellers_conversation_is_not_found(world, client_for, who):
    conversation = _open(world)

    assert client_for(world[who]).get(detail(conversation.pk)).status_code == 404
    assert client_for(world[who]).get(detail(999_999)).status_code == 404


def test_the_seller_and_support_staff_read_the_thread(world, client_for):
    conversation = _open(world)
    for who in ("member", "support"):
        response = client_for(world[who]).get(detail(conversation.pk))
        assert response.status_code == 200
        assert [message["kind"] for message in response.json()["messages"]] == ["buyer", "auto_ack"]


def test_filters_status_seller_overdue_escalated_and_ordering(world, client_for, clock):
    first = _open(world)  # due T0+4h
    clock.shift(timedelta(hours=1))
    one_hour = T0 + timedelta(hours=1)
    answered = conversation_open(buyer=world["buyer"], seller=world["seller"], subject="B", body="B?", now=one_hour)
    message_post(conversation=answered, author=world["member"], body="Yes", now=one_hour)
    clock.shift(timedelta(hours=1))
    elsewhere = conversation_open(
        buyer=world["buyer"], seller=world["other_seller"], subject="C", body="C?", now=T0 + timedelta(hours=2)
    )  # due T0+6h
    client = client_for(world["support"])

    assert _ids(client.get(LIST, {"status": "answered"})) == [answered.pk]
    assert _ids(client.get(LIST, {"seller": world["other_seller"].pk})) == [elsewhere.pk]
    assert _ids(client.get(LIST, {"ordering": "response_due_at", "status": "awaiting_reply"})) == [
        first.pk,
        elsewhere.pk,
    ]
    assert _ids(client.get(LIST, {"overdue": "true"})) == []
    # Nothing awaited (answered): last whichever the direction, on SQLite and PostgreSQL alike.
    assert _ids(client.get(LIST, {"ordering": "response_due_at"})) == [first.pk, elsewhere.pk, answered.pk]
    assert _ids(client.get(LIST, {"ordering": "-response_due_at"})) == [elsewhere.pk, first.pk, answered.pk]

    # Past the first deadline, before any sweep: overdue is computed at request time.
    clock.move_to(T0 + timedelta(hours=5))
    assert _ids(client.get(LIST, {"overdue": "true"})) == [first.pk]
    assert set(_ids(client.get(LIST, {"overdue": "false"}))) == {answered.pk, elsewhere.pk}
    assert client.get(detail(first.pk)).json()["is_overdue"] is True
    assert _ids(client.get(LIST, {"escalated": "true"})) == []

    inquiries_sweep(now=T0 + timedelta(hours=5))
    assert _ids(client.get(LIST, {"escalated": "true"})) == [first.pk]
    assert _ids(client.get(LIST, {"status": "escalated", "overdue": "true"})) == [first.pk]
    assert set(_ids(client.get(LIST, {"escalated": "false"}))) == {answered.pk, elsewhere.pk}


def test_an_escalated_conversation_reads_escalated_with_the_notice_in_its_thread(world, client_for):
    """The sweep writes only the clock; the API reads status, ``escalated_at`` and the thread's
    system notice (no id: it is not a stored message) from it, and a reply puts it back."""
    conversation = _open(world)
    swept = T0 + timedelta(hours=5)
    inquiries_sweep(now=swept)
    client = client_for(world["buyer"])

    body = client.get(detail(conversation.pk)).json()

    assert (body["status"], body["escalated_at"]) == ("escalated", swept.isoformat().replace("+00:00", "Z"))
    assert [message["kind"] for message in body["messages"]] == ["buyer", "auto_ack", "system"]
    notice = body["messages"][-1]
    assert (notice["id"], notice["author"], notice["created_at"]) == (None, None, body["escalated_at"])
    assert "hasn't replied within 4 hours, so our support team is on it now" in notice["body"]
    assert [row["status"] for row in client.get(LIST).json()["results"]] == ["escalated"]

    message_post(conversation=conversation, author=world["member"], body="Sorry, yes.", now=swept + timedelta(hours=1))
    body = client.get(detail(conversation.pk)).json()
    assert (body["status"], body["escalated_at"]) == ("answered", swept.isoformat().replace("+00:00", "Z"))
    assert [message["kind"] for message in body["messages"]] == ["buyer", "auto_ack", "system", "seller"]


@pytest.mark.parametrize(
    "params",
    [{"status": "bogus"}, {"seller": "abc"}, {"seller": "0"}, {"overdue": "maybe"}, {"escalated": "yes"}],
)
def test_bad_filter_values_are_400s_on_the_parameter(world, client_for, params):
    response = client_for(world["buyer"]).get(LIST, params)

    assert response.status_code == 400
    assert next(iter(params)) in response.json()


@pytest.mark.parametrize("who", ["buyer", "member", "support"])
def test_list_costs_the_same_queries_for_2_and_20_conversations(world, client_for, django_assert_num_queries, who):
    client = client_for(world[who])
    for _ in range(2):
        _open(world)
    client.get(LIST)  # warm up anything cached per process
    with django_assert_num_queries(3):  # token + count + page
        assert len(client.get(LIST, {"page_size": 50}).json()["results"]) == 2
    for _ in range(18):
        _open(world)
    with django_assert_num_queries(3):
        assert len(client.get(LIST, {"page_size": 50, "ordering": "-response_due_at"}).json()["results"]) == 20


def test_detail_costs_the_same_queries_for_a_short_and_a_long_thread(world, client_for, django_assert_num_queries):
    conversation = _open(world)
    client = client_for(world["buyer"])
    # token + conversation (with its clocks' state) + its messages + its escalation notices (clocks)
    with django_assert_num_queries(4):
        assert len(client.get(detail(conversation.pk)).json()["messages"]) == 2
    for index in range(9):
        message_post(conversation=conversation, author=world["member"], body=f"Reply {index}", now=T0)
        message_post(conversation=conversation, author=world["buyer"], body=f"Again {index}", now=T0)
    with django_assert_num_queries(4):
        # Each buyer message after an answer opens a new inquiry, acknowledged again: 2 + 9 * 3.
        assert len(client.get(detail(conversation.pk)).json()["messages"]) == 29


# --- POST /conversations/<id>/messages/ --------------------------------------------------------


def test_the_seller_replies_and_the_conversation_is_answered(world, client_for, clock):
    conversation = _open(world)
    clock.shift(timedelta(minutes=30))

    response = client_for(world["member"]).post(f"{detail(conversation.pk)}messages/", {"body": "  Yes, in blue. "})

    assert response.status_code == 201
    message = Message.objects.get(kind="seller")
    assert response.json() == {
        "id": message.pk,
        "conversation": conversation.pk,
        "kind": "seller",
        "author": world["member"].pk,
        "body": "Yes, in blue.",
        "template": None,
        "created_at": _iso(T0 + timedelta(minutes=30)),
    }
    conversation.refresh_from_db()
    assert (conversation.status, conversation.first_response_at, conversation.response_due_at) == (
        "answered",
        T0 + timedelta(minutes=30),
        None,
    )
    inquiry = Inquiry.objects.get()
    assert (inquiry.status, inquiry.first_response_seconds, inquiry.is_within_target) == ("answered", 1800, True)


def test_buyer_and_support_post_as_themselves(world, client_for):
    conversation = _open(world)
    url = f"{detail(conversation.pk)}messages/"

    assert client_for(world["buyer"]).post(url, {"body": "Any news?"}).json()["kind"] == "buyer"
    assert client_for(world["support"]).post(url, {"body": "Support here."}).json()["kind"] == "staff"
    assert Inquiry.objects.get().status == InquiryStatus.ANSWERED_BY_STAFF


def test_a_seller_reply_records_the_quick_reply_it_started_from(world, client_for):
    conversation = _open(world)
    own = ReplyTemplateFactory(seller=world["seller"])
    url = f"{detail(conversation.pk)}messages/"

    response = client_for(world["member"]).post(url, {"body": "Hi Bella", "template": own.pk})

    assert response.status_code == 201
    assert response.json()["template"] == own.pk


@pytest.mark.parametrize("case", ["another store's", "unknown", "from the buyer"])
def test_a_template_the_author_may_not_use_is_a_400(world, client_for, case):
    conversation = _open(world)
    template = ReplyTemplateFactory(seller=world["other_seller"] if case != "from the buyer" else world["seller"])
    template_id = 999_999 if case == "unknown" else template.pk
    author = world["buyer"] if case == "from the buyer" else world["member"]

    response = client_for(author).post(f"{detail(conversation.pk)}messages/", {"body": "Hi", "template": template_id})

    assert response.status_code == 400
    assert "template" in response.json()
    assert Message.objects.count() == 2


@pytest.mark.parametrize("payload", [{}, {"body": ""}, {"body": "   "}, {"body": "x" * 5001}, {"body": None}])
def test_an_empty_or_oversized_message_is_a_400_and_writes_nothing(world, client_for, payload):
    conversation = _open(world)

    response = client_for(world["member"]).post(f"{detail(conversation.pk)}messages/", payload)

    assert response.status_code == 400
    assert "body" in response.json()
    assert Message.objects.count() == 2
    assert Inquiry.objects.get().status == InquiryStatus.OPEN


@pytest.mark.parametrize("who", ["finance", "integration"])
def test_finance_and_integration_neither_read_nor_write_a_private_conversation(world, client_for, who):
    """They are staff, but a buyer's question to a seller is not their work: the console shows them
    none, and neither does the API (a 404, as for any record one may not see)."""
    conversation = _open(world)
    client = client_for(world[who])

    assert _ids(client.get(LIST)) == []
    assert client.get(detail(conversation.pk)).status_code == 404
    assert client.post(f"{detail(conversation.pk)}messages/", {"body": "Hello"}).status_code == 404
    assert client.post(f"{detail(conversation.pk)}close/").status_code == 404
    assert Message.objects.count() == 2
    assert Conversation.objects.get().status == "awaiting_reply"


@pytest.mark.parametrize("who", ["other_buyer", "other_member"])
def test_outsiders_cannot_post_or_close(world, client_for, who):
    conversation = _open(world)
    client = client_for(world[who])

    assert client.post(f"{detail(conversation.pk)}messages/", {"body": "Hello"}).status_code == 404
    assert client.post(f"{detail(conversation.pk)}close/").status_code == 404
    assert client.post(f"{detail(conversation.pk)}exclude/", {"reason": "x"}).status_code == 404
    assert client.get(f"{detail(conversation.pk)}suggested-reply/").status_code == 404
    assert Message.objects.count() == 2


def test_a_closed_conversation_takes_no_message(world, client_for):
    conversation = _open(world)
    client_for(world["buyer"]).post(f"{detail(conversation.pk)}close/")

    for who in ("buyer", "member", "support"):
        response = client_for(world[who]).post(f"{detail(conversation.pk)}messages/", {"body": "Still there?"})
        assert response.status_code == 409
        assert response.json()["code"] == "conversation_closed"
    assert Message.objects.count() == 2


# --- POST /conversations/<id>/close/ -----------------------------------------------------------


def test_the_buyer_closes_and_the_open_inquiry_closes_with_it(world, client_for, clock):
    conversation = _open(world)
    clock.shift(timedelta(minutes=5))

    response = client_for(world["buyer"]).post(f"{detail(conversation.pk)}close/")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["closed_at"], body["awaiting_since"], body["response_due_at"]) == (
        "closed",
        _iso(T0 + timedelta(minutes=5)),
        None,
        None,
    )
    assert len(body["messages"]) == 2
    assert Inquiry.objects.get().status == InquiryStatus.CLOSED
    assert client_for(world["buyer"]).post(f"{detail(conversation.pk)}close/").status_code == 409


def test_support_closes_and_the_seller_may_not(world, client_for):
    conversation = _open(world)

    seller_response = client_for(world["member"]).post(f"{detail(conversation.pk)}close/")
    assert seller_response.status_code == 403
    assert Conversation.objects.get().status == "awaiting_reply"

    assert client_for(world["support"]).post(f"{detail(conversation.pk)}close/").json()["status"] == "closed"
    assert ConversationEvent.objects.filter(kind="closed", actor=world["support"]).count() == 1


# --- POST /conversations/<id>/exclude/ ---------------------------------------------------------


def test_the_seller_marks_the_latest_buyer_message_as_needing_no_response(world, client_for):
    conversation = _open(world, body="Thanks a lot!")

    response = client_for(world["member"]).post(f"{detail(conversation.pk)}exclude/", {"reason": "Just a thank-you"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["response_due_at"]) == ("answered", None)
    inquiry = Inquiry.objects.get()
    assert (inquiry.status, inquiry.exclusion_reason, inquiry.excluded_by) == (
        "excluded",
        "Just a thank-you",
        world["member"],
    )


def test_exclude_names_a_message_of_this_conversation(world, client_for):
    conversation = _open(world)
    buyer_message = Message.objects.get(kind="buyer")
    other = _open(world, buyer=world["other_buyer"])
    other_message = Message.objects.get(conversation=other, kind="buyer")
    client = client_for(world["member"])

    wrong = client.post(f"{detail(conversation.pk)}exclude/", {"reason": "Spam", "message": other_message.pk})
    assert wrong.status_code == 400 and "message" in wrong.json()
    assert Inquiry.objects.filter(status="excluded").count() == 0

    right = client.post(f"{detail(conversation.pk)}exclude/", {"reason": "Spam", "message": buyer_message.pk})
    assert right.status_code == 200


@pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": "r" * 301}, {"reason": "ok", "message": "x"}])
def test_exclude_without_a_proper_reason_is_a_400(world, client_for, payload):
    conversation = _open(world)

    response = client_for(world["member"]).post(f"{detail(conversation.pk)}exclude/", payload)

    assert response.status_code == 400
    assert set(response.json()) & {"reason", "message"}
    assert Inquiry.objects.get().status == InquiryStatus.OPEN


def test_exclude_is_for_the_seller_and_only_while_awaiting(world, client_for):
    conversation = _open(world)
    url = f"{detail(conversation.pk)}exclude/"

    assert client_for(world["buyer"]).post(url, {"reason": "x"}).status_code == 403
    assert client_for(world["support"]).post(url, {"reason": "x"}).status_code == 403
    message_post(conversation=conversation, author=world["member"], body="Answered", now=T0)
    response = client_for(world["member"]).post(url, {"reason": "Thanks only"})
    assert response.status_code == 409
    assert response.json()["code"] == "not_awaiting"
    assert Inquiry.objects.get().status == InquiryStatus.ANSWERED


# --- GET /conversations/<id>/suggested-reply/ --------------------------------------------------


def test_the_seller_gets_the_best_matching_quick_reply_rendered(world, client_for):
    order = OrderFactory(buyer=world["buyer"], seller=world["seller"])
    conversation = conversation_open(
        buyer=world["buyer"],
        seller=world["seller"],
        subject="Parcel",
        body="When will my parcel arrive? Is there tracking for the delivery?",
        order=order,
        now=T0,
    )

    response = client_for(world["member"]).get(f"{detail(conversation.pk)}suggested-reply/")

    assert response.status_code == 200
    body = response.json()
    assert (body["message"], body["title"]) == (Message.objects.get(kind="buyer").pk, "Shipping and delivery")
    assert body["text"].startswith(f"Hi Bella, thanks for asking about order {order.number}.")
    assert body["text"].endswith("Northwind")
    assert 0 < body["score"] <= 100


def test_no_suggestion_when_nothing_matches(world, client_for):
    conversation = _open(world, body="Zyx qwv")

    response = client_for(world["member"]).get(f"{detail(conversation.pk)}suggested-reply/")

    assert response.json() == {
        "message": Message.objects.get(kind="buyer").pk,
        "template": None,
        "title": None,
        "text": None,
        "score": None,
    }


@pytest.mark.parametrize("who", ["buyer", "support"])
def test_the_suggestion_is_for_seller_members_only(world, client_for, who):
    conversation = _open(world)

    assert client_for(world[who]).get(f"{detail(conversation.pk)}suggested-reply/").status_code == 403


# --- over real HTTP ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_whole_flow_over_http(live_server):
    seller = SellerFactory(name="Northwind")
    SellerMemberFactory(username="http-seller", seller=seller)
    BuyerFactory(username="http-buyer")
    base = f"{live_server.url}/api/v1"

    def login(username: str) -> requests.Session:
        response = requests.post(f"{base}/auth/token/", json={"username": username, "password": PASSWORD}, timeout=10)
        assert response.status_code == 200, response.text
        session = requests.Session()
        session.headers["Authorization"] = f"Token {response.json()['token']}"
        return session

    buyer, seller_session = login("http-buyer"), login("http-seller")

    opened = buyer.post(
        f"{base}/conversations/", json={"seller": seller.pk, "subject": "Blue?", "body": "Blue?"}, timeout=10
    )
    assert opened.status_code == 201, opened.text
    conversation_id = opened.json()["id"]
    assert [m["kind"] for m in opened.json()["messages"]] == ["buyer", "auto_ack"]

    inbox = seller_session.get(f"{base}/conversations/", params={"status": "awaiting_reply"}, timeout=10)
    assert [row["id"] for row in inbox.json()["results"]] == [conversation_id]

    reply = seller_session.post(
        f"{base}/conversations/{conversation_id}/messages/", json={"body": "Yes, in blue."}, timeout=10
    )
    assert reply.status_code == 201, reply.text

    thread = buyer.get(f"{base}/conversations/{conversation_id}/", timeout=10)
    assert thread.status_code == 200
    assert thread.json()["status"] == "answered"
    assert [(m["kind"], m["body"]) for m in thread.json()["messages"]][-1] == ("seller", "Yes, in blue.")
    assert thread.headers["Content-Type"] == "application/json"
