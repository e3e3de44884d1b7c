"""Who may take which reviews action. Role groups carry the permissions (``reviews.roles``);
admins have them all. Visibility (404) is the selectors' business, not this module's."""

from typing import Any

from accounts.selectors.users import user_has_permission

RESPOND_PERMISSION = "reviews.add_reviewresponse"  # support, moderators: respond as staff
MODERATE_REVIEWS_PERMISSION = "reviews.change_review"  # moderators: hide / remove / restore reviews
MODERATE_RESPONSES_PERMISSION = "reviews.change_reviewresponse"  # moderators: approve / edit / hide responses
WORK_CASES_PERMISSION = "reviews.change_reviewcase"  # support, moderators: work review cases
PLATFORM_TEMPLATES_PERMISSION = "reviews.add_responsetemplate"  # moderators: platform templates
# The console's review metrics report: staff who read reviews (support, moderators). Finance and
# integration hold no reviews permission; they have the metrics API (``reviews.api.metrics``).
METRICS_REPORT_PERMISSION = "reviews.view_review"


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def user_may_respond_as_staff(user: Any) -> bool:
    return _active(user) and user_has_permission(user, RESPOND_PERMISSION)


def user_may_moderate_reviews(user: Any) -> bool:
    return _active(user) and user_has_permission(user, MODERATE_REVIEWS_PERMISSION)


def user_may_moderate_responses(user: Any) -> bool:
    return _active(user) and user_has_permission(user, MODERATE_RESPONSES_PERMISSION)


def user_may_work_cases(user: Any) -> bool:
    return _active(user) and user_has_permission(user, WORK_CASES_PERMISSION)


def user_may_manage_platform_templates(user: Any) -> bool:
    return _active(user) and user_has_permission(user, PLATFORM_TEMPLATES_PERMISSION)


def user_may_see_review_metrics_report(user: Any) -> bool:
    return _active(user) and user_has_permission(user, METRICS_REPORT_PERMISSION)
