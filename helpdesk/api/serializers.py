"""Input and output serializers of the help desk API."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from core.api.fields import IdField, SingleLineCharField
from core.exceptions import NotFound
from helpdesk.models import Category, Channel, Department, Interaction, InteractionKind, Macro, Subcategory, Ticket
from helpdesk.services.access import user_sees_all_tickets
from marketplace.models import Invoice, Order, Payment, RefundGrant
from marketplace.selectors.billing import invoice_get_for_user, order_get_for_user, payment_get_for_user


def does_not_exist(value: int) -> serializers.ValidationError:
    return serializers.ValidationError(f'Invalid pk "{value}" - object does not exist.', code="does_not_exist")


class TicketCreateInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    subcategory = serializers.ChoiceField(
        choices=Subcategory.choices, required=False, allow_blank=True, default="", help_text="Per category."
    )
    subject = SingleLineCharField(max_length=200)
    body = serializers.CharField(max_length=settings.HELPDESK_BODY_MAX_LENGTH)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.WEB)
    order = IdField(required=False, allow_null=True, default=None, help_text="One of the caller's orders.")
    invoice = IdField(required=False, allow_null=True, default=None, help_text="An invoice of the caller's orders.")
    payment = IdField(required=False, allow_null=True, default=None, help_text="A payment of the caller's orders.")

    def _user(self) -> User:
        return self.context["request"].user

    def validate_order(self, value: int | None) -> Order | None:
        if value is None:
            return None
        order = order_get_for_user(user=self._user(), order_id=value)
        if order is None:
            raise does_not_exist(value)
        return order

    def validate_invoice(self, value: int | None) -> Invoice | None:
        if value is None:
            return None
        try:
            return invoice_get_for_user(user=self._user(), invoice_id=value)
        except NotFound:
            raise does_not_exist(value) from None

    def validate_payment(self, value: int | None) -> Payment | None:
        if value is None:
            return None
        try:
            return payment_get_for_user(user=self._user(), payment_id=value)
        except NotFound:
            raise does_not_exist(value) from None


class InteractionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in (InteractionKind.MESSAGE, InteractionKind.NOTE, InteractionKind.CALL)],
        help_text="`note` and `call`: staff only; notes are never shown to the customer.",
    )
    body = serializers.CharField(
        max_length=settings.HELPDESK_BODY_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_null=True, default=None)
    macro = IdField(required=False, allow_null=True, default=None, help_text="Staff: a reply macro to send.")
    wait_for_customer = serializers.BooleanField(
        required=False, default=False, help_text="Staff: the answer asks the customer something (pauses the clock)."
    )

    def validate_macro(self, value: int | None) -> Macro | None:
        if value is None:
            return None
        macro = Macro.objects.filter(pk=value).first()
        if macro is None:
            raise does_not_exist(value)
        return macro


class EscalateInputSerializer(serializers.Serializer):
    department = serializers.ChoiceField(choices=Department.choices)
    reason = serializers.CharField(max_length=2000)


class ResolveInputSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=settings.HELPDESK_BODY_MAX_LENGTH)


class TicketFollowUpInputSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField(help_text="ISO 8601 with offset; in the future.")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AssignInputSerializer(serializers.Serializer):
    assignee = IdField(required=False, allow_null=True, default=None, help_text="Default: the caller.")

    def validate_assignee(self, value: int | None) -> User | None:
        if value is None:
            return None
        user = User.objects.filter(pk=value, is_active=True).first()
        if user is None:
            raise does_not_exist(value)
        return user


class TicketInvoiceReissueInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="What was corrected, and why (sent to the customer).")
    tax = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True)
    discount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True)
    shipping_fee = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class TicketReceiptResendInputSerializer(serializers.Serializer):
    email = serializers.EmailField(
        required=False, allow_null=True, default=None, help_text="Default: the customer's account address."
    )


class TicketReceiptReissueInputSerializer(TicketReceiptResendInputSerializer):
    reason = serializers.CharField(max_length=2000, help_text="What was wrong with the receipt.")


class RefundInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[
            (Subcategory.OVERCHARGE.value, "Overcharge"),
            (Subcategory.DUPLICATE_CHARGE.value, "Duplicate charge"),
        ],
        required=False,
        allow_null=True,
        default=None,
        help_text="Default: the ticket's subcategory.",
    )
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        default=None,
        help_text="Optional check: must equal the difference (what was paid beyond what the order owes).",
    )
    reason = serializers.CharField(max_length=2000)


class RefundSendInputSerializer(serializers.Serializer):
    grant = IdField(
        required=False, allow_null=True, default=None, help_text="Default: the only refund granted on the payment."
    )

    def validate_grant(self, value: int | None) -> RefundGrant | None:
        if value is None:
            return None
        grant = RefundGrant.objects.filter(pk=value).first()
        if grant is None:
            raise does_not_exist(value)
        return grant


# What changed, as staff see it; these keys name staff members and stay in the console.
STAFF_ONLY_DATA = ("assignee", "owner")


class InteractionOutputSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = Interaction
        fields = [
            "id",
            "ticket",
            "kind",
            "direction",
            "channel",
            "author",
            "author_name",
            "action",
            "body",
            "data",
            "is_internal",
            "created_at",
        ]
        read_only_fields = fields

    def get_author_name(self, entry: Interaction) -> str:
        if entry.author is None:
            return "SayPro"
        if entry.author_id == entry.customer_id:
            return entry.author.get_full_name() or entry.author.username
        return "SayPro support" if not self.context.get("staff") else entry.author.username

    def to_representation(self, instance: Interaction) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("staff"):
            # A customer sees who at SayPro answered only as "SayPro support" (no staff ids).
            if instance.author_id != instance.customer_id:
                data["author"] = None
            data["data"] = {key: value for key, value in (data.get("data") or {}).items() if key not in STAFF_ONLY_DATA}
        return data


class TicketOutputSerializer(serializers.ModelSerializer):
    subcategory = serializers.ChoiceField(choices=Subcategory.choices, allow_blank=True, read_only=True)
    department = serializers.ChoiceField(
        choices=Department.choices, allow_blank=True, read_only=True, help_text="Blank until escalated."
    )
    due_at = serializers.SerializerMethodField(help_text="The running target's deadline (null once stopped).")
    target = serializers.SerializerMethodField(help_text="`first_response`, `resolution` or `department`.")
    breaching = serializers.SerializerMethodField()
    breached_at = serializers.SerializerMethodField(help_text="When the running target passed (the sweep's mark).")

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "status",
            "priority",
            "category",
            "subcategory",
            "channel",
            "subject",
            "customer",
            "order",
            "invoice",
            "payment",
            "assignee",
            "department",
            "first_response_due_at",
            "first_response_at",
            "due_at",
            "target",
            "breaching",
            "breached_at",
            "escalated_at",
            "resolution",
            "resolved_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _clock(self, ticket: Ticket) -> Any:
        return getattr(ticket, "clock", None)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_due_at(self, ticket: Ticket) -> str | None:
        clock = self._clock(ticket)
        if clock is None or clock.stopped_at is not None:
            return None
        return serializers.DateTimeField().to_representation(clock.due_at)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_target(self, ticket: Ticket) -> str | None:
        clock = self._clock(ticket)
        return None if clock is None or clock.stopped_at is not None else clock.target

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_breached_at(self, ticket: Ticket) -> str | None:
        clock = self._clock(ticket)
        if clock is None or clock.escalated_at is None:
            return None
        return serializers.DateTimeField().to_representation(clock.escalated_at)

    def get_breaching(self, ticket: Ticket) -> bool:
        clock = self._clock(ticket)
        now = self.context["now"]
        return bool(clock and clock.stopped_at is None and clock.paused_at is None and clock.due_at <= now)


class TicketDetailOutputSerializer(TicketOutputSerializer):
    interactions = serializers.SerializerMethodField()

    class Meta(TicketOutputSerializer.Meta):
        fields = [*TicketOutputSerializer.Meta.fields, "interactions"]
        read_only_fields = fields

    @extend_schema_field(InteractionOutputSerializer(many=True))
    def get_interactions(self, ticket: Ticket) -> list[dict[str, Any]]:
        entries = getattr(ticket, "visible_interactions", [])
        return InteractionOutputSerializer(entries, many=True, context=self.context).data  # type: ignore[return-value]


def viewer_context(user: User, *, now: Any) -> dict[str, Any]:
    return {"staff": user_sees_all_tickets(user), "now": now}
