"""Outbound webhooks: endpoints other systems register, the outbox of domain events, and one
delivery (with its attempts) per event and endpoint.

The apps write an ``Event`` row in the same transaction as the change that causes it
(``webhooks.services.events``): if the change rolls back, the event never existed. After commit a
task fans each new event out to the active endpoints subscribed to its type (one ``Delivery`` per
event and endpoint, enforced by a unique constraint) and delivers them, claimed set-based like the
sweeps so any number of workers deliver each once. The resource in the body is rendered once, at
fan-out, and kept on the event (``payload``): every retry and every endpoint gets the same bytes.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class EventType(models.TextChoices):
    """The domain events integrators may subscribe to: ``<resource>.<what happened>``."""

    CONVERSATION_OPENED = "conversation.opened", "Conversation opened"
    CONVERSATION_ANSWERED = "conversation.answered", "Conversation answered"
    CONVERSATION_ESCALATED = "conversation.escalated", "Conversation escalated"
    REVIEW_POSTED = "review.posted", "Review posted"
    REVIEW_RESPONDED = "review.responded", "Review responded to"
    REVIEW_ESCALATED = "review.escalated", "Review escalated"
    REVIEW_CASE_RESOLVED = "review_case.resolved", "Review case resolved"
    TICKET_OPENED = "ticket.opened", "Ticket opened"
    TICKET_ESCALATED = "ticket.escalated", "Ticket escalated"
    TICKET_RESOLVED = "ticket.resolved", "Ticket resolved"
    SURVEY_ANSWERED = "survey.answered", "Survey answered"
    STATEMENT_APPROVED = "statement.approved", "Royalty statement approved"
    STATEMENT_PAID = "statement.paid", "Royalty statement paid"
    ORDER_STATUS_CHANGED = "order.status_changed", "Order status changed"
    REFUND_ISSUED = "refund.issued", "Refund issued"
    # Sent only to the endpoint it tests (``endpoint_ping``); nobody subscribes to it.
    PING = "webhook.ping", "Ping (test delivery)"


SUBSCRIBABLE_EVENT_TYPES = [value for value in EventType.values if value != EventType.PING]

# The resource each event carries: its ``resource_type`` names the renderer (``webhooks.resources``)
# that shows the resource as the API does.
EVENT_RESOURCE_TYPES: dict[str, str] = {
    EventType.CONVERSATION_OPENED: "conversation",
    EventType.CONVERSATION_ANSWERED: "conversation",
    EventType.CONVERSATION_ESCALATED: "conversation",
    EventType.REVIEW_POSTED: "review",
    EventType.REVIEW_RESPONDED: "review",
    EventType.REVIEW_ESCALATED: "review",
    EventType.REVIEW_CASE_RESOLVED: "review_case",
    EventType.TICKET_OPENED: "ticket",
    EventType.TICKET_ESCALATED: "ticket",
    EventType.TICKET_RESOLVED: "ticket",
    EventType.SURVEY_ANSWERED: "survey_response",
    EventType.STATEMENT_APPROVED: "royalty_statement",
    EventType.STATEMENT_PAID: "royalty_statement",
    EventType.ORDER_STATUS_CHANGED: "order",
    EventType.REFUND_ISSUED: "refund",
    EventType.PING: "webhook_endpoint",
}


class Endpoint(models.Model):
    """A URL that receives the events of the types it lists, signed with its secret. Staff register
    endpoints for anything; an ``integration`` client sees and manages only its own (``owner``)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text="The event types this endpoint receives.")
    # Shared with the receiver, which checks the signature with it; generated when not given.
    secret = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    # Set when delivery gave up after the retry window (the endpoint was paused, its owner told);
    # cleared when someone turns it on again.
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class Event(models.Model):
    """One domain event in the outbox. ``payload`` is null until the fan-out renders the resource
    (``dispatched_at`` set then); the event id is the ``X-SayPro-Event-Id`` of every delivery."""

    id = models.BigAutoField(primary_key=True)
    type = models.CharField(max_length=40, choices=EventType.choices)
    resource_type = models.CharField(max_length=40)
    resource_id = models.BigIntegerField()
    payload = models.JSONField(null=True, blank=True)
    # Ping events go to one endpoint only.
    endpoint = models.ForeignKey(Endpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    dispatched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The fan-out's claim: the events not yet dispatched, oldest first.
            models.Index(fields=["id"], condition=Q(dispatched_at__isnull=True), name="webhook_event_undispatched_idx"),
            models.Index(fields=["created_at"], name="webhook_event_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SUCCEEDED = "succeeded", "Delivered"
    RETRYING = "retrying", "Failed, will retry"
    FAILED = "failed", "Failed (gave up)"


class Delivery(models.Model):
    """One event for one endpoint: pending until sent, retried with backoff after a failure until
    ``WEBHOOKS_RETRY_WINDOW`` has passed, then failed. A replay is a new delivery of the same event
    (``replay_of``), so the receiver sees the same event id again."""

    id = models.BigAutoField(primary_key=True)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When the retry window (``WEBHOOKS_RETRY_WINDOW``) started: set by the first claim.
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            # The fan-out writes each event's delivery to an endpoint once, however many workers run it.
            models.UniqueConstraint(
                fields=["event", "endpoint"], condition=Q(replay_of__isnull=True), name="webhook_delivery_once"
            ),
        ]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint_idx"),
            # The sender's claim: what is due, per endpoint, oldest first (``id`` too: a backlog of
            # deliveries of one batch share one time, and the claim must stop after a few rows
            # rather than sort them all).
            models.Index(
                fields=["endpoint", "next_attempt_at", "id"],
                condition=Q(status__in=["pending", "retrying"]),
                name="webhook_delivery_due_idx",
            ),
            # The in-flight count of the concurrency limit and the release of expired leases: only
            # the few rows being sent are in it.
            models.Index(
                fields=["endpoint", "last_attempt_at"],
                condition=Q(status="sending"),
                name="webhook_delivery_sending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"delivery {self.id} of event {self.event_id} to endpoint {self.endpoint_id}"


class DeliveryAttempt(models.Model):
    """One HTTP request of a delivery: what came back (status, time taken, the first bytes)."""

    id = models.BigAutoField(primary_key=True)
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_once"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"
