"""Query-parameter filters of the webhooks API (bad values are 400s naming the parameter)."""

import django_filters

from core.api.filters import IsoDateTimeFilter
from webhooks.models import Delivery, DeliveryStatus, EventType


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    type = django_filters.ChoiceFilter(field_name="event__type", choices=EventType.choices)
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Delivery
        fields = ["status", "type", "created_after", "created_before"]
