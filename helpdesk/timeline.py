"""The help desk's part of a customer's console timeline (``core.timeline``): the tickets they
opened and every entry of their tickets' log (messages, calls, actions, internal notes: the
timeline is a staff page), newest first: two statements with a ``LIMIT``, read through the
``(customer, -created_at)`` indexes of tickets and of the log. Above the timeline, the
customer's recurring problems (``helpdesk.selectors.recurring``)."""

from datetime import datetime

from django.urls import reverse

from core.timeline import TimelineEntry, TimelineFigure, TimelineSection, console_url
from helpdesk.models import Interaction, InteractionKind, Ticket, TicketStatus
from helpdesk.selectors.recurring import ticket_recurring_problems


def customer_entries(user_id: int, *, limit: int, before: datetime | None) -> list[TimelineEntry]:
    tickets = Ticket.objects.filter(customer_id=user_id).only(
        "id", "reference", "subject", "category", "status", "channel", "created_at"
    )
    log = (
        Interaction.objects.filter(customer_id=user_id)
        .select_related("ticket", "author")
        .only(
            "id",
            "kind",
            "direction",
            "channel",
            "action",
            "body",
            "is_internal",
            "created_at",
            "ticket__id",
            "ticket__reference",
            "author__username",
            "author__first_name",
            "author__last_name",
        )
    )
    if before is not None:
        tickets = tickets.filter(created_at__lt=before)
        log = log.filter(created_at__lt=before)
    entries = [
        TimelineEntry(
            at=ticket.created_at,
            kind="ticket",
            title=f"Ticket {ticket.reference} opened: {ticket.subject}",
            summary=f"{ticket.get_category_display()}, by {ticket.get_channel_display().lower()}",
            url=console_url(Ticket, ticket.pk),
            app="helpdesk",
            status=ticket.get_status_display(),
        )
        for ticket in tickets.order_by("-created_at", "-id")[:limit]
    ]
    for entry in log.order_by("-created_at", "-id")[:limit]:
        what = entry.action.replace("_", " ") if entry.kind == InteractionKind.ACTION else entry.get_kind_display()
        who = entry.author.display_name if entry.author is not None else "the system"
        entries.append(
            TimelineEntry(
                at=entry.created_at,
                kind=f"ticket_{entry.kind}",
                title=f"{what.capitalize()} on {entry.ticket.reference} by {who}",
                summary=entry.body[:200],
                url=console_url(Ticket, entry.ticket_id),
                app="helpdesk",
                status="Internal" if entry.is_internal else entry.get_direction_display(),
            )
        )
    return entries


def customer_sections(user_id: int) -> list[TimelineSection]:
    problems = ticket_recurring_problems(customer_id=user_id)
    queue = reverse("admin:helpdesk_ticket_changelist")
    figures = [
        TimelineFigure(
            label=f"{problem.category_label} tickets about {problem.dimension_label} {problem.label}",
            count=problem.count,
            url=f"{queue}?queue=all&customer__id__exact={user_id}&category__exact={problem.category}",
            links=tuple(
                (f"{ticket.reference} ({TicketStatus(ticket.status).label.lower()})", console_url(Ticket, ticket.id))
                for ticket in problem.tickets
            ),
        )
        for problem in problems
    ]
    return [
        TimelineSection(
            title="Recurring problems",
            app="helpdesk",
            figures=figures,
            empty_text="No two tickets of the same category about the same order, store or product.",
        )
    ]
