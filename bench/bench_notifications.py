"""Notifications benchmarks (PostgreSQL).

``notifications_digest``: the daily digest sweep (``notification_digests_send``) for 100,000 users
with 3 queued notices each (300,000 rows in status ``digest``, over three groups; a smoke run: 300
users), every email built (subject, grouped body, signed one-click unsubscribe headers) and handed
to a mail backend that counts them and keeps nothing: the figure is the sweep's claiming, building
and marking, not a mail server's (building the MIME message as SMTP would adds about half again:
``render``). The users and their notices are generated in the database (``generate_series``),
beside the data set's own (which have nothing queued for a digest); the notices are removed
afterwards, the users kept for a later run. Goal: 30 s.
"""

import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.models import User
from bench.registry import Context, benchmark
from notifications.models import EmailStatus, Notification
from notifications.services.digest import notification_digests_send

GOAL_SECONDS = 30.0
NOTICES_PER_USER = 3
USERNAME_PREFIX = "digest-bench-"
USER_TABLE = User._meta.db_table
NOTIFICATION_TABLE = Notification._meta.db_table


class CountingBackend(BaseEmailBackend):
    """A mail backend that counts what it is given (and checks each message has a recipient and
    the one-click unsubscribe headers) and keeps nothing."""

    sent = 0
    with_unsubscribe = 0
    render = False  # True: build the MIME message as the SMTP and locmem backends do

    def send_messages(self, email_messages: Any) -> int:
        for message in email_messages:
            if CountingBackend.render:
                message.message()
            CountingBackend.sent += 1
            if "List-Unsubscribe" in message.extra_headers and "List-Unsubscribe-Post" in message.extra_headers:
                CountingBackend.with_unsubscribe += 1
        return len(email_messages)


def _execute(sql: str, params: dict[str, Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _remove() -> None:
    _execute(
        f"DELETE FROM {NOTIFICATION_TABLE} WHERE recipient_id IN "
        f"(SELECT id FROM {USER_TABLE} WHERE username LIKE %(prefix)s)",
        {"prefix": f"{USERNAME_PREFIX}%"},
    )
    # The users stay: deleting 100,000 users checks every table that refers to a user (70 s). The
    # benchmark database is its own (``bench.runner``), and a later run reuses them.


def generate(users: int, *, now: datetime) -> None:
    """``users`` buyers and sellers, each with one queued notice in three groups."""
    _remove()
    _execute(
        f"""
        INSERT INTO {USER_TABLE}
            (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
             date_joined, role, created_at, updated_at, time_zone)
        SELECT '!', FALSE, %(prefix)s || i, 'Digest', 'Reader ' || i, %(prefix)s || i || '@bench.example', FALSE,
               TRUE, %(now)s, CASE WHEN i %% 10 = 0 THEN 'seller' ELSE 'buyer' END, %(now)s, %(now)s, ''
        FROM generate_series(1, %(users)s) AS i
        ON CONFLICT (username) DO NOTHING
        """,
        {"prefix": USERNAME_PREFIX, "users": users, "now": now},
    )
    _execute(
        f"""
        INSERT INTO {NOTIFICATION_TABLE}
            (recipient_id, kind, title, body, link, email_status, email_attempts, created_at)
        SELECT u.id, kind.value, kind.title || ' #' || u.id, '', kind.link || u.id || '/', %(digest)s, 0,
               %(now)s - kind.n * interval '1 hour'
        FROM {USER_TABLE} AS u
        CROSS JOIN (VALUES (1, 'order_status_changed', 'Order shipped', '/orders/'),
                           (2, 'inquiry_answered', 'The store replied', '/messages/'),
                           (3, 'review_response', 'A response to your review', '/reviews/'))
             AS kind(n, value, title, link)
        WHERE u.username LIKE %(prefix)s AND u.id <= (
            SELECT id FROM {USER_TABLE} WHERE username = %(last)s
        )
        """,
        {
            "prefix": f"{USERNAME_PREFIX}%",
            "last": f"{USERNAME_PREFIX}{users}",
            "digest": EmailStatus.DIGEST.value,
            "now": now,
        },
    )
    _execute(f"VACUUM ANALYZE {USER_TABLE}")
    _execute(f"VACUUM ANALYZE {NOTIFICATION_TABLE}")


@benchmark("notifications_digest")
def notifications_digest(context: Context) -> dict[str, Any]:
    """The daily digest sweep for 100,000 users with 3 queued notices each: one email per user."""
    users = context.scaled(100_000, 300)
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    generate(users, now=now)
    context.log(
        f"  {users:,} users, {users * NOTICES_PER_USER:,} queued notices ({time.perf_counter() - started:.1f} s)"
    )
    CountingBackend.sent = CountingBackend.with_unsubscribe = 0
    backend = f"{CountingBackend.__module__}.{CountingBackend.__qualname__}"
    try:
        with (
            override_settings(DEBUG=False, EMAIL_BACKEND=backend, SITE_URL="https://desk.example.com"),
            CaptureQueriesContext(connection) as queries,
        ):
            begun = time.perf_counter()
            result = notification_digests_send(now=now)
            wall = time.perf_counter() - begun
        statements = len(queries.captured_queries)
        sent_rows = Notification.objects.filter(
            recipient__username__startswith=USERNAME_PREFIX, email_status=EmailStatus.SENT
        ).count()
    finally:
        _remove()
    assert result == {"digests": users, "notices": users * NOTICES_PER_USER, "failed": 0}, result
    assert CountingBackend.sent == users == CountingBackend.with_unsubscribe, CountingBackend.sent
    assert sent_rows == users * NOTICES_PER_USER, sent_rows
    batches = -(-users // settings.NOTIFICATIONS_DIGEST_BATCH_SIZE)
    context.log(
        f"  {CountingBackend.sent:,} digests in {wall:.1f} s ({users / wall:,.0f} per second),"
        f" {statements} statements over {batches} batches"
    )
    return {
        "users": users,
        "queued_notices": users * NOTICES_PER_USER,
        "digests_sent": CountingBackend.sent,
        "digests_with_unsubscribe_headers": CountingBackend.with_unsubscribe,
        "batch_size": settings.NOTIFICATIONS_DIGEST_BATCH_SIZE,
        "batches": batches,
        "sql_statements": statements,
        "sql_statements_per_batch": round(statements / batches, 2),
        "sweep_wall_seconds": round(wall, 2),
        "digests_per_second": round(users / wall),
        "goal_wall_seconds": GOAL_SECONDS,
        "goal_met": wall <= GOAL_SECONDS,
    }
