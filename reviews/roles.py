"""What each staff group may do with reviews (``accounts.services.roles``)."""

# Support reads reviews, responds to them as staff and works review cases (reassign, restore,
# remove, resolve); moderators also moderate reviews and seller responses (strikes), and manage the
# platform's response templates.
_SUPPORT = [
    "reviews.view_review",
    "reviews.view_reviewresponse",
    "reviews.add_reviewresponse",
    "reviews.view_reviewevent",
    "reviews.view_recoveryfollowup",
    "reviews.view_reviewcase",
    "reviews.change_reviewcase",
    "reviews.view_reviewcaseevent",
    "reviews.view_responsetemplate",
    "reviews.view_productrating",
    "reviews.view_sellerrating",
]
_MODERATOR = [
    *_SUPPORT,
    "reviews.change_review",
    "reviews.change_reviewresponse",
    "reviews.view_sellerstrike",
    "reviews.add_responsetemplate",
    "reviews.change_responsetemplate",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {"support": _SUPPORT, "moderator": _MODERATOR}
