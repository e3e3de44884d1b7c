"""Helpers for tests (import from here, not from conftest)."""

import os

import pytest

ON_POSTGRES = os.environ.get("DATABASE_URL", "").split(":")[0] in {"postgres", "postgresql", "pgsql"}

requires_postgres = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL (row locks, concurrent transactions): set DATABASE_URL to a PostgreSQL database",
)
