"""The marketplace's webhook events: ``order.status_changed`` on every move of an order (a cancel
too) and ``refund.issued`` on every refund, each written in the transaction of the change; and the
order and refund rendered for an event exactly as the API shows them to staff."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.exceptions import InvalidInput, StateConflict
from marketplace.models import Order
from marketplace.services.billing import refund_issue
from marketplace.services.orders import order_status_change, order_transition
from marketplace.services.refunds import refund_grant, refund_grant_send
from marketplace.webhook_resources import RESOURCES, orders_render, refunds_render
from tests.accounts.factories import AdminFactory, UserFactory
from tests.marketplace.factories import OrderFactory, SellerMemberFactory
from tests.marketplace.factories_billing import PaymentFactory, RefundFactory
from webhooks.models import Event
from webhooks.resources import render_resources

pytestmark = pytest.mark.django_db

NOW = timezone.now


def _events() -> list[tuple[str, str, int]]:
    return list(Event.objects.order_by("id").values_list("type", "resource_type", "resource_id"))


class _Boom(Exception):
    pass


# --- order.status_changed ----------------------------------------------------------------------


def test_each_move_of_an_order_writes_one_event_for_the_order():
    order = OrderFactory(status="pending")
    member = SellerMemberFactory(seller=order.seller)

    order_status_change(order=order, to_status="processing", actor=member, now=NOW())
    order_status_change(order=order, to_status="cancelled", actor=member, now=NOW())

    assert _events() == [
        ("order.status_changed", "order", order.pk),
        ("order.status_changed", "order", order.pk),
    ]


def test_a_buyer_cancelling_writes_the_event_and_a_refused_move_writes_none():
    order = OrderFactory(status="pending")
    order_status_change(order=order, to_status="cancelled", actor=order.buyer, now=NOW())
    assert _events() == [("order.status_changed", "order", order.pk)]

    with pytest.raises(StateConflict):
        order_transition(order=order, to_status="processing", actor=None, now=NOW())

    assert _events() == [("order.status_changed", "order", order.pk)]


def test_the_event_rolls_back_with_the_move():
    order = OrderFactory(status="processing")
    member = SellerMemberFactory(seller=order.seller)

    with pytest.raises(_Boom), transaction.atomic():
        order_status_change(order=order, to_status="shipped", actor=member, now=NOW())
        raise _Boom

    assert Order.objects.get(pk=order.pk).status == "processing"
    assert _events() == []


def test_the_event_is_one_more_statement_of_the_move():
    order = OrderFactory(status="processing")
    member = SellerMemberFactory(seller=order.seller)
    moment = NOW()

    with CaptureQueriesContext(connection) as queries:
        order_status_change(order=order, to_status="shipped", actor=member, now=moment)

    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "webhooks_event"')]
    assert len(inserts) == 1
    assert Event.objects.get().created_at == moment


# --- refund.issued -----------------------------------------------------------------------------


def test_a_refund_writes_one_event_for_the_refund(finance_user):
    payment = PaymentFactory()

    refund = refund_issue(payment=payment, amount=Decimal("5.00"), reason="Damaged", actor=finance_user, now=NOW())

    assert _events() == [("refund.issued", "refund", refund.pk)]


def test_a_granted_refund_writes_its_event_when_finance_sends_it(staff_user, finance_user, settings):
    settings.MARKETPLACE_REFUND_APPROVAL_THRESHOLD = Decimal("1.00")
    payment = PaymentFactory()
    grant = refund_grant(payment=payment, amount=Decimal("10.00"), reason="Returned", actor=staff_user, now=NOW())
    assert _events() == []

    refund = refund_grant_send(grant=grant, actor=finance_user, now=NOW())

    assert _events() == [("refund.issued", "refund", refund.pk)]


def test_a_refused_refund_writes_no_event_and_a_rolled_back_one_leaves_none(finance_user):
    payment = PaymentFactory()
    with pytest.raises(InvalidInput):
        refund_issue(payment=payment, amount=payment.captured_amount + 1, reason="x", actor=finance_user, now=NOW())

    with pytest.raises(_Boom), transaction.atomic():
        refund_issue(payment=payment, amount=Decimal("1.00"), reason="x", actor=finance_user, now=NOW())
        raise _Boom

    assert _events() == []


# --- rendering ---------------------------------------------------------------------------------


def test_the_registry_renders_orders_and_refunds():
    assert set(RESOURCES) == {"order", "refund"}
    assert render_resources("order", [0]) == {0: {"id": 0, "deleted": True}}


def test_an_order_renders_as_the_api_shows_it_to_staff(client_for):
    order = OrderFactory()
    staff = UserFactory(role="support")

    api = client_for(staff).get(f"/api/v1/orders/{order.pk}/")

    assert api.status_code == 200
    assert orders_render([order.pk]) == {order.pk: api.json()}
    assert render_resources("order", [order.pk]) == {order.pk: api.json()}


def test_a_refund_renders_as_the_api_shows_it_to_staff(client_for):
    refund = RefundFactory(amount=Decimal("5.50"))

    api = client_for(AdminFactory()).get(f"/api/v1/refunds/{refund.pk}/")

    assert api.status_code == 200
    assert refunds_render([refund.pk]) == {refund.pk: api.json()}
    assert api.json()["amount"] == "5.50"


@pytest.mark.parametrize(
    ("render", "make", "statements"), [(orders_render, OrderFactory, 2), (refunds_render, RefundFactory, 1)]
)
def test_rendering_costs_the_same_statements_for_2_and_20(django_assert_num_queries, render, make, statements):
    ids = [make().pk for _ in range(20)]

    with django_assert_num_queries(statements):
        assert len(render(ids[:2])) == 2
    with django_assert_num_queries(statements):
        assert len(render(ids)) == 20
