"""Response templates in the console: moderators maintain the platform's templates through the
template services; sellers' own are only shown. Archived, never deleted.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from core.console import (
    QueryFilter,
    acting_user,
    bulk_service_action,
)
from core.exceptions import InvalidInput
from reviews.models import (
    ResponseStatus,
    ResponseTemplate,
    ReviewStatus,
)
from reviews.services.templates import (
    _clean_fields,
    response_template_archive,
    response_template_create,
    response_template_update,
)

STATUS_TONES: dict[str, str] = {
    ReviewStatus.PUBLISHED: "current",
    ReviewStatus.HIDDEN: "due-soon",
    ReviewStatus.REMOVED: "superseded",
    ResponseStatus.PENDING_MODERATION: "due-soon",
    ResponseStatus.EDIT_REQUESTED: "unassigned",
}


class ResponseTemplateForm(forms.ModelForm):
    class Meta:
        model = ResponseTemplate
        fields = ("situation", "title", "body")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        # The service's own rules (lengths, NUL, known placeholders only); it runs them again on save.
        try:
            cleaned.update(
                _clean_fields(situation=cleaned.get("situation"), title=cleaned.get("title"), body=cleaned.get("body"))
            )
        except InvalidInput as error:
            raise ValidationError({error.field or "body": error.message}) from error
        # NULL sellers never collide in the unique constraint: check the platform's titles here.
        duplicates = ResponseTemplate.objects.filter(
            seller__isnull=True, archived_at__isnull=True, title=cleaned["title"]
        )
        if self.instance.pk is not None:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            raise ValidationError({"title": "A platform template with this title already exists."})
        return cleaned


class TemplateOwnerFilter(QueryFilter):
    title = "owner"
    parameter_name = "owner"
    conditions = {
        "platform": ("Platform templates", Q(seller__isnull=True)),
        "seller": ("Sellers' own", Q(seller__isnull=False)),
    }


class ArchivedFilter(QueryFilter):
    title = "archived"
    parameter_name = "archived"
    conditions = {"no": ("In use", Q(archived_at__isnull=True)), "yes": ("Archived", Q(archived_at__isnull=False))}


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    """Moderators maintain the platform's templates (every seller sees them) through the template
    services; a seller's own templates are the seller's and only shown here. Archived, never deleted."""

    form = ResponseTemplateForm
    list_display = ("title", "situation", "owner", "archived_at", "updated_at")
    list_filter = (TemplateOwnerFilter, ArchivedFilter, "situation")
    search_fields = ("title", "body", "seller__name")
    list_select_related = ("seller",)
    fields = ("owner", "situation", "title", "body", "created_by", "archived_at", "created_at", "updated_at")
    readonly_fields = ("owner", "created_by", "archived_at", "created_at", "updated_at")
    actions = ("archive_templates",)

    def has_change_permission(self, request: HttpRequest, obj: ResponseTemplate | None = None) -> bool:
        return super().has_change_permission(request, obj) and (
            obj is None or (obj.seller_id is None and obj.archived_at is None)
        )

    def has_delete_permission(self, request: HttpRequest, obj: ResponseTemplate | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ResponseTemplate, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in ("situation", "title", "body")}
        if change:
            saved = response_template_update(template=obj, actor=acting_user(request), **data)
        else:
            saved = response_template_create(actor=acting_user(request), seller=None, **data)
        obj.pk = saved.pk

    @admin.action(description="Archive selected templates (no longer offered)", permissions=["change"])
    def archive_templates(self, request: HttpRequest, queryset: QuerySet[ResponseTemplate]) -> None:
        bulk_service_action(
            self,
            request,
            queryset,
            run=lambda template, call: response_template_archive(template=template, actor=call.actor, now=call.now),
            verb="Archived",
            label=lambda template: f"“{template.title}”",
        )

    @admin.display(description="Owner", ordering="seller__name")
    def owner(self, obj: ResponseTemplate) -> str:
        return "Platform" if obj.seller_id is None else str(obj.seller)
