from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone

from core.console import ReadOnlyAdmin, acting_user
from feedback.models import Category, CategoryOwner, CategoryRule, Recategorisation
from feedback.services.categorise import categorise, keyword_pattern, rules_active


class CategoryRuleForm(forms.ModelForm):
    class Meta:
        model = CategoryRule
        fields = ("keyword", "category", "marks_feature_request", "position", "is_active")

    def clean_keyword(self) -> str:
        keyword = " ".join(str(self.cleaned_data["keyword"]).split()).lower()
        if not keyword or "\x00" in keyword:
            raise forms.ValidationError("A word or a phrase.")
        return keyword


class RuleTestForm(forms.Form):
    text = forms.CharField(
        label="Text",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="As a customer might write it.",
    )


@admin.register(CategoryRule)
class CategoryRuleAdmin(admin.ModelAdmin):
    """The keyword rules that categorise answers and feedback the customer did not categorise:
    lower position first; whole words, any case. "Test a text" shows what the rules make of one."""

    form = CategoryRuleForm
    list_display = ("keyword", "category", "marks_feature_request", "position", "is_active", "created_by")
    list_editable = ("position", "is_active")
    list_filter = ("category", "marks_feature_request", "is_active")
    search_fields = ("keyword",)
    list_select_related = ("created_by",)
    ordering = ("position", "id")

    def save_model(self, request: HttpRequest, obj: CategoryRule, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = acting_user(request)
            obj.created_at = timezone.now()
        super().save_model(request, obj, form, change)

    def get_urls(self) -> list[URLPattern]:
        test = path("test/", self.admin_site.admin_view(self.test_view), name="feedback_categoryrule_test")
        return [test, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return super().changelist_view(request, {"show_rule_test": True, **(extra_context or {})})

    def test_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = RuleTestForm(request.POST or None)
        result = matches = None
        if request.method == "POST" and form.is_valid():
            rules = rules_active()
            text = form.cleaned_data["text"]
            result = categorise(text, rules=rules)
            matches = [rule for rule in rules if keyword_pattern(rule.keyword).search(text)]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Test a text against the keyword rules",
            "form": form,
            "result": result,
            "category_label": dict(Category.choices).get(result.category, "none") if result else "",
            "matches": matches,
        }
        return TemplateResponse(request, "admin/feedback/categoryrule/test.html", context)


@admin.register(CategoryOwner)
class CategoryOwnerAdmin(admin.ModelAdmin):
    """Who is told when a category falls below the target or rises sharply."""

    list_display = ("category", "user")
    list_filter = ("category",)
    list_select_related = ("user",)
    autocomplete_fields = ()
    raw_id_fields = ("user",)


@admin.register(Recategorisation)
class RecategorisationAdmin(ReadOnlyAdmin):
    """The audit of every re-categorisation: who, when, from, to, why."""

    list_display = ("created_at", "actor", "target", "from_category", "to_category", "to_feature_request", "reason")
    list_filter = ("to_category", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("actor",)
    readonly_fields = (
        "response",
        "entry",
        "from_category",
        "to_category",
        "from_feature_request",
        "to_feature_request",
        "reason",
        "actor",
        "created_at",
    )

    @admin.display(description="Of")
    def target(self, obj: Recategorisation) -> str:
        return f"answer #{obj.response_id}" if obj.response_id else f"feedback #{obj.entry_id}"
