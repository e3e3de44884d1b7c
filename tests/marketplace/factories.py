from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Role
from marketplace.models import (
    Order,
    OrderDelay,
    OrderItem,
    Product,
    Seller,
    SellerMembership,
    Shipment,
    TrackingEvent,
)
from tests.accounts.factories import BuyerFactory, UserFactory


class SellerFactory(DjangoModelFactory[Seller]):
    class Meta:
        model = Seller

    name = factory.Sequence(lambda n: f"Store {n}")
    slug = factory.Sequence(lambda n: f"store-{n}")
    email = factory.LazyAttribute(lambda seller: f"{seller.slug}@stores.example.com")


class SellerMemberFactory(UserFactory):
    """A user who is the owner member of a (new, unless given) seller."""

    role = Role.SELLER

    @factory.post_generation
    def seller(self, create: bool, extracted: Seller | None, **kwargs: object) -> None:
        if create:
            SellerMembership.objects.create(
                seller=extracted or SellerFactory(), user=self, role=SellerMembership.Role.OWNER
            )


class SellerMembershipFactory(DjangoModelFactory[SellerMembership]):
    """Another store for an existing user (``SellerMemberFactory`` makes the user with their first)."""

    class Meta:
        model = SellerMembership

    seller = factory.SubFactory(SellerFactory)
    user = factory.SubFactory(UserFactory, role=Role.SELLER)
    role = SellerMembership.Role.MEMBER


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product

    seller = factory.SubFactory(SellerFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    price = Decimal("19.99")
    currency = "USD"


class OrderFactory(DjangoModelFactory[Order]):
    """An order with one item; totals add up (the database checks that they do)."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"SP-TEST-{n:06d}")
    buyer = factory.SubFactory(BuyerFactory)
    seller = factory.SubFactory(SellerFactory)
    status = "pending"
    currency = "USD"
    subtotal = Decimal("39.98")
    shipping_fee = Decimal("5.00")
    tax = Decimal("3.00")
    discount = Decimal("0.00")
    total = Decimal("47.98")
    placed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def items(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is None:
            product = ProductFactory(seller=self.seller, price=Decimal("19.99"))
            OrderItem.objects.create(
                order=self,
                product=product,
                product_name=product.name,
                quantity=2,
                unit_price=Decimal("19.99"),
                line_total=Decimal("39.98"),
            )


class ShipmentFactory(DjangoModelFactory[Shipment]):
    class Meta:
        model = Shipment

    order = factory.SubFactory(OrderFactory, status="shipped")
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
    description = "Departed facility"


class OrderDelayFactory(DjangoModelFactory[OrderDelay]):
    """A delay row as the sweep writes it (past the expected date, told)."""

    class Meta:
        model = OrderDelay

    shipment = factory.SubFactory(ShipmentFactory)
    order = factory.SelfAttribute("shipment.order")
    kind = "past_expected"
    expected_delivery = factory.LazyFunction(lambda: timezone.now().date())
    detected_at = factory.LazyFunction(timezone.now)
    notified_at = factory.LazyFunction(timezone.now)
