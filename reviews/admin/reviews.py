"""Reviews in the moderators' console: reviews (hide / remove / restore, respond as staff) and
recovery follow-ups (responses: ``reviews.admin.responses``; templates: ``reviews.admin.templates``;
cases: ``reviews.admin.cases``).

Every state change is a service call (``reviews.services``): the records are read-only here and
change through action pages and changelist actions. A refusal leaves everything as it was and says why.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.console import (
    ActionPage,
    QueryFilter,
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    ServiceCall,
    admin_link,
    age_text,
    badge,
    bulk_service_action,
    due_badge,
    posted,
    service_form_view,
)
from core.forms import LimitedTextField
from core.timezones import local_time_text
from reviews.admin.metrics import review_metrics_view
from reviews.models import (
    FollowUpStatus,
    ModerationReason,
    RecoveryFollowUp,
    ResponseStatus,
    ResponseTemplate,
    Review,
    ReviewEvent,
    ReviewResponse,
    ReviewStatus,
)
from reviews.selectors.queue import awaiting_response_q, escalated_unanswered_q, negative_awaiting_response_q
from reviews.services.access import (
    user_may_moderate_reviews,
    user_may_respond_as_staff,
)
from reviews.services.responses import response_post
from reviews.services.reviews import review_hide, review_remove, review_restore
from reviews.services.standards import describe_violations

STATUS_TONES: dict[str, str] = {
    ReviewStatus.PUBLISHED: "current",
    ReviewStatus.HIDDEN: "due-soon",
    ReviewStatus.REMOVED: "superseded",
    ResponseStatus.PENDING_MODERATION: "due-soon",
    ResponseStatus.EDIT_REQUESTED: "unassigned",
}


def stars(rating: int) -> SafeString:
    return format_html(
        '<span class="sp-stars sp-stars--{}" title="{} of 5">{}<span class="sp-stars__off">{}</span></span>',
        rating,
        rating,
        "★" * rating,
        "★" * (5 - rating),
    )


def status_badge(value: str, label: str) -> SafeString:
    return badge(label, STATUS_TONES.get(value, "kind"))


# --- Forms --------------------------------------------------------------------------------------


class ReviewModerationForm(forms.Form):
    reason = forms.ChoiceField(label="Reason", choices=ModerationReason.choices)
    note = LimitedTextField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Staff only: kept with the review's history.",
    )


class NoteForm(forms.Form):
    note = LimitedTextField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 80})
    )


class StaffResponseForm(forms.Form):
    """A staff response: written here, or a platform template rendered for the review (one of the
    two; the service says so if both or neither are given)."""

    template = forms.ModelChoiceField(
        label="Platform template",
        queryset=ResponseTemplate.objects.filter(seller__isnull=True, archived_at__isnull=True).order_by(
            "situation", "title", "id"
        ),
        required=False,
        empty_label="— none: write the response below —",
        help_text="Rendered for this review (customer name, product…). Leave the text empty when you pick one.",
    )
    body = LimitedTextField(
        label="Response",
        required=False,
        max_length=settings.REVIEWS_BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="Published at once as support's response under the review; the buyer is notified.",
    )


# --- Filters ------------------------------------------------------------------------------------


class RatingFilter(QueryFilter):
    title = "rating"
    parameter_name = "rating"
    conditions = {str(value): ("★" * value, Q(rating=value)) for value in range(5, 0, -1)}


class RespondedFilter(QueryFilter):
    title = "responded"
    parameter_name = "responded"
    conditions = {"yes": ("Yes", Q(first_response_at__isnull=False)), "no": ("No", Q(first_response_at__isnull=True))}


class NeedsResponseFilter(QueryFilter):
    """The index page's "negative reviews awaiting a response" card links here."""

    title = "needs a response"
    parameter_name = "needs_response"
    conditions = {
        "negative": ("Negative, unanswered", lambda request: negative_awaiting_response_q()),
        "any": ("Any rating, unanswered", lambda request: awaiting_response_q()),
    }


class EscalatedFilter(QueryFilter):
    title = "escalated"
    parameter_name = "escalated"
    conditions = {
        "unanswered": ("Escalated, still unanswered", lambda request: escalated_unanswered_q()),
        "all": ("Ever escalated", Q(clock__escalated_at__isnull=False)),
    }


class ReviewEventInline(ReadOnlyTabularInline):
    model = ReviewEvent
    fields = ("created_at", "kind", "actor", "note", "data")
    readonly_fields = fields
    verbose_name_plural = "history"
    related = ("actor",)


class ReviewResponseInline(ReadOnlyTabularInline):
    model = ReviewResponse
    fields = ("link", "created_at", "author_kind", "author", "status", "flag_reasons_text", "body_text")
    readonly_fields = fields
    verbose_name_plural = "responses"
    related = ("author",)

    @admin.display(description="Response")
    def link(self, obj: ReviewResponse) -> SafeString | str:
        return admin_link(obj, f"Response {obj.pk}")

    @admin.display(description="Flagged for")
    def flag_reasons_text(self, obj: ReviewResponse) -> str:
        return describe_violations(obj.flag_reasons) or "—"

    @admin.display(description="Response")
    def body_text(self, obj: ReviewResponse) -> SafeString:
        return format_html('<div class="sp-message-body">{}</div>', obj.body)


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = (
        "title_link",
        "product",
        "seller",
        "rating_stars",
        "status_display",
        "verified_purchase",
        "responded",
        "due",
        "age",
    )
    list_display_links = None
    list_filter = ("status", RatingFilter, RespondedFilter, NeedsResponseFilter, EscalatedFilter, "verified_purchase")
    search_fields = ("title", "body", "product__name", "seller__name", "buyer__username", "buyer__email")
    list_select_related = ("product", "seller", "clock")
    date_hierarchy = "created_at"
    actions = ("hide_reviews", "remove_reviews", "restore_reviews")
    fieldsets = (
        (None, {"fields": ("rating_stars", "title", "body_text", "status_display", "product", "seller", "buyer")}),
        ("Purchase", {"fields": ("order", "verified_purchase")}),
        (
            "Response clock",
            {"fields": ("created_at", "response_due_at", "first_response_at", "escalate_at", "escalated_at")},
        ),
        ("Moderation", {"fields": ("moderation_reason", "moderation_note", "moderated_by", "moderated_at")}),
        ("Audit", {"fields": ("updated_at",)}),
    )
    readonly_fields = (
        "rating_stars",
        "title",
        "body_text",
        "status_display",
        "product",
        "seller",
        "buyer",
        "order",
        "verified_purchase",
        "created_at",
        "response_due_at",
        "first_response_at",
        "escalate_at",
        "escalated_at",
        "moderation_reason",
        "moderation_note",
        "moderated_by",
        "moderated_at",
        "updated_at",
    )
    inlines = (ReviewResponseInline, ReviewEventInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Review]:
        return (
            super().get_queryset(request).select_related("product", "seller", "buyer", "order", "moderated_by", "clock")
        )

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return user_may_moderate_reviews(request.user)

    def has_respond_permission(self, request: HttpRequest) -> bool:
        return user_may_respond_as_staff(request.user)

    # --- columns ---

    @admin.display(description="Review", ordering="title")
    def title_link(self, obj: Review) -> SafeString | str:
        return admin_link(obj, obj.title)

    @admin.display(description="Rating", ordering="rating")
    def rating_stars(self, obj: Review) -> SafeString:
        return stars(obj.rating)

    @admin.display(description="Status", ordering="status")
    def status_display(self, obj: Review) -> SafeString:
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description="Responded", boolean=True, ordering="first_response_at")
    def responded(self, obj: Review) -> bool:
        return obj.first_response_at is not None

    @admin.display(description="Response due", ordering="response_due_at")
    def due(self, obj: Review) -> SafeString | str:
        if obj.first_response_at is not None or obj.status != ReviewStatus.PUBLISHED:
            return "—"
        return due_badge(obj.response_due_at, now=timezone.now())

    @admin.display(description="Age", ordering="created_at")
    def age(self, obj: Review) -> str:
        return age_text(obj.created_at, now=timezone.now())

    @admin.display(description="Review text")
    def body_text(self, obj: Review) -> SafeString:
        return format_html('<div class="sp-message-body">{}</div>', obj.body)

    # --- the change page's forms ---

    action_pages = (
        ActionPage("hide", "hide_view", "has_moderate_permission", "can_moderate"),
        ActionPage("remove", "remove_view", "has_moderate_permission", "can_moderate"),
        ActionPage("restore", "restore_view", "has_moderate_permission", "can_moderate"),
        ActionPage("respond", "respond_view", "has_respond_permission", "can_respond"),
    )

    def get_urls(self) -> list[URLPattern]:
        metrics = self.admin_site.admin_view(self.metrics_view)
        return [path("metrics/", metrics, name="reviews_review_metrics"), *super().get_urls()]

    def metrics_view(self, request: HttpRequest) -> HttpResponse:
        """The review metrics report (``reviews.admin.metrics``)."""
        return review_metrics_view(self, request)

    def _details(self, review: Review) -> list[tuple[str, object]]:
        return [
            ("Review", f"{review.rating}★ {review.title}"),
            ("Text", review.body),
            ("Product", f"{review.product.name} ({review.seller.name})"),
        ]

    def _moderation_view(self, request: HttpRequest, review: Review, *, to: str) -> HttpResponse:
        service = review_hide if to == "hide" else review_remove

        def run(call: ServiceCall) -> Review:
            data = call.data
            return service(review=review, actor=call.actor, reason=data["reason"], note=data["note"], now=call.now)

        verb = "Hide" if to == "hide" else "Remove"
        return service_form_view(
            self,
            request,
            obj=review,
            form=ReviewModerationForm(posted(request)),
            title=f"{verb} review “{review.title}”",
            intro=(
                "Hidden: taken off the product page until a moderator restores it."
                if to == "hide"
                else "Removed: for fake, misleading or abusive reviews; it can still be restored."
            )
            + " The rating counters follow, the buyer is told the reason, the history keeps your note.",
            submit_label=f"{verb} review",
            run=run,
            success_message=f"Review “{review.title}” {'hidden' if to == 'hide' else 'removed'}.",
            details=self._details(review),
        )

    def hide_view(self, request: HttpRequest, review: Review) -> HttpResponse:
        return self._moderation_view(request, review, to="hide")

    def remove_view(self, request: HttpRequest, review: Review) -> HttpResponse:
        return self._moderation_view(request, review, to="remove")

    def restore_view(self, request: HttpRequest, review: Review) -> HttpResponse:

        def run(call: ServiceCall) -> Review:
            return review_restore(review=review, actor=call.actor, note=call.data["note"], now=call.now)

        return service_form_view(
            self,
            request,
            obj=review,
            form=NoteForm(posted(request)),
            title=f"Restore review “{review.title}”",
            intro="Publish the review again: it counts in the ratings and the buyer is told.",
            submit_label="Restore review",
            run=run,
            success_message=f"Review “{review.title}” restored.",
            details=self._details(review),
        )

    def respond_view(self, request: HttpRequest, review: Review) -> HttpResponse:
        """Respond as staff (``response_post`` with the agent as author): typed, or a platform
        template. A refusal (not published, already answered by staff, blank) writes nothing."""

        def run(call: ServiceCall) -> object:
            return response_post(
                review=review,
                author=call.actor,
                body=call.data["body"] or None,
                template=call.data["template"],
                now=call.now,
            )

        return service_form_view(
            self,
            request,
            obj=review,
            form=StaffResponseForm(posted(request)),
            title=f"Respond as staff to “{review.title}”",
            intro="Support's response is published under the review as written (no standards check) and "
            "the buyer is notified. One staff response per review.",
            submit_label="Post staff response",
            run=run,
            success_message=f"Staff response posted to “{review.title}”; the buyer is notified.",
            details=self._details(review),
        )

    # --- actions ---

    def _bulk_moderate(self, request: HttpRequest, queryset: QuerySet[Review], *, to: str) -> HttpResponse | None:
        service = review_hide if to == "hide" else review_remove

        def run(review: Review, call: ServiceCall) -> Review:
            data = call.data
            return service(review=review, actor=call.actor, reason=data["reason"], note=data["note"], now=call.now)

        return bulk_service_action(
            self,
            request,
            queryset,
            form_class=ReviewModerationForm,
            title=f"{'Hide' if to == 'hide' else 'Remove'} reviews",
            intro="Each review's buyer is told the reason; the rating counters follow.",
            verb="Hidden" if to == "hide" else "Removed",
            run=run,
            label=lambda review: f"“{review.title}”",
        )

    @admin.action(description="Hide selected reviews (with a reason)…", permissions=["moderate"])
    def hide_reviews(self, request: HttpRequest, queryset: QuerySet[Review]) -> HttpResponse | None:
        return self._bulk_moderate(request, queryset, to="hide")

    @admin.action(description="Remove selected reviews (with a reason)…", permissions=["moderate"])
    def remove_reviews(self, request: HttpRequest, queryset: QuerySet[Review]) -> HttpResponse | None:
        return self._bulk_moderate(request, queryset, to="remove")

    @admin.action(description="Restore selected reviews", permissions=["moderate"])
    def restore_reviews(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        bulk_service_action(
            self,
            request,
            queryset,
            run=lambda review, call: review_restore(review=review, actor=call.actor, now=call.now),
            verb="Restored",
            label=lambda review: f"“{review.title}”",
        )


# --- Recovery follow-ups ------------------------------------------------------------------------


@admin.register(RecoveryFollowUp)
class RecoveryFollowUpAdmin(ReadOnlyAdmin):
    list_display = ("review_link", "seller", "status_display", "due", "answered_at", "escalated_at", "customer_comment")
    list_display_links = None
    list_filter = ("status",)
    search_fields = ("review__title", "review__seller__name", "review__buyer__username", "customer_comment")
    list_select_related = ("review__seller",)
    ordering = ("due_at", "id")

    @admin.display(description="Review", ordering="review__title")
    def review_link(self, obj: RecoveryFollowUp) -> SafeString | str:
        return admin_link(obj.review, f"{obj.review.rating}★ {obj.review.title}")

    @admin.display(description="Seller", ordering="review__seller__name")
    def seller(self, obj: RecoveryFollowUp) -> str:
        return str(obj.review.seller)

    @admin.display(description="Status", ordering="status")
    def status_display(self, obj: RecoveryFollowUp) -> SafeString:
        tones: dict[str, str] = {FollowUpStatus.OPEN: "assigned", FollowUpStatus.RESOLVED: "resolved"}
        tone = tones.get(obj.status, "overdue")
        return badge(obj.get_status_display(), tone)

    @admin.display(description="Due", ordering="due_at")
    def due(self, obj: RecoveryFollowUp) -> SafeString | str:
        if obj.status != FollowUpStatus.OPEN:
            return local_time_text(obj.due_at)
        return due_badge(obj.due_at, now=timezone.now())
