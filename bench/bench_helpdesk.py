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
from urllib.parse import urlencode

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.models import User
from bench.registry import BenchmarkSkipped, Context, benchmark
from core.timeline import customer_timeline
from helpdesk.models import ACTIVE_STATUSES, Interaction, Ticket, TicketClock
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


# --- The console's ticket queue and ticket page ---------------------------------------------------

QUEUE_GOAL_MS = 20.0
LONG_TICKET_ENTRIES = 200


def generate_queue(context: Context, *, now: datetime) -> dict[str, int]:
    """A tenth of ``rows`` tickets (100,000) with ``rows`` log entries (1,000,000) spread over them,
    one of them (active, assigned) with exactly 200. Statuses: 10 % new, 20 % open, 5 % waiting on the
    customer, 5 % escalated, 40 % resolved, 20 % closed; every ticket has its clock (stopped when
    done, paused while waiting), due over the next two days, some of them already past."""
    tickets = max(context.rows // 10, 1000)
    entries = context.rows
    buyers = context.data.buyer_ids
    if not buyers:
        raise BenchmarkSkipped("the data set has no buyers")
    support = User.objects.get(username="bench-support")
    _execute(f"TRUNCATE {Interaction._meta.db_table}, {TicketClock._meta.db_table}, {Ticket._meta.db_table} CASCADE")
    _execute(
        f"""
        INSERT INTO {Ticket._meta.db_table}
            (reference, customer_id, category, subcategory, channel, priority, status, subject, department,
             assignee_id, first_response_due_at, resolution, resolved_at, closed_at, created_at, updated_at)
        SELECT 'HD-QUEUE-' || i, (%(buyers)s::bigint[])[1 + i %% %(buyer_count)s],
               (ARRAY['order_status', 'invoice', 'receipt', 'payment', 'other'])[1 + i %% 5], '', 'web',
               CASE WHEN i %% 7 = 3 THEN 'high' ELSE 'normal' END,
               CASE WHEN i %% 20 < 2 THEN 'new' WHEN i %% 20 < 6 THEN 'open'
                    WHEN i %% 20 = 6 THEN 'pending_customer' WHEN i %% 20 = 7 THEN 'escalated'
                    WHEN i %% 20 < 16 THEN 'resolved' ELSE 'closed' END,
               'Question ' || i,
               CASE WHEN i %% 20 = 7 THEN 'finance' ELSE '' END,
               CASE WHEN i %% 20 BETWEEN 2 AND 7 AND i %% 4 = 0 THEN %(support)s END,
               %(now)s - interval '1 day', '',
               CASE WHEN i %% 20 >= 8 THEN %(now)s - interval '1 day' END,
               CASE WHEN i %% 20 >= 16 THEN %(now)s - interval '12 hours' END,
               %(now)s - interval '1 day' - (i %% 1000) * interval '1 minute',
               %(now)s - interval '1 day'
        FROM generate_series(1, %(total)s) AS i
        """,
        {"buyers": buyers, "buyer_count": len(buyers), "total": tickets, "now": now, "support": support.pk},
    )
    _execute(
        f"""
        INSERT INTO {TicketClock._meta.db_table}
            (ticket_id, target, due_at, warn_at, warned_at, escalated_at, paused_at, stopped_at)
        SELECT id, 'resolution', %(now)s + (id %% 2880 - 240) * interval '1 minute', NULL, NULL, NULL,
               CASE WHEN status = 'pending_customer' THEN %(now)s - interval '1 hour' END,
               CASE WHEN status IN ('resolved', 'closed') THEN %(now)s - interval '1 day' END
        FROM {Ticket._meta.db_table}
        """,
        {"now": now},
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MIN(id), MAX(id) FROM {Ticket._meta.db_table} WHERE status = 'open' AND assignee_id IS NOT NULL"
        )
        long_id, _ = cursor.fetchone()
        cursor.execute(f"SELECT MIN(id) FROM {Ticket._meta.db_table}")
        (first_id,) = cursor.fetchone()
    # The long ticket's 200 entries, then the rest spread over the other tickets (about 10 each).
    _execute(
        f"""
        INSERT INTO {Interaction._meta.db_table}
            (ticket_id, customer_id, kind, direction, channel, author_id, action, body, data, is_internal,
             created_at)
        SELECT ticket.id, ticket.customer_id,
               CASE WHEN g %% 10 = 9 THEN 'note' ELSE 'message' END,
               CASE WHEN g %% 10 = 9 THEN 'internal' WHEN g %% 2 = 0 THEN 'inbound' ELSE 'outbound' END,
               'web',
               CASE WHEN g %% 2 = 0 AND g %% 10 <> 9 THEN ticket.customer_id ELSE %(support)s END,
               '', 'Entry ' || g || ': the parcel has not arrived yet, could you check the tracking?', '{{}}',
               g %% 10 = 9, ticket.created_at + g * interval '1 second'
        FROM (SELECT g, CASE WHEN g <= %(long)s THEN %(long_id)s
                             ELSE %(first_id)s + g %% %(tickets)s END AS ticket_id
              FROM generate_series(1, %(entries)s) AS g) AS spread
        JOIN {Ticket._meta.db_table} AS ticket ON ticket.id = spread.ticket_id
        WHERE g <= %(long)s OR spread.ticket_id <> %(long_id)s
        """,
        {
            "support": support.pk,
            "long": LONG_TICKET_ENTRIES,
            "long_id": long_id,
            "first_id": first_id,
            "tickets": tickets,
            "entries": entries,
        },
    )
    for model in (Ticket, TicketClock, Interaction):
        _execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return {
        "tickets": tickets,
        "active_tickets": Ticket.objects.filter(status__in=ACTIVE_STATUSES).count(),
        "log_entries": Interaction.objects.count(),
        "long_ticket_id": long_id,
        "long_ticket_entries": Interaction.objects.filter(ticket_id=long_id).count(),
    }


def _page_case(client: Client, path: str, runs: int) -> dict[str, Any]:
    """Median in-process ms of ``runs`` GETs of a console page, its statements, and the EXPLAIN
    ANALYZE of its slowest statement."""
    client.get(path)  # warm up, untimed
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    reset_queries()
    with override_settings(DEBUG=True), CaptureQueriesContext(connection) as queries:
        client.get(path)
    captured = queries.captured_queries
    plans = []
    with connection.cursor() as cursor:
        for query in captured:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            lines = [row[0] for row in cursor.fetchall()]
            execution = next((float(line.split()[2]) for line in lines if line.startswith("Execution Time")), 0.0)
            plans.append((execution, sql, lines))
    plans.sort(key=lambda plan: plan[0], reverse=True)
    heaviest = plans[0] if plans else (0.0, "", [])
    return {
        "path": path,
        "in_process_p50_ms": round(statistics.median(timings), 2),
        "in_process_ms_samples_min_max": [round(min(timings), 2), round(max(timings), 2)],
        "sql_statements": len(captured),
        # The statements' wall time through the driver (planning, execution, transfer), then the
        # server's own execution time of the SELECTs (EXPLAIN ANALYZE): the rest is Python.
        "sql_wall_ms": round(sum(float(query["time"]) for query in captured) * 1000, 2),
        "sql_total_execution_ms": round(sum(plan[0] for plan in plans), 2),
        "heaviest_statement": heaviest[1],
        "heaviest_statement_execution_ms": heaviest[0],
        "explain_heaviest": "\n".join(heaviest[2]),
    }


@benchmark("helpdesk_queue")
def helpdesk_queue_benchmark(context: Context) -> dict[str, Any]:
    """The console's ticket queue (the Ticket changelist as support: the default active queue and the
    unassigned queue filtered to one category) and one ticket's page with 200 log entries, over
    100,000 tickets and 1,000,000 log entries (--rows scales them): in-process median ms, statements,
    EXPLAIN ANALYZE of the heaviest statement."""
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    dataset = generate_queue(context, now=now)
    generated_seconds = time.perf_counter() - started
    context.log(
        f"  {dataset['tickets']:,} tickets ({dataset['active_tickets']:,} active), "
        f"{dataset['log_entries']:,} log entries (generated in {generated_seconds:.1f} s)"
    )
    client = Client()
    client.force_login(User.objects.get(username="bench-support"))
    runs = context.scaled(30, 5)
    cases = []
    for label, path, goal in (
        ("queue: default (active)", "/admin/helpdesk/ticket/", QUEUE_GOAL_MS),
        (
            "queue: unassigned, category invoice",
            "/admin/helpdesk/ticket/?queue=unassigned&category__exact=invoice",
            QUEUE_GOAL_MS,
        ),
        (
            f"ticket page ({dataset['long_ticket_entries']} log entries)",
            f"/admin/helpdesk/ticket/{dataset['long_ticket_id']}/change/",
            None,
        ),
    ):
        case: dict[str, Any] = {"case": label, **_page_case(client, path, runs)}
        if goal is not None:
            case |= {"goal_ms": goal, "goal_met": case["in_process_p50_ms"] <= goal}
        cases.append(case)
        context.log(
            f"  {label}: {case['in_process_p50_ms']} ms (SQL {case['sql_wall_ms']} ms), "
            f"{case['sql_statements']} statements, heaviest "
            f"{case['heaviest_statement_execution_ms']} ms"
        )
    return {
        **dataset,
        "generated_seconds": round(generated_seconds, 1),
        "runs": runs,
        "sql_statements": max(case["sql_statements"] for case in cases),
        "goal_met": all(case.get("goal_met", True) for case in cases),
        "cases": cases,
    }


# --- A customer's timeline in the console -------------------------------------------------------


def _queue_data_present(context: Context) -> bool:
    """The queue benchmark's tickets and log entries are in the database (``--reuse`` after it)."""
    expected = max(context.rows // 10, 1000)
    return (
        Ticket.objects.filter(reference__startswith="HD-QUEUE-").count() == expected
        and Interaction.objects.count() >= context.rows * 0.9
    )


@benchmark("helpdesk_timeline")
def helpdesk_timeline_benchmark(context: Context) -> dict[str, Any]:
    """A customer's console timeline (/admin/accounts/user/<id>/timeline/: every app's entries,
    50 a page, and the recurring problems) over the queue benchmark's 100,000 tickets and
    1,000,000 log entries plus the shared data set's orders: the busiest customer (the 200-entry
    ticket's), their older page, and a customer with few entries; in-process median ms,
    statements (the same for all three), EXPLAIN ANALYZE of the heaviest statement."""
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    if not _queue_data_present(context):
        generate_queue(context, now=now)
    generated_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT customer_id, COUNT(*) FROM {Interaction._meta.db_table} GROUP BY customer_id ORDER BY 2 DESC, 1"
        )
        counts = cursor.fetchall()
    busiest, busiest_entries = counts[0]
    quiet, quiet_entries = counts[-1]

    first_page = customer_timeline(busiest, limit=50)
    assert first_page.older_before is not None
    before = first_page.older_before.isoformat()
    context.log(
        f"  {Interaction.objects.count():,} log entries; busiest customer {busiest_entries} entries, "
        f"quietest {quiet_entries} (data ready in {generated_seconds:.1f} s)"
    )
    client = Client()
    client.force_login(User.objects.get(username="bench-support"))
    runs = context.scaled(30, 5)
    cases = []
    for label, path in (
        (f"busiest customer ({busiest_entries} log entries), newest page", f"/admin/accounts/user/{busiest}/timeline/"),
        (
            "busiest customer, the older page",
            f"/admin/accounts/user/{busiest}/timeline/?{urlencode({'before': before})}",
        ),
        (f"quietest customer ({quiet_entries} log entries)", f"/admin/accounts/user/{quiet}/timeline/"),
    ):
        case: dict[str, Any] = {"case": label, **_page_case(client, path, runs)}
        cases.append(case)
        context.log(
            f"  {label}: {case['in_process_p50_ms']} ms (SQL {case['sql_wall_ms']} ms), "
            f"{case['sql_statements']} statements, heaviest {case['heaviest_statement_execution_ms']} ms"
        )
    statements = {case["sql_statements"] for case in cases}
    return {
        "tickets": Ticket.objects.count(),
        "log_entries": Interaction.objects.count(),
        "busiest_customer_entries": busiest_entries,
        "quietest_customer_entries": quiet_entries,
        "runs": runs,
        "sql_statements": max(statements),
        "statements_constant": len(statements) == 1,
        "cases": cases,
    }
