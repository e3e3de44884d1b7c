"""Factories for billing records, for tests that need rows in a given state without going
through the services (lists, scoping, query counts). Flows are tested through the services."""

from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from marketplace.models import Invoice, InvoiceLine, Payment, Receipt, Refund, RefundGrant
from tests.marketplace.factories import OrderFactory


class InvoiceFactory(DjangoModelFactory[Invoice]):
    """A current invoice (version 1) copying its order's amounts, with one line."""

    class Meta:
        model = Invoice
        skip_postgeneration_save = True

    order = factory.SubFactory(OrderFactory)
    number = factory.Sequence(lambda n: f"INV-TEST-{n:06d}")
    version = 1
    status = "issued"
    currency = factory.SelfAttribute("order.currency")
    subtotal = factory.SelfAttribute("order.subtotal")
    shipping_fee = factory.SelfAttribute("order.shipping_fee")
    tax = factory.SelfAttribute("order.tax")
    discount = factory.SelfAttribute("order.discount")
    total = factory.SelfAttribute("order.total")

    @factory.post_generation
    def lines(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is None:
            InvoiceLine.objects.create(
                invoice=self,
                description="Product",
                quantity=2,
                unit_price=Decimal("19.99"),
                line_total=Decimal("39.98"),
            )


class PaymentFactory(DjangoModelFactory[Payment]):
    """A captured card payment of the whole order total."""

    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    amount = factory.SelfAttribute("order.total")
    currency = factory.SelfAttribute("order.currency")
    method = "card"
    status = "captured"
    captured_amount = factory.SelfAttribute("amount")
    refunded_amount = Decimal("0.00")
    reference = factory.Sequence(lambda n: f"PAY-TEST-{n:06d}")
    captured_at = factory.LazyFunction(timezone.now)


class ReceiptFactory(DjangoModelFactory[Receipt]):
    class Meta:
        model = Receipt

    payment = factory.SubFactory(PaymentFactory)
    number = factory.Sequence(lambda n: f"RCT-TEST-{n:06d}")
    amount = factory.SelfAttribute("payment.captured_amount")
    currency = factory.SelfAttribute("payment.currency")
    email = factory.LazyAttribute(lambda receipt: receipt.payment.order.buyer.email)


class RefundFactory(DjangoModelFactory[Refund]):
    """A refund row only (the payment's refunded amount is not changed: use ``refund_issue`` for flows)."""

    class Meta:
        model = Refund

    payment = factory.SubFactory(PaymentFactory)
    amount = Decimal("5.00")
    reason = "Damaged box"


class RefundGrantFactory(DjangoModelFactory[RefundGrant]):
    class Meta:
        model = RefundGrant

    payment = factory.SubFactory(PaymentFactory)
    amount = Decimal("10.00")
    reason = "Duplicate charge"
    granted_by = factory.SubFactory("tests.accounts.factories.UserFactory", role="support")
    created_at = factory.LazyFunction(timezone.now)
