"""The demo help desk: tickets in every state for a newcomer, visible on /support/ and in the
console, and nothing mailed."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from helpdesk.models import Interaction, Macro, Ticket, TicketClock

pytestmark = pytest.mark.django_db


def test_seed_demo_has_tickets_in_every_state() -> None:
    call_command("seed_demo", "--orders", "100", stdout=StringIO())
    assert set(Ticket.objects.values_list("status", flat=True)) == {
        "new",
        "open",
        "pending_customer",
        "escalated",
        "resolved",
        "closed",
    }
    assert TicketClock.objects.filter(escalated_at__isnull=False, stopped_at__isnull=True).count() == 1  # breached
    assert Macro.objects.count() == 5
    assert Interaction.objects.filter(is_internal=True, kind="note").exists()
    assert not mail.outbox
    client = Client()
    client.force_login(User.objects.get(username="buyer"))
    page = client.get("/support/")
    assert page.status_code == 200 and "I was charged twice" in page.content.decode()
    staff = Client()
    staff.force_login(User.objects.get(username="support"))
    assert staff.get("/admin/helpdesk/ticket/").status_code == 200
