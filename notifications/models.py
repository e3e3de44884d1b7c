from django.conf import settings
from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    """Every notification the platform sends. Apps add their kinds here as they arrive."""

    INQUIRY_RECEIVED = "inquiry_received", "New buyer inquiry"
    INQUIRY_WARNING = "inquiry_warning", "Inquiry close to its response deadline"
    INQUIRY_ESCALATED = "inquiry_escalated", "Inquiry escalated to support"
    INQUIRY_ANSWERED = "inquiry_answered", "Seller replied"
    INQUIRY_EXCLUSIONS_FLAGGED = "inquiry_exclusions_flagged", "Unusual share of inquiries excluded"
    SELLER_STANDING = "seller_standing", "Seller standing decided"
    LOW_RATING_REVIEW = "low_rating_review", "Low-rating review"
    REVIEW_ESCALATED = "review_escalated", "Review escalated"
    REVIEW_RESPONSE = "review_response", "Response to your review"
    REVIEW_RESPONSE_FLAGGED = "review_response_flagged", "Review response waiting for moderation"
    REVIEW_RESPONSE_MODERATED = "review_response_moderated", "Review response moderated"
    REVIEW_MODERATED = "review_moderated", "Review moderated"
    REVIEW_CASE_UPDATE = "review_case_update", "Review case update"
    SURVEY_INVITATION = "survey_invitation", "Satisfaction survey"
    ORDER_STATUS_CHANGED = "order_status_changed", "Order status changed"
    INVOICE_ISSUED = "invoice_issued", "Invoice issued"
    INVOICE_REISSUED = "invoice_reissued", "Invoice reissued"
    REFUND_ISSUED = "refund_issued", "Refund issued"
    RECEIPT_SENT = "receipt_sent", "Receipt sent"


class EmailStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", "No email"
    PENDING = "pending", "Queued"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (will retry)"
    GAVE_UP = "gave_up", "Failed (gave up)"


class Notification(models.Model):
    """An in-app notification; its email copy is sent after the transaction that caused it commits."""

    # No index of their own: ``(recipient, -created_at)`` serves every read by recipient, and the
    # sweeps insert thousands of rows at once (each index is a write per row).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_last_attempt_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_created_idx"),
            # The send task's claim: the queued emails, oldest first.
            models.Index(fields=["id"], condition=Q(email_status="pending"), name="notif_email_pending_idx"),
            # The retry sweep's: failed ones, and ones claimed by a worker that never marked them.
            models.Index(
                fields=["email_last_attempt_at"],
                condition=Q(email_status__in=["failed", "sending"]),
                name="notif_email_retry_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
