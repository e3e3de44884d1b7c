"""The benchmark data set, generated set-based with PostgreSQL COPY (psycopg ``cursor.copy()``).

Scale: ``orders = rows // 10``; everything else follows from the order count (a buyer per five
orders, a seller per 500 orders with 20 products each, one to five items per order, the order's
event history, a shipment with tracking events for shipped and delivered orders). The actual row
counts per table are returned and recorded with every result.

Amounts are generated in integer cents, so totals add up exactly as the database's CheckConstraint
demands (``total = subtotal + shipping_fee + tax - discount``). Order numbers are ``SP-<year>-<n>``,
increasing with ``placed_at`` within a year, and ``NumberSequence`` is left at the last number of
each year, so orders created afterwards by the application continue the sequence.

A fixed random seed makes two runs at the same size generate the same data set.
"""

import json
import random
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import GROUP_NAMES, Role, User
from marketplace.models import (
    NumberSequence,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Product,
    Seller,
    SellerMembership,
    Shipment,
    TrackingEvent,
)

SEED = 20261123
ORDER_NUMBER_PREFIX = "SP"
PRODUCTS_PER_SELLER = 20
# Plain strings, never the TextChoices members: psycopg dumps a Python Enum by its *name* in COPY.
PENDING, PROCESSING, SHIPPED, DELIVERED, CANCELLED = (status.value for status in OrderStatus)
STATUS_WEIGHTS = {PENDING: 10, PROCESSING: 15, SHIPPED: 15, DELIVERED: 50, CANCELLED: 10}
# The path each final status went through, for the order's event history.
STATUS_PATHS = {
    PENDING: [],
    PROCESSING: [PROCESSING],
    SHIPPED: [PROCESSING, SHIPPED],
    DELIVERED: [PROCESSING, SHIPPED, DELIVERED],
    CANCELLED: [CANCELLED],
}
KIND_PLACED = OrderEvent.Kind.PLACED.value
KIND_STATUS_CHANGED = OrderEvent.Kind.STATUS_CHANGED.value
HISTORY_DAYS = 730


@dataclass
class DataSet:
    rows: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    buyer_ids: list[int] = field(default_factory=list)
    seller_ids: list[int] = field(default_factory=list)
    products_by_seller: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # id, price cents
    staff_token: str = ""
    integration_token: str = ""

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


# What a run generated, kept in the benchmark database itself so that ``--reuse`` can find the data
# set again (and knows its size): one JSON document per generator.
STATE_TABLE = "bench_state"


def save_state(name: str, payload: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (name text PRIMARY KEY, payload jsonb NOT NULL)")
        cursor.execute(
            f"INSERT INTO {STATE_TABLE} (name, payload) VALUES (%s, %s) "
            "ON CONFLICT (name) DO UPDATE SET payload = EXCLUDED.payload",
            [name, json.dumps(payload)],
        )


def load_state(name: str) -> dict[str, Any] | None:
    """The payload saved under ``name``, or None (nothing saved, or a database without the table)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT payload FROM {STATE_TABLE} WHERE name = %s", [name])
            row = cursor.fetchone()
    except DatabaseError:
        return None
    if row is None:
        return None
    payload = row[0]
    return json.loads(payload) if isinstance(payload, str) else payload  # type: ignore[no-any-return]


def save_dataset(data: DataSet) -> None:
    save_state("dataset", asdict(data))


def load_dataset(rows: int) -> DataSet | None:
    """The data set an earlier run generated in this database, if it was generated at ``rows``."""
    saved = load_state("dataset")
    if saved is None or saved.get("rows") != rows:
        return None
    saved["products_by_seller"] = {
        int(seller_id): [(product_id, price) for product_id, price in products]
        for seller_id, products in saved["products_by_seller"].items()
    }
    return DataSet(**saved)


def _columns(model: type[models.Model], names: list[str]) -> str:
    by_name = {f.name: f for f in model._meta.concrete_fields}
    return ", ".join(by_name[name].column for name in names)


def _copy(model: type[models.Model], names: list[str], rows: Any) -> int:
    """COPY ``rows`` (an iterable of tuples in ``names`` order) into ``model``'s table."""
    count = 0
    sql = f"COPY {model._meta.db_table} ({_columns(model, names)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _reset_sequence(model: type[models.Model]) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _api_user(username: str, role: str) -> tuple[User, str]:
    user = User.objects.create(username=username, email=f"{username}@bench.example", role=role, is_staff=True)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    return user, Token.objects.create(user=user).key


def generate(rows: int, *, log: Any = print) -> DataSet:
    started = time.perf_counter()
    rng = random.Random(SEED)
    data = DataSet(rows=rows)
    order_count = max(100, rows // 10)
    seller_count = max(10, order_count // 500)
    buyer_count = max(50, order_count // 5)
    now = timezone.now().replace(microsecond=0)
    password = make_password(None)  # unusable: the data set's users never log in
    log(f"  generating {order_count:,} orders, {buyer_count:,} buyers, {seller_count:,} sellers ...")

    staff, data.staff_token = _api_user("bench-support", Role.SUPPORT)
    _, data.integration_token = _api_user("bench-integration", Role.INTEGRATION)

    # Users: buyers, then one owner member per seller. Ids follow the two API users.
    first_user_id = staff.pk + 10
    user_fields = [
        "id",
        "password",
        "is_superuser",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
        "role",
        "created_at",
        "updated_at",
        "time_zone",
    ]

    def users() -> Any:
        for index in range(buyer_count + seller_count):
            is_buyer = index < buyer_count
            username = f"buyer{index}" if is_buyer else f"seller{index - buyer_count}"
            joined = now - timedelta(days=HISTORY_DAYS + 30, seconds=index)
            role = Role.BUYER.value if is_buyer else Role.SELLER.value
            yield (
                first_user_id + index,
                password,
                False,
                username,
                "Bench",
                f"User {index}",
                f"{username}@bench.example",
                False,
                True,
                joined,
                role,
                joined,
                joined,
                "",  # the site's time zone (UTC)
            )

    data.counts["users"] = _copy(User, user_fields, users()) + 2
    data.buyer_ids = list(range(first_user_id, first_user_id + buyer_count))
    seller_user_ids = list(range(first_user_id + buyer_count, first_user_id + buyer_count + seller_count))

    data.seller_ids = list(range(1, seller_count + 1))
    data.counts["sellers"] = _copy(
        Seller,
        ["id", "name", "slug", "email", "is_active", "created_at"],
        (
            (sid, f"Bench Store {sid}", f"bench-store-{sid}", f"store{sid}@bench.example", True, now)
            for sid in data.seller_ids
        ),
    )
    data.counts["seller_memberships"] = _copy(
        SellerMembership,
        ["id", "seller", "user", "role", "created_at"],
        (
            (sid, sid, uid, SellerMembership.Role.OWNER.value, now)
            for sid, uid in zip(data.seller_ids, seller_user_ids, strict=True)
        ),
    )

    product_rows = []
    product_names: dict[int, str] = {}
    product_id = 0
    for sid in data.seller_ids:
        data.products_by_seller[sid] = []
        for index in range(PRODUCTS_PER_SELLER):
            product_id += 1
            price = rng.randint(199, 24999)
            name = f"Product {index} of store {sid}"
            product_names[product_id] = name
            data.products_by_seller[sid].append((product_id, price))
            product_rows.append((product_id, sid, name, f"SKU-{sid}-{index:03d}", "", _money(price), "USD", True, now))
    data.counts["products"] = _copy(
        Product,
        ["id", "seller", "name", "sku", "description", "price", "currency", "is_active", "created_at"],
        product_rows,
    )

    # Orders in placed_at order, so numbers increase with time within each year.
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    placed = sorted(now - timedelta(seconds=rng.randint(3600, HISTORY_DAYS * 86400)) for _ in range(order_count))
    last_number: dict[int, int] = {}
    orders = []
    items = []
    events = []
    shipments = []
    tracking = []
    for order_id, placed_at in enumerate(placed, start=1):
        year = placed_at.year
        last_number[year] = last_number.get(year, 0) + 1
        seller_id = rng.choice(data.seller_ids)
        status = rng.choices(statuses, weights)[0]
        subtotal = 0
        for product_id, price in rng.sample(data.products_by_seller[seller_id], rng.randint(1, 5)):
            quantity = rng.randint(1, 3)
            subtotal += quantity * price
            items.append(
                (
                    len(items) + 1,
                    order_id,
                    product_id,
                    product_names[product_id],
                    quantity,
                    _money(price),
                    _money(quantity * price),
                )
            )
        shipping = 0 if subtotal >= 5000 else 499
        tax = subtotal * 8 // 100
        discount = subtotal // 10 if subtotal >= 20000 else 0
        total = subtotal + shipping + tax - discount
        updated_at = placed_at + timedelta(hours=len(STATUS_PATHS[status]) * 24)
        orders.append(
            (
                order_id,
                f"{ORDER_NUMBER_PREFIX}-{year}-{last_number[year]:06d}",
                rng.choice(data.buyer_ids),
                seller_id,
                status,
                "USD",
                _money(subtotal),
                _money(shipping),
                _money(tax),
                _money(discount),
                _money(total),
                placed_at,
                placed_at,
                min(updated_at, now),
            )
        )
        events.append((len(events) + 1, order_id, KIND_PLACED, None, "", PENDING, "", placed_at))
        previous = PENDING
        for step, next_status in enumerate(STATUS_PATHS[status], start=1):
            at = min(placed_at + timedelta(hours=24 * step), now)
            events.append((len(events) + 1, order_id, KIND_STATUS_CHANGED, None, previous, next_status, "", at))
            previous = next_status
        if status in (SHIPPED, DELIVERED):
            shipment_id = len(shipments) + 1
            shipped_at = min(placed_at + timedelta(hours=48), now)
            delivered_at = min(placed_at + timedelta(hours=72), now) if status == DELIVERED else None
            shipments.append(
                (
                    shipment_id,
                    order_id,
                    "BenchPost",
                    f"BP{shipment_id:010d}",
                    shipped_at,
                    (placed_at + timedelta(days=4)).date(),
                    delivered_at,
                    shipped_at,
                )
            )
            steps = [("in_transit", shipped_at), ("out_for_delivery", shipped_at + timedelta(hours=12))]
            if delivered_at is not None:
                steps.append(("delivered", delivered_at))
            for carrier_status, at in steps:
                tracking.append((len(tracking) + 1, shipment_id, min(at, now), carrier_status, "Hub", "", shipped_at))

    data.counts["orders"] = _copy(
        Order,
        [
            "id",
            "number",
            "buyer",
            "seller",
            "status",
            "currency",
            "subtotal",
            "shipping_fee",
            "tax",
            "discount",
            "total",
            "placed_at",
            "created_at",
            "updated_at",
        ],
        orders,
    )
    data.counts["order_items"] = _copy(
        OrderItem, ["id", "order", "product", "product_name", "quantity", "unit_price", "line_total"], items
    )
    data.counts["order_events"] = _copy(
        OrderEvent, ["id", "order", "kind", "actor", "from_status", "to_status", "note", "created_at"], events
    )
    data.counts["shipments"] = _copy(
        Shipment,
        ["id", "order", "carrier", "tracking_number", "shipped_at", "expected_delivery", "delivered_at", "created_at"],
        shipments,
    )
    data.counts["tracking_events"] = _copy(
        TrackingEvent, ["id", "shipment", "occurred_at", "status", "location", "description", "created_at"], tracking
    )
    for year, last_value in last_number.items():
        NumberSequence.objects.update_or_create(
            prefix=ORDER_NUMBER_PREFIX, year=year, defaults={"last_value": last_value}
        )
    for model in (User, Seller, SellerMembership, Product, Order, OrderItem, OrderEvent, Shipment, TrackingEvent):
        _reset_sequence(model)
    # VACUUM as well as ANALYZE: a freshly COPYed table has no visibility map, so COUNT(*) (every
    # paginated list) could not use an index-only scan, which autovacuum gives production tables.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    data.seconds = time.perf_counter() - started
    log(
        f"  {data.total_rows:,} rows in {data.seconds:.1f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in data.counts.items())
    )
    return data
