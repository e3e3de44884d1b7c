"""The core app's one table: the stored results of API writes sent with an ``Idempotency-Key``
(``core.idempotency``). Everything else in core is shared plumbing without models."""

from django.conf import settings
from django.db import models


class IdempotentRequest(models.Model):
    """The first successful answer to an API write sent with an ``Idempotency-Key``, kept for
    ``API_IDEMPOTENCY_TTL`` so that a retry of the same request (same user, key, method, path and
    body) gets the same answer and changes nothing. One row per (user, key): the unique constraint
    is also what makes a concurrent duplicate wait for the first to finish."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path, query and body.")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=2000, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_idempotent_request_user_key")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
