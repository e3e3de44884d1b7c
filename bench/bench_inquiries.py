"""Inquiry benchmarks: the response-clock sweep, the response-time KPIs, the conversation API.

The inquiry data set is generated once per run, in SQL on the server (``INSERT ... SELECT FROM
generate_series``, seeded ``random()``), over the orders data set's sellers and buyers: for
``--rows 1,000,000`` one million conversations, each with its inquiry and opening buyer message,
of which 700,000 are history (answered by the seller, by support after an escalation, or excluded,
spread over the last year, with the seller's or staff's answer as a second message) and 300,000 are
open: 10,000 past their deadline (half of them warned before), 290,000 opened in the last four hours
(the ones past three hours already warned, as a sweep running every minute leaves them). Each
inquiry has its response clock (``InquiryClock``), stopped for the history.

The phases are interleaved over the ids (every hundredth conversation is one of the overdue ones),
so the sweep's writes land on rows scattered over the tables, as in production, where the overdue
questions sit among the many answered ones of the same hours: 10,000 adjacent ids would put them
on a few hundred pages and flatter every write.
"""

import multiprocessing
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import connection, connections, reset_queries
from django.db.models import Count
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bench.bench_orders import api_client, http_headers, require_endpoint, time_in_process
from bench.data import _reset_sequence, load_state, save_state
from bench.registry import BenchmarkSkipped, Context, benchmark, latency_summary
from bench.server import run_load
from core.periods import month_period
from inquiries.models import Conversation, Inquiry, InquiryClock, Message
from inquiries.selectors.kpis import add_months, month_start, response_metrics
from inquiries.services.sweep import inquiries_sweep
from inquiries.views import seller_dashboard_figures
from marketplace.models import Seller, SellerMembership
from notifications.models import EmailStatus, Notification
from notifications.services.notify import notification_emails_send

CONVERSATIONS_PATH = "/api/v1/conversations/"
CONCURRENCY = 4
LONG_THREAD_MESSAGES = 200

# Goals (the issue's): the whole catch-up sweep, an empty sweep, the KPI reads.
SWEEP_GOAL_SECONDS = 0.5
EMAILS_GOAL_SECONDS = 5.0
# The worker's processes (``scripts/worker.sh``: ``WORKER_CONCURRENCY``, 2 by default).
WORKER_PROCESSES = 2
SWEEP_GOAL_STATEMENTS = 25
EMPTY_SWEEP_GOAL_MS = 5.0
SELLER_MONTH_GOAL_MS = 5.0
SELLER_DASHBOARD_GOAL_MS = 10.0
PLATFORM_MONTH_GOAL_MS = 150.0


@dataclass
class InquiryData:
    now: datetime
    conversations: int
    open: int
    overdue: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    seller_id: int = 1
    seller_token: str = ""
    long_thread_id: int = 0
    short_thread_id: int = 0


def _execute(sql: str, params: list[Any] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def generate_inquiries(context: Context) -> InquiryData:
    """The inquiry data set, once per run (kept in ``context.extra``)."""
    if "inquiries" in context.extra:
        return context.extra["inquiries"]  # type: ignore[no-any-return]
    if context.extra.get("inquiries_failed"):
        raise BenchmarkSkipped("generating the inquiry data set failed (see the first inquiry benchmark)")
    reused = _reused_inquiries(context)
    if reused is not None:
        return reused
    context.extra["inquiries_failed"] = True  # until it succeeds
    started = time.perf_counter()
    total = context.rows  # one conversation per row of --rows: 1,000,000 by default, 30,000 smoke
    open_count = total * 3 // 10  # planned: 30 % open, 1 % overdue (the drawn counts are recorded)
    overdue = total // 100
    now = timezone.now().replace(microsecond=0)
    data = InquiryData(now=now, conversations=total, open=open_count, overdue=overdue)
    sellers = len(context.data.seller_ids)
    buyers = context.data.buyer_ids
    owners = dict(SellerMembership.objects.values_list("seller_id", "user_id"))
    first_owner = owners[min(owners)]
    context.log(f"  generating {total:,} conversations ({open_count:,} open, {overdue:,} overdue) ...")

    # One row per conversation with every random choice made once (setseed: the same data each run).
    # Seller members are the orders data set's owners: user id first_owner + seller_id - 1.
    _execute("SELECT setseed(0.20261123)")
    _execute("DROP TABLE IF EXISTS bench_inquiry_plan")
    _execute(
        """
        CREATE UNLOGGED TABLE bench_inquiry_plan AS
        WITH base AS (
            SELECT g AS id,
                   1 + (g %% %(sellers)s) AS seller_id,
                   %(first_buyer)s + (g %% %(buyers)s) AS buyer_id,
                   -- 70 per cent history, 1 overdue, the rest open, drawn per row: scattered over the ids
                   -- and over the sellers (a pattern in the ids would put them on a few sellers).
                   CASE WHEN r_phase < 0.70 THEN 'history' WHEN r_phase < 0.71 THEN 'overdue' ELSE 'open' END AS phase,
                   r_time, r_outcome, r_answer
            FROM (SELECT g, random() AS r_phase, random() AS r_time, random() AS r_outcome, random() AS r_answer
                  FROM generate_series(1, %(total)s) AS g) AS draws
        ), timed AS (
            SELECT *,
                   CASE phase
                       WHEN 'history' THEN %(now)s - interval '1 day' - r_time * interval '364 days'
                       WHEN 'overdue' THEN %(now)s - interval '4 hours 1 second' - r_time * interval '6 hours'
                       ELSE %(now)s - r_time * interval '3 hours 59 minutes'
                   END AS awaiting,
                   CASE WHEN phase <> 'history' THEN 'open'
                        WHEN r_outcome < 0.90 THEN 'answered'
                        WHEN r_outcome < 0.97 THEN 'answered_by_staff'
                        ELSE 'excluded' END AS status
            FROM base
        )
        SELECT *,
               awaiting + interval '3 hours' AS warn_at,
               awaiting + interval '4 hours' AS due_at,
               CASE status
                   WHEN 'answered' THEN (60 + floor(r_answer * r_answer * 21600))::int
                   WHEN 'answered_by_staff' THEN (14400 + floor(r_answer * 7200))::int
               END AS seconds
        FROM timed
        """,
        {
            "sellers": sellers,
            "first_buyer": buyers[0],
            "buyers": len(buyers),
            "total": total,
            "now": now,
        },
    )
    # Plain ``%`` above are doubled for the driver's parameter style.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FILTER (WHERE phase <> 'history'), COUNT(*) FILTER (WHERE phase = 'overdue')"
            " FROM bench_inquiry_plan"
        )
        data.open, data.overdue = cursor.fetchone()
    counts = data.counts
    counts["conversations"] = _execute(
        """
        INSERT INTO inquiries_conversation (id, buyer_id, seller_id, subject, status, awaiting_since,
            response_due_at, first_response_at, last_message_at, created_at, updated_at)
        SELECT id, buyer_id, seller_id, 'Question ' || id,
               CASE status WHEN 'open' THEN 'awaiting_reply' ELSE 'answered' END,
               CASE status WHEN 'open' THEN awaiting END,
               CASE status WHEN 'open' THEN due_at END,
               awaiting + make_interval(secs => seconds),
               COALESCE(awaiting + make_interval(secs => seconds), awaiting), awaiting,
               COALESCE(awaiting + make_interval(secs => seconds), awaiting)
        FROM bench_inquiry_plan ORDER BY id
        """
    )
    counts["messages"] = _execute(
        """
        INSERT INTO inquiries_message (id, conversation_id, kind, author_id, body, created_at)
        SELECT id, id, 'buyer', buyer_id, 'Is this still available? Question ' || id, awaiting
        FROM bench_inquiry_plan ORDER BY id
        """
    )
    counts["messages"] += _execute(
        """
        INSERT INTO inquiries_message (id, conversation_id, kind, author_id, body, created_at)
        SELECT %(total)s + id, id, CASE status WHEN 'answered' THEN 'seller' ELSE 'staff' END,
               CASE status WHEN 'answered' THEN %(first_owner)s + seller_id - 1 END,
               'Yes, it is. Thanks for asking!', awaiting + make_interval(secs => seconds)
        FROM bench_inquiry_plan WHERE seconds IS NOT NULL ORDER BY id
        """,
        {"total": total, "first_owner": first_owner},
    )
    counts["inquiries"] = _execute(
        """
        INSERT INTO inquiries_inquiry (id, conversation_id, seller_id, opening_message_id, status, awaiting_since,
            response_due_at, warned_at, escalated_at, answered_at, answered_by_id, answering_message_id,
            first_response_seconds, is_within_target, excluded_at, exclusion_reason, created_at)
        SELECT id, id, seller_id, id, status, awaiting, due_at,
               CASE status WHEN 'answered_by_staff' THEN warn_at END,
               CASE status WHEN 'answered_by_staff' THEN due_at END,
               awaiting + make_interval(secs => seconds),
               CASE status WHEN 'answered' THEN %(first_owner)s + seller_id - 1 END,
               CASE WHEN seconds IS NOT NULL THEN %(total)s + id END,
               seconds,
               CASE WHEN seconds IS NOT NULL THEN status = 'answered' AND seconds <= 14400 END,
               CASE status WHEN 'excluded' THEN awaiting + interval '10 minutes' END,
               CASE status WHEN 'excluded' THEN 'Just a thank-you' ELSE '' END,
               awaiting
        FROM bench_inquiry_plan ORDER BY id
        """,
        {"now": now, "total": total, "first_owner": first_owner},
    )
    # The clocks: the open ones running (warned as a sweep every minute would have, half of the
    # overdue ones before the outage), the history stopped when answered, the staff answers
    # escalated at their deadline and resolved by the reply.
    counts["clocks"] = _execute(
        """
        INSERT INTO inquiries_inquiryclock (inquiry_id, conversation_id, seller_id, warn_at, due_at, warned_at,
            escalated_at, stopped_at, resolved_at, resolution)
        SELECT id, id, seller_id, warn_at, due_at,
               CASE WHEN status = 'open' AND warn_at <= %(now)s AND (phase = 'open' OR id %% 2 = 0) THEN warn_at
                    WHEN status = 'answered_by_staff' THEN warn_at END,
               CASE status WHEN 'answered_by_staff' THEN due_at END,
               CASE status WHEN 'open' THEN NULL WHEN 'excluded' THEN awaiting + interval '10 minutes'
                    ELSE awaiting + make_interval(secs => seconds) END,
               CASE status WHEN 'answered_by_staff' THEN awaiting + make_interval(secs => seconds) END,
               CASE status WHEN 'answered_by_staff' THEN 'staff_replied' ELSE '' END
        FROM bench_inquiry_plan ORDER BY id
        """,
        {"now": now},
    )
    _execute("DROP TABLE bench_inquiry_plan")
    for model in (Conversation, Message, Inquiry):
        _reset_sequence(model)

    # Two of seller 1's conversations (seller_id = 1 + g % sellers): one keeps its short thread, the
    # other gets a long one, for the detail endpoint's statement count.
    data.short_thread_id = sellers
    data.long_thread_id = 2 * sellers
    counts["messages"] += _execute(
        """
        INSERT INTO inquiries_message (conversation_id, kind, author_id, body, created_at)
        SELECT %(conversation)s, CASE WHEN n %% 2 = 0 THEN 'buyer' ELSE 'seller' END,
               CASE WHEN n %% 2 = 0 THEN c.buyer_id ELSE %(owner)s END,
               'Message ' || n || ' of a long thread', c.created_at + n * interval '1 minute'
        FROM generate_series(1, %(messages)s) AS n, inquiries_conversation AS c WHERE c.id = %(conversation)s
        """,
        {"conversation": data.long_thread_id, "owner": first_owner, "messages": LONG_THREAD_MESSAGES},
    )
    with connection.cursor() as cursor:
        for model in (Conversation, Message, Inquiry, InquiryClock):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    owner = SellerMembership.objects.select_related("user").get(seller_id=data.seller_id).user
    data.seller_token = Token.objects.get_or_create(user=owner)[0].key
    data.seconds = time.perf_counter() - started
    context.log(
        f"  {sum(counts.values()):,} inquiry rows in {data.seconds:.1f} s: "
        + ", ".join(f"{name} {count:,}" for name, count in counts.items())
    )
    context.extra["inquiries"] = data
    context.extra["inquiries_failed"] = False
    save_state("inquiries", {**asdict(data), "now": data.now.isoformat()})
    return data


def _reused_inquiries(context: Context) -> InquiryData | None:
    """The inquiry data set an earlier run generated in this (``--reuse``d) database, if any."""
    saved = load_state("inquiries")
    if saved is None or saved["conversations"] != context.rows:
        return None
    data = InquiryData(**{**saved, "now": datetime.fromisoformat(saved["now"])})
    # The sweep benchmarks leave their last catch-up in place (as beat would): put the overdue
    # inquiries back as generated. Anything else changed the data set is not undone here.
    _undo_sweep(data.now)
    context.log(f"  reusing the inquiry data set generated at {data.now:%Y-%m-%d %H:%M} UTC")
    context.extra["inquiries"] = data
    return data


def _dataset(data: InquiryData) -> dict[str, Any]:
    return {
        **data.counts,
        "open_inquiries": data.open,
        "overdue_inquiries": data.overdue,
        "generation_seconds": round(data.seconds, 1),
    }


# --- The sweep ---------------------------------------------------------------------------------


def _timed_sweep(now: datetime) -> tuple[float, int, dict[str, int]]:
    reset_queries()  # the statement log is a bounded deque: empty it or the capture counts nothing
    with override_settings(DEBUG=False), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = inquiries_sweep(now=now)
        seconds = time.perf_counter() - started
    return seconds, len(queries.captured_queries), result


def _undo_sweep(now: datetime) -> None:
    """Put the overdue inquiries back as they were before the sweep at ``now`` (to measure again):
    the sweep wrote their clocks and the notifications, nothing else."""
    for sql in (
        "DELETE FROM notifications_notification WHERE kind = 'inquiry_escalated'",
        "UPDATE inquiries_inquiryclock SET escalated_at = NULL WHERE escalated_at = %(now)s AND stopped_at IS NULL",
    ):
        _execute(sql, {"now": now})
    with connection.cursor() as cursor:
        for table in ("inquiries_inquiryclock", "notifications_notification"):
            cursor.execute(f"VACUUM ANALYZE {table}")


@benchmark("inquiries_sweep")
def inquiries_sweep_benchmark(context: Context) -> dict[str, Any]:
    """The response-clock sweep catching up on 10,000 overdue inquiries among 300,000 open ones and
    1,000,000 conversations (--rows scales them), as beat runs it: wall time and SQL statements for
    the whole sweep, with the configured batch size and with one batch covering the backlog; then
    the empty sweep (nothing due) that runs every minute after it."""
    data = generate_inquiries(context)
    now = data.now
    repeats = context.scaled(3, 1)
    configured_batch = settings.INQUIRIES_SWEEP_BATCH_SIZE
    # Warm up once, untimed (first-use imports, e.g. the e-mail task queued after commit; the plan
    # cache), then measure from the same state each time.
    _timed_sweep(now)
    _undo_sweep(now)
    cases = []
    for batch_size in dict.fromkeys((configured_batch, max(data.overdue, configured_batch))):
        samples = []
        for repeat in range(repeats):
            with override_settings(INQUIRIES_SWEEP_BATCH_SIZE=batch_size):
                seconds, statements, result = _timed_sweep(now)
            assert result == {"escalated": data.overdue, "warned": 0}, result
            samples.append((seconds, statements))
            if repeat < repeats - 1 or batch_size != max(data.overdue, configured_batch):
                _undo_sweep(now)
        wall = statistics.median(seconds for seconds, _ in samples)
        statements = max(statements for _, statements in samples)
        cases.append(
            {
                "case": f"catch-up, batch {batch_size:,}" + (" (configured)" if batch_size == configured_batch else ""),
                "batch_size": batch_size,
                "batches": -(-data.overdue // batch_size),
                "escalated": data.overdue,
                "wall_seconds_median": round(wall, 3),
                "wall_seconds_samples": [round(seconds, 3) for seconds, _ in samples],
                "sql_statements": statements,
                "goal_wall_seconds": SWEEP_GOAL_SECONDS,
                "goal_sql_statements": SWEEP_GOAL_STATEMENTS,
                "goal_met": wall <= SWEEP_GOAL_SECONDS and statements <= SWEEP_GOAL_STATEMENTS,
            }
        )
        context.log(f"  batch {batch_size:,}: {wall * 1000:.0f} ms, {statements} statements")

    empty = []
    empty_statements = 0
    for _ in range(context.scaled(50, 10)):
        # The same ``now``: the catch-up above left nothing due at it (a second later would warn the
        # inquiries that reach three hours in that second).
        seconds, empty_statements, result = _timed_sweep(now)
        assert result == {"escalated": 0, "warned": 0}, result
        empty.append(seconds * 1000)
    empty.sort()
    empty_p50 = statistics.median(empty)
    cases.append(
        {
            "case": "empty sweep (nothing due)",
            "runs": len(empty),
            "p50_ms": round(empty_p50, 2),
            "max_ms": round(empty[-1], 2),
            "sql_statements": empty_statements,
            "goal_ms": EMPTY_SWEEP_GOAL_MS,
            "goal_met": empty_p50 <= EMPTY_SWEEP_GOAL_MS,
        }
    )
    context.log(f"  empty sweep: p50 {empty_p50:.2f} ms, {empty_statements} statements")
    configured = cases[0]
    return {
        "inquiries": _dataset(data),
        "sql_statements": configured["sql_statements"],
        "sweep_wall_seconds": configured["wall_seconds_median"],
        "goal_met": all(case["goal_met"] for case in cases),
        "cases": cases,
    }


# --- The emails a catch-up causes ------------------------------------------------------------------


def _send_chunk(arguments: tuple[list[int], datetime]) -> tuple[int, int, int]:
    """One send task's work in a worker process: (sent, emails in the outbox, statements)."""
    ids, now = arguments
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", DEBUG=False):
        mail.outbox = []
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            result = notification_emails_send(notification_ids=ids, now=now)
        return result["sent"], len(mail.outbox), len(queries.captured_queries)


@benchmark("inquiries_sweep_emails")
def inquiries_sweep_emails(context: Context) -> dict[str, Any]:
    """Every email the 10,000-escalation catch-up causes (the buyers' notices, the seller members'
    and the staff digests) delivered to the mail backend (locmem: no network in the figure), as the
    worker does it: one send task per batch of ids (queued by the sweep after commit), run by as
    many worker processes as the worker has (``WORKER_CONCURRENCY``, 2), each claiming its batch
    with one statement and marking it with one. Wall time from the first task to the last email,
    three times from the same queued state."""
    data = generate_inquiries(context)
    now = data.now
    _undo_sweep(now)
    result = inquiries_sweep(now=now)
    assert result["escalated"] == data.overdue, result
    queued = Notification.objects.filter(email_status=EmailStatus.PENDING, created_at__gte=now)
    ids = list(queued.order_by("id").values_list("id", flat=True))
    kinds = Notification.objects.filter(pk__in=ids).values_list("kind").annotate(count=Count("id"))
    by_kind = dict(kinds.values_list("kind", "count"))
    batch = settings.NOTIFICATIONS_EMAIL_BATCH_SIZE
    chunks = [(ids[start : start + batch], now) for start in range(0, len(ids), batch)]
    workers = WORKER_PROCESSES
    samples = []
    statements: list[int] = []
    for _ in range(context.scaled(3, 1)):
        _execute(
            "UPDATE notifications_notification SET email_status = 'pending', email_attempts = 0, "
            "email_last_attempt_at = NULL, emailed_at = NULL WHERE id = ANY(%(ids)s)",
            {"ids": ids},
        )
        connections.close_all()  # forked workers must not share the parent's socket
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            started = time.perf_counter()
            results = pool.map(_send_chunk, chunks, chunksize=1)
            seconds = time.perf_counter() - started
        assert sum(sent for sent, _, _ in results) == len(ids), results
        assert sum(outbox for _, outbox, _ in results) == len(ids), results
        statements = [count for _, _, count in results]
        samples.append(seconds)
    wall = statistics.median(samples)
    context.log(
        f"  {len(ids):,} emails in {wall:.2f} s by {workers} worker processes, {len(chunks)} tasks of up to {batch}, "
        f"{max(statements)} statements a task"
    )
    return {
        "inquiries": _dataset(data),
        "emails": len(ids),
        "emails_by_kind": by_kind,
        "worker_processes": workers,
        "tasks": len(chunks),
        "batch_size": batch,
        "sql_statements": sum(statements),
        "sql_statements_per_task": sorted(set(statements)),
        "wall_seconds_median": round(wall, 3),
        "wall_seconds_samples": [round(seconds, 3) for seconds in samples],
        "emails_per_second": round(len(ids) / wall, 1) if wall else None,
        "goal_wall_seconds": EMAILS_GOAL_SECONDS,
        "goal_met": wall <= EMAILS_GOAL_SECONDS,
    }


# --- KPIs --------------------------------------------------------------------------------------


def _time_ms(call: Callable[[], Any], runs: int) -> dict[str, Any]:
    """Median and 95th percentile ms of ``call`` after two warm-up calls, its statements, and the
    median ms of executing just those statements (already compiled, with their values): the
    difference is the time spent building the queries in Python."""
    for _ in range(2):
        call()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        call()
    statements = [query["sql"] for query in queries.captured_queries]
    timings = []
    sql_only = []
    with override_settings(DEBUG=False):
        for _ in range(runs):
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
        with connection.cursor() as cursor:
            for _ in range(runs):
                started = time.perf_counter()
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()
                sql_only.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "in_process_p50_ms": round(statistics.median(timings), 2),
        "in_process_p95_ms": round(timings[max(int(len(timings) * 0.95) - 1, 0)], 2),
        "sql_only_p50_ms": round(statistics.median(sql_only), 2),
        "sql_statements": len(statements),
        "runs": runs,
    }


def _explain(call: Callable[[], Any]) -> list[str]:
    """EXPLAIN ANALYZE of the statements ``call`` runs (PostgreSQL logs them with their values)."""
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        call()
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@benchmark("inquiries_kpis")
def inquiries_kpis(context: Context) -> dict[str, Any]:
    """Response-time KPIs over the inquiry data set (1,000,000 inquiries; --rows scales it): one
    seller's month and dashboard figures (this month, this quarter, the 6-month chart, the projected
    standing, the badge) and the platform-wide figures of last month and of this month to date,
    in-process: median ms and statements, with the EXPLAIN ANALYZE plans."""
    data = generate_inquiries(context)
    now = data.now
    seller = Seller.objects.get(pk=data.seller_id)
    this_month = month_period(now.year, now.month)
    last_month_start = add_months(month_start(now), -1)
    last_month = month_period(last_month_start.year, last_month_start.month)
    runs = context.scaled(50, 10)

    def seller_month() -> Any:
        return response_metrics(seller_id=seller.pk, start=this_month.start, end=this_month.end, now=now)

    def seller_dashboard() -> Any:
        """The figures ``seller_dashboard`` computes (inquiries/views.py), without the inbox lists."""
        return seller_dashboard_figures(seller=seller, now=now)

    def platform(period: Any) -> Callable[[], Any]:
        return lambda: response_metrics(seller_id=None, start=period.start, end=period.end, now=now)

    counted = {
        "seller_month": Inquiry.objects.filter(
            seller_id=seller.pk, awaiting_since__gte=this_month.start, awaiting_since__lt=this_month.end
        ).count(),
        "platform_last_month": Inquiry.objects.filter(
            awaiting_since__gte=last_month.start, awaiting_since__lt=last_month.end
        ).count(),
        "platform_this_month": Inquiry.objects.filter(
            awaiting_since__gte=this_month.start, awaiting_since__lt=this_month.end
        ).count(),
    }
    cases = []
    for name, call, goal, rows in (
        ("seller: this month's figures", seller_month, SELLER_MONTH_GOAL_MS, counted["seller_month"]),
        (
            "seller: dashboard figures (month, quarter, 6-month chart, standing, badge)",
            seller_dashboard,
            SELLER_DASHBOARD_GOAL_MS,
            None,
        ),
        (
            f"platform: last month ({last_month.label})",
            platform(last_month),
            PLATFORM_MONTH_GOAL_MS,
            counted["platform_last_month"],
        ),
        (
            f"platform: this month ({this_month.label}, to date)",
            platform(this_month),
            PLATFORM_MONTH_GOAL_MS,
            counted["platform_this_month"],
        ),
    ):
        case: dict[str, Any] = {"case": name, **_time_ms(call, runs)}
        if rows is not None:
            case["inquiries_in_period"] = rows
        if goal is not None:
            case |= {"goal_ms": goal, "goal_met": case["in_process_p50_ms"] <= goal}
        cases.append(case)
        context.log(
            f"  {name}: {case['in_process_p50_ms']} ms (SQL alone {case['sql_only_p50_ms']} ms), "
            f"{case['sql_statements']} statements"
        )
    return {
        "inquiries": _dataset(data),
        "sql_statements": max(case["sql_statements"] for case in cases),
        "goal_met": all(case.get("goal_met", True) for case in cases),
        "cases": cases,
        "explain_platform_last_month": _explain(platform(last_month)),
        "explain_platform_this_month": _explain(platform(this_month)),
        "explain_seller_month": _explain(seller_month),
        "explain_seller_dashboard": _explain(seller_dashboard),
    }


# --- The conversation API ------------------------------------------------------------------------


def _http_case(
    context: Context, *, label: str, path: str, token: str, total: int, latencies: list[float]
) -> dict[str, Any]:
    client = api_client(token)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, (response.status_code, response.content[:500])
    statements = len(queries.captured_queries)
    in_process = time_in_process(lambda: client.get(path, HTTP_ACCEPT="application/json"), context)
    load = run_load(
        context.base_url,
        method="GET",
        path=path,
        total=total,
        concurrency=CONCURRENCY,
        headers=http_headers(token),
        warmup=2 * CONCURRENCY,
    )
    latencies.extend(load.latencies)
    summary = latency_summary(load.latencies, load.elapsed)
    context.log(
        f"  {label}: {statements} statements, in-process {in_process} ms, p50 {summary['p50_ms']} ms, "
        f"p95 {summary['p95_ms']} ms"
    )
    return {
        "case": label,
        "sql_statements": statements,
        "response_bytes": len(response.content),
        "in_process_p50_ms": in_process,
        **summary,
        "_body": response.json(),
    }


def _finish(cases: list[dict[str, Any]], latencies: list[float], data: InquiryData) -> dict[str, Any]:
    for case in cases:
        case.pop("_body", None)
    overall = latency_summary(latencies, sum(case["requests"] / case["requests_per_second"] for case in cases))
    return {
        "inquiries": _dataset(data),
        "concurrency": CONCURRENCY,
        "sql_statements": max(case["sql_statements"] for case in cases),
        **overall,
        "cases": cases,
    }


@benchmark("conversations_list")
def conversations_list(context: Context) -> dict[str, Any]:
    """GET /api/v1/conversations/ as a seller member (their store's conversations, 5,000 at full
    size) at page_size=20 and 200, and as support (all 1,000,000) at page_size=20: statements per
    request (must not grow with the page) and latency through gunicorn (4 concurrent clients)."""
    require_endpoint(CONVERSATIONS_PATH)
    data = generate_inquiries(context)
    total = context.scaled(300, 30)
    latencies: list[float] = []
    cases = []
    for label, token, page_size in (
        ("seller member, page_size=20", data.seller_token, 20),
        ("seller member, page_size=200", data.seller_token, 200),
        ("support, page_size=20", context.data.staff_token, 20),
    ):
        case = _http_case(
            context,
            label=label,
            path=f"{CONVERSATIONS_PATH}?page_size={page_size}",
            token=token,
            total=total,
            latencies=latencies,
        )
        assert len(case["_body"]["results"]) == page_size, len(case["_body"]["results"])
        cases.append(case)
    small, large = cases[0]["sql_statements"], cases[1]["sql_statements"]
    assert small == large, f"statements grow with the page size: {small} for 20, {large} for 200"
    return {**_finish(cases, latencies, data), "statements_constant_in_page_size": small == large}


@benchmark("conversation_detail")
def conversation_detail(context: Context) -> dict[str, Any]:
    """GET /api/v1/conversations/<id>/ as the seller member: a short thread (the question and its
    answer) and a 200-message one; statements per request (must not grow with the thread) and
    latency through gunicorn."""
    require_endpoint(f"{CONVERSATIONS_PATH}1/")
    data = generate_inquiries(context)
    total = context.scaled(300, 30)
    latencies: list[float] = []
    cases = []
    for conversation_id in (data.short_thread_id, data.long_thread_id):
        label = f"{Message.objects.filter(conversation_id=conversation_id).count()}-message thread"
        cases.append(
            _http_case(
                context,
                label=label,
                path=f"{CONVERSATIONS_PATH}{conversation_id}/",
                token=data.seller_token,
                total=total,
                latencies=latencies,
            )
        )
    short, long = cases[0]["sql_statements"], cases[1]["sql_statements"]
    assert short == long, (
        f"statements grow with the thread: {short} for {cases[0]['case']}, {long} for {cases[1]['case']}"
    )
    return {**_finish(cases, latencies, data), "statements_constant_in_thread_length": short == long}
