"""The notifications the help desk sends (registered with ``notifications``; group ``tickets``)."""

from django.db import models

from notifications.models import register_kinds


class Kind(models.TextChoices):
    TICKET_RECEIVED = "ticket_received", "Help request received"
    TICKET_REPLY = "ticket_reply", "Reply to your help request"
    TICKET_ESCALATED = "ticket_escalated", "Help request passed to a department"
    TICKET_ASSIGNED = "ticket_assigned", "Ticket for your department"
    TICKET_WARNING = "ticket_warning", "Ticket target about to pass"
    TICKET_BREACHED = "ticket_breached", "Ticket target passed"
    TICKET_RESOLVED = "ticket_resolved", "Help request resolved"
    TICKET_REMINDER = "ticket_reminder", "Help request waiting for you"
    TICKET_CLOSED = "ticket_closed", "Help request closed"
    TICKET_FOLLOW_UP = "ticket_follow_up", "Ticket follow-up due"
    TICKET_CUSTOMER_REPLY = "ticket_customer_reply", "Customer replied on a ticket"


register_kinds(Kind, group="tickets", deadline={Kind.TICKET_WARNING, Kind.TICKET_BREACHED})
