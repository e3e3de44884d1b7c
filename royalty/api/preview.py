"""``GET /api/v1/affiliates/<id>/preview/``: what the affiliate would earn this month if it closed
now (finance and admins; the affiliate's own user or store members; 404 for anyone else)."""

from dataclasses import asdict

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
from core.exceptions import InvalidInput
from core.permissions import IsAuthenticatedUser
from royalty.selectors.mine import affiliate_get_visible
from royalty.selectors.preview import affiliate_preview


def reject_query_params(request: Request) -> None:
    """These endpoints read no query parameter: an unknown one is a 400 naming it."""
    for name in request.query_params:
        raise InvalidInput(f"Unknown parameter {name!r}.", code="unknown_parameter", field=name)


class PreviewFigureSerializer(serializers.Serializer):
    metric = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    details = serializers.DictField(child=serializers.IntegerField(), help_text="Counts behind the value.")
    tier_min_value = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    multiplier = serializers.DecimalField(max_digits=6, decimal_places=4)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    next_tier_min_value = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    next_tier_multiplier = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    to_next_tier = serializers.CharField(allow_null=True)
    standing_effect = serializers.CharField(help_text="What the seller's standing did to this tier ('' if nothing).")


class PreviewLineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    description = serializers.CharField()


class RuleSetRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    affiliate = serializers.IntegerField(source="affiliate_id")
    affiliate_name = serializers.CharField()
    kind = serializers.CharField()
    period = serializers.CharField(help_text="The month so far, e.g. `2026-12`.")
    start = serializers.DateTimeField()
    as_of = serializers.DateTimeField()
    currency = serializers.CharField()
    ruleset = RuleSetRefSerializer(allow_null=True)
    standing = serializers.CharField(
        allow_null=True, help_text="A seller's standing for the quarter before (it moves the tiers)."
    )
    sales = serializers.IntegerField()
    sales_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    base_commission = serializers.DecimalField(max_digits=14, decimal_places=2)
    figures = PreviewFigureSerializer(many=True)
    performance = serializers.DecimalField(max_digits=14, decimal_places=2)
    clawbacks = serializers.IntegerField()
    clawback_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    lines = PreviewLineSerializer(many=True)


class AffiliatePreviewApi(APIView):
    permission_classes = [IsAuthenticatedUser]

    @extend_schema(
        operation_id="affiliate_preview",
        summary="What the affiliate would earn this month if it closed now, and what moves it to the next tier",
        responses={200: PreviewSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        user: User = request.user  # type: ignore[assignment]
        affiliate = affiliate_get_visible(user=user, pk=pk)
        if affiliate is None:
            raise NotFound()
        reject_query_params(request)
        preview = affiliate_preview(affiliate=affiliate, now=timezone.now())
        return Response(PreviewSerializer(asdict(preview)).data)


urlpatterns = [
    path("affiliates/<id:pk>/preview/", AffiliatePreviewApi.as_view(), name="affiliates-preview"),
]
