"""The notifications buyer-seller messaging sends (registered with ``notifications``): the
conversation's in group ``messages``; the seller's standing and the moderators' flag about a
store's exclusions in group ``standing``."""

from django.db import models

from notifications.models import register_kinds


class Kind(models.TextChoices):
    INQUIRY_RECEIVED = "inquiry_received", "New buyer inquiry"
    INQUIRY_WARNING = "inquiry_warning", "Inquiry close to its response deadline"
    INQUIRY_ESCALATED = "inquiry_escalated", "Inquiry escalated to support"
    INQUIRY_ANSWERED = "inquiry_answered", "Seller replied"
    INQUIRY_EXCLUSIONS_FLAGGED = "inquiry_exclusions_flagged", "Unusual share of inquiries excluded"
    SELLER_STANDING = "seller_standing", "Seller standing decided"


register_kinds(
    Kind,
    group="messages",
    groups={Kind.INQUIRY_EXCLUSIONS_FLAGGED: "standing", Kind.SELLER_STANDING: "standing"},
    deadline={Kind.INQUIRY_WARNING, Kind.INQUIRY_ESCALATED},
)
