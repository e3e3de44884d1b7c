"""The survey page's form and the "Feedback" form. They only shape the page: the services check
every answer (``feedback.services.answers``, ``feedback.services.entries``), so the page and the
API refuse the same things the same way."""

from django import forms
from django.conf import settings

from core.forms import LimitedTextField
from feedback.models import Category, Interface

SCALE = [(str(value), str(value)) for value in range(1, 6)]
YES_NO = [("yes", "Yes"), ("no", "No")]
CATEGORY_CHOICES = [("", "Not sure / skip"), *Category.choices]


def _text(label: str, placeholder: str, *, required: bool = False) -> LimitedTextField:
    return LimitedTextField(
        label=label,
        required=required,
        strip=False,
        max_length=settings.FEEDBACK_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": placeholder}),
    )


class SurveyForm(forms.Form):
    overall = forms.ChoiceField(
        label="Overall, how satisfied are you?",
        choices=SCALE,
        widget=forms.RadioSelect,
        error_messages={"required": "Tap a number from 1 (very unhappy) to 5 (very happy)."},
    )
    ease = forms.ChoiceField(
        label="How easy was it to get this resolved?", choices=SCALE, widget=forms.RadioSelect, required=False
    )
    clear_solution = forms.ChoiceField(
        label="Was the solution clear?", choices=YES_NO, widget=forms.RadioSelect, required=False
    )
    response_time_ok = forms.ChoiceField(
        label="Were we quick enough?", choices=YES_NO, widget=forms.RadioSelect, required=False
    )
    issues = _text("What went wrong?", "Optional")
    suggestions = _text("What could we improve?", "Optional")
    category = forms.ChoiceField(label="What was the problem about?", choices=CATEGORY_CHOICES, required=False)


class FeedbackForm(forms.Form):
    interface = forms.ChoiceField(label="About", choices=Interface.choices)
    rating = forms.ChoiceField(
        label="How is it going? (optional)", choices=SCALE, widget=forms.RadioSelect, required=False
    )
    body = _text("Your feedback", "What works, what does not, what you miss.", required=True)
    category = forms.ChoiceField(label="Topic (optional)", choices=CATEGORY_CHOICES, required=False)
    back = forms.CharField(required=False, widget=forms.HiddenInput)
