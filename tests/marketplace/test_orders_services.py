import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from core.exceptions import StateConflict
from marketplace.models import Order, OrderEvent
from marketplace.services.orders import OrderLine, order_place, order_status_change
from tests.accounts.factories import UserFactory
from tests.marketplace.factories import OrderFactory, ProductFactory, SellerMemberFactory
from tests.utils import requires_postgres


@pytest.mark.django_db
def test_a_stale_order_object_cannot_move_twice():
    order = OrderFactory(status="processing")
    member = SellerMemberFactory(seller=order.seller)
    stale = Order.objects.get(pk=order.pk)
    order_status_change(order=order, to_status="shipped", actor=member, now=timezone.now())

    with pytest.raises(StateConflict):
        order_status_change(order=stale, to_status="cancelled", actor=member, now=timezone.now())

    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert OrderEvent.objects.filter(kind="status_changed").count() == 1


@pytest.mark.django_db
def test_order_place_sums_in_decimal():
    product = ProductFactory(price=Decimal("0.10"))
    lines = [OrderLine(product=product, quantity=3, unit_price=Decimal("0.10"))]

    order = order_place(
        actor=None,
        buyer=UserFactory(),
        seller=product.seller,
        lines=lines,
        currency="USD",
        shipping_fee=Decimal("0.20"),
        now=timezone.now(),
    )

    assert (order.subtotal, order.total) == (Decimal("0.30"), Decimal("0.50"))


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_moves_of_one_order_make_one_change():
    order = OrderFactory(status="processing")
    member = SellerMemberFactory(seller=order.seller)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def move(to_status: str) -> None:
        try:
            mine = Order.objects.get(pk=order.pk)
            barrier.wait(timeout=10)
            order_status_change(order=mine, to_status=to_status, actor=member, now=timezone.now())
            outcomes.append("moved")
        except StateConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(status,)) for status in ("shipped", "cancelled")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["conflict", "moved"]
    assert OrderEvent.objects.filter(order=order, kind="status_changed").count() == 1
    assert Order.objects.get(pk=order.pk).status in {"shipped", "cancelled"}


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_orders_get_distinct_numbers():
    product = ProductFactory()
    buyer = UserFactory()
    barrier = threading.Barrier(4)
    numbers: list[str] = []

    def place() -> None:
        try:
            barrier.wait(timeout=10)
            order = order_place(
                actor=None,
                buyer=buyer,
                seller=product.seller,
                lines=[OrderLine(product=product, quantity=1, unit_price=Decimal("19.99"))],
                currency="USD",
                now=timezone.now(),
            )
            numbers.append(order.number)
        finally:
            connection.close()

    threads = [threading.Thread(target=place) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(numbers) == 4
    assert len(set(numbers)) == 4
