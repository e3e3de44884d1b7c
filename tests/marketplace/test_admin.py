"""The marketplace pages of the moderators' console (Django admin)."""

import warnings
from collections.abc import Callable
from decimal import Decimal

import factory
import pytest
from django.contrib import admin
from django.core.paginator import UnorderedObjectListWarning
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from marketplace.models import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NumberSequence,
    Order,
    OrderDelay,
    OrderEvent,
    OrderItem,
    Payment,
    PaymentEvent,
    Product,
    Receipt,
    ReceiptDelivery,
    Refund,
    RefundGrant,
    Seller,
    SellerMembership,
    Shipment,
    TrackingEvent,
)
from marketplace.services.billing import invoice_issue, invoice_reissue, payment_record
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import (
    OrderDelayFactory,
    OrderFactory,
    ProductFactory,
    SellerFactory,
    SellerMemberFactory,
)
from tests.marketplace.factories_billing import RefundGrantFactory

MARKETPLACE_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "marketplace"),
    key=lambda model: model._meta.model_name or "",
)
# Rows written only by services: nobody adds, changes or deletes them in the console.
SERVICE_WRITTEN_MODELS = {
    Order,
    OrderItem,
    OrderEvent,
    Shipment,
    TrackingEvent,
    Invoice,
    InvoiceLine,
    Payment,
    Refund,
    PaymentEvent,
    Receipt,
    ReceiptDelivery,
    NumberSequence,
    RefundGrant,
    OrderDelay,
}
EVENT_MODELS = [OrderEvent, TrackingEvent, PaymentEvent, ReceiptDelivery, Refund]


# --- Factories for the records the admin shows (services are not needed to look at them) ---------


class OrderEventFactory(DjangoModelFactory[OrderEvent]):
    class Meta:
        model = OrderEvent

    order = factory.SubFactory(OrderFactory)
    kind = OrderEvent.Kind.STATUS_CHANGED
    from_status = "pending"
    to_status = "processing"
    note = "Picked"


class ShipmentFactory(DjangoModelFactory[Shipment]):
    class Meta:
        model = Shipment

    order = factory.SubFactory(OrderFactory)
    carrier = "DHL"
    tracking_number = factory.Sequence(lambda n: f"TRK{n:08d}")
    shipped_at = factory.LazyFunction(timezone.now)


class TrackingEventFactory(DjangoModelFactory[TrackingEvent]):
    class Meta:
        model = TrackingEvent

    shipment = factory.SubFactory(ShipmentFactory)
    occurred_at = factory.LazyFunction(timezone.now)
    status = "in_transit"
    location = "Johannesburg"


class InvoiceFactory(DjangoModelFactory[Invoice]):
    class Meta:
        model = Invoice

    order = factory.SubFactory(OrderFactory)
    number = factory.Sequence(lambda n: f"INV-2026-{n:06d}")
    currency = "USD"
    subtotal = Decimal("39.98")
    shipping_fee = Decimal("5.00")
    tax = Decimal("3.00")
    total = Decimal("47.98")


class InvoiceLineFactory(DjangoModelFactory[InvoiceLine]):
    class Meta:
        model = InvoiceLine

    invoice = factory.SubFactory(InvoiceFactory)
    description = "Product"
    quantity = 2
    unit_price = Decimal("19.99")
    line_total = Decimal("39.98")


class PaymentFactory(DjangoModelFactory[Payment]):
    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    amount = Decimal("47.98")
    captured_amount = Decimal("47.98")
    refunded_amount = Decimal("10.00")
    currency = "USD"
    method = "card"
    status = "partially_refunded"
    reference = factory.Sequence(lambda n: f"PAY-{n:08d}")
    captured_at = factory.LazyFunction(timezone.now)


class RefundFactory(DjangoModelFactory[Refund]):
    class Meta:
        model = Refund

    payment = factory.SubFactory(PaymentFactory)
    amount = Decimal("10.00")
    reason = "Overcharged shipping"


class PaymentEventFactory(DjangoModelFactory[PaymentEvent]):
    class Meta:
        model = PaymentEvent

    payment = factory.SubFactory(PaymentFactory)
    from_status = "pending"
    to_status = "captured"
    amount = Decimal("47.98")


class ReceiptFactory(DjangoModelFactory[Receipt]):
    class Meta:
        model = Receipt

    payment = factory.SubFactory(PaymentFactory)
    number = factory.Sequence(lambda n: f"RCT-2026-{n:06d}")
    amount = Decimal("47.98")
    currency = "USD"
    email = "buyer@example.com"


class ReceiptDeliveryFactory(DjangoModelFactory[ReceiptDelivery]):
    class Meta:
        model = ReceiptDelivery

    receipt = factory.SubFactory(ReceiptFactory)
    email = "buyer@example.com"


class NumberSequenceFactory(DjangoModelFactory[NumberSequence]):
    class Meta:
        model = NumberSequence

    prefix = "SP"
    year = factory.Sequence(lambda n: 2000 + n)
    last_value = 12


def _make_membership() -> SellerMembership:
    user = SellerMemberFactory()
    return user.seller_memberships.get()


def _make_order_item() -> OrderItem:
    return OrderFactory().items.get()


# One builder per registered model: a model added to the admin without one fails the tests below.
ROW_BUILDERS: dict[type[Model], Callable[[], Model]] = {
    Seller: SellerFactory,
    SellerMembership: _make_membership,
    Product: ProductFactory,
    Order: OrderFactory,
    OrderItem: _make_order_item,
    OrderEvent: OrderEventFactory,
    Shipment: ShipmentFactory,
    TrackingEvent: TrackingEventFactory,
    Invoice: InvoiceFactory,
    InvoiceLine: InvoiceLineFactory,
    Payment: PaymentFactory,
    Refund: RefundFactory,
    PaymentEvent: PaymentEventFactory,
    Receipt: ReceiptFactory,
    ReceiptDelivery: ReceiptDeliveryFactory,
    NumberSequence: NumberSequenceFactory,
    RefundGrant: RefundGrantFactory,
    OrderDelay: OrderDelayFactory,
}


def _url(model: type[Model], page: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser_client(admin_user: User) -> Client:
    return _logged_in(admin_user)


@pytest.fixture
def superseded_invoice(db: None) -> tuple[Invoice, Invoice]:
    """Version 1 of an invoice, superseded by version 2 with a reason."""
    old = InvoiceFactory(status=InvoiceStatus.SUPERSEDED)
    InvoiceLineFactory(invoice=old)
    new = InvoiceFactory(
        order=old.order, number=old.number, version=2, supersedes=old, reason="Wrong tax rate", total=Decimal("47.98")
    )
    InvoiceLineFactory(invoice=new)
    return old, new


def test_every_registered_marketplace_model_has_a_row_builder() -> None:
    assert set(MARKETPLACE_MODELS) == set(ROW_BUILDERS)


@pytest.mark.django_db
@pytest.mark.parametrize("model", MARKETPLACE_MODELS, ids=lambda model: model._meta.model_name)
def test_superuser_can_open_changelist_search_and_object_pages(superuser_client: Client, model: type[Model]) -> None:
    row = ROW_BUILDERS[model]()

    assert superuser_client.get(_url(model, "changelist")).status_code == 200
    assert superuser_client.get(_url(model, "changelist"), {"q": "a"}).status_code == 200
    assert superuser_client.get(_url(model, "change", row.pk)).status_code == 200
    expected_add_status = 403 if model in SERVICE_WRITTEN_MODELS else 200
    assert superuser_client.get(_url(model, "add")).status_code == expected_add_status


@pytest.mark.django_db
@pytest.mark.parametrize("model", MARKETPLACE_MODELS, ids=lambda model: model._meta.model_name)
def test_changelist_query_count_does_not_grow_with_rows(
    superuser_client: Client, model: type[Model], django_assert_num_queries: Callable
) -> None:
    build = ROW_BUILDERS[model]
    for _ in range(5):
        build()
    url = _url(model, "changelist")
    superuser_client.get(url)  # warm per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as five_rows:
        response = superuser_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == model._default_manager.count()

    for _ in range(45):
        build()
    with django_assert_num_queries(len(five_rows.captured_queries)):
        response = superuser_client.get(url)
    assert response.context["cl"].result_count == model._default_manager.count() >= 50


@pytest.mark.django_db
@pytest.mark.parametrize("model", EVENT_MODELS, ids=lambda model: model._meta.model_name)
def test_event_rows_cannot_be_added_changed_or_deleted_even_by_a_superuser(
    superuser_client: Client, model: type[Model]
) -> None:
    row = ROW_BUILDERS[model]()
    before = model._default_manager.count()

    assert superuser_client.get(_url(model, "add")).status_code == 403
    assert superuser_client.post(_url(model, "add"), {}).status_code == 403
    assert superuser_client.post(_url(model, "change", row.pk), {}).status_code == 403
    assert superuser_client.post(_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.count() == before


@pytest.mark.django_db
def test_invoice_change_page_is_read_only_and_points_to_the_newer_version(
    superuser_client: Client, superseded_invoice: tuple[Invoice, Invoice]
) -> None:
    old, new = superseded_invoice

    response = superuser_client.get(_url(Invoice, "change", old.pk))

    assert response.status_code == 200
    content = response.content.decode()
    assert "superseded" in content.lower()
    assert _url(Invoice, "change", new.pk) in content
    assert 'name="_save"' not in content
    assert 'name="reason"' not in content
    assert 'name="total"' not in content
    assert response.context["adminform"].form.fields == {}


@pytest.mark.django_db
def test_posting_to_an_issued_invoice_changes_nothing(
    superuser_client: Client, superseded_invoice: tuple[Invoice, Invoice]
) -> None:
    _old, new = superseded_invoice

    response = superuser_client.post(_url(Invoice, "change", new.pk), {"reason": "typed over", "total": "1.00"})

    assert response.status_code == 403
    new.refresh_from_db()
    assert (new.reason, new.total) == ("Wrong tax rate", Decimal("47.98"))


@pytest.mark.django_db
def test_invoice_changelist_marks_superseded_versions(
    superuser_client: Client, superseded_invoice: tuple[Invoice, Invoice]
) -> None:
    response = superuser_client.get(_url(Invoice, "changelist"))

    content = response.content.decode()
    assert content.count('class="sp-badge sp-badge--superseded"') == 1
    assert content.count('class="sp-badge sp-badge--current"') == 1


@pytest.mark.django_db
def test_order_page_shows_items_shipments_invoices_payments_and_history(superuser_client: Client) -> None:
    order = OrderFactory(number="SP-2026-004242")
    TrackingEventFactory(shipment=ShipmentFactory(order=order, tracking_number="TRK-ORDER-1"))
    OrderEventFactory(order=order, note="Packed by warehouse 3")
    InvoiceFactory(order=order, number="INV-2026-004242")
    PaymentFactory(order=order, reference="PAY-ORDER-4242")

    response = superuser_client.get(_url(Order, "change", order.pk))

    content = response.content.decode()
    for expected in ("TRK-ORDER-1", "Packed by warehouse 3", "INV-2026-004242", "PAY-ORDER-4242"):
        assert expected in content
    assert order.items.get().product_name in content
    assert 'name="total"' not in content


@pytest.mark.django_db
def test_seller_is_editable_with_its_members(superuser_client: Client) -> None:
    owner = UserFactory(username="owner-one")

    response = superuser_client.post(
        _url(Seller, "add"),
        {
            "name": "Blue Lamp Store",
            "slug": "blue-lamp",
            "email": "lamps@stores.example.com",
            "is_active": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-user": str(owner.pk),
            "memberships-0-role": "owner",
        },
    )

    assert response.status_code == 302
    seller = Seller.objects.get(slug="blue-lamp")
    assert list(seller.memberships.values_list("user__username", "role")) == [("owner-one", "owner")]


@pytest.mark.django_db
def test_user_page_lists_the_users_seller_memberships(superuser_client: Client) -> None:
    seller = SellerFactory(name="Corner Shop")
    member = SellerMemberFactory(seller=seller)

    response = superuser_client.get(reverse("admin:accounts_user_change", args=[member.pk]))

    assert response.status_code == 200
    assert "Corner Shop" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("model", MARKETPLACE_MODELS, ids=lambda model: model._meta.model_name)
def test_support_agent_sees_the_marketplace_records_its_group_may_view(model: type[Model]) -> None:
    support = UserFactory(role=Role.SUPPORT)
    client = _logged_in(support)
    row = ROW_BUILDERS[model]()
    may_view = support.has_perm(f"marketplace.view_{model._meta.model_name}")

    expected = 200 if may_view else 403
    assert client.get(_url(model, "changelist")).status_code == expected
    assert client.get(_url(model, "change", row.pk)).status_code == expected
    # Support only looks: it adds nothing here, even where the model is editable by admins.
    assert client.get(_url(model, "add")).status_code == 403


@pytest.mark.django_db
def test_support_agent_gets_403_on_number_sequences_and_read_only_pages_elsewhere() -> None:
    client = _logged_in(UserFactory(role=Role.SUPPORT))
    seller = SellerFactory()

    assert client.get(_url(NumberSequence, "changelist")).status_code == 403
    page = client.get(_url(Seller, "change", seller.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(_url(Seller, "change", seller.pk), {"name": "Renamed"}).status_code == 403
    seller.refresh_from_db()
    assert seller.name != "Renamed"


@pytest.mark.django_db
def test_buyer_is_sent_to_the_admin_login() -> None:
    client = _logged_in(BuyerFactory())

    for url in (reverse("admin:index"), _url(Order, "changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_product_list_search_finds_by_sku(superuser_client: Client) -> None:
    ProductFactory(sku="LAMP-001", name="Desk lamp")
    ProductFactory(sku="CHAIR-001", name="Chair")

    response = superuser_client.get(_url(Product, "changelist"), {"q": "LAMP-001"})

    assert [product.sku for product in response.context["cl"].result_list] == ["LAMP-001"]


# --- Actions that call the services -----------------------------------------------------------


@pytest.fixture
def captured_payment(admin_user: User) -> Payment:
    """A captured card payment of a whole order (47.98 USD), recorded by the billing service, which
    also issues its receipt."""
    order = OrderFactory(buyer=BuyerFactory(username="paying-buyer", email="paying-buyer@example.com"))
    return payment_record(
        order=order, amount=order.total, method="card", status="captured", actor=admin_user, now=timezone.now()
    )


@pytest.fixture
def issued_invoice(admin_user: User) -> Invoice:
    return invoice_issue(order=OrderFactory(), actor=admin_user, now=timezone.now())


def _moderator() -> User:
    return UserFactory(role=Role.MODERATOR)


@pytest.mark.django_db
def test_finance_reissues_an_invoice_with_a_reason_and_the_old_version_is_kept(
    finance_user: User, issued_invoice: Invoice
) -> None:
    client = _logged_in(finance_user)
    reissue_url = reverse("admin:marketplace_invoice_reissue", args=[issued_invoice.pk])
    assert reissue_url in client.get(_url(Invoice, "change", issued_invoice.pk)).content.decode()
    assert client.get(reissue_url).status_code == 200

    response = client.post(reissue_url, {"reason": "Tax rate was wrong"})

    new = Invoice.objects.get(number=issued_invoice.number, version=2)
    assert response.status_code == 302
    assert response["Location"] == _url(Invoice, "change", new.pk)
    assert (new.status, new.reason, new.supersedes_id, new.issued_by_id) == (
        "issued",
        "Tax rate was wrong",
        issued_invoice.pk,
        finance_user.pk,
    )
    issued_invoice.refresh_from_db()
    assert issued_invoice.status == InvoiceStatus.SUPERSEDED
    assert issued_invoice.total == new.total
    assert OrderEvent.objects.filter(order=new.order, kind=OrderEvent.Kind.INVOICE_REISSUED, actor=finance_user).count()


@pytest.mark.django_db
def test_reissue_without_a_reason_is_refused_and_changes_nothing(finance_user: User, issued_invoice: Invoice) -> None:
    client = _logged_in(finance_user)

    response = client.post(reverse("admin:marketplace_invoice_reissue", args=[issued_invoice.pk]), {"reason": "  "})

    assert response.status_code == 400  # bad input: the field at fault
    assert response.context["form"].errors["reason"]
    issued_invoice.refresh_from_db()
    assert issued_invoice.status == InvoiceStatus.ISSUED
    assert Invoice.objects.filter(number=issued_invoice.number).count() == 1


@pytest.mark.django_db
def test_a_superseded_invoice_cannot_be_reissued_again(
    admin_user: User, finance_user: User, issued_invoice: Invoice
) -> None:
    invoice_reissue(invoice=issued_invoice, reason="First correction", actor=admin_user, now=timezone.now())
    client = _logged_in(finance_user)

    page = client.get(_url(Invoice, "change", issued_invoice.pk)).content.decode()
    response = client.post(
        reverse("admin:marketplace_invoice_reissue", args=[issued_invoice.pk]), {"reason": "Second try"}
    )

    assert reverse("admin:marketplace_invoice_reissue", args=[issued_invoice.pk]) not in page
    assert response.status_code == 409  # the invoice's state does not allow it
    assert "Only the current version" in response.content.decode()
    assert Invoice.objects.filter(number=issued_invoice.number).count() == 2


@pytest.mark.django_db
def test_support_may_not_reissue_invoices(staff_user: User, issued_invoice: Invoice) -> None:
    client = _logged_in(staff_user)
    reissue_url = reverse("admin:marketplace_invoice_reissue", args=[issued_invoice.pk])

    assert reissue_url not in client.get(_url(Invoice, "change", issued_invoice.pk)).content.decode()
    assert client.get(reissue_url).status_code == 403
    assert client.post(reissue_url, {"reason": "Because"}).status_code == 403
    assert Invoice.objects.filter(number=issued_invoice.number).count() == 1


@pytest.mark.django_db
def test_finance_refunds_part_of_a_payment_through_the_service(finance_user: User, captured_payment: Payment) -> None:
    client = _logged_in(finance_user)
    refund_url = reverse("admin:marketplace_payment_refund", args=[captured_payment.pk])
    assert refund_url in client.get(_url(Payment, "change", captured_payment.pk)).content.decode()

    response = client.post(refund_url, {"amount": "10.00", "reason": "Shipping overcharged"})

    assert response.status_code == 302
    assert response["Location"] == _url(Payment, "change", captured_payment.pk)
    captured_payment.refresh_from_db()
    assert (captured_payment.status, captured_payment.refunded_amount) == ("partially_refunded", Decimal("10.00"))
    refund = captured_payment.refunds.get()
    assert (refund.amount, refund.reason, refund.created_by_id) == (
        Decimal("10.00"),
        "Shipping overcharged",
        finance_user.pk,
    )
    assert captured_payment.events.filter(to_status="partially_refunded", amount=Decimal("10.00")).count() == 1


@pytest.mark.django_db
def test_a_refund_beyond_what_is_refundable_is_refused_and_changes_nothing(
    finance_user: User, captured_payment: Payment
) -> None:
    client = _logged_in(finance_user)

    response = client.post(
        reverse("admin:marketplace_payment_refund", args=[captured_payment.pk]),
        {"amount": "47.99", "reason": "Too much"},
    )

    assert response.status_code == 400
    assert "47.98" in " ".join(response.context["form"].errors["amount"])
    captured_payment.refresh_from_db()
    assert (captured_payment.status, captured_payment.refunded_amount) == ("captured", Decimal("0.00"))
    assert not captured_payment.refunds.exists()


@pytest.mark.django_db
def test_support_may_not_refund(staff_user: User, captured_payment: Payment) -> None:
    client = _logged_in(staff_user)
    refund_url = reverse("admin:marketplace_payment_refund", args=[captured_payment.pk])

    assert refund_url not in client.get(_url(Payment, "change", captured_payment.pk)).content.decode()
    assert client.post(refund_url, {"amount": "1.00", "reason": "Nice try"}).status_code == 403
    captured_payment.refresh_from_db()
    assert captured_payment.refunded_amount == Decimal("0.00")


@pytest.mark.django_db
def test_support_resends_a_receipt_to_the_buyer(
    staff_user: User, captured_payment: Payment, django_capture_on_commit_callbacks: Callable, mailoutbox: list
) -> None:
    receipt = captured_payment.receipt
    client = _logged_in(staff_user)
    resend_url = reverse("admin:marketplace_receipt_resend", args=[receipt.pk])
    assert resend_url in client.get(_url(Receipt, "change", receipt.pk)).content.decode()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url, {})

    assert response.status_code == 302
    delivery = receipt.deliveries.get(is_resend=True)
    assert (delivery.email, delivery.requested_by_id) == ("paying-buyer@example.com", staff_user.pk)
    assert [message.to for message in mailoutbox] == [["paying-buyer@example.com"]]
    assert receipt.number in mailoutbox[0].subject


@pytest.mark.django_db
def test_resend_action_on_the_receipt_list_resends_each_selected_receipt(staff_user: User, admin_user: User) -> None:
    receipts = []
    for _ in range(2):
        order = OrderFactory()
        payment = payment_record(
            order=order, amount=order.total, method="card", status="captured", actor=admin_user, now=timezone.now()
        )
        receipts.append(payment.receipt)
    client = _logged_in(staff_user)

    response = client.post(
        _url(Receipt, "changelist"),
        {"action": "resend_to_buyer", "_selected_action": [str(receipt.pk) for receipt in receipts]},
    )

    assert response.status_code == 302
    assert ReceiptDelivery.objects.filter(is_resend=True, requested_by=staff_user).count() == 2


@pytest.mark.django_db
def test_a_moderator_may_not_resend_receipts(captured_payment: Payment) -> None:
    receipt = captured_payment.receipt
    client = _logged_in(_moderator())

    changelist = client.get(_url(Receipt, "changelist"))
    response = client.post(reverse("admin:marketplace_receipt_resend", args=[receipt.pk]), {})

    assert changelist.status_code == 200
    assert "resend_to_buyer" not in changelist.content.decode()
    assert response.status_code == 403
    assert not receipt.deliveries.filter(is_resend=True).exists()


@pytest.mark.django_db
def test_admin_changes_an_order_status_through_the_service(admin_user: User) -> None:
    order = OrderFactory(status="pending")
    client = _logged_in(admin_user)
    status_url = reverse("admin:marketplace_order_status", args=[order.pk])
    assert status_url in client.get(_url(Order, "change", order.pk)).content.decode()
    assert [value for value, _ in client.get(status_url).context["form"].fields["to_status"].choices] == [
        "processing",
        "cancelled",
    ]

    response = client.post(status_url, {"to_status": "processing", "note": "Picked in the warehouse"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "processing"
    event = order.events.get(kind=OrderEvent.Kind.STATUS_CHANGED)
    assert (event.from_status, event.to_status, event.actor_id, event.note) == (
        "pending",
        "processing",
        admin_user.pk,
        "Picked in the warehouse",
    )


@pytest.mark.django_db
def test_an_illegal_status_move_is_refused(admin_user: User) -> None:
    order = OrderFactory(status="delivered")
    client = _logged_in(admin_user)

    response = client.post(reverse("admin:marketplace_order_status", args=[order.pk]), {"to_status": "pending"})

    assert response.status_code == 400
    assert response.context["form"].errors["to_status"]
    order.refresh_from_db()
    assert order.status == "delivered"
    assert not order.events.exists()


@pytest.mark.django_db
def test_support_may_not_change_order_status(staff_user: User) -> None:
    order = OrderFactory(status="pending")
    client = _logged_in(staff_user)

    response = client.post(reverse("admin:marketplace_order_status", args=[order.pk]), {"to_status": "cancelled"})

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == "pending"


@pytest.mark.django_db
def test_action_pages_of_a_missing_record_are_404(admin_user: User) -> None:
    client = _logged_in(admin_user)

    for name in ("order_status", "invoice_reissue", "payment_refund", "receipt_resend"):
        assert client.get(reverse(f"admin:marketplace_{name}", args=[999999])).status_code == 404


def test_the_seller_autocomplete_lists_stores_by_name_without_an_unordered_page(superuser_client: Client) -> None:
    for name in ("Cedar", "Alder", "Birch"):
        SellerFactory(name=name)
    url = "/admin/autocomplete/?app_label=marketplace&model_name=product&field_name=seller&term="
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        response = superuser_client.get(url)
    assert response.status_code == 200
    names = [result["text"] for result in response.json()["results"]]
    assert names == sorted(names) and {"Alder", "Birch", "Cedar"} <= set(names)


@pytest.mark.django_db
def test_console_support_grants_a_refund_and_finance_sends_it_but_not_the_same_person() -> None:
    payment = PaymentFactory()
    support = UserFactory(role=Role.SUPPORT)
    finance = UserFactory(role=Role.FINANCE)

    granted = _logged_in(support).post(
        _url(Payment, "grant_refund", payment.pk), {"amount": "30.00", "reason": "Arrived broken"}
    )
    assert granted.status_code == 302
    grant = RefundGrant.objects.get()
    assert (grant.amount, grant.granted_by) == (Decimal("30.00"), support)
    # Support may not send it; finance may.
    assert _logged_in(support).get(_url(RefundGrant, "send", grant.pk)).status_code == 403
    sent = _logged_in(finance).post(_url(RefundGrant, "send", grant.pk), {})
    assert sent.status_code == 302
    grant.refresh_from_db()
    assert (grant.status, grant.sent_by) == ("sent", finance)


@pytest.mark.django_db
def test_console_refuses_a_grant_sent_by_whoever_granted_it(admin_user: User) -> None:
    payment = PaymentFactory()
    client = _logged_in(admin_user)
    client.post(_url(Payment, "grant_refund", payment.pk), {"amount": "30.00", "reason": "x"})
    grant = RefundGrant.objects.get()

    response = client.post(_url(RefundGrant, "send", grant.pk), {})

    assert response.status_code == 400  # the console shows the refusal on the form
    assert "someone other than who granted it" in response.content.decode()
    grant.refresh_from_db()
    assert grant.status == "granted" and not Refund.objects.exists()


@pytest.mark.django_db
def test_console_reissues_a_receipt_to_the_right_address(superuser_client: Client) -> None:
    receipt = ReceiptFactory(email="wrong@example.com")

    response = superuser_client.post(
        _url(Receipt, "reissue", receipt.pk), {"reason": "Sent to an old address", "email": "right@example.com"}
    )

    assert response.status_code == 302
    receipt.refresh_from_db()
    assert receipt.email == "right@example.com"
    assert receipt.revisions.get().email == "wrong@example.com"
