"""The demo royalty: affiliates, attributed sales and two closed months of statements made by the
real services, seen on the partner's and the store's pages and in the console."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from core.periods import month_period, shift_period
from demo.royalty import build_demo_royalty
from royalty.models import Affiliate, Attribution, PayoutBatch, Statement, StatementLine, VisibilityScore

pytestmark = pytest.mark.django_db


def test_seed_demo_has_affiliates_and_two_closed_months_of_statements() -> None:
    call_command("seed_demo", "--orders", "120", stdout=StringIO())
    now = timezone.now()
    current = month_period(now.year, now.month)
    paid_month, draft_month = shift_period(current, -2).label, shift_period(current, -1).label

    assert set(Affiliate.objects.values_list("kind", flat=True)) == {"partner", "sales_team", "seller"}
    assert Affiliate.objects.filter(kind="seller").count() == 4
    assert Attribution.objects.count() > 0
    assert set(Statement.objects.filter(period=paid_month).values_list("status", flat=True)) == {"paid"}
    assert set(Statement.objects.filter(period=draft_month).values_list("status", flat=True)) == {"draft"}
    assert PayoutBatch.objects.count() == 1
    for statement in Statement.objects.all():  # totals are the sum of their lines
        assert statement.total == sum(statement.lines.values_list("amount", flat=True))
    assert StatementLine.objects.filter(kind="adjustment", statement__period=draft_month).count() == 1
    assert VisibilityScore.objects.filter(seller__isnull=False).count() == 4
    assert not mail.outbox

    partner = Client()
    partner.force_login(User.objects.get(username="partner"))
    page = partner.get("/royalty/")
    assert page.status_code == 200 and "Brightpath Media" in page.content.decode()
    store = Client()
    store.force_login(User.objects.get(username="seller"))
    assert store.get("/seller/royalty/").status_code == 200
    finance = Client()
    finance.force_login(User.objects.get(username="finance"))
    assert finance.get("/admin/royalty/statement/impact/").status_code == 200


def test_the_demo_royalty_is_idempotent_and_deterministic() -> None:
    call_command("seed_demo", "--orders", "120", stdout=StringIO())
    before = list(
        Statement.objects.order_by("affiliate__name", "period").values_list("affiliate__name", "period", "total")
    )

    assert build_demo_royalty(now=timezone.now()) == {"affiliates": 0}
    assert (
        list(Statement.objects.order_by("affiliate__name", "period").values_list("affiliate__name", "period", "total"))
        == before
    )
