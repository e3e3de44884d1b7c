"""The notifications webhooks send (registered with ``notifications``; group ``integrations``)."""

from django.db import models

from notifications.models import register_kinds


class Kind(models.TextChoices):
    WEBHOOK_PAUSED = "webhook_paused", "Webhook endpoint paused"


register_kinds(Kind, group="integrations")
