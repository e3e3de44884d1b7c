"""The customer's survey pages and the feedback form.

- ``/surveys/<token>/`` — no login, a phone in a few taps: big 1 to 5 buttons, the optional questions,
  then a thank-you page. GET records nothing (mail scanners follow links); the answer is a POST
  (CSRF applies). Expired: a friendly 410 page; answered: "already answered, thank you" (409); no
  such survey: the 404 page.
- ``/surveys/`` — the signed-in customer's open surveys.
- ``/feedback/?from=<path>`` — the "Feedback" control's form (the dialog on every page posts
  here too): anyone, rate limited per address (per user when signed in); back to the page with a
  thank-you message.

Every write is one service call; the services check the answers."""

from typing import Any, cast

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from core.exceptions import DomainError, Gone, NotFound, StateConflict
from core.forms import attach_domain_error
from feedback.forms import FeedbackForm, SurveyForm
from feedback.models import Interface, SurveyInvitation
from feedback.pages import interface_for_path, safe_back
from feedback.selectors.surveys import survey_invitation_get_by_token, survey_invitation_list_open
from feedback.services.answers import invitation_answerable, survey_answer
from feedback.services.entries import feedback_log
from feedback.throttling import FeedbackLogThrottle, SurveyTokenThrottle

THANKS = "Thank you for your feedback — it goes straight to the team that looks after it."


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/too_many.html", status=429)


def _closed(request: HttpRequest, error: DomainError, invitation: SurveyInvitation | None) -> HttpResponse:
    if isinstance(error, NotFound):
        raise Http404("No such survey.")
    template = "feedback/survey_gone.html" if isinstance(error, Gone) else "feedback/survey_answered.html"
    return render(request, template, {"invitation": invitation}, status=410 if isinstance(error, Gone) else 409)


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    if not SurveyTokenThrottle().allows(request):
        return _too_many(request)
    now = timezone.now()
    found = survey_invitation_get_by_token(token=token)
    try:
        invitation = invitation_answerable(found, now=now)
    except (NotFound, Gone, StateConflict) as error:
        return _closed(request, error, found)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            answers = form.cleaned_data
            try:
                survey_answer(token=token, **answers, now=timezone.now())
            except (Gone, StateConflict, NotFound) as error:
                return _closed(request, error, invitation)
            except DomainError as error:
                attach_domain_error(form, error)
            else:
                return render(request, "feedback/survey_thanks.html", {"invitation": invitation})
        status = 400
    return render(request, "feedback/survey.html", {"invitation": invitation, "form": form}, status=status)


@require_GET
@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    invitations = list(survey_invitation_list_open(user=user, now=timezone.now())[:50])
    return render(request, "feedback/survey_list.html", {"invitations": invitations})


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    back = safe_back(request.POST.get("back", "") if request.method == "POST" else request.GET.get("from", ""))
    initial: dict[str, Any] = {"interface": interface_for_path(back), "back": back}
    form = FeedbackForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if not FeedbackLogThrottle().allows(request):
            return _too_many(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                feedback_log(
                    interface=data["interface"],
                    body=data["body"],
                    rating=data["rating"],
                    category=data["category"],
                    page=back,
                    user=cast(User, request.user),
                    now=timezone.now(),
                )
            except DomainError as error:
                attach_domain_error(form, error)
            else:
                flash.success(request, THANKS)
                return redirect(back)
        status = 400
    context = {"form": form, "back": back, "interface_label": Interface(initial["interface"]).label}
    return render(request, "feedback/feedback.html", context, status=status)
