"""Input and output serializers of the reviews API.

Input serializers check shape and types and resolve ids to records the caller may reference (an id
outside that set is "does not exist", never a hint that it exists); they never write. The rules
(one review per product, the standards check, state conflicts) are the services'.

Output serializers leave out what the caller may not see (``context``: ``viewer`` from
``viewer_context``): moderation notes and moderators are staff-only; a response's flag reasons and
moderation reason are for the responding store's members and staff; a review's follow-up for its
buyer, the product seller's members and staff. Those fields are optional in the schema.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from core.api.fields import IdField, SingleLineCharField
from core.api.metrics import PeriodFiguresSerializer
from core.text import PLACEHOLDERS
from marketplace.models import Order, Product, Seller, SellerMembership
from reviews.models import (
    AuthorKind,
    CaseKind,
    CaseStatus,
    FollowUpStatus,
    ModerationReason,
    ResponseStatus,
    Review,
    ReviewCase,
    ReviewResponse,
    ReviewStatus,
    TemplateSituation,
    Violation,
)
from reviews.selectors.reviews import user_reads_all_reviews

BODY_MAX_LENGTH = settings.REVIEWS_BODY_MAX_LENGTH


def does_not_exist(value: int) -> serializers.ValidationError:
    return serializers.ValidationError(f'Invalid pk "{value}" - object does not exist.', code="does_not_exist")


@dataclass(frozen=True)
class Viewer:
    user_id: int
    is_staff: bool
    member_seller_ids: frozenset[int]

    def is_insider(self, seller_id: int | None) -> bool:
        return self.is_staff or (seller_id is not None and seller_id in self.member_seller_ids)


def viewer_context(user: User) -> dict[str, Viewer]:
    """One query (the caller's stores) for a whole page of serialized records."""
    stores = frozenset(SellerMembership.objects.filter(user_id=user.pk).values_list("seller_id", flat=True))
    return {"viewer": Viewer(user_id=user.pk, is_staff=user_reads_all_reviews(user), member_seller_ids=stores)}


class OptionalMethodField(serializers.SerializerMethodField):
    """A ``SerializerMethodField`` the schema does not list as required: it is left out for some
    callers (drf-spectacular marks every read-only response field required)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.read_only = False
        self.required = False


def _drop(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    for name in names:
        data.pop(name, None)
    return data


# --- Responses ---------------------------------------------------------------------------------

RESPONSE_INSIDER_FIELDS = ("author", "flag_reasons", "moderation_reason", "moderated_at")


class ReviewResponseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    review = serializers.IntegerField(source="review_id")
    author_kind = serializers.ChoiceField(choices=AuthorKind.choices)
    seller = serializers.IntegerField(
        source="seller_id", allow_null=True, help_text="The store answering; null: staff."
    )
    template = serializers.IntegerField(source="template_id", allow_null=True)
    body = serializers.CharField()
    status = serializers.ChoiceField(choices=ResponseStatus.choices)
    flagged = serializers.BooleanField(help_text="The standards check found a possible violation.")
    author = serializers.IntegerField(source="author_id", required=False, help_text="Store members and staff only.")
    flag_reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=Violation.choices),
        required=False,
        help_text="Store members and staff only.",
    )
    moderation_reason = serializers.CharField(required=False, help_text="Store members and staff only.")
    moderated_at = serializers.DateTimeField(allow_null=True, required=False, help_text="Store members and staff only.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, instance: ReviewResponse) -> dict[str, Any]:
        data = super().to_representation(instance)
        viewer: Viewer | None = self.context.get("viewer")
        if viewer is None or not viewer.is_insider(instance.seller_id):
            _drop(data, RESPONSE_INSIDER_FIELDS)
        return data


# --- Reviews -----------------------------------------------------------------------------------

REVIEW_STAFF_FIELDS = ("moderation_note", "moderated_by", "moderated_at")


class FollowUpOutputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FollowUpStatus.choices)
    due_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    customer_comment = serializers.CharField()


class ReviewOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = serializers.IntegerField(source="product_id")
    seller = serializers.IntegerField(source="seller_id")
    buyer = serializers.IntegerField(source="buyer_id")
    order = serializers.IntegerField(source="order_id", allow_null=True)
    verified_purchase = serializers.BooleanField()
    rating = serializers.IntegerField(min_value=1, max_value=5)
    title = serializers.CharField()
    body = serializers.CharField()
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    moderation_reason = serializers.CharField(help_text="Reason code when hidden or removed; empty when published.")
    response_due_at = serializers.DateTimeField(help_text="24 h after a negative review, 48 h after the others.")
    first_response_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    responded = serializers.SerializerMethodField(help_text="Has a live response (published or being moderated).")
    responses = serializers.SerializerMethodField(help_text="The responses the caller may see, oldest first.")
    follow_up = OptionalMethodField(help_text="Negative reviews: the recovery follow-up (buyer, store members, staff).")
    moderation_note = serializers.CharField(required=False, help_text="Staff only.")
    moderated_by = serializers.IntegerField(source="moderated_by_id", allow_null=True, required=False)
    moderated_at = serializers.DateTimeField(allow_null=True, required=False)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_responded(self, review: Review) -> bool:
        return review.first_response_at is not None

    @extend_schema_field(ReviewResponseOutputSerializer(many=True))
    def get_responses(self, review: Review) -> list[dict[str, Any]]:
        responses = getattr(review, "visible_responses", None)
        if responses is None:
            responses = []
        return ReviewResponseOutputSerializer(responses, many=True, context=self.context).data  # type: ignore[return-value]

    @extend_schema_field(FollowUpOutputSerializer(allow_null=True))
    def get_follow_up(self, review: Review) -> dict[str, Any] | None:
        follow_up = getattr(review, "follow_up", None)
        return FollowUpOutputSerializer(follow_up).data if follow_up is not None else None

    def to_representation(self, instance: Review) -> dict[str, Any]:
        data = super().to_representation(instance)
        viewer: Viewer | None = self.context.get("viewer")
        if viewer is None or not viewer.is_staff:
            _drop(data, REVIEW_STAFF_FIELDS)
        if viewer is None or not (viewer.user_id == instance.buyer_id or viewer.is_insider(instance.seller_id)):
            _drop(data, ("follow_up",))
        return data


class ReviewCreateInputSerializer(serializers.Serializer):
    product = IdField()
    rating = serializers.IntegerField(min_value=1, max_value=5)
    title = SingleLineCharField(max_length=200)
    body = serializers.CharField(max_length=BODY_MAX_LENGTH)
    order = IdField(required=False, allow_null=True, default=None, help_text="One of the caller's own orders.")

    def validate_product(self, value: int) -> Product:
        product = Product.objects.filter(pk=value).first()
        if product is None:
            raise does_not_exist(value)
        return product

    def validate_order(self, value: int | None) -> Order | None:
        if value is None:
            return None
        order = Order.objects.filter(pk=value, buyer_id=self.context["request"].user.pk).first()
        if order is None:
            raise does_not_exist(value)
        return order


class ResponseCreateInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, required=False)
    template = IdField(required=False, help_text="A platform template or one of the product seller's own.")
    context = serializers.DictField(  # type: ignore[assignment]  # the metaclass pops declared fields
        child=serializers.CharField(max_length=200),
        required=False,
        help_text=f"Placeholder values overriding the review's: {', '.join(PLACEHOLDERS.names)}.",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if ("body" in data) == ("template" in data):
            raise serializers.ValidationError({"body": ["Give either a body or a template."]}, code="required")
        if "context" in data and "template" not in data:
            raise serializers.ValidationError({"context": ["A context goes with a template."]}, code="invalid")
        return data


class ModerateReviewInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ModerationReason.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RestoreInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class FollowUpInputSerializer(serializers.Serializer):
    resolved = serializers.BooleanField(help_text="Did the response put the issue right?")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ModerateResponseInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Told to the seller.")
    violations = serializers.ListField(
        child=serializers.ChoiceField(choices=Violation.choices),
        required=False,
        max_length=len(Violation.choices),
        help_text="Upheld violations, each a strike; default: what the standards check flagged.",
    )


# --- Templates ---------------------------------------------------------------------------------


class ResponseTemplateOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    seller = serializers.IntegerField(source="seller_id", allow_null=True, help_text="Null: a platform template.")
    situation = serializers.ChoiceField(choices=TemplateSituation.choices)
    title = serializers.CharField()
    body = serializers.CharField(help_text=f"Placeholders: {PLACEHOLDERS.listed}.")
    archived_at = serializers.DateTimeField(allow_null=True)
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ResponseTemplateInputSerializer(serializers.Serializer):
    situation = serializers.ChoiceField(choices=TemplateSituation.choices)
    title = SingleLineCharField(max_length=120)
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, help_text=f"Placeholders: {PLACEHOLDERS.listed}.")


class ResponseTemplateCreateInputSerializer(ResponseTemplateInputSerializer):
    seller = IdField(
        required=False,
        allow_null=True,
        help_text="One of the caller's stores (needed when they have several); omitted or null for a "
        "moderator: a platform template.",
    )

    def validate_seller(self, value: int | None) -> Seller | None:
        if value is None:
            return None
        seller = Seller.objects.filter(pk=value, memberships__user_id=self.context["request"].user.pk).first()
        if seller is None:
            raise does_not_exist(value)
        return seller


# --- Cases -------------------------------------------------------------------------------------


class ReviewCaseEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    note = serializers.CharField()
    data = serializers.DictField()  # type: ignore[assignment]  # the metaclass pops declared fields
    created_at = serializers.DateTimeField()


class ReviewCaseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    buyer = serializers.IntegerField(source="buyer_id")
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    description = serializers.CharField()
    review = serializers.IntegerField(source="review_id", allow_null=True)
    product = serializers.IntegerField(source="product_id", allow_null=True)
    order = serializers.IntegerField(source="order_id", allow_null=True)
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    resolution = serializers.CharField()
    compensation_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    currency = serializers.CharField(
        source="compensation_currency", help_text="The order's; empty without compensation."
    )
    coupon_code = serializers.CharField()
    resolved_by = serializers.IntegerField(source="resolved_by_id", allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    events = OptionalMethodField(help_text="The audit trail (staff only).")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def _is_staff_viewer(self) -> bool:
        viewer: Viewer | None = self.context.get("viewer")
        return viewer is not None and viewer.is_staff

    @extend_schema_field(ReviewCaseEventOutputSerializer(many=True))
    def get_events(self, case: ReviewCase) -> list[dict[str, Any]]:
        if not self._is_staff_viewer():
            return []  # never read for a buyer (and dropped below)
        return ReviewCaseEventOutputSerializer(case.events.all(), many=True).data  # type: ignore[return-value]

    def to_representation(self, instance: ReviewCase) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self._is_staff_viewer():
            _drop(data, ("events",))
        return data


class ReviewCaseCreateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    description = serializers.CharField(max_length=5000)
    review = IdField(required=False, allow_null=True, default=None, help_text="One of the caller's reviews.")
    product = IdField(required=False, allow_null=True, default=None)
    order = IdField(required=False, allow_null=True, default=None, help_text="One of the caller's orders.")

    def validate_review(self, value: int | None) -> Review | None:
        if value is None:
            return None
        review = Review.objects.filter(pk=value, buyer_id=self.context["request"].user.pk).first()
        if review is None:
            raise does_not_exist(value)
        return review

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
        order = Order.objects.filter(pk=value, buyer_id=self.context["request"].user.pk).first()
        if order is None:
            raise does_not_exist(value)
        return order


class CaseReassignInputSerializer(serializers.Serializer):
    product = IdField(help_text="The product the review belongs on.")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate_product(self, value: int) -> Product:
        product = Product.objects.filter(pk=value).first()
        if product is None:
            raise does_not_exist(value)
        return product


class CaseResolveInputSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=2000)
    compensation_amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        default=None,
        help_text="Goodwill recorded against the case's order, in the order's currency.",
    )
    coupon_code = SingleLineCharField(max_length=64, required=False, allow_blank=True, default="")


# --- Metrics -----------------------------------------------------------------------------------


class BandMetricsOutputSerializer(serializers.Serializer):
    reviews = serializers.IntegerField()
    responded = serializers.IntegerField()
    response_rate_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    median_response_seconds = serializers.IntegerField(allow_null=True)
    answered_within_target = serializers.IntegerField()
    within_target_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class ByBandOutputSerializer(serializers.Serializer):
    negative = BandMetricsOutputSerializer(help_text="1-2 stars (target 24 h).")
    neutral = BandMetricsOutputSerializer(help_text="3 stars (target 48 h).")
    positive = BandMetricsOutputSerializer(help_text="4-5 stars (target 48 h).")


class ReviewMetricsOutputSerializer(PeriodFiguresSerializer):
    """Review response figures for the reviews written in the period, and the open work now."""

    total = BandMetricsOutputSerializer(help_text="Reviews written in the period.")
    by_band = ByBandOutputSerializer()
    open_negative_reviews = serializers.IntegerField(help_text="Now: published, negative, unanswered.")
    escalated_open = serializers.IntegerField(help_text="Of those, escalated to senior support.")
    flagged_responses = serializers.IntegerField(help_text="Responses flagged by the standards check in the period.")
    pending_moderation = serializers.IntegerField(help_text="Now: responses waiting for a moderator.")
    strikes = serializers.IntegerField(help_text="Violations upheld by moderators in the period.")
    open_cases = serializers.IntegerField()
    oldest_open_case_age_seconds = serializers.IntegerField(allow_null=True)
