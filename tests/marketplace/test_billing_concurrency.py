"""Concurrency on real PostgreSQL: row locks decide, the database constraints back them up."""

from decimal import Decimal

import pytest
from django.utils import timezone

from core.exceptions import DomainError
from marketplace.models import Invoice, InvoiceStatus, Payment, Refund
from marketplace.services.billing import invoice_reissue, refund_issue
from tests.accounts.factories import UserFactory
from tests.marketplace.factories_billing import InvoiceFactory, PaymentFactory
from tests.utils import requires_postgres, run_at_once

pytestmark = [
    requires_postgres,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_refunds_at_the_same_moment_where_only_one_fits_one_succeeds():
    finance = UserFactory(username="finance-race", role="finance")
    payment = PaymentFactory()  # captured 47.98
    results = run_at_once(
        2,
        lambda index: refund_issue(
            payment=payment, amount=Decimal("30.00"), reason=f"race {index}", actor=finance, now=timezone.now()
        ),
    )
    successes = [result for result in results if isinstance(result, Refund)]
    refusals = [result for result in results if isinstance(result, DomainError)]
    assert len(successes) == 1, results
    assert len(refusals) == 1, results
    assert refusals[0].field == "amount"
    payment = Payment.objects.get(pk=payment.pk)
    assert payment.refunded_amount == Decimal("30.00")
    assert payment.refunded_amount <= payment.captured_amount
    assert payment.status == "partially_refunded"
    assert Refund.objects.count() == 1


def test_many_small_refunds_at_once_never_exceed_the_captured_amount():
    finance = UserFactory(username="finance-race-2", role="finance")
    payment = PaymentFactory()  # captured 47.98: at most four refunds of 10.00 fit
    results = run_at_once(
        6,
        lambda index: refund_issue(
            payment=payment, amount=Decimal("10.00"), reason=f"race {index}", actor=finance, now=timezone.now()
        ),
    )
    assert sum(isinstance(result, Refund) for result in results) == 4, results
    payment = Payment.objects.get(pk=payment.pk)
    assert payment.refunded_amount == Decimal("40.00")
    assert Refund.objects.filter(payment=payment).count() == 4


def test_two_reissues_of_one_version_at_once_create_exactly_one_new_version():
    finance = UserFactory(username="finance-race-3", role="finance")
    invoice = InvoiceFactory()
    results = run_at_once(
        2,
        lambda index: invoice_reissue(invoice=invoice, actor=finance, reason=f"fix {index}", now=timezone.now()),
    )
    assert sum(isinstance(result, Invoice) for result in results) == 1, results
    assert sum(isinstance(result, DomainError) and result.status_code == 409 for result in results) == 1
    assert Invoice.objects.filter(number=invoice.number).count() == 2
    assert Invoice.objects.filter(number=invoice.number, status=InvoiceStatus.ISSUED).count() == 1
