"""Statements, adjustments and payout batches in the console.

The statements list filters by period and status; a statement's page shows every line with what
produced it (the sales counted, the figure and the tier, the refund, who adjusted and why) and its
history. Finance acts from the buttons and list actions, each one service call:
generate a period, add an adjustment, approve (two different people above the threshold), mark
the selected approved statements paid (one payout batch) and export the batch as CSV.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.console import (
    ActionPage,
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    ServiceCall,
    acting_user,
    admin_link,
    badge,
    bulk_service_action,
    change_url,
    posted,
    service_form_view,
)
from core.exceptions import DomainError
from core.forms import attach_domain_error, error_status
from core.idempotency import one_time_form
from core.money import money_text
from royalty.admin.impact import impact_view
from royalty.models import (
    Adjustment,
    AdjustmentStatus,
    PayoutBatch,
    ReasonCode,
    Statement,
    StatementEvent,
    StatementLine,
    StatementStatus,
)
from royalty.services.common import statement_period, user_is_finance
from royalty.services.generation import statements_generate
from royalty.services.statements import (
    REASON_MAX_LENGTH,
    adjustment_add,
    adjustment_approve,
    adjustment_reject,
    needs_two_approvers,
    parse_amount,
    payout_batch_csv,
    statement_approve,
    statements_mark_paid,
)

STATUS_TONES = {
    StatementStatus.DRAFT: "due-soon",
    StatementStatus.APPROVED: "assigned",
    StatementStatus.PAID: "resolved",
}
_TEXTAREA = forms.Textarea(attrs={"rows": 4, "cols": 70})


def status_badge(status: str) -> SafeString:
    return badge(StatementStatus(status).label, STATUS_TONES[StatementStatus(status)])


_FIGURE_LABELS = {
    "sales": "sales",
    "sales_amount": "in sales",
    "commission_unrounded": "commission before rounding",
    "value": "figure",
    "reviews": "reviews",
    "stars": "stars",
    "responses": "survey answers",
    "satisfied": "satisfied",
    "inquiries": "inquiries",
    "base": "on base",
    "multiplier": "multiplier",
    "refund_amount": "refunded",
    "sale_amount": "sale",
    "commission": "commission",
    "share": "share",
    "order_number": "order",
    "earlier_lines": "earlier lines",
    "target": "now due",
    "reason": "reason",
}


def explain(figures: dict[str, Any]) -> SafeString | str:
    """A line's figures as the finance reader reads them: the numbers, the tier, the rule set."""
    if not figures:
        return "—"
    parts = [
        (label, figures[key])
        for key, label in _FIGURE_LABELS.items()
        if key in figures and figures[key] not in (None, "")
    ]
    tier = figures.get("tier")
    if tier:
        parts.append(("tier", f"from {tier['min_value']} x{tier['multiplier']}"))
    elif "tier" in figures:
        parts.append(("tier", "none reached"))
    next_tier = figures.get("next_tier")
    if next_tier:
        parts.append(("next tier", f"from {next_tier['min_value']} x{next_tier['multiplier']}"))
    ruleset = figures.get("ruleset")
    if ruleset:
        parts.append(("rules", ruleset.get("name", ruleset.get("id"))))
    return format_html_join("; ", "{}: <strong>{}</strong>", ((label, value) for label, value in parts))


class StatementLineInline(ReadOnlyTabularInline):
    model = StatementLine
    fields = ("created_at", "kind", "amount", "description", "explanation", "reason_code", "author")
    readonly_fields = fields
    related = ("author",)
    ordering = ("id",)
    verbose_name_plural = "Lines (append-only: a correction is a new line)"

    @admin.display(description="What produced it")
    def explanation(self, line: StatementLine) -> SafeString | str:
        return explain(line.figures)


class AdjustmentInline(ReadOnlyTabularInline):
    model = Adjustment
    fields = ("requested_at", "amount", "reason_code", "reason", "status", "requested_by", "decided_by", "decide")
    readonly_fields = fields
    related = ("requested_by", "decided_by")
    ordering = ("requested_at", "id")

    @admin.display(description="")
    def decide(self, adjustment: Adjustment) -> SafeString | str:
        if adjustment.status != AdjustmentStatus.PENDING:
            return ""
        return admin_link(adjustment, "Approve or reject")


class StatementEventInline(ReadOnlyTabularInline):
    model = StatementEvent
    fields = ("created_at", "kind", "actor", "note")
    readonly_fields = fields
    related = ("actor",)
    ordering = ("created_at", "id")
    verbose_name_plural = "History"


class AdjustmentForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount",
        max_digits=14,
        decimal_places=2,
        help_text="Signed: negative takes from the statement. "
        f"Above {settings.ROYALTY_ADJUSTMENT_SECOND_APPROVER_ABOVE} it waits for another finance user.",
    )
    reason_code = forms.ChoiceField(label="Reason code", choices=ReasonCode.choices, initial=ReasonCode.CORRECTION)
    reason = forms.CharField(label="Reason", max_length=REASON_MAX_LENGTH, widget=_TEXTAREA)

    def clean_amount(self) -> Decimal:
        try:
            return parse_amount(self.cleaned_data["amount"])
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class ConfirmForm(forms.Form):
    pass


class GenerateForm(forms.Form):
    period = forms.CharField(
        label="Period", max_length=24, help_text="A month (2026-11) or a quarter (2026-Q4) that is over."
    )


class PeriodFilter(admin.SimpleListFilter):
    title = "period"
    parameter_name = "period"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        periods = Statement.objects.order_by("-period").values_list("period", flat=True).distinct()[:24]
        return [(period, period) for period in periods]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(period=value) if value else queryset


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = (
        "affiliate_link",
        "period",
        "status_display",
        "total_display",
        "line_count",
        "approved_by",
        "second_approver",
        "paid_at",
    )
    list_filter = (PeriodFilter, "status", "affiliate__kind", "currency")
    search_fields = ("affiliate__name", "period")
    list_select_related = ("affiliate", "approved_by", "second_approver")
    fieldsets = (
        (None, {"fields": ("affiliate", "period", "status_display", "total_display", "currency")}),
        ("Period", {"fields": ("start", "end", "created_at")}),
        (
            "Approval and payment",
            {"fields": ("approved_by", "approved_at", "second_approver", "second_approved_at", "paid_at", "batch")},
        ),
    )
    readonly_fields = (
        "affiliate",
        "period",
        "status_display",
        "total_display",
        "currency",
        "start",
        "end",
        "created_at",
        "approved_by",
        "approved_at",
        "second_approver",
        "second_approved_at",
        "paid_at",
        "batch",
    )
    inlines = (StatementLineInline, AdjustmentInline, StatementEventInline)
    actions = ("approve_selected", "mark_paid_selected")
    action_pages = (
        ActionPage("adjust", "adjust_view", "has_finance_permission", "can_work"),
        ActionPage("approve", "approve_view", "has_finance_permission", "can_work"),
    )

    def has_finance_permission(self, request: HttpRequest) -> bool:
        return user_is_finance(request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Statement]:
        return super().get_queryset(request).annotate(lines_count=Count("lines"))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not self.has_finance_permission(request):
            actions.pop("approve_selected", None)
            actions.pop("mark_paid_selected", None)
        return actions

    def get_urls(self) -> list[URLPattern]:
        generate = path(
            "generate/",
            self.admin_site.admin_view(one_time_form(self.generate_view)),
            name="royalty_statement_generate",
        )
        # The impact report (royalty.admin.impact): figures of what each affiliate promoted beside its earnings.
        impact = path(
            "impact/",
            self.admin_site.admin_view(
                lambda request: impact_view(
                    request,
                    admin_context={**self.admin_site.each_context(request), "opts": self.model._meta},
                )
            ),
            name="royalty_statement_impact",
        )
        return [generate, impact, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return super().changelist_view(
            request, {"can_generate": self.has_finance_permission(request), **(extra_context or {})}
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        statement = self.get_object(request, object_id)
        context = {
            "two_people": bool(statement and needs_two_approvers(statement)),
            "threshold": settings.ROYALTY_APPROVAL_TWO_PERSON_ABOVE,
        }
        return super().change_view(request, object_id, form_url, {**context, **(extra_context or {})})

    # --- columns ---------------------------------------------------------------------------

    @admin.display(description="Affiliate", ordering="affiliate__name")
    def affiliate_link(self, obj: Statement) -> SafeString | str:
        return admin_link(obj.affiliate)

    @admin.display(description="Status", ordering="status")
    def status_display(self, obj: Statement) -> SafeString:
        if obj.status == StatementStatus.DRAFT and obj.approved_by_id is not None:
            return format_html("{} {}", status_badge(obj.status), badge("first approval given", "kind"))
        return status_badge(obj.status)

    @admin.display(description="Total", ordering="total")
    def total_display(self, obj: Statement) -> str:
        return money_text(obj.total, obj.currency)

    @admin.display(description="Lines", ordering="lines_count")
    def line_count(self, obj: Statement) -> int:
        return getattr(obj, "lines_count", 0)

    @admin.display(description="Payout batch")
    def batch(self, obj: Statement) -> SafeString | str:
        return admin_link(obj.payout_batch)

    # --- actions -----------------------------------------------------------------------------

    def generate_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_finance_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        actor = acting_user(request)
        form = GenerateForm(posted(request))
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    period = statement_period(form.cleaned_data["period"])
                    result = statements_generate(period=period, now=timezone.now(), actor=actor)
                except DomainError as error:
                    attach_domain_error(form, error)
                    status = error_status(error)
                else:
                    self.message_user(
                        request,
                        f"{result.period}: {len(result.statement_ids)} statements, {result.statements_created} new, "
                        f"{result.lines_added} lines added.",
                        messages.SUCCESS,
                    )
                    url = reverse("admin:royalty_statement_changelist")
                    return HttpResponseRedirect(f"{url}?period={result.period}")
            else:
                status = 400
        page = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Generate the statements of a period",
            "intro": (
                "Every affiliate's statement for the period is brought up to date: base commission on the sales "
                "not paid yet, the performance lines from the tiers in force, clawbacks of refunds. Running it "
                "again adds nothing; approved and paid statements are never touched."
            ),
            "form": form,
            "media": self.media + form.media,
            "submit_label": "Generate",
            "cancel_url": reverse("admin:royalty_statement_changelist"),
        }
        return TemplateResponse(request, "admin/royalty/statement/generate.html", page, status=status)

    def adjust_view(self, request: HttpRequest, statement: Statement) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=statement,
            form=AdjustmentForm(posted(request)),
            title=f"Adjust {statement}",
            intro=(
                "An adjustment is a new line with its reason and author; nothing already on the statement changes. "
                f"Above {settings.ROYALTY_ADJUSTMENT_SECOND_APPROVER_ABOVE} {statement.currency} it waits for "
                "another finance user's approval."
            ),
            details=[("Total now", money_text(statement.total, statement.currency))],
            submit_label="Add the adjustment",
            run=lambda call: adjustment_add(statement=statement, actor=call.actor, now=call.now, **call.data),
            success_message=lambda adjustment: (
                f"Adjustment of {adjustment.amount} added."
                if adjustment.status == AdjustmentStatus.APPLIED
                else f"Adjustment of {adjustment.amount} waits for another finance user's approval."
            ),
        )

    def approve_view(self, request: HttpRequest, statement: Statement) -> HttpResponse:
        two = needs_two_approvers(statement)
        return service_form_view(
            self,
            request,
            obj=statement,
            form=ConfirmForm(posted(request)),
            title=f"Approve {statement}",
            intro=(
                f"Above {settings.ROYALTY_APPROVAL_TWO_PERSON_ABOVE} two different people approve: "
                + (
                    "this is the second approval."
                    if two and statement.approved_by_id
                    else "this is the first approval; the statement stays a draft until a colleague approves too."
                    if two
                    else "this statement needs one approval."
                )
                + " An approved statement no longer changes."
            ),
            details=[
                ("Total", money_text(statement.total, statement.currency)),
                ("First approval", str(statement.approved_by or "—")),
            ],
            submit_label="Approve",
            run=lambda call: statement_approve(statement=statement, actor=call.actor, now=call.now),
            success_message=lambda approved: (
                f"{approved} approved." if approved.status == StatementStatus.APPROVED else "First approval recorded."
            ),
        )

    @admin.action(description="Approve the selected statements")
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Statement]) -> HttpResponse | None:
        return bulk_service_action(
            self,
            request,
            queryset,
            run=lambda statement, call: statement_approve(statement=statement, actor=call.actor, now=call.now),
            verb="Approved (or first approval given)",
        )

    @admin.action(description="Mark the selected approved statements paid (one payout batch)")
    def mark_paid_selected(self, request: HttpRequest, queryset: QuerySet[Statement]) -> HttpResponse | None:
        call = ServiceCall(data={}, actor=acting_user(request), now=timezone.now())
        try:
            batch = statements_mark_paid(
                statement_ids=list(queryset.values_list("pk", flat=True)), actor=call.actor, now=call.now
            )
        except DomainError as error:
            self.message_user(request, f"Nothing paid: {error.message}", messages.ERROR)
            return None
        self.message_user(
            request,
            format_html(
                'Payout batch <a href="{}">{}</a>: {} statements, {}.',
                change_url(batch),
                batch.pk,
                batch.statements_count,
                money_text(batch.total, batch.currency),
            ),
            messages.SUCCESS,
        )
        return None


@admin.register(Adjustment)
class AdjustmentAdmin(ReadOnlyAdmin):
    list_display = ("statement", "amount", "reason_code", "status", "requested_by", "requested_at", "decided_by")
    list_filter = ("status", "reason_code")
    search_fields = ("statement__affiliate__name", "reason")
    list_select_related = ("statement", "statement__affiliate", "requested_by", "decided_by")
    readonly_fields = (
        "statement",
        "amount",
        "reason_code",
        "reason",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "line",
    )
    action_pages = (
        ActionPage("approve", "approve_view", "has_finance_permission", "can_decide"),
        ActionPage("reject", "reject_view", "has_finance_permission", "can_decide"),
    )

    def has_finance_permission(self, request: HttpRequest) -> bool:
        return user_is_finance(request.user)

    def approve_view(self, request: HttpRequest, adjustment: Adjustment) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=adjustment,
            form=ConfirmForm(posted(request)),
            title=f"Approve the adjustment of {adjustment.amount}",
            intro="You are the second approver: the adjustment becomes a line on the statement.",
            details=[
                ("Statement", str(adjustment.statement)),
                ("Asked by", str(adjustment.requested_by)),
                ("Reason", f"{ReasonCode(adjustment.reason_code).label}: {adjustment.reason}"),
            ],
            submit_label="Approve",
            run=lambda call: adjustment_approve(adjustment=adjustment, actor=call.actor, now=call.now),
            success_message="Adjustment applied.",
        )

    def reject_view(self, request: HttpRequest, adjustment: Adjustment) -> HttpResponse:
        class RejectForm(forms.Form):
            note = forms.CharField(label="Why", max_length=REASON_MAX_LENGTH, required=False, widget=_TEXTAREA)

        return service_form_view(
            self,
            request,
            obj=adjustment,
            form=RejectForm(posted(request)),
            title=f"Reject the adjustment of {adjustment.amount}",
            intro="The statement keeps its lines; the adjustment is recorded as rejected.",
            details=[("Statement", str(adjustment.statement)), ("Reason", adjustment.reason)],
            submit_label="Reject",
            run=lambda call: adjustment_reject(adjustment=adjustment, actor=call.actor, now=call.now, **call.data),
            success_message="Adjustment rejected.",
        )


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "period", "statements_count", "total_display", "created_by", "created_at")
    list_select_related = ("created_by",)
    readonly_fields = ("period", "currency", "total", "statements_count", "created_by", "created_at", "statement_list")
    action_pages = (ActionPage("export", "export_view", "has_export_permission", "can_export"),)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("royalty.view_payoutbatch")

    @admin.display(description="Total", ordering="total")
    def total_display(self, obj: PayoutBatch) -> str:
        return money_text(obj.total, obj.currency)

    @admin.display(description="Statements")
    def statement_list(self, obj: PayoutBatch) -> SafeString | str:
        rows = obj.statements.select_related("affiliate").order_by("affiliate__name", "pk")
        return format_html_join(
            ", ", '<a href="{}">{}</a> ({})', ((change_url(s), s, money_text(s.total, s.currency)) for s in rows)
        )

    def export_view(self, request: HttpRequest, batch: PayoutBatch) -> HttpResponse:
        response = HttpResponse(payout_batch_csv(batch), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="payout-{batch.pk}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response
