"""Helpers for tests (import from here, not from conftest)."""

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

ON_POSTGRES = os.environ.get("DATABASE_URL", "").split(":")[0] in {"postgres", "postgresql", "pgsql"}

requires_postgres = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL (row locks, concurrent transactions): set DATABASE_URL to a PostgreSQL database",
)


def run_at_once(count: int, work: Callable[[int], object], *, timeout: float = 60) -> list[object]:
    """Run ``work(index)`` in ``count`` threads (each its own database connection) released
    together by a barrier; return each result or the exception it raised."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def runner(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), f"a thread is still running after {timeout:g} s"
    return results


def form_token(page_html: str, nth: int = 0) -> str:
    """The ``nth`` one-time form token (``{% form_token %}``) rendered on a page."""
    import re

    tokens = re.findall(r'name="form_token" value="([0-9a-f]+)"', page_html)
    assert len(tokens) > nth, "the page renders no form token"
    return tokens[nth]


def submit_twice(client: Any, url: str, data: dict[str, Any], *, nth: int = 0) -> tuple[Any, Any]:
    """Open the page at ``url``, then send its ``nth`` form twice with the same one-time token
    (a double-click); both responses."""
    token = form_token(client.get(url).content.decode(), nth)
    return client.post(url, {**data, "form_token": token}), client.post(url, {**data, "form_token": token})
