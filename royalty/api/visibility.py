"""``GET /api/v1/sellers/<id>/visibility/`` and ``GET /api/v1/products/<id>/visibility/``: the
visibility score the storefront ranks by, with its figures and the formula.

Who reads: staff (the storefront reads as the integration client) and the seller's own members
(a product's: its store's). Anyone else gets 404, as for an unknown id. A seller or product the
refresh sweep has not reached yet is computed on demand."""

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api.errors import error_responses
from core.permissions import IsAuthenticatedUser
from marketplace.models import Product
from marketplace.selectors.scoping import seller_get_visible
from royalty.api.preview import reject_query_params
from royalty.models import VisibilityScore
from royalty.services.visibility import visibility_for_product, visibility_for_seller, visibility_formula


class VisibilitySerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="0-100; higher ranks first.")
    rating = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    reviews = serializers.IntegerField()
    response_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    inquiries = serializers.IntegerField()
    csat = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    csat_responses = serializers.IntegerField()
    computed_at = serializers.DateTimeField()
    formula = serializers.CharField()


def _payload(score: VisibilityScore) -> dict[str, object]:
    return {
        "score": score.score,
        "rating": score.rating,
        "reviews": score.reviews,
        "response_rate": score.response_rate,
        "inquiries": score.inquiries,
        "csat": score.csat,
        "csat_responses": score.csat_responses,
        "computed_at": score.computed_at,
        "formula": visibility_formula(),
    }


class SellerVisibilityApi(APIView):
    permission_classes = [IsAuthenticatedUser]

    @extend_schema(
        operation_id="seller_visibility",
        summary="A seller's visibility score (staff, the storefront, the seller's members)",
        responses={200: VisibilitySerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        seller = seller_get_visible(user=request.user, pk=pk)  # type: ignore[arg-type]
        if seller is None:
            raise NotFound()
        reject_query_params(request)
        return Response(VisibilitySerializer(_payload(visibility_for_seller(seller=seller, now=timezone.now()))).data)


class ProductVisibilityApi(APIView):
    permission_classes = [IsAuthenticatedUser]

    @extend_schema(
        operation_id="product_visibility",
        summary="A product's visibility score (staff, the storefront, its store's members)",
        responses={200: VisibilitySerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        user: User = request.user  # type: ignore[assignment]
        product = Product.objects.filter(pk=pk).first()
        if product is None or seller_get_visible(user=user, pk=product.seller_id) is None:
            raise NotFound()
        reject_query_params(request)
        return Response(
            VisibilitySerializer(_payload(visibility_for_product(product=product, now=timezone.now()))).data
        )


urlpatterns = [
    path("sellers/<id:pk>/visibility/", SellerVisibilityApi.as_view(), name="seller-visibility"),
    path("products/<id:pk>/visibility/", ProductVisibilityApi.as_view(), name="product-visibility"),
]
