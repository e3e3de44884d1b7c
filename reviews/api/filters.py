"""Query-parameter filters (django-filter) of the reviews API. Bad values are 400s (the shared
filters of ``core.api.filters``: ids, strict booleans)."""

import django_filters
from django.db.models import QuerySet

from core.api.filters import IdFilter, StrictBooleanFilter
from reviews.models import (
    AuthorKind,
    CaseKind,
    CaseStatus,
    ResponseStatus,
    ResponseTemplate,
    Review,
    ReviewCase,
    ReviewResponse,
    ReviewStatus,
    TemplateSituation,
)


class ReviewFilter(django_filters.FilterSet):
    product = IdFilter(field_name="product_id")
    seller = IdFilter(field_name="seller_id")
    buyer = IdFilter(field_name="buyer_id")
    rating = django_filters.ChoiceFilter(choices=[(value, str(value)) for value in range(1, 6)])
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)
    responded = StrictBooleanFilter(method="filter_responded", help_text="`true`: has a live response.")
    verified_purchase = StrictBooleanFilter(field_name="verified_purchase")
    escalated = StrictBooleanFilter(method="filter_escalated", help_text="`true`: escalated to senior support.")

    class Meta:
        model = Review
        fields = ["product", "seller", "buyer", "rating", "status", "responded", "verified_purchase", "escalated"]

    def filter_responded(self, queryset: QuerySet[Review], name: str, value: bool | None) -> QuerySet[Review]:
        return queryset if value is None else queryset.filter(first_response_at__isnull=not value)

    def filter_escalated(self, queryset: QuerySet[Review], name: str, value: bool | None) -> QuerySet[Review]:
        return queryset if value is None else queryset.filter(clock__escalated_at__isnull=not value)


class ReviewResponseFilter(django_filters.FilterSet):
    review = IdFilter(field_name="review_id")
    seller = IdFilter(field_name="seller_id")
    status = django_filters.ChoiceFilter(choices=ResponseStatus.choices)
    author_kind = django_filters.ChoiceFilter(choices=AuthorKind.choices)
    flagged = StrictBooleanFilter(field_name="flagged")

    class Meta:
        model = ReviewResponse
        fields = ["review", "seller", "status", "author_kind", "flagged"]


class ResponseTemplateFilter(django_filters.FilterSet):
    seller = IdFilter(field_name="seller_id")
    situation = django_filters.ChoiceFilter(choices=TemplateSituation.choices)
    platform = StrictBooleanFilter(method="filter_platform", help_text="`true`: the platform's templates only.")
    archived = StrictBooleanFilter(
        method="filter_archived", help_text="`true`: archived ones only; default: only those in use."
    )

    class Meta:
        model = ResponseTemplate
        fields = ["seller", "situation", "platform", "archived"]

    def filter_platform(
        self, queryset: QuerySet[ResponseTemplate], name: str, value: bool | None
    ) -> QuerySet[ResponseTemplate]:
        return queryset if value is None else queryset.filter(seller__isnull=value)

    def filter_archived(
        self, queryset: QuerySet[ResponseTemplate], name: str, value: bool | None
    ) -> QuerySet[ResponseTemplate]:
        return queryset if value is None else queryset.filter(archived_at__isnull=not value)


class ReviewCaseFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices)
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    review = IdFilter(field_name="review_id")
    product = IdFilter(field_name="product_id")

    class Meta:
        model = ReviewCase
        fields = ["kind", "status", "review", "product"]
