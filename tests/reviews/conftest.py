from typing import Any

import pytest

from accounts.models import Role
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import OrderFactory, ProductFactory, SellerFactory, SellerMemberFactory


@pytest.fixture
def parties(db: Any) -> dict[str, Any]:
    """Store "Northwind" with one member, a product it sold and delivered to ``buyer`` in
    ``order``, another store's product, support, a moderator and a finance user."""
    seller = SellerFactory(name="Northwind")
    other_seller = SellerFactory(name="Southwind")
    buyer = BuyerFactory(username="alice", first_name="Alice")
    order = OrderFactory(buyer=buyer, seller=seller, number="SP-2026-000123", status="delivered")
    product = order.items.get().product
    return {
        "seller": seller,
        "other_seller": other_seller,
        "member": SellerMemberFactory(username="northwind-owner", seller=seller),
        "other_member": SellerMemberFactory(username="southwind-owner", seller=other_seller),
        "buyer": buyer,
        "other_buyer": BuyerFactory(username="bob", first_name="Bob"),
        "order": order,
        "product": product,
        "second_product": ProductFactory(seller=seller, name="Second product"),
        "other_product": ProductFactory(seller=other_seller, name="Other store's product"),
        "support": UserFactory(username="support-1", role=Role.SUPPORT),
        "moderator": UserFactory(username="moderator-1", role=Role.MODERATOR),
        "finance": UserFactory(username="finance-1", role=Role.FINANCE),
    }
