"""The delivery engine: fanning new events out to the endpoints that want them, and sending what is
due to one endpoint, signed, logged and retried.

Both halves claim their work set-based, like the sweeps (``UPDATE ... RETURNING`` over rows taken
``FOR UPDATE SKIP LOCKED``), so any number of workers run them at once and each event reaches each
endpoint once. HTTP never happens inside a database transaction: a claim commits before the first
byte is sent, and the outcome is marked in a second, short transaction afterwards.

The body is built from the event row alone (id, type, created_at and the payload rendered once at
fan-out), serialised with sorted keys and no spaces: every retry, every replay and every endpoint
gets the same bytes, so a receiver can de-duplicate by the event id and compare bodies.
"""

import hashlib
import hmac
import http.client
import json
import logging
import random
import socket
import ssl
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, partial
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from accounts.models import User
from core.sql import db_datetime, execute, ids_in, in_claimed, row_locks_supported, table
from notifications.services.notify import notify
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, Endpoint, Event
from webhooks.notices import Kind
from webhooks.resources import render_resources
from webhooks.services.addresses import DeliveryTarget, UnsafeAddress, resolve_delivery_target
from webhooks.services.deliveries import webhook_deliveries_send_after_commit

logger = logging.getLogger(__name__)

USER_AGENT = "SayPro-Webhooks/1"
# Retry delays vary by this fraction either way, so endpoints that failed together do not all
# come back at the same second.
JITTER = 0.2
ERROR_MAX_LENGTH = 300


# --- fan-out ---------------------------------------------------------------------------------------


def _claim_events(*, now: datetime, batch_size: int) -> list[tuple[Any, ...]]:
    """Mark up to ``batch_size`` undispatched events dispatched, oldest id first, in one statement.
    Rows another dispatcher holds are skipped; a claimed row no longer matches anyone's condition."""
    event = table(Event)
    opening, closing = in_claimed()
    lock = "FOR UPDATE SKIP LOCKED" if row_locks_supported() else ""
    sql = f"""
        UPDATE {event} SET dispatched_at = %s
        WHERE id {opening}
            SELECT claimable.id FROM {event} AS claimable WHERE claimable.dispatched_at IS NULL
            ORDER BY claimable.id LIMIT %s {lock}
        {closing}
        RETURNING id, type, resource_type, resource_id
    """  # noqa: S608 (identifiers from model metadata; values are parameters)
    return execute(sql, [db_datetime(now), batch_size])


def _render(rows: Sequence[tuple[Any, ...]]) -> dict[int, Any]:
    """Each claimed event's resource, rendered in one call per resource type (a constant number of
    statements per batch, whatever its size)."""
    ids_by_type: dict[str, list[int]] = defaultdict(list)
    for _pk, _type, resource_type, resource_id in rows:
        if resource_id not in ids_by_type[resource_type]:
            ids_by_type[resource_type].append(resource_id)
    rendered = {resource_type: render_resources(resource_type, ids) for resource_type, ids in ids_by_type.items()}
    return {pk: rendered[resource_type][resource_id] for pk, _type, resource_type, resource_id in rows}


def _store_payloads(payloads: dict[int, Any]) -> None:
    """Every payload of the batch in one ``UPDATE``: the payloads travel as one JSON object keyed by
    event id (one parameter however many), each row takes its own entry."""
    event = table(Event)
    # DjangoJSONEncoder: a renderer's Decimal or datetime is stored as the API shows it (a string).
    document = json.dumps({str(pk): payload for pk, payload in payloads.items()}, cls=DjangoJSONEncoder)
    where, params = ids_in("id", list(payloads))
    if connection.vendor == "postgresql":
        sql = f"UPDATE {event} SET payload = (%s::jsonb) -> (id::text) WHERE {where}"  # noqa: S608
    else:
        sql = (
            f"UPDATE {event} SET payload = (SELECT entry.value FROM json_each(%s) AS entry"  # noqa: S608
            f" WHERE entry.key = CAST({event}.id AS TEXT)) WHERE {where}"
        )
    execute(sql, [document, *params])


def _fan_out(event_ids: list[int], *, now: datetime) -> list[int]:
    """One delivery per claimed event and active endpoint subscribed to its type, in one ``INSERT
    ... SELECT``; ``ON CONFLICT DO NOTHING`` on ``webhook_delivery_once`` keeps a second fan-out of
    the same event harmless. Pings (``endpoint_id`` set) are created with their delivery and skipped.
    A delivery is due from its event's ``created_at``: the sender takes the oldest due first, so
    fresh deliveries go out in event order. Returns the endpoint id of every delivery written."""
    event, endpoint, delivery = table(Event), table(Endpoint), table(Delivery)
    where, params = ids_in("source.id", event_ids)
    if connection.vendor == "postgresql":
        subscribed = "target.events @> jsonb_build_array(source.type)"
    else:
        subscribed = "EXISTS (SELECT 1 FROM json_each(target.events) AS wanted WHERE wanted.value = source.type)"
    sql = f"""
        INSERT INTO {delivery} (event_id, endpoint_id, status, attempts, next_attempt_at, created_at)
        SELECT source.id, target.id, %s, 0, source.created_at, %s
        FROM {event} AS source JOIN {endpoint} AS target ON target.is_active AND {subscribed}
        WHERE {where} AND source.endpoint_id IS NULL
        ORDER BY source.created_at, source.id, target.id
        ON CONFLICT DO NOTHING
        RETURNING endpoint_id
    """  # noqa: S608 (identifiers from model metadata; values are parameters)
    return [row[0] for row in execute(sql, [DeliveryStatus.PENDING.value, db_datetime(now), *params])]


def webhook_events_dispatch(*, now: datetime, batch_size: int | None = None) -> dict[str, int]:
    """Fan every undispatched event out to its endpoints, in claimed batches until fewer than a
    batch is left, and queue each endpoint's sender after each batch commits.

    A batch is one transaction of a constant number of statements: the claim, one render per
    resource type, the payloads' update and the fan-out. If anything in it fails the events stay
    undispatched for the next run (the task, or the ``webhooks_deliver`` sweep). Safe to run twice
    or from several workers at once: each claims rows the others skip."""
    size = batch_size or settings.WEBHOOKS_BATCH_SIZE
    events = deliveries = 0
    while True:
        with transaction.atomic():
            rows = _claim_events(now=now, batch_size=size)
            if rows:
                _store_payloads(_render(rows))
                endpoint_ids = _fan_out([row[0] for row in rows], now=now)
                webhook_deliveries_send_after_commit(endpoint_ids)
                events, deliveries = events + len(rows), deliveries + len(endpoint_ids)
        if len(rows) < size:
            return {"events": events, "deliveries": deliveries}


# --- one request -----------------------------------------------------------------------------------


def webhook_body(*, event: Event) -> bytes:
    """The bytes every delivery of ``event`` sends (sorted keys, compact): the same on every retry."""
    created_at = event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    document = {"id": event.pk, "type": event.type, "created_at": created_at, "data": event.payload}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder).encode()


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``"<timestamp>.<body>"`` with the endpoint's secret."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


@dataclass(frozen=True)
class Request:
    delivery_id: int
    attempts: int
    first_attempt_at: datetime
    event_id: int
    event_type: str
    body: bytes


@dataclass(frozen=True)
class Outcome:
    request: Request
    started_at: datetime
    duration_ms: int
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _host_header(target: DeliveryTarget) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default_port = 443 if target.scheme == "https" else 80
    return host if target.port == default_port else f"{host}:{target.port}"


@cache
def _tls_context() -> ssl.SSLContext:
    """Certificates checked against the system's CAs and the host name; built once (loading the CA
    bundle takes milliseconds) and shared by the sending threads (an SSLContext is thread-safe)."""
    return ssl.create_default_context()


def _post(target: DeliveryTarget, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """POST ``body`` to the address checked by ``resolve_delivery_target`` (never resolving the
    name again: DNS rebinding), TLS checked against the host name. Redirects are not followed."""
    sock = socket.create_connection((target.address, target.port), timeout=settings.WEBHOOKS_CONNECT_TIMEOUT)
    try:
        sock.settimeout(settings.WEBHOOKS_TIMEOUT)
        if target.scheme == "https":
            sock = _tls_context().wrap_socket(sock, server_hostname=target.host)
        conn = http.client.HTTPConnection(target.host, target.port, timeout=settings.WEBHOOKS_TIMEOUT)
        conn.sock = sock  # already connected: http.client sends over it
        conn.putrequest("POST", target.path, skip_host=True, skip_accept_encoding=True)
        for name, value in {"Host": _host_header(target), **headers, "Content-Length": str(len(body))}.items():
            conn.putheader(name, value)
        conn.endheaders(body)
        response = conn.getresponse()
        # Only the first bytes are kept; the rest of the answer is not read.
        return response.status, response.read(settings.WEBHOOKS_RESPONSE_EXCERPT_BYTES)
    finally:
        sock.close()


def _send(request: Request, *, target: DeliveryTarget | UnsafeAddress, secret: str, now: datetime) -> Outcome:
    """One attempt to the address resolved for this round (refused: a failure, nothing sent): sign,
    POST. Runs outside any transaction and touches no database (it may run in a worker thread)."""
    started = time.monotonic()

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    if isinstance(target, UnsafeAddress):
        return Outcome(request, started_at=now, duration_ms=0, error=f"refused: {target}")
    # The receiver compares the timestamp with its own clock: real seconds at this attempt.
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-SayPro-Event-Id": str(request.event_id),
        "X-SayPro-Event-Type": request.event_type,
        "X-SayPro-Delivery-Id": str(request.delivery_id),
        "X-SayPro-Timestamp": str(timestamp),
        "X-SayPro-Signature": webhook_signature(secret=secret, timestamp=timestamp, body=request.body),
    }
    try:
        status, answer = _post(target, headers, request.body)
    except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out, TLS, bad answer
        text = str(error) or type(error).__name__
        return Outcome(request, started_at=now, duration_ms=elapsed_ms(), error=text[:ERROR_MAX_LENGTH])
    excerpt = answer.decode("utf-8", errors="replace").replace("\x00", "\ufffd")  # PostgreSQL refuses NUL
    redirect = f"redirect ({status}) not followed" if 300 <= status < 400 else ""
    return Outcome(
        request, started_at=now, duration_ms=elapsed_ms(), status_code=status, excerpt=excerpt, error=redirect
    )


# --- one endpoint ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _EndpointRow:
    url: str
    secret: str
    is_active: bool


def _lock_endpoint(endpoint_id: int) -> _EndpointRow | None:
    # NO KEY UPDATE: claims for this endpoint exclude one another, but the fan-out's inserts of new
    # deliveries (whose foreign key takes KEY SHARE on this row) are not held up by them.
    lock = "FOR NO KEY UPDATE" if row_locks_supported() else ""
    rows = execute(
        f"SELECT url, secret, is_active FROM {table(Endpoint)} WHERE id = %s {lock}",  # noqa: S608
        [endpoint_id],
    )
    return _EndpointRow(url=rows[0][0], secret=rows[0][1], is_active=bool(rows[0][2])) if rows else None


def requests_per_slot() -> int:
    """How many requests one slot may send one after another in a round: as many as fit, each
    taking its whole connect and read timeouts, in half the sending lease. So a round never outlives
    its lease (its deliveries are not taken for a dead worker's and sent twice)."""
    worst = settings.WEBHOOKS_CONNECT_TIMEOUT + settings.WEBHOOKS_TIMEOUT
    return max(1, int(settings.WEBHOOKS_SENDING_LEASE.total_seconds() / 2 // worst))


@dataclass(frozen=True)
class _Claim:
    endpoint: _EndpointRow | None
    requests: list[Request]
    # Requests this round may have in flight at once (threads): the slots that were free.
    slots: int = 0
    # Every row the round could take was taken: more may be due.
    more_due: bool = False


def _claim_deliveries(*, endpoint_id: int, now: datetime) -> _Claim:
    """Claim what is due to one endpoint, never more than ``WEBHOOKS_ENDPOINT_CONCURRENCY``
    requests in flight to it across every worker.

    Why the limit holds with any number of workers: every claim for an endpoint runs in a
    transaction that first locks the endpoint's row (``SELECT ... FOR NO KEY UPDATE``), so claims for one
    endpoint happen one after another. Only then, in separate statements (under READ COMMITTED each
    statement sees everything committed before it started, so every earlier claim), it counts the
    deliveries still ``sending`` (claimed and not yet marked); the slots free are the limit less that
    count. It claims up to ``requests_per_slot()`` deliveries per free slot, marks them ``sending``
    before it commits and releases the lock, and sends them with at most that many requests at once.
    Every worker's requests at once are at most its free slots, which are at most the limit less the
    rows the others hold, which is at least their requests at once: together, never more than the
    limit. A count taken in the locking
    statement itself would be wrong: after waiting for the lock PostgreSQL re-checks the row but
    keeps the statement's older snapshot. A delivery leaves ``sending`` when its outcome is marked
    or, if its worker died, when its lease (``WEBHOOKS_SENDING_LEASE``, far longer than one request
    can take: connect plus read timeout) expires: it is then released here to be sent again.
    On SQLite a write transaction is exclusive (BEGIN IMMEDIATE), which serialises claims the same way.

    Due: ``pending`` or ``retrying`` with ``next_attempt_at <= now``, oldest first (fresh deliveries
    are due from their event's ``created_at``: event order). A paused endpoint's deliveries stay
    where they are."""
    with transaction.atomic():
        _commit_without_waiting_for_disk()
        endpoint = _lock_endpoint(endpoint_id)
        if endpoint is None or not endpoint.is_active:
            return _Claim(endpoint, [])
        delivery = table(Delivery)
        at = db_datetime(now)
        execute(
            f"UPDATE {delivery} SET status = %s, next_attempt_at = %s"  # noqa: S608
            " WHERE endpoint_id = %s AND status = %s AND last_attempt_at < %s",
            [
                DeliveryStatus.RETRYING.value,
                at,
                endpoint_id,
                DeliveryStatus.SENDING.value,
                db_datetime(now - settings.WEBHOOKS_SENDING_LEASE),
            ],
        )
        in_flight = execute(
            f"SELECT count(*) FROM {delivery} WHERE endpoint_id = %s AND status = %s",  # noqa: S608
            [endpoint_id, DeliveryStatus.SENDING.value],
        )[0][0]
        slots = settings.WEBHOOKS_ENDPOINT_CONCURRENCY - in_flight
        if slots <= 0:
            return _Claim(endpoint, [])
        take = min(settings.WEBHOOKS_BATCH_SIZE, slots * requests_per_slot())
        opening, closing = in_claimed()
        lock = "FOR UPDATE SKIP LOCKED" if row_locks_supported() else ""
        claimed = execute(
            f"""
            UPDATE {delivery}
            SET status = %s, attempts = attempts + 1, last_attempt_at = %s,
                first_attempt_at = COALESCE(first_attempt_at, %s)
            WHERE id {opening}
                SELECT claimable.id FROM {delivery} AS claimable
                WHERE claimable.endpoint_id = %s AND claimable.status IN (%s, %s) AND claimable.next_attempt_at <= %s
                ORDER BY claimable.next_attempt_at, claimable.id LIMIT %s {lock}
            {closing}
            RETURNING id
            """,  # noqa: S608 (identifiers from model metadata; values are parameters)
            [
                DeliveryStatus.SENDING.value,
                at,
                at,
                endpoint_id,
                DeliveryStatus.PENDING.value,
                DeliveryStatus.RETRYING.value,
                at,
                take,
            ],
        )
        if not claimed:
            return _Claim(endpoint, [])
        rows = (
            Delivery.objects.filter(pk__in=[row[0] for row in claimed])
            .select_related("event")
            .only("attempts", "first_attempt_at", "event__type", "event__created_at", "event__payload")
        )
        requests = [
            Request(
                delivery_id=row.pk,
                attempts=row.attempts,
                first_attempt_at=row.first_attempt_at or now,
                event_id=row.event_id,
                event_type=row.event.type,
                body=webhook_body(event=row.event),
            )
            for row in rows
        ]
    requests.sort(key=lambda request: request.delivery_id)
    return _Claim(endpoint, requests, slots=min(slots, len(requests)), more_due=len(requests) == take)


def retry_delay(attempts: int) -> timedelta:
    """Exponential from ``WEBHOOKS_RETRY_FIRST_DELAY`` (after the first failed attempt), capped at
    ``WEBHOOKS_RETRY_MAX_DELAY``, then ±20 % jitter."""
    first, cap = settings.WEBHOOKS_RETRY_FIRST_DELAY, settings.WEBHOOKS_RETRY_MAX_DELAY
    base = min(first * 2 ** min(attempts - 1, 32), cap)
    return base * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 (spreading retries, not a secret)


MARK_COLUMNS = [
    ("id", "bigint"),
    ("attempts", "integer"),
    ("status", "text"),
    ("next_attempt_at", "timestamptz"),
    ("status_code", "integer"),
    ("delivered_at", "timestamptz"),
    ("started_at", "timestamptz"),
    ("duration_ms", "integer"),
    ("excerpt", "text"),
    ("error", "text"),
]


def _json_records(columns: list[tuple[str, str]]) -> str:
    """``<rows> AS mark``: a table of rows from one JSON parameter (a list of objects), so one
    statement writes a whole round, however many rows, each with its own values."""
    if connection.vendor == "postgresql":
        return f"jsonb_to_recordset(%s::jsonb) AS mark({', '.join(f'{name} {kind}' for name, kind in columns)})"
    selected = ", ".join(f"json_extract(value, '$.{name}') AS {name}" for name, _kind in columns)
    return f"(SELECT {selected} FROM json_each(%s)) AS mark"  # noqa: S608 (column names are constants)


def _commit_without_waiting_for_disk() -> None:
    """The claim and the marks are commits that may be lost in a crash without harm: deliveries are
    at least once (a lost claim or mark sends the delivery again; the receiver de-duplicates by event
    id). PostgreSQL then answers the COMMIT without waiting for the WAL flush: on this kind of disk
    that wait was a third of a round."""
    if connection.vendor == "postgresql":
        execute("SET LOCAL synchronous_commit = off", [])


def _mark(outcomes: Sequence[Outcome], *, endpoint_id: int, now: datetime) -> dict[str, int]:
    """Record a round's outcomes in one transaction: one ``UPDATE`` for every delivery (each row
    takes its own values from one JSON parameter), the attempts in one ``INSERT``, and, when a
    delivery gave up for good, the endpoint paused and its owner told (once: only the statement
    that turns it off notifies). A row no longer ``sending`` with the same attempt number (its lease
    expired and another worker took it) is left to that worker."""
    window = settings.WEBHOOKS_RETRY_WINDOW
    marks: list[dict[str, Any]] = []
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    vendor_time = (lambda value: value.isoformat()) if connection.vendor == "postgresql" else db_datetime
    for outcome in outcomes:
        request = outcome.request
        if outcome.succeeded:
            status, next_attempt_at, delivered_at = DeliveryStatus.SUCCEEDED, None, now
            counts["sent"] += 1
        elif now >= request.first_attempt_at + window:
            status, next_attempt_at, delivered_at = DeliveryStatus.FAILED, None, None
            counts["failed"] += 1
        else:
            status, next_attempt_at, delivered_at = DeliveryStatus.RETRYING, now + retry_delay(request.attempts), None
            counts["retrying"] += 1
        marks.append(
            {
                "id": request.delivery_id,
                "attempts": request.attempts,
                "status": status.value,
                "next_attempt_at": vendor_time(next_attempt_at) if next_attempt_at else None,
                "status_code": outcome.status_code,
                "delivered_at": vendor_time(delivered_at) if delivered_at else None,
                "started_at": vendor_time(outcome.started_at),
                "duration_ms": outcome.duration_ms,
                "excerpt": outcome.excerpt,
                "error": outcome.error[:ERROR_MAX_LENGTH],
            }
        )
    delivery, document = table(Delivery), json.dumps(marks)
    with transaction.atomic():
        _commit_without_waiting_for_disk()
        execute(
            f"""
            UPDATE {delivery} SET status = mark.status,
                next_attempt_at = COALESCE(mark.next_attempt_at, {delivery}.next_attempt_at),
                last_status_code = mark.status_code, delivered_at = mark.delivered_at
            FROM {_json_records(MARK_COLUMNS)}
            WHERE {delivery}.id = mark.id AND {delivery}.status = %s AND {delivery}.attempts = mark.attempts
            """,  # noqa: S608 (identifiers from model metadata; values are parameters)
            [document, DeliveryStatus.SENDING.value],
        )
        execute(
            f"""
            INSERT INTO {table(DeliveryAttempt)}
                (delivery_id, number, started_at, duration_ms, status_code, response_excerpt, error)
            SELECT mark.id, mark.attempts, mark.started_at, mark.duration_ms, mark.status_code, mark.excerpt,
                mark.error
            FROM {_json_records(MARK_COLUMNS)}
            WHERE TRUE
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 (identifiers from model metadata; values are parameters)
            [document],
        )
        if counts["failed"]:
            counts["paused"] = int(_pause(endpoint_id=endpoint_id, outcomes=outcomes, now=now))
    return counts


def _pause(*, endpoint_id: int, outcomes: Sequence[Outcome], now: datetime) -> bool:
    """Turn the endpoint off after a delivery gave up, and tell its owner, once."""
    last = outcomes[-1]
    reason = (
        f"Delivery {last.request.delivery_id} of event {last.request.event_id} failed for "
        f"{settings.WEBHOOKS_RETRY_WINDOW}; last answer: {last.status_code or last.error or 'none'}"
    )[:300]
    rows = execute(
        f"UPDATE {table(Endpoint)} SET is_active = %s, paused_at = %s, pause_reason = %s, updated_at = %s"  # noqa: S608
        " WHERE id = %s AND is_active RETURNING owner_id, url",
        [False, db_datetime(now), reason, db_datetime(now), endpoint_id],
    )
    if not rows:
        return False
    owner_id, url = rows[0]
    notify(
        recipients=User.objects.filter(pk=owner_id),
        kind=Kind.WEBHOOK_PAUSED,
        title=f"Webhook endpoint paused: {url}",
        body=(
            f"We stopped sending to {url}: {reason}. Events keep being recorded; what is pending is "
            "sent when you turn the endpoint on again, and failed deliveries can be replayed."
        ),
        link=f"/admin/webhooks/endpoint/{endpoint_id}/change/",
    )
    logger.warning("webhook endpoint %s paused: %s", endpoint_id, reason)
    return True


def _resolve(url: str) -> DeliveryTarget | UnsafeAddress:
    """The address this round's requests connect to, resolved and checked now (once per round, not
    per request: the same check against DNS rebinding, a fraction of the lookups)."""
    try:
        return resolve_delivery_target(url)
    except UnsafeAddress as refused:
        return refused


def webhook_endpoint_deliver(*, endpoint_id: int, now: datetime, time_budget: float | None = None) -> dict[str, int]:
    """Send what is due to one endpoint: claim (within the endpoint's concurrency limit, see
    ``_claim_deliveries``), POST the claimed deliveries outside any transaction (as many at once as
    the round has slots), mark the round, repeat until nothing due is left, no slot is free, or the
    round would start after ``time_budget`` seconds (a quarter of the sending lease by default;
    ``more`` then says the caller should queue the endpoint again). The first round runs at ``now``;
    later ones at ``now`` plus the time spent, so claim times and leases stay true to the clock.

    Statements per round are constant (lock, lease release, count, claim, read; mark, attempts), so
    per delivery they shrink as rounds fill. A paused endpoint sends nothing (its deliveries stay
    pending until it is turned on again)."""
    budget = settings.WEBHOOKS_SENDING_LEASE.total_seconds() / 4 if time_budget is None else time_budget
    started = time.monotonic()
    totals = {"sent": 0, "retrying": 0, "failed": 0, "more": 0}
    while True:
        elapsed = time.monotonic() - started
        round_now = now + timedelta(seconds=elapsed) if totals["sent"] + totals["retrying"] + totals["failed"] else now
        claim = _claim_deliveries(endpoint_id=endpoint_id, now=round_now)
        if claim.endpoint is None or not claim.requests:
            break
        send = partial(_send, target=_resolve(claim.endpoint.url), secret=claim.endpoint.secret, now=round_now)
        if claim.slots == 1:
            outcomes = [send(request) for request in claim.requests]
        else:
            with ThreadPoolExecutor(max_workers=claim.slots) as executor:
                outcomes = list(executor.map(send, claim.requests))
        marked = _mark(outcomes, endpoint_id=endpoint_id, now=round_now)
        for key in ("sent", "retrying", "failed"):
            totals[key] += marked[key]
        if marked.get("paused") or not claim.more_due:
            break
        if time.monotonic() - started >= budget:
            totals["more"] = 1
            break
    return totals


# --- what is due everywhere ------------------------------------------------------------------------


def webhook_endpoints_with_due_work(*, now: datetime) -> list[int]:
    """The active endpoints with a delivery due (or a sending lease expired): one statement, two
    probes per endpoint through the partial indexes."""
    endpoint, delivery = table(Endpoint), table(Delivery)
    rows = execute(
        f"""
        SELECT target.id FROM {endpoint} AS target
        WHERE target.is_active AND (
            EXISTS (SELECT 1 FROM {delivery} AS due WHERE due.endpoint_id = target.id
                AND due.status IN (%s, %s) AND due.next_attempt_at <= %s)
            OR EXISTS (SELECT 1 FROM {delivery} AS held WHERE held.endpoint_id = target.id
                AND held.status = %s AND held.last_attempt_at < %s))
        ORDER BY target.id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        [
            DeliveryStatus.PENDING.value,
            DeliveryStatus.RETRYING.value,
            db_datetime(now),
            DeliveryStatus.SENDING.value,
            db_datetime(now - settings.WEBHOOKS_SENDING_LEASE),
        ],
    )
    return [row[0] for row in rows]


def webhooks_deliver_due(*, now: datetime) -> dict[str, int]:
    """The minute sweep: dispatch the events nobody dispatched (the task was lost: broker down),
    then send what is due at every endpoint (retries that came due, leases of dead workers, pending
    deliveries of an endpoint turned on again) for at most ``WEBHOOKS_SWEEP_SEND_SECONDS`` in all,
    and queue the sender of each endpoint it did not finish. Sending here as well as in the tasks
    means a sweep run by hand (``manage.py run_sweeps``) or with no worker up still delivers; the
    budget (checked between rounds, a round being bounded by the request timeouts) keeps one slow
    endpoint from holding the sweep, and the claims keep a task and the sweep from sending one
    delivery twice."""
    dispatched = webhook_events_dispatch(now=now)
    endpoint_ids = webhook_endpoints_with_due_work(now=now)
    deadline = time.monotonic() + settings.WEBHOOKS_SWEEP_SEND_SECONDS
    sent = 0
    unfinished: list[int] = []
    for endpoint_id in endpoint_ids:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            unfinished.append(endpoint_id)
            continue
        result = webhook_endpoint_deliver(endpoint_id=endpoint_id, now=now, time_budget=remaining)
        sent += result["sent"]
        if result["more"]:
            unfinished.append(endpoint_id)
    webhook_deliveries_send_after_commit(unfinished)
    return {**dispatched, "endpoints": len(endpoint_ids), "sent": sent, "queued": len(unfinished)}


def webhook_events_prune(*, now: datetime, batch_size: int | None = None) -> dict[str, int]:
    """Delete the events older than ``WEBHOOKS_EVENT_RETENTION`` with their deliveries and attempts,
    a batch per transaction (three ``DELETE``s and the claim), until fewer than a batch is left.
    Two prunes at once skip each other's rows."""
    size = batch_size or settings.WEBHOOKS_BATCH_SIZE * 10
    cutoff = db_datetime(now - settings.WEBHOOKS_EVENT_RETENTION)
    event, delivery, attempt = table(Event), table(Delivery), table(DeliveryAttempt)
    lock = "FOR UPDATE SKIP LOCKED" if row_locks_supported() else ""
    events = 0
    while True:
        with transaction.atomic():
            ids = [
                row[0]
                for row in execute(
                    f"SELECT id FROM {event} WHERE created_at < %s ORDER BY id LIMIT %s {lock}",  # noqa: S608
                    [cutoff, size],
                )
            ]
            if ids:
                where, params = ids_in("event_id", ids)
                execute(
                    f"DELETE FROM {attempt} WHERE delivery_id IN (SELECT id FROM {delivery} WHERE {where})",  # noqa: S608
                    params,
                )
                execute(f"DELETE FROM {delivery} WHERE {where}", params)  # noqa: S608
                where, params = ids_in("id", ids)
                execute(f"DELETE FROM {event} WHERE {where}", params)  # noqa: S608
                events += len(ids)
        if len(ids) < size:
            return {"events": events}
