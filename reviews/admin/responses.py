"""The responses moderation queue in the console: flagged responses first, approve / request an
edit / hide (each violation upheld is a strike on the seller), and the sellers' strikes.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import OrderBy
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.console import (
    ActionPage,
    QueryFilter,
    ReadOnlyAdmin,
    ServiceCall,
    admin_link,
    badge,
    bulk_service_action,
    posted,
    service_form_view,
)
from core.forms import LimitedTextField
from reviews.admin.reviews import status_badge
from reviews.models import (
    ResponseStatus,
    ReviewResponse,
    ReviewStatus,
    SellerStrike,
    Violation,
)
from reviews.services.access import (
    user_may_moderate_responses,
)
from reviews.services.responses import response_approve, response_hide, response_request_edit
from reviews.services.standards import describe_violations

STATUS_TONES: dict[str, str] = {
    ReviewStatus.PUBLISHED: "current",
    ReviewStatus.HIDDEN: "due-soon",
    ReviewStatus.REMOVED: "superseded",
    ResponseStatus.PENDING_MODERATION: "due-soon",
    ResponseStatus.EDIT_REQUESTED: "unassigned",
}


class ResponseModerationForm(forms.Form):
    reason = LimitedTextField(
        label="Reason for the seller",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Sent to the store's members with the violations upheld.",
    )
    violations = forms.MultipleChoiceField(
        label="Violations upheld",
        choices=Violation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each one is a strike on the seller. Leave all unticked to use what the check flagged.",
    )


class ResponseStrikesFilter(QueryFilter):
    # ``seller_strikes`` is the admin queryset's annotation (``ReviewResponseAdmin.get_queryset``).
    title = "seller strikes"
    parameter_name = "strikes"
    conditions = {
        "none": ("None", Q(seller_strikes=0) | Q(seller_strikes__isnull=True)),
        "some": ("1 or more", Q(seller_strikes__gte=1)),
        "repeat": ("3 or more", Q(seller_strikes__gte=3)),
    }


def _strike_count() -> Subquery:
    return Subquery(
        SellerStrike.objects.filter(seller_id=OuterRef("seller_id"))
        .order_by()
        .values("seller_id")
        .annotate(count=Count("id"))
        .values("count")[:1],
        output_field=IntegerField(),
    )


@admin.register(ReviewResponse)
class ReviewResponseAdmin(ReadOnlyAdmin):
    """Flagged responses waiting for a moderator come first, oldest first."""

    list_display = (
        "response_link",
        "review_link",
        "seller",
        "author_kind",
        "status_display",
        "flagged",
        "violations",
        "strikes",
        "created_at",
    )
    list_display_links = None
    list_filter = ("status", "flagged", "author_kind", ResponseStrikesFilter)
    search_fields = ("body", "review__title", "seller__name", "author__username")
    list_select_related = ("review", "seller")
    actions = ("approve_responses", "request_edits", "hide_responses")
    fieldsets = (
        (None, {"fields": ("review_link", "seller", "author", "author_kind", "template", "body_text")}),
        ("Standards check", {"fields": ("status_display", "flagged", "violations", "strikes")}),
        ("Moderation", {"fields": ("moderated_by", "moderated_at", "moderation_reason")}),
        ("Audit", {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "review_link",
        "seller",
        "author",
        "author_kind",
        "template",
        "body_text",
        "status_display",
        "flagged",
        "violations",
        "strikes",
        "moderated_by",
        "moderated_at",
        "moderation_reason",
        "created_at",
        "updated_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewResponse]:
        return (
            super()
            .get_queryset(request)
            .select_related("review", "seller", "author", "template", "moderated_by")
            .annotate(seller_strikes=_strike_count())
        )

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        pending_first = Case(
            When(status=ResponseStatus.PENDING_MODERATION, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return [OrderBy(pending_first), "created_at", "id"]

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return user_may_moderate_responses(request.user)

    # --- columns ---

    @admin.display(description="Response")
    def response_link(self, obj: ReviewResponse) -> SafeString | str:
        return admin_link(obj, f"#{obj.pk} {obj.body[:60]}")

    @admin.display(description="Review", ordering="review__title")
    def review_link(self, obj: ReviewResponse) -> SafeString | str:
        return admin_link(obj.review, f"{obj.review.rating}★ {obj.review.title}")

    @admin.display(description="Status", ordering="status")
    def status_display(self, obj: ReviewResponse) -> SafeString:
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description="Flagged for")
    def violations(self, obj: ReviewResponse) -> str:
        return describe_violations(obj.flag_reasons) or "—"

    @admin.display(description="Seller strikes", ordering="seller_strikes")
    def strikes(self, obj: ReviewResponse) -> str | SafeString:
        if obj.seller_id is None:
            return "—"
        count = getattr(obj, "seller_strikes", None) or 0
        return badge(str(count), "unassigned") if count >= 3 else str(count)

    @admin.display(description="Response text")
    def body_text(self, obj: ReviewResponse) -> SafeString:
        return format_html('<div class="sp-message-body">{}</div>', obj.body)

    # --- the change page's forms ---

    action_pages = (
        ActionPage("approve", "approve_view", "has_moderate_permission", "can_moderate"),
        ActionPage("request-edit", "request_edit_view", "has_moderate_permission", "can_moderate", name="edit"),
        ActionPage("hide", "hide_view", "has_moderate_permission", "can_moderate"),
    )

    def _details(self, response: ReviewResponse) -> list[tuple[str, object]]:
        return [
            ("Review", f"{response.review.rating}★ {response.review.title}: {response.review.body}"),
            ("Response", response.body),
            ("Flagged for", describe_violations(response.flag_reasons) or "nothing (not flagged)"),
        ]

    def approve_view(self, request: HttpRequest, response: ReviewResponse) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=response,
            form=forms.Form(posted(request)),
            title=f"Approve response {response.pk}",
            intro="The flag was a false positive: the response is published, the buyer is told, no strike.",
            submit_label="Approve and publish",
            run=lambda call: response_approve(response=response, actor=call.actor, now=call.now),
            success_message=f"Response {response.pk} approved and published.",
            details=self._details(response),
        )

    def _reason_view(self, request: HttpRequest, response: ReviewResponse, *, to: str) -> HttpResponse:
        service = response_hide if to == "hide" else response_request_edit

        def run(call: ServiceCall) -> ReviewResponse:
            return service(
                response=response,
                actor=call.actor,
                reason=call.data["reason"],
                violations=call.data["violations"] or None,
                now=call.now,
            )

        form = ResponseModerationForm(posted(request), initial={"violations": response.flag_reasons})
        hide = to == "hide"
        return service_form_view(
            self,
            request,
            obj=response,
            form=form,
            title=f"{'Hide' if hide else 'Request an edit of'} response {response.pk}",
            intro=(
                "Hidden for good: the seller may write a new response."
                if hide
                else "Sent back to the seller: hidden from the buyer until they write a new response."
            )
            + " The store's members get your reason; each violation upheld is a strike.",
            submit_label="Hide response" if hide else "Request an edit",
            run=run,
            success_message=f"Response {response.pk} {'hidden' if hide else 'sent back for an edit'}.",
            details=self._details(response),
        )

    def request_edit_view(self, request: HttpRequest, response: ReviewResponse) -> HttpResponse:
        return self._reason_view(request, response, to="edit")

    def hide_view(self, request: HttpRequest, response: ReviewResponse) -> HttpResponse:
        return self._reason_view(request, response, to="hide")

    # --- actions ---

    @admin.action(description="Approve selected responses (publish)", permissions=["moderate"])
    def approve_responses(self, request: HttpRequest, queryset: QuerySet[ReviewResponse]) -> None:
        bulk_service_action(
            self,
            request,
            queryset,
            run=lambda response, call: response_approve(response=response, actor=call.actor, now=call.now),
            verb="Approved",
            label=lambda response: f"response {response.pk}",
        )

    def _bulk_reason(self, request: HttpRequest, queryset: QuerySet[ReviewResponse], *, to: str) -> Any:
        service = response_hide if to == "hide" else response_request_edit

        def run(response: ReviewResponse, call: ServiceCall) -> ReviewResponse:
            return service(
                response=response,
                actor=call.actor,
                reason=call.data["reason"],
                violations=call.data["violations"] or None,
                now=call.now,
            )

        return bulk_service_action(
            self,
            request,
            queryset,
            form_class=ResponseModerationForm,
            title="Hide responses" if to == "hide" else "Request edits",
            intro="The store's members get your reason; each violation upheld is a strike on the seller.",
            verb="Hidden" if to == "hide" else "Edit requested",
            run=run,
            label=lambda response: f"response {response.pk}",
        )

    @admin.action(description="Request an edit of selected responses (with a reason)…", permissions=["moderate"])
    def request_edits(self, request: HttpRequest, queryset: QuerySet[ReviewResponse]) -> HttpResponse | None:
        return self._bulk_reason(request, queryset, to="edit")

    @admin.action(description="Hide selected responses (with a reason)…", permissions=["moderate"])
    def hide_responses(self, request: HttpRequest, queryset: QuerySet[ReviewResponse]) -> HttpResponse | None:
        return self._bulk_reason(request, queryset, to="hide")


@admin.register(SellerStrike)
class SellerStrikeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "seller", "violation", "response_link", "moderator", "reason")
    list_filter = ("violation", ("seller", admin.RelatedOnlyFieldListFilter))
    search_fields = ("seller__name", "reason")
    list_select_related = ("seller", "response", "moderator")
    date_hierarchy = "created_at"

    @admin.display(description="Response")
    def response_link(self, obj: SellerStrike) -> SafeString | str:
        return admin_link(obj.response, f"Response {obj.response_id}")
