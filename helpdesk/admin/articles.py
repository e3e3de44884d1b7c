from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.exceptions import InvalidInput
from core.figures import percent_text
from core.periods import parse_period, period_kind, shift_period
from helpdesk.models import Article
from helpdesk.selectors.help_centre import article_read_report
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

    def get_urls(self) -> list[URLPattern]:
        report = path("report/", self.admin_site.admin_view(self.report_view), name="helpdesk_article_report")
        return [report, *super().get_urls()]

    def report_view(self, request: HttpRequest) -> HttpResponse:
        """The help centre report: per ticket category, the signed-in readers of its articles in
        a month or quarter and how many did not open a ticket of that category afterwards."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        now = timezone.now()
        status = 200
        errors: list[str] = []
        try:
            period = parse_period(period=request.GET.get("period"), date_from=None, date_to=None, now=now)
        except InvalidInput as error:
            errors.append(error.message)
            status = 400
            period = parse_period(period=None, date_from=None, date_to=None, now=now)
        window = settings.HELPDESK_ARTICLE_DEFLECTION_WINDOW
        url = reverse("admin:helpdesk_article_report")
        kind = period_kind(period)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Help centre: readers who did not open a ticket",
            "period": period,
            "kind": kind,
            "errors": errors,
            "rows": [
                (row, percent_text(row.not_opened_pct)) for row in article_read_report(period=period, window=window)
            ],
            "window_days": window.days,
            "previous_url": f"{url}?period={shift_period(period, -1).label}",
            "next_url": f"{url}?period={shift_period(period, 1).label}" if shift_period(period, 1).start <= now else "",
            "month_url": f"{url}?period={now:%Y-%m}",
            "quarter_url": f"{url}?period={now.year}-Q{(now.month - 1) // 3 + 1}",
        }
        return TemplateResponse(request, "admin/helpdesk/article/report.html", context, status=status)
