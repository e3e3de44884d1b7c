"""Small helpers for the set-based sweeps' hand-written SQL: one statement per write of a batch,
computed in the database (``UPDATE ... RETURNING``, ``INSERT ... SELECT``), portable between
PostgreSQL and SQLite 3.35+ (``RETURNING``). Identifiers come from model metadata, values are
always parameters."""

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection


def table(model: type) -> str:
    """The model's table name, quoted."""
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def db_datetime(value: datetime) -> Any:
    """``value`` as the ORM stores it (SQLite: naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def ids_in(column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """``column`` among ``ids`` as one parameter, however many (no 10,000-placeholder lists)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]  # noqa: S608


def in_claimed() -> tuple[str, str]:
    """How ``id IN (claim subquery)`` opens and closes. PostgreSQL: ``= ANY(ARRAY(...))`` runs the
    claim once and then finds the claimed rows by primary key; with ``IN (...)`` it planned a hash
    semi-join over a sequential scan of the whole table (0.4 s of a 1,000,000-row table for 10,000
    claimed rows)."""
    if connection.vendor == "postgresql":
        return "= ANY(ARRAY(", "))"
    return "IN (", ")"


def row_locks_supported() -> bool:
    """``FOR UPDATE OF ... SKIP LOCKED`` (PostgreSQL). SQLite has no row locks: a write
    transaction there is exclusive (BEGIN IMMEDIATE), so a claim needs no lock clause."""
    features = connection.features
    return bool(features.has_select_for_update_skip_locked and features.has_select_for_update_of)


def execute(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run one statement; its rows when it returns any."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@contextmanager
def nested_loop_joins() -> Iterator[None]:
    """Within this block (PostgreSQL; nothing elsewhere) the planner joins by nested loops only.

    For a claim that joins a few thousand due rows to a large table by primary key: with the
    default ``random_page_cost`` the planner prices 10,000 primary-key probes above a hash join over
    a bitmap scan of every candidate row of the large table (244,000 reviews: 262 ms against 29 ms
    on the benchmark's 1,000,000 reviews, bench/README.md). Set for the transaction and put back
    as it was afterwards, so nothing else in the transaction is affected."""
    if connection.vendor != "postgresql":
        yield
        return
    previous = execute(
        "SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin'),"
        " set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)",
        [],
    )[0]
    try:
        yield
    finally:
        execute(
            "SELECT set_config('enable_hashjoin', %s, true), set_config('enable_mergejoin', %s, true)",
            [previous[0], previous[1]],
        )
