"""Invoices, payments, refunds and receipts over REST (``/api/v1/invoices|payments|receipts/``).

Views validate the shape of the input, fetch through ``marketplace.selectors.billing`` (a record
the caller may not see is a 404), call one service in ``marketplace.services.billing`` (which
checks the rules and who may act) and serialize what the selector returns.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors.users import user_has_permission
from core.api.errors import error_responses
from core.api.fields import IdField, SingleLineCharField
from core.api.routers import IdRouter
from core.exceptions import Forbidden, InvalidInput
from core.permissions import HasRolePermission
from marketplace.api.filters import InvoiceFilter, PaymentFilter, ReceiptFilter, RefundFilter, RefundGrantFilter
from marketplace.models import (
    Currency,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentFailureReason,
    PaymentMethod,
    PaymentStatus,
    Receipt,
    Refund,
    RefundGrant,
    RefundGrantStatus,
)
from marketplace.selectors.billing import (
    invoice_get_for_user,
    invoice_list_for_user,
    order_get_for_user,
    payment_get_for_user,
    payment_list_for_user,
    receipt_get_for_user,
    receipt_list_for_user,
    receipt_verification,
    refund_get,
    refund_grant_list_for_user,
    refund_list_for_user,
)
from marketplace.selectors.buyer import refund_statement_window
from marketplace.selectors.scoping import member_seller_ids
from marketplace.services.billing import (
    CREATABLE_PAYMENT_STATUSES,
    InvoiceLineData,
    invoice_issue,
    invoice_reissue,
    payment_capture,
    payment_fail,
    payment_record,
    receipt_reissue,
    receipt_resend,
    refund_issue,
)
from marketplace.services.refunds import (
    DifferenceKind,
    refund_difference,
    refund_grant,
    refund_grant_send,
    refund_grant_withdraw,
)

# --- Shared fields and error bodies -----------------------------------------------------------


def money_input(*, positive: bool, **kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01") if positive else Decimal("0.00"),
        max_value=settings.MARKETPLACE_MAX_AMOUNT,
        **kwargs,
    )


def money_output(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, **kwargs)


# --- Invoices ---------------------------------------------------------------------------------


class InvoiceCreateInputSerializer(serializers.Serializer):
    order = IdField(help_text="The order to invoice.")


class InvoiceLineInputSerializer(serializers.Serializer):
    description = SingleLineCharField(max_length=300)
    quantity = serializers.IntegerField(min_value=1, max_value=settings.MARKETPLACE_MAX_QUANTITY)
    unit_price = money_input(positive=False)
    product = IdField(required=False, allow_null=True, help_text="A product of the order's seller.")


class InvoiceReissueInputSerializer(serializers.Serializer):
    lines = serializers.ListField(
        child=InvoiceLineInputSerializer(),
        required=False,
        allow_empty=False,
        max_length=500,
        help_text="Default: the old version's lines.",
    )
    reason = serializers.CharField(max_length=2000, help_text="Why the invoice is corrected (required).")
    shipping_fee = money_input(positive=False, required=False)
    tax = money_input(positive=False, required=False)
    discount = money_input(positive=False, required=False)


class InvoiceLineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = serializers.IntegerField(source="product_id", allow_null=True)
    description = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = money_output()
    line_total = money_output()


class InvoiceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField(source="order_id")
    number = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=InvoiceStatus.choices)
    supersedes = serializers.IntegerField(source="supersedes_id", allow_null=True)
    superseded_by = serializers.IntegerField(source="superseded_by_pk", allow_null=True)
    reason = serializers.CharField()
    issued_by = serializers.IntegerField(source="issued_by_id", allow_null=True)
    currency = serializers.ChoiceField(choices=Currency.choices)
    lines = InvoiceLineOutputSerializer(many=True)
    subtotal = money_output()
    shipping_fee = money_output()
    tax = money_output()
    discount = money_output()
    total = money_output()
    created_at = serializers.DateTimeField()


class BillingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and detail through a scoping selector; writes are actions that call one service.

    Detail actions check visibility first and the role second: a record the caller may not see is
    a 404 whatever their role; one they see but may not act on is a 403, before the body is
    validated (so an empty body from a caller without the permission is still a 403)."""

    permission_classes = [HasRolePermission]
    # action -> a permission name, or a predicate on the user
    object_action_permissions: dict[str, Any] = {}

    def get_object(self) -> Any:
        instance = super().get_object()
        required = self.object_action_permissions.get(self.action or "")
        user: User = self.request.user  # type: ignore[assignment]
        allowed = required(user) if callable(required) else user_has_permission(user, required) if required else True
        if not allowed:
            raise Forbidden("Your role may not take this action.", code="permission_denied")
        return instance


def _may_issue_some_invoice(user: User) -> bool:
    """Pre-check for ``POST /invoices/``; the service decides for the given order."""
    return user_has_permission(user, "marketplace.add_invoice") or member_seller_ids(user).exists()


def _may_refund_some_way(user: User) -> bool:
    """Refund at once (finance) or grant (support); the service decides which for the amount."""
    return user_has_permission(user, "marketplace.add_refund") or user_has_permission(user, "marketplace.grant_refund")


def _order_from_input(user: User, order_id: int) -> Any:
    order = order_get_for_user(user=user, order_id=order_id)
    if order is None:
        raise InvalidInput(f'Invalid pk "{order_id}" - object does not exist.', code="does_not_exist", field="order")
    return order


@extend_schema_view(
    list=extend_schema(
        summary="Invoices the caller may see",
        responses={200: InvoiceOutputSerializer, **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="One invoice version", responses={200: InvoiceOutputSerializer, **error_responses(401, 404)}
    ),
)
class InvoiceViewSet(BillingViewSet):
    """Invoices, versioned: a correction is a new version; the old one is kept, marked superseded."""

    permission_classes = [HasRolePermission]
    # Issuing is also open to seller members: for which orders, the service decides.
    action_permissions = {"create": _may_issue_some_invoice}
    object_action_permissions = {"reissue": "marketplace.reissue_invoice"}
    serializer_class = InvoiceOutputSerializer
    filterset_class = InvoiceFilter
    ordering_fields = ["created_at", "number", "version", "id"]

    def get_queryset(self) -> QuerySet[Invoice]:
        if getattr(self, "swagger_fake_view", False):
            return Invoice.objects.none()
        return invoice_list_for_user(user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        summary="Issue an order's invoice (version 1)",
        request=InvoiceCreateInputSerializer,
        responses={201: InvoiceOutputSerializer, **error_responses(400, 401, 403, 409)},
    )
    def create(self, request: Request) -> Response:
        data = InvoiceCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        order = _order_from_input(user, data.validated_data["order"])
        invoice = invoice_issue(order=order, actor=user, now=timezone.now())
        output = InvoiceOutputSerializer(invoice_get_for_user(user=user, invoice_id=invoice.pk))
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Reissue an invoice as a new version",
        request=InvoiceReissueInputSerializer,
        responses={201: InvoiceOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reissue(self, request: Request, pk: str | None = None) -> Response:
        invoice = self.get_object()
        data = InvoiceReissueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        lines = values.get("lines")
        user: User = request.user  # type: ignore[assignment]
        new = invoice_reissue(
            invoice=invoice,
            actor=user,
            reason=values["reason"],
            now=timezone.now(),
            lines=None
            if lines is None
            else [
                InvoiceLineData(
                    description=line["description"],
                    quantity=line["quantity"],
                    unit_price=line["unit_price"],
                    product_id=line.get("product"),
                )
                for line in lines
            ],
            shipping_fee=values.get("shipping_fee"),
            tax=values.get("tax"),
            discount=values.get("discount"),
        )
        output = InvoiceOutputSerializer(invoice_get_for_user(user=user, invoice_id=new.pk))
        return Response(output.data, status=status.HTTP_201_CREATED)


# --- Payments and refunds ---------------------------------------------------------------------


class PaymentCreateInputSerializer(serializers.Serializer):
    order = IdField()
    amount = money_input(positive=True)
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    status = serializers.ChoiceField(
        choices=[(value, PaymentStatus(value).label) for value in CREATABLE_PAYMENT_STATUSES]
    )
    currency = serializers.ChoiceField(
        choices=Currency.choices, required=False, help_text="Default: the order's currency (and must match it)."
    )
    failure_reason = serializers.ChoiceField(
        choices=PaymentFailureReason.choices, required=False, help_text="Only with status failed (default other)."
    )


class PaymentFailInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=PaymentFailureReason.choices)


class RefundDifferenceInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(kind, kind.replace("_", " ")) for kind in DifferenceKind.CHOICES])
    reason = serializers.CharField(max_length=2000)
    amount = money_input(
        positive=True, required=False, help_text="If given, must be exactly the difference (a check, not a choice)."
    )


class RefundGrantOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    payment = serializers.IntegerField(source="payment_id")
    amount = money_output()
    currency = serializers.CharField(source="payment.currency")
    reason = serializers.CharField()
    status = serializers.ChoiceField(choices=RefundGrantStatus.choices)
    granted_by = serializers.IntegerField(source="granted_by_id")
    sent_by = serializers.IntegerField(source="sent_by_id", allow_null=True)
    refund = serializers.IntegerField(source="refund_id", allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class RefundDifferenceOutputSerializer(serializers.Serializer):
    amount = money_output(help_text="The difference: what the order was paid beyond what it owes.")
    outcome = serializers.ChoiceField(choices=[("refunded", "refunded"), ("granted", "granted, finance sends it")])
    refund = serializers.IntegerField(allow_null=True)
    grant = serializers.IntegerField(allow_null=True)


class RefundGrantWithdrawInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RefundCreateInputSerializer(serializers.Serializer):
    amount = money_input(positive=True)
    reason = serializers.CharField(max_length=2000)


class RefundOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    payment = serializers.IntegerField(source="payment_id")
    amount = money_output()
    reason = serializers.CharField()
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    created_at = serializers.DateTimeField()
    on_statement_from = serializers.SerializerMethodField(
        help_text="Refunds usually reach the statement between this date and on_statement_by (working days)."
    )
    on_statement_by = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateField())
    def get_on_statement_from(self, refund: Refund) -> str:
        return refund_statement_window(refund)[0].isoformat()

    @extend_schema_field(serializers.DateField())
    def get_on_statement_by(self, refund: Refund) -> str:
        return refund_statement_window(refund)[1].isoformat()


class PaymentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField(source="order_id")
    reference = serializers.CharField()
    amount = money_output()
    currency = serializers.ChoiceField(choices=Currency.choices)
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    status = serializers.ChoiceField(choices=PaymentStatus.choices)
    captured_amount = money_output()
    refunded_amount = money_output()
    refundable_amount = serializers.SerializerMethodField()
    failure_reason = serializers.CharField(help_text="Why a failed payment failed (blank otherwise).")
    failure_next_step = serializers.SerializerMethodField(help_text="What the buyer should do next (failed only).")
    captured_at = serializers.DateTimeField(allow_null=True)
    receipt = serializers.IntegerField(source="receipt_pk", allow_null=True)
    refunds = RefundOutputSerializer(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_refundable_amount(self, payment: Payment) -> str:
        return f"{payment.refundable_amount:.2f}"

    @extend_schema_field(serializers.CharField())
    def get_failure_next_step(self, payment: Payment) -> str:
        return payment.failure_next_step if payment.status == PaymentStatus.FAILED else ""


@extend_schema_view(
    list=extend_schema(
        summary="Payments the caller may see",
        responses={200: PaymentOutputSerializer, **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="One payment", responses={200: PaymentOutputSerializer, **error_responses(401, 404)}
    ),
)
class PaymentViewSet(BillingViewSet):
    permission_classes = [HasRolePermission]
    action_permissions = {"create": "marketplace.add_payment"}
    object_action_permissions = {
        "capture": "marketplace.change_payment",
        "refunds": "marketplace.add_refund",
        "fail": "marketplace.change_payment",
        "refund_grants": "marketplace.grant_refund",
        "refund_difference": _may_refund_some_way,
    }
    serializer_class = PaymentOutputSerializer
    filterset_class = PaymentFilter
    ordering_fields = ["created_at", "amount", "id"]

    def get_queryset(self) -> QuerySet[Payment]:
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        return payment_list_for_user(user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        summary="Record a payment on an order",
        request=PaymentCreateInputSerializer,
        responses={201: PaymentOutputSerializer, **error_responses(400, 401, 403, 409)},
    )
    def create(self, request: Request) -> Response:
        data = PaymentCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user: User = request.user  # type: ignore[assignment]
        order = _order_from_input(user, values["order"])
        payment = payment_record(
            order=order,
            amount=values["amount"],
            method=values["method"],
            status=values["status"],
            currency=values.get("currency"),
            failure_reason=values.get("failure_reason", ""),
            actor=user,
            now=timezone.now(),
        )
        output = PaymentOutputSerializer(payment_get_for_user(user=user, payment_id=payment.pk))
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Capture a pending or authorized payment",
        request=None,
        responses={200: PaymentOutputSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def capture(self, request: Request, pk: str | None = None) -> Response:
        payment = self.get_object()
        user: User = request.user  # type: ignore[assignment]
        payment_capture(payment=payment, actor=user, now=timezone.now())
        return Response(PaymentOutputSerializer(payment_get_for_user(user=user, payment_id=payment.pk)).data)

    @extend_schema(
        summary="Refund part or all of a captured payment",
        request=RefundCreateInputSerializer,
        responses={201: RefundOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def refunds(self, request: Request, pk: str | None = None) -> Response:
        payment = self.get_object()
        data = RefundCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        refund = refund_issue(
            payment=payment,
            amount=data.validated_data["amount"],
            reason=data.validated_data["reason"],
            actor=user,
            now=timezone.now(),
        )
        return Response(RefundOutputSerializer(refund_get(refund_id=refund.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Mark a pending or authorized payment failed (the buyer is told why and what next)",
        request=PaymentFailInputSerializer,
        responses={200: PaymentOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def fail(self, request: Request, pk: str | None = None) -> Response:
        payment = self.get_object()
        data = PaymentFailInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        payment_fail(payment=payment, reason=data.validated_data["reason"], actor=user, now=timezone.now())
        return Response(PaymentOutputSerializer(payment_get_for_user(user=user, payment_id=payment.pk)).data)

    @extend_schema(
        summary="Grant a refund for finance to send (refunds above the approval threshold take two people)",
        request=RefundCreateInputSerializer,
        responses={201: RefundGrantOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="refund-grants", url_name="refund-grants")
    def refund_grants(self, request: Request, pk: str | None = None) -> Response:
        payment = self.get_object()
        data = RefundCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = refund_grant(
            payment=payment,
            amount=data.validated_data["amount"],
            reason=data.validated_data["reason"],
            actor=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
        )
        return Response(RefundGrantOutputSerializer(grant).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Refund exactly what the order was overcharged (overcharge or duplicate charge)",
        description="The difference is what the order's payments took, net of refunds, beyond what it owes "
        "(the current invoice's total, else the order's). Never more than the payment can still refund "
        "(400). Up to the approval threshold a finance user refunds it at once; above it, or for support, "
        "it is granted and finance sends it (`POST /refund-grants/<id>/send/`). Not overpaid: 409.",
        request=RefundDifferenceInputSerializer,
        responses={201: RefundDifferenceOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="refund-difference", url_name="refund-difference")
    def refund_difference(self, request: Request, pk: str | None = None) -> Response:
        payment = self.get_object()
        data = RefundDifferenceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = refund_difference(
            payment=payment,
            kind=data.validated_data["kind"],
            reason=data.validated_data["reason"],
            amount=data.validated_data.get("amount"),
            actor=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
        )
        payload = {
            "amount": outcome.amount,
            "outcome": "refunded" if outcome.refund else "granted",
            "refund": outcome.refund.pk if outcome.refund else None,
            "grant": outcome.grant.pk if outcome.grant else None,
        }
        return Response(RefundDifferenceOutputSerializer(payload).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Refunds the caller may see (a buyer: their own), with when they reach the statement",
        responses={200: RefundOutputSerializer, **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(summary="One refund", responses={200: RefundOutputSerializer, **error_responses(401, 404)}),
)
class RefundViewSet(BillingViewSet):
    serializer_class = RefundOutputSerializer
    filterset_class = RefundFilter
    ordering_fields = ["created_at", "amount", "id"]

    def get_queryset(self) -> QuerySet[Refund]:
        if getattr(self, "swagger_fake_view", False):
            return Refund.objects.none()
        return refund_list_for_user(user=self.request.user)  # type: ignore[arg-type]


@extend_schema_view(
    list=extend_schema(
        summary="Refund grants the caller may see (a buyer: their own)",
        responses={200: RefundGrantOutputSerializer, **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="One refund grant", responses={200: RefundGrantOutputSerializer, **error_responses(401, 404)}
    ),
)
class RefundGrantViewSet(BillingViewSet):
    """Refunds granted by support, sent by finance: two different people."""

    object_action_permissions = {"send": "marketplace.add_refund", "withdraw": _may_refund_some_way}
    serializer_class = RefundGrantOutputSerializer
    filterset_class = RefundGrantFilter
    ordering_fields = ["created_at", "amount", "id"]

    def get_queryset(self) -> QuerySet[RefundGrant]:
        if getattr(self, "swagger_fake_view", False):
            return RefundGrant.objects.none()
        return refund_grant_list_for_user(user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        summary="Send a granted refund (finance; not the person who granted it: 403)",
        request=None,
        responses={201: RefundOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str | None = None) -> Response:
        grant = self.get_object()
        refund = refund_grant_send(grant=grant, actor=request.user, now=timezone.now())  # type: ignore[arg-type]
        return Response(RefundOutputSerializer(refund_get(refund_id=refund.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Withdraw a grant not yet sent",
        request=RefundGrantWithdrawInputSerializer,
        responses={200: RefundGrantOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        grant = self.get_object()
        data = RefundGrantWithdrawInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        withdrawn = refund_grant_withdraw(
            grant=grant,
            actor=request.user,  # type: ignore[arg-type]
            reason=data.validated_data["reason"],
            now=timezone.now(),
        )
        return Response(RefundGrantOutputSerializer(withdrawn).data)


# --- Receipts ---------------------------------------------------------------------------------


class ReceiptResendInputSerializer(serializers.Serializer):
    email = serializers.EmailField(
        required=False,
        help_text="Staff: any address (default the buyer's). The buyer: only their own account address.",
    )


class ReceiptReissueInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="What was wrong with the receipt.")
    email = serializers.EmailField(required=False, help_text="The right address (default the buyer's).")


class ReceiptCheckOutputSerializer(serializers.Serializer):
    is_correct = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())
    payment_status = serializers.ChoiceField(choices=PaymentStatus.choices)
    captured_amount = money_output()
    buyer_email = serializers.CharField()
    deliveries = serializers.IntegerField()
    last_sent_to = serializers.CharField()


class ReceiptDeliveryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    receipt = serializers.IntegerField(source="receipt_id")
    email = serializers.EmailField()
    is_resend = serializers.BooleanField()
    requested_by = serializers.IntegerField(source="requested_by_id", allow_null=True)
    created_at = serializers.DateTimeField()


class ReceiptOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    payment = serializers.IntegerField(source="payment_id")
    order = serializers.IntegerField(source="payment.order_id")
    amount = money_output()
    currency = serializers.ChoiceField(choices=Currency.choices)
    method = serializers.ChoiceField(source="payment.method", choices=PaymentMethod.choices)
    email = serializers.EmailField(allow_blank=True)
    deliveries = ReceiptDeliveryOutputSerializer(many=True)
    created_at = serializers.DateTimeField()


@extend_schema_view(
    list=extend_schema(
        summary="Receipts the caller may see",
        responses={200: ReceiptOutputSerializer, **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="One receipt", responses={200: ReceiptOutputSerializer, **error_responses(401, 404)}
    ),
)
class ReceiptViewSet(BillingViewSet):
    permission_classes = [HasRolePermission]
    object_action_permissions = {"reissue": "marketplace.resend_receipt", "verification": "marketplace.view_receipt"}
    # Resend: staff with marketplace.resend_receipt, or the buyer to their own address (service).
    serializer_class = ReceiptOutputSerializer
    filterset_class = ReceiptFilter
    ordering_fields = ["created_at", "number", "id"]

    def get_queryset(self) -> QuerySet[Receipt]:
        if getattr(self, "swagger_fake_view", False):
            return Receipt.objects.none()
        return receipt_list_for_user(user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        summary="Send a receipt again (logged as a delivery)",
        request=ReceiptResendInputSerializer,
        responses={201: ReceiptDeliveryOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, pk: str | None = None) -> Response:
        receipt = self.get_object()
        data = ReceiptResendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        delivery = receipt_resend(
            receipt=receipt, actor=user, email=data.validated_data.get("email"), now=timezone.now()
        )
        return Response(ReceiptDeliveryOutputSerializer(delivery).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Reissue an incorrect receipt: a new number, the captured amount, the right address",
        request=ReceiptReissueInputSerializer,
        responses={200: ReceiptOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reissue(self, request: Request, pk: str | None = None) -> Response:
        receipt = self.get_object()
        data = ReceiptReissueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        receipt_reissue(
            receipt=receipt,
            actor=user,
            reason=data.validated_data["reason"],
            email=data.validated_data.get("email"),
            now=timezone.now(),
        )
        return Response(ReceiptOutputSerializer(receipt_get_for_user(user=user, receipt_id=receipt.pk)).data)

    @extend_schema(
        summary="Verify a receipt against its payment and the buyer's address (staff)",
        responses={200: ReceiptCheckOutputSerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def verification(self, request: Request, pk: str | None = None) -> Response:
        receipt = self.get_object()
        return Response(ReceiptCheckOutputSerializer(receipt_verification(receipt=receipt)).data)


router = IdRouter()
router.register("invoices", InvoiceViewSet, basename="invoices")
router.register("payments", PaymentViewSet, basename="payments")
router.register("receipts", ReceiptViewSet, basename="receipts")
router.register("refunds", RefundViewSet, basename="refunds")
router.register("refund-grants", RefundGrantViewSet, basename="refund-grants")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
