from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.text import PLACEHOLDERS
from helpdesk.models import Macro


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    """Staff write the macros here; the body is checked for the placeholders (``Macro.clean``)."""

    list_display = ("title", "category", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("title", "body")
    fields = ("title", "category", "body", "is_active")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["body"].help_text = f"Placeholders: {PLACEHOLDERS.listed}."
        return form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire a macro (not active) rather than delete it
