"""Registering, changing, pausing and removing webhook endpoints. One transaction each; the URL is
checked against private networks here and again at every delivery (``services.addresses``)."""

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.models import Role, User
from core.exceptions import Forbidden, InvalidInput, StateConflict
from core.text import has_control_characters
from webhooks.models import SUBSCRIBABLE_EVENT_TYPES, Delivery, DeliveryStatus, Endpoint
from webhooks.selectors.endpoints import user_manages_webhooks, user_sees_all_endpoints
from webhooks.services.addresses import endpoint_url_check
from webhooks.services.deliveries import webhook_deliveries_send_after_commit

SECRET_MIN_LENGTH = 16
SECRET_MAX_LENGTH = Endpoint._meta.get_field("secret").max_length or 200
URL_MAX_LENGTH = Endpoint._meta.get_field("url").max_length or 2000
DESCRIPTION_MAX_LENGTH = Endpoint._meta.get_field("description").max_length or 200


def endpoint_secret_generate() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def event_types_allowed(owner: User) -> list[str]:
    """The event types ``owner``'s endpoints may receive: every one for an administrator, the
    integration client's share for it."""
    if owner.is_superuser:
        return list(SUBSCRIBABLE_EVENT_TYPES)
    if owner.role == Role.INTEGRATION:
        return [value for value in SUBSCRIBABLE_EVENT_TYPES if value in settings.WEBHOOKS_INTEGRATION_EVENT_TYPES]
    return []


def _clean_events(events: Any, *, owner: User) -> list[str]:
    if not isinstance(events, list) or not events:
        raise InvalidInput("Choose at least one event type.", field="events")
    allowed = event_types_allowed(owner)
    cleaned: list[str] = []
    for value in events:
        if not isinstance(value, str) or value not in SUBSCRIBABLE_EVENT_TYPES:
            raise InvalidInput(f"{str(value)[:60]!r} is not an event type.", code="invalid_choice", field="events")
        if value not in allowed:
            raise InvalidInput(
                f"This client may not receive {value!r} events.", code="event_not_allowed", field="events"
            )
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


def _clean_secret(secret: str | None) -> str:
    if secret is None or secret == "":
        return endpoint_secret_generate()
    if not (SECRET_MIN_LENGTH <= len(secret) <= SECRET_MAX_LENGTH):
        raise InvalidInput(
            f"A secret is {SECRET_MIN_LENGTH} to {SECRET_MAX_LENGTH} characters.", code="invalid", field="secret"
        )
    if not secret.isascii() or not secret.isprintable() or " " in secret:
        raise InvalidInput("A secret is printable ASCII without spaces.", code="invalid", field="secret")
    return secret


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url or len(url) > URL_MAX_LENGTH or has_control_characters(url) or not url.isascii():
        raise InvalidInput("Enter a valid URL (ASCII, without spaces or control characters).", field="url")
    endpoint_url_check(url)
    return url


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH or has_control_characters(description):
        raise InvalidInput(
            f"A description is one line of at most {DESCRIPTION_MAX_LENGTH} characters.", field="description"
        )
    return description


def _require_manager(actor: User, endpoint: Endpoint | None = None) -> None:
    if not user_manages_webhooks(actor):
        raise Forbidden("Only an administrator or the integration client registers webhooks.")
    if endpoint is not None and not user_sees_all_endpoints(actor) and endpoint.owner_id != actor.pk:
        raise Forbidden("This endpoint is another client's.")


@transaction.atomic
def endpoint_create(
    *,
    actor: User,
    url: str,
    events: list[str],
    secret: str | None = None,
    is_active: bool = True,
    description: str = "",
    now: datetime,
) -> Endpoint:
    """Register an endpoint owned by ``actor``. The secret is generated when not given; the caller
    shows it once."""
    _require_manager(actor)
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one registration at a time per owner
    if Endpoint.objects.filter(owner=actor).count() >= settings.WEBHOOKS_MAX_ENDPOINTS_PER_OWNER:
        raise StateConflict(
            f"A client has at most {settings.WEBHOOKS_MAX_ENDPOINTS_PER_OWNER} endpoints; remove one first.",
            code="too_many_endpoints",
        )
    return Endpoint.objects.create(
        owner=actor,
        url=_clean_url(url),
        events=_clean_events(events, owner=actor),
        secret=_clean_secret(secret),
        is_active=is_active,
        description=_clean_description(description),
    )


@transaction.atomic
def endpoint_update(*, endpoint: Endpoint, actor: User, changes: dict[str, Any], now: datetime) -> Endpoint:
    """Change what was given of ``url``, ``events``, ``secret``, ``description``, ``is_active``.
    Turning a paused endpoint on again clears the pause and sends what waited meanwhile."""
    _require_manager(actor, endpoint)
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    fields: list[str] = []
    if "url" in changes:
        locked.url, fields = _clean_url(changes["url"]), [*fields, "url"]
    if "events" in changes:
        locked.events, fields = _clean_events(changes["events"], owner=locked.owner), [*fields, "events"]
    if "secret" in changes:
        locked.secret, fields = _clean_secret(changes["secret"]), [*fields, "secret"]
    if "description" in changes:
        locked.description, fields = _clean_description(changes["description"]), [*fields, "description"]
    turned_on = False
    if "is_active" in changes and bool(changes["is_active"]) != locked.is_active:
        locked.is_active = bool(changes["is_active"])
        turned_on = locked.is_active
        fields.append("is_active")
        if turned_on:
            locked.paused_at, locked.pause_reason = None, ""
            fields += ["paused_at", "pause_reason"]
    if fields:
        locked.save(update_fields=[*fields, "updated_at"])
    if (
        turned_on
        and Delivery.objects.filter(
            endpoint=locked, status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]
        ).exists()
    ):
        webhook_deliveries_send_after_commit([locked.pk])
    return locked


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint, actor: User) -> None:
    """Remove the endpoint with its delivery log (events stay for other endpoints)."""
    _require_manager(actor, endpoint)
    Endpoint.objects.filter(pk=endpoint.pk).delete()
