"""Rule sets in the console: finance edits the rules as data (rates and tiers inline).

A rule set applies to the periods whose start its validity covers; a change to a set that earlier
statements used changes only the statements generated (or brought up to date) afterwards: approved
ones never move."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from royalty.models import AffiliateKind, CommissionRate, PerformanceTier, RuleSet
from royalty.services.common import user_is_finance


class _FinanceEdits:
    """Finance (and admins) edit the rules; support and moderators read them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_is_finance(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_is_finance(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_is_finance(request.user)


class CommissionRateInline(_FinanceEdits, admin.TabularInline):
    model = CommissionRate
    extra = 0
    fields = ("affiliate_kind", "product", "category", "basis", "value")
    autocomplete_fields = ("product",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("product")


class PerformanceTierForm(forms.ModelForm):
    applies_to = forms.MultipleChoiceField(
        choices=AffiliateKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every kind.",
    )

    class Meta:
        model = PerformanceTier
        fields = ["metric", "min_value", "multiplier", "applies_to"]


class PerformanceTierInline(_FinanceEdits, admin.TabularInline):
    model = PerformanceTier
    form = PerformanceTierForm
    extra = 0
    fields = ("metric", "min_value", "multiplier", "applies_to")


@admin.register(RuleSet)
class RuleSetAdmin(_FinanceEdits, admin.ModelAdmin):
    list_display = ("name", "valid_from", "valid_to", "created_by", "created_at")
    search_fields = ("name",)
    list_select_related = ("created_by",)
    fields = ("name", "valid_from", "valid_to", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")
    inlines = (CommissionRateInline, PerformanceTierInline)

    def save_model(self, request: HttpRequest, obj: RuleSet, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
            obj.created_at = timezone.now()
        super().save_model(request, obj, form, change)
