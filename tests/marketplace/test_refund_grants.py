"""Refunds above the approval threshold take two people; an overcharge is refunded to the cent."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import Forbidden, InvalidInput, StateConflict
from marketplace.models import OrderEvent, Payment, Refund, RefundGrant
from marketplace.services.billing import invoice_reissue, refund_issue
from marketplace.services.refunds import (
    refund_difference,
    refund_grant,
    refund_grant_send,
    refund_grant_withdraw,
)
from tests.accounts.factories import AdminFactory, UserFactory
from tests.marketplace.factories import OrderFactory
from tests.marketplace.factories_billing import InvoiceFactory, PaymentFactory
from tests.utils import requires_postgres, run_at_once

pytestmark = pytest.mark.django_db

NOW = timezone.now


def big_payment(amount: str = "500.00") -> Payment:
    order = OrderFactory(
        subtotal=Decimal(amount), shipping_fee=Decimal("0.00"), tax=Decimal("0.00"), total=Decimal(amount)
    )
    return PaymentFactory(order=order)


def test_a_refund_above_the_threshold_cannot_be_sent_in_one_step(finance_user, settings):
    settings.MARKETPLACE_REFUND_APPROVAL_THRESHOLD = Decimal("100.00")
    payment = big_payment()

    with pytest.raises(StateConflict) as refused:
        refund_issue(payment=payment, amount=Decimal("100.01"), reason="x", actor=finance_user, now=NOW())

    assert refused.value.code == "approval_required"
    assert not Refund.objects.exists()
    refund_issue(payment=payment, amount=Decimal("100.00"), reason="at the threshold", actor=finance_user, now=NOW())


def test_support_grants_and_finance_sends_and_the_buyer_is_told_both_times(staff_user, finance_user):
    payment = big_payment()
    buyer = payment.order.buyer

    grant = refund_grant(payment=payment, amount=Decimal("250.00"), reason="Returned", actor=staff_user, now=NOW())
    payment.refresh_from_db()
    assert (payment.refunded_amount, payment.status) == (Decimal("0.00"), "captured")  # nothing moved yet

    refund = refund_grant_send(grant=grant, actor=finance_user, now=NOW())

    grant.refresh_from_db()
    payment.refresh_from_db()
    assert (grant.status, grant.sent_by, grant.refund) == ("sent", finance_user, refund)
    assert (refund.amount, refund.created_by) == (Decimal("250.00"), finance_user)
    assert (payment.refunded_amount, payment.status) == (Decimal("250.00"), "partially_refunded")
    assert [n.kind for n in buyer.notifications.order_by("id")] == ["refund_granted", "refund_issued"]
    assert "usually on your statement in 3-5 working days" in buyer.notifications.get(kind="refund_issued").body
    assert list(OrderEvent.objects.filter(order=payment.order).order_by("id").values_list("kind", flat=True)) == [
        "refund_granted",
        "refund_issued",
    ]


def test_whoever_granted_a_refund_may_not_send_it():
    admin = AdminFactory()  # may do both: still two different people
    payment = big_payment()
    grant = refund_grant(payment=payment, amount=Decimal("300.00"), reason="x", actor=admin, now=NOW())

    with pytest.raises(Forbidden) as refused:
        refund_grant_send(grant=grant, actor=admin, now=NOW())

    assert refused.value.code == "four_eyes"
    grant.refresh_from_db()
    assert grant.status == "granted" and not Refund.objects.exists()
    refund_grant_send(grant=grant, actor=AdminFactory(), now=NOW())


def test_support_may_not_send_and_finance_may_not_grant(staff_user, finance_user):
    payment = big_payment()
    grant = refund_grant(payment=payment, amount=Decimal("300.00"), reason="x", actor=staff_user, now=NOW())
    with pytest.raises(Forbidden):
        refund_grant_send(grant=grant, actor=UserFactory(role="support"), now=NOW())
    with pytest.raises(Forbidden):
        refund_grant(payment=payment, amount=Decimal("1.00"), reason="x", actor=finance_user, now=NOW())
    assert RefundGrant.objects.count() == 1


def test_open_grants_reserve_what_they_will_refund(staff_user, finance_user):
    payment = big_payment()  # 500.00 captured
    refund_grant(payment=payment, amount=Decimal("400.01"), reason="x", actor=staff_user, now=NOW())

    with pytest.raises(InvalidInput) as refused:
        refund_grant(payment=payment, amount=Decimal("100.00"), reason="y", actor=staff_user, now=NOW())
    assert (refused.value.field, refused.value.code) == ("amount", "exceeds_refundable")
    assert "At most 99.99 USD" in refused.value.message
    with pytest.raises(InvalidInput):
        refund_issue(payment=payment, amount=Decimal("100.00"), reason="z", actor=finance_user, now=NOW())
    assert RefundGrant.objects.count() == 1 and not Refund.objects.exists()


def test_a_grant_is_sent_once_and_a_withdrawn_one_never(staff_user, finance_user):
    payment = big_payment()
    sent = refund_grant(payment=payment, amount=Decimal("200.00"), reason="x", actor=staff_user, now=NOW())
    refund_grant_send(grant=sent, actor=finance_user, now=NOW())
    withdrawn = refund_grant(payment=payment, amount=Decimal("200.00"), reason="y", actor=staff_user, now=NOW())
    refund_grant_withdraw(grant=withdrawn, actor=staff_user, reason="Buyer kept it", now=NOW())

    for grant in (sent, withdrawn):
        with pytest.raises(StateConflict) as refused:
            refund_grant_send(grant=grant, actor=finance_user, now=NOW())
        assert refused.value.code == "grant_closed"
    assert Refund.objects.count() == 1


def test_an_overcharge_is_refunded_to_exactly_the_difference(finance_user):
    invoice = InvoiceFactory()  # 47.98
    payment = PaymentFactory(order=invoice.order)  # paid 47.98
    invoice_reissue(invoice=invoice, actor=finance_user, reason="Missing discount", discount=Decimal("4.80"), now=NOW())

    outcome = refund_difference(payment=payment, kind="overcharge", reason="Discount", actor=finance_user, now=NOW())

    assert outcome.amount == Decimal("4.80") and outcome.grant is None
    assert outcome.refund is not None and outcome.refund.amount == Decimal("4.80")
    assert outcome.refund.reason == "Overcharge: Discount"
    with pytest.raises(StateConflict) as again:
        refund_difference(payment=payment, kind="overcharge", reason="again", actor=finance_user, now=NOW())
    assert again.value.code == "not_overpaid"


def test_a_duplicate_charge_is_refunded_and_a_wrong_amount_is_refused_naming_the_difference(finance_user):
    order = OrderFactory()
    PaymentFactory(order=order)
    duplicate = PaymentFactory(order=order)

    with pytest.raises(InvalidInput) as wrong:
        refund_difference(
            payment=duplicate,
            kind="duplicate_charge",
            reason="Charged twice",
            amount=Decimal("50.00"),
            actor=finance_user,
            now=NOW(),
        )
    assert (wrong.value.field, wrong.value.code) == ("amount", "not_the_difference")
    assert "The difference is 47.98 USD" in wrong.value.message
    assert not Refund.objects.exists()

    outcome = refund_difference(
        payment=duplicate,
        kind="duplicate_charge",
        reason="Charged twice",
        amount=Decimal("47.98"),
        actor=finance_user,
        now=NOW(),
    )
    duplicate.refresh_from_db()
    assert outcome.refund is not None and duplicate.status == "refunded"


def test_the_difference_is_never_more_than_the_payment_can_refund(finance_user):
    invoice = InvoiceFactory()
    PaymentFactory(order=invoice.order, amount=Decimal("40.00"), captured_amount=Decimal("40.00"))
    small = PaymentFactory(order=invoice.order, amount=Decimal("7.98"), captured_amount=Decimal("7.98"))
    invoice_reissue(invoice=invoice, actor=finance_user, reason="x", discount=Decimal("10.00"), now=NOW())

    with pytest.raises(InvalidInput) as refused:
        refund_difference(payment=small, kind="overcharge", reason="x", actor=finance_user, now=NOW())

    assert (refused.value.field, refused.value.code) == ("amount", "exceeds_refundable")
    small.refresh_from_db()
    assert small.refunded_amount == Decimal("0.00")


def test_support_asking_for_a_difference_refund_grants_it_for_finance(staff_user, finance_user):
    order = OrderFactory()
    PaymentFactory(order=order)
    duplicate = PaymentFactory(order=order)

    outcome = refund_difference(payment=duplicate, kind="duplicate_charge", reason="x", actor=staff_user, now=NOW())

    assert outcome.refund is None and outcome.grant is not None
    assert outcome.grant.amount == Decimal("47.98")
    refund_grant_send(grant=outcome.grant, actor=finance_user, now=NOW())


def test_a_difference_above_the_threshold_is_granted_even_when_finance_asks(finance_user, settings):
    settings.MARKETPLACE_REFUND_APPROVAL_THRESHOLD = Decimal("10.00")
    order = OrderFactory()
    PaymentFactory(order=order)
    duplicate = PaymentFactory(order=order)

    with pytest.raises(StateConflict) as refused:
        refund_difference(payment=duplicate, kind="duplicate_charge", reason="x", actor=finance_user, now=NOW())

    assert refused.value.code == "approval_required"
    outcome = refund_difference(payment=duplicate, kind="duplicate_charge", reason="x", actor=AdminFactory(), now=NOW())
    assert outcome.grant is not None and outcome.refund is None


def test_the_database_refuses_a_grant_sent_by_its_granter(staff_user):
    grant = refund_grant(payment=big_payment(), amount=Decimal("150.00"), reason="x", actor=staff_user, now=NOW())
    with pytest.raises(IntegrityError), transaction.atomic():
        RefundGrant.objects.filter(pk=grant.pk).update(status="sent", sent_by=staff_user)


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_finance_users_sending_one_grant_at_once_send_it_once():
    support = UserFactory(username="support-race", role="support")
    senders = [UserFactory(username=f"finance-race-{index}", role="finance") for index in range(2)]
    grant = refund_grant(payment=big_payment(), amount=Decimal("300.00"), reason="x", actor=support, now=NOW())

    results = run_at_once(2, lambda index: refund_grant_send(grant=grant, actor=senders[index], now=NOW()))

    assert sum(isinstance(result, Refund) for result in results) == 1, results
    assert sum(isinstance(result, StateConflict) for result in results) == 1, results
    assert Refund.objects.count() == 1
    assert Payment.objects.get().refunded_amount == Decimal("300.00")
