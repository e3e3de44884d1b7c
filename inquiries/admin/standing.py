"""Seller standing and exclusion flags in the console.

Standings are written by the quarterly decision (``inquiries.services.standing``) and never edited
here: the page shows the figures a decision was made on, and moderators and admins override the
level through a form that calls ``standing_override`` (a reason is required, the decided level
stays on the row). Exclusion flags are raised by the messaging service; moderators mark them
reviewed.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.models import User
from core.console import ActionPage, QueryFilter, ReadOnlyAdmin, acting_user, posted, service_form_view
from core.forms import LimitedTextField
from inquiries.models import ExclusionFlag, SellerStanding, StandingLevel
from inquiries.services.standing import (
    exclusion_flags_mark_reviewed,
    standing_override,
    user_may_override_standing,
)


class StandingOverrideForm(forms.Form):
    level = forms.ChoiceField(choices=StandingLevel.choices)
    reason = LimitedTextField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        help_text="Shown to the seller's members with the new level.",
    )


@admin.register(SellerStanding)
class SellerStandingAdmin(ReadOnlyAdmin):
    list_display = (
        "seller",
        "period",
        "level",
        "effective_level_display",
        "inquiries",
        "answered_within_target",
        "within_target_pct",
        "decided_at",
        "overridden_by",
    )
    list_filter = ("level", "overridden_level", "period")
    search_fields = ("seller__name", "period")
    list_select_related = ("seller", "overridden_by")
    fieldsets = (
        (None, {"fields": ("seller", "period", "level", "effective_level_display", "decided_at", "override_link")}),
        ("Figures", {"fields": ("inquiries", "answered_within_target", "within_target_pct", "tips")}),
        ("Override", {"fields": ("overridden_level", "override_reason", "overridden_by", "overridden_at")}),
    )
    readonly_fields = (
        "seller",
        "period",
        "level",
        "effective_level_display",
        "decided_at",
        "override_link",
        "inquiries",
        "answered_within_target",
        "within_target_pct",
        "tips",
        "overridden_level",
        "override_reason",
        "overridden_by",
        "overridden_at",
    )
    actions = ("override_selected",)
    action_pages = (ActionPage("override", "override_view", "has_override_permission", "can_override"),)

    def has_override_permission(self, request: HttpRequest) -> bool:
        return isinstance(request.user, User) and user_may_override_standing(request.user)

    @admin.display(description="In force")
    def effective_level_display(self, obj: SellerStanding) -> str:
        label = StandingLevel(obj.effective_level).label
        return f"{label} (overridden)" if obj.overridden_level else label

    @admin.display(description="Override")
    def override_link(self, obj: SellerStanding) -> SafeString:
        url = reverse("admin:inquiries_sellerstanding_override", args=[obj.pk])
        return format_html('<a class="button" href="{}">Override this standing…</a>', url)

    @admin.action(description="Override the selected standing (one at a time)", permissions=["override"])
    def override_selected(self, request: HttpRequest, queryset: QuerySet[SellerStanding]) -> HttpResponse | None:
        chosen = list(queryset.values_list("pk", flat=True)[:2])
        if len(chosen) != 1:
            self.message_user(request, "Select exactly one standing to override.", messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:inquiries_sellerstanding_override", args=[chosen[0]]))

    def override_view(self, request: HttpRequest, standing: SellerStanding) -> HttpResponse:
        form = StandingOverrideForm(posted(request), initial={"level": standing.effective_level})
        pct = "no figure" if standing.within_target_pct is None else f"{standing.within_target_pct} %"
        return service_form_view(
            self,
            request,
            obj=standing,
            form=form,
            title=f"Override the standing of {standing.seller} for {standing.period}",
            intro=(
                f"Decided {StandingLevel(standing.level).label} on {standing.inquiries} counted inquiries, "
                f"{standing.answered_within_target} within target ({pct}). The decision and its figures are kept; "
                "the override and your reason are recorded beside them and the seller's members are notified."
            ),
            submit_label="Override standing",
            run=lambda call: standing_override(
                standing=standing,
                level=call.data["level"],
                reason=call.data["reason"],
                actor=call.actor,
                now=call.now,
            ),
            success_message=f"{standing.seller} {standing.period}: standing overridden; the seller is told.",
        )


class ReviewedFilter(QueryFilter):
    title = "reviewed"
    parameter_name = "reviewed"
    conditions = {
        "no": ("Not yet reviewed", Q(reviewed_at__isnull=True)),
        "yes": ("Reviewed", Q(reviewed_at__isnull=False)),
    }


@admin.register(ExclusionFlag)
class ExclusionFlagAdmin(admin.ModelAdmin):
    list_display = ("seller", "month", "inquiries", "excluded", "share", "created_at", "reviewed_at", "reviewed_by")
    list_filter = (ReviewedFilter, "month")
    search_fields = ("seller__name", "month")
    list_select_related = ("seller", "reviewed_by")
    readonly_fields = ("seller", "month", "inquiries", "excluded", "share", "created_at", "reviewed_at", "reviewed_by")
    fields = readonly_fields
    actions = ("mark_reviewed",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Excluded share")
    def share(self, obj: ExclusionFlag) -> str:
        return f"{round(100 * obj.excluded / obj.inquiries)} %" if obj.inquiries else "-"

    @admin.action(description="Mark reviewed", permissions=["change"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[ExclusionFlag]) -> None:
        count = exclusion_flags_mark_reviewed(
            flag_ids=list(queryset.values_list("pk", flat=True)), actor=acting_user(request), now=timezone.now()
        )
        self.message_user(request, f"{count} flag{'s' if count != 1 else ''} marked reviewed.", messages.SUCCESS)
