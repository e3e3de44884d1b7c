"""Sellers, their members and products in the console: reference data staff maintain by hand
(editable), and the users' store memberships on accounts' user page."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from accounts.models import User
from marketplace.models import (
    Product,
    Seller,
    SellerMembership,
)

# --- Sellers, members, products (editable reference data) -------------------------------------


class SellerMembershipInline(admin.TabularInline):
    """The members of a seller, on the seller's page."""

    model = SellerMembership
    fk_name = "seller"
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[SellerMembership]:
        return super().get_queryset(request).select_related("user")


class UserSellerMembershipInline(admin.TabularInline):
    """The stores a user belongs to, on the user's page."""

    model = SellerMembership
    fk_name = "user"
    extra = 0
    fields = ("seller", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("seller",)
    verbose_name = "seller membership"
    verbose_name_plural = "seller memberships"

    def get_queryset(self, request: HttpRequest) -> QuerySet[SellerMembership]:
        return super().get_queryset(request).select_related("seller")


# The user admin is accounts' (below marketplace: accounts may not import this), registered before
# this module by the admin's autodiscovery (INSTALLED_APPS order); marketplace adds the users'
# memberships inline to it through the site's registry rather than importing accounts' admin.
_user_admin = type(admin.site.get_model_admin(User))
_user_admin.inlines = [*_user_admin.inlines, UserSellerMembershipInline]


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "email", "is_active", "member_count", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "email")
    date_hierarchy = "created_at"
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at",)
    inlines = (SellerMembershipInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Seller]:
        # Explicitly ordered: Django leaves Meta.ordering out of a GROUP BY query, and the console's
        # seller autocomplete paginates this queryset (an unordered page warns and may repeat rows).
        return super().get_queryset(request).annotate(member_total=Count("memberships")).order_by("name", "id")

    @admin.display(description="Members", ordering="member_total")
    def member_count(self, obj: Seller) -> int:
        return obj.member_total  # type: ignore[attr-defined]


@admin.register(SellerMembership)
class SellerMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "seller", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "seller__name", "seller__slug")
    list_select_related = ("user", "seller")
    autocomplete_fields = ("user", "seller")
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "sku", "seller", "price", "currency", "is_active", "created_at")
    list_filter = ("is_active", "currency")
    search_fields = ("name", "sku", "seller__name")
    list_select_related = ("seller",)
    autocomplete_fields = ("seller",)
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"
