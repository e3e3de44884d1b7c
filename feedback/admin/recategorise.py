"""Re-categorising an answer or a feedback entry from the console: one page per record and a
changelist action for several, both calling ``feedback_recategorise`` (audited)."""

from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from core.console import (
    ActionPage,
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    ServiceCall,
    bulk_service_action,
    posted,
    service_form_view,
)
from feedback.models import Category, Recategorisation
from feedback.services.entries import RECATEGORISE_PERMISSIONS, feedback_recategorise


class RecategoriseForm(forms.Form):
    category = forms.ChoiceField(label="Category", choices=[("", "— none —"), *Category.choices], required=False)
    is_feature_request = forms.BooleanField(label="A feature request", required=False)
    reason = forms.CharField(label="Why", max_length=200, help_text="Kept in the audit with your name.")


class RecategorisationInline(ReadOnlyTabularInline):
    model = Recategorisation
    fields = (
        "created_at",
        "actor",
        "from_category",
        "to_category",
        "from_feature_request",
        "to_feature_request",
        "reason",
    )
    readonly_fields = fields
    related = ("actor",)
    verbose_name_plural = "Re-categorisations (audit)"


class RecategorisableAdmin(ReadOnlyAdmin):
    """A read-only record staff with the model's change permission re-categorise."""

    action_pages: ClassVar[tuple[ActionPage, ...]] = (
        ActionPage("recategorise", "recategorise_view", "has_recategorise_permission", "can_recategorise"),
    )
    actions = ("recategorise_selected",)

    def has_recategorise_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(RECATEGORISE_PERMISSIONS[self.model]))

    def _is_feature_request(self, obj: Any) -> bool:
        raise NotImplementedError

    def _label(self, obj: Any) -> str:
        return str(obj)

    def _run(self, obj: Any, call: ServiceCall) -> object:
        return feedback_recategorise(
            target=obj,
            category=call.data["category"],
            is_feature_request=call.data["is_feature_request"],
            reason=call.data["reason"],
            actor=call.actor,
            now=call.now,
        )

    def recategorise_view(self, request: HttpRequest, obj: Any) -> HttpResponse:
        initial = {"category": obj.category, "is_feature_request": self._is_feature_request(obj)}
        return service_form_view(
            self,
            request,
            obj=obj,
            form=RecategoriseForm(posted(request), initial=initial),
            title="Re-categorise",
            intro="Set the category the reports count this under. The change is kept with your name and reason.",
            submit_label="Re-categorise",
            run=lambda call: self._run(obj, call),
            success_message=lambda audit: "Re-categorised." if audit is not None else "Nothing changed.",
            details=[("Text", self._label(obj)), ("Category now", obj.get_category_display() or "none")],
        )

    @admin.action(description="Re-categorise selected")
    def recategorise_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        if not self.has_recategorise_permission(request):
            self.message_user(request, "Only support and moderators re-categorise feedback.", level=40)
            return None
        return bulk_service_action(
            self,
            request,
            queryset,
            run=self._run,
            verb="Re-categorised",
            label=lambda obj: f"#{obj.pk}",
            form_class=RecategoriseForm,
            title="Re-categorise the selected feedback",
            intro="The same category for each; each change is kept with your name and reason.",
        )
