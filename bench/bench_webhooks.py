"""Webhook delivery benchmark (PostgreSQL, issue 15).

``webhooks_delivery``: 10,000 outbox events (``ticket.opened``) fanned out to 10 endpoints =
100,000 deliveries (a smoke run: 300 events, 3,000 deliveries), POSTed, signed, to 10 receivers on
loopback (``bench/webhook_sink.py``: one asyncio process answering 204 at once) by 4 worker
processes. Each worker does what the Celery tasks do, in a loop: ``webhook_events_dispatch`` and
``webhook_endpoint_deliver`` for every endpoint (starting at a different one per worker); the tasks
the services queue after commit are switched off, the loop is the driver. The tables hold a history
first, laid out as production: 100,000 older events delivered to 2 endpoints each, with one attempt
each (smoke: 3,000).

Two phases:

1. *Backlog*: the 10,000 events are recorded at once (one ``INSERT ... SELECT``, as a sweep does),
   then the workers start. Throughput = deliveries / (first worker start → last delivery received);
   the delay from each event's ``created_at`` to its arrival is mostly queueing here.
2. *Steady*: events recorded by a producer at half the measured throughput (in transactions of 5)
   for 20 s (smoke: 3 s) while the workers run: p50/p99 delay from commit to the receiver.

Statements are counted in the workers (``connection.execute_wrapper``), only in the calls that did
work: per event for the fan-out, per delivery for the sender (the idle polling of the loop is
reported apart: in production the tasks wake the workers instead).
"""

import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from bench.registry import BenchmarkSkipped, Context, benchmark, percentile
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, Endpoint, Event, EventType

ENDPOINTS = 10
WORKER_PROCESSES = 4
EVENT_TYPE = EventType.TICKET_OPENED.value


def _execute(sql: str, params: list[Any] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _tables() -> dict[str, str]:
    return {
        "event": Event._meta.db_table,
        "delivery": Delivery._meta.db_table,
        "attempt": DeliveryAttempt._meta.db_table,
        "endpoint": Endpoint._meta.db_table,
    }


def _prepare(context: Context, ports: list[int], *, history: int, now: datetime) -> list[int]:
    """The endpoints (one per receiver port) and the history: ``history`` older events, each
    delivered to two endpoints with one attempt."""
    owner = User.objects.filter(username="bench-integration").first()
    if owner is None:
        raise BenchmarkSkipped("the data set has no bench-integration user")
    t = _tables()
    _execute(f"TRUNCATE {t['attempt']}, {t['delivery']}, {t['event']}, {t['endpoint']} RESTART IDENTITY CASCADE")
    endpoints = Endpoint.objects.bulk_create(
        [
            Endpoint(
                owner=owner,
                url=f"http://127.0.0.1:{port}/hooks/",
                events=[EVENT_TYPE, EventType.TICKET_RESOLVED.value],
                secret=f"whsec_bench_{index:02d}_0123456789abcdef",
            )
            for index, port in enumerate(ports)
        ]
    )
    ids = [endpoint.pk for endpoint in endpoints]
    _execute(
        f"""
        INSERT INTO {t["event"]} (type, resource_type, resource_id, payload, dispatched_at, created_at)
        SELECT (ARRAY['ticket.opened', 'ticket.resolved'])[1 + i %% 2], 'ticket', i,
               jsonb_build_object('id', i, 'deleted', true),
               %(now)s - (%(history)s - i) * interval '20 seconds',
               %(now)s - (%(history)s - i) * interval '20 seconds'
        FROM generate_series(1, %(history)s) AS i
        """,
        {"now": now - timedelta(days=1), "history": history},  # type: ignore[arg-type]
    )
    _execute(
        f"""
        INSERT INTO {t["delivery"]}
            (event_id, endpoint_id, status, attempts, next_attempt_at, last_attempt_at, first_attempt_at,
             last_status_code, delivered_at, created_at)
        SELECT e.id, (%(ids)s::bigint[])[1 + (e.id + k) %% {len(ids)}], 'succeeded', 1, e.created_at,
               e.created_at, e.created_at, 204, e.created_at + interval '80 milliseconds', e.created_at
        FROM {t["event"]} AS e CROSS JOIN generate_series(0, 1) AS k
        """,
        {"ids": ids},  # type: ignore[arg-type]
    )
    _execute(
        f"""
        INSERT INTO {t["attempt"]} (delivery_id, number, started_at, duration_ms, status_code, response_excerpt, error)
        SELECT id, 1, last_attempt_at, 80, 204, '', '' FROM {t["delivery"]}
        """
    )
    _execute(f"ANALYZE {t['event']}, {t['delivery']}, {t['attempt']}")
    return ids


def _quiet_tasks() -> None:
    """The loop drives the workers: the services' after-commit task queuing does nothing."""
    from webhooks.services import deliveries, events

    events._queue_dispatch = lambda: None  # type: ignore[assignment]
    deliveries._queue_endpoint = lambda endpoint_id: lambda: None  # type: ignore[assignment]


def _worker(index: int, endpoint_ids: list[int], stop: Any, results: Any) -> None:
    """One worker process: dispatch, then deliver every endpoint, until told to stop."""
    from webhooks.services.sending import webhook_endpoint_deliver, webhook_events_dispatch

    connections.close_all()
    _quiet_tasks()
    counter = {"n": 0}

    def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        counter["n"] += 1
        return execute(sql, params, many, context)

    totals = {"events": 0, "dispatch_statements": 0, "sent": 0, "deliver_statements": 0, "idle_statements": 0}
    order = (
        endpoint_ids[index * len(endpoint_ids) // WORKER_PROCESSES :]
        + endpoint_ids[: index * len(endpoint_ids) // WORKER_PROCESSES]
    )
    with connection.execute_wrapper(count):
        while not stop.is_set():
            busy = False
            before = counter["n"]
            dispatched = webhook_events_dispatch(now=timezone.now())
            if dispatched["events"]:
                totals["events"] += dispatched["events"]
                totals["dispatch_statements"] += counter["n"] - before
                busy = True
            else:
                totals["idle_statements"] += counter["n"] - before
            for endpoint_id in order:
                before = counter["n"]
                sent = webhook_endpoint_deliver(endpoint_id=endpoint_id, now=timezone.now())
                work = sent["sent"] + sent["retrying"] + sent["failed"]
                if work:
                    totals["sent"] += work
                    totals["deliver_statements"] += counter["n"] - before
                    busy = True
                else:
                    totals["idle_statements"] += counter["n"] - before
            if not busy:
                time.sleep(0.005)
    connections.close_all()
    results.put(totals)


class Sink:
    def __init__(self, count: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.webhook_sink", str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=settings.BASE_DIR,
        )
        assert self.process.stdout is not None
        self.ports: list[int] = json.loads(self.process.stdout.readline())

    def finish(self) -> list[tuple[int, int, float]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        received = json.loads(self.process.stdout.readline())
        self.process.wait(timeout=30)
        return [tuple(row) for row in received]  # type: ignore[misc]


def _delivered(since: datetime) -> int:
    return Delivery.objects.filter(status=DeliveryStatus.SUCCEEDED, created_at__gte=since).count()


def _record(count: int) -> None:
    from webhooks.services.events import webhook_events_record_from_select

    with transaction.atomic():
        webhook_events_record_from_select(
            event_type=EVENT_TYPE,
            select_sql="SELECT i AS resource_id FROM generate_series(1, %s) AS i",
            params=[count],
            now=timezone.now(),
        )


def _delays_ms(received: list[tuple[int, int, float]], since_id: int) -> list[float]:
    created = {pk: at.timestamp() for pk, at in Event.objects.filter(pk__gt=since_id).values_list("pk", "created_at")}
    return sorted((at - created[event_id]) * 1000 for event_id, _index, at in received if event_id in created)


def _summary(delays: list[float]) -> dict[str, float]:
    return {
        "p50_delay_ms": round(percentile(delays, 0.50), 1),
        "p95_delay_ms": round(percentile(delays, 0.95), 1),
        "p99_delay_ms": round(percentile(delays, 0.99), 1),
        "max_delay_ms": round(delays[-1], 1) if delays else 0.0,
    }


@benchmark("webhooks_delivery")
def webhooks_delivery(context: Context) -> dict[str, Any]:
    """100,000 webhook deliveries (10,000 events x 10 endpoints) to loopback receivers by 4 worker
    processes: throughput, delay from commit to receipt (p50/p99), statements per event."""
    events = context.scaled(10_000, 300)
    history = context.scaled(100_000, 3_000)
    steady_seconds = context.scaled(20, 3)
    load_at_start = round(os.getloadavg()[0], 2)
    sink = Sink(ENDPOINTS)
    received: list[tuple[int, int, float]] = []
    mp = multiprocessing.get_context("fork")
    stop, results = mp.Event(), mp.Queue()
    workers: list[Any] = []
    try:
        with override_settings(WEBHOOKS_ALLOW_PRIVATE_ADDRESSES=True, DEBUG=False):
            now = timezone.now()
            endpoint_ids = _prepare(context, sink.ports, history=history, now=now)
            _quiet_tasks()
            last_history_id = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

            # Phase 1: the backlog.
            _record(events)
            expected = events * ENDPOINTS
            context.log(f"  {events:,} events recorded; {WORKER_PROCESSES} workers deliver {expected:,}")
            connections.close_all()  # forked workers must not share the parent's socket
            workers.extend(
                mp.Process(target=_worker, args=(index, endpoint_ids, stop, results))
                for index in range(WORKER_PROCESSES)
            )
            started = time.time()
            for worker in workers:
                worker.start()
            deadline = time.monotonic() + 1800
            while _delivered(now) < expected and time.monotonic() < deadline:
                time.sleep(0.1)
            backlog_done = _delivered(now)
            backlog_last_id = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

            # Phase 2: a steady stream at half the throughput measured so far.
            backlog_rate = backlog_done / max(time.time() - started, 1e-9)
            rate = max(1.0, backlog_rate / ENDPOINTS / 2)  # events per second
            chunk = 5
            steady_started = time.monotonic()
            produced = 0
            while time.monotonic() - steady_started < steady_seconds:
                _record(chunk)
                produced += chunk
                pause = steady_started + produced / rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
            steady_expected = expected + produced * ENDPOINTS
            deadline = time.monotonic() + 120
            while _delivered(now) < steady_expected and time.monotonic() < deadline:
                time.sleep(0.05)
            stop.set()
            totals = [results.get(timeout=120) for _ in workers]
            for worker in workers:
                worker.join(timeout=30)
            delivered_total = _delivered(now)
    finally:
        stop.set()  # a failure above must not leave the workers looping
        for worker in workers:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.terminate()
        received = sink.finish()

    backlog_received = sorted(row for row in received if last_history_id < row[0] <= backlog_last_id)
    backlog_seconds = max(row[2] for row in backlog_received) - started if backlog_received else 0.0
    throughput = len(backlog_received) / backlog_seconds if backlog_seconds else 0.0
    backlog_delays = _delays_ms(backlog_received, last_history_id)
    steady_received = [row for row in received if row[0] > backlog_last_id]
    steady_delays = _delays_ms(steady_received, backlog_last_id)
    per_event = Counter((row[0], row[1]) for row in received)
    duplicates = sum(count - 1 for count in per_event.values())
    dispatch_statements = sum(total["dispatch_statements"] for total in totals)
    deliver_statements = sum(total["deliver_statements"] for total in totals)
    dispatched = sum(total["events"] for total in totals)
    sent = sum(total["sent"] for total in totals)
    statements = {
        "dispatch_per_event": round(dispatch_statements / dispatched, 3) if dispatched else 0.0,
        "deliver_per_delivery": round(deliver_statements / sent, 3) if sent else 0.0,
        "per_event_all_endpoints": round((dispatch_statements + deliver_statements) / dispatched, 2)
        if dispatched
        else 0.0,
        "idle_polling_statements": sum(total["idle_statements"] for total in totals),
    }
    context.log(
        f"  backlog: {len(backlog_received):,} deliveries in {backlog_seconds:.1f} s = {throughput:,.0f}/s; "
        f"delay p50 {percentile(backlog_delays, 0.5):,.0f} ms, p99 {percentile(backlog_delays, 0.99):,.0f} ms"
    )
    context.log(
        f"  steady: {produced:,} events at {rate:,.0f}/s ({len(steady_received):,} deliveries); delay p50 "
        f"{percentile(steady_delays, 0.5):,.0f} ms, p99 {percentile(steady_delays, 0.99):,.0f} ms"
    )
    context.log(f"  statements: {statements}; duplicates received: {duplicates}")
    return {
        "endpoints": ENDPOINTS,
        "worker_processes": WORKER_PROCESSES,
        "endpoint_concurrency": settings.WEBHOOKS_ENDPOINT_CONCURRENCY,
        "batch_size": settings.WEBHOOKS_BATCH_SIZE,
        "history_events": history,
        "backlog": {
            "events": events,
            "deliveries": len(backlog_received),
            "seconds": round(backlog_seconds, 2),
            "deliveries_per_second": round(throughput, 1),
            **_summary(backlog_delays),
        },
        "steady": {
            "seconds": steady_seconds,
            "events_per_second": round(rate, 1),
            "events": produced,
            "deliveries": len(steady_received),
            **_summary(steady_delays),
        },
        "statements": statements,
        "delivered": delivered_total,
        "expected": steady_expected,
        "duplicates_received": duplicates,
        "load_average_at_start": load_at_start,
        # For the runner's table: the backlog's throughput, the steady phase's delays.
        "requests": len(received),
        "requests_per_second": round(throughput, 1),
        "p50_ms": round(percentile(steady_delays, 0.50), 1),
        "p95_ms": round(percentile(steady_delays, 0.95), 1),
        "p99_ms": round(percentile(steady_delays, 0.99), 1),
        "sql_statements": statements["per_event_all_endpoints"],
    }
