"""Royalty preview benchmark (PostgreSQL).

``royalty_preview``: ``affiliate_preview`` for one affiliate (goal ≤ 50 ms) while every order of
the data set is attributed (100,000 at full size, over 1,000 affiliates): the target partner has
``scaled(300, 60)`` unsettled sales this month and refunds on a few, under a rule set with
product rates and CSAT / rating tiers. Timed in process (the service, not HTTP), after warm-up.

The refunds are not generated here and not cleared: in one ``make bench`` the data set holds those
``royalty_generation`` left (10,000 at full size, on orders now attributed to other partners), as
production holds every refund of the platform. The JSON says how many (``refunds``): the preview
must meet its goal with them, reading only its affiliate's.
"""

import statistics
import time
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.registry import BenchmarkSkipped, Context, benchmark
from marketplace.models import Order, Refund
from royalty.models import Affiliate, Attribution, CommissionRate, PerformanceTier, RuleSet
from royalty.selectors.preview import affiliate_preview

PREVIEW_GOAL_MS = 50.0
AFFILIATES = 1000


def _execute(sql: str, params: dict[str, Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def generate(context: Context, *, now: datetime) -> tuple[Affiliate, int, int]:
    if not Order.objects.exists():
        raise BenchmarkSkipped("the data set has no orders")
    _execute(f"TRUNCATE {Attribution._meta.db_table}, {Affiliate._meta.db_table} CASCADE")
    _execute(f"TRUNCATE {RuleSet._meta.db_table} CASCADE")
    ruleset = RuleSet.objects.create(name="Bench rules", valid_from=date(2000, 1, 1), created_at=now)
    CommissionRate.objects.create(ruleset=ruleset, affiliate_kind="partner", value=Decimal("8"))
    CommissionRate.objects.bulk_create(
        CommissionRate(ruleset=ruleset, affiliate_kind="partner", category=f"cat-{n}", value=Decimal(5 + n % 5))
        for n in range(50)
    )
    for metric, steps in (("csat", ("80", "90", "95")), ("rating", ("4.0", "4.5"))):
        for index, step in enumerate(steps):
            PerformanceTier.objects.create(
                ruleset=ruleset,
                metric=metric,
                min_value=Decimal(step),
                multiplier=Decimal("1.05") + Decimal(index) / 20,
            )
    _execute(
        f"""
        INSERT INTO {Affiliate._meta.db_table} (name, kind, currency, is_active, created_at)
        SELECT 'Partner ' || i, 'partner', 'USD', true, %(now)s FROM generate_series(1, %(n)s) AS i
        """,
        {"now": now, "n": AFFILIATES},
    )
    first = Affiliate.objects.order_by("id").values_list("id", flat=True)[0]
    target_sales = context.scaled(300, 60)
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    elapsed = max(int((now - month_start).total_seconds()) - 60, 60)
    # Every order attributed: the target's latest-numbered ones this month, the others on their
    # own date (settled history is not what the preview reads, but it is in the tables it reads).
    max_id = Order.objects.aggregate(last=Max("id"))["last"]
    _execute(
        f"""
        INSERT INTO {Attribution._meta.db_table}
            (affiliate_id, order_id, product_id, category, amount, currency, sold_at, created_at)
        SELECT CASE WHEN o.id > %(max_id)s - %(target)s THEN %(first)s ELSE %(first)s + 1 + o.id %% (%(n)s - 1) END,
               o.id, NULL, 'cat-' || (o.id %% 60), o.total, o.currency,
               CASE WHEN o.id > %(max_id)s - %(target)s
                    THEN %(month_start)s + (o.id %% %(elapsed)s) * interval '1 second'
                    ELSE LEAST(o.placed_at, %(month_start)s - interval '1 second') END,
               %(now)s
        FROM {Order._meta.db_table} AS o WHERE o.currency = 'USD'
        """,
        {
            "max_id": max_id,
            "target": target_sales,
            "first": first,
            "n": AFFILIATES,
            "month_start": month_start,
            "elapsed": elapsed,
            "now": now,
        },
    )
    _execute(f"VACUUM ANALYZE {Attribution._meta.db_table}")
    target = Affiliate.objects.get(pk=first)
    return target, Attribution.objects.filter(affiliate=target).count(), Attribution.objects.count()


@benchmark("royalty_preview")
def royalty_preview_benchmark(context: Context) -> dict[str, Any]:
    """One affiliate's preview (what it would earn this month if it closed now): ≤ 50 ms."""
    now = timezone.now().replace(microsecond=0)
    affiliate, sales, attributed = generate(context, now=now)
    refunds = Refund.objects.count()
    context.log(f"  {attributed:,} attributed sales, {refunds:,} refunds; the target affiliate has {sales:,} sales")
    for _ in range(5):
        affiliate_preview(affiliate=affiliate, now=now)
    samples = []
    for _ in range(context.scaled(100, 20)):
        started = time.perf_counter()
        preview = affiliate_preview(affiliate=affiliate, now=now)
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        affiliate_preview(affiliate=affiliate, now=now)
    samples.sort()
    p50 = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    context.log(f"  preview p50 {p50:.1f} ms, p95 {p95:.1f} ms, {len(queries)} statements, total {preview.total}")
    return {
        "attributed_sales": attributed,
        "affiliate_sales_this_month": preview.sales,
        "refunds": refunds,
        "affiliate_clawbacks": preview.clawbacks,
        "preview_total": str(preview.total),
        "requests": len(samples),
        "p50_ms": round(p50, 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(samples[-1], 2),
        "sql_statements": len(queries),
        "goal_ms": PREVIEW_GOAL_MS,
        "goal_met": p95 <= PREVIEW_GOAL_MS,
    }
