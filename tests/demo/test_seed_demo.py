"""``manage.py seed_demo``: the demo logins, a believable marketplace whose numbers add up, idempotence."""

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from accounts.models import Role, User
from marketplace.models import (
    Invoice,
    InvoiceStatus,
    NumberSequence,
    Order,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentStatus,
    Product,
    Receipt,
    ReceiptDelivery,
    Refund,
    Seller,
    SellerMembership,
    Shipment,
    TrackingEvent,
)
from marketplace.services.numbering import number_next
from notifications.models import Notification
from reviews.models import (
    ProductRating,
    RecoveryFollowUp,
    Review,
    ReviewCase,
    ReviewCaseEvent,
    ReviewEvent,
    ReviewResponse,
    SellerRating,
)

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = [
    "admin",
    "support",
    "moderator",
    "finance",
    "integration",
    "seller",
    "seller2",
    "seller3",
    "seller4",
    "buyer",
    "buyer2",
]
MODELS = [
    User,
    Seller,
    SellerMembership,
    Product,
    Order,
    OrderItem,
    Shipment,
    TrackingEvent,
    Invoice,
    Payment,
    Refund,
    Receipt,
    ReceiptDelivery,
    Notification,
    NumberSequence,
    Review,
    ReviewResponse,
    ReviewEvent,
    RecoveryFollowUp,
    ReviewCase,
    ReviewCaseEvent,
    ProductRating,
    SellerRating,
]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in MODELS}


def test_creates_a_login_for_every_role_with_the_demo_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEED_DEMO_PASSWORD", "a-test-password")

    seed("--orders", "20")

    users = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
    assert sorted(users) == sorted(DEMO_USERNAMES)
    assert all(user.check_password("a-test-password") for user in users.values())
    assert users["admin"].is_superuser and users["admin"].is_staff
    for username in ("support", "moderator", "finance", "integration"):
        assert users[username].role == username
        assert users[username].is_staff and not users[username].is_superuser
        assert list(users[username].groups.values_list("name", flat=True)) == [username]
    assert users["finance"].has_perm("marketplace.reissue_invoice")
    assert not users["buyer"].is_staff and users["buyer"].role == Role.BUYER
    memberships = {
        m.user.username: (m.seller.name, m.role) for m in SellerMembership.objects.select_related("user", "seller")
    }
    assert memberships == {
        "seller": ("Northwind Outfitters", SellerMembership.Role.OWNER),
        "seller2": ("Harbor & Pine Home", SellerMembership.Role.MEMBER),
        "seller3": ("Voltline Electronics", SellerMembership.Role.MEMBER),
        "seller4": ("Kestrel Books & Paper", SellerMembership.Role.MEMBER),
    }


def test_every_store_the_demo_buyers_bought_from_has_a_login_to_answer_their_reviews() -> None:
    seed("--orders", "60")

    logins = set(DEMO_USERNAMES)
    bought_from = set(Order.objects.filter(buyer__username__in=["buyer", "buyer2"]).values_list("seller", flat=True))
    with_login = set(
        SellerMembership.objects.filter(user__username__in=logins).values_list("seller", flat=True).distinct()
    )
    assert bought_from and bought_from <= with_login
    # ``buyer`` still has delivered purchases to review, from stores whose login sees the review.
    reviewed = set(Review.objects.filter(buyer__username="buyer").values_list("product", flat=True))
    to_review = (
        OrderItem.objects.filter(order__buyer__username="buyer", order__status=OrderStatus.DELIVERED)
        .exclude(product__in=reviewed)
        .values_list("order__seller", flat=True)
    )
    assert set(to_review) and set(to_review) <= with_login


def test_full_demo_has_the_stated_sizes_a_believable_mix_and_versioned_invoices() -> None:
    output = seed()

    assert re.search(r", \d+ reviews, \d+ review responses, 5 review cases, 7 tickets, 5 macros[,.]", output)
    assert 200 <= Review.objects.count() <= 400  # a few hundred, on delivered orders
    assert Review.objects.filter(verified_purchase=True).count() == Review.objects.count()

    assert Seller.objects.count() == 4
    assert Product.objects.count() == 40
    assert Order.objects.count() == 300
    # 25 buyers, and the demo partner affiliate's sign-in (demo.royalty), a buyer account too.
    assert User.objects.filter(role=Role.BUYER).exclude(username="partner").count() == 25
    assert User.objects.filter(username="partner", role=Role.BUYER).exists()
    assert Order.objects.values("buyer").distinct().count() == 25
    oldest = Order.objects.order_by("placed_at").first()
    assert oldest is not None and (timezone.now() - oldest.placed_at).days <= 183
    statuses = dict(Order.objects.values_list("status").annotate(Count("id")))
    assert set(statuses) == set(OrderStatus.values)
    assert statuses[OrderStatus.DELIVERED] > 200
    payment_statuses = dict(Payment.objects.values_list("status").annotate(Count("id")))
    assert payment_statuses[PaymentStatus.CAPTURED] > 200
    assert payment_statuses[PaymentStatus.FAILED] >= 3
    assert payment_statuses[PaymentStatus.PENDING] >= 1
    assert 3 <= payment_statuses[PaymentStatus.PARTIALLY_REFUNDED] <= 30
    assert 5 <= Invoice.objects.filter(version=2).count() <= 40
    assert Shipment.objects.count() == Order.objects.filter(status__in=["shipped", "delivered"]).count()
    assert Notification.objects.filter(recipient__username="buyer").exists()
    # Reissued invoices keep the old version, superseded, and say why.
    for second in Invoice.objects.filter(version=2).select_related("supersedes", "issued_by"):
        assert second.status == InvoiceStatus.ISSUED
        assert second.supersedes is not None
        assert second.supersedes.number == second.number
        assert second.supersedes.status == InvoiceStatus.SUPERSEDED
        assert second.reason
        assert second.issued_by is not None and second.issued_by.username == "finance"
    assert not Invoice.objects.filter(status="issued").values("order").annotate(n=Count("id")).filter(n__gt=1)


def test_amounts_add_up_everywhere() -> None:
    seed("--orders", "60")

    for order in Order.objects.annotate(items_total=Sum("items__line_total")):
        assert order.total == order.subtotal + order.shipping_fee + order.tax - order.discount
        assert order.subtotal == order.items_total  # type: ignore[attr-defined]
        assert order.total > 0
    for item in OrderItem.objects.all():
        assert item.line_total == item.unit_price * item.quantity
    for invoice in Invoice.objects.select_related("order").annotate(lines_total=Sum("lines__line_total")):
        assert invoice.total == invoice.order.total
        assert invoice.subtotal == invoice.lines_total  # type: ignore[attr-defined]
    for payment in Payment.objects.annotate(refunds_total=Sum("refunds__amount")):
        assert payment.refunded_amount == (payment.refunds_total or Decimal("0.00"))  # type: ignore[attr-defined]
        assert payment.refunded_amount <= payment.captured_amount <= payment.amount
    captured = Payment.objects.filter(captured_at__isnull=False)
    assert Receipt.objects.count() == captured.count()
    assert not ReceiptDelivery.objects.filter(is_resend=False).values("receipt").annotate(n=Count("id")).filter(n__gt=1)


def test_number_sequences_continue_after_the_demo_numbers() -> None:
    seed("--orders", "20")

    orders = list(Order.objects.order_by("placed_at"))
    for year in {order.placed_at.year for order in orders}:
        numbers = [order.number for order in orders if order.placed_at.year == year]
        assert numbers == [f"SP-{year}-{value:06d}" for value in range(1, len(numbers) + 1)]
        assert NumberSequence.objects.get(prefix="SP", year=year).last_value == len(numbers)
    latest = orders[-1]
    with transaction.atomic():
        assert number_next(prefix="SP", now=latest.placed_at) == f"SP-{latest.placed_at.year}-" + "{:06d}".format(
            int(latest.number.rsplit("-", 1)[1]) + 1
        )
    for prefix, model, field in (("PAY", Payment, "reference"), ("RCT", Receipt, "number"), ("INV", Invoice, "number")):
        values = set(model._default_manager.values_list(field, flat=True))
        assert values and all(value.startswith(f"{prefix}-") for value in values)
        assert sum(NumberSequence.objects.filter(prefix=prefix).values_list("last_value", flat=True)) == len(values)


def test_running_twice_changes_nothing() -> None:
    seed("--orders", "20")
    before = counts()

    output = seed("--orders", "20")

    assert "already exists" in output
    assert counts() == before
    assert before["Review"] > 0 and before["ReviewResponse"] > 0


def test_once_does_nothing_when_the_demo_data_exists() -> None:
    seed("--orders", "10")
    before = counts()

    assert seed("--once").strip() == "Demo data already loaded."
    with_logins = seed("--once", "--logins")
    assert with_logins.startswith("Demo data already loaded.\n")
    assert with_logins.count("password for all:") == 1  # make run prints the table once, from here
    assert counts() == before


def test_print_logins_prints_the_table_and_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEED_DEMO_PASSWORD", raising=False)

    output = seed("--print-logins")

    for username in DEMO_USERNAMES:
        assert f"    {username} " in output
    assert "Support agent" in output
    assert re.search(r"^    partner +Affiliate \(partner\) +/royalty/$", output, re.MULTILINE)
    assert "password for all: saypro-demo-2026" in output
    assert User.objects.count() == 0
    assert Order.objects.count() == 0


class Rollback(Exception):
    """Raised to undo a seed run inside the test's transaction."""


def fingerprint() -> list[tuple[object, ...]]:
    return (
        list(Order.objects.order_by("number").values_list("number", "total", "status", "buyer__username"))
        + list(Shipment.objects.order_by("tracking_number").values_list("carrier", "tracking_number"))
        + list(
            Review.objects.order_by("buyer__username", "product__name").values_list(
                "buyer__username", "product__name", "rating", "title", "status"
            )
        )
    )


def test_same_data_on_every_run() -> None:
    with pytest.raises(Rollback), transaction.atomic():
        seed("--orders", "15")
        first = fingerprint()
        raise Rollback

    seed("--orders", "15")

    assert fingerprint() == first
