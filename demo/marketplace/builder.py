"""The demo data behind ``manage.py seed_demo``: a believable marketplace to click through, and a login for every role.

Four stores with ten products each, about 300 orders from 25 buyers over the last six months, with
their shipments and tracking, invoices (a few reissued as version 2), payments (a few failed, pending
or partly refunded), receipts and their deliveries, and a handful of notifications for the demo users.

The data is the same on every run (fixed random seed; dates relative to now). Everything is written
set-based in one transaction: rows are built in memory, numbered, then ``bulk_create``d table by table.
Human numbers (``SP-``, ``INV-``, ``RCT-``, ``PAY-``) are reserved from ``NumberSequence`` in blocks, so a
later ``number_next`` continues after them instead of colliding.

Idempotent: when the demo data is already there (the ``admin`` user or a demo store exists), the
command says so and changes nothing. ``--once`` is the same check, quieter, for ``make run``.
"""

import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from accounts.models import GROUP_NAMES, Role, User
from core.money import CENT, round_money
from demo.marketplace.data import (
    BATCH_SIZE,
    BUYERS,
    CARRIER_HUBS,
    DEMO_BUYER_CITIES,
    DEMO_SELLER_SLUGS,
    DISCOUNT_RATE,
    FREE_SHIPPING_FROM,
    HISTORY_DAYS,
    LOGINS,
    PARTIAL_REFUND_REASONS,
    RECENT_DAYS,
    RECENT_SHARE,
    REISSUE_REASONS,
    SHIPPING_FEE,
    STORE_LOGINS,
    STORES,
    TAX_RATE,
    StoreSpec,
)
from marketplace.models import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NumberSequence,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentEvent,
    PaymentMethod,
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
from marketplace.notices import Kind
from notifications.models import Notification
from notifications.services.notify import notify

ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass
class PlannedOrder:
    """One order and its timeline; the status is the last milestone that is already in the past."""

    order: Order
    store: StoreSpec
    buyer_city: str
    lines: list[tuple[Product, int]]
    rng: random.Random
    method: str
    first_attempt_failed: bool
    captured_at: datetime | None = None
    processing_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    is_delayed: bool = False
    events: list[tuple[datetime, OrderEvent]] = field(default_factory=list)


def demo_data_exists() -> bool:
    return User.objects.filter(username="admin").exists() or Seller.objects.filter(slug__in=DEMO_SELLER_SLUGS).exists()


@contextmanager
def keep_given_created_at(model: type[models.Model]) -> Iterator[None]:
    """Let ``bulk_create`` keep the ``created_at`` we give (six months of history) instead of ``auto_now_add``
    overwriting it with the current time. Restored on exit; the command runs alone in its process."""
    try:
        created_at = model._meta.get_field("created_at")
    except FieldDoesNotExist:
        yield
        return
    assert isinstance(created_at, models.DateTimeField)  # noqa: S101 - a programming error, not input
    saved = created_at.auto_now_add
    created_at.auto_now_add = False
    try:
        yield
    finally:
        created_at.auto_now_add = saved


def adds_up_in_floating_point(subtotal: Decimal, shipping_fee: Decimal, tax: Decimal, discount: Decimal) -> bool:
    """SQLite stores decimals as binary floating point and checks ``total = subtotal + shipping_fee + tax -
    discount`` that way, so some exact sums fail its CHECK (e.g. 0.10 + 0.20). The demo data avoids those
    amounts (by rounding the tax a cent up, rarely) so the same data loads on SQLite and PostgreSQL."""
    total = subtotal + shipping_fee + tax - discount
    return float(subtotal) + float(shipping_fee) + float(tax) - float(discount) == float(total)


def reserve_numbers(prefix: str, years: Sequence[int]) -> list[str]:
    """Numbers for ``years`` (one per row, in row order), taken from ``NumberSequence`` in one block per
    year exactly as ``number_next`` would hand them out one by one: the counter ends on the last one."""
    next_value: dict[int, int] = {}
    for year, count in Counter(years).items():
        sequence, _ = NumberSequence.objects.select_for_update().get_or_create(prefix=prefix, year=year)
        next_value[year] = sequence.last_value + 1
        sequence.last_value += count
        sequence.save(update_fields=["last_value"])
    numbers = []
    for year in years:
        numbers.append(f"{prefix}-{year}-{next_value[year]:06d}")
        next_value[year] += 1
    return numbers


class DemoBuilder:
    def __init__(self, *, password: str, order_count: int, now: datetime, seed: int) -> None:
        self.seed = seed
        self.random = random.Random(seed)
        self.now = now.replace(second=0, microsecond=0)
        self.password_hash = make_password(password)
        self.order_count = order_count
        self.used_tracking_numbers: set[tuple[str, str]] = set()

    # --- helpers --------------------------------------------------------------------------------
    @staticmethod
    def _between(rng: random.Random, start: datetime, low: timedelta, high: timedelta) -> datetime:
        seconds = rng.uniform(low.total_seconds(), high.total_seconds())
        return start + timedelta(seconds=seconds)

    def _create(self, model: type[ModelT], rows: list[ModelT], stamps: list[datetime] | None = None) -> list[ModelT]:
        """``bulk_create`` with each row's ``created_at`` set to when it happened in the story."""
        if stamps is not None:
            for row, stamp in zip(rows, stamps, strict=True):
                row.created_at = stamp  # type: ignore[attr-defined]
        with keep_given_created_at(model):
            return model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)

    def _is_past(self, moment: datetime | None) -> bool:
        return moment is not None and moment <= self.now

    # --- build ----------------------------------------------------------------------------------
    def build(self) -> dict[str, int]:
        users = self._users()
        sellers, products_by_store = self._sellers_and_products(users)
        plans = self._orders(users, sellers, products_by_store)
        self._shipments(plans)
        invoices = self._invoices(plans, users["finance"])
        payments, refunds, receipts = self._payments(plans, users)
        self._order_events(plans)
        self._notifications(plans, users, sellers)
        return {
            "users": len(users),
            "sellers": len(sellers),
            "products": sum(len(products) for products in products_by_store.values()),
            "orders": len(plans),
            "invoices": invoices,
            "payments": payments,
            "refunds": refunds,
            "receipts": receipts,
        }

    def _users(self) -> dict[str, User]:
        rows: list[User] = []
        self.buyer_city: dict[str, str] = {}
        for login in LOGINS:
            is_staff = login.is_superuser or login.role in GROUP_NAMES
            domain = "saypro.example" if is_staff else "example.com"
            rows.append(
                User(
                    username=login.username,
                    first_name=login.first_name,
                    last_name=login.last_name,
                    email=f"{login.username}@{domain}",
                    role=login.role,
                    is_staff=is_staff,
                    is_superuser=login.is_superuser,
                    password=self.password_hash,
                )
            )
        for first, last, city in BUYERS:
            username = f"{first}.{last}".lower().replace("'", "")
            self.buyer_city[username] = city
            rows.append(
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.com",
                    role=Role.BUYER,
                    password=self.password_hash,
                )
            )
        self.buyer_city.update(DEMO_BUYER_CITIES)
        joined = [self.now - timedelta(days=HISTORY_DAYS + self.random.randint(10, 400)) for _ in rows]
        for row, moment in zip(rows, joined, strict=True):
            row.date_joined = moment
        created = self._create(User, rows, joined)
        by_username = {user.username: user for user in created}
        groups = {group.name: group for group in Group.objects.filter(name__in=GROUP_NAMES.values())}
        through = User.groups.through
        through.objects.bulk_create(
            [
                through(user_id=by_username[login.username].pk, group_id=groups[GROUP_NAMES[login.role]].pk)
                for login in LOGINS
                if login.role in GROUP_NAMES and GROUP_NAMES[login.role] in groups
            ]
        )
        return by_username

    def _sellers_and_products(self, users: dict[str, User]) -> tuple[list[Seller], dict[str, list[Product]]]:
        opened = [self.now - timedelta(days=HISTORY_DAYS + 30 * (len(STORES) - index)) for index in range(len(STORES))]
        sellers = self._create(
            Seller,
            [Seller(name=store.name, slug=store.slug, email=f"hello@{store.slug}.example.com") for store in STORES],
            opened,
        )
        # Every store has a login, so whatever the demo buyers bought, its store can answer them (the
        # review flow is played from both sides). ``seller`` owns the first store; the others are members.
        logins = [(users["seller"], SellerMembership.Role.OWNER)] + [
            (users[username], SellerMembership.Role.MEMBER) for username in STORE_LOGINS[1:]
        ]
        self._create(
            SellerMembership,
            [
                SellerMembership(seller=seller, user=user, role=role)
                for seller, (user, role) in zip(sellers, logins, strict=True)
            ],
            opened,
        )
        self.store_owner = {store.slug: user for store, (user, _) in zip(STORES, logins, strict=True)}
        rows: list[Product] = []
        stamps: list[datetime] = []
        for store, seller, moment in zip(STORES, sellers, opened, strict=True):
            for index, (name, price, description) in enumerate(store.products, start=1):
                rows.append(
                    Product(
                        seller=seller,
                        name=name,
                        sku=f"{store.sku_prefix}-{1000 + index * 7}",
                        description=description,
                        price=Decimal(price),
                    )
                )
                stamps.append(moment + timedelta(days=index))
        products = self._create(Product, rows, stamps)
        products_by_store: dict[str, list[Product]] = defaultdict(list)
        for product in products:
            products_by_store[STORES[sellers.index(product.seller)].slug].append(product)
        return sellers, products_by_store

    def _orders(
        self, users: dict[str, User], sellers: list[Seller], products_by_store: dict[str, list[Product]]
    ) -> list[PlannedOrder]:
        buyers = [user for user in users.values() if user.role == Role.BUYER]
        # The two demo buyers order more than most, so their pages have something to show.
        buyer_weights = [3 if buyer.username in DEMO_BUYER_CITIES else 1 for buyer in buyers]
        store_weights = [store.weight for store in STORES]
        plans: list[PlannedOrder] = []
        for index in range(self.order_count):
            # One generator per order: an order whose story ends early (not yet shipped, say) draws fewer
            # numbers, and that must not change every order after it when the command runs a minute later.
            rng = random.Random(f"{self.seed}:order:{index}")
            buyer = rng.choices(buyers, buyer_weights)[0]
            store_index = rng.choices(range(len(STORES)), store_weights)[0]
            store = STORES[store_index]
            # A growing store: one order in eight is from the last week, so some are still on their way.
            recent = rng.random() < RECENT_SHARE
            oldest = RECENT_DAYS if recent else HISTORY_DAYS
            placed_at = self.now - timedelta(seconds=rng.randint(20 * 60, oldest * 86400))
            item_count = rng.choices([1, 2, 3, 4], [55, 28, 12, 5])[0]
            chosen = rng.sample(products_by_store[store.slug], item_count)
            lines = [(product, rng.choices([1, 2, 3], [78, 18, 4])[0]) for product in chosen]
            subtotal = sum((product.price * quantity for product, quantity in lines), Decimal("0.00"))
            discount = round_money(subtotal * DISCOUNT_RATE) if rng.random() < 0.12 else Decimal("0.00")
            shipping_fee = Decimal("0.00") if subtotal >= FREE_SHIPPING_FROM else SHIPPING_FEE
            tax = round_money((subtotal - discount) * TAX_RATE)
            while not adds_up_in_floating_point(subtotal, shipping_fee, tax, discount):
                tax += CENT
            order = Order(
                buyer=buyer,
                seller=sellers[store_index],
                currency="USD",
                subtotal=subtotal,
                shipping_fee=shipping_fee,
                tax=tax,
                discount=discount,
                total=subtotal + shipping_fee + tax - discount,
                placed_at=placed_at,
            )
            method = rng.choices([PaymentMethod.CARD, PaymentMethod.WALLET, PaymentMethod.BANK_TRANSFER], [70, 20, 10])[
                0
            ]
            plan = PlannedOrder(
                order=order,
                store=store,
                buyer_city=self.buyer_city[buyer.username],
                lines=lines,
                method=method,
                first_attempt_failed=method == PaymentMethod.CARD and rng.random() < 0.06,
                rng=rng,
            )
            self._plan_timeline(plan)
            plans.append(plan)
        plans.sort(key=lambda plan: plan.order.placed_at)
        numbers = reserve_numbers("SP", [plan.order.placed_at.year for plan in plans])
        for plan, number in zip(plans, numbers, strict=True):
            plan.order.number = number
        orders = self._create(Order, [plan.order for plan in plans], [plan.order.placed_at for plan in plans])
        for plan, order in zip(plans, orders, strict=True):
            plan.order = order
        self.plan_by_order = {plan.order.pk: plan for plan in plans}
        items = [
            OrderItem(
                order=plan.order,
                product=product,
                product_name=product.name,
                quantity=quantity,
                unit_price=product.price,
                line_total=product.price * quantity,
            )
            for plan in plans
            for product, quantity in plan.lines
        ]
        self._create(OrderItem, items)
        return plans

    def _plan_timeline(self, plan: PlannedOrder) -> None:
        """Milestones in order; the order's status is the last one already past."""
        rng = plan.rng
        placed_at = plan.order.placed_at
        fate = rng.random()
        if fate < 0.03:  # the card is declined and the buyer never pays
            plan.cancelled_at = self._between(rng, placed_at, timedelta(days=1), timedelta(days=2))
            plan.cancel_reason = "Payment declined; the order was cancelled automatically."
            plan.order.status = OrderStatus.CANCELLED if self._is_past(plan.cancelled_at) else OrderStatus.PENDING
            if not self._is_past(plan.cancelled_at):
                plan.cancelled_at = None
            return
        if plan.method == PaymentMethod.BANK_TRANSFER:
            captured_at = self._between(rng, placed_at, timedelta(hours=6), timedelta(days=3))
        else:
            captured_at = self._between(rng, placed_at, timedelta(minutes=1), timedelta(minutes=12))
        plan.order.status = OrderStatus.PENDING
        if not self._is_past(captured_at):
            return
        plan.captured_at = captured_at
        processing_at = self._between(rng, captured_at, timedelta(minutes=20), timedelta(hours=6))
        if not self._is_past(processing_at):
            return
        plan.processing_at = processing_at
        plan.order.status = OrderStatus.PROCESSING
        if fate < 0.06:  # the buyer changes their mind before dispatch: cancelled and refunded in full
            cancelled_at = self._between(rng, processing_at, timedelta(hours=1), timedelta(hours=10))
            if self._is_past(cancelled_at):
                plan.cancelled_at = cancelled_at
                plan.cancel_reason = "Cancelled at the buyer's request before dispatch."
                plan.order.status = OrderStatus.CANCELLED
            return
        shipped_at = self._between(rng, processing_at, timedelta(hours=8), timedelta(days=2))
        if not self._is_past(shipped_at):
            return
        plan.shipped_at = shipped_at
        plan.order.status = OrderStatus.SHIPPED
        plan.is_delayed = rng.random() < 0.08
        transit = (timedelta(days=6), timedelta(days=11)) if plan.is_delayed else (timedelta(days=2), timedelta(days=5))
        delivered_at = self._between(rng, shipped_at, *transit)
        if self._is_past(delivered_at):
            plan.delivered_at = delivered_at
            plan.order.status = OrderStatus.DELIVERED

    def _tracking_number(self, rng: random.Random, carrier: str) -> str:
        while True:
            if carrier == "UPS":
                alphabet = "ABCDEFGHJKLMNPRSTUVWXY0123456789"
                number = "1Z" + "".join(rng.choices(alphabet, k=6)) + f"{rng.randrange(10**10):010d}"
            elif carrier == "FedEx":
                number = f"{rng.randrange(10**11, 10**12)}"
            elif carrier == "USPS":
                number = f"9400{rng.randrange(10**17, 10**18)}"
            else:
                number = f"{rng.randrange(10**9, 10**10)}"
            if (carrier, number) not in self.used_tracking_numbers:
                self.used_tracking_numbers.add((carrier, number))
                return number

    def _shipments(self, plans: list[PlannedOrder]) -> None:
        shipped = [(plan, plan.shipped_at) for plan in plans if plan.shipped_at is not None]
        rows: list[Shipment] = []
        for plan, shipped_at in shipped:
            rng = plan.rng
            carrier = rng.choice(plan.store.carriers)
            rows.append(
                Shipment(
                    order=plan.order,
                    carrier=carrier,
                    tracking_number=self._tracking_number(rng, carrier),
                    shipped_at=shipped_at,
                    expected_delivery=(shipped_at + timedelta(days=4)).date(),
                    delivered_at=plan.delivered_at,
                )
            )
        shipments = self._create(Shipment, rows, [shipped_at for _, shipped_at in shipped])
        events: list[TrackingEvent] = []
        for (plan, shipped_at), shipment in zip(shipped, shipments, strict=True):
            hubs = CARRIER_HUBS[shipment.carrier]
            steps: list[tuple[datetime, str, str, str]] = [
                (shipped_at - timedelta(hours=3), "label_created", plan.store.city, "Shipping label created"),
                (shipped_at, "picked_up", plan.store.city, "Picked up by the carrier"),
                (shipped_at + timedelta(hours=11), "in_transit", hubs[0], "Arrived at a carrier facility"),
                (shipped_at + timedelta(hours=19), "in_transit", hubs[0], "Departed a carrier facility"),
            ]
            if plan.is_delayed:
                steps.append(
                    (
                        shipped_at + timedelta(days=2),
                        "delayed",
                        hubs[1],
                        "Delayed: severe weather in the area. We are adjusting delivery plans.",
                    )
                )
            if plan.delivered_at is not None:
                steps += [
                    (plan.delivered_at - timedelta(hours=5), "out_for_delivery", plan.buyer_city, "Out for delivery"),
                    (plan.delivered_at, "delivered", plan.buyer_city, "Delivered, left at the front door"),
                ]
            for occurred_at, status, location, description in steps:
                if occurred_at <= self.now:
                    events.append(
                        TrackingEvent(
                            shipment=shipment,
                            occurred_at=occurred_at,
                            status=status,
                            location=location,
                            description=description,
                        )
                    )
            plan.events.append(
                (
                    shipped_at,
                    OrderEvent(
                        kind=OrderEvent.Kind.SHIPMENT_CREATED,
                        actor=self.store_owner.get(plan.store.slug),
                        note=f"{shipment.carrier} {shipment.tracking_number}",
                    ),
                )
            )
        self._create(TrackingEvent, events, [event.occurred_at for event in events])

    def _invoices(self, plans: list[PlannedOrder], finance: User) -> int:
        invoiced = sorted(
            ((plan, plan.processing_at) for plan in plans if plan.processing_at is not None), key=lambda pair: pair[1]
        )
        numbers = reserve_numbers("INV", [processing_at.year for _, processing_at in invoiced])
        first_versions: list[Invoice] = []
        first_stamps: list[datetime] = []
        reissues: list[tuple[PlannedOrder, datetime, str]] = []
        for (plan, processing_at), number in zip(invoiced, numbers, strict=True):
            rng = plan.rng
            reissued_at = self._between(rng, processing_at, timedelta(days=1), timedelta(days=12))
            is_reissued = rng.random() < 0.08 and reissued_at <= self.now
            first_versions.append(self._invoice_for(plan.order, number=number, version=1, reissued=is_reissued))
            first_stamps.append(processing_at)
            plan.events.append((processing_at, OrderEvent(kind=OrderEvent.Kind.INVOICE_ISSUED, note=number)))
            if is_reissued:
                reissues.append((plan, reissued_at, rng.choice(REISSUE_REASONS)))
        first_versions = self._create(Invoice, first_versions, first_stamps)
        by_order = {invoice.order_id: invoice for invoice in first_versions}
        second_versions: list[Invoice] = []
        for plan, reissued_at, reason in reissues:
            previous = by_order[plan.order.pk]
            invoice = self._invoice_for(plan.order, number=previous.number, version=2, reissued=False)
            invoice.supersedes = previous
            invoice.reason = reason
            invoice.issued_by = finance
            second_versions.append(invoice)
            plan.events.append(
                (
                    reissued_at,
                    OrderEvent(
                        kind=OrderEvent.Kind.INVOICE_REISSUED, actor=finance, note=f"{previous.number} v2: {reason}"
                    ),
                )
            )
        second_versions = self._create(Invoice, second_versions, [reissued_at for _, reissued_at, _ in reissues])
        lines_by_order = {plan.order.pk: plan.lines for plan in plans}
        self._create(
            InvoiceLine,
            [
                InvoiceLine(
                    invoice=invoice,
                    product=product,
                    description=f"{product.name} ({product.sku})",
                    quantity=quantity,
                    unit_price=product.price,
                    line_total=product.price * quantity,
                )
                for invoice in [*first_versions, *second_versions]
                for product, quantity in lines_by_order[invoice.order_id]
            ],
        )
        return len(first_versions) + len(second_versions)

    @staticmethod
    def _invoice_for(order: Order, *, number: str, version: int, reissued: bool) -> Invoice:
        return Invoice(
            order=order,
            number=number,
            version=version,
            status=InvoiceStatus.SUPERSEDED if reissued else InvoiceStatus.ISSUED,
            currency=order.currency,
            subtotal=order.subtotal,
            shipping_fee=order.shipping_fee,
            tax=order.tax,
            discount=order.discount,
            total=order.total,
        )

    def _payments(self, plans: list[PlannedOrder], users: dict[str, User]) -> tuple[int, int, int]:
        # (created_at, payment, its events, refund or None) per payment, numbered in time order.
        planned: list[tuple[datetime, Payment, list[tuple[datetime, PaymentEvent]], Refund | None]] = []
        for plan in plans:
            order = plan.order
            placed_at = order.placed_at
            failed = plan.first_attempt_failed or (plan.cancel_reason.startswith("Payment declined"))
            if failed:
                attempt_at = placed_at + timedelta(minutes=1)
                payment = Payment(order=order, amount=order.total, currency=order.currency, method=PaymentMethod.CARD)
                payment.status = PaymentStatus.FAILED
                planned.append(
                    (
                        attempt_at,
                        payment,
                        [
                            (attempt_at, PaymentEvent(to_status=PaymentStatus.PENDING, amount=order.total)),
                            (
                                attempt_at + timedelta(seconds=20),
                                PaymentEvent(
                                    from_status=PaymentStatus.PENDING,
                                    to_status=PaymentStatus.FAILED,
                                    note="Card declined by the issuer (insufficient funds).",
                                ),
                            ),
                        ],
                        None,
                    )
                )
                if plan.cancel_reason.startswith("Payment declined"):
                    continue
            created_at = placed_at + timedelta(minutes=2 if failed else 0, seconds=30)
            payment = Payment(order=order, amount=order.total, currency=order.currency, method=plan.method)
            events = [(created_at, PaymentEvent(to_status=PaymentStatus.PENDING, amount=order.total))]
            refund: Refund | None = None
            if plan.captured_at is None:
                payment.status = PaymentStatus.PENDING
            else:
                payment.status = PaymentStatus.CAPTURED
                payment.captured_amount = order.total
                payment.captured_at = plan.captured_at
                events.append(
                    (
                        plan.captured_at,
                        PaymentEvent(
                            from_status=PaymentStatus.PENDING, to_status=PaymentStatus.CAPTURED, amount=order.total
                        ),
                    )
                )
                plan.events.append(
                    (plan.captured_at, OrderEvent(kind=OrderEvent.Kind.PAYMENT_RECORDED, note=f"{order.total}"))
                )
                refund = self._refund_for(plan, payment, events, users)
            planned.append((created_at, payment, events, refund))
        planned.sort(key=lambda entry: entry[0])
        references = reserve_numbers("PAY", [created_at.year for created_at, *_ in planned])
        for (_, payment, _, _), reference in zip(planned, references, strict=True):
            payment.reference = reference
        payments = self._create(Payment, [entry[1] for entry in planned], [entry[0] for entry in planned])
        payment_events: list[PaymentEvent] = []
        event_stamps: list[datetime] = []
        refunds: list[Refund] = []
        refund_stamps: list[datetime] = []
        for (_, _, events, refund), payment in zip(planned, payments, strict=True):
            for moment, event in events:
                event.payment = payment
                payment_events.append(event)
                event_stamps.append(moment)
            if refund is not None:
                refund.payment = payment
                refunds.append(refund)
                refund_stamps.append(events[-1][0])
        self._create(PaymentEvent, payment_events, event_stamps)
        self._create(Refund, refunds, refund_stamps)
        receipts = self._receipts(
            [(payment, payment.captured_at) for payment in payments if payment.captured_at is not None], users
        )
        return len(payments), len(refunds), receipts

    def _refund_for(
        self,
        plan: PlannedOrder,
        payment: Payment,
        events: list[tuple[datetime, PaymentEvent]],
        users: dict[str, User],
    ) -> Refund | None:
        order = plan.order
        rng = plan.rng
        if plan.cancelled_at is not None:
            amount, reason, refunded_at, actor = order.total, plan.cancel_reason, plan.cancelled_at, users["support"]
        elif plan.delivered_at is not None and rng.random() < 0.07:
            refunded_at = self._between(rng, plan.delivered_at, timedelta(days=1), timedelta(days=8))
            if refunded_at > self.now:
                return None
            reason = rng.choice(PARTIAL_REFUND_REASONS)
            if reason.startswith("Goodwill"):
                amount = round_money(order.total * Decimal("0.15"))
            else:
                product, _ = min(plan.lines, key=lambda line: line[0].price)
                amount = min(round_money(product.price * (1 + TAX_RATE)), round_money(order.total / 2))
            actor = users["finance"]
        else:
            return None
        payment.refunded_amount = amount
        payment.status = (
            PaymentStatus.REFUNDED if amount == payment.captured_amount else PaymentStatus.PARTIALLY_REFUNDED
        )
        events.append(
            (
                refunded_at,
                PaymentEvent(
                    actor=actor,
                    from_status=PaymentStatus.CAPTURED,
                    to_status=payment.status,
                    amount=amount,
                    note=reason,
                ),
            )
        )
        plan.events.append((refunded_at, OrderEvent(kind=OrderEvent.Kind.REFUND_ISSUED, actor=actor, note=reason)))
        return Refund(amount=amount, reason=reason, created_by=actor)

    def _receipts(self, captured: list[tuple[Payment, datetime]], users: dict[str, User]) -> int:
        captured = sorted(captured, key=lambda pair: pair[1])
        payments = [payment for payment, _ in captured]
        numbers = reserve_numbers("RCT", [captured_at.year for _, captured_at in captured])
        buyers_by_id = {user.pk: user for user in users.values()}
        rows = [
            Receipt(
                payment=payment,
                number=number,
                amount=payment.captured_amount,
                currency=payment.currency,
                email=buyers_by_id[payment.order.buyer_id].email,
            )
            for payment, number in zip(payments, numbers, strict=True)
        ]
        receipts = self._create(Receipt, rows, [captured_at for _, captured_at in captured])
        deliveries: list[ReceiptDelivery] = []
        stamps: list[datetime] = []
        for receipt, (_, captured_at) in zip(receipts, captured, strict=True):
            deliveries.append(ReceiptDelivery(receipt=receipt, email=receipt.email))
            stamps.append(captured_at + timedelta(seconds=5))
            rng = self.plan_by_order[receipt.payment.order_id].rng
            resend_at = self._between(rng, captured_at, timedelta(days=2), timedelta(days=30))
            if rng.random() < 0.05 and resend_at <= self.now:
                deliveries.append(
                    ReceiptDelivery(receipt=receipt, email=receipt.email, is_resend=True, requested_by=users["support"])
                )
                stamps.append(resend_at)
        self._create(ReceiptDelivery, deliveries, stamps)
        self.receipt_numbers = {
            payment.order_id: receipt.number for payment, receipt in zip(payments, receipts, strict=True)
        }
        for receipt, (payment, captured_at) in zip(receipts, captured, strict=True):
            self.plan_by_order[payment.order_id].events.append(
                (
                    captured_at + timedelta(seconds=5),
                    OrderEvent(kind=OrderEvent.Kind.RECEIPT_SENT, note=receipt.number),
                )
            )
        return len(receipts)

    def _order_events(self, plans: list[PlannedOrder]) -> None:
        rows: list[OrderEvent] = []
        stamps: list[datetime] = []
        for plan in plans:
            order = plan.order
            owner = self.store_owner.get(plan.store.slug)
            history = [
                (
                    order.placed_at,
                    OrderEvent(kind=OrderEvent.Kind.PLACED, actor=order.buyer, to_status=OrderStatus.PENDING),
                )
            ]
            transitions: list[tuple[datetime | None, str, str, User | None]] = [
                (plan.processing_at, OrderStatus.PENDING, OrderStatus.PROCESSING, None),
                (plan.shipped_at, OrderStatus.PROCESSING, OrderStatus.SHIPPED, owner),
                (plan.delivered_at, OrderStatus.SHIPPED, OrderStatus.DELIVERED, None),
            ]
            for moment, from_status, to_status, actor in transitions:
                if moment is not None:
                    history.append(
                        (
                            moment,
                            OrderEvent(
                                kind=OrderEvent.Kind.STATUS_CHANGED,
                                actor=actor,
                                from_status=from_status,
                                to_status=to_status,
                            ),
                        )
                    )
            if plan.cancelled_at is not None:
                from_status = OrderStatus.PROCESSING if plan.processing_at else OrderStatus.PENDING
                history.append(
                    (
                        plan.cancelled_at,
                        OrderEvent(
                            kind=OrderEvent.Kind.STATUS_CHANGED,
                            from_status=from_status,
                            to_status=OrderStatus.CANCELLED,
                            note=plan.cancel_reason,
                        ),
                    )
                )
            history += plan.events
            history.sort(key=lambda entry: entry[0])
            for moment, event in history:
                event.order = order
                rows.append(event)
                stamps.append(moment)
        self._create(OrderEvent, rows, stamps)

    def _notifications(self, plans: list[PlannedOrder], users: dict[str, User], sellers: list[Seller]) -> None:
        """A few recent notifications for the demo buyers and sellers; the older ones already read.
        Written through ``notify`` without email: nobody should get mail for demo history."""
        entries: list[tuple[User, datetime, Kind, str, str, str]] = []
        for username in DEMO_BUYER_CITIES:
            buyer = users[username]
            own = [plan for plan in plans if plan.order.buyer_id == buyer.pk]
            for plan in own[-8:]:
                order = plan.order
                if plan.delivered_at:
                    entries.append(
                        (
                            buyer,
                            plan.delivered_at,
                            Kind.ORDER_STATUS_CHANGED,
                            f"Order {order.number} was delivered",
                            f"Your order from {plan.store.name} was delivered.",
                            "",
                        )
                    )
                elif plan.shipped_at:
                    entries.append(
                        (
                            buyer,
                            plan.shipped_at,
                            Kind.ORDER_STATUS_CHANGED,
                            f"Order {order.number} has shipped",
                            f"{plan.store.name} handed your order to the carrier.",
                            "",
                        )
                    )
                if plan.captured_at and order.pk in self.receipt_numbers:
                    entries.append(
                        (
                            buyer,
                            plan.captured_at + timedelta(seconds=5),
                            Kind.RECEIPT_SENT,
                            f"Receipt {self.receipt_numbers[order.pk]} for order {order.number}",
                            f"We received your payment of {order.total} {order.currency}.",
                            "",
                        )
                    )
        for username, seller in zip(STORE_LOGINS, sellers, strict=True):
            member = users[username]
            own = [plan for plan in plans if plan.order.seller_id == seller.pk]
            for plan in own[-6:]:
                entries.append(
                    (
                        member,
                        plan.order.placed_at,
                        Kind.ORDER_STATUS_CHANGED,
                        f"New order {plan.order.number} for {seller.name}",
                        f"{plan.order.buyer.display_name} ordered {len(plan.lines)} item(s), {plan.order.total} "
                        f"{plan.order.currency}.",
                        "/seller/",
                    )
                )
        entries.sort(key=lambda entry: entry[1])
        created: list[Notification] = []
        stamps: list[datetime] = []
        for recipient, moment, kind, title, body, link in entries:
            created += notify(recipients=[recipient], kind=kind, title=title, body=body, link=link, send_email=False)
            stamps.append(moment)
        # All but the three newest per user are already read.
        newest_per_user: dict[int, int] = Counter()
        for notification, moment in sorted(zip(created, stamps, strict=True), key=lambda pair: pair[1], reverse=True):
            newest_per_user[notification.recipient_id] += 1
            if newest_per_user[notification.recipient_id] > 3:
                notification.read_at = moment + timedelta(hours=2)
        for notification, moment in zip(created, stamps, strict=True):
            notification.created_at = moment
        # notify() stamps rows with the current time; the story's times are set afterwards (a few dozen rows).
        Notification.objects.bulk_update(created, ["read_at", "created_at"], batch_size=BATCH_SIZE)
