"""Reads for sellers and products. Store information is public to every logged-in user."""

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from accounts.selectors.users import user_has_permission
from marketplace.models import Product, Seller
from marketplace.selectors.scoping import member_seller_ids


def seller_list(*, actor: User) -> QuerySet[Seller]:
    """All sellers, each with ``product_count`` (its active products) counted in SQL."""
    if not (actor.is_authenticated and actor.is_active):
        return Seller.objects.none()
    return Seller.objects.annotate(product_count=Count("products", filter=Q(products__is_active=True)))


def product_list(*, actor: User) -> QuerySet[Product]:
    if not (actor.is_authenticated and actor.is_active):
        return Product.objects.none()
    return Product.objects.all()


def seller_list_for_product_create(*, actor: User) -> QuerySet[Seller]:
    """Sellers the actor may add products to: any with ``marketplace.add_product`` (integration,
    admins), else the sellers the actor is a member of. Another seller is "not found" to them."""
    if user_has_permission(actor, "marketplace.add_product"):
        return Seller.objects.all()
    if not (actor.is_authenticated and actor.is_active):
        return Seller.objects.none()
    return Seller.objects.filter(pk__in=member_seller_ids(actor))


def user_may_create_products(*, actor: User) -> bool:
    """Whether the product-create action is open to the actor at all (else 403)."""
    if user_has_permission(actor, "marketplace.add_product"):
        return True
    return bool(actor.is_authenticated and actor.is_active and actor.seller_memberships.exists())
