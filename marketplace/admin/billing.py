"""Invoices (versioned: a reissue is a new version, nothing is overwritten), payments, refunds,
receipts and the document numbers in the console: written by the billing services, read-only here;
reissue, refund and resend are action pages and actions that call the same services as the API."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.console import (
    ActionPage,
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    ServiceCall,
    Skip,
    admin_link,
    bulk_service_action,
    posted,
    service_form_view,
)
from core.money import money_text
from marketplace.models import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NumberSequence,
    Payment,
    PaymentEvent,
    Receipt,
    ReceiptDelivery,
    Refund,
    RefundGrant,
    RefundGrantStatus,
)
from marketplace.services.billing import invoice_reissue, receipt_reissue, receipt_resend, refund_issue
from marketplace.services.refunds import (
    DifferenceKind,
    order_overpaid_amount,
    refund_difference,
    refund_grant,
    refund_grant_send,
)

#
# Each page only collects what the service needs and shows its answer: the rules (who may, which
# state, how much) live in the service, and a refused request leaves the records as they were.


class InvoiceReissueForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the new version",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Kept on the new version and sent to the buyer. The current version is kept, marked superseded.",
    )


class RefundForm(forms.Form):
    amount = forms.DecimalField(label="Amount", max_digits=14, decimal_places=2)
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the refund and sent to the buyer.",
    )


class ResendReceiptForm(forms.Form):
    """Nothing to type: the receipt goes to the buyer's account address."""


class ReceiptReissueForm(forms.Form):
    reason = forms.CharField(label="What was wrong", widget=forms.Textarea(attrs={"rows": 3}))
    email = forms.EmailField(label="Send to", required=False, help_text="Default: the buyer's account address.")


class RefundDifferenceForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(DifferenceKind.OVERCHARGE, "Overcharge"), (DifferenceKind.DUPLICATE, "Duplicate charge")]
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Kept with the refund.")


class SendGrantForm(forms.Form):
    """Nothing to type: the granted amount is sent as granted."""


# --- Invoices (versioned: nothing is overwritten) -----------------------------------------------


class InvoiceLineInline(ReadOnlyTabularInline):
    model = InvoiceLine
    fields = ("description", "product", "quantity", "unit_price", "line_total")
    readonly_fields = fields
    related = ("product",)


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "version", "order", "status_badge", "total_display", "issued_by", "created_at")
    list_display_links = ("number",)
    list_filter = ("status", "currency")
    search_fields = ("number", "order__number", "reason")
    list_select_related = ("order", "issued_by", "superseded_by")
    date_hierarchy = "created_at"
    autocomplete_fields = ("order",)
    fieldsets = (
        (None, {"fields": ("number", "version", "status_badge", "order", "superseded_by_link", "supersedes")}),
        ("Why this version", {"fields": ("reason", "issued_by", "created_at")}),
        ("Amounts (computed)", {"fields": ("currency", "subtotal", "shipping_fee", "tax", "discount", "total")}),
    )
    readonly_fields = (
        "number",
        "version",
        "status_badge",
        "order",
        "superseded_by_link",
        "supersedes",
        "reason",
        "issued_by",
        "created_at",
        "currency",
        "subtotal",
        "shipping_fee",
        "tax",
        "discount",
        "total",
    )
    inlines = (InvoiceLineInline,)
    action_pages = (ActionPage("reissue", "reissue_view", "has_reissue_permission", "can_reissue"),)

    def has_reissue_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("marketplace.reissue_invoice")

    def reissue_view(self, request: HttpRequest, invoice: Invoice) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=invoice,
            form=InvoiceReissueForm(posted(request)),
            title=f"Reissue invoice {invoice}",
            intro=(
                f"A new version {invoice.version + 1} of invoice {invoice.number} is issued with the same lines and "
                f"amounts, totals recomputed; version {invoice.version} is kept and marked superseded."
            ),
            submit_label="Reissue invoice",
            run=lambda call: invoice_reissue(
                invoice=invoice, reason=call.data["reason"], actor=call.actor, now=call.now
            ),
            success_message=lambda new: f"Invoice {new} issued; {invoice} is superseded.",
            open_result=True,
        )

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj: Invoice) -> SafeString:
        if obj.status == InvoiceStatus.SUPERSEDED:
            return format_html('<span class="sp-badge sp-badge--superseded">{}</span>', "Superseded")
        return format_html('<span class="sp-badge sp-badge--current">{}</span>', "Current version")

    @admin.display(description="Superseded by")
    def superseded_by_link(self, obj: Invoice) -> SafeString | str:
        newer = getattr(obj, "superseded_by", None)
        return admin_link(newer)

    @admin.display(description="Total", ordering="total")
    def total_display(self, obj: Invoice) -> str:
        return money_text(obj.total, obj.currency)


@admin.register(InvoiceLine)
class InvoiceLineAdmin(ReadOnlyAdmin):
    list_display = ("invoice", "description", "quantity", "unit_price", "line_total")
    search_fields = ("invoice__number", "description")
    list_select_related = ("invoice",)


# --- Payments, refunds, receipts ---------------------------------------------------------


class RefundInline(ReadOnlyTabularInline):
    model = Refund
    fields = ("created_at", "amount", "reason", "created_by")
    readonly_fields = fields
    related = ("created_by",)


class PaymentEventInline(ReadOnlyTabularInline):
    model = PaymentEvent
    fields = ("created_at", "from_status", "to_status", "amount", "actor", "note")
    readonly_fields = fields
    related = ("actor",)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "order",
        "method",
        "status",
        "amount",
        "captured_amount",
        "refunded_amount",
        "currency",
        "created_at",
    )
    list_filter = ("status", "method", "currency")
    search_fields = ("reference", "order__number")
    list_select_related = ("order",)
    date_hierarchy = "created_at"
    autocomplete_fields = ("order",)
    fieldsets = (
        (None, {"fields": ("reference", "order", "method", "status", "captured_at")}),
        (
            "Amounts (computed)",
            {"fields": ("currency", "amount", "captured_amount", "refunded_amount", "refundable")},
        ),
        ("Audit", {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "reference",
        "order",
        "method",
        "status",
        "captured_at",
        "currency",
        "amount",
        "captured_amount",
        "refunded_amount",
        "refundable",
        "created_at",
        "updated_at",
    )
    inlines = (RefundInline, PaymentEventInline)
    action_pages = (
        ActionPage("refund", "refund_view", "has_refund_permission", "can_refund"),
        ActionPage("grant-refund", "grant_view", "has_grant_refund_permission", "can_grant", name="grant_refund"),
        ActionPage(
            "refund-difference",
            "difference_view",
            "has_difference_permission",
            "can_refund_difference",
            name="refund_difference",
        ),
    )

    def has_refund_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("marketplace.add_refund")

    def has_grant_refund_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("marketplace.grant_refund")

    def has_difference_permission(self, request: HttpRequest) -> bool:
        return self.has_refund_permission(request) or self.has_grant_refund_permission(request)

    def grant_view(self, request: HttpRequest, payment: Payment) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=payment,
            form=RefundForm(posted(request)),
            title=f"Grant a refund on payment {payment.reference}",
            intro="A granted refund is sent by finance (someone other than you). At most "
            f"{money_text(payment.refundable_amount, payment.currency)} can still be refunded.",
            submit_label="Grant refund",
            run=lambda call: refund_grant(
                payment=payment, amount=call.data["amount"], reason=call.data["reason"], actor=call.actor, now=call.now
            ),
            success_message=lambda grant: f"Refund of {grant.amount} granted; finance sends it.",
        )

    def difference_view(self, request: HttpRequest, payment: Payment) -> HttpResponse:
        overpaid = order_overpaid_amount(order_id=payment.order_id)
        return service_form_view(
            self,
            request,
            obj=payment,
            form=RefundDifferenceForm(posted(request)),
            title=f"Refund the overcharge on payment {payment.reference}",
            intro=f"The order is overpaid by {money_text(overpaid, payment.currency)}: exactly that is refunded "
            "(granted for finance when above the approval threshold).",
            submit_label="Refund the difference",
            run=lambda call: refund_difference(
                payment=payment, kind=call.data["kind"], reason=call.data["reason"], actor=call.actor, now=call.now
            ),
            success_message=lambda outcome: (
                f"{outcome.amount} {payment.currency} "
                + ("refunded." if outcome.refund else "granted; finance sends it.")
            ),
        )

    def refund_view(self, request: HttpRequest, payment: Payment) -> HttpResponse:

        def run(call: ServiceCall) -> object:
            amount: Decimal = call.data["amount"]
            return refund_issue(
                payment=payment, amount=amount, reason=call.data["reason"], actor=call.actor, now=call.now
            )

        return service_form_view(
            self,
            request,
            obj=payment,
            form=RefundForm(posted(request)),
            title=f"Refund payment {payment.reference}",
            intro=f"Captured {money_text(payment.captured_amount, payment.currency)}, refunded so far "
            f"{money_text(payment.refunded_amount, payment.currency)}: at most "
            f"{money_text(payment.refundable_amount, payment.currency)} can still be refunded.",
            submit_label="Refund",
            run=run,
            success_message=lambda result: f"Refund recorded on payment {payment.reference}.",
        )

    @admin.display(description="Refundable")
    def refundable(self, obj: Payment) -> str:
        return money_text(obj.refundable_amount, obj.currency)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "payment", "order_number", "amount", "created_by", "reason")
    search_fields = ("payment__reference", "payment__order__number", "reason")
    list_select_related = ("payment__order", "created_by")
    date_hierarchy = "created_at"

    @admin.display(description="Order", ordering="payment__order__number")
    def order_number(self, obj: Refund) -> str:
        return obj.payment.order.number


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "payment", "from_status", "to_status", "amount", "actor", "note")
    list_filter = ("to_status",)
    search_fields = ("payment__reference", "note")
    list_select_related = ("payment", "actor")
    date_hierarchy = "created_at"


class ReceiptDeliveryInline(ReadOnlyTabularInline):
    model = ReceiptDelivery
    fields = ("created_at", "email", "is_resend", "requested_by")
    readonly_fields = fields
    related = ("requested_by",)


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("number", "payment", "order_number", "amount", "currency", "email", "created_at")
    list_filter = ("currency",)
    search_fields = ("number", "payment__reference", "payment__order__number", "email")
    list_select_related = ("payment__order",)
    date_hierarchy = "created_at"
    inlines = (ReceiptDeliveryInline,)
    actions = ("resend_to_buyer",)
    action_pages = (
        ActionPage("resend", "resend_view", "has_resend_receipt_permission", "can_resend"),
        ActionPage("reissue", "reissue_view", "has_resend_receipt_permission", "can_reissue"),
    )

    def has_resend_receipt_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("marketplace.resend_receipt")

    def reissue_view(self, request: HttpRequest, receipt: Receipt) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=receipt,
            form=ReceiptReissueForm(posted(request)),
            title=f"Reissue receipt {receipt.number}",
            intro="A new number and the payment's captured amount, sent to the right address; what the receipt "
            "said before is kept with your reason.",
            submit_label="Reissue receipt",
            run=lambda call: receipt_reissue(
                receipt=receipt, actor=call.actor, reason=call.data["reason"], email=call.data["email"], now=call.now
            ),
            success_message=lambda new: f"Receipt reissued as {new.number}, sent to {new.email}.",
        )

    def resend_view(self, request: HttpRequest, receipt: Receipt) -> HttpResponse:
        buyer = receipt.payment.order.buyer
        return service_form_view(
            self,
            request,
            obj=receipt,
            form=ResendReceiptForm(posted(request)),
            title=f"Resend receipt {receipt.number}",
            intro=f"Receipt {receipt.number} is sent again to the buyer, {buyer} <{buyer.email or 'no email'}>.",
            submit_label="Resend receipt",
            run=lambda call: receipt_resend(receipt=receipt, actor=call.actor, now=call.now),
            success_message=lambda result: f"Receipt {receipt.number} resent to {buyer.email}.",
        )

    @admin.action(description="Resend the selected receipts to their buyers", permissions=["resend_receipt"])
    def resend_to_buyer(self, request: HttpRequest, queryset: QuerySet[Receipt]) -> None:
        bulk_service_action(
            self,
            request,
            queryset,
            run=lambda receipt, call: receipt_resend(receipt=receipt, actor=call.actor, now=call.now),
            verb="Resent",
            label=lambda receipt: receipt.number,
            done_label=lambda receipt, delivery: f"{receipt.number} → {delivery.email}",
        )

    @admin.display(description="Order", ordering="payment__order__number")
    def order_number(self, obj: Receipt) -> str:
        return obj.payment.order.number


@admin.register(ReceiptDelivery)
class ReceiptDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "receipt", "email", "is_resend", "requested_by")
    list_filter = ("is_resend",)
    search_fields = ("receipt__number", "email")
    list_select_related = ("receipt", "requested_by")
    date_hierarchy = "created_at"


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    """Shown so staff can see where numbering stands; only the numbering service moves it."""

    list_display = ("prefix", "year", "last_value")
    list_filter = ("prefix", "year")
    search_fields = ("prefix",)


@admin.register(RefundGrant)
class RefundGrantAdmin(ReadOnlyAdmin):
    """Refunds granted by support, waiting for finance to send them (two different people)."""

    list_display = ("created_at", "payment", "amount", "status", "granted_by", "sent_by", "sent_at", "reason")
    list_filter = ("status",)
    search_fields = ("payment__reference", "payment__order__number", "reason")
    list_select_related = ("payment", "granted_by", "sent_by")
    date_hierarchy = "created_at"
    actions = ("send_granted",)
    action_pages = (ActionPage("send", "send_view", "has_send_refund_permission", "can_send"),)

    def has_send_refund_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("marketplace.add_refund")

    def send_view(self, request: HttpRequest, grant: RefundGrant) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=grant,
            form=SendGrantForm(posted(request)),
            title=f"Send the refund of {grant.amount} on {grant.payment}",
            intro=f"Granted by {grant.granted_by}: {grant.reason}",
            submit_label="Send refund",
            run=lambda call: refund_grant_send(grant=grant, actor=call.actor, now=call.now),
            success_message=lambda refund: f"Refund of {refund.amount} sent.",
        )

    @admin.action(description="Send the selected granted refunds", permissions=["send_refund"])
    def send_granted(self, request: HttpRequest, queryset: QuerySet[RefundGrant]) -> None:
        bulk_service_action(
            self,
            request,
            queryset,
            run=lambda grant, call: refund_grant_send(grant=grant, actor=call.actor, now=call.now),
            verb="Sent",
            label=lambda grant: f"{grant.amount} on {grant.payment}",
            skip=lambda grant: (
                None if grant.status == RefundGrantStatus.GRANTED else Skip("Already sent or withdrawn ({count})")
            ),
        )
