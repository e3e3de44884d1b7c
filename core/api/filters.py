"""Query-parameter filters every list shares. A bad value is a 400 naming the parameter, never a
silently ignored filter nor a database error (a 500):

- ``IdFilter``: an id (``core.ids``: a ``NumberFilter`` would let ``1.5`` through as 1, read
  Arabic-Indic digits and let an out-of-range number reach the database);
- ``StrictBooleanFilter``: only ``true``/``false`` (``1``/``0``);
- ``IsoDateTimeFilter``: ISO 8601, compared in UTC;
- ``SafeSearchFilter``: ``?search=`` without NUL characters, at most 200 characters;
- ``StableOrderingFilter``: ``?ordering=`` with a stable tie-break and NULLs last everywhere; an
  unknown ordering field is a 400 naming it rather than silently dropped;
- ``FilterBackend``: django-filter's backend, and a query parameter that no filter, search,
  ordering, pagination or ``format`` reads is a 400 naming it (``?stauts=open`` would otherwise
  list everything, as if the filter had been applied).

Every list endpoint uses ``FilterBackend`` (and ``StableOrderingFilter`` where it sorts).
"""

from datetime import UTC
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.request import Request
from rest_framework.settings import api_settings

from core.ids import IdFormField
from core.text import clean_text

SEARCH_MAX_LENGTH = 200


class IdFilter(django_filters.Filter):
    field_class = IdFormField


class _StrictBooleanField(forms.Field):
    TRUE, FALSE = ("true", "True", "1"), ("false", "False", "0")

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if value in self.TRUE:
            return True
        if value in self.FALSE:
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    """``true`` / ``false`` (and ``1`` / ``0``); anything else is a 400 rather than silently ignored."""

    field_class = _StrictBooleanField


class _SafeIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value: Any) -> Any:
        parsed = super().to_python(value)
        if parsed is not None:
            # Compare in UTC: PostgreSQL refuses offsets beyond ±15:59 ("time zone displacement out
            # of range"), and year 9999 at -23:00 does not exist in UTC at all.
            try:
                parsed = parsed.astimezone(UTC)
            except OverflowError as error:
                raise forms.ValidationError("Date and time out of range.", code="overflow") from error
        return parsed


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _SafeIsoDateTimeField


class SafeSearchFilter(SearchFilter):
    """``?search=``: PostgreSQL rejects NUL characters in text, so they are a 400, not a 500."""

    def get_search_terms(self, request: Request) -> list[str]:
        clean_text(
            request.query_params.get(self.search_param),
            field=self.search_param,
            max_length=SEARCH_MAX_LENGTH,
            required=False,
        )
        return list(super().get_search_terms(request))


class StableOrderingFilter(OrderingFilter):
    """``?ordering=``, with ``id`` as the last key so equal values (two conversations due at the
    same minute) never swap places between pages, and empty values (``response_due_at`` of a
    conversation awaiting nothing) last in both directions on every database: SQLite and
    PostgreSQL disagree on where NULLs sort by default."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        return queryset.order_by(*(self._order(queryset, key) for key in ordering))

    @staticmethod
    def _order(queryset: QuerySet[Any], key: str) -> Any:
        """``key`` as an ORDER BY term: NULLS LAST only where a NULL can be, so that a
        non-null column's order matches a plain index on it (PostgreSQL will not read a
        ``DESC`` index for ``DESC NULLS LAST``)."""
        name = key.lstrip("-")
        try:
            nullable = queryset.model._meta.get_field(name).null
        except FieldDoesNotExist:
            nullable = True  # an annotation: it may be NULL
        if not nullable:
            return F(name).desc() if key.startswith("-") else F(name).asc()
        return F(name).desc(nulls_last=True) if key.startswith("-") else F(name).asc(nulls_last=True)

    def remove_invalid_fields(self, queryset: QuerySet[Any], fields: Any, view: Any, request: Request) -> list[str]:
        valid = [name for name, _label in self.get_valid_fields(queryset, view, {"request": request})]
        unknown = [term for term in fields if term.removeprefix("-") not in valid]
        if unknown:
            raise serializers.ValidationError(
                {
                    self.ordering_param: [
                        f"Unknown ordering field: {', '.join(unknown)}. Use one of: {', '.join(valid)}"
                        " (a leading - for descending)."
                    ]
                }
            )
        return list(fields)

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering  # nothing asked, no view default: the selector's own order stands
        ordering = list(ordering)
        if not any(key.lstrip("-") in ("id", "pk") for key in ordering):
            ordering.append("-id" if ordering and ordering[0].startswith("-") else "id")
        return ordering


def known_query_params(queryset: QuerySet[Any], view: Any) -> set[str]:
    """The query parameters a list reads: its filters' (a range filter's ``_min``/``_max`` and the
    like by their suffixes), ``search`` and ``ordering`` where it has them, its pagination's and
    ``format``."""
    known = {api_settings.URL_FORMAT_OVERRIDE} - {None}
    for backend_class in getattr(view, "filter_backends", ()):
        backend = backend_class()
        if isinstance(backend, DjangoFilterBackend):
            filterset_class = backend.get_filterset_class(view, queryset)
            filters = filterset_class.base_filters if filterset_class else {}
            for name, filter_ in filters.items():
                suffixes = getattr(filter_.field_class.widget, "suffixes", None)
                known.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes or [""])
        elif isinstance(backend, SearchFilter):
            if getattr(view, "search_fields", None):
                known.add(backend.search_param)
        elif isinstance(backend, OrderingFilter):
            known.add(backend.ordering_param)
    paginator = getattr(view, "paginator", None)
    for attribute in ("page_query_param", "page_size_query_param", "limit_query_param", "offset_query_param"):
        name = getattr(paginator, attribute, None)
        if name:
            known.add(name)
    return known


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing query parameters that the list does not read (a 400
    naming each). Only a list is checked: a record's detail and actions ignore the query string."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        if getattr(view, "action", "list") == "list":
            known = known_query_params(queryset, view)
            unknown = sorted(name for name in request.query_params if name not in known)
            if unknown:
                listed = ", ".join(sorted(known))
                raise serializers.ValidationError(
                    {name: [f"Unknown query parameter. This list reads: {listed}."] for name in unknown}
                )
        # No parameter of the FilterSet's: every filter would be empty and the result this queryset,
        # so the FilterSet and its form are not built (a fifth of the Python time of an unfiltered
        # order list page). A parameter is the FilterSet's when it starts with a filter's name.
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            key.startswith(name) for key in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
