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
from marketplace.api.filters import InvoiceFilter, PaymentFilter, ReceiptFilter
from marketplace.models import (
    Currency,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Receipt,
)
from marketplace.selectors.billing import (
    invoice_get_for_user,
    invoice_list_for_user,
    order_get_for_user,
    payment_get_for_user,
    payment_list_for_user,
    receipt_list_for_user,
    refund_get,
)
from marketplace.selectors.scoping import member_seller_ids
from marketplace.services.billing import (
    CREATABLE_PAYMENT_STATUSES,
    InvoiceLineData,
    invoice_issue,
    invoice_reissue,
    payment_capture,
    payment_record,
    receipt_resend,
    refund_issue,
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
    object_action_permissions: dict[str, str] = {}

    def get_object(self) -> Any:
        instance = super().get_object()
        required = self.object_action_permissions.get(self.action or "")
        if required and not user_has_permission(self.request.user, required):  # type: ignore[arg-type]
            raise Forbidden("Your role may not take this action.", code="permission_denied")
        return instance


def _may_issue_some_invoice(user: User) -> bool:
    """Pre-check for ``POST /invoices/``; the service decides for the given order."""
    return user_has_permission(user, "marketplace.add_invoice") or member_seller_ids(user).exists()


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
    captured_at = serializers.DateTimeField(allow_null=True)
    receipt = serializers.IntegerField(source="receipt_pk", allow_null=True)
    refunds = RefundOutputSerializer(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_refundable_amount(self, payment: Payment) -> str:
        return f"{payment.refundable_amount:.2f}"


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
    object_action_permissions = {"capture": "marketplace.change_payment", "refunds": "marketplace.add_refund"}
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


# --- Receipts ---------------------------------------------------------------------------------


class ReceiptResendInputSerializer(serializers.Serializer):
    email = serializers.EmailField(
        required=False,
        help_text="Staff: any address (default the buyer's). The buyer: only their own account address.",
    )


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


router = IdRouter()
router.register("invoices", InvoiceViewSet, basename="invoices")
router.register("payments", PaymentViewSet, basename="payments")
router.register("receipts", ReceiptViewSet, basename="receipts")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
