"""Help centre API (``/api/v1/help/articles/``): published articles, no login needed."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from core.api.errors import error_responses
from core.api.filters import FilterBackend, StableOrderingFilter
from core.api.routers import IdRouter
from core.permissions import AllowAnyone
from helpdesk.models import Article, ArticleTopic, Audience
from helpdesk.selectors.tickets import article_list_published, article_search_q
from helpdesk.services.articles import markdown_render


class ArticleFilter(django_filters.FilterSet):
    audience = django_filters.ChoiceFilter(choices=Audience.choices)
    category = django_filters.ChoiceFilter(field_name="topic", choices=ArticleTopic.choices)
    q = django_filters.CharFilter(method="filter_q", max_length=200, help_text="Words in the title, summary or body.")

    class Meta:
        model = Article
        fields = ["audience", "category", "q"]

    def filter_q(self, queryset: QuerySet[Article], name: str, value: str) -> QuerySet[Article]:
        if "\x00" in value:
            raise serializers.ValidationError({"q": ["Null characters are not allowed."]})
        return queryset.filter(article_search_q(value))


class ArticleOutputSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="topic")
    body_html = serializers.SerializerMethodField(help_text="The body rendered (raw HTML escaped).")

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "title",
            "audience",
            "category",
            "summary",
            "body",
            "body_html",
            "published_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_body_html(self, article: Article) -> str:
        return str(markdown_render(article.body))


@extend_schema_view(
    list=extend_schema(
        summary="Published help centre articles (no login needed)",
        responses={200: ArticleOutputSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="A published help centre article", responses={200: ArticleOutputSerializer, **error_responses(404)}
    ),
)
class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAnyone]
    authentication_classes: list[Any] = []
    serializer_class = ArticleOutputSerializer
    filterset_class = ArticleFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["title", "published_at", "id"]

    def get_queryset(self) -> QuerySet[Article]:
        return article_list_published()


router = IdRouter()
router.register("help/articles", ArticleViewSet, basename="help-articles")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
