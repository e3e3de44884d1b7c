"""Input and output serializers of the inquiries API (conversations, escalations, quick replies).

Input serializers check shape and types and resolve ids to records the caller may reference (an id
outside that set is "does not exist", never a hint that it exists); they never write. The rules
(inactive seller, product of another seller, closed conversation, unknown placeholders...) are the
services', raised as ``DomainError`` and mapped to 400 / 403 / 409 by ``core.exceptions``.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from accounts.models import User
from core.api.fields import IdField, SingleLineCharField
from core.text import PLACEHOLDERS
from inquiries.models import ConversationStatus, MessageKind, ReplyTemplate
from marketplace.models import Order, Product, Seller

MESSAGE_MAX_LENGTH = settings.INQUIRIES_MESSAGE_MAX_LENGTH


def does_not_exist(value: int) -> serializers.ValidationError:
    return serializers.ValidationError(f'Invalid pk "{value}" - object does not exist.', code="does_not_exist")


def _body_field(**kwargs: Any) -> serializers.CharField:
    # DRF's CharField rejects NUL characters (PostgreSQL cannot store them) and strips whitespace,
    # so a body of spaces is a 400 "blank" here, before the service sees it.
    return serializers.CharField(max_length=MESSAGE_MAX_LENGTH, **kwargs)


# --- Conversations and messages ----------------------------------------------------------------


class MessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        allow_null=True,
        help_text="Null for a `system` notice: the escalation notice is read from the response clock, not stored.",
    )
    conversation = serializers.IntegerField(source="conversation_id")
    kind = serializers.ChoiceField(choices=MessageKind.choices)
    author = serializers.IntegerField(
        source="author_id", allow_null=True, help_text="The user who wrote it; null for automatic messages."
    )
    body = serializers.CharField()
    template = serializers.IntegerField(
        source="template_id", allow_null=True, help_text="The quick reply it started from, if any."
    )
    created_at = serializers.DateTimeField()


class ConversationOutputSerializer(serializers.Serializer):
    """A conversation without its messages (the list); the detail adds ``messages``."""

    id = serializers.IntegerField()
    buyer = serializers.IntegerField(source="buyer_id")
    seller = serializers.IntegerField(source="seller_id")
    subject = serializers.CharField()
    product = serializers.IntegerField(source="product_id", allow_null=True)
    order = serializers.IntegerField(source="order_id", allow_null=True)
    status = serializers.ChoiceField(choices=ConversationStatus.choices, source="current_status")
    awaiting_since = serializers.DateTimeField(
        allow_null=True, help_text="When the unanswered buyer message was sent; null when nothing is awaited."
    )
    response_due_at = serializers.DateTimeField(
        allow_null=True, help_text="When the seller's answer is due; null when nothing is awaited."
    )
    is_overdue = serializers.SerializerMethodField(help_text="Awaiting the seller and past `response_due_at` now.")
    first_response_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True, help_text="First escalation to support, if any.")
    closed_at = serializers.DateTimeField(allow_null=True)
    last_message_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_is_overdue(self, conversation: Any) -> bool:
        now: datetime = self.context.get("now") or timezone.now()
        return bool(
            conversation.status in (ConversationStatus.AWAITING_REPLY, ConversationStatus.ESCALATED)
            and conversation.response_due_at is not None
            and conversation.response_due_at < now
        )


class ConversationDetailOutputSerializer(ConversationOutputSerializer):
    messages = MessageOutputSerializer(
        many=True,
        source="thread",
        help_text="The thread, oldest first (auto_ack included, and a `system` notice where it was escalated).",
    )


class ConversationOpenInputSerializer(serializers.Serializer):
    seller = IdField()
    subject = SingleLineCharField(max_length=200)
    body = _body_field()
    product = IdField(required=False, allow_null=True, default=None)
    order = IdField(required=False, allow_null=True, default=None, help_text="One of the caller's own orders.")

    def validate_seller(self, value: int) -> Seller:
        seller = Seller.objects.filter(pk=value).first()
        if seller is None:
            raise does_not_exist(value)
        return seller

    def validate_product(self, value: int | None) -> Product | None:
        if value is None:
            return None
        product = Product.objects.filter(pk=value).first()
        if product is None:
            raise does_not_exist(value)
        return product

    def validate_order(self, value: int | None) -> Order | None:
        if value is None:
            return None
        # Someone else's order does not exist for this caller: same answer as an unknown id.
        buyer: User = self.context["request"].user
        order = Order.objects.filter(pk=value, buyer_id=buyer.pk).first()
        if order is None:
            raise does_not_exist(value)
        return order


class MessagePostInputSerializer(serializers.Serializer):
    body = _body_field()
    template = IdField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The quick reply this answer started from: one of the seller's own or a starter.",
    )


class ExcludeInputSerializer(serializers.Serializer):
    message = IdField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The buyer message needing no response; default: the latest buyer message.",
    )
    reason = serializers.CharField(max_length=300, help_text="Why it needs no response (audited).")


class SuggestedReplyOutputSerializer(serializers.Serializer):
    message = serializers.IntegerField(
        allow_null=True, help_text="The buyer message the suggestion answers (the latest); null if none."
    )
    template = serializers.IntegerField(allow_null=True, help_text="The best-matching quick reply, or null.")
    title = serializers.CharField(allow_null=True)
    text = serializers.CharField(allow_null=True, help_text="The template rendered for this conversation.")
    score = serializers.IntegerField(allow_null=True, help_text="Similarity, 0-100.")


# --- Escalations -------------------------------------------------------------------------------


class EscalationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    conversation = serializers.IntegerField(source="conversation_id")
    inquiry = serializers.IntegerField(source="inquiry_id")
    seller = serializers.IntegerField(source="conversation.seller_id")
    subject = serializers.CharField(source="conversation.subject")
    conversation_status = serializers.ChoiceField(choices=ConversationStatus.choices)
    escalated_at = serializers.DateTimeField()
    assignee = serializers.IntegerField(source="assignee_id", allow_null=True)
    assigned_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_by = serializers.IntegerField(source="resolved_by_id", allow_null=True)
    resolution = serializers.CharField(
        help_text="How it was resolved (`seller_replied`, `staff_replied`, `excluded`, `buyer_closed`, "
        "`staff_closed`); empty while open."
    )
    created_at = serializers.DateTimeField(
        source="escalated_at", help_text="An escalation is created when the inquiry escalates: `escalated_at`."
    )


class EscalationAssignInputSerializer(serializers.Serializer):
    assignee = IdField(
        required=False,
        allow_null=True,
        help_text="A staff member who works the queue; omitted: the caller; null: back to the unassigned pile.",
    )

    def validate_assignee(self, value: int | None) -> User | None:
        if value is None:
            return None
        user = User.objects.filter(pk=value, is_active=True).first()
        if user is None:
            raise does_not_exist(value)
        return user


# --- Quick replies -----------------------------------------------------------------------------


class ReplyTemplateOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    seller = serializers.IntegerField(source="seller_id", allow_null=True, help_text="Null: a platform starter.")
    is_starter = serializers.SerializerMethodField(help_text="A platform starter: readable, not changeable.")
    title = serializers.CharField()
    body = serializers.CharField(help_text=f"Placeholders: {PLACEHOLDERS.listed}.")
    keywords = serializers.CharField()
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_is_starter(self, template: ReplyTemplate) -> bool:
        return template.seller_id is None


class ReplyTemplateInputSerializer(serializers.Serializer):
    title = SingleLineCharField(max_length=120)
    body = _body_field(help_text=f"Placeholders: {PLACEHOLDERS.listed}.")
    keywords = SingleLineCharField(max_length=300, required=False, allow_blank=True, default="")


class ReplyTemplateCreateInputSerializer(ReplyTemplateInputSerializer):
    seller = IdField(
        required=False,
        help_text="One of the caller's stores; needed only when the caller belongs to several.",
    )

    def validate_seller(self, value: int) -> Seller:
        user: User = self.context["request"].user
        seller = Seller.objects.filter(pk=value, memberships__user_id=user.pk).first()
        if seller is None:
            raise does_not_exist(value)
        return seller

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if "seller" not in data:
            user: User = self.context["request"].user
            sellers = list(Seller.objects.filter(memberships__user_id=user.pk).order_by("id")[:2])
            if len(sellers) != 1:
                raise serializers.ValidationError(
                    {"seller": ["You belong to several stores: say which one this quick reply is for."]},
                    code="required",
                )
            data["seller"] = sellers[0]
        return data
