"""Query-parameter filters of the royalty API (bad values are 400s naming the parameter)."""

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from core.api.filters import IdFilter
from core.periods import parse_period, period_kind
from royalty.models import Statement, StatementStatus


class StatementFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(method="filter_period", help_text="`2026-11` or `2026-Q4`.")
    status = django_filters.ChoiceFilter(choices=StatementStatus.choices)
    affiliate = IdFilter(field_name="affiliate_id")

    class Meta:
        model = Statement
        fields = ["period", "status", "affiliate"]

    def filter_period(self, queryset: QuerySet[Statement], name: str, value: str) -> QuerySet[Statement]:
        if not value:
            return queryset
        # The same parser as generation: a bad period is a 400 on ``period``, not an empty list.
        period = parse_period(period=value, date_from=None, date_to=None, now=timezone.now())
        if period_kind(period) == "range":  # pragma: no cover - parse_period returns a month or quarter
            return queryset.none()
        return queryset.filter(period=period.label)
