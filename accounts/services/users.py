"""Writes for accounts: API tokens and user creation (with a seller's store when the role is seller).

``user_create`` calls ``marketplace.services.catalog.seller_create`` so that a seller account and its
store are made in one transaction: either both exist or neither does.
"""

from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from rest_framework.authtoken.models import Token

from accounts.models import GROUP_NAMES, STAFF_ROLES, Role, User
from core.exceptions import Forbidden, InvalidInput
from marketplace.services.catalog import seller_create


def token_obtain(*, username: str, password: str, request: HttpRequest | None = None) -> Token:
    """The user's API token (created on first use). Inactive users cannot log in."""
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise InvalidInput(
            "Unable to log in with the username and password given.",
            code="authorization",
            field="non_field_errors",
        )
    token, _ = Token.objects.get_or_create(user=user)
    return token


def user_create(
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
    """Create a platform user.

    - ``seller``: ``store_name`` is required; the store is created with the user as owner member.
    - staff roles (support, moderator, finance, integration): ``is_staff`` and the group of that name.
    - ``integration`` accounts can only be created by admins; ``admin`` never over this path.
    The password goes through Django's validators (similarity to the username/email included).
    """
    if not actor.has_perm("accounts.add_user"):
        raise Forbidden("You may not create users.")
    if role not in {Role.BUYER, Role.SELLER, Role.SUPPORT, Role.MODERATOR, Role.FINANCE, Role.INTEGRATION}:
        raise InvalidInput(f"Role {role!r} cannot be created here.", code="invalid_choice", field="role")
    if role == Role.INTEGRATION and not actor.is_superuser:
        raise InvalidInput("Only an admin may create integration accounts.", code="invalid_choice", field="role")
    store_name = store_name.strip()
    if role == Role.SELLER and not store_name:
        raise InvalidInput("A seller needs a store name.", code="required", field="store_name")
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput("A user with that username already exists.", code="unique", field="username")

    candidate = User(username=username, email=email, first_name=first_name, last_name=last_name, role=role)
    try:
        password_validation.validate_password(password, user=candidate)
    except ValidationError as error:
        raise ValidationError({"password": list(error.messages)}) from error

    with transaction.atomic():
        candidate.set_password(password)
        candidate.is_staff = role in STAFF_ROLES
        try:
            with transaction.atomic():
                candidate.save()
        except IntegrityError as error:  # a concurrent request took the username first
            raise InvalidInput("A user with that username already exists.", code="unique", field="username") from error
        group_name = GROUP_NAMES.get(Role(role))
        if group_name:
            candidate.groups.add(Group.objects.get(name=group_name))
        if role == Role.SELLER:
            seller_create(name=store_name, email=email, owner=candidate, actor=actor)
    return candidate
