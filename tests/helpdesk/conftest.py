from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from tests.accounts.factories import AdminFactory, BuyerFactory, UserFactory
from tests.marketplace.factories import OrderFactory, SellerFactory, SellerMemberFactory
from tests.marketplace.factories_billing import InvoiceFactory, PaymentFactory


@pytest.fixture
def now() -> datetime:
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def desk(db: Any) -> dict[str, Any]:
    """Alice's order at Northwind with its invoice and captured payment; Bob with his own order;
    support, a moderator, finance, a billing department member and an admin."""
    seller = SellerFactory(name="Northwind")
    alice = BuyerFactory(username="alice", first_name="Alice", email="alice@example.com")
    bob = BuyerFactory(username="bob", first_name="Bob")
    order = OrderFactory(buyer=alice, seller=seller, number="SP-2026-000123")
    bob_order = OrderFactory(buyer=bob, seller=seller)
    billing = UserFactory(username="billing-1", role=Role.SUPPORT)
    from django.contrib.auth.models import Group

    billing.groups.add(Group.objects.get(name="billing"))
    return {
        "seller": seller,
        "member": SellerMemberFactory(username="northwind-owner", seller=seller),
        "alice": alice,
        "bob": bob,
        "order": order,
        "invoice": InvoiceFactory(order=order),
        "payment": PaymentFactory(order=order),
        "bob_order": bob_order,
        "bob_payment": PaymentFactory(order=bob_order),
        "support": UserFactory(username="support-1", role=Role.SUPPORT),
        "moderator": UserFactory(username="moderator-1", role=Role.MODERATOR),
        "finance": UserFactory(username="finance-1", role=Role.FINANCE),
        "billing": billing,
        "admin": AdminFactory(username="admin-1"),
    }


def later(now: datetime, **kwargs: float) -> datetime:
    return now + timedelta(**kwargs)
