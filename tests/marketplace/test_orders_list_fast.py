"""The order list's fast path: rows formatted by hand must equal the serializer's output, the
statements per request stay four, and the count of every order comes from the tally the database
keeps (PostgreSQL) while a filtered or scoped list counts exactly."""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from marketplace.api.orders import OrderOutputSerializer, order_list_payload
from marketplace.models import Order, OrderItem, OrderTally
from marketplace.selectors.orders import order_count, order_rows, order_rows_items
from tests.accounts.factories import UserFactory
from tests.marketplace.factories import OrderFactory, ProductFactory, SellerFactory, SellerMemberFactory
from tests.utils import requires_postgres, run_at_once

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def _varied_orders() -> list[Order]:
    """Orders whose values exercise the formatting: whole and fractional amounts, zero, large sums,
    times with and without microseconds, no items and several items."""
    seller = SellerFactory()
    product = ProductFactory(seller=seller, name='Mug ☕ "quoted"', price=Decimal("0.10"))
    orders = [
        OrderFactory(seller=seller, placed_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        OrderFactory(
            seller=seller,
            subtotal=Decimal("123456789.10"),
            shipping_fee=Decimal("0.00"),
            tax=Decimal("0.01"),
            discount=Decimal("100.00"),
            total=Decimal("123456689.11"),
            placed_at=datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=UTC),
            status="shipped",
            currency="EUR",
        ),
        OrderFactory(
            seller=seller,
            subtotal=Decimal("0.00"),
            shipping_fee=Decimal("0.00"),
            tax=Decimal("0.00"),
            discount=Decimal("0.00"),
            total=Decimal("0.00"),
            items=[],
            placed_at=timezone.now() - timedelta(minutes=7),
        ),
    ]
    for quantity in (1, 3, 100000):
        OrderItem.objects.create(
            order=orders[1],
            product=product,
            product_name=product.name,
            quantity=quantity,
            unit_price=Decimal("0.10"),
            line_total=Decimal("0.10") * quantity,
        )
    return orders


def _serializer_json(queryset) -> bytes:  # type: ignore[no-untyped-def]
    instances = list(queryset.prefetch_related("items"))
    return JSONRenderer().render(OrderOutputSerializer(instances, many=True).data)


def test_the_list_json_equals_the_serializers_json(client_for, staff_user):
    _varied_orders()
    OrderFactory.create_batch(3)

    response = client_for(staff_user).get(ORDERS, {"page_size": 50})

    assert response.status_code == 200
    expected = _serializer_json(Order.objects.order_by("-placed_at", "-id"))
    assert JSONRenderer().render(response.json()["results"]) == expected
    assert len(response.json()["results"]) == 6


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_the_payload_formats_like_the_serializer_in_any_current_time_zone(zone):
    _varied_orders()
    queryset = Order.objects.order_by("id")

    with timezone.override(zone):
        rows = list(order_rows(queryset, as_api_json=False))
        payload = order_list_payload(rows, order_rows_items(rows))
        expected = _serializer_json(queryset)

    assert JSONRenderer().render(payload) == expected


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata"])
def test_the_api_list_equals_the_serializers_json_in_the_current_time_zone(client_for, staff_user, zone):
    # In UTC PostgreSQL writes each row's JSON itself; in another zone (or on SQLite) Python does.
    _varied_orders()

    with timezone.override(zone):
        response = client_for(staff_user).get(ORDERS)
        expected = _serializer_json(Order.objects.order_by("-placed_at", "-id"))

    assert JSONRenderer().render(response.json()["results"]) == expected


def test_a_filtered_page_equals_the_serializers_json(client_for):
    seller = SellerFactory()
    OrderFactory.create_batch(4, seller=seller)
    OrderFactory(seller=seller, status="processing")
    OrderFactory()
    client = client_for(SellerMemberFactory(seller=seller))

    response = client.get(ORDERS, {"status": "pending", "ordering": "placed_at", "page_size": 3, "page": 2})

    data = response.json()
    assert data["count"] == 4
    expected = _serializer_json(Order.objects.filter(seller=seller, status="pending").order_by("placed_at", "id")[3:])
    assert JSONRenderer().render(data["results"]) == expected


def test_a_page_past_the_end_is_404(client_for, staff_user):
    OrderFactory.create_batch(2)

    assert client_for(staff_user).get(ORDERS, {"page": 2}).status_code == 404


def test_the_whole_staff_list_reads_the_tally_and_the_page_with_its_items_on_postgresql(client_for, staff_user):
    OrderFactory.create_batch(5)
    client = client_for(staff_user)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(ORDERS, {"page_size": 2})

    assert response.json()["count"] == 5
    statements = [query["sql"] for query in queries.captured_queries]
    counts = [sql for sql in statements if "COUNT(" in sql.upper() or "SUM(" in sql.upper()]
    assert len(counts) == 1
    if connection.vendor == "postgresql":
        assert len(statements) == 3, statements  # token+user, the tally, the page with its items
        assert "marketplace_ordertally" in counts[0]
        assert "json_agg" in statements[2]
    else:
        assert len(statements) == 4, statements  # token+user, COUNT(*), the page, its items
        assert "marketplace_ordertally" not in counts[0]


def test_filtered_and_scoped_lists_count_exactly(client_for, staff_user):
    seller = SellerFactory()
    buyer = UserFactory()
    OrderFactory.create_batch(3, seller=seller)
    OrderFactory(buyer=buyer, status="processing")
    OrderFactory.create_batch(2)
    staff = client_for(staff_user)

    assert staff.get(ORDERS).json()["count"] == 6
    assert staff.get(ORDERS, {"seller": seller.pk}).json()["count"] == 3
    assert staff.get(ORDERS, {"status": "processing"}).json()["count"] == 1
    assert staff.get(ORDERS, {"ordering": "total"}).json()["count"] == 6
    assert client_for(buyer).get(ORDERS).json()["count"] == 1
    assert client_for(SellerMemberFactory(seller=seller)).get(ORDERS).json()["count"] == 3


# --- The tally (PostgreSQL) ---------------------------------------------------------------------


def _tally() -> int:
    return order_count(Order.objects.all())


def _exact() -> int:
    return Order.objects.all().order_by().count()


@requires_postgres
@pytest.mark.postgres
def test_the_tally_follows_every_kind_of_write():
    seller = SellerFactory()
    buyer = UserFactory()
    assert _tally() == _exact() == 0

    OrderFactory.create_batch(3, seller=seller, buyer=buyer, items=[])
    Order.objects.bulk_create(
        [
            Order(
                number=f"SP-BULK-{n}",
                buyer=buyer,
                seller=seller,
                subtotal=Decimal("1.00"),
                total=Decimal("1.00"),
                placed_at=timezone.now(),
            )
            for n in range(50)
        ]
    )
    assert _tally() == _exact() == 53

    Order.objects.filter(number__startswith="SP-BULK-").exclude(number="SP-BULK-7").delete()
    Order.objects.update(status="processing")  # an update changes no count
    assert _tally() == _exact() == 4

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction has deferred checks pending
        cursor.execute("TRUNCATE marketplace_order CASCADE")
    assert _tally() == _exact() == 0
    OrderFactory(items=[])
    assert _tally() == _exact() == 1


@requires_postgres
@pytest.mark.postgres
def test_a_rolled_back_insert_leaves_the_tally_as_it_was():
    OrderFactory(items=[])

    with pytest.raises(RuntimeError), transaction.atomic():
        OrderFactory.create_batch(4, items=[])
        assert _tally() == 5
        raise RuntimeError("roll back")

    assert _tally() == _exact() == 1


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_tally_is_exact_under_concurrent_inserts_and_deletes():
    seller = SellerFactory()
    buyer = UserFactory()
    doomed = OrderFactory.create_batch(8, seller=seller, buyer=buyer, items=[])
    start = _exact()

    def work(index: int) -> int:
        # Each thread its own connection (so its own backend and slot, some of them shared):
        # five single-row inserts, one bulk insert of ten, and one delete, each its own transaction.
        for n in range(5):
            OrderFactory(seller=seller, buyer=buyer, number=f"SP-C-{index}-{n}", items=[])
        Order.objects.bulk_create(
            [
                Order(
                    number=f"SP-CB-{index}-{n}",
                    buyer=buyer,
                    seller=seller,
                    subtotal=Decimal("1.00"),
                    total=Decimal("1.00"),
                    placed_at=timezone.now(),
                )
                for n in range(10)
            ]
        )
        with transaction.atomic():
            Order.objects.filter(pk=doomed[index].pk).delete()
        return _tally()

    results = run_at_once(8, work)

    assert not [result for result in results if isinstance(result, Exception)], results
    assert _exact() == start + 8 * 15 - 8
    assert _tally() == _exact()
    assert OrderTally.objects.count() <= OrderTally.SLOTS + 1


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reader_counts_what_its_snapshot_sees_while_an_insert_is_open():
    OrderFactory(items=[])
    inserted = threading.Event()
    release = threading.Event()
    seller = SellerFactory()
    buyer = UserFactory()

    def insert(index: int) -> None:
        with transaction.atomic():
            OrderFactory.create_batch(3, seller=seller, buyer=buyer, items=[])
            inserted.set()
            release.wait(timeout=10)

    def read(index: int) -> tuple[int, int]:
        inserted.wait(timeout=10)
        seen = (_tally(), _exact())
        release.set()
        return seen

    results = run_at_once(2, lambda index: insert(index) if index == 0 else read(index))

    assert results[1] == (1, 1)
    assert _tally() == _exact() == 4


def test_an_unfiltered_list_builds_no_filterset_and_a_filtered_one_still_validates(client_for, staff_user, monkeypatch):
    from marketplace.api.filters import OrderFilter

    built: list[object] = []
    original_init = OrderFilter.__init__

    def counting_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(self)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(OrderFilter, "__init__", counting_init)
    OrderFactory.create_batch(2)
    client = client_for(staff_user)

    assert client.get(ORDERS, {"page_size": 1, "ordering": "total", "page": 2}).status_code == 200
    assert built == []
    assert client.get(ORDERS, {"placed_after": "yesterday"}).status_code == 400
    assert client.get(ORDERS, {"status": ""}).json()["count"] == 2
    assert len(built) == 2


def test_the_browsable_list_renders_with_the_counted_pages(client_for, staff_user):
    OrderFactory.create_batch(3)

    response = client_for(staff_user).get(ORDERS, {"page_size": 2}, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert b"SP-TEST-" in response.content
    assert b"page=2" in response.content
