from django.conf import settings
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=`` and ``?page_size=`` (capped at ``API_PAGE_SIZE_MAX``, 200)."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_PAGE_SIZE_MAX
