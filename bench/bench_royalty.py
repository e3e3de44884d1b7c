"""Royalty benchmark (PostgreSQL).

``royalty_generation``: generating the statements of a closed month for 10,000 affiliates over
1,000,000 attributed sales (``--rows`` scales them: a smoke run has 300 affiliates over 30,000
sales): wall time and SQL statements, then the same generation again (idempotent: nothing added).

Generated in the database (``generate_series``): the sales are extra delivered orders of the data
set's buyers and stores in last month, each attributed — 2 % to its store's seller affiliate (one
per store), the rest spread over partners and sales teams; a rule set with a default rate per kind,
product rates for 50 products, and rating, CSAT and response-rate tiers; 100,000 published reviews
of the stores' products written in the month (a tenth at smoke size), and refunds of 1 % of the
sales in the month (clawbacks). Survey answers and inquiries are not generated: their figures are
read through their selectors (one grouped query each) and come back empty here.
"""

import statistics
import time
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from bench.registry import BenchmarkSkipped, Context, benchmark
from core.periods import month_period, shift_period
from marketplace.models import Order, Payment, Product, Refund
from reviews.models import Review
from royalty.models import (
    Adjustment,
    Affiliate,
    Attribution,
    CommissionRate,
    PayoutBatch,
    PerformanceTier,
    RuleSet,
    Statement,
    StatementEvent,
    StatementLine,
)
from royalty.services.generation import statements_generate

GOAL_SECONDS = 30.0
SELLER_SHARE = 50  # one sale in 50 goes to its store's seller affiliate


def _execute(sql: str, params: dict[str, Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _scalar(sql: str, params: dict[str, Any] | None = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _tables(*models: Any) -> str:
    return ", ".join(model._meta.db_table for model in models)


def _reviews(*, buyers: list[int], products: list[int], period: Any, count: int) -> None:
    """Published reviews written in the month, spread over every product (25 each at full size), a
    product's reviews all of one rating (5, 4, 3 or 1 stars by product); (buyer, product) distinct."""
    _execute(f"DELETE FROM {Review._meta.db_table} WHERE title LIKE 'Royalty bench %%'")
    _execute(
        f"""
        INSERT INTO {Review._meta.db_table}
            (product_id, seller_id, buyer_id, order_id, verified_purchase, rating, title, body, status,
             moderation_reason, moderation_note, response_due_at, created_at, updated_at)
        SELECT p.id, p.seller_id, (%(buyers)s::bigint[])[1 + (i / %(product_count)s) %% %(buyer_count)s], NULL,
               false, CASE WHEN i %% 10 < 6 THEN 5 WHEN i %% 10 < 8 THEN 4 WHEN i %% 10 < 9 THEN 3 ELSE 1 END,
               'Royalty bench ' || i, 'Fine.', 'published', '', '',
               %(start)s + (i %% %(seconds)s) * interval '1 second' + interval '2 days',
               %(start)s + (i %% %(seconds)s) * interval '1 second',
               %(start)s + (i %% %(seconds)s) * interval '1 second'
        FROM generate_series(0::bigint, %(reviews)s - 1) AS i
        JOIN {Product._meta.db_table} AS p ON p.id = (%(products)s::bigint[])[1 + i %% %(product_count)s]
        ON CONFLICT DO NOTHING
        """,
        {
            "buyers": buyers,
            "buyer_count": len(buyers),
            "products": products,
            "product_count": len(products),
            "start": period.start,
            "seconds": int((period.end - period.start).total_seconds()) - 86_400,
            "reviews": count,
        },
    )
    _execute(f"VACUUM ANALYZE {Review._meta.db_table}")


def generate(context: Context, *, now: datetime) -> dict[str, Any]:
    """The affiliates, the attributed sales of last month, the rules, reviews and refunds."""
    data = context.data
    if not data.buyer_ids or not data.seller_ids:
        raise BenchmarkSkipped("the data set has no buyers or stores")
    sales = context.rows
    affiliates = context.scaled(10_000, 300)
    reviews = context.scaled(100_000, 10_000)
    period = shift_period(month_period(now.year, now.month), -1)
    seconds_in_period = int((period.end - period.start).total_seconds())
    sellers = data.seller_ids
    per_seller = min(len(products) for products in data.products_by_seller.values())
    products = [data.products_by_seller[seller][index][0] for seller in sellers for index in range(per_seller)]
    partners = affiliates - len(sellers)
    if partners <= 0:
        raise BenchmarkSkipped("more stores than affiliates")

    if (
        Attribution.objects.count() == sales
        and Affiliate.objects.count() == affiliates
        and RuleSet.objects.filter(name="Bench rules").exists()
    ):
        # --reuse of this benchmark's data: only the statements go (their lines are append-only:
        # TRUNCATE, which is not a DELETE, clears them).
        _execute(f"TRUNCATE {_tables(StatementEvent, Adjustment, StatementLine)}")
        _execute(f"DELETE FROM {Statement._meta.db_table}")
        _execute(f"DELETE FROM {PayoutBatch._meta.db_table}")
        _reviews(buyers=data.buyer_ids, products=products, period=period, count=reviews)
        return {
            "period": period,
            "sales": sales,
            "affiliates": affiliates,
            "reviews": _scalar(f"SELECT count(*) FROM {Review._meta.db_table} WHERE title LIKE 'Royalty bench %%'"),
            "refunds": _scalar(f"SELECT count(*) FROM {Payment._meta.db_table} WHERE reference LIKE 'ROY-%%'"),
            "generated_seconds": 0.0,
        }
    # A clean slate of royalty rows and of this benchmark's orders (an earlier run's, under --reuse).
    _execute(
        f"TRUNCATE {_tables(StatementEvent, Adjustment, StatementLine, Attribution, Statement, PayoutBatch)}, "
        f"{_tables(PerformanceTier, CommissionRate, RuleSet, Affiliate)} CASCADE"
    )
    _execute(
        f"DELETE FROM {Refund._meta.db_table} WHERE payment_id IN "
        f"(SELECT id FROM {Payment._meta.db_table} WHERE reference LIKE 'ROY-%%')"
    )
    _execute(f"DELETE FROM {Payment._meta.db_table} WHERE reference LIKE 'ROY-%%'")
    _execute(f"DELETE FROM {Review._meta.db_table} WHERE title LIKE 'Royalty bench %%'")
    _execute(f"DELETE FROM {Order._meta.db_table} WHERE number LIKE 'RB-%%'")

    started = time.perf_counter()
    _execute(
        f"""
        INSERT INTO {Order._meta.db_table}
            (number, buyer_id, seller_id, status, currency, subtotal, shipping_fee, tax, discount, total,
             placed_at, created_at, updated_at)
        SELECT 'RB-' || i, (%(buyers)s::bigint[])[1 + i %% %(buyer_count)s],
               (%(sellers)s::bigint[])[1 + i %% %(seller_count)s], 'delivered', 'USD',
               (500 + (i * 7919) %% 20000) / 100.0, 0, 0, 0, (500 + (i * 7919) %% 20000) / 100.0,
               %(start)s + ((i * 104729) %% %(seconds)s) * interval '1 second', %(now)s, %(now)s
        FROM generate_series(1::bigint, %(sales)s) AS i
        """,
        {
            "buyers": data.buyer_ids,
            "buyer_count": len(data.buyer_ids),
            "sellers": sellers,
            "seller_count": len(sellers),
            "start": period.start,
            "seconds": seconds_in_period,
            "sales": sales,
            "now": now,
        },
    )
    # Affiliates: one seller affiliate per store (ids 1..stores), then partners and sales teams.
    _execute(
        f"""
        INSERT INTO {Affiliate._meta.db_table} (id, name, kind, seller_id, user_id, currency, is_active, created_at)
        SELECT k, 'Store affiliate ' || k, 'seller', (%(sellers)s::bigint[])[k], NULL::bigint, 'USD', true, %(now)s
        FROM generate_series(1, %(seller_count)s) AS k
        UNION ALL
        SELECT %(seller_count)s + k, 'Partner ' || k, CASE WHEN k %% 4 = 0 THEN 'sales_team' ELSE 'partner' END,
               NULL::bigint, NULL::bigint, 'USD', true, %(now)s
        FROM generate_series(1, %(partners)s) AS k
        """,
        {"sellers": sellers, "seller_count": len(sellers), "partners": partners, "now": now},
    )
    _execute(f"SELECT setval(pg_get_serial_sequence('{Affiliate._meta.db_table}', 'id'), {affiliates + 1}, false)")
    # Every benchmark order attributed: the main product is one of its store's products.
    _execute(
        f"""
        INSERT INTO {Attribution._meta.db_table}
            (affiliate_id, order_id, product_id, category, amount, currency, sold_at, created_by_id, created_at)
        SELECT CASE WHEN (n / %(seller_count)s) %% {SELLER_SHARE} = 0 THEN 1 + (n %% %(seller_count)s)
                    ELSE %(seller_count)s + 1 + (n %% %(partners)s) END,
               o.id,
               (%(products)s::bigint[])[
                   1 + (n %% %(seller_count)s) * %(per_seller)s + (n / %(seller_count)s) %% %(per_seller)s
               ],
               '', o.total, 'USD', o.placed_at, NULL, %(now)s
        FROM (SELECT id, total, placed_at, substr(number, 4)::bigint AS n
              FROM {Order._meta.db_table} WHERE number LIKE 'RB-%%') AS o
        """,
        {
            "seller_count": len(sellers),
            "partners": partners,
            "products": products,
            "per_seller": per_seller,
            "now": now,
        },
    )
    # The rules in force: a default rate per kind, 50 product rates, tiers on the three figures.
    ruleset = RuleSet.objects.create(name="Bench rules", valid_from=date(2000, 1, 1), created_at=now)
    CommissionRate.objects.bulk_create(
        [
            CommissionRate(ruleset=ruleset, affiliate_kind="partner", basis="percentage", value=5),
            CommissionRate(ruleset=ruleset, affiliate_kind="sales_team", basis="percentage", value=3),
            CommissionRate(ruleset=ruleset, affiliate_kind="seller", basis="percentage", value=2),
            *[
                CommissionRate(ruleset=ruleset, affiliate_kind="partner", product_id=product, value=8)
                for product in products[:50]
            ],
        ]
    )
    PerformanceTier.objects.bulk_create(
        [
            PerformanceTier(ruleset=ruleset, metric="rating", min_value=4, multiplier="1.05"),
            PerformanceTier(ruleset=ruleset, metric="rating", min_value="4.5", multiplier="1.10"),
            PerformanceTier(ruleset=ruleset, metric="rating", min_value=0, multiplier="0.95", applies_to=["seller"]),
            PerformanceTier(ruleset=ruleset, metric="csat", min_value=90, multiplier="1.05"),
            PerformanceTier(
                ruleset=ruleset, metric="response_rate", min_value=90, multiplier="1.05", applies_to=["seller"]
            ),
        ]
    )
    _reviews(buyers=data.buyer_ids, products=products, period=period, count=reviews)
    # Refunds of 1 % of the sales, in the month (a payment each, captured then partly refunded).
    refunds = max(sales // 100, 1)
    _execute(
        f"""
        INSERT INTO {Payment._meta.db_table}
            (order_id, amount, currency, method, status, captured_amount, refunded_amount, reference,
             failure_reason, captured_at, created_at, updated_at)
        SELECT o.id, o.total, 'USD', 'card', 'partially_refunded', o.total, round(o.total / 2, 2),
               'ROY-' || o.id, '', o.placed_at, o.placed_at, o.placed_at
        FROM {Order._meta.db_table} AS o
        WHERE o.number LIKE 'RB-%%' AND substr(o.number, 4)::bigint %% 100 = %(residue)s
        """,
        {"residue": 7},
    )
    _execute(
        f"""
        INSERT INTO {Refund._meta.db_table} (payment_id, amount, reason, created_by_id, created_at)
        SELECT p.id, round(p.amount / 2, 2), 'Damaged', NULL, LEAST(p.captured_at + interval '1 hour', %(last)s)
        FROM {Payment._meta.db_table} AS p WHERE p.reference LIKE 'ROY-%%' AND round(p.amount / 2, 2) > 0
        """,
        {"last": period.end - (period.end - period.start) / 1000},
    )
    for table in (Order, Attribution, Affiliate, Review, Payment, Refund):
        _execute(f"VACUUM ANALYZE {table._meta.db_table}")
    generated = time.perf_counter() - started
    return {
        "period": period,
        "sales": _scalar(f"SELECT count(*) FROM {Attribution._meta.db_table}"),
        "affiliates": _scalar(f"SELECT count(*) FROM {Affiliate._meta.db_table}"),
        "reviews": _scalar(f"SELECT count(*) FROM {Review._meta.db_table} WHERE title LIKE 'Royalty bench %%'"),
        "refunds": refunds,
        "generated_seconds": round(generated, 1),
    }


def _timed(period: Any, now: datetime) -> tuple[float, int, Any]:
    reset_queries()
    with override_settings(DEBUG=False), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = statements_generate(period=period, now=now)
        seconds = time.perf_counter() - started
    return seconds, len(queries.captured_queries), result


@benchmark("royalty_generation")
def royalty_generation_benchmark(context: Context) -> dict[str, Any]:
    """Statements of a closed month for 10,000 affiliates over 1,000,000 attributed sales (goal 30 s)."""
    now = timezone.now().astimezone(UTC).replace(microsecond=0)
    made = generate(context, now=now)
    period = made["period"]
    context.log(
        f"  {made['sales']:,} sales, {made['affiliates']:,} affiliates, {made['reviews']:,} reviews, "
        f"{made['refunds']:,} refunds (generated in {made['generated_seconds']} s)"
    )
    seconds, statements, result = _timed(period, now)
    lines = StatementLine.objects.count()
    by_kind = dict(result.lines_by_kind)
    again = []
    again_statements = 0
    for _ in range(context.scaled(3, 2)):
        repeat_seconds, again_statements, repeat = _timed(period, now)
        assert repeat.lines_added == 0 and repeat.statements_created == 0
        again.append(repeat_seconds)
    context.log(
        f"  {len(result.statement_ids):,} statements, {lines:,} lines in {seconds:.1f} s ({statements} SQL "
        f"statements); again: {statistics.median(again):.1f} s, nothing added"
    )
    totals = Statement.objects.filter(period=period.label)
    return {
        "period": period.label,
        "sales": made["sales"],
        "affiliates": made["affiliates"],
        "reviews": made["reviews"],
        "refunds": made["refunds"],
        "statements": len(result.statement_ids),
        "lines": lines,
        "lines_by_kind": by_kind,
        "generation_wall_seconds": round(seconds, 2),
        "sql_statements": statements,
        "regeneration_wall_seconds_p50": round(statistics.median(again), 2),
        "regeneration_sql_statements": again_statements,
        "statements_total": str(sum(totals.values_list("total", flat=True))),
        "data_generated_seconds": made["generated_seconds"],
        "goal_wall_seconds": GOAL_SECONDS,
        "goal_met": seconds <= GOAL_SECONDS,
    }
