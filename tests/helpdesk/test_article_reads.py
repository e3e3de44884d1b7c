"""The help centre's article reads and the report of the readers who did not open a ticket of the
article's category afterwards: a read is recorded once per user, article and day (one cheap
insert), never for anonymous visitors, and counted per category and period in one statement."""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.test import Client
from django.urls import reverse

from core.periods import month_period
from helpdesk.models import ArticleRead
from helpdesk.selectors.help_centre import article_read_report
from helpdesk.services.articles import article_read_record
from tests.accounts.factories import BuyerFactory
from tests.helpdesk.factories import ArticleFactory, TicketFactory
from tests.helpdesk.test_admin import logged_in

NOV = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
WINDOW = timedelta(days=7)


def test_a_signed_in_reader_is_recorded_once_a_day_and_an_anonymous_one_never(desk, django_assert_num_queries):
    article = ArticleFactory(topic="invoices")
    url = reverse("help-article", args=[article.slug])
    alice = logged_in(desk["alice"])

    assert Client().get(url).status_code == 200
    assert not ArticleRead.objects.exists()
    assert alice.get(url).status_code == 200
    assert alice.get(url).status_code == 200

    read = ArticleRead.objects.get()
    assert (read.user_id, read.article_id, read.category) == (desk["alice"].pk, article.pk, "invoice")
    with django_assert_num_queries(1):  # INSERT ... ON CONFLICT DO NOTHING
        article_read_record(article=article, user=desk["alice"], now=read.read_at + timedelta(days=1))
    assert ArticleRead.objects.count() == 2
    with django_assert_num_queries(1):
        article_read_record(article=article, user=desk["alice"], now=read.read_at + timedelta(days=1, hours=1))
    assert ArticleRead.objects.count() == 2


def _read(user: Any, article: Any, at: datetime) -> None:
    article_read_record(article=article, user=user, now=at)


def test_the_report_counts_readers_who_did_not_open_a_ticket_of_the_category_within_the_window(
    desk, django_assert_num_queries
) -> None:
    invoices, orders = ArticleFactory(topic="invoices"), ArticleFactory(topic="orders")
    reviews = ArticleFactory(topic="reviews")  # answers no ticket category: not counted
    opened, helped, late, elsewhere = (BuyerFactory() for _ in range(4))
    _read(opened, invoices, NOV)
    _read(opened, invoices, NOV + timedelta(days=1))  # a second read, the same reader
    TicketFactory(customer=opened, category="invoice", created_at=NOV + timedelta(days=2))
    _read(helped, invoices, NOV)
    _read(late, invoices, NOV)
    TicketFactory(customer=late, category="invoice", created_at=NOV + timedelta(days=8))  # after the window
    TicketFactory(customer=late, category="invoice", created_at=NOV - timedelta(days=1))  # before the read
    _read(elsewhere, invoices, NOV)
    TicketFactory(customer=elsewhere, category="payment", created_at=NOV + timedelta(hours=1))  # another category
    _read(elsewhere, orders, NOV)
    _read(helped, reviews, NOV)
    _read(helped, orders, datetime(2026, 10, 31, 23, 0, tzinfo=UTC))  # October

    with django_assert_num_queries(1):
        rows = {row.category: row for row in article_read_report(period=month_period(2026, 11), window=WINDOW)}

    invoice = rows["invoice"]
    assert (invoice.reads, invoice.readers, invoice.readers_who_opened, invoice.readers_not_opened) == (5, 4, 1, 3)
    assert str(invoice.not_opened_pct) == "75.00"
    assert (rows["order_status"].readers, rows["order_status"].readers_not_opened) == (1, 1)
    assert (rows["payment"].readers, rows["payment"].not_opened_pct) == (0, None)
    assert list(rows) == ["order_status", "invoice", "receipt", "payment", "other"]


def test_the_report_page_is_for_staff_and_refuses_a_bad_period(desk) -> None:
    article = ArticleFactory(topic="invoices")
    _read(desk["alice"], article, NOV)
    url = reverse("admin:helpdesk_article_report")

    page = logged_in(desk["support"]).get(url + "?period=2026-11")

    assert page.status_code == 200
    invoice = next(row for row, _ in page.context["rows"] if row.category == "invoice")
    assert (invoice.readers, invoice.readers_not_opened) == (1, 1)
    assert "100 %" in page.content.decode()
    assert logged_in(desk["support"]).get(url + "?period=2026-13").status_code == 400
    assert logged_in(desk["moderator"]).get(url).status_code == 200
    assert logged_in(desk["alice"]).get(url).status_code == 302  # the console's login
    index = logged_in(desk["support"]).get(reverse("admin:index")).content.decode()
    assert url in index
