"""SLA clocks: a deadline, an optional warning before it, and an exactly-once warning and
escalation by a set-based sweep. One toolkit for every app that promises an answer in time (the
inquiries' 4 hours, the reviews' 48 hours, the help desk's first response and department targets).

The design the reviews sweep proved, written once:

- **A narrow clock table per app** (a concrete subclass of ``SlaClock``: the app's key to its
  subject plus the six timestamps below). Warning and escalating a batch rewrite these small rows,
  never the wide, heavily indexed subject rows (a conversation, a review, a ticket): an update of a
  column that sits in an index predicate cannot be a HOT update, so on the subject row it cost one
  new entry in every one of its ten or twelve indexes. What the escalation *means* to readers (the
  subject's "escalated" state, a thread notice, the history line) is read from the clock row.
- **Claim and mark in one statement** (``claim_due``): ``UPDATE clock SET escalated_at = now WHERE
  key = ANY(ARRAY(SELECT ... FOR UPDATE SKIP LOCKED LIMIT n)) AND escalated_at IS NULL RETURNING
  key``. Two sweeps at once each skip the rows the other holds; the repeated ``IS NULL`` marks a row
  once, whoever claims it. Only the clock is locked (plus, where an app says so, a key-share lock on
  a joined row that another writer locks first, so that writer wins instead of deadlocking).
- **The rest of a batch is computed in the database**: notices by ``INSERT ... SELECT`` over the
  claimed keys (``core.sql.ids_in``), per-recipient digests grouped in SQL (``titles_agg``). A
  fixed number of statements per batch, whatever its size; tests pin the number.
- **State-based**: each run takes whatever is due *now*; after an outage the next run catches up.
- **Pausing** (waiting on the customer) takes a clock out of the sweep's indexes; resuming moves
  its warning and deadline on by the time it was paused. **Retargeting** (a ticket escalated to a
  department with its own target) starts a new deadline from now, with a new warning and a new,
  again exactly-once, escalation. **Stopping** (answered, resolved) ends it; a stopped clock can be
  restarted when the subject is unanswered again.

Every helper here takes ``now``; nothing reads the clock of the machine.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from django.db import connection, models, transaction
from django.db.models import F, Q

from core.sql import db_datetime, execute, in_claimed, nested_loop_joins, row_locks_supported, table

Stage = Literal["warn", "escalate"]


class SlaClock(models.Model):
    """The six timestamps of a clock; the concrete model adds its key (a one-to-one to its subject
    or its own id) and the indexes from ``sweep_indexes``.

    - ``due_at``: the deadline; ``warn_at``: when to warn before it (null: no warning);
    - ``warned_at`` / ``escalated_at``: when the sweep warned / escalated (each at most once per
      target: ``clock_retarget`` starts a new one);
    - ``paused_at``: paused since (waiting on the customer): not due while paused;
    - ``stopped_at``: stopped (answered, resolved, closed): never due again unless restarted.
    """

    warn_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    warned_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def sweep_indexes(prefix: str, *, key: str = "id", warns: bool = True) -> list[models.Index]:
        """The partial indexes the sweep reads: only running, unpaused clocks not yet escalated
        (not yet warned) are in them, so an empty sweep reads nothing and a stopped or escalated
        clock costs no index entry there."""
        running = Q(stopped_at__isnull=True, paused_at__isnull=True, escalated_at__isnull=True)
        indexes = [models.Index(fields=["due_at", key], condition=running, name=f"{prefix}_due_idx")]
        if warns:
            # ``due_at`` in the key: the warning scan's "not yet due" is checked on the index entry,
            # so the entries of rows escalated a moment ago (dead until vacuum, all overdue) and of
            # unwarned overdue rows are skipped without reading the table.
            indexes.append(
                models.Index(
                    fields=["warn_at", "due_at", key],
                    condition=running & Q(warned_at__isnull=True, warn_at__isnull=False),
                    name=f"{prefix}_warn_idx",
                )
            )
        return indexes

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None and self.paused_at is None

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None

    def remaining(self, *, now: datetime) -> timedelta | None:
        """Time left before the deadline (negative when past it); None when stopped. A paused clock
        keeps the time it had when it was paused."""
        if self.stopped_at is not None:
            return None
        return self.due_at - (self.paused_at or now)


# --- The sweep's claim ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Join:
    """A table the claim reads with the clock: ``JOIN <model> AS <alias> ON <on>``. ``lock``:
    ``"KEY SHARE"`` to hold the joined row against a writer that locks it first and then stops
    the clock (that writer waits for the sweep's commit, or the sweep skips the pair; never a
    deadlock), or ``""`` to read it unlocked."""

    model: type[models.Model]
    alias: str
    on: str
    lock: str = ""


@dataclass(frozen=True)
class ClockClaim:
    """How to claim the due rows of one clock table.

    ``model`` is the clock table (an ``SlaClock`` or any table with the same columns: ``due`` /
    ``mark`` name them), ``key`` the column returned for each claimed row. ``running`` is the SQL
    that says a row still runs (default: the ``SlaClock`` columns), ``where`` more conditions on
    the joined tables, with their ``params``. ``also_set`` more columns written with the mark
    (``{"status": "escalated"}``). ``returning``: more columns of each claimed row handed to the
    batch's handler (what its notices need, so it does not look the rows up again).
    ``nested_loops``: join each due clock to its subject by primary key
    (``core.sql.nested_loop_joins``) where the planner would hash a large table instead."""

    model: type[models.Model]
    key: str = "id"
    joins: Sequence[Join] = ()
    where: str = ""
    params: Sequence[Any] = ()
    running: str = "claimable.stopped_at IS NULL AND claimable.paused_at IS NULL AND claimable.escalated_at IS NULL"
    running_params: Sequence[Any] = ()
    also_set: dict[str, Any] = field(default_factory=dict)
    returning: Sequence[str] = ()
    nested_loops: bool = False

    def _locks(self) -> str:
        if not row_locks_supported():
            return ""  # SQLite: a write transaction is exclusive (BEGIN IMMEDIATE)
        clauses = ["FOR UPDATE OF claimable SKIP LOCKED"]
        clauses += [f"FOR {join.lock} OF {join.alias} SKIP LOCKED" for join in self.joins if join.lock]
        return " ".join(clauses)

    def _due_where(self, *, stage: Stage, now: datetime) -> tuple[str, str, list[Any]]:
        """(``FROM ... WHERE ...`` of the due rows, the deadline column they are ordered by, params).

        ``escalate``: due by ``now``. ``warn``: past ``warn_at``, not yet warned and *not yet due*
        (an overdue row is escalated instead: a "reply soon" after the deadline only confuses; after
        an outage such a row is escalated without a warning)."""
        at = db_datetime(now)
        if stage == "escalate":
            order, condition, condition_params = "due_at", "claimable.due_at <= %s", [at]
        else:
            order = "warn_at"
            condition = "claimable.warned_at IS NULL AND claimable.warn_at <= %s AND claimable.due_at > %s"
            condition_params = [at, at]
        joins = " ".join(f"JOIN {table(join.model)} AS {join.alias} ON {join.on}" for join in self.joins)
        extra = f"AND {self.where}" if self.where else ""
        sql = f"FROM {table(self.model)} AS claimable {joins} WHERE {self.running} AND {condition} {extra}"
        return sql, order, [*self.running_params, *condition_params, *self.params]

    def _execute(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        if self.nested_loops:
            with nested_loop_joins():
                return execute(sql, params)
        return execute(sql, params)

    def any_due(self, *, stage: Stage, now: datetime) -> bool:
        """Whether anything is due for ``stage``: one read, outside any transaction, so that the
        sweep that runs every minute and finds nothing costs one statement a stage."""
        source, order, params = self._due_where(stage=stage, now=now)
        # In the deadline's order, so that it reads the partial index: with a bare LIMIT 1 the
        # planner, expecting many matches, scanned the whole table and found none (160 ms).
        return bool(execute(f"SELECT 1 {source} ORDER BY claimable.{order} LIMIT 1", params))

    def due(self, *, stage: Stage, now: datetime, batch_size: int) -> list[int]:
        """Claim up to ``batch_size`` rows due for ``stage`` at ``now`` and mark them, in one
        statement; their keys, in deadline order."""
        return [row[0] for row in self.due_rows(stage=stage, now=now, batch_size=batch_size)]

    def due_rows(self, *, stage: Stage, now: datetime, batch_size: int) -> list[tuple[Any, ...]]:
        """As ``due``, each claimed row as ``(key, *returning)``."""
        mark = "escalated_at" if stage == "escalate" else "warned_at"
        source, order, params = self._due_where(stage=stage, now=now)
        clock = table(self.model)
        opening, closing = in_claimed()
        assignments = ", ".join([f"{mark} = %s", *(f"{column} = %s" for column in self.also_set)])
        sql = f"""
            UPDATE {clock} SET {assignments}
            WHERE {self.key} {opening}
                SELECT claimable.{self.key} {source}
                ORDER BY claimable.{order}, claimable.{self.key}
                LIMIT %s
                {self._locks()}
            {closing} AND {mark} IS NULL
            RETURNING {", ".join([order, self.key, *self.returning])}
        """  # noqa: S608 (identifiers from model metadata; values are parameters)
        rows = self._execute(sql, [db_datetime(now), *self.also_set.values(), *params, batch_size])
        return [row[1:] for row in sorted(rows, key=lambda row: (row[0], row[1]))]

    def sweep(
        self, *, stage: Stage, now: datetime, batch_size: int, handle: Callable[[list[tuple[Any, ...]]], None]
    ) -> int:
        """Every row due for ``stage`` at ``now``, claimed and handled batch by batch
        (``sweep_in_batches``; ``handle`` gets the claimed rows as ``due_rows`` gives them), after
        one cheap look that usually finds nothing."""
        if not self.any_due(stage=stage, now=now):
            return 0
        return sweep_in_batches(
            claim=lambda: self.due_rows(stage=stage, now=now, batch_size=batch_size),
            handle=handle,
            batch_size=batch_size,
        )


def sweep_in_batches(*, claim: Callable[[], list[Any]], handle: Callable[[list[Any]], None], batch_size: int) -> int:
    """Claim a batch, ``handle`` it (its inserts and notices), commit; repeat until a batch comes
    back short. One transaction per batch: a failure rolls back that batch whole (claim included),
    and the next run does it again. Returns how many rows were claimed in all."""
    total = 0
    while True:
        with transaction.atomic():
            keys = claim()
            if keys:
                handle(keys)
        total += len(keys)
        if len(keys) < batch_size:
            return total


# --- Writes on one clock (under the subject's lock, in the caller's transaction) ---------------------


def clock_stop(clocks: models.QuerySet[Any], *, now: datetime) -> int:
    """Stop the running clocks of ``clocks`` (answered, resolved, closed); idempotent."""
    return clocks.filter(stopped_at__isnull=True).update(stopped_at=now)


def clock_restart(clocks: models.QuerySet[Any]) -> int:
    """Run stopped clocks again, on their old deadline (a response hidden: unanswered again)."""
    return clocks.filter(stopped_at__isnull=False).update(stopped_at=None)


def clock_pause(clocks: models.QuerySet[Any], *, now: datetime) -> int:
    """Pause running clocks (waiting on the customer): not due while paused."""
    return clocks.filter(stopped_at__isnull=True, paused_at__isnull=True).update(paused_at=now)


def clock_resume(clocks: models.QuerySet[Any], *, now: datetime) -> int:
    """Resume paused clocks: the warning and the deadline move on by the time spent paused."""
    paused = clocks.filter(stopped_at__isnull=True, paused_at__isnull=False)
    count = 0
    for clock in paused.select_for_update():
        shift = max(now - clock.paused_at, timedelta(0))
        type(clock).objects.filter(pk=clock.pk).update(
            due_at=F("due_at") + shift,
            warn_at=F("warn_at") + shift if clock.warn_at is not None else None,
            paused_at=None,
        )
        count += 1
    return count


def clock_retarget(
    clocks: models.QuerySet[Any], *, now: datetime, target: timedelta, warn_before: timedelta | None = None
) -> int:
    """A new deadline ``target`` from ``now`` (a department's own target), warned ``warn_before``
    it (None: no warning); the new target is warned and escalated once again, so the previous
    warning and escalation times are cleared here (the caller's audit row keeps them)."""
    due = now + target
    return clocks.update(
        due_at=due,
        warn_at=due - warn_before if warn_before is not None else None,
        warned_at=None,
        escalated_at=None,
        paused_at=None,
        stopped_at=None,
    )


# --- Digests -------------------------------------------------------------------------------------------


def titles_agg(expression: str, *, order_by: str, limit: int = 300) -> str:
    """SQL aggregate: the ``expression`` values of a group, ``; ``-separated in ``order_by`` order
    (PostgreSQL; SQLite: in scan order), cut at ``limit`` characters — a digest's body."""
    if connection.vendor == "postgresql":
        return f"LEFT(string_agg({expression}, '; ' ORDER BY {order_by}), {int(limit)})"
    return f"SUBSTR(group_concat({expression}, '; '), 1, {int(limit)})"
