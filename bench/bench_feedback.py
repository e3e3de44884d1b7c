"""Feedback benchmarks (PostgreSQL).

``feedback_survey_sweep``: the survey sweep sending the invitations that are due
(``surveys_send_due``: claim and mark, the customers' in-app notices, their emails queued after
commit) catching up on 10,000 due among 1,000,000 invitations (``--rows`` scales them; a smoke run:
300 of 30,000), then the empty sweep (both stages). The invitations are generated in the database
(``generate_series``), interleaved over the ids as in production: 1 % scheduled and due (sent by the
sweep), 1 % scheduled for later, 3 % sent in the last days (no reminder due yet), 1 % withdrawn and
94 % answered over the last year.

``feedback_survey_emails``: every email of those 10,000 invitations delivered to the mail backend
(locmem: no network in the figure) the way the worker does it, as ``inquiries_sweep_emails`` does.
"""

import multiprocessing
import statistics
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, connections, reset_queries
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from bench.bench_inquiries import WORKER_PROCESSES, _send_chunk
from bench.registry import BenchmarkSkipped, Context, benchmark
from feedback.models import SurveyInvitation
from feedback.services.sweep import feedback_sweep, surveys_send_due
from notifications.models import EmailStatus, Notification

SWEEP_GOAL_SECONDS = 1.0
EMPTY_SWEEP_GOAL_MS = 5.0
EMAILS_GOAL_SECONDS = 5.0
TABLE = SurveyInvitation._meta.db_table


def _execute(sql: str, params: dict[str, Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def generate_invitations(context: Context, *, now: datetime) -> tuple[int, int]:
    """``rows`` invitations; returns (invitations, due)."""
    total = context.rows
    buyers = context.data.buyer_ids
    sellers = context.data.seller_ids
    if not buyers or not sellers:
        raise BenchmarkSkipped("the data set has no buyers or sellers")
    _execute(f"TRUNCATE {TABLE} CASCADE")
    _execute("DELETE FROM notifications_notification WHERE kind IN ('survey_invitation', 'survey_reminder')")
    _execute(
        f"""
        INSERT INTO {TABLE}
            (token, status, about_type, about_id, about_label, about_url, customer_id, seller_id, agent_id,
             order_id, channel, category, topic, resolved_at, resolution_seconds, send_after, sent_at,
             reminded_at, expires_at, answered_at, withdrawn_at, created_at)
        SELECT md5(i::text) || md5((i + 1000000007)::text),
               CASE WHEN i %% 100 < 2 THEN 'scheduled' WHEN i %% 100 < 5 THEN 'sent'
                    WHEN i %% 100 = 5 THEN 'withdrawn' ELSE 'answered' END,
               (ARRAY['ticket', 'conversation', 'review_case', 'recovery'])[1 + i %% 4], i,
               'Request HD-' || lpad(i::text, 7, '0'), '/support/' || i || '/',
               (%(buyers)s::bigint[])[1 + i %% %(buyer_count)s],
               (%(sellers)s::bigint[])[1 + i %% %(seller_count)s], NULL, NULL,
               (ARRAY['web', 'email', 'chat', 'phone', 'messaging'])[1 + i %% 5],
               (ARRAY['technical', 'product', 'customer_service', 'payment_billing', 'shipping_delivery'])[1 + i %% 5],
               'invoice', base.resolved, 3600 + i %% 86400,
               CASE WHEN i %% 100 = 0 THEN %(now)s - (i %% 30) * interval '1 minute'
                    WHEN i %% 100 = 1 THEN %(now)s + interval '10 minutes'
                    ELSE base.resolved + interval '30 minutes' END,
               CASE WHEN i %% 100 < 2 OR i %% 100 = 5 THEN NULL ELSE base.resolved + interval '30 minutes' END,
               NULL,
               CASE WHEN i %% 100 < 2 OR i %% 100 = 5 THEN NULL ELSE base.resolved + interval '14 days 30 minutes' END,
               CASE WHEN i %% 100 >= 6 THEN base.resolved + interval '5 hours' END,
               CASE WHEN i %% 100 = 5 THEN base.resolved + interval '10 minutes' END,
               base.resolved
        FROM generate_series(1, %(total)s) AS i
        CROSS JOIN LATERAL (
            SELECT CASE WHEN i %% 100 < 2 THEN %(now)s - interval '1 hour'
                        WHEN i %% 100 < 5 THEN %(now)s - interval '1 day'
                        ELSE %(now)s - (2 + i %% 365) * interval '1 day' END AS resolved
        ) AS base
        """,
        {
            "buyers": buyers,
            "buyer_count": len(buyers),
            "sellers": sellers,
            "seller_count": len(sellers),
            "total": total,
            "now": now,
        },
    )
    _execute(f"VACUUM ANALYZE {TABLE}")
    due = SurveyInvitation.objects.filter(status="scheduled", send_after__lte=now).count()
    return total, due


def _timed(now: datetime) -> tuple[float, int, int]:
    reset_queries()
    with override_settings(DEBUG=False), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        count = surveys_send_due(now=now)
        seconds = time.perf_counter() - started
    return seconds, len(queries.captured_queries), count


def _undo(now: datetime) -> None:
    _execute("DELETE FROM notifications_notification WHERE kind = 'survey_invitation'")
    _execute(
        f"UPDATE {TABLE} SET status = 'scheduled', sent_at = NULL, expires_at = NULL "
        "WHERE status = 'sent' AND sent_at = %(now)s",
        {"now": now},
    )
    for table in (TABLE, Notification._meta.db_table):
        _execute(f"VACUUM ANALYZE {table}")


@benchmark("feedback_survey_sweep")
def feedback_survey_sweep(context: Context) -> dict[str, Any]:
    """The survey sweep sending 1 % of the invitations (10,000 of 1,000,000) in one run."""
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    invitations, due = generate_invitations(context, now=now)
    generated_seconds = time.perf_counter() - started
    context.log(f"  {invitations:,} invitations, {due:,} due (generated in {generated_seconds:.1f} s)")
    _timed(now)  # warm up, untimed
    _undo(now)
    samples = []
    statements = 0
    for _ in range(context.scaled(3, 1)):
        seconds, statements, count = _timed(now)
        assert count == due, (count, due)
        samples.append(seconds)
        _undo(now)
    wall = statistics.median(samples)
    surveys_send_due(now=now)
    empty = []
    empty_statements = 0
    for _ in range(context.scaled(50, 10)):
        reset_queries()
        with override_settings(DEBUG=False), CaptureQueriesContext(connection) as queries:
            begun = time.perf_counter()
            result = feedback_sweep(now=now)
            empty.append((time.perf_counter() - begun) * 1000)
        empty_statements = len(queries.captured_queries)
        assert result == {"sent": 0, "reminded": 0}, result
    _undo(now)
    empty_ms = statistics.median(empty)
    context.log(f"  {due:,} sent in {wall * 1000:.0f} ms, {statements} statements; empty {empty_ms:.2f} ms")
    return {
        "invitations": invitations,
        "due": due,
        "batch_size": settings.FEEDBACK_SWEEP_BATCH_SIZE,
        "sweep_wall_seconds": round(wall, 3),
        "sweep_wall_seconds_samples": [round(sample, 3) for sample in samples],
        "sql_statements": statements,
        "empty_sweep_p50_ms": round(empty_ms, 2),
        "empty_sweep_sql_statements": empty_statements,
        "goal_wall_seconds": SWEEP_GOAL_SECONDS,
        "goal_met": wall <= SWEEP_GOAL_SECONDS and empty_ms <= EMPTY_SWEEP_GOAL_MS,
    }


@benchmark("feedback_survey_emails")
def feedback_survey_emails(context: Context) -> dict[str, Any]:
    """Every email of the 10,000 invitations the catch-up sends, delivered to the mail backend
    (locmem) by the worker's processes, one send task per batch of ids as the sweep queues them:
    wall time from the first task to the last email, three times from the same queued state."""
    now = timezone.now().replace(microsecond=0)
    _invitations, due = generate_invitations(context, now=now)
    assert surveys_send_due(now=now) == due
    queued = Notification.objects.filter(kind="survey_invitation", email_status=EmailStatus.PENDING)
    ids = list(queued.order_by("id").values_list("id", flat=True))
    batch = settings.NOTIFICATIONS_EMAIL_BATCH_SIZE
    chunks = [(ids[start : start + batch], now) for start in range(0, len(ids), batch)]
    samples = []
    statements: list[int] = []
    for _ in range(context.scaled(3, 1)):
        _execute(
            "UPDATE notifications_notification SET email_status = 'pending', email_attempts = 0, "
            "email_last_attempt_at = NULL, emailed_at = NULL WHERE id = ANY(%(ids)s)",
            {"ids": ids},
        )
        connections.close_all()  # forked workers must not share the parent's socket
        with multiprocessing.get_context("fork").Pool(WORKER_PROCESSES) as pool:
            started = time.perf_counter()
            results = pool.map(_send_chunk, chunks, chunksize=1)
            seconds = time.perf_counter() - started
        assert sum(sent for sent, _, _ in results) == len(ids), results
        statements = [count for _, _, count in results]
        samples.append(seconds)
    wall = statistics.median(samples)
    _undo(now)
    context.log(f"  {len(ids):,} emails in {wall:.2f} s by {WORKER_PROCESSES} worker processes, {len(chunks)} tasks")
    return {
        "due": due,
        "emails": len(ids),
        "worker_processes": WORKER_PROCESSES,
        "tasks": len(chunks),
        "batch_size": batch,
        "sql_statements_per_task": sorted(set(statements)),
        "wall_seconds_median": round(wall, 3),
        "wall_seconds_samples": [round(seconds, 3) for seconds in samples],
        "emails_per_second": round(len(ids) / wall, 1) if wall else None,
        "goal_wall_seconds": EMAILS_GOAL_SECONDS,
        "goal_met": wall <= EMAILS_GOAL_SECONDS,
    }
