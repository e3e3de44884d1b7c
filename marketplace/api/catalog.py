"""Catalog API: sellers (stores) and products.

- ``GET /sellers/``, ``GET /sellers/<id>/`` — any logged-in user (store information is public to
  them); ``POST /sellers/`` — ``marketplace.add_seller`` (integration, admins).
- ``GET /products/`` and detail — any logged-in user; ``POST /products/`` — ``marketplace.add_product``
  for any seller, or a seller member for their own sellers (another seller's id is a 400 on
  ``seller``, as if it did not exist); anyone else 403.
"""

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.errors import error_responses
from core.api.fields import IdField, SingleLineCharField
from core.api.filters import FilterBackend, SafeSearchFilter, StableOrderingFilter
from core.api.routers import IdRouter
from core.permissions import HasRolePermission
from marketplace.api.filters import ProductFilter, SellerFilter
from marketplace.models import Currency, Product, Seller
from marketplace.selectors.catalog import (
    product_list,
    seller_list,
    seller_list_for_product_create,
    user_may_create_products,
)
from marketplace.services.catalog import product_create, seller_create


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


# --- Serializers ------------------------------------------------------------------------------


class SellerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.SlugField()
    email = serializers.CharField(help_text="Email address; empty when none is on file.")
    is_active = serializers.BooleanField()
    product_count = serializers.IntegerField(help_text="Active products in the store's catalog.")
    created_at = serializers.DateTimeField()


class SellerCreateInputSerializer(serializers.Serializer):
    name = SingleLineCharField(max_length=200)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")


class ProductOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    seller = serializers.IntegerField(source="seller_id")
    name = serializers.CharField()
    sku = serializers.CharField()
    description = serializers.CharField()
    price = _money()
    currency = serializers.ChoiceField(choices=Currency.choices)
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class ProductCreateInputSerializer(serializers.Serializer):
    seller = IdField()
    name = SingleLineCharField(max_length=200)
    sku = SingleLineCharField(max_length=64)
    price = _money(min_value=0)
    currency = serializers.ChoiceField(choices=Currency.choices)
    description = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")

    def validate_seller(self, value: int) -> Seller:
        seller = seller_list_for_product_create(actor=self.context["request"].user).filter(pk=value).first()
        if seller is None:
            raise serializers.ValidationError(f'Invalid pk "{value}" - object does not exist.', code="does_not_exist")
        return seller


# --- Views ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: SellerOutputSerializer(many=True), **error_responses(400, 401)}),
    retrieve=extend_schema(responses={200: SellerOutputSerializer, **error_responses(401, 404)}),
    create=extend_schema(
        request=SellerCreateInputSerializer,
        responses={201: SellerOutputSerializer, **error_responses(400, 401, 403)},
        description="Create a store (integration, admins). The slug is derived from the name and made unique.",
    ),
)
class SellerViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    action_permissions = {"create": "marketplace.add_seller"}
    serializer_class = SellerOutputSerializer
    filterset_class = SellerFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name", "id"]

    def get_queryset(self) -> QuerySet[Seller]:
        return seller_list(actor=self.request.user)  # type: ignore[arg-type]

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(SellerOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(SellerOutputSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        serializer = SellerCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        seller = seller_create(actor=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        created = seller_list(actor=request.user).get(pk=seller.pk)  # type: ignore[arg-type]
        return Response(SellerOutputSerializer(created).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(responses={200: ProductOutputSerializer(many=True), **error_responses(400, 401)}),
    retrieve=extend_schema(responses={200: ProductOutputSerializer, **error_responses(401, 404)}),
    create=extend_schema(
        request=ProductCreateInputSerializer,
        responses={201: ProductOutputSerializer, **error_responses(400, 401, 403)},
        description="Add a product. Integration and admins for any seller; seller members for their own "
        "sellers. The SKU is unique within the seller.",
    ),
)
class ProductViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    action_permissions: dict[str, Any] = {"create": lambda user: user_may_create_products(actor=user)}
    serializer_class = ProductOutputSerializer
    filterset_class = ProductFilter
    filter_backends = [FilterBackend, SafeSearchFilter, StableOrderingFilter]
    search_fields = ["name"]
    ordering_fields = ["price", "created_at", "id"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[Product]:
        return product_list(actor=self.request.user)  # type: ignore[arg-type]

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ProductOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ProductOutputSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        serializer = ProductCreateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        product = product_create(actor=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        return Response(ProductOutputSerializer(product).data, status=status.HTTP_201_CREATED)


router = IdRouter()
router.register("sellers", SellerViewSet, basename="sellers")
router.register("products", ProductViewSet, basename="products")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
