"""Affiliates and their attributed sales in the console."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.console import ActionPage, ReadOnlyAdmin, admin_link, posted, service_form_view
from marketplace.models import Order
from royalty.models import Affiliate, Attribution
from royalty.services.affiliates import CATEGORY_MAX_LENGTH, affiliate_create, attribution_create
from royalty.services.common import user_is_finance


class AffiliateForm(forms.ModelForm):
    class Meta:
        model = Affiliate
        fields = ["name", "kind", "seller", "user", "currency", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # What a statement was computed for does not change: kind, store and currency stay.
            for name in ("kind", "seller", "currency"):
                self.fields[name].disabled = True


class AttributeSaleForm(forms.Form):
    order = forms.CharField(label="Order number", max_length=32, help_text="e.g. SP-2026-000123")
    category = forms.CharField(
        label="Product category",
        max_length=CATEGORY_MAX_LENGTH,
        required=False,
        help_text="For category rates; leave empty when the rule set has none.",
    )

    def clean_order(self) -> Order:
        number = self.cleaned_data["order"].strip()
        order = Order.objects.filter(number=number).first()
        if order is None:
            raise ValidationError("No order has this number.", code="does_not_exist")
        return order


@admin.register(Affiliate)
class AffiliateAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "seller", "user", "currency", "is_active", "created_at")
    list_filter = ("kind", "is_active", "currency")
    search_fields = ("name", "seller__name", "user__username", "user__email")
    list_select_related = ("seller", "user")
    autocomplete_fields = ("seller", "user")
    form = AffiliateForm
    action_pages = (ActionPage("attribute", "attribute_view", "has_finance_permission", "can_attribute"),)

    def has_finance_permission(self, request: HttpRequest) -> bool:
        return user_is_finance(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_finance_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_finance_permission(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("created_at",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Affiliate, form: Any, change: bool) -> None:
        if change:
            # Name, user and active flag: plain attributes of the affiliate, no statement reads them.
            obj.save(update_fields=["name", "user", "is_active"])
            return
        created = affiliate_create(
            actor=request.user,  # type: ignore[arg-type]
            name=obj.name,
            kind=obj.kind,
            user=obj.user,
            seller=obj.seller,
            currency=obj.currency,
            now=timezone.now(),
        )
        obj.pk = created.pk
        obj.created_at = created.created_at

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class ServiceCheckedForm(form_class):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                data: dict[str, Any] = super().clean()
                if self.instance.pk is None:
                    kind, seller = data.get("kind"), data.get("seller")
                    if kind == "seller" and seller is None:
                        self.add_error("seller", "A seller affiliate names its store.")
                    elif kind and kind != "seller" and seller is not None:
                        self.add_error("seller", "Only a seller affiliate names a store.")
                    elif seller is not None and Affiliate.objects.filter(seller=seller).exists():
                        self.add_error("seller", "This store is an affiliate already.")
                return data

        return ServiceCheckedForm

    def attribute_view(self, request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=affiliate,
            form=AttributeSaleForm(posted(request)),
            title=f"Attribute a sale to {affiliate}",
            intro=(
                "The order's total, currency and date are copied; one affiliate per order. The commission is "
                "computed when the period's statement is generated, from the rule set in force."
            ),
            submit_label="Attribute the sale",
            run=lambda call: attribution_create(
                actor=call.actor,
                affiliate=affiliate,
                order=call.data["order"],
                category=call.data["category"],
                now=call.now,
            ),
            success_message=lambda attribution: f"Order {attribution.order} attributed to {affiliate}.",
        )


@admin.register(Attribution)
class AttributionAdmin(ReadOnlyAdmin):
    list_display = ("order", "affiliate_link", "sold_at", "amount", "currency", "product", "category")
    list_filter = ("affiliate__kind", "currency")
    search_fields = ("order__number", "affiliate__name")
    list_select_related = ("order", "affiliate", "product")
    date_hierarchy = "sold_at"
    readonly_fields = (
        "affiliate",
        "order",
        "product",
        "category",
        "amount",
        "currency",
        "sold_at",
        "created_by",
        "created_at",
    )

    @admin.display(description="Affiliate", ordering="affiliate__name")
    def affiliate_link(self, obj: Attribution) -> Any:
        return admin_link(obj.affiliate)
