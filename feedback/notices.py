"""The notifications feedback sends (registered with ``notifications``; group ``surveys``)."""

from django.db import models

from notifications.models import register_kinds


class Kind(models.TextChoices):
    SURVEY_INVITATION = "survey_invitation", "How did we do?"
    SURVEY_REMINDER = "survey_reminder", "Survey reminder"
    CSAT_ALERT = "csat_alert", "Category below target or rising"
    CSAT_REPORT = "csat_report", "Monthly and quarterly CSAT report"


register_kinds(Kind, group="surveys")
