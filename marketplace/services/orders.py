"""Writes for orders, their status, shipments and tracking events.

Money is ``Decimal`` end to end: amounts arrive with at most two places, line totals are
quantity x unit price (exact), and ``total = subtotal + shipping_fee + tax - discount`` — the same
sum the database's check constraint recomputes, so a row that does not add up cannot be stored.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.selectors.users import user_has_permission
from core.exceptions import Forbidden, InvalidInput, StateConflict
from core.text import clean_text, column_max_length
from marketplace.models import (
    ORDER_TRANSITIONS,
    Currency,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Product,
    Seller,
    Shipment,
    TrackingEvent,
)
from marketplace.notices import Kind
from marketplace.selectors.orders import order_status_answer_text
from marketplace.selectors.scoping import user_is_seller_member
from marketplace.services.numbering import number_next
from notifications.services.notify import notify
from webhooks.models import EventType
from webhooks.services.events import webhook_event_record

CENT = Decimal("0.01")
ORDER_NUMBER_PREFIX = "SP"
DELIVERED_TRACKING_STATUS = "delivered"
# Once an order is cancelled or delivered nothing more ships for it.
_SHIPPABLE_STATUSES = {OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.SHIPPED}


@dataclass(frozen=True)
class OrderLine:
    product: Product
    quantity: int
    unit_price: Decimal


def _check_money(value: Decimal, *, field: str, label: str | None = None) -> None:
    label = label or "Amount"
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidInput(f"{label} must be a decimal number.", code="invalid", field=field)
    if value < 0:
        raise InvalidInput(f"{label} must be zero or more.", code="min_value", field=field)
    if value > settings.MARKETPLACE_MAX_AMOUNT:
        raise InvalidInput(f"{label} must be at most {settings.MARKETPLACE_MAX_AMOUNT}.", code="max_value", field=field)
    if value != value.quantize(CENT):
        raise InvalidInput(f"{label} has more than 2 decimal places.", code="max_decimal_places", field=field)


def order_place(
    *,
    actor: User | None,
    buyer: User,
    seller: Seller,
    lines: Sequence[OrderLine],
    currency: str,
    shipping_fee: Decimal = Decimal("0.00"),
    tax: Decimal = Decimal("0.00"),
    discount: Decimal = Decimal("0.00"),
    placed_at: datetime | None = None,
    now: datetime,
) -> Order:
    """Record an order (pushed in by an integration): items, totals, a human number, a ``placed``
    event. Every rule is checked before the first write; the writes share one transaction."""
    if currency not in Currency.values:
        raise InvalidInput(f"Unknown currency {currency!r}.", code="invalid_choice", field="currency")
    if not lines:
        raise InvalidInput("An order needs at least one item.", code="empty", field="items")
    for field, amount in (("shipping_fee", shipping_fee), ("tax", tax), ("discount", discount)):
        _check_money(amount, field=field)
    subtotal = Decimal("0.00")
    for position, line in enumerate(lines, start=1):
        product = line.product
        if product.seller_id != seller.pk:
            raise InvalidInput(
                f"Item {position}: product {product.pk} does not belong to seller {seller.pk}.",
                code="wrong_seller",
                field="items",
            )
        if product.currency != currency:
            raise InvalidInput(
                f"Item {position}: product {product.pk} is priced in {product.currency}, the order in {currency}.",
                code="currency_mismatch",
                field="items",
            )
        if not (1 <= line.quantity <= settings.MARKETPLACE_MAX_QUANTITY):
            raise InvalidInput(
                f"Item {position}: quantity must be between 1 and {settings.MARKETPLACE_MAX_QUANTITY}.",
                code="invalid_quantity",
                field="items",
            )
        _check_money(line.unit_price, field="items", label=f"Item {position}: unit price")
        subtotal += line.unit_price * line.quantity
    if subtotal > settings.MARKETPLACE_MAX_AMOUNT:
        raise InvalidInput(
            f"The items add up to {subtotal}, more than {settings.MARKETPLACE_MAX_AMOUNT}.",
            code="max_value",
            field="items",
        )
    gross = subtotal + shipping_fee + tax
    if discount > gross:
        raise InvalidInput(
            f"The discount ({discount}) exceeds subtotal + shipping + tax ({gross}).",
            code="max_value",
            field="discount",
        )
    total = gross - discount
    if placed_at is not None and placed_at > now:
        raise InvalidInput("An order cannot be placed in the future.", code="future", field="placed_at")

    with transaction.atomic():
        order = Order.objects.create(
            number=number_next(prefix=ORDER_NUMBER_PREFIX, now=now),
            buyer=buyer,
            seller=seller,
            status=OrderStatus.PENDING,
            currency=currency,
            subtotal=subtotal,
            shipping_fee=shipping_fee,
            tax=tax,
            discount=discount,
            total=total,
            placed_at=placed_at or now,
        )
        OrderItem.objects.bulk_create(
            [
                OrderItem(
                    order=order,
                    product=line.product,
                    product_name=line.product.name,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    line_total=line.unit_price * line.quantity,
                )
                for line in lines
            ]
        )
        OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.PLACED, actor=actor, to_status=order.status)
    return order


def user_may_change_order(*, actor: User, order: Order) -> bool:
    """Seller members of the order's seller and staff with ``marketplace.change_order``."""
    return user_has_permission(actor, "marketplace.change_order") or user_is_seller_member(actor, order.seller_id)


def order_status_change(*, order: Order, to_status: str, actor: User, note: str = "", now: datetime) -> Order:
    """Move an order along ``ORDER_TRANSITIONS`` on behalf of ``actor``.

    Seller members and staff with ``change_order`` may make any legal move; the buyer may only
    cancel a pending order. An illegal move (or one that lost a race) is a state conflict."""
    if to_status not in OrderStatus.values:
        raise InvalidInput(f"Unknown order status {to_status!r}.", code="invalid_choice", field="status")
    if not user_may_change_order(actor=actor, order=order):
        if actor.pk != order.buyer_id:
            raise Forbidden("You may not change this order's status.")
        if not (to_status == OrderStatus.CANCELLED and order.status == OrderStatus.PENDING):
            raise Forbidden("A buyer may only cancel a pending order.")
    return order_transition(order=order, to_status=to_status, actor=actor, note=note, now=now)


def order_transition(*, order: Order, to_status: str, actor: User | None, note: str = "", now: datetime) -> Order:
    """The move itself, without the role check (for services that already decided, e.g. a delivery
    scan). Conditional ``UPDATE ... WHERE status = <old>``: of two concurrent moves one wins and the
    other is a conflict, never a double event."""
    from_status = order.status
    if to_status not in ORDER_TRANSITIONS.get(from_status, set()):
        raise StateConflict(f"An order that is {from_status} cannot become {to_status}.", code="invalid_transition")
    with transaction.atomic():
        updated = Order.objects.filter(pk=order.pk, status=from_status).update(status=to_status, updated_at=now)
        if not updated:
            current = Order.objects.filter(pk=order.pk).values_list("status", flat=True).first()
            raise StateConflict(f"The order changed meanwhile: it is now {current}.", code="concurrent_change")
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.STATUS_CHANGED,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            note=note,
        )
        # Every move (a cancel too) is one ``order.status_changed``, written with the move itself.
        webhook_event_record(event_type=EventType.ORDER_STATUS_CHANGED, resource_id=order.pk, now=now)
        order.status = to_status
        order.updated_at = now
        if actor is None or actor.pk != order.buyer_id:
            label = OrderStatus(to_status).label.lower()
            notify(
                recipients=[order.buyer],
                kind="order_status_changed",
                title=f"Your order {order.number} is {label}",
                body=note or f"Your order {order.number} moved from {from_status} to {to_status}.",
            )
    return order


def user_may_add_tracking_event(*, actor: User, order: Order) -> bool:
    return user_has_permission(actor, "marketplace.add_trackingevent") or user_is_seller_member(actor, order.seller_id)


def user_may_ship_order(*, actor: User, order: Order) -> bool:
    return user_has_permission(actor, "marketplace.add_shipment") or user_is_seller_member(actor, order.seller_id)


def shipment_create(
    *,
    order: Order,
    carrier: str,
    tracking_number: str,
    actor: User,
    expected_delivery: date | None = None,
    shipped_at: datetime | None = None,
    now: datetime,
) -> Shipment:
    """Record a shipment for an order (seller members of the order's seller, or ``add_shipment``)."""
    if not user_may_ship_order(actor=actor, order=order):
        raise Forbidden("You may not add shipments to this order.")
    carrier = clean_text(
        carrier,
        field="carrier",
        max_length=column_max_length(Shipment, "carrier"),
        blank_message="A carrier is required.",
        single_line=True,
    )
    tracking_number = clean_text(
        tracking_number,
        field="tracking_number",
        max_length=column_max_length(Shipment, "tracking_number"),
        blank_message="A tracking number is required.",
        single_line=True,
    )
    if order.status not in _SHIPPABLE_STATUSES:
        raise StateConflict(f"A {order.status} order cannot get a shipment.", code="invalid_state")
    duplicate = InvalidInput(
        f"{carrier} tracking number {tracking_number} is already recorded.", code="unique", field="tracking_number"
    )
    if Shipment.objects.filter(carrier=carrier, tracking_number=tracking_number).exists():
        raise duplicate
    with transaction.atomic():
        try:
            with transaction.atomic():
                shipment = Shipment.objects.create(
                    order=order,
                    carrier=carrier,
                    tracking_number=tracking_number,
                    expected_delivery=expected_delivery,
                    shipped_at=shipped_at,
                )
        except IntegrityError as error:  # the same tracking number, recorded concurrently
            raise duplicate from error
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.SHIPMENT_CREATED,
            actor=actor,
            note=f"{carrier} {tracking_number}",
        )
    return shipment


def tracking_event_add(
    *,
    shipment: Shipment,
    occurred_at: datetime,
    status: str,
    actor: User,
    location: str = "",
    description: str = "",
    now: datetime,
) -> TrackingEvent:
    """Record a carrier scan. A ``delivered`` scan marks the shipment delivered and, when the order
    is shipped, moves the order to delivered through ``order_transition`` (event + buyer notice)."""
    order = shipment.order
    if not user_may_add_tracking_event(actor=actor, order=order):
        raise Forbidden("You may not add tracking events to this shipment.")
    status = clean_text(
        status,
        field="status",
        max_length=column_max_length(TrackingEvent, "status"),
        blank_message="A status is required.",
        single_line=True,
    )
    with transaction.atomic():
        event = TrackingEvent.objects.create(
            shipment=shipment, occurred_at=occurred_at, status=status, location=location, description=description
        )
        if status.lower() == DELIVERED_TRACKING_STATUS:
            Shipment.objects.filter(pk=shipment.pk, delivered_at__isnull=True).update(delivered_at=occurred_at)
            locked_order = Order.objects.select_for_update().select_related("buyer").get(pk=order.pk)
            if locked_order.status == OrderStatus.SHIPPED:
                order_transition(
                    order=locked_order,
                    to_status=OrderStatus.DELIVERED,
                    actor=actor,
                    note=f"Delivered ({shipment.carrier} {shipment.tracking_number}).",
                    now=now,
                )
    return event


def order_status_answer_send(*, order: Order, actor: User, now: datetime, text: str | None = None) -> str:
    """Send the buyer the answer to "where is my order?" (staff who may see orders): by default
    built from the order and its shipment events (``order_status_answer_text``); an edited ``text``
    is sent as written. Logged as an order event; returns the text sent."""
    if not user_has_permission(actor, "marketplace.view_order"):
        raise Forbidden("You may not answer for this order.", code="permission_denied")
    if text is None:
        text = order_status_answer_text(order=order, now=now)
    text = clean_text(text, field="text", max_length=None)
    with transaction.atomic():
        locked = Order.objects.select_related("buyer").get(pk=order.pk)
        OrderEvent.objects.create(order=locked, kind=OrderEvent.Kind.STATUS_ANSWERED, actor=actor, note=text)
        notify(
            recipients=[locked.buyer],
            kind=Kind.ORDER_STATUS_ANSWER,
            title=f"Where your order {locked.number} is",
            body=text,
            link=f"/orders/{locked.pk}/",
        )
    return text
