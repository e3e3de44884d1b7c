"""Review benchmarks: the rating reads, the seller's "needs response" queue, the response-clock
sweep and the reviews list API.

The review data set is generated once per run, in SQL on the server (``INSERT ... SELECT FROM
generate_series``, seeded ``random()``), on top of the orders data set. For ``--rows 1,000,000``
(``--rows`` scales everything):

- 2,500 sellers (the orders data set's 200 and 2,300 more, each with an owner member) and 100,000
  products (the 4,000 existing ones and 96,000 more);
- 1,000,000 reviews (a few over the exact figure are dropped: one review per buyer and product),
  skewed towards the older stores' products (product ``1 + floor(products * r²)``): product 1 has
  about 3,000 reviews and seller 1, the large seller, about 14,000. Ratings lean positive (1★ 9 %,
  2★ 6 %, 3★ 10 %, 4★ 25 %, 5★ 50 %: 15 % negative);
- history (written over the past year, more than 54 h ago): 3 % hidden or removed; negative ones
  85 % answered (the rest escalated when they came due), others 75 % answered, so the seller
  queues hold the unanswered ones; 2 % written in the last 48 h, a third of them answered;
  10,000 negative ones written 48-54 h ago, unanswered and not escalated: the backlog a sweep
  catches up on after an outage, scattered over the table (ids are not in time order);
- a response clock per negative review (stopped when answered, escalated for the unanswered
  history), a published seller response per answered review, a recovery follow-up per negative
  review (resolved or escalated in the past, open for the last week's), and the product and seller
  rating counters computed from the reviews. Event rows (``created``, ``responded``, ...) are not
  generated: nothing measured here reads them.
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, reset_queries
from django.db.models import Avg, Count
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import GROUP_NAMES, Role, User
from bench.bench_inquiries import _explain, _time_ms
from bench.bench_orders import api_client, http_headers, require_endpoint, time_in_process
from bench.data import _reset_sequence
from bench.registry import BenchmarkSkipped, Context, benchmark, latency_summary
from bench.server import run_load
from marketplace.models import Product, Seller, SellerMembership
from reviews.models import (
    ProductRating,
    RecoveryFollowUp,
    ResponseClock,
    Review,
    ReviewEvent,
    ReviewResponse,
    ReviewStatus,
    SellerRating,
)
from reviews.selectors.needs_response import seller_needs_response_counts, seller_reviews_needing_response
from reviews.selectors.reviews import product_rating, seller_rating
from reviews.services.sweep import reviews_sweep

REVIEWS_PATH = "/api/v1/reviews/"
CONCURRENCY = 4
LARGE_SELLER_ID = 1  # its products are the lowest ids: the skew gives it the most reviews

# Goals (the issue's): rating reads in one statement each; the seller queue; the catch-up sweep.
RATING_GOAL_STATEMENTS = 1
QUEUE_GOAL_MS = 10.0
SWEEP_GOAL_SECONDS = 0.5
# No goal in the issue for the empty sweep: the inquiry sweep's (every minute) for reference.
EMPTY_SWEEP_REFERENCE_MS = 5.0


@dataclass
class ReviewData:
    now: datetime
    reviews: int = 0
    due: int = 0
    sellers: int = 0
    products: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    top_product_id: int = 1
    small_product_id: int = 1
    small_seller_id: int = 1
    buyer_token: str = ""


def _execute(sql: str, params: dict[str, Any] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _scalar(sql: str, params: dict[str, Any] | None = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _more_sellers_and_products(context: Context, *, sellers: int, products: int, now: datetime) -> None:
    """Sellers (each with an owner member) and products up to the given totals, in SQL."""
    existing_sellers = len(context.data.seller_ids)
    existing_products = sum(len(items) for items in context.data.products_by_seller.values())
    first_user = _scalar(f"SELECT MAX(id) FROM {User._meta.db_table}") + 1
    password = _scalar(f"SELECT password FROM {User._meta.db_table} WHERE username = 'buyer0'")
    params = {
        "first": existing_sellers + 1,
        "last": sellers,
        "first_user": first_user,
        "password": password,
        "now": now,
        "first_product": existing_products + 1,
        "last_product": products,
        "new_sellers": max(sellers - existing_sellers, 1),
    }
    _execute(
        f"""
        INSERT INTO {User._meta.db_table} (id, password, is_superuser, username, first_name, last_name, email,
            is_staff, is_active, date_joined, role, created_at, updated_at, time_zone)
        SELECT %(first_user)s + s - %(first)s, %(password)s, false, 'rseller' || s, 'Bench', 'Owner ' || s,
               'rseller' || s || '@bench.example', false, true, %(now)s, 'seller', %(now)s, %(now)s, ''
        FROM generate_series(%(first)s, %(last)s) AS s
        """,
        params,
    )
    _execute(
        f"""
        INSERT INTO {Seller._meta.db_table} (id, name, slug, email, is_active, created_at)
        SELECT s, 'Bench Store ' || s, 'bench-store-' || s, 'store' || s || '@bench.example', true, %(now)s
        FROM generate_series(%(first)s, %(last)s) AS s
        """,
        params,
    )
    _execute(
        f"""
        INSERT INTO {SellerMembership._meta.db_table} (seller_id, user_id, role, created_at)
        SELECT s, %(first_user)s + s - %(first)s, 'owner', %(now)s FROM generate_series(%(first)s, %(last)s) AS s
        """,
        params,
    )
    _execute(
        f"""
        INSERT INTO {Product._meta.db_table} (id, seller_id, name, sku, description, price, currency, is_active,
            created_at)
        SELECT p, %(first)s + (p - %(first_product)s) %% %(new_sellers)s, 'Reviewed product ' || p, 'SKU-R-' || p,
               '', (199 + (p * 7919) %% 24800) / 100.0, 'USD', true, %(now)s
        FROM generate_series(%(first_product)s, %(last_product)s) AS p
        """,
        params,
    )
    for model in (User, Seller, SellerMembership, Product):
        _reset_sequence(model)


def _moderators(count: int) -> None:
    """Senior support (the sweep's staff digests go to them)."""
    group = Group.objects.get(name=GROUP_NAMES[Role.MODERATOR])
    for index in range(count):
        user = User.objects.create(
            username=f"bench-moderator-{index}", email=f"moderator{index}@bench.example", role=Role.MODERATOR
        )
        user.groups.add(group)


def generate_reviews(context: Context) -> ReviewData:
    """The review data set, once per run (kept in ``context.extra``)."""
    if "reviews" in context.extra:
        return context.extra["reviews"]  # type: ignore[no-any-return]
    if context.extra.get("reviews_failed"):
        raise BenchmarkSkipped("generating the review data set failed (see the first review benchmark)")
    context.extra["reviews_failed"] = True  # until it succeeds
    started = time.perf_counter()
    total = context.rows  # one review per row of --rows: 1,000,000 by default, 30,000 smoke
    now = timezone.now().replace(microsecond=0)
    data = ReviewData(
        now=now,
        due=total // 100,
        sellers=max(len(context.data.seller_ids), total // 400),
        products=max(sum(len(items) for items in context.data.products_by_seller.values()), total // 10),
    )
    buyers = context.data.buyer_ids
    context.log(
        f"  generating {total:,} reviews ({data.due:,} due for escalation) over {data.products:,} products "
        f"of {data.sellers:,} sellers ..."
    )
    _more_sellers_and_products(context, sellers=data.sellers, products=data.products, now=now)
    _moderators(3)

    negative_max = settings.REVIEWS_NEGATIVE_MAX_RATING
    params = {
        "total": total,
        "due": data.due,
        "recent": total // 50,
        "products": data.products,
        "first_buyer": buyers[0],
        "buyers": len(buyers),
        "now": now,
        "negative_max": negative_max,
        "negative_target": settings.REVIEWS_NEGATIVE_RESPONSE_TARGET,
        "target": settings.REVIEWS_RESPONSE_TARGET,
        "escalate_after": settings.REVIEWS_ESCALATE_AFTER,
        "follow_up_period": settings.REVIEWS_FOLLOW_UP_PERIOD,
    }
    _execute("SELECT setseed(0.20261123)")
    _execute("DROP TABLE IF EXISTS bench_review_plan")
    # One row per review with every random choice made once. Plain ``%`` are doubled for the
    # driver's parameter style. Buyers are distinct per product by construction (rank within the
    # product, offset by the product); rows ranked past the number of buyers are dropped.
    _execute(
        """
        CREATE UNLOGGED TABLE bench_review_plan AS
        WITH base AS (
            SELECT g,
                   1 + floor(%(products)s * r_product * r_product)::int AS product_id,
                   CASE WHEN g <= %(due)s THEN 'due' WHEN g <= %(due)s + %(recent)s THEN 'recent'
                        ELSE 'history' END AS phase,
                   r_rating, r_time, r_answer, r_status
            FROM (SELECT g, random() AS r_product, random() AS r_rating, random() AS r_time, random() AS r_answer,
                         random() AS r_status
                  FROM generate_series(1, %(total)s) AS g) AS draws
        ), rated AS (
            SELECT *,
                   CASE WHEN phase = 'due' THEN 1 + (g %% 2)
                        WHEN r_rating < 0.09 THEN 1 WHEN r_rating < 0.15 THEN 2 WHEN r_rating < 0.25 THEN 3
                        WHEN r_rating < 0.50 THEN 4 ELSE 5 END AS rating,
                   CASE phase
                       WHEN 'due' THEN %(now)s - %(escalate_after)s - interval '1 second' - r_time * interval '6 hours'
                       WHEN 'recent' THEN %(now)s - r_time * (%(escalate_after)s - interval '1 minute')
                       ELSE %(now)s - interval '54 hours' - r_time * interval '365 days'
                   END AS created_at,
                   row_number() OVER (PARTITION BY product_id ORDER BY g) AS rank_in_product
            FROM base
        ), decided AS (
            SELECT *,
                   rating <= %(negative_max)s AS negative,
                   CASE WHEN phase <> 'history' THEN 'published' WHEN r_status < 0.02 THEN 'hidden'
                        WHEN r_status < 0.03 THEN 'removed' ELSE 'published' END AS status,
                   CASE phase
                       WHEN 'due' THEN false
                       WHEN 'recent' THEN r_answer < 0.33
                       ELSE r_answer < CASE WHEN rating <= %(negative_max)s THEN 0.85 ELSE 0.75 END
                   END AS answered
            FROM rated WHERE rank_in_product <= %(buyers)s
        ), timed AS (
            SELECT *,
                   created_at + CASE WHEN negative THEN %(negative_target)s ELSE %(target)s END AS response_due_at,
                   CASE WHEN negative THEN created_at + %(escalate_after)s END AS escalate_at,
                   -- Answered: mostly within hours, a tail past the target (r² of 72 h); recent ones
                   -- within the time they have had.
                   CASE WHEN answered THEN LEAST(
                       60 + floor(r_answer * r_answer * 3 * 259200)::int,
                       GREATEST(60, floor(extract(epoch FROM %(now)s - created_at))::int - 60)
                   ) END AS response_seconds
            FROM decided
        )
        -- Ids in a scattered order, not by time: the sweep's 10,000 due reviews then sit among the
        -- others over the whole table, as due ones do among the many answered ones of their hours
        -- in production (adjacent ids would put them on a few hundred pages and flatter the writes).
        SELECT row_number() OVER (ORDER BY md5(g::text)) AS id, *,
               %(first_buyer)s + (product_id * 7919 + rank_in_product) %% %(buyers)s AS buyer_id,
               negative AND NOT answered AND phase = 'history' AS escalated
        FROM timed
        """,
        params,
    )
    _execute("ALTER TABLE bench_review_plan ADD PRIMARY KEY (id)")
    counts = data.counts
    counts["reviews"] = _execute(
        f"""
        INSERT INTO {Review._meta.db_table} (id, product_id, seller_id, buyer_id, order_id, verified_purchase, rating,
            title, body, status, moderation_reason, moderation_note, moderated_at, response_due_at,
            first_response_at, first_response_seconds, created_at, updated_at)
        SELECT plan.id, plan.product_id, product.seller_id, plan.buyer_id, NULL, false, plan.rating,
               'Review ' || plan.id || ': ' || CASE plan.rating WHEN 1 THEN 'Broken on arrival'
                   WHEN 2 THEN 'Disappointing' WHEN 3 THEN 'It is fine' WHEN 4 THEN 'Good value'
                   ELSE 'Excellent' END,
               'What I thought of it after a few weeks of use. Review ' || plan.id || '.',
               plan.status,
               CASE plan.status WHEN 'hidden' THEN 'profanity' WHEN 'removed' THEN 'fake' ELSE '' END,
               '', CASE WHEN plan.status <> 'published' THEN plan.created_at + interval '1 day' END,
               plan.response_due_at,
               plan.created_at + make_interval(secs => plan.response_seconds), plan.response_seconds,
               plan.created_at, plan.created_at
        FROM bench_review_plan AS plan JOIN {Product._meta.db_table} AS product ON product.id = plan.product_id
        ORDER BY plan.id
        """
    )
    counts["response_clocks"] = _execute(
        f"""
        INSERT INTO {ResponseClock._meta.db_table} (review_id, due_at, stopped_at, escalated_at)
        SELECT id, escalate_at, CASE WHEN answered THEN created_at + make_interval(secs => response_seconds) END,
               CASE WHEN escalated THEN escalate_at END
        FROM bench_review_plan WHERE negative ORDER BY id
        """
    )
    counts["review_responses"] = _execute(
        f"""
        INSERT INTO {ReviewResponse._meta.db_table} (review_id, author_id, author_kind, seller_id, template_id, body,
            status, flagged, flag_reasons, moderation_reason, created_at, updated_at)
        SELECT review.id, owner.user_id, 'seller', review.seller_id, NULL,
               'Thank you for your review, we appreciate it.', 'published', false, '[]'::jsonb, '',
               review.first_response_at, review.first_response_at
        FROM {Review._meta.db_table} AS review
        JOIN {SellerMembership._meta.db_table} AS owner ON owner.seller_id = review.seller_id AND owner.role = 'owner'
        WHERE review.first_response_at IS NOT NULL ORDER BY review.id
        """
    )
    counts["follow_ups"] = _execute(
        f"""
        INSERT INTO {RecoveryFollowUp._meta.db_table} (review_id, order_id, status, due_at, customer_comment,
            answered_at, escalated_at, created_at)
        SELECT id, NULL,
               CASE WHEN created_at + %(follow_up_period)s > %(now)s THEN 'open'
                    WHEN id %% 10 < 7 THEN 'resolved' ELSE 'escalated' END,
               created_at + %(follow_up_period)s, '',
               CASE WHEN created_at + %(follow_up_period)s <= %(now)s AND id %% 10 < 7
                    THEN created_at + interval '3 days' END,
               CASE WHEN created_at + %(follow_up_period)s <= %(now)s AND id %% 10 >= 7
                    THEN created_at + %(follow_up_period)s END,
               created_at
        FROM {Review._meta.db_table} WHERE rating <= %(negative_max)s ORDER BY id
        """,
        params,
    )
    counts["product_ratings"] = _execute(_counters_sql(ProductRating, "product_id"), params)
    counts["seller_ratings"] = _execute(_counters_sql(SellerRating, "seller_id"), params)
    _execute("DROP TABLE bench_review_plan")
    for model in (Review, ReviewResponse, RecoveryFollowUp, ReviewEvent):
        _reset_sequence(model)
    tables = [
        model._meta.db_table
        for model in (
            Review,
            ResponseClock,
            ReviewResponse,
            RecoveryFollowUp,
            ReviewEvent,
            ProductRating,
            SellerRating,
            Product,
        )
    ]
    with connection.cursor() as cursor:
        for name in tables:
            cursor.execute(f"VACUUM ANALYZE {name}")

    data.reviews = counts["reviews"]
    data.top_product_id = _scalar(f"SELECT product_id FROM {ProductRating._meta.db_table} ORDER BY count DESC LIMIT 1")
    data.small_product_id = _scalar(
        f"SELECT product_id FROM {ProductRating._meta.db_table} WHERE count BETWEEN 1 AND 10 "
        "ORDER BY product_id LIMIT 1"
    )
    data.small_seller_id = _scalar(
        f"SELECT seller_id FROM {SellerRating._meta.db_table} ORDER BY count, seller_id LIMIT 1"
    )
    # The due backlog as generated (a few of the planned rows may have been dropped with their product's excess).
    data.due = ResponseClock.objects.filter(stopped_at__isnull=True, escalated_at__isnull=True, due_at__lte=now).count()
    buyer = User.objects.get(pk=buyers[0])
    data.buyer_token = Token.objects.get_or_create(user=buyer)[0].key
    data.seconds = time.perf_counter() - started
    context.log(
        f"  {sum(counts.values()):,} review rows in {data.seconds:.1f} s: "
        + ", ".join(f"{name} {count:,}" for name, count in counts.items())
    )
    context.extra["reviews"] = data
    context.extra["reviews_failed"] = False
    return data


def _counters_sql(model: type[ProductRating] | type[SellerRating], key: str) -> str:
    stars = ", ".join(f"count(*) FILTER (WHERE rating = {star})" for star in range(1, 6))
    return f"""
        INSERT INTO {model._meta.db_table} ({key}, count, total, stars_1, stars_2, stars_3, stars_4, stars_5,
            updated_at)
        SELECT {key}, count(*), sum(rating), {stars}, %(now)s
        FROM {Review._meta.db_table} WHERE status = 'published' GROUP BY {key}
    """


def _dataset(data: ReviewData) -> dict[str, Any]:
    return {
        **data.counts,
        "sellers": data.sellers,
        "products": data.products,
        "due_for_escalation": data.due,
        "generation_seconds": round(data.seconds, 1),
    }


def _review_count(**filters: Any) -> int:
    return Review.objects.filter(**filters).count()


# --- Ratings -------------------------------------------------------------------------------------


@benchmark("reviews_ratings")
def reviews_ratings(context: Context) -> dict[str, Any]:
    """Product and seller rating reads (reviews.selectors.reviews.product_rating / seller_rating) over
    1,000,000 reviews (--rows scales it), for the most-reviewed product and seller and for small
    ones: statements (one each, whatever the number of reviews) and in-process ms; next to them the
    same figures aggregated from the reviews on the fly, which the counters exist to avoid."""
    data = generate_reviews(context)
    runs = context.scaled(200, 20)
    top_seller = LARGE_SELLER_ID

    def aggregate(**filters: Any) -> Callable[[], Any]:
        # What the counters replace (and what ratings_recompute checks them against).
        return lambda: Review.objects.filter(status=ReviewStatus.PUBLISHED, **filters).aggregate(
            count=Count("id"), average=Avg("rating")
        )

    cases = []
    for label, call, reviews, goal in (
        (
            "product_rating, most-reviewed product",
            lambda: product_rating(product_id=data.top_product_id),
            _review_count(product_id=data.top_product_id),
            RATING_GOAL_STATEMENTS,
        ),
        (
            "product_rating, a product with few reviews",
            lambda: product_rating(product_id=data.small_product_id),
            _review_count(product_id=data.small_product_id),
            RATING_GOAL_STATEMENTS,
        ),
        (
            "seller_rating, the large seller",
            lambda: seller_rating(seller_id=top_seller),
            _review_count(seller_id=top_seller),
            RATING_GOAL_STATEMENTS,
        ),
        (
            "seller_rating, the smallest seller",
            lambda: seller_rating(seller_id=data.small_seller_id),
            _review_count(seller_id=data.small_seller_id),
            RATING_GOAL_STATEMENTS,
        ),
        (
            "for comparison: COUNT/AVG over the large seller's reviews",
            aggregate(seller_id=top_seller),
            _review_count(seller_id=top_seller),
            None,
        ),
    ):
        case: dict[str, Any] = {"case": label, "reviews": reviews, **_time_ms(call, runs)}
        if goal is not None:
            case |= {"goal_sql_statements": goal, "goal_met": case["sql_statements"] <= goal}
        cases.append(case)
        context.log(f"  {label} ({reviews:,} reviews): {case['in_process_p50_ms']} ms, {case['sql_statements']} SQL")

    # The counters must agree with the reviews (they are the figures shown).
    counters = seller_rating(seller_id=top_seller)
    figures = aggregate(seller_id=top_seller)()
    assert counters.count == figures["count"], (counters.count, figures)
    assert counters.average == round(float(figures["average"]), 2), (counters.average, figures)
    rated = [case for case in cases if "goal_met" in case]
    return {
        "reviews": _dataset(data),
        "sql_statements": max(case["sql_statements"] for case in rated),
        "statements_constant": len({case["sql_statements"] for case in rated}) == 1,
        "goal_met": all(case["goal_met"] for case in rated),
        "cases": cases,
    }


# --- The seller's queue --------------------------------------------------------------------------


@benchmark("reviews_needs_response")
def reviews_needs_response(context: Context) -> dict[str, Any]:
    """The seller's "reviews needing a response" queue (reviews.selectors.needs_response), first page
    of 50 with product and buyer, for the large seller (about 14,000 reviews at full size, thousands
    unanswered) and the smallest: in-process ms (goal 10 ms) and statements, with EXPLAIN ANALYZE."""
    data = generate_reviews(context)
    now = data.now
    runs = context.scaled(200, 20)

    def page(seller_id: int) -> Callable[[], Any]:
        def call() -> Any:
            rows = list(seller_reviews_needing_response(seller_id=seller_id, now=now))
            return [(review.title, review.product.name, review.buyer.username, review.is_overdue) for review in rows]

        return call

    measured: list[tuple[str, int, Callable[[], Any]]] = [
        ("the large seller", LARGE_SELLER_ID, page(LARGE_SELLER_ID)),
        ("the smallest seller", data.small_seller_id, page(data.small_seller_id)),
    ]

    # The counts the seller page shows above the queue (/seller/reviews/).
    def counts() -> Any:
        return seller_needs_response_counts(seller_id=LARGE_SELLER_ID)

    measured.append(("the large seller, waiting and urgent counts", LARGE_SELLER_ID, counts))
    cases = []
    for label, seller_id, call in measured:
        queue = Review.objects.filter(
            seller_id=seller_id, status=ReviewStatus.PUBLISHED, first_response_at__isnull=True
        ).count()
        case: dict[str, Any] = {
            "case": label,
            "seller_id": seller_id,
            "seller_reviews": _review_count(seller_id=seller_id),
            "queue_length": queue,
            "page_rows": len(call()) if label != "the large seller, waiting and urgent counts" else None,
            **_time_ms(call, runs),
            "goal_ms": QUEUE_GOAL_MS,
        }
        case["goal_met"] = case["in_process_p50_ms"] <= QUEUE_GOAL_MS and case["sql_statements"] == 1
        cases.append(case)
        context.log(
            f"  {label}: {case['seller_reviews']:,} reviews, {queue:,} waiting: {case['in_process_p50_ms']} ms "
            f"(SQL alone {case['sql_only_p50_ms']} ms), {case['sql_statements']} statement(s)"
        )
    return {
        "reviews": _dataset(data),
        "sql_statements": max(case["sql_statements"] for case in cases),
        "goal_met": all(case["goal_met"] for case in cases),
        "cases": cases,
        "explain_large_seller": _explain(page(LARGE_SELLER_ID)),
        "explain_counts_large_seller": _explain(counts),
    }


# --- The sweep ---------------------------------------------------------------------------------


def _timed_sweep(now: datetime) -> tuple[float, int, dict[str, int]]:
    reset_queries()  # the statement log is a bounded deque: empty it or the capture counts nothing
    with override_settings(DEBUG=False), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = reviews_sweep(now=now)
        seconds = time.perf_counter() - started
    return seconds, len(queries.captured_queries), result


def _undo_sweep(now: datetime) -> None:
    """Put the due reviews back as they were before the sweep at ``now`` (to measure again)."""
    for sql in (
        "DELETE FROM notifications_notification WHERE kind = 'review_escalated'",
        f"UPDATE {ResponseClock._meta.db_table} SET escalated_at = NULL WHERE escalated_at = %(now)s",
    ):
        _execute(sql, {"now": now})
    with connection.cursor() as cursor:
        for table in (ResponseClock._meta.db_table, "notifications_notification"):
            cursor.execute(f"VACUUM ANALYZE {table}")


@benchmark("reviews_sweep")
def reviews_sweep_benchmark(context: Context) -> dict[str, Any]:
    """The reviews response-clock sweep (reviews_sweep: unanswered negative reviews, then open
    follow-ups) catching up on 10,000 due reviews among 1,000,000 (--rows scales them): wall time
    and SQL statements with the configured batch size and with one batch covering the backlog, and
    a sweep an hour earlier (fewer due, one batch: the same statements); then the empty sweep."""
    data = generate_reviews(context)
    now = data.now
    repeats = context.scaled(3, 1)
    configured_batch = settings.REVIEWS_SWEEP_BATCH_SIZE
    # Twice the backlog, so the run ends on a short batch (a batch of exactly the backlog's size
    # would look once more and find nothing): one batch, whatever the number due.
    whole_batch = max(2 * data.due, configured_batch)
    # Warm up once, untimed (first-use imports, the plan cache), then measure from the same state.
    _timed_sweep(now)
    _undo_sweep(now)
    earlier = now - timedelta(hours=3)
    fewer_due = ResponseClock.objects.filter(
        stopped_at__isnull=True, escalated_at__isnull=True, due_at__lte=earlier
    ).count()
    cases = []
    runs = [(f"catch-up, batch {configured_batch:,} (configured)", now, configured_batch, data.due)]
    if whole_batch != configured_batch:
        runs.append((f"catch-up, batch {whole_batch:,}", now, whole_batch, data.due))
    runs.append((f"3 h earlier, batch {whole_batch:,}", earlier, whole_batch, fewer_due))
    for label, at, batch_size, expected in runs:
        samples = []
        for _ in range(repeats):
            with override_settings(REVIEWS_SWEEP_BATCH_SIZE=batch_size):
                seconds, statements, result = _timed_sweep(at)
            assert result == {"escalated": expected, "follow_ups_escalated": 0}, result
            samples.append((seconds, statements))
            _undo_sweep(at)
        wall = statistics.median(seconds for seconds, _ in samples)
        statements = max(statements for _, statements in samples)
        cases.append(
            {
                "case": label,
                "batch_size": batch_size,
                "batches": -(-expected // batch_size),
                "escalated": expected,
                "wall_seconds_median": round(wall, 3),
                "wall_seconds_samples": [round(seconds, 3) for seconds, _ in samples],
                "sql_statements": statements,
                "goal_wall_seconds": SWEEP_GOAL_SECONDS,
                "goal_met": wall <= SWEEP_GOAL_SECONDS,
            }
        )
        context.log(f"  {label}: {expected:,} escalated in {wall * 1000:.0f} ms, {statements} statements")
    # Leave the backlog swept, as beat would, for the empty sweep.
    _timed_sweep(now)
    empty = []
    empty_statements = 0
    for _ in range(context.scaled(50, 10)):
        seconds, empty_statements, result = _timed_sweep(now)
        assert result == {"escalated": 0, "follow_ups_escalated": 0}, result
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
            "reference_ms": EMPTY_SWEEP_REFERENCE_MS,
        }
    )
    context.log(f"  empty sweep: p50 {empty_p50:.2f} ms, {empty_statements} statements")
    _undo_sweep(now)
    configured, whole, fewer = cases[0], cases[-3], cases[-2]
    per_batch = (configured["sql_statements"] - whole["sql_statements"]) / max(configured["batches"] - 1, 1)
    return {
        "reviews": _dataset(data),
        "sql_statements": configured["sql_statements"],
        "sql_statements_per_extra_batch": round(per_batch, 1),
        "statements_constant_in_due_count": whole["sql_statements"] == fewer["sql_statements"],
        "sweep_wall_seconds": configured["wall_seconds_median"],
        "goal_met": all(case.get("goal_met", True) for case in cases),
        "cases": cases,
    }


# --- The reviews API ------------------------------------------------------------------------------


@benchmark("reviews_list")
def reviews_list(context: Context) -> dict[str, Any]:
    """GET /api/v1/reviews/?product=<id> as a buyer for the most-reviewed product (about 3,000
    reviews at full size) at page_size=20 and 200: statements per request (must not grow with the
    page) and latency through gunicorn (4 concurrent clients)."""
    require_endpoint(REVIEWS_PATH)
    data = generate_reviews(context)
    total = context.scaled(300, 12)
    latencies: list[float] = []
    cases = []
    client = api_client(data.buyer_token)
    for page_size in (20, 200):
        path = f"{REVIEWS_PATH}?product={data.top_product_id}&page_size={page_size}"
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, (response.status_code, response.content[:500])
        body = response.json()
        results = body["results"] if isinstance(body, dict) else body
        assert len(results) == page_size, len(results)
        statements = len(queries.captured_queries)
        in_process = time_in_process(lambda path=path: client.get(path, HTTP_ACCEPT="application/json"), context)
        load = run_load(
            context.base_url,
            method="GET",
            path=path,
            total=total,
            concurrency=CONCURRENCY,
            headers=http_headers(data.buyer_token),
            warmup=2 * CONCURRENCY,
        )
        latencies.extend(load.latencies)
        summary = latency_summary(load.latencies, load.elapsed)
        cases.append(
            {
                "case": f"product with {body.get('count', '?') if isinstance(body, dict) else '?'} reviews, "
                f"page_size={page_size}",
                "sql_statements": statements,
                "response_bytes": len(response.content),
                "in_process_p50_ms": in_process,
                **summary,
            }
        )
        context.log(
            f"  page_size={page_size}: {statements} statements, in-process {in_process} ms, "
            f"p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms"
        )
    small, large = cases[0]["sql_statements"], cases[1]["sql_statements"]
    assert small == large, f"statements grow with the page size: {small} for 20, {large} for 200"
    overall = latency_summary(latencies, sum(case["requests"] / case["requests_per_second"] for case in cases))
    return {
        "reviews": _dataset(data),
        "concurrency": CONCURRENCY,
        "sql_statements": small,
        "statements_constant_in_page_size": True,
        **overall,
        "cases": cases,
    }
