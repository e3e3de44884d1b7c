"""The "Feedback" control every page's footer carries (``templates/base.html``): a link to the
feedback page (works without JavaScript) and the same form in a dialog that ``feedback.js`` opens."""

from typing import Any

from django import template

from feedback.forms import FeedbackForm
from feedback.pages import interface_for_path, safe_back

register = template.Library()


@register.inclusion_tag("feedback/_control.html", takes_context=True)
def feedback_control(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    back = safe_back(request.get_full_path()) if request is not None else "/"
    path = request.path if request is not None else "/"
    form = FeedbackForm(initial={"interface": interface_for_path(path), "back": back}, auto_id="feedback-%s")
    return {"form": form, "back": back, "csrf_token": context.get("csrf_token")}
