"""Query-parameter filters (django-filter) for the inquiries API. Bad values are 400s (the shared
filters of ``core.api.filters``: ids, strict booleans)."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.api.filters import IdFilter, StrictBooleanFilter
from inquiries.models import Conversation, ConversationStatus, Escalation, ReplyTemplate
from inquiries.selectors.conversations import conversation_escalated_q, conversation_status_q

AWAITING_STATUSES = (ConversationStatus.AWAITING_REPLY, ConversationStatus.ESCALATED)


class ConversationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ConversationStatus.choices, method="filter_status")
    seller = IdFilter(field_name="seller_id")
    buyer = IdFilter(field_name="buyer_id")
    overdue = StrictBooleanFilter(
        method="filter_overdue",
        help_text="`true`: still awaiting the seller and past `response_due_at` now; `false`: the others.",
    )
    escalated = StrictBooleanFilter(
        method="filter_escalated",
        help_text="`true`: escalated to support at some point (`escalated_at` set); `false`: never.",
    )

    class Meta:
        model = Conversation
        fields = ["status", "seller", "buyer", "overdue", "escalated"]

    def filter_status(self, queryset: QuerySet[Conversation], name: str, value: str) -> QuerySet[Conversation]:
        return queryset.filter(conversation_status_q(value)) if value else queryset

    def filter_overdue(self, queryset: QuerySet[Conversation], name: str, value: bool | None) -> QuerySet[Conversation]:
        if value is None:
            return queryset
        # Computed at request time: the status only turns "escalated" when the sweep runs.
        overdue = Q(status__in=AWAITING_STATUSES, response_due_at__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_escalated(
        self, queryset: QuerySet[Conversation], name: str, value: bool | None
    ) -> QuerySet[Conversation]:
        if value is None:
            return queryset
        return queryset.filter(conversation_escalated_q()) if value else queryset.exclude(conversation_escalated_q())


class EscalationFilter(django_filters.FilterSet):
    assignee = IdFilter(field_name="assignee_id")
    conversation = IdFilter(field_name="conversation_id")
    seller = IdFilter(field_name="conversation__seller_id")
    unassigned = StrictBooleanFilter(method="filter_unassigned", help_text="`true`: nobody is assigned.")
    resolved = StrictBooleanFilter(method="filter_resolved", help_text="`false`: the open queue.")

    class Meta:
        model = Escalation
        fields = ["assignee", "conversation", "seller", "unassigned", "resolved"]

    def filter_unassigned(self, queryset: QuerySet[Escalation], name: str, value: bool | None) -> QuerySet[Escalation]:
        return queryset if value is None else queryset.filter(assignee__isnull=value)

    def filter_resolved(self, queryset: QuerySet[Escalation], name: str, value: bool | None) -> QuerySet[Escalation]:
        return queryset if value is None else queryset.filter(resolved_at__isnull=not value)


class ReplyTemplateFilter(django_filters.FilterSet):
    seller = IdFilter(field_name="seller_id")
    starter = StrictBooleanFilter(method="filter_starter", help_text="`true`: the platform's starters only.")

    class Meta:
        model = ReplyTemplate
        fields = ["seller", "starter"]

    def filter_starter(
        self, queryset: QuerySet[ReplyTemplate], name: str, value: bool | None
    ) -> QuerySet[ReplyTemplate]:
        return queryset if value is None else queryset.filter(seller__isnull=value)
