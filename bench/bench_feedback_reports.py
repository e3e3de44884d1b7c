"""Feedback & CSAT report benchmarks (PostgreSQL).

``feedback_reports``: the monthly and quarterly CSAT selectors (``feedback.selectors.reports``) over
1,000,000 survey answers spread evenly over the 24 months before now (``--rows`` scales them; a
smoke run: 30,000), each with its invitation: platform-wide and by category, channel, agent, seller
and interaction type, each beside the previous period (one grouped statement reading both periods).
Goal (issue 12): each ≤ 150 ms, statements constant. Timed in-process (the selector is the cost:
the console page, the API and the mails all call it), median of 7 runs after a warm-up.

The data are generated in the database (``generate_series``): 200 sellers, 50 agents, six
categories (1 in 17 answers uncategorised), six channels, four interaction types; 85 % satisfied.
"""

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from bench.registry import BenchmarkSkipped, Context, benchmark
from core.periods import month_period, quarter_of, shift_period
from feedback.models import SurveyInvitation, SurveyResponse
from feedback.selectors.csat import DIMENSIONS
from feedback.selectors.reports import csat_breakdown, csat_overall, csat_trend, previous_period

GOAL_MS = 150.0
RUNS = 7
MONTHS = 24


def _execute(sql: str, params: dict[str, Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def generate_responses(context: Context, *, now: datetime) -> int:
    total = context.rows
    buyers, sellers = context.data.buyer_ids, context.data.seller_ids
    if not buyers or not sellers:
        raise BenchmarkSkipped("the data set has no buyers or sellers")
    agents = buyers[:50]
    invitations, responses = SurveyInvitation._meta.db_table, SurveyResponse._meta.db_table
    _execute(f"TRUNCATE {responses}, {invitations} CASCADE")
    span_seconds = int((now - (now - timedelta(days=MONTHS * 365 // 12))).total_seconds())
    params = {
        "total": total,
        "buyers": buyers,
        "buyer_count": len(buyers),
        "sellers": sellers,
        "seller_count": len(sellers),
        "agents": agents,
        "agent_count": len(agents),
        "now": now,
        "span": span_seconds,
    }
    _execute(
        f"""
        INSERT INTO {invitations}
            (token, status, about_type, about_id, about_label, about_url, customer_id, seller_id, agent_id,
             channel, category, topic, resolved_at, resolution_seconds, send_after, sent_at, expires_at,
             answered_at, created_at)
        SELECT 'bench-' || i, 'answered',
               (ARRAY['ticket', 'conversation', 'review_case', 'recovery'])[1 + i %% 4], i, 'Interaction ' || i, '',
               (%(buyers)s::bigint[])[1 + i %% %(buyer_count)s],
               CASE WHEN i %% 5 <> 0 THEN (%(sellers)s::bigint[])[1 + i %% %(seller_count)s] END,
               CASE WHEN i %% 10 < 7 THEN (%(agents)s::bigint[])[1 + (i * 3) %% %(agent_count)s] END,
               (ARRAY['web', 'email', 'chat', 'phone', 'messaging', 'reviews'])[1 + (i * 7) %% 6],
               CASE WHEN i %% 17 = 0 THEN '' ELSE (ARRAY['technical', 'product', 'customer_service',
                    'platform_features', 'payment_billing', 'shipping_delivery'])[1 + (i * 11) %% 6] END,
               '', at - interval '2 hours', 600 + (i * 97) %% 172800, at - interval '1 hour',
               at - interval '1 hour', at + interval '14 days', at, at - interval '1 hour'
        FROM (SELECT i, %(now)s - (i::bigint * %(span)s / %(total)s) * interval '1 second' AS at
              FROM generate_series(1, %(total)s) AS i) AS series
        """,
        params,
    )
    _execute(
        f"""
        INSERT INTO {responses}
            (invitation_id, overall, satisfied, issues, suggestions, category, category_source,
             is_feature_request, interaction_type, channel, seller_id, agent_id, resolution_seconds, created_at)
        SELECT id, score, score >= 4,
               CASE WHEN score <= 3 THEN 'The parcel arrived late and support was slow' ELSE '' END, '',
               category, CASE WHEN category = '' THEN 'none' ELSE 'user' END, about_id %% 50 = 0,
               about_type, channel, seller_id, agent_id, resolution_seconds, answered_at
        FROM (SELECT *, CASE WHEN (about_id * 37) %% 100 < 85 THEN 4 + about_id %% 2
                             ELSE 1 + about_id %% 3 END AS score
              FROM {invitations}) AS invitation
        """,
        {},
    )
    for table in (invitations, responses):
        _execute(f"VACUUM ANALYZE {table}")
    return SurveyResponse.objects.count()


def _timed(call: Callable[[], Any], runs: int) -> tuple[float, int, list[float]]:
    call()  # warm up, untimed
    samples = []
    statements = 0
    for _ in range(runs):
        reset_queries()
        with override_settings(DEBUG=False), CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call()
            samples.append((time.perf_counter() - started) * 1000)
        statements = len(queries.captured_queries)
    return statistics.median(samples), statements, samples


@benchmark("feedback_reports")
def feedback_reports_benchmark(context: Context) -> dict[str, Any]:
    """Monthly and quarterly CSAT, platform-wide and by every breakdown, over 1,000,000 survey answers."""
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    responses = generate_responses(context, now=now)
    context.log(
        f"  {responses:,} survey answers over {MONTHS} months (generated in {time.perf_counter() - started:.1f} s)"
    )
    today = now.astimezone(UTC)
    month = shift_period(month_period(today.year, today.month), -1)
    quarter = previous_period(quarter_of(today))
    runs = context.scaled(RUNS, 3)
    cases: list[dict[str, Any]] = []
    for period in (month, quarter):
        previous = previous_period(period)
        figures: dict[str, Callable[[], Any]] = {
            "platform": lambda period=period, previous=previous: csat_overall(period, previous=previous)
        }
        for dimension in DIMENSIONS:
            figures[dimension] = lambda period=period, previous=previous, dimension=dimension: csat_breakdown(
                period, dimension, previous=previous
            )
        figures["trend_12_months"] = lambda period=period: csat_trend(period)
        for name, call in figures.items():
            p50, statements, samples = _timed(call, runs)
            key = f"{period.label}:{name}"
            cases.append(
                {"case": key, "p50_ms": round(p50, 1), "max_ms": round(max(samples), 1), "sql_statements": statements}
            )
            context.log(f"  {key:<32} {p50:7.1f} ms  {statements} statement(s)")
    worst = max(case["p50_ms"] for case in cases if not case["case"].endswith("trend_12_months"))
    return {
        "responses": responses,
        "month": month.label,
        "quarter": quarter.label,
        "cases": cases,
        "worst_breakdown_p50_ms": worst,
        "p50_ms": worst,
        "goal_ms": GOAL_MS,
        "goal_met": worst <= GOAL_MS,
    }
