"""The notifications reviews sends (registered with ``notifications``; group ``reviews``)."""

from django.db import models

from notifications.models import register_kinds


class Kind(models.TextChoices):
    LOW_RATING_REVIEW = "low_rating_review", "Low-rating review"
    REVIEW_ESCALATED = "review_escalated", "Review escalated"
    REVIEW_RESPONSE = "review_response", "Response to your review"
    REVIEW_RESPONSE_FLAGGED = "review_response_flagged", "Review response waiting for moderation"
    REVIEW_RESPONSE_MODERATED = "review_response_moderated", "Review response moderated"
    REVIEW_MODERATED = "review_moderated", "Review moderated"
    REVIEW_CASE_UPDATE = "review_case_update", "Review case update"


register_kinds(Kind, group="reviews", deadline={Kind.LOW_RATING_REVIEW, Kind.REVIEW_ESCALATED})
