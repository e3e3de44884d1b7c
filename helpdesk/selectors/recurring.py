"""Recurring problems: tickets of the same category about the same order, the same store or the
same product, counted and listed (the customer's timeline in the console; with no customer, over
every ticket).

Three grouped statements (order, store, product: a ticket is about the products of its order),
each with a ``LIMIT``, then one for the tickets of the groups found: four statements whatever the
number of tickets."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from helpdesk.models import Category, Ticket

DIMENSIONS: dict[str, tuple[str, str, str]] = {
    # dimension: (the key's lookup, its label's lookup, the label's wording)
    "order": ("order_id", "order__number", "order"),
    "seller": ("order__seller_id", "order__seller__name", "store"),
    "product": ("order__items__product_id", "order__items__product_name", "product"),
}


@dataclass(frozen=True)
class RecurringTicket:
    id: int
    reference: str
    subject: str
    status: str


# The tickets listed under the problems are read in one statement of at most this many rows (a
# ticket appears once per problem it belongs to: its order, its store, each of its products).
LISTED_ROWS = 500


@dataclass
class RecurringProblem:
    dimension: str  # "order", "seller" or "product"
    category: str
    key: int
    label: str
    count: int
    tickets: list[RecurringTicket] = field(default_factory=list)

    @property
    def category_label(self) -> str:
        return str(Category(self.category).label)

    @property
    def dimension_label(self) -> str:
        return DIMENSIONS[self.dimension][2]


def _tickets(customer_id: int | None) -> QuerySet[Ticket]:
    tickets = Ticket.objects.filter(order__isnull=False)
    return tickets.filter(customer_id=customer_id) if customer_id is not None else tickets


def ticket_recurring_problems(
    *, customer_id: int | None = None, limit: int = 10, tickets_per_problem: int = 10
) -> list[RecurringProblem]:
    """The groups of two or more tickets of one category about one order, store or product, the
    most tickets first (``limit`` per dimension), each with its newest ``tickets_per_problem``."""
    problems: list[RecurringProblem] = []
    for dimension, (key, label, _) in DIMENSIONS.items():
        rows = (
            _tickets(customer_id)
            .values("category", key)
            .annotate(label=Max(label), count=Count("id", distinct=True), latest=Max("created_at"))
            .filter(count__gt=1)
            .order_by("-count", "-latest", "category", key)[:limit]
        )
        problems.extend(
            RecurringProblem(
                dimension=dimension, category=row["category"], key=row[key], label=row["label"], count=row["count"]
            )
            for row in rows
        )
    if not problems:
        return problems
    condition = Q()
    for problem in problems:
        condition |= Q(category=problem.category, **{DIMENSIONS[problem.dimension][0]: problem.key})
    members: dict[tuple[str, str, Any], list[RecurringTicket]] = {}
    keys = [key for key, _, _ in DIMENSIONS.values()]
    listed = (
        _tickets(customer_id)
        .filter(condition)
        .values("id", "reference", "subject", "status", "category", *keys)
        .order_by("-created_at", "-id")
    )
    for row in listed[:LISTED_ROWS]:
        ticket = RecurringTicket(id=row["id"], reference=row["reference"], subject=row["subject"], status=row["status"])
        for dimension, (key, _, _) in DIMENSIONS.items():
            group = members.setdefault((dimension, row["category"], row[key]), [])
            if ticket not in group:
                group.append(ticket)
    for problem in problems:
        problem.tickets = members.get((problem.dimension, problem.category, problem.key), [])[:tickets_per_problem]
    return problems
