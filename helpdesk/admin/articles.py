from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from helpdesk.models import Article
from helpdesk.services.articles import article_save, markdown_render


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Staff write help centre articles here (Markdown); publishing stamps the date."""

    list_display = ("title", "audience", "topic", "status", "published_at", "updated_at")
    list_filter = ("audience", "topic", "status")
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    fields = ("title", "slug", "audience", "topic", "summary", "body", "status", "published_at", "preview")
    readonly_fields = ("published_at", "preview")

    @admin.display(description="Preview")
    def preview(self, obj: Article) -> SafeString:
        return format_html('<div class="sp-message-body">{}</div>', markdown_render(obj.body or ""))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        article_save(article=obj, now=timezone.now())

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # unpublish (draft) instead
