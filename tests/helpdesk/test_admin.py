"""The help desk console: index cards, queue filters, the ticket page's actions (each one service
call; refusals change nothing), bulk "assign to me", query counts constant in the rows shown."""

from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from helpdesk.models import Interaction, Ticket, TicketClock
from helpdesk.services.tickets import ticket_escalate, ticket_open
from notifications.models import Notification
from tests.accounts.factories import BuyerFactory
from tests.helpdesk.factories import MacroFactory, TicketFactory


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ticket(desk: dict[str, Any]) -> Ticket:
    return ticket_open(
        customer=desk["alice"],
        category="order_status",
        subject="Where is my parcel?",
        body="It is late.",
        order=desk["order"],
        now=timezone.now(),
    )


def test_index_cards_count_new_breaching_and_escalated_by_department(desk) -> None:
    first = _ticket(desk)
    _ticket(desk)
    TicketFactory(customer=desk["bob"], created_at=timezone.now() - timedelta(days=3))  # past its 48 h
    ticket_escalate(ticket=first, actor=desk["support"], department="logistics", reason="Carrier", now=timezone.now())

    page = logged_in(desk["support"]).get(reverse("admin:index"))
    sections = {entry.section.key: entry.cards for entry in page.context["sections"]}
    cards = {card.label: card.count for card in sections["helpdesk.tickets"]}
    assert cards == {
        "New tickets": 2,
        "Past target": 1,
        "Escalated: Finance": 0,
        "Escalated: Billing": 0,
        "Escalated: Logistics": 1,
        "Escalated: Technical": 0,
    }
    listed = logged_in(desk["support"]).get(reverse("admin:helpdesk_ticket_changelist") + "?time_left=breaching")
    assert listed.context["cl"].result_count == 1


def test_the_queue_filters_and_its_query_count_is_constant(desk, django_assert_max_num_queries) -> None:
    for _ in range(2):
        TicketFactory(customer=BuyerFactory(), category="payment")
    client = logged_in(desk["support"])
    url = reverse("admin:helpdesk_ticket_changelist")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    for _ in range(20):
        TicketFactory(customer=BuyerFactory(), category="payment")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url + "?category__exact=payment")
    assert response.context["cl"].result_count == 22


def test_reply_with_a_macro_from_the_ticket_page(desk) -> None:
    ticket = _ticket(desk)
    macro = MacroFactory(category="order_status", body="Hi {customer_name}, order {order_number} ships today.")
    client = logged_in(desk["support"])
    url = reverse("admin:helpdesk_ticket_reply", args=[ticket.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"macro": macro.pk, "body": ""})
    assert response.status_code == 302
    reply = Interaction.objects.filter(ticket=ticket, direction="outbound").get()
    assert reply.body == "Hi Alice, order SP-2026-000123 ships today."
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


def test_an_internal_note_from_the_console_does_not_reach_the_customer(desk) -> None:
    ticket = _ticket(desk)
    Notification.objects.all().delete()
    response = logged_in(desk["support"]).post(
        reverse("admin:helpdesk_ticket_note", args=[ticket.pk]), {"body": "Carrier says lost."}
    )
    assert response.status_code == 302
    assert Interaction.objects.get(ticket=ticket, kind="note").is_internal
    assert not Notification.objects.exists()


def test_a_refused_action_changes_nothing_and_answers_409(desk) -> None:
    ticket = _ticket(desk)
    client = logged_in(desk["support"])
    client.post(reverse("admin:helpdesk_ticket_resolve", args=[ticket.pk]), {"resolution": "Delivered."})
    response = client.post(reverse("admin:helpdesk_ticket_resolve", args=[ticket.pk]), {"resolution": "Again"})
    assert response.status_code == 409
    assert Ticket.objects.get(pk=ticket.pk).resolution == "Delivered."


def test_escalate_from_the_console_needs_a_reason(desk) -> None:
    ticket = _ticket(desk)
    client = logged_in(desk["support"])
    url = reverse("admin:helpdesk_ticket_escalate", args=[ticket.pk])
    assert client.post(url, {"department": "logistics", "reason": ""}).status_code == 400
    assert client.post(url, {"department": "logistics", "reason": "Lost parcel"}).status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).department == "logistics"


def test_a_moderator_reads_tickets_but_their_action_pages_are_403(desk) -> None:
    ticket = _ticket(desk)
    client = logged_in(desk["moderator"])
    assert client.get(reverse("admin:helpdesk_ticket_change", args=[ticket.pk])).status_code == 200
    assert client.get(reverse("admin:helpdesk_ticket_resolve", args=[ticket.pk])).status_code == 403


def test_bulk_assign_to_me(desk) -> None:
    tickets = [_ticket(desk) for _ in range(3)]
    response = logged_in(desk["billing"]).post(
        reverse("admin:helpdesk_ticket_changelist"),
        {"action": "assign_to_me", "_selected_action": [ticket.pk for ticket in tickets]},
    )
    assert response.status_code == 302
    assert set(Ticket.objects.values_list("assignee__username", flat=True)) == {"billing-1"}


def test_recurring_problems_are_listed_by_order_and_by_store(desk) -> None:
    first, second = _ticket(desk), _ticket(desk)  # the same order, the same category
    TicketFactory(customer=desk["bob"], category="order_status", order=desk["bob_order"])  # same store
    TicketFactory(customer=desk["bob"], category="invoice", order=desk["bob_order"])  # another category
    client = logged_in(desk["support"])
    url = reverse("admin:helpdesk_ticket_changelist")

    def listed(query: str) -> set[int]:
        return {ticket.pk for ticket in client.get(url + query).context["cl"].result_list}

    assert listed("?recurring=order") == {first.pk, second.pk}
    bobs = Ticket.objects.get(customer=desk["bob"], category="order_status").pk
    assert listed("?recurring=seller") == {first.pk, second.pk, bobs}


def test_the_queue_lists_active_tickets_nearest_deadline_first_and_caps_its_count(desk, monkeypatch) -> None:
    from helpdesk.admin.tickets import QueuePaginator

    now = timezone.now()
    late = TicketFactory(customer=desk["alice"], subject="Late one")
    TicketClock.objects.filter(ticket=late).update(due_at=now + timedelta(hours=30))
    early = TicketFactory(customer=desk["bob"], subject="Early one")
    TicketClock.objects.filter(ticket=early).update(due_at=now + timedelta(hours=2))
    done = TicketFactory(customer=desk["bob"], subject="Done one", status="resolved", resolved_at=now)
    TicketClock.objects.filter(ticket=done).update(stopped_at=now, due_at=now - timedelta(days=1))
    client = logged_in(desk["support"])
    url = reverse("admin:helpdesk_ticket_changelist")

    response = client.get(url)

    assert [ticket.pk for ticket in response.context["cl"].result_list] == [early.pk, late.pk]
    assert b"2 tickets" in response.content
    monkeypatch.setattr(QueuePaginator, "cap", 1)
    capped = client.get(url)
    assert [ticket.pk for ticket in capped.context["cl"].result_list] == [early.pk, late.pk]
    assert b"more than 1 tickets (filter to narrow the list)" in capped.content
    assert client.get(url + "?queue=done").context["cl"].result_count == 1


def test_the_queue_rows_are_the_html_djangos_changelist_renders(desk) -> None:
    from django.contrib.admin.templatetags.admin_list import items_for_result

    from helpdesk.templatetags.helpdesk_queue import helpdesk_queue_results

    now = timezone.now()
    plain = TicketFactory(customer=desk["alice"], subject="<b>Where</b> & why?")
    escalated = _ticket(desk)
    ticket_escalate(ticket=escalated, actor=desk["support"], department="billing", reason="Invoice", now=now)
    Ticket.objects.filter(pk=escalated.pk).update(assignee=desk["billing"])
    paused = TicketFactory(customer=desk["bob"], status="pending_customer", priority="urgent", category="payment")
    TicketClock.objects.filter(ticket=paused).update(paused_at=now)
    late = TicketFactory(customer=desk["bob"], priority="high")
    TicketClock.objects.filter(ticket=late).update(due_at=now - timedelta(hours=3))

    response = logged_in(desk["support"]).get(reverse("admin:helpdesk_ticket_changelist"))
    cl = response.context["cl"]
    fast = helpdesk_queue_results(cl)["results"]

    assert {ticket.pk for ticket in cl.result_list} == {plain.pk, escalated.pk, paused.pk, late.pk}
    assert tuple(cl.list_display) == cl.model_admin.QUEUE_ROW_COLUMNS  # the fast rows, not Django's
    assert [list(row) for row in fast] == [["".join(items_for_result(cl, ticket, None))] for ticket in cl.result_list]
    html = response.content.decode()
    assert "&lt;b&gt;Where&lt;/b&gt; &amp; why?" in html
    assert "<b>Where" not in html
    assert 'class="field-department">Billing</td>' in html


def test_a_capped_queue_says_more_than_and_pages_only_to_the_cap(desk, monkeypatch) -> None:
    from helpdesk.admin.tickets import QueuePaginator, TicketAdmin

    for _ in range(5):
        TicketFactory(customer=desk["alice"])
    monkeypatch.setattr(QueuePaginator, "cap", 3)
    monkeypatch.setattr(TicketAdmin, "list_per_page", 2)
    client = logged_in(desk["support"])
    url = reverse("admin:helpdesk_ticket_changelist")

    page = client.get(url + "?queue=active")
    html = page.content.decode()

    assert page.context["cl"].paginator.num_pages == 1  # 3 // 2: no page holding only the row that said "more"
    assert "more than 3 results" in html and "more than 3 tickets (filter to narrow the list)" in html
    assert "?queue=active&amp;p=2" not in html
    assert "Select all 3" not in html and 'class="question' not in html  # no "select all" across a capped queue
    assert client.get(url + "?queue=active&p=2").status_code == 302  # past the pages: Django's "?e=1" redirect
    monkeypatch.setattr(QueuePaginator, "cap", 1000)
    assert "Select all 5 tickets" in client.get(url + "?queue=active").content.decode()


def _tags_collapsed(html: str) -> str:
    """HTML with the whitespace between and around tags removed (a template's indentation)."""
    import re

    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", html).strip()


def test_the_queue_filters_are_the_html_djangos_filter_template_renders(desk) -> None:
    from django.contrib.admin.templatetags.admin_list import admin_list_filter

    from core.templatetags.console_lists import console_filters

    TicketFactory(customer=desk["alice"], category="invoice")
    client = logged_in(desk["support"])
    for query in ("", "?queue=unassigned&category__exact=invoice&q=a%26b", "?queue=mine&_facets=1"):
        response = client.get(reverse("admin:helpdesk_ticket_changelist") + query)
        cl = response.context["cl"]
        fast = console_filters(cl)
        django = "".join(admin_list_filter(cl, spec) for spec in cl.filter_specs)
        assert _tags_collapsed(fast) == _tags_collapsed(django), query
        assert _tags_collapsed(fast) in _tags_collapsed(response.content.decode())
    assert 'data-filter-title="queue"' in fast and '<li class="selected"><a href="?_facets=1&amp;queue=mine">' in (
        _tags_collapsed(fast)
    )


def test_the_queue_action_bar_is_the_html_django_renders(desk) -> None:
    from django.template import Context, Template

    from core.templatetags.console_lists import console_action_fields

    response = logged_in(desk["support"]).get(reverse("admin:helpdesk_ticket_changelist"))
    action_form = response.context["action_form"]
    django = Template(
        "{% for field in action_form %}{% if field.label %}<label>{{ field.label }} {{ field }}</label>"
        "{% else %}{{ field }}{% endif %}{% endfor %}"
    ).render(Context({"action_form": action_form}))

    fast = console_action_fields(action_form)

    assert _tags_collapsed(fast) == _tags_collapsed(django)
    assert '<option value="assign_to_me">Assign to me</option>' in fast
    assert _tags_collapsed(fast) in _tags_collapsed(response.content.decode())
    bound = type(action_form)({"action": "assign_to_me"}, auto_id=None)
    bound.fields["action"].choices = action_form.fields["action"].choices
    assert '<option value="assign_to_me" selected>' in console_action_fields(bound)  # Django's own rendering
