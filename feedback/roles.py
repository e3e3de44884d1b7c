"""What each staff group may do with feedback (``accounts.services.roles``).

Support and moderators read the surveys and the log, re-categorise and keep the keyword rules and
action plans; finance reads (royalty uses the figures)."""

_READ = [
    "feedback.view_surveyinvitation",
    "feedback.view_surveyresponse",
    "feedback.view_feedbackentry",
    "feedback.view_categoryrule",
    "feedback.view_actionplan",
    "feedback.view_categoryowner",
    "feedback.view_recategorisation",
]
_WORK = [
    *_READ,
    "feedback.change_surveyresponse",
    "feedback.change_feedbackentry",
    "feedback.add_categoryrule",
    "feedback.change_categoryrule",
    "feedback.delete_categoryrule",
    "feedback.add_actionplan",
    "feedback.change_actionplan",
    "feedback.add_categoryowner",
    "feedback.delete_categoryowner",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "support": _WORK,
    "moderator": _WORK,
    "finance": _READ,
}
