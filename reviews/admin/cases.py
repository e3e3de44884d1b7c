"""Review cases in the console: a customer's missing, misattributed or incorrect review.

The list opens on the open cases, oldest first. A case's page shows what it is about (the review,
its product, the order) and its history; staff who work cases act from there: move the review to
the right product, restore it, remove it with a reason, resolve with a resolution and optional
goodwill. Each is one call to ``reviews.services.cases``; the customer is told by the service.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.console import (
    ActionPage,
    QueryFilter,
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    admin_link,
    age_text,
    badge,
    posted,
    service_form_view,
)
from core.forms import LimitedTextField, SingleLineCharField
from core.ids import parse_id
from marketplace.models import Product, Seller
from reviews.models import CaseStatus, ModerationReason, ReviewCase, ReviewCaseEvent
from reviews.services.access import user_may_work_cases
from reviews.services.cases import (
    review_case_reassign,
    review_case_remove_review,
    review_case_resolve,
    review_case_restore,
)


class ReassignForm(forms.Form):
    product = forms.ModelChoiceField(
        label="Move the review to",
        queryset=Product.objects.all(),
        widget=AutocompleteSelect(ReviewCase._meta.get_field("product"), admin.site),
        help_text="Search by product name, SKU or store. Both products' ratings are updated.",
    )
    note = LimitedTextField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 80})
    )


class CaseNoteForm(forms.Form):
    note = LimitedTextField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 80})
    )


class CaseRemoveForm(forms.Form):
    reason = forms.ChoiceField(label="Reason", choices=ModerationReason.choices)
    note = LimitedTextField(
        label="Note for the customer",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
    )


class ResolveForm(forms.Form):
    resolution = LimitedTextField(
        label="Resolution",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="What was done: sent to the customer.",
    )
    compensation_amount = forms.DecimalField(
        label="Goodwill amount",
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text="Optional: recorded against the case's order, in the order's currency.",
    )
    coupon_code = SingleLineCharField(label="Coupon code", required=False, max_length=64)


class CaseEventInline(ReadOnlyTabularInline):
    model = ReviewCaseEvent
    fields = ("created_at", "kind", "actor", "note", "data")
    readonly_fields = fields
    verbose_name_plural = "history"
    related = ("actor",)


class CaseStateFilter(QueryFilter):
    """Open cases unless asked otherwise: the list is the work still to do."""

    title = "status"
    parameter_name = "status__exact"
    conditions = {
        CaseStatus.OPEN: ("Open", Q(status=CaseStatus.OPEN)),
        CaseStatus.RESOLVED: ("Resolved", Q(status=CaseStatus.RESOLVED)),
    }
    default = CaseStatus.OPEN


class CaseSellerFilter(admin.SimpleListFilter):
    """The store a case is about: its review's or its product's seller, as the review metrics count
    it. Shown only when a link (the review metrics report) asks for a seller, so the sidebar does
    not list every store."""

    title = "seller"
    parameter_name = "seller"

    def _seller_id(self) -> int | None:
        return parse_id(self.value())

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        seller_id = self._seller_id()
        if seller_id is None:
            return []
        seller = Seller.objects.filter(pk=seller_id).first()
        return [(str(seller_id), seller.name if seller else f"No seller {seller_id}")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ReviewCase]) -> QuerySet[ReviewCase]:
        seller_id = self._seller_id()
        if seller_id is None:
            return queryset
        return queryset.filter(Q(review__seller_id=seller_id) | Q(product__seller_id=seller_id))


@admin.register(ReviewCase)
class ReviewCaseAdmin(ReadOnlyAdmin):
    list_display = ("case_link", "kind", "status_display", "age", "customer", "review_link", "product", "order")
    list_display_links = None
    list_filter = (CaseStateFilter, "kind", CaseSellerFilter)
    search_fields = (
        "description",
        "buyer__username",
        "buyer__email",
        "review__title",
        "product__name",
        "order__number",
    )
    list_select_related = ("buyer", "review", "product", "order")
    ordering = ("created_at", "id")  # oldest first: the customer who has waited longest
    fieldsets = (
        (None, {"fields": ("kind", "status_display", "customer", "description_text")}),
        ("About", {"fields": ("review_link", "review_text", "product", "order")}),
        (
            "Resolution",
            {
                "fields": (
                    "resolution",
                    "compensation",
                    "coupon_code",
                    "resolved_by",
                    "resolved_at",
                )
            },
        ),
        ("Audit", {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "kind",
        "status_display",
        "customer",
        "description_text",
        "review_link",
        "review_text",
        "product",
        "order",
        "resolution",
        "compensation",
        "coupon_code",
        "resolved_by",
        "resolved_at",
        "created_at",
        "updated_at",
    )
    inlines = (CaseEventInline,)
    action_pages = (
        ActionPage("reassign", "reassign_view", "has_work_permission", "can_work"),
        ActionPage("restore", "restore_view", "has_work_permission", "can_work"),
        ActionPage("remove-review", "remove_view", "has_work_permission", "can_work", name="remove"),
        ActionPage("resolve", "resolve_view", "has_work_permission", "can_work"),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewCase]:
        return (
            super().get_queryset(request).select_related("buyer", "review__product", "product", "order", "resolved_by")
        )

    def has_work_permission(self, request: HttpRequest) -> bool:
        return user_may_work_cases(request.user)

    # --- columns ---

    @admin.display(description="Case", ordering="id")
    def case_link(self, obj: ReviewCase) -> SafeString | str:
        return admin_link(obj, f"Case {obj.pk}")

    @admin.display(description="Status", ordering="status")
    def status_display(self, obj: ReviewCase) -> SafeString:
        return badge(obj.get_status_display(), "resolved" if obj.status == CaseStatus.RESOLVED else "unassigned")

    @admin.display(description="Age", ordering="created_at")
    def age(self, obj: ReviewCase) -> str:
        if obj.resolved_at is not None:
            return f"took {age_text(obj.created_at, now=obj.resolved_at)}"
        return age_text(obj.created_at, now=timezone.now())

    @admin.display(description="Customer", ordering="buyer__username")
    def customer(self, obj: ReviewCase) -> str:
        return obj.buyer.display_name

    @admin.display(description="Review")
    def review_link(self, obj: ReviewCase) -> SafeString | str:
        if obj.review is None:
            return "—"
        return admin_link(obj.review, f"{obj.review.rating}★ {obj.review.title} ({obj.review.get_status_display()})")

    @admin.display(description="Review text")
    def review_text(self, obj: ReviewCase) -> SafeString | str:
        if obj.review is None:
            return "—"
        return format_html(
            '<div class="sp-message-body">{}</div><p class="help">Now on: {}</p>', obj.review.body, obj.review.product
        )

    @admin.display(description="Customer's description")
    def description_text(self, obj: ReviewCase) -> SafeString:
        return format_html('<div class="sp-message-body">{}</div>', obj.description)

    @admin.display(description="Goodwill amount")
    def compensation(self, obj: ReviewCase) -> str:
        if obj.compensation_amount is None:
            return "—"
        return f"{obj.compensation_amount} {obj.compensation_currency}"

    # --- the case page's forms ---

    def _details(self, case: ReviewCase) -> list[tuple[str, object]]:
        details: list[tuple[str, object]] = [
            ("Case", f"{case.get_kind_display()} — {case.buyer.display_name}"),
            ("Description", case.description),
        ]
        if case.review is not None:
            details += [
                ("Review", f"{case.review.rating}★ {case.review.title} ({case.review.get_status_display()})"),
                ("Now on", str(case.review.product)),
            ]
        if case.product is not None:
            details.append(("Product named", str(case.product)))
        if case.order is not None:
            details.append(("Order", f"{case.order.number} ({case.order.total} {case.order.currency})"))
        return details

    def reassign_view(self, request: HttpRequest, case: ReviewCase) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=case,
            form=ReassignForm(posted(request)),
            title=f"Move the review of case {case.pk}",
            intro="Moves the review (with its responses and clock) to the right product and its store; the ratings of "
            "both products and both stores follow, the history keeps where it was.",
            submit_label="Move review",
            run=lambda call: review_case_reassign(
                case=case, actor=call.actor, product=call.data["product"], note=call.data["note"], now=call.now
            ),
            success_message=f"Case {case.pk}: review moved; the customer is told.",
            details=self._details(case),
        )

    def restore_view(self, request: HttpRequest, case: ReviewCase) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=case,
            form=CaseNoteForm(posted(request)),
            title=f"Restore the review of case {case.pk}",
            intro="Publishes the hidden or removed review again; it counts in the ratings.",
            submit_label="Restore review",
            run=lambda call: review_case_restore(case=case, actor=call.actor, note=call.data["note"], now=call.now),
            success_message=f"Case {case.pk}: review restored; the customer is told.",
            details=self._details(case),
        )

    def remove_view(self, request: HttpRequest, case: ReviewCase) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=case,
            form=CaseRemoveForm(posted(request)),
            title=f"Remove the review of case {case.pk}",
            intro="For a fraudulent or incorrect review: removed with a reason code (kept, and restorable).",
            submit_label="Remove review",
            run=lambda call: review_case_remove_review(
                case=case, actor=call.actor, reason=call.data["reason"], note=call.data["note"], now=call.now
            ),
            success_message=f"Case {case.pk}: review removed; the customer is told.",
            details=self._details(case),
        )

    def resolve_view(self, request: HttpRequest, case: ReviewCase) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=case,
            form=ResolveForm(posted(request)),
            title=f"Resolve case {case.pk}",
            intro="Closes the case with what was done and, optionally, goodwill (an amount recorded against the "
            "order, a coupon code). The customer gets the resolution.",
            submit_label="Resolve case",
            run=lambda call: review_case_resolve(
                case=case,
                actor=call.actor,
                resolution=call.data["resolution"],
                compensation_amount=call.data["compensation_amount"],
                coupon_code=call.data["coupon_code"] or "",
                now=call.now,
            ),
            success_message=f"Case {case.pk} resolved; the customer is told.",
            details=self._details(case),
        )
