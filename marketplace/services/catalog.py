"""Writes for sellers (stores) and products."""

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.models import Role, User
from accounts.services.users import user_create, user_create_check
from core.exceptions import InvalidInput
from core.text import clean_text, column_max_length
from marketplace.models import Currency, Product, Seller, SellerMembership

_SLUG_MAX_LENGTH = 220
_SLUG_ATTEMPTS = 5


def _slug_candidate(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    suffix = 2
    while True:
        tail = f"-{suffix}"
        candidate = f"{base[: _SLUG_MAX_LENGTH - len(tail)]}{tail}"
        if candidate not in taken:
            return candidate
        suffix += 1


def seller_create(*, name: str, email: str = "", owner: User | None = None, actor: User | None = None) -> Seller:
    """Create a store with a unique slug derived from its name; ``owner`` becomes its owner member.

    The slug is picked from one query of the slugs already taken; if a concurrent request takes the
    same one first, the unique constraint refuses it and we pick again (inside a savepoint, so the
    caller's transaction survives)."""
    name = clean_text(
        name,
        field="name",
        max_length=column_max_length(Seller, "name"),
        blank_message="A store name is required.",
        single_line=True,
    )
    base = slugify(name)[:200].strip("-") or "store"
    with transaction.atomic():
        for _attempt in range(_SLUG_ATTEMPTS):
            taken = set(Seller.objects.filter(slug__startswith=base).values_list("slug", flat=True))
            slug = _slug_candidate(base, taken)
            try:
                with transaction.atomic():
                    seller = Seller.objects.create(name=name, slug=slug, email=email)
            except IntegrityError:
                continue
            break
        else:  # pragma: no cover - only under sustained contention for one name
            raise InvalidInput("Could not find a free slug for this store name; retry.", field="name")
        if owner is not None:
            SellerMembership.objects.create(seller=seller, user=owner, role=SellerMembership.Role.OWNER)
    return seller


def user_create_with_store(
    *,
    actor: User,
    username: str,
    email: str,
    password: str,
    role: str,
    store_name: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a platform user (``accounts.services.users.user_create``); role ``seller`` needs
    ``store_name`` and gets its store with the user as owner member, in the same transaction:
    either both exist or neither does."""
    user_create_check(actor=actor, role=role)
    store_name = clean_text(
        store_name,
        field="store_name",
        max_length=column_max_length(Seller, "name"),
        required=role == Role.SELLER,
        blank_message="A seller needs a store name.",
        single_line=True,
    )
    with transaction.atomic():
        user = user_create(
            actor=actor,
            username=username,
            email=email,
            password=password,
            role=role,
            first_name=first_name,
            last_name=last_name,
        )
        if role == Role.SELLER:
            seller_create(name=store_name, email=email, owner=user, actor=actor)
    return user


def _check_money(value: Decimal, *, field: str) -> None:
    if not value.is_finite() or value < 0:
        raise InvalidInput("Must be zero or more.", code="min_value", field=field)
    if value > settings.MARKETPLACE_MAX_AMOUNT:
        raise InvalidInput(f"Must be at most {settings.MARKETPLACE_MAX_AMOUNT}.", code="max_value", field=field)
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInput("At most 2 decimal places.", code="max_decimal_places", field=field)


def product_create(
    *,
    seller: Seller,
    name: str,
    sku: str,
    price: Decimal,
    currency: str,
    description: str = "",
    actor: User | None = None,
) -> Product:
    """Add a product to ``seller``'s catalog. The SKU is unique within the seller."""
    name = clean_text(
        name,
        field="name",
        max_length=column_max_length(Product, "name"),
        blank_message="A product name is required.",
        single_line=True,
    )
    sku = clean_text(
        sku,
        field="sku",
        max_length=column_max_length(Product, "sku"),
        blank_message="A SKU is required.",
        single_line=True,
    )
    if currency not in Currency.values:
        raise InvalidInput(f"Unknown currency {currency!r}.", code="invalid_choice", field="currency")
    _check_money(price, field="price")
    duplicate = InvalidInput(f"This seller already has a product with SKU {sku!r}.", code="unique", field="sku")
    if Product.objects.filter(seller=seller, sku=sku).exists():
        raise duplicate
    try:
        with transaction.atomic():
            return Product.objects.create(
                seller=seller, name=name, sku=sku, price=price, currency=currency, description=description
            )
    except IntegrityError as error:  # a concurrent request added the same SKU first
        raise duplicate from error
