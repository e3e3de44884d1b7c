"""Writes for accounts: API tokens and user creation.

A seller's account comes with its store: ``marketplace.services.catalog.user_create_with_store``
calls ``user_create`` and creates the store in the same transaction (accounts sits below
marketplace and knows no stores).
"""

from datetime import datetime

from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from rest_framework.authtoken.models import Token

from accounts.models import GROUP_NAMES, STAFF_ROLES, Role, User
from accounts.services.logins import login_check, login_succeeded
from accounts.services.tokens import token_expired
from core.clients import client_ip
from core.exceptions import Forbidden, InvalidInput


def token_obtain(*, username: str, password: str, now: datetime, request: HttpRequest | None = None) -> Token:
    """The user's API token (created on first use, replaced once expired: ``API_TOKEN_TTL``).

    Failed attempts count towards the login limits (``accounts.services.logins``): a locked
    account or client gets ``LoginLocked`` before the password is checked. Inactive users cannot
    log in."""
    client = client_ip(request) if request is not None else None
    login_check(username=username, client=client, now=now)
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise InvalidInput(
            "Unable to log in with the username and password given.",
            code="authorization",
            field="non_field_errors",
        )
    login_succeeded(username=username)
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and token_expired(token, now=now):
            token.delete()
            token = None
        if token is None:
            token = Token.objects.create(user=user)
    return token


CREATABLE_ROLES = frozenset({Role.BUYER, Role.SELLER, Role.SUPPORT, Role.MODERATOR, Role.FINANCE, Role.INTEGRATION})
# What a holder of ``accounts.add_user`` who is not an admin (the integration client) may create.
# A staff account made by a machine would be a staff login whose password that machine chose.
NON_ADMIN_CREATABLE_ROLES = frozenset({Role.BUYER, Role.SELLER})


def user_is_admin(user: User) -> bool:
    """Superusers and accounts of role ``admin``: the only ones who make staff accounts."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.ADMIN))


def user_creatable_roles(actor: User) -> frozenset[str]:
    """The roles ``actor`` may give a new account (nothing without ``accounts.add_user``)."""
    if not actor.has_perm("accounts.add_user"):
        return frozenset()
    return CREATABLE_ROLES if user_is_admin(actor) else NON_ADMIN_CREATABLE_ROLES


def user_create_check(*, actor: User, role: str) -> None:
    """Whether ``actor`` may create a user of ``role`` at all: 403 without ``accounts.add_user``;
    ``admin`` is never created here (400 on ``role``); staff roles (support, moderator, finance,
    integration) only by an admin (403 for everyone else, the integration client included)."""
    if not actor.has_perm("accounts.add_user"):
        raise Forbidden("You may not create users.")
    if role not in CREATABLE_ROLES:
        raise InvalidInput(f"Role {role!r} cannot be created here.", code="invalid_choice", field="role")
    if role not in user_creatable_roles(actor):
        raise Forbidden("Only an admin may create staff accounts; this client creates buyers and sellers.")


def user_create(
    *,
    actor: User,
    username: str,
    email: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a platform user (``user_create_check`` first).

    - staff roles (support, moderator, finance, integration): ``is_staff`` and the group of that name.
    The password goes through Django's validators (similarity to the username/email included).
    """
    user_create_check(actor=actor, role=role)
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
    return candidate
