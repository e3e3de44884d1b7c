"""Gate 1: the authorization matrix, built from the URL resolver (see ``policy.py``)."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import GROUP_NAMES, Role
from accounts.services.roles import role_permissions
from reviews.models import Review
from tests.accounts.factories import AdminFactory, BuyerFactory, UserFactory
from tests.authz.policy import LOGIN, OK, PRINCIPALS, ROUTES, Route
from tests.helpdesk.factories import ArticleFactory, TicketFactory
from tests.inquiries.factories import (
    ConversationFactory,
    EscalationFactory,
    ReplyTemplateFactory,
    SellerStandingFactory,
)
from tests.marketplace.factories import (
    OrderFactory,
    ProductFactory,
    SellerFactory,
    SellerMemberFactory,
    ShipmentFactory,
    TrackingEventFactory,
)
from tests.marketplace.factories_billing import (
    InvoiceFactory,
    PaymentFactory,
    ReceiptFactory,
    RefundFactory,
    RefundGrantFactory,
)
from tests.notifications.factories import NotificationFactory
from tests.reviews.factories import ResponseTemplateFactory, ReviewCaseFactory, ReviewFactory, ReviewResponseFactory
from tests.royalty.factories import AdjustmentFactory, PayoutBatchFactory, SellerAffiliateFactory, StatementFactory
from tests.webhooks.factories import DeliveryFactory, EndpointFactory

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
ALL_METHODS = ("GET", *WRITE_METHODS)


def _walk(patterns: list[Any], namespace: str | None = None, prefix: str = "") -> Iterator[tuple[str | None, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the admin is checked model by model below
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner or namespace, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name, prefix + str(pattern.pattern)


def resolver_routes() -> list[tuple[str | None, str]]:
    return list(_walk(get_resolver().url_patterns))


def test_every_route_is_declared_in_the_policy_table() -> None:
    routes = resolver_routes()
    unnamed = [path for name, path in routes if not name]
    undeclared = sorted({name for name, _ in routes if name and name not in ROUTES})
    stale = sorted(set(ROUTES) - {name for name, _ in routes})
    assert not unnamed, f"routes without a name cannot be declared: {unnamed}"
    assert not undeclared, f"declare who may do what on these routes in tests/authz/policy.py: {undeclared}"
    assert not stale, f"policy entries for routes that no longer exist: {stale}"


def test_the_api_denies_by_default() -> None:
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == ["core.permissions.DenyAll"]


@pytest.fixture
def world(db) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    seller_a, seller_b = SellerFactory(name="Store A"), SellerFactory(name="Store B")
    principals = {
        "buyer_a": BuyerFactory(username="buyer_a"),
        "buyer_b": BuyerFactory(username="buyer_b"),
        "seller_a": SellerMemberFactory(username="seller_a", seller=seller_a),
        "seller_b": SellerMemberFactory(username="seller_b", seller=seller_b),
        "support": UserFactory(username="support", role=Role.SUPPORT),
        "moderator": UserFactory(username="moderator", role=Role.MODERATOR),
        "finance": UserFactory(username="finance", role=Role.FINANCE),
        "admin": AdminFactory(username="admin"),
        "integration": UserFactory(username="integration", role=Role.INTEGRATION),
    }
    order_a = OrderFactory(buyer=principals["buyer_a"], seller=seller_a)
    OrderFactory(buyer=principals["buyer_b"], seller=seller_b)
    shipment_a = ShipmentFactory(order=order_a)
    TrackingEventFactory(shipment=shipment_a)
    payment_a = PaymentFactory(order=order_a)
    conversation_a = ConversationFactory(buyer=principals["buyer_a"], seller=seller_a)
    product_a = ProductFactory(seller=seller_a)
    # Buyer A's 2-star review of store A's product, with store A's flagged response waiting for a
    # moderator, and buyer A's case about it.
    review_a = ReviewFactory(product=product_a, buyer=principals["buyer_a"], rating=2)
    # Store A is a seller affiliate with a draft statement and an adjustment waiting for a second
    # finance approver (asked by another finance user), and a payout batch.
    statement_a = StatementFactory(affiliate=SellerAffiliateFactory(seller=seller_a))
    # The integration client's webhook endpoint (a receiver nobody listens on) with one delivery.
    endpoint_a = EndpointFactory(owner=principals["integration"], events=["order.status_changed"])
    objects = {
        "seller_a": seller_a,
        "product_a": product_a,
        "review_a": review_a,
        "response_a": ReviewResponseFactory(
            review=review_a, author=principals["seller_a"], status="pending_moderation", flagged=True
        ),
        "review_template_a": ResponseTemplateFactory(seller=seller_a),
        "case_a": ReviewCaseFactory(buyer=principals["buyer_a"], kind="wrong_product", review=review_a),
        "order_a": order_a,
        "shipment_a": shipment_a,
        "invoice_a": InvoiceFactory(order=order_a),
        "payment_a": payment_a,
        "receipt_a": ReceiptFactory(payment=payment_a),
        "refund_a": RefundFactory(payment=payment_a),
        "grant_a": RefundGrantFactory(payment=payment_a, granted_by=principals["support"]),
        "notification_a": NotificationFactory(recipient=principals["buyer_a"]),
        "standing_a": SellerStandingFactory(seller=seller_a),
        "conversation_a": conversation_a,
        # Escalated and awaiting: buyer A's question to store A, in the support queue.
        "escalation_a": EscalationFactory(inquiry__conversation=conversation_a),
        "template_a": ReplyTemplateFactory(seller=seller_a),
        "ticket_a": TicketFactory(customer=principals["buyer_a"], order=order_a),
        "article_a": ArticleFactory(slug="track-an-order"),
        "affiliate_a": statement_a.affiliate,
        "statement_a": statement_a,
        "adjustment_a": AdjustmentFactory(statement=statement_a),
        "payout_batch_a": PayoutBatchFactory(created_by=principals["finance"]),
        "endpoint_a": endpoint_a,
        "delivery_a": DeliveryFactory(endpoint=endpoint_a, status="failed"),
    }
    return {"principals": principals, "objects": objects | {"buyer_a": principals["buyer_a"]}}


def _client(world: dict[str, Any], principal: str, *, api: bool) -> Client:
    client: Client = APIClient() if api else Client()
    if principal == "anonymous":
        return client
    user = world["principals"][principal]
    if api:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")  # type: ignore[attr-defined]
    else:
        client.force_login(user)
    return client


def _url(name: str, route: Route, world: dict[str, Any]) -> str:
    kwargs: dict[str, Any] = {"pk": world["objects"][route.obj].pk} if route.obj else {}
    kwargs |= {argument: world["objects"][obj].pk for argument, obj in route.obj_kwargs.items()}
    return reverse(name, kwargs=kwargs | route.kwargs)


def classify(response: Any) -> object:
    status = response.status_code
    if status in (301, 302, 303):
        location = response.headers.get("Location", "")
        return LOGIN if re.match(r"^/(accounts|admin)/login/\?next=", location) else OK
    if 200 <= status < 300 or status in (400, 409):
        return OK
    return status


def _call(client: Client, method: str, url: str) -> Any:
    return getattr(client, method.lower())(url, data={} if method in WRITE_METHODS else None)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_answers_each_principal_as_declared(name: str, world: dict[str, Any]) -> None:
    route = ROUTES[name]
    url = _url(name, route, world)
    is_api = url.startswith("/api/v1/")
    mismatches = []
    for method in ALL_METHODS:
        expected_by_principal = route.methods.get(method)
        for principal in PRINCIPALS:
            response = _call(_client(world, principal, api=is_api), method, url)
            outcome = classify(response)
            if expected_by_principal is None:
                # Undeclared methods are never processed, for anyone (deny by default); a page may
                # still redirect (the login page sends a logged-in user on).
                if 200 <= response.status_code < 300 or response.status_code in (400, 409):
                    mismatches.append(f"{method} as {principal}: undeclared method answered {response.status_code}")
                continue
            expected = expected_by_principal[principal]
            if outcome != expected:
                mismatches.append(f"{method} as {principal}: expected {expected}, got {response.status_code}")
            elif outcome == OK and method == "GET" and principal in route.hidden_fields:
                body = response.json()
                records = body.get("results", [body]) if isinstance(body, dict) else body
                for record in records:
                    leaked = set(route.hidden_fields[principal]) & set(record)
                    if leaked:
                        mismatches.append(f"GET as {principal}: must not see {sorted(leaked)}")
    assert not mismatches, f"{name} ({url}):\n" + "\n".join(mismatches)


def _staff_may_view(role: str, model: type) -> bool:
    permissions = set(role_permissions().get(GROUP_NAMES.get(Role(role), ""), []))
    label, name = model._meta.app_label, model._meta.model_name
    return bool({f"{label}.view_{name}", f"{label}.change_{name}"} & permissions)


@pytest.mark.parametrize(
    "model", sorted(admin.site._registry, key=lambda model: model._meta.label), ids=lambda model: model._meta.label
)
def test_console_changelist_follows_the_role_permissions(model: type, world: dict[str, Any]) -> None:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    mismatches = []
    for principal in PRINCIPALS:
        response = _call(_client(world, principal, api=False), "GET", url)
        outcome = classify(response)
        if principal in ("anonymous", "buyer_a", "buyer_b", "seller_a", "seller_b"):
            expected: object = LOGIN
        elif principal == "admin":
            expected = OK
        else:
            expected = OK if _staff_may_view(world["principals"][principal].role, model) else 403
        if outcome != expected:
            mismatches.append(f"{principal}: expected {expected}, got {response.status_code}")
    assert not mismatches, f"{url}:\n" + "\n".join(mismatches)


def test_console_index_is_for_staff_only(world: dict[str, Any]) -> None:
    for principal in PRINCIPALS:
        response = _call(_client(world, principal, api=False), "GET", reverse("admin:index"))
        is_staff = principal in ("support", "moderator", "finance", "admin", "integration")
        assert classify(response) == (OK if is_staff else LOGIN), principal
        if is_staff:
            assert "SayPro moderators" in response.content.decode()


def test_console_review_metrics_report_follows_the_role_permissions(world: dict[str, Any]) -> None:
    """A console page that is no model's changelist: the staff who read reviews open it (the
    permission ``reviews.services.access.METRICS_REPORT_PERMISSION``), other staff get 403,
    everyone else the console's login page."""
    url = reverse("admin:reviews_review_metrics")
    mismatches = []
    for principal in PRINCIPALS:
        outcome = classify(_call(_client(world, principal, api=False), "GET", url))
        if principal in ("anonymous", "buyer_a", "buyer_b", "seller_a", "seller_b"):
            expected: object = LOGIN
        elif principal == "admin":
            expected = OK
        else:
            expected = OK if _staff_may_view(world["principals"][principal].role, Review) else 403
        if outcome != expected:
            mismatches.append(f"{principal}: expected {expected}, got {outcome}")
    assert not mismatches, f"{url}:\n" + "\n".join(mismatches)
