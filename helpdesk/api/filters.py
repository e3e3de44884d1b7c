"""Query-parameter filters of the tickets API (bad values are 400s)."""

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from core.api.filters import StrictBooleanFilter
from helpdesk.models import Category, Department, Priority, Ticket, TicketStatus
from helpdesk.selectors.tickets import breaching_q


class TicketFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TicketStatus.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    department = django_filters.ChoiceFilter(choices=Department.choices)
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    breaching = StrictBooleanFilter(method="filter_breaching", help_text="`true`: past its running target now.")

    class Meta:
        model = Ticket
        fields = ["status", "category", "department", "priority", "breaching"]

    def filter_breaching(self, queryset: QuerySet[Ticket], name: str, value: bool | None) -> QuerySet[Ticket]:
        if value is None:
            return queryset
        condition = breaching_q(now=timezone.now())
        return queryset.filter(condition) if value else queryset.exclude(condition)
