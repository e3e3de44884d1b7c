"""Input and output serializers of the royalty API."""

from typing import Any

from rest_framework import serializers

from core.api.fields import IdField, SingleLineCharField
from marketplace.models import Currency
from royalty.models import (
    Adjustment,
    AdjustmentStatus,
    Affiliate,
    AffiliateKind,
    Attribution,
    LineKind,
    PayoutBatch,
    ReasonCode,
    Statement,
    StatementLine,
    StatementStatus,
)
from royalty.services.affiliates import CATEGORY_MAX_LENGTH, NAME_MAX_LENGTH
from royalty.services.statements import REASON_MAX_LENGTH


class AffiliateInputSerializer(serializers.Serializer):
    name = SingleLineCharField(max_length=NAME_MAX_LENGTH)
    kind = serializers.ChoiceField(choices=AffiliateKind.choices)
    user = IdField(required=False, allow_null=True, default=None, help_text="Who signs in to see the statements.")
    seller = IdField(required=False, allow_null=True, default=None, help_text="Required for kind `seller`.")
    currency = serializers.ChoiceField(choices=Currency.choices, required=False, default=Currency.USD)


class AffiliateOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Affiliate
        fields = ["id", "name", "kind", "user", "seller", "currency", "is_active", "created_at"]
        read_only_fields = fields


class AttributionInputSerializer(serializers.Serializer):
    order = IdField(help_text="The order sold; one affiliate per order.")
    category = SingleLineCharField(
        max_length=CATEGORY_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="The product category a category rate matches.",
    )


class AttributionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attribution
        fields = [
            "id",
            "affiliate",
            "order",
            "product",
            "category",
            "amount",
            "currency",
            "sold_at",
            "created_at",
        ]
        read_only_fields = fields


class AffiliateSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Affiliate
        fields = ["id", "name", "kind"]
        read_only_fields = fields


class StatementOutputSerializer(serializers.ModelSerializer):
    affiliate = AffiliateSummarySerializer(read_only=True)
    status = serializers.ChoiceField(choices=StatementStatus.choices, read_only=True)

    class Meta:
        model = Statement
        fields = [
            "id",
            "affiliate",
            "period",
            "start",
            "end",
            "currency",
            "status",
            "total",
            "approved_by",
            "approved_at",
            "second_approver",
            "second_approved_at",
            "paid_at",
            "payout_batch",
            "created_at",
        ]
        read_only_fields = fields


class StatementLineOutputSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=LineKind.choices, read_only=True)
    figures = serializers.JSONField(read_only=True, help_text="What produced the amount: figures, tier, refund.")

    class Meta:
        model = StatementLine
        fields = ["id", "kind", "amount", "description", "figures", "reason_code", "author", "source_key", "created_at"]
        read_only_fields = fields


class AdjustmentOutputSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=AdjustmentStatus.choices, read_only=True)

    class Meta:
        model = Adjustment
        fields = [
            "id",
            "statement",
            "amount",
            "reason_code",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "line",
        ]
        read_only_fields = fields


class StatementDetailOutputSerializer(StatementOutputSerializer):
    lines = StatementLineOutputSerializer(many=True, read_only=True)
    adjustments = AdjustmentOutputSerializer(many=True, read_only=True)

    class Meta(StatementOutputSerializer.Meta):
        fields = [*StatementOutputSerializer.Meta.fields, "lines", "adjustments"]
        read_only_fields = fields


class GenerateInputSerializer(serializers.Serializer):
    period = serializers.CharField(
        max_length=24, help_text="A month (`2026-11`) or a quarter (`2026-Q4`) that is over."
    )


class GenerateOutputSerializer(serializers.Serializer):
    period = serializers.CharField()
    statements_created = serializers.IntegerField()
    lines_added = serializers.IntegerField()
    statements = StatementOutputSerializer(many=True)


class AdjustmentInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Signed, in the statement's currency; not zero."
    )
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)
    reason_code = serializers.ChoiceField(choices=ReasonCode.choices, required=False, default=ReasonCode.OTHER)


class RejectInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")


class MarkPaidInputSerializer(serializers.Serializer):
    statements = serializers.ListField(child=IdField(), min_length=1, max_length=10_000)


class PayoutBatchOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = PayoutBatch
        fields = ["id", "period", "currency", "total", "statements_count", "created_by", "created_at"]
        read_only_fields = fields


def first_error_field(errors: dict[str, Any]) -> str:  # pragma: no cover - convenience for logs
    return next(iter(errors), "detail")
