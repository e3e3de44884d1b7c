from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.request import Request


class CountedPaginator(Paginator):
    """A Django paginator whose total comes from ``count`` (a callable) instead of ``len()`` or
    ``COUNT(*)`` on the object list: for a list whose size is known more cheaply."""

    def __init__(self, object_list: Any, per_page: int, *, count: Callable[[], int], **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @property
    def count(self) -> int:
        if not hasattr(self, "_counted"):
            self._counted = self._count()
        return self._counted


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=`` and ``?page_size=`` (capped at ``API_PAGE_SIZE_MAX``, 200).

    ``paginate_queryset(..., count=callable)`` takes the list's total from the callable (one exact
    count the caller computes more cheaply than ``COUNT(*)`` on the queryset)."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_PAGE_SIZE_MAX
    _count: Callable[[], int] | None = None

    def django_paginator_class(self, object_list: Any, per_page: int) -> Paginator:  # type: ignore[override]
        if self._count is None:
            return Paginator(object_list, per_page)
        return CountedPaginator(object_list, per_page, count=self._count)

    def paginate_queryset(
        self,
        queryset: QuerySet[Any, Any] | Sequence[Any],
        request: Request,
        view: Any = None,
        *,
        count: Callable[[], int] | None = None,
    ) -> list[Any] | None:
        self._count = count
        return super().paginate_queryset(queryset, request, view)
