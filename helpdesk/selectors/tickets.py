"""Reads of tickets, scoped to the acting user: a customer sees their own tickets and the entries
of their log that are not internal; staff with ``helpdesk.view_ticket`` see every ticket and its
whole log. A ticket outside that set is not found (404)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import User
from helpdesk.models import (
    ACTIVE_STATUSES,
    CATEGORY_TOPIC,
    Article,
    ArticleStatus,
    Department,
    Interaction,
    Macro,
    Ticket,
    TicketStatus,
)
from helpdesk.services.access import user_sees_all_tickets


def breaching_q(*, now: datetime, prefix: str = "") -> Q:
    """Tickets whose running clock's target has passed (a paused clock is not breaching)."""
    return Q(
        **{
            f"{prefix}clock__stopped_at__isnull": True,
            f"{prefix}clock__paused_at__isnull": True,
            f"{prefix}clock__due_at__lte": now,
        }
    )


def interactions_visible(*, actor: User) -> QuerySet[Interaction]:
    entries = Interaction.objects.select_related("author").order_by("created_at", "id")
    return entries if user_sees_all_tickets(actor) else entries.filter(is_internal=False)


def ticket_list(*, actor: User) -> QuerySet[Ticket]:
    tickets = Ticket.objects.select_related("clock", "assignee", "customer")
    if user_sees_all_tickets(actor):
        return tickets
    if not (actor.is_authenticated and actor.is_active):
        return tickets.none()
    return tickets.filter(customer=actor)


def ticket_list_with_log(*, actor: User) -> QuerySet[Ticket]:
    return ticket_list(actor=actor).prefetch_related(
        Prefetch("interactions", queryset=interactions_visible(actor=actor), to_attr="visible_interactions")
    )


def ticket_get(*, actor: User, ticket_id: int) -> Ticket | None:
    return ticket_list_with_log(actor=actor).filter(pk=ticket_id).first()


def macro_list(*, category: str | None = None) -> QuerySet[Macro]:
    macros = Macro.objects.filter(is_active=True)
    if category:
        macros = macros.filter(Q(category=category) | Q(category=""))
    return macros


@dataclass(frozen=True)
class QueueCounts:
    new: int
    breaching: int
    escalated_by_department: dict[str, int]


def ticket_queue_counts(*, now: datetime) -> QueueCounts:
    """The console's live counts, in one query."""
    aggregates = {
        "new": Count("id", filter=Q(status=TicketStatus.NEW)),
        "breaching": Count("id", filter=breaching_q(now=now)),
        **{
            f"dept_{department}": Count("id", filter=Q(status=TicketStatus.ESCALATED, department=department))
            for department in Department.values
        },
    }
    row = Ticket.objects.filter(status__in=ACTIVE_STATUSES).aggregate(**aggregates)
    return QueueCounts(
        new=row["new"],
        breaching=row["breaching"],
        escalated_by_department={department: row[f"dept_{department}"] for department in Department.values},
    )


def ticket_list_own(*, customer: User) -> QuerySet[Ticket]:
    """The customer's own tickets (the buyer pages: staff see tickets in the console, not here)."""
    return Ticket.objects.filter(customer=customer).select_related("clock", "order").order_by("-updated_at", "-id")


def ticket_get_own(*, customer: User, ticket_id: int) -> Ticket | None:
    return (
        ticket_list_own(customer=customer)
        .select_related("invoice", "payment")
        .prefetch_related(
            Prefetch(
                "interactions",
                queryset=Interaction.objects.filter(is_internal=False)
                .select_related("author")
                .order_by("created_at", "id"),
                to_attr="visible_interactions",
            )
        )
        .filter(pk=ticket_id)
        .first()
    )


def article_list_published(
    *, audience: str | None = None, topic: str | None = None, query: str | None = None
) -> QuerySet[Article]:
    """Published help centre articles, optionally for an audience and topic, matching ``query``
    (every word in the title, summary or body)."""
    articles = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    if audience:
        articles = articles.filter(audience=audience)
    if topic:
        articles = articles.filter(topic=topic)
    return articles.filter(article_search_q(query or "")).order_by("topic", "title", "id")


def article_search_q(query: str) -> Q:
    """Every word (the first eight) in the title, summary or body."""
    condition = Q()
    for word in query.split()[:8]:
        condition &= Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
    return condition


def article_suggestions(*, category: str | None, limit: int = 5) -> list[Article]:
    """The buyer articles a new ticket suggests: its category's topic first, then the rest."""
    articles = list(article_list_published(audience="buyer")[:50])
    topic = CATEGORY_TOPIC.get(category or "")
    articles.sort(key=lambda article: article.topic != topic)
    return articles[:limit]
