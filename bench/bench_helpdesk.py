"""Help desk benchmarks (PostgreSQL).

``helpdesk_sweep``: the ticket clock's breach sweep (``helpdesk_escalate_breached``) catching up
on 10,000 due tickets among 1,000,000 (``--rows`` scales them; a smoke run: 300 of 30,000): wall
time and SQL statements, then the empty sweep. The tickets and their clocks are generated in the
database (``generate_series``): a third stopped (resolved), the rest due over the next two days,
and the 10,000 due an hour ago.
"""

import statistics
import time
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from bench.registry import BenchmarkSkipped, Context, benchmark
from helpdesk.models import Interaction, Ticket, TicketClock
from helpdesk.services.sweep import helpdesk_escalate_breached

SWEEP_GOAL_SECONDS = 0.5


def _execute(sql: str, params: dict[str, Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def generate_tickets(context: Context, *, now: datetime) -> tuple[int, int]:
    """``rows`` tickets with their clocks; returns (tickets, due)."""
    total = context.rows
    due = max(total // 100, 1)
    buyers = context.data.buyer_ids
    if not buyers:
        raise BenchmarkSkipped("the data set has no buyers")
    _execute(f"TRUNCATE {Interaction._meta.db_table}, {TicketClock._meta.db_table}, {Ticket._meta.db_table} CASCADE")
    _execute(
        f"""
        INSERT INTO {Ticket._meta.db_table}
            (reference, customer_id, category, subcategory, channel, priority, status, subject, department,
             first_response_due_at, resolution, resolved_at, created_at, updated_at)
        SELECT 'HD-BENCH-' || i, (%(buyers)s::bigint[])[1 + i %% %(buyer_count)s],
               (ARRAY['order_status', 'invoice', 'receipt', 'payment', 'other'])[1 + i %% 5], '', 'web',
               CASE WHEN i %% 5 = 3 THEN 'high' ELSE 'normal' END,
               CASE WHEN i %% 3 = 0 THEN 'resolved' ELSE 'open' END,
               'Question ' || i, '', %(now)s, '',
               CASE WHEN i %% 3 = 0 THEN %(now)s - interval '2 days' END,
               %(now)s - interval '3 days', %(now)s - interval '3 days'
        FROM generate_series(1, %(total)s) AS i
        """,
        {"buyers": buyers, "buyer_count": len(buyers), "total": total, "now": now},
    )
    # The due ones: running clocks an hour past their deadline (ids not divisible by 3: running).
    _execute(
        f"""
        INSERT INTO {TicketClock._meta.db_table}
            (ticket_id, target, due_at, warn_at, warned_at, escalated_at, paused_at, stopped_at)
        SELECT ticket.id, 'resolution',
               CASE WHEN ticket.rank <= %(due)s THEN %(now)s - interval '1 hour'
                    ELSE %(now)s + (ticket.id %% 2880) * interval '1 minute' + interval '1 minute' END,
               NULL, NULL, NULL, NULL,
               CASE WHEN ticket.status = 'resolved' THEN %(now)s - interval '2 days' END
        FROM (SELECT id, status, ROW_NUMBER() OVER (PARTITION BY status = 'open' ORDER BY id) AS rank
              FROM {Ticket._meta.db_table}) AS ticket
        """,
        {"due": due, "now": now},
    )
    _execute(
        f"UPDATE {TicketClock._meta.db_table} SET due_at = %(later)s WHERE stopped_at IS NOT NULL",
        {"later": now + timedelta(days=30)},
    )
    for model in (Ticket, TicketClock):
        _execute(f"VACUUM ANALYZE {model._meta.db_table}")
    running_due = TicketClock.objects.filter(stopped_at__isnull=True, due_at__lte=now).count()
    return total, running_due


def _timed(now: datetime) -> tuple[float, int, int]:
    reset_queries()
    with override_settings(DEBUG=False), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        count = helpdesk_escalate_breached(now=now)
        seconds = time.perf_counter() - started
    return seconds, len(queries.captured_queries), count


def _undo(now: datetime) -> None:
    _execute(f"DELETE FROM {Interaction._meta.db_table} WHERE action = 'target_breached'")
    _execute("DELETE FROM notifications_notification WHERE kind = 'ticket_breached'")
    _execute(f"UPDATE {TicketClock._meta.db_table} SET escalated_at = NULL WHERE escalated_at = %(now)s", {"now": now})
    for table in (TicketClock._meta.db_table, Interaction._meta.db_table):
        _execute(f"VACUUM ANALYZE {table}")


@benchmark("helpdesk_sweep")
def helpdesk_sweep_benchmark(context: Context) -> dict[str, Any]:
    """The ticket breach sweep catching up on 1 % of the tickets (10,000 of 1,000,000) in one run."""
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    tickets, due = generate_tickets(context, now=now)
    generated_seconds = time.perf_counter() - started
    context.log(f"  {tickets:,} tickets, {due:,} due (generated in {generated_seconds:.1f} s)")
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
    _timed(now)
    empty = []
    empty_statements = 0
    for _ in range(context.scaled(50, 10)):
        seconds, empty_statements, count = _timed(now)
        assert count == 0
        empty.append(seconds * 1000)
    _undo(now)
    context.log(
        f"  {due:,} breached in {wall * 1000:.0f} ms, {statements} statements; empty {statistics.median(empty):.2f} ms"
    )
    return {
        "tickets": tickets,
        "due": due,
        "sweep_wall_seconds": round(wall, 3),
        "sweep_wall_seconds_samples": [round(sample, 3) for sample in samples],
        "sql_statements": statements,
        "empty_sweep_p50_ms": round(statistics.median(empty), 2),
        "empty_sweep_sql_statements": empty_statements,
        "goal_wall_seconds": SWEEP_GOAL_SECONDS,
        "goal_met": wall <= SWEEP_GOAL_SECONDS,
    }
