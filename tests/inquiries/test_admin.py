"""The inquiries pages of the moderators' console: the support queue, the index's live counts,
the read-only ledger pages and the permissions of the staff groups.

Escalations are made the real way (``conversation_open`` then the sweep at a chosen ``now``), at
times relative to the wall clock, because the console measures ages and due times from it.
"""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from inquiries.models import (
    Conversation,
    ConversationEvent,
    ConversationStatus,
    Escalation,
    Inquiry,
    InquiryStatus,
    Message,
    MessageKind,
    ReplyTemplate,
)
from inquiries.notices import Kind
from inquiries.selectors.queue import support_queue_counts
from inquiries.services.escalations import escalation_assign
from inquiries.services.messaging import conversation_close, conversation_open, message_post
from inquiries.services.sweep import inquiries_escalate_overdue
from marketplace.models import Seller
from notifications.models import Notification
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.inquiries.factories import ReplyTemplateFactory
from tests.marketplace.factories import SellerFactory, SellerMemberFactory

QUEUE_URL = "/admin/inquiries/escalation/"


@pytest.fixture
def now() -> datetime:
    return timezone.now()


@pytest.fixture
def agent(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(username="agent", first_name="Ada", last_name="Agent", role=Role.SUPPORT)


@pytest.fixture
def other_agent(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(username="otto", role=Role.SUPPORT)


def open_question(
    *, subject: str, opened: datetime, seller: Seller | None = None, buyer: User | None = None
) -> Conversation:
    seller = seller or SellerFactory()
    if not seller.memberships.exists():
        SellerMemberFactory(seller=seller)
    return conversation_open(
        buyer=buyer or BuyerFactory(), seller=seller, subject=subject, body=f"{subject}?", now=opened
    )


def escalate(*, subject: str, escalated_ago: timedelta, now: datetime, **kwargs: object) -> Escalation:
    """A conversation whose inquiry the sweep escalated ``escalated_ago`` (its 4 h ran out then)."""
    escalated_at = now - escalated_ago
    conversation = open_question(subject=subject, opened=escalated_at - timedelta(hours=4), **kwargs)  # type: ignore[arg-type]
    assert inquiries_escalate_overdue(now=escalated_at) == 1
    return Escalation.objects.get(conversation=conversation)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows(response) -> list[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return [obj.pk for obj in response.context["cl"].result_list]


def texts(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def queue(db, now, agent, other_agent):  # type: ignore[no-untyped-def]
    """Five escalations: one per age band (open), the first two assigned, one resolved."""
    over_a_day = escalate(subject="Broken zipper", escalated_ago=timedelta(hours=26), now=now)
    hours_six = escalate(subject="Wrong size", escalated_ago=timedelta(hours=6), now=now)
    hours_two = escalate(subject="Missing parcel", escalated_ago=timedelta(hours=2), now=now)
    minutes_thirty = escalate(subject="Gift wrap", escalated_ago=timedelta(minutes=30), now=now)
    resolved = escalate(subject="Invoice copy", escalated_ago=timedelta(hours=3), now=now)
    escalation_assign(escalation=over_a_day, assignee=agent, actor=agent, now=now)
    escalation_assign(escalation=hours_six, assignee=other_agent, actor=other_agent, now=now)
    message_post(conversation=resolved.conversation, author=other_agent, body="Sent it again.", now=now)
    return {
        "over_a_day": over_a_day,
        "hours_six": hours_six,
        "hours_two": hours_two,
        "minutes_thirty": minutes_thirty,
        "resolved": resolved,
    }


# --- The queue's list ------------------------------------------------------------------------


def test_the_queue_opens_on_open_escalations_oldest_first(queue, agent):
    response = client_for(agent).get(QUEUE_URL)
    assert rows(response) == [queue[name].pk for name in ("over_a_day", "hours_six", "hours_two", "minutes_thirty")]
    page = response.content.decode()
    assert "Broken zipper" in page and "Invoice copy" not in page
    assert "Unassigned" in page and "In progress" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("assignment=unassigned", ["hours_two", "minutes_thirty"]),
        ("assignment=mine", ["over_a_day"]),
        ("assignment=others", ["hours_six"]),
        ("age=lt1h", ["minutes_thirty"]),
        ("age=1to4h", ["hours_two"]),
        ("age=4to24h", ["hours_six"]),
        ("age=gt24h", ["over_a_day"]),
        ("resolved=yes", ["resolved"]),
        ("resolved=all", ["over_a_day", "hours_six", "resolved", "hours_two", "minutes_thirty"]),
        ("resolved=all&age=1to4h", ["hours_two"]),  # the age bands count open escalations only
        ("assignment=unassigned&age=lt1h", ["minutes_thirty"]),
        ("q=zipper", ["over_a_day"]),
    ],
)
def test_the_queue_filters_return_the_right_rows(queue, agent, query, expected):
    response = client_for(agent).get(f"{QUEUE_URL}?{query}")
    assert rows(response) == [queue[name].pk for name in expected]


def test_the_queue_searches_by_buyer_and_seller(db, now, agent):
    store = SellerFactory(name="Nordic Knits")
    buyer = BuyerFactory(username="henrietta")
    by_store = escalate(subject="Wool care", escalated_ago=timedelta(hours=1), now=now, seller=store)
    by_buyer = escalate(subject="Colour", escalated_ago=timedelta(hours=2), now=now, buyer=buyer)
    client = client_for(agent)
    assert rows(client.get(f"{QUEUE_URL}?q=nordic")) == [by_store.pk]
    assert rows(client.get(f"{QUEUE_URL}?q=henrietta")) == [by_buyer.pk]


# --- Actions ------------------------------------------------------------------------------------


def test_assign_to_me_assigns_audits_and_skips_resolved_ones(queue, agent, now):
    target, resolved = queue["minutes_thirty"], queue["resolved"]
    response = client_for(agent).post(  # from the "All" view: the default one lists open escalations only
        f"{QUEUE_URL}?resolved=all",
        {"action": "assign_to_me", "_selected_action": [target.pk, resolved.pk]},
        follow=True,
    )
    target.refresh_from_db()
    assert target.assignee == agent
    assert target.assigned_at is not None and target.assigned_at >= now
    event = ConversationEvent.objects.get(conversation=target.conversation, kind=ConversationEvent.Kind.ASSIGNED)
    assert (event.actor, event.note) == (agent, "assigned to agent")
    resolved.refresh_from_db()
    assert resolved.assignee is None
    assert texts(response) == [
        f"Assigned to you: 1 (#{target.conversation_id} Gift wrap).",
        f"Skipped 1 resolved escalation(s): #{resolved.conversation_id} Invoice copy.",
    ]


def test_assign_to_me_from_the_escalations_own_page(queue, agent, other_agent, now):
    target, resolved, others = queue["hours_two"], queue["resolved"], queue["hours_six"]
    client = client_for(agent)
    page = client.get(reverse("admin:inquiries_escalation_change", args=[target.pk])).content.decode()
    assign_url = reverse("admin:inquiries_escalation_assign", args=[target.pk])
    assert f'action="{assign_url}"' in page and ">Assign to me</button>" in page

    assert client.get(assign_url).status_code == 302  # a GET changes nothing
    target.refresh_from_db()
    assert target.assignee is None
    response = client.post(assign_url, follow=True)

    target.refresh_from_db()
    assert target.assignee == agent
    assert texts(response) == ["Assigned to you."]
    assert ">Assign to me</button>" not in response.content.decode()  # already theirs
    # Someone else's can be taken over from its page too; a resolved one says why not.
    taken = client.post(reverse("admin:inquiries_escalation_assign", args=[others.pk]), follow=True)
    assert texts(taken) == ["Assigned to you."]
    others.refresh_from_db()
    assert others.assignee == agent
    refused = client.post(reverse("admin:inquiries_escalation_assign", args=[resolved.pk]), follow=True)
    assert texts(refused) == ["This escalation is already resolved."]
    finance = client_for(UserFactory(role=Role.FINANCE))
    assert finance.post(
        reverse("admin:inquiries_escalation_assign", args=[queue["minutes_thirty"].pk])
    ).status_code in (
        403,
        404,
    )


def test_unassign_puts_escalations_back_in_the_pile(queue, agent):
    taken = queue["over_a_day"]
    response = client_for(agent).post(QUEUE_URL, {"action": "unassign", "_selected_action": [taken.pk]}, follow=True)
    taken.refresh_from_db()
    assert (taken.assignee, taken.assigned_at) == (None, None)
    assert texts(response) == [f"Unassigned: 1 (#{taken.conversation_id} Broken zipper)."]
    assert ConversationEvent.objects.filter(
        conversation=taken.conversation, kind=ConversationEvent.Kind.ASSIGNED, note__startswith="unassigned"
    ).exists()


def test_close_action_closes_the_conversation_and_resolves_the_escalation(queue, agent):
    escalation = queue["hours_two"]
    client_for(agent).post(QUEUE_URL, {"action": "close_conversations", "_selected_action": [escalation.pk]})
    escalation.refresh_from_db()
    assert escalation.conversation.status == ConversationStatus.CLOSED
    assert (escalation.resolution, escalation.resolved_by) == ("staff_closed", agent)
    assert Inquiry.objects.get(pk=escalation.inquiry_id).status == InquiryStatus.CLOSED


# --- The escalation's page: thread, reply as staff, close ----------------------------------------


def test_the_change_page_shows_the_thread_escaped_and_the_reply_form(db, now, agent):
    escalation = escalate(subject="<b>Bold</b> question", escalated_ago=timedelta(minutes=5), now=now)
    message_post(
        conversation=escalation.conversation,
        author=escalation.conversation.buyer,
        body="<script>alert(1)</script>\nStill waiting",
        now=now,
    )
    response = client_for(agent).get(reverse("admin:inquiries_escalation_change", args=[escalation.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt; question" in page
    assert "Reply as staff" in page and 'name="body"' in page
    assert "Close conversation" in page
    assert 'name="_save"' not in page  # read-only: no save buttons


def test_reply_as_staff_answers_the_inquiry_resolves_the_escalation_and_notifies_the_buyer(
    db, now, agent, django_capture_on_commit_callbacks
):
    escalation = escalate(subject="Where is it?", escalated_ago=timedelta(minutes=20), now=now)
    conversation = escalation.conversation
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(agent).post(
            reverse("admin:inquiries_escalation_reply", args=[escalation.pk]),
            {"body": "Your parcel left the warehouse today."},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:inquiries_escalation_change", args=[escalation.pk])

    reply = Message.objects.get(conversation=conversation, kind=MessageKind.STAFF)
    assert (reply.author, reply.body) == (agent, "Your parcel left the warehouse today.")
    inquiry = Inquiry.objects.get(pk=escalation.inquiry_id)
    assert (inquiry.status, inquiry.answered_by, inquiry.answering_message, inquiry.is_within_target) == (
        InquiryStatus.ANSWERED_BY_STAFF,
        agent,
        reply,
        False,
    )
    escalation.refresh_from_db()
    assert (escalation.resolution, escalation.resolved_by, escalation.resolved_at) == (
        "staff_replied",
        agent,
        reply.created_at,
    )
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.ANSWERED
    notice = Notification.objects.get(kind=Kind.INQUIRY_ANSWERED)
    assert (notice.recipient, notice.title) == (conversation.buyer, "New reply: Where is it?")
    assert [message.to for message in mail.outbox] == [[conversation.buyer.email]]

    page = client_for(agent).get(response["Location"]).content.decode()
    assert "Support replied by Ada Agent on" in page
    assert "Resolved: support replied" in page


def test_a_reply_in_a_closed_conversation_is_refused_and_nothing_is_written(db, now, agent):
    escalation = escalate(subject="Never mind", escalated_ago=timedelta(minutes=20), now=now)
    conversation_close(conversation=escalation.conversation, actor=escalation.conversation.buyer, now=now)
    messages_before = Message.objects.count()
    notifications_before = Notification.objects.count()
    events_before = ConversationEvent.objects.count()

    response = client_for(agent).post(
        reverse("admin:inquiries_escalation_reply", args=[escalation.pk]), {"body": "Can we help?"}
    )

    assert response.status_code == 409  # the conversation's state does not allow it
    assert texts(response) == ["Reply not posted: This conversation is closed."]
    assert "This conversation is closed." in response.content.decode()
    assert "Can we help?</textarea>" in response.content.decode()  # what was typed is kept
    assert (Message.objects.count(), Notification.objects.count(), ConversationEvent.objects.count()) == (
        messages_before,
        notifications_before,
        events_before,
    )
    escalation.refresh_from_db()
    assert (escalation.resolution, escalation.resolved_by) == ("buyer_closed", escalation.conversation.buyer)


def test_an_empty_reply_is_refused_by_the_form(db, now, agent):
    escalation = escalate(subject="Hello", escalated_ago=timedelta(minutes=20), now=now)
    response = client_for(agent).post(reverse("admin:inquiries_escalation_reply", args=[escalation.pk]), {"body": " "})
    assert response.status_code == 400
    assert not Message.objects.filter(kind=MessageKind.STAFF).exists()


def test_the_close_page_closes_the_conversation(db, now, agent):
    escalation = escalate(subject="Spam", escalated_ago=timedelta(minutes=20), now=now)
    url = reverse("admin:inquiries_escalation_close", args=[escalation.pk])
    client = client_for(agent)
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.conversation.status == ConversationStatus.CLOSED
    assert (escalation.resolution, escalation.resolved_by) == ("staff_closed", agent)


def test_finance_may_not_see_the_queue_nor_reply(queue, db):
    finance = UserFactory(role=Role.FINANCE)
    client = client_for(finance)
    escalation = queue["hours_two"]
    assert client.get(QUEUE_URL).status_code == 403
    assert client.post(
        reverse("admin:inquiries_escalation_reply", args=[escalation.pk]), {"body": "Hi"}
    ).status_code in (403, 404)
    assert not Message.objects.filter(kind=MessageKind.STAFF, author=finance).exists()


def test_support_sees_the_queue(queue, agent):
    response = client_for(agent).get(QUEUE_URL)
    assert response.status_code == 200
    assert "Missing parcel" in response.content.decode()
    assert "Assign to me" in response.content.decode()


# --- Index counts --------------------------------------------------------------------------------


@pytest.fixture
def clock_states(db, now, agent):  # type: ignore[no-untyped-def]
    """Open: 1 h old, 3.5 h old (due within the hour), two overdue and escalated (one assigned);
    one answered by the seller (not open)."""
    open_question(subject="Fresh", opened=now - timedelta(hours=1))
    open_question(subject="Nearly due", opened=now - timedelta(hours=3, minutes=30))
    escalate(subject="Overdue, unassigned", escalated_ago=timedelta(hours=1), now=now)
    taken = escalate(subject="Overdue, taken", escalated_ago=timedelta(hours=2), now=now)
    escalation_assign(escalation=taken, assignee=agent, actor=agent, now=now)
    answered = open_question(subject="Answered", opened=now - timedelta(hours=2))
    seller_member = answered.seller.memberships.get().user
    message_post(conversation=answered, author=seller_member, body="Yes it is.", now=now - timedelta(hours=1))


CARD = re.compile(
    r'<a class="sp-card[^"]*" href="(?P<url>[^"]+)">\s*<span class="sp-card__count">(?P<count>\d+)</span>\s*'
    r'<span class="sp-card__label">(?P<label>[^<]+)</span>'
)


def test_the_index_shows_the_four_counts_each_linking_to_the_rows_it_counts(clock_states, agent):
    client = client_for(agent)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "SayPro moderators" in page
    expected = {"Open inquiries": 4, "Due within the hour": 1, "Overdue": 2, "Unassigned escalations": 1}
    # The index also has the reviews cards; these are the support queue's.
    cards = {
        match["label"]: (int(match["count"]), match["url"].replace("&amp;", "&"))
        for match in CARD.finditer(page)
        if match["label"] in expected
    }
    assert {label: count for label, (count, _) in cards.items()} == expected
    for label, (count, url) in cards.items():
        assert len(rows(client.get(url))) == count, label


def test_the_index_has_no_queue_cards_for_finance(clock_states):
    response = client_for(UserFactory(role=Role.FINANCE)).get(reverse("admin:index"))
    assert response.status_code == 200
    # Finance works the help desk tickets escalated to it (their cards), not the support queue.
    assert not [match for match in CARD.finditer(response.content.decode()) if "/inquiries/" in match["url"]]
    assert "Support queue, live" not in response.content.decode()


def test_the_queue_counts_take_two_queries(clock_states, now, django_assert_num_queries):
    with django_assert_num_queries(2):
        counts = support_queue_counts(now=now)
    assert (counts.open_inquiries, counts.due_within_hour, counts.overdue, counts.unassigned_escalations) == (
        4,
        1,
        2,
        1,
    )


# --- Query counts of the queue's list ------------------------------------------------------------


def _queue_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE_URL)
    assert response.status_code == 200
    return len(queries)


def test_the_queue_list_costs_the_same_queries_for_2_and_20_rows(db, now, agent, other_agent):
    for number in range(2):
        escalate(subject=f"Question {number}", escalated_ago=timedelta(minutes=10 + number), now=now)
    escalation_assign(escalation=Escalation.objects.first(), assignee=other_agent, actor=other_agent, now=now)  # type: ignore[arg-type]
    client = client_for(agent)
    client.get(QUEUE_URL)  # session and permission caches warm
    with_two = _queue_queries(client)
    for number in range(2, 20):
        escalate(subject=f"Question {number}", escalated_ago=timedelta(minutes=10 + number), now=now)
    for escalation in Escalation.objects.all()[5:10]:
        escalation_assign(escalation=escalation, assignee=agent, actor=agent, now=now)
    with_twenty = _queue_queries(client)
    assert len(rows(client.get(QUEUE_URL))) == 20
    assert with_two == with_twenty == 7


# --- The other inquiries pages ------------------------------------------------------------------


def test_the_conversation_list_highlights_overdue_ones_and_shows_the_thread_read_only(clock_states, agent):
    client = client_for(agent)
    page = client.get("/admin/inquiries/conversation/").content.decode()
    assert "sp-badge--overdue" in page and "sp-badge--due-soon" in page
    conversation = Conversation.objects.get(subject="Overdue, taken")
    detail = client.get(reverse("admin:inquiries_conversation_change", args=[conversation.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "Overdue, taken?" in text  # the buyer's message, in the thread
    assert "Escalation assigned to" in text  # the history, in words
    assert 'name="_save"' not in text
    overdue = rows(client.get("/admin/inquiries/conversation/?due=overdue"))
    assert sorted(overdue) == sorted(
        Conversation.objects.filter(subject__startswith="Overdue").values_list("pk", flat=True)
    )


@pytest.mark.parametrize(
    "url",
    [
        "/admin/inquiries/inquiry/",
        "/admin/inquiries/inquiry/?status=open",  # the sweep's warning notice links here
        "/admin/inquiries/inquiry/?is_within_target__exact=0",
        "/admin/inquiries/conversationevent/",
        "/admin/inquiries/replytemplate/",
    ],
)
def test_the_ledger_pages_render_for_a_moderator(clock_states, url):
    response = client_for(UserFactory(role=Role.MODERATOR)).get(url)
    assert response.status_code == 200


def test_nobody_adds_or_edits_service_written_records(clock_states, agent):
    admin_user = UserFactory(username="root", role=Role.ADMIN, is_superuser=True, is_staff=True)
    client = client_for(admin_user)
    for model in ("conversation", "inquiry", "escalation", "conversationevent"):
        assert client.get(f"/admin/inquiries/{model}/add/").status_code == 403, model
    inquiry = Inquiry.objects.first()
    assert inquiry is not None
    page = client.get(reverse("admin:inquiries_inquiry_change", args=[inquiry.pk])).content.decode()
    assert 'name="_save"' not in page


def test_a_moderator_adds_a_platform_starter_and_may_not_edit_a_sellers_own(db):
    moderator = UserFactory(role=Role.MODERATOR)
    client = client_for(moderator)
    response = client.post(
        "/admin/inquiries/replytemplate/add/",
        {"title": "Holiday hours", "body": "Hi {buyer_name}, we are back on Monday.", "keywords": "holiday"},
    )
    assert response.status_code == 302
    starter = ReplyTemplate.objects.get(title="Holiday hours")
    assert (starter.seller, starter.created_by) == (None, moderator)

    refused = client.post(
        "/admin/inquiries/replytemplate/add/", {"title": "Bad", "body": "Hi {password}", "keywords": ""}
    )
    assert refused.status_code == 200
    assert "Unknown placeholder {password}" in refused.content.decode()
    assert not ReplyTemplate.objects.filter(title="Bad").exists()

    own = ReplyTemplateFactory(title="Sellers own", body="Thanks!")
    response = client.post(
        reverse("admin:inquiries_replytemplate_change", args=[own.pk]), {"title": "Hijacked", "body": "x"}
    )
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.title == "Sellers own"


# --- The staff groups' permissions ------------------------------------------------------------


def _group_permissions(name: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=name)
        .permissions.filter(content_type__app_label="inquiries")
        .values_list("content_type__app_label", "codename")
    }


def test_the_staff_groups_hold_the_inquiries_permissions_of_their_job(db):
    support = {
        "inquiries.view_conversation",
        "inquiries.view_message",
        "inquiries.view_inquiry",
        "inquiries.view_conversationevent",
        "inquiries.view_escalation",
        "inquiries.change_escalation",
    }
    assert _group_permissions("support") == support
    assert _group_permissions("moderator") == support | {
        "inquiries.view_sellerstanding",
        "inquiries.view_exclusionflag",
        "inquiries.change_exclusionflag",
        "inquiries.view_replytemplate",
        "inquiries.add_replytemplate",
        "inquiries.change_replytemplate",
        "inquiries.delete_replytemplate",
    }
    assert _group_permissions("finance") == set()


def test_a_moderator_marks_exclusion_flags_reviewed_and_support_may_not_see_them(db, now):
    from inquiries.models import ExclusionFlag
    from inquiries.services.messaging import inquiry_exclude

    store = SellerFactory(name="Quiet Store")
    member = SellerMemberFactory(seller=store)
    conversations = [
        open_question(subject=f"Thanks {number}", opened=now - timedelta(minutes=30 - number), seller=store)
        for number in range(10)
    ]
    for conversation in conversations[:3]:
        opening = conversation.messages.get(kind=MessageKind.BUYER)
        inquiry_exclude(message=opening, actor=member, reason="Just a thank-you", now=now)
    flag = ExclusionFlag.objects.get()
    assert (flag.inquiries, flag.excluded) == (10, 3)

    moderator = UserFactory(username="mona", role=Role.MODERATOR)
    url = "/admin/inquiries/exclusionflag/"
    response = client_for(moderator).post(url, {"action": "mark_reviewed", "_selected_action": [flag.pk]}, follow=True)
    assert texts(response) == ["1 flag marked reviewed."]
    flag.refresh_from_db()
    assert flag.reviewed_by == moderator and flag.reviewed_at is not None
    assert client_for(UserFactory(role=Role.SUPPORT)).get(url).status_code == 403


def test_conversation_records_are_named_in_words(queue):
    """The console's history and links name a message or an event in words, not "auto_ack message in #162"."""
    conversation = queue["hours_two"].conversation
    acknowledgment = Message.objects.get(conversation=conversation, kind=MessageKind.AUTO_ACK)
    opened = ConversationEvent.objects.filter(conversation=conversation, kind=ConversationEvent.Kind.INQUIRY_OPENED)

    assert str(acknowledgment) == f"Automatic acknowledgment message in conversation #{conversation.pk}"
    assert str(opened.get()) == f"Inquiry opened in conversation #{conversation.pk}"
