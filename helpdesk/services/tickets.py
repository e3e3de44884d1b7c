"""Ticket services: open, post to the log (messages, call notes, internal notes), escalate to a
department, resolve, follow up, assign, close.

Each is one transaction: the ticket is locked (``select_for_update(no_key=True)``), the move is checked against
``TRANSITIONS`` (409 otherwise), the ticket and its clock change, the interaction log gets its
entry (who, when, channel, what changed), and the notices are written (their emails go after
commit). The clock is ``core.sla``'s: it pauses while the ticket waits on the customer, is
retargeted on a first response (to the resolution target) and on an escalation (to the
department's target), and stops at resolution.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.models import User
from accounts.selectors.users import staff_in_groups
from core.durations import duration_words
from core.exceptions import Forbidden, InvalidInput, StateConflict
from core.sla import clock_pause, clock_resume, clock_retarget, clock_stop
from core.text import clean_text
from helpdesk.models import (
    CATEGORY_RECORD,
    SUBCATEGORIES,
    TRANSITIONS,
    Category,
    Channel,
    ClockTarget,
    CustomerWait,
    Department,
    Direction,
    FollowUp,
    Interaction,
    InteractionKind,
    Priority,
    Subcategory,
    Ticket,
    TicketClock,
    TicketStatus,
)
from helpdesk.notices import Kind
from helpdesk.services.access import user_may_work_tickets
from helpdesk.services.surveys import ticket_survey_request, ticket_survey_withdraw
from marketplace.models import Invoice, Order, Payment
from marketplace.services.numbering import number_next
from notifications.services.notify import notify
from webhooks.models import EventType
from webhooks.services.events import webhook_event_record

REFERENCE_PREFIX = "HD"
URGENT_SUBCATEGORIES = (Subcategory.DUPLICATE_CHARGE, Subcategory.OVERCHARGE)


# --- Targets and priority -----------------------------------------------------------------------


def first_response_target(category: str) -> timedelta:
    if category == Category.PAYMENT:
        return settings.HELPDESK_PAYMENT_FIRST_RESPONSE_TARGET
    return settings.HELPDESK_FIRST_RESPONSE_TARGET


def resolution_target(category: str) -> timedelta:
    if category == Category.PAYMENT:
        return settings.HELPDESK_PAYMENT_RESOLUTION_TARGET
    return settings.HELPDESK_RESOLUTION_TARGET


def department_target(department: str) -> timedelta:
    return settings.HELPDESK_DEPARTMENT_TARGETS[department]


def ticket_priority(*, category: str, subcategory: str, text: str) -> str:
    """Payment problems are urgent when money was taken wrongly (an overcharge, a duplicate
    charge) and high otherwise; words such as "charged twice" or "fraud" make any ticket urgent;
    invoices and receipts are normal; ``other`` is low."""
    lowered = text.lower()
    if subcategory in URGENT_SUBCATEGORIES or any(word in lowered for word in settings.HELPDESK_URGENT_WORDS):
        return Priority.URGENT
    if category == Category.PAYMENT:
        return Priority.HIGH
    if category == Category.OTHER:
        return Priority.LOW
    return Priority.NORMAL


def when_text(moment: datetime) -> str:
    return f"{moment:%d %b %Y, %H:%M} UTC"


# --- The log ---------------------------------------------------------------------------------------


def _log(
    ticket: Ticket,
    *,
    kind: str,
    direction: str,
    channel: str,
    author: User | None,
    now: datetime,
    body: str = "",
    action: str = "",
    data: dict[str, Any] | None = None,
    is_internal: bool = False,
) -> Interaction:
    return Interaction.objects.create(
        ticket=ticket,
        customer_id=ticket.customer_id,
        kind=kind,
        direction=direction,
        channel=channel,
        author=author,
        action=action,
        body=body,
        data=data or {},
        is_internal=is_internal,
        created_at=now,
    )


def log_action(
    ticket: Ticket,
    *,
    action: str,
    actor: User | None,
    now: datetime,
    body: str = "",
    internal: bool = False,
    **data: Any,
) -> Interaction:
    return _log(
        ticket,
        kind=InteractionKind.ACTION,
        direction=Direction.INTERNAL if internal else Direction.OUTBOUND,
        channel=ticket.channel,
        author=actor,
        now=now,
        body=body,
        action=action,
        data=data,
        is_internal=internal,
    )


def _link(ticket: Ticket) -> str:
    return f"/support/{ticket.pk}/"


def _staff_link(ticket: Ticket) -> str:
    return f"/admin/helpdesk/ticket/{ticket.pk}/change/"


def _tell_customer(ticket: Ticket, kind: str, title: str, body: str = "") -> None:
    notify(recipients=[ticket.customer], kind=kind, title=title, body=body, link=_link(ticket))


# --- Moves ---------------------------------------------------------------------------------------


def lock_ticket(ticket: Ticket) -> Ticket:
    # ``FOR NO KEY UPDATE``: the ticket's key never changes, and this lock lets the sweep's inserts
    # that reference the ticket (their foreign-key checks take ``KEY SHARE``) go on while a service
    # holds the ticket; they would otherwise wait for each other (the service also waits for the
    # clock rows the sweep holds).
    return Ticket.objects.select_for_update(no_key=True).select_related("customer").get(pk=ticket.pk)


def _move(ticket: Ticket, to_status: str, *, now: datetime, **fields: Any) -> list[str]:
    """Change the locked ticket's status along ``TRANSITIONS``; ``[from, to]`` for the log."""
    from_status = ticket.status
    if to_status != from_status and to_status not in TRANSITIONS[from_status]:
        raise StateConflict(
            f"A {ticket.get_status_display().lower()} ticket cannot become {TicketStatus(to_status).label.lower()}.",
            code=f"ticket_{from_status}",
        )
    ticket.status = to_status
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.updated_at = now
    ticket.save(update_fields=["status", "updated_at", *fields])
    return [from_status, to_status]


def require_worker(actor: User) -> None:
    if not user_may_work_tickets(actor):
        raise Forbidden("Only support and department staff work tickets.", code="permission_denied")


def _clock(ticket: Ticket) -> Any:
    return TicketClock.objects.filter(ticket_id=ticket.pk)


def _stop_waiting(ticket: Ticket, *, now: datetime) -> None:
    clock_stop(CustomerWait.objects.filter(ticket_id=ticket.pk), now=now)


# --- Open ------------------------------------------------------------------------------------------


def _check_records(
    *, customer: User, category: str, order: Order | None, invoice: Invoice | None, payment: Payment | None
) -> Order | None:
    """The records must be the customer's and agree with each other; the category's own record
    is required. Returns the order the ticket is about (given, or the invoice's or payment's)."""
    if order is not None and order.buyer_id != customer.pk:
        raise InvalidInput("This is not one of your orders.", code="not_yours", field="order")
    for name, record in (("invoice", invoice), ("payment", payment)):
        if record is None:
            continue
        if record.order.buyer_id != customer.pk:
            raise InvalidInput(f"This is not one of your {name}s.", code="not_yours", field=name)
        if order is not None and record.order_id != order.pk:
            raise InvalidInput(f"This {name} is not for the order given.", code="order_mismatch", field=name)
        order = record.order
    required = CATEGORY_RECORD[category]
    if required is not None and {"order": order, "invoice": invoice, "payment": payment}[required] is None:
        raise InvalidInput(
            f"Say which {required} this is about.",
            code="required",
            field=required,
        )
    return order


def ticket_open(
    *,
    customer: User,
    category: Any,
    subject: Any,
    body: Any,
    now: datetime,
    channel: Any = Channel.WEB,
    subcategory: Any = "",
    order: Order | None = None,
    invoice: Invoice | None = None,
    payment: Payment | None = None,
    logged_by: User | None = None,
) -> Ticket:
    """A customer's question, as a ticket with its reference, priority and first-response clock;
    the question is the log's first entry. ``logged_by``: the staff member who took it by phone,
    chat or email on the customer's behalf."""
    if category not in Category.values:
        raise InvalidInput("Unknown category.", code="invalid_choice", field="category")
    if channel not in Channel.values:
        raise InvalidInput("Unknown channel.", code="invalid_choice", field="channel")
    subcategory = subcategory or ""
    if subcategory and subcategory not in SUBCATEGORIES[category]:
        allowed = ", ".join(SUBCATEGORIES[category]) or "none"
        raise InvalidInput(
            f"Not a subcategory of {category} (allowed: {allowed}).", code="invalid_choice", field="subcategory"
        )
    subject = clean_text(subject, field="subject", max_length=200, single_line=True)
    body = clean_text(body, field="body", max_length=settings.HELPDESK_BODY_MAX_LENGTH)
    if logged_by is not None and logged_by.pk != customer.pk:
        require_worker(logged_by)
    order = _check_records(customer=customer, category=category, order=order, invoice=invoice, payment=payment)
    target = first_response_target(category)
    due = now + target
    with transaction.atomic():
        ticket = Ticket.objects.create(
            reference=number_next(prefix=REFERENCE_PREFIX, now=now),
            customer=customer,
            category=category,
            subcategory=subcategory,
            channel=channel,
            priority=ticket_priority(category=category, subcategory=subcategory, text=f"{subject} {body}"),
            subject=subject,
            order=order,
            invoice=invoice,
            payment=payment,
            first_response_due_at=due,
            created_at=now,
            updated_at=now,
        )
        TicketClock.objects.create(
            ticket=ticket,
            target=ClockTarget.FIRST_RESPONSE,
            due_at=due,
            warn_at=due - settings.HELPDESK_WARN_BEFORE,
        )
        _log(
            ticket,
            kind=InteractionKind.MESSAGE,
            direction=Direction.INBOUND,
            channel=channel,
            author=logged_by or customer,
            now=now,
            body=body,
        )
        _tell_customer(
            ticket,
            Kind.TICKET_RECEIVED,
            f"We received your request {ticket.reference}",
            f"“{subject}”: our support team will answer within {duration_words(target.total_seconds())}, "
            f"by {when_text(due)}.",
        )
        webhook_event_record(event_type=EventType.TICKET_OPENED, resource_id=ticket.pk, now=now)
    return ticket


# --- The log: messages, calls, notes ---------------------------------------------------------------


def ticket_interaction_add(
    *,
    ticket: Ticket,
    actor: User,
    kind: Any,
    body: Any,
    now: datetime,
    channel: Any = None,
    wait_for_customer: bool = False,
) -> Interaction:
    """The customer's reply, or staff's message, call note or internal note.

    The customer may only write messages: on a ticket waiting for them it goes back to work (the
    clock resumes); on a resolved one within ``HELPDESK_REOPEN_WINDOW`` it reopens (a new
    resolution target from now); later, or on a closed ticket, 409. Staff messages and call
    notes answer the customer (the first one stops the first-response target and starts the
    resolution target) and, with ``wait_for_customer``, put the ticket on hold (the clock pauses
    and the customer is reminded). Internal notes change nothing and never reach the customer."""
    if kind not in InteractionKind.values or kind == InteractionKind.ACTION:
        raise InvalidInput("Kind must be message, note or call.", code="invalid_choice", field="kind")
    if channel is not None and channel not in Channel.values:
        raise InvalidInput("Unknown channel.", code="invalid_choice", field="channel")
    body = clean_text(body, field="body", max_length=settings.HELPDESK_BODY_MAX_LENGTH)
    with transaction.atomic():
        locked = lock_ticket(ticket)
        if actor.pk == locked.customer_id and not user_may_work_tickets(actor):
            if kind != InteractionKind.MESSAGE:
                raise Forbidden("Only staff add notes and call notes.", code="permission_denied")
            if wait_for_customer:
                raise Forbidden("Only staff put a ticket on hold.", code="permission_denied")
            return _customer_reply(locked, actor=actor, body=body, channel=channel or Channel.WEB, now=now)
        require_worker(actor)
        return _staff_entry(
            locked,
            actor=actor,
            kind=kind,
            body=body,
            channel=channel or (Channel.PHONE if kind == InteractionKind.CALL else locked.channel),
            wait_for_customer=wait_for_customer,
            now=now,
        )


def _customer_reply(ticket: Ticket, *, actor: User, body: str, channel: str, now: datetime) -> Interaction:
    changed: dict[str, Any] = {}
    if ticket.status == TicketStatus.CLOSED:
        raise StateConflict("This request is closed; open a new one.", code="ticket_closed")
    if ticket.status == TicketStatus.RESOLVED:
        resolved_at = ticket.resolved_at or now  # never None: the database checks resolved has its time
        if now - resolved_at > settings.HELPDESK_REOPEN_WINDOW:
            raise StateConflict(
                "This request was resolved too long ago to reopen; open a new one.", code="reopen_window_passed"
            )
        changed["status"] = _move(ticket, TicketStatus.OPEN, now=now, resolved_at=None, resolution="")
        clock_retarget(
            _clock(ticket),
            now=now,
            target=resolution_target(ticket.category),
            warn_before=settings.HELPDESK_WARN_BEFORE,
        )
        _clock(ticket).update(target=ClockTarget.RESOLUTION)
        changed["reopened"] = True
        ticket_survey_withdraw(ticket=ticket, now=now)
    elif ticket.status == TicketStatus.PENDING_CUSTOMER:
        back_to = TicketStatus.ESCALATED if ticket.department else TicketStatus.OPEN
        changed["status"] = _move(ticket, back_to, now=now)
        clock_resume(_clock(ticket), now=now)
        _stop_waiting(ticket, now=now)
    else:
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    entry = _log(
        ticket,
        kind=InteractionKind.MESSAGE,
        direction=Direction.INBOUND,
        channel=channel,
        author=actor,
        now=now,
        body=body,
        data=changed,
    )
    if ticket.assignee is not None:
        notify(
            recipients=[ticket.assignee],
            kind=Kind.TICKET_CUSTOMER_REPLY,
            title=f"{ticket.reference}: the customer {'reopened the ticket' if changed.get('reopened') else 'replied'}",
            body=body[:300],
            link=_staff_link(ticket),
        )
    return entry


def _staff_entry(
    ticket: Ticket, *, actor: User, kind: str, body: str, channel: str, wait_for_customer: bool, now: datetime
) -> Interaction:
    if kind == InteractionKind.NOTE:
        if wait_for_customer:
            raise InvalidInput("An internal note does not ask the customer anything.", field="wait_for_customer")
        return _log(
            ticket,
            kind=kind,
            direction=Direction.INTERNAL,
            channel=channel,
            author=actor,
            now=now,
            body=body,
            is_internal=True,
        )
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise StateConflict(
            f"This ticket is {ticket.get_status_display().lower()}; the customer may reopen it.",
            code=f"ticket_{ticket.status}",
        )
    changed: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    if ticket.first_response_at is None:
        fields["first_response_at"] = now
        clock = _clock(ticket)
        if clock.filter(target=ClockTarget.FIRST_RESPONSE).exists():
            # The first answer meets the first-response target; the resolution target counts from
            # the ticket's creation.
            clock_retarget(
                clock,
                now=now,
                target=ticket.created_at + resolution_target(ticket.category) - now,
                warn_before=settings.HELPDESK_WARN_BEFORE,
            )
            clock.update(target=ClockTarget.RESOLUTION)
    if ticket.assignee_id is None:
        fields["assignee"] = actor
        changed["assignee"] = actor.pk
    to_status: str
    if wait_for_customer:
        to_status = TicketStatus.PENDING_CUSTOMER
    elif ticket.status == TicketStatus.NEW:
        to_status = TicketStatus.OPEN
    else:
        to_status = ticket.status
    if to_status != ticket.status:
        changed["status"] = [ticket.status, to_status]
    _move(ticket, to_status, now=now, **fields)
    if wait_for_customer:
        clock_pause(_clock(ticket), now=now)
        _wait_start(ticket, now=now)
    entry = _log(
        ticket,
        kind=kind,
        direction=Direction.OUTBOUND,
        channel=channel,
        author=actor,
        now=now,
        body=body,
        data=changed,
    )
    if kind == InteractionKind.MESSAGE:
        _tell_customer(
            ticket,
            Kind.TICKET_REPLY,
            f"Reply to your request {ticket.reference}" + (": we need something from you" if wait_for_customer else ""),
            body,
        )
    return entry


def _wait_start(ticket: Ticket, *, now: datetime) -> None:
    due = now + settings.HELPDESK_CUSTOMER_REMINDER_INTERVAL
    CustomerWait.objects.update_or_create(
        ticket=ticket,
        defaults={
            "due_at": due,
            "warn_at": None,
            "warned_at": None,
            "escalated_at": None,
            "paused_at": None,
            "stopped_at": None,
            "reminders_sent": 0,
        },
    )


# --- Escalate, resolve, follow up, assign, close ------------------------------------------------------


def ticket_escalate(*, ticket: Ticket, actor: User, department: Any, reason: Any, now: datetime) -> Ticket:
    """Hand the ticket to a department (a staff group) with a reason: the department's own target
    runs from now, its members are told, and so is the customer (who has it, and by when)."""
    require_worker(actor)
    if department not in Department.values:
        raise InvalidInput("Unknown department.", code="invalid_choice", field="department")
    reason = clean_text(reason, field="reason", max_length=2000)
    with transaction.atomic():
        locked = lock_ticket(ticket)
        if locked.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            raise StateConflict(
                f"This ticket is {locked.get_status_display().lower()}.", code=f"ticket_{locked.status}"
            )
        if locked.status == TicketStatus.ESCALATED and locked.department == department:
            raise StateConflict(
                f"This ticket is already with {Department(department).label}.", code="already_escalated"
            )
        target = department_target(department)
        due = now + target
        status = _move(locked, TicketStatus.ESCALATED, now=now, department=department, escalated_at=now)
        clock_retarget(_clock(locked), now=now, target=target, warn_before=settings.HELPDESK_WARN_BEFORE)
        _clock(locked).update(target=ClockTarget.DEPARTMENT)
        _stop_waiting(locked, now=now)
        label = Department(department).label
        _log(
            locked,
            kind=InteractionKind.NOTE,
            direction=Direction.INTERNAL,
            channel=locked.channel,
            author=actor,
            now=now,
            body=f"Escalated to {label}: {reason}",
            is_internal=True,
        )
        log_action(
            locked,
            action="escalated",
            actor=actor,
            now=now,
            body=f"Passed to our {label} team; they will answer by {when_text(due)}.",
            status=status,
            department=department,
            due_at=due.isoformat(),
        )
        _tell_customer(
            locked,
            Kind.TICKET_ESCALATED,
            f"Your request {locked.reference} is with our {label} team",
            f"Our {label} team has your request now and will answer by {when_text(due)}.",
        )
        notify(
            recipients=staff_in_groups(department),
            kind=Kind.TICKET_ASSIGNED,
            title=f"{locked.reference} escalated to {label}: answer by {when_text(due)}",
            body=reason,
            link=_staff_link(locked),
        )
        # Handed to a department: the one escalation a ticket has. The breach sweep only marks the
        # running target passed (``breaching``, ``breached_at``): the ticket's status stays, no event.
        webhook_event_record(event_type=EventType.TICKET_ESCALATED, resource_id=locked.pk, now=now)
    return locked


def ticket_resolve(*, ticket: Ticket, actor: User, resolution: Any, now: datetime) -> Ticket:
    """Resolve with a resolution text: the clock, the wait and the follow-ups stop; the customer is
    told, and may reopen it by replying within ``HELPDESK_REOPEN_WINDOW``; their survey is
    scheduled (``helpdesk.services.surveys``)."""
    require_worker(actor)
    resolution = clean_text(resolution, field="resolution", max_length=settings.HELPDESK_BODY_MAX_LENGTH)
    with transaction.atomic():
        locked = lock_ticket(ticket)
        if locked.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            raise StateConflict(
                f"This ticket is already {locked.get_status_display().lower()}.", code=f"ticket_{locked.status}"
            )
        fields: dict[str, Any] = {"resolution": resolution, "resolved_at": now, "resolved_by": actor}
        if locked.first_response_at is None:
            fields["first_response_at"] = now
        status = _move(locked, TicketStatus.RESOLVED, now=now, **fields)
        clock_stop(_clock(locked), now=now)
        _stop_waiting(locked, now=now)
        clock_stop(FollowUp.objects.filter(ticket_id=locked.pk), now=now)
        log_action(locked, action="resolved", actor=actor, now=now, body=resolution, status=status)
        ticket_survey_request(ticket=locked, now=now)
        window = duration_words(settings.HELPDESK_REOPEN_WINDOW.total_seconds())
        _tell_customer(
            locked,
            Kind.TICKET_RESOLVED,
            f"Your request {locked.reference} is resolved",
            f"{resolution}\n\nNot solved? Reply within {window} and we reopen it.",
        )
        webhook_event_record(event_type=EventType.TICKET_RESOLVED, resource_id=locked.pk, now=now)
    return locked


def ticket_follow_up(
    *, ticket: Ticket, actor: User, due_at: datetime, note: Any = "", now: datetime, owner: User | None = None
) -> FollowUp:
    """A reminder on the ticket for ``owner`` (default: the actor) when ``due_at`` arrives."""
    require_worker(actor)
    note = clean_text(note, field="note", max_length=2000, required=False)
    if due_at.tzinfo is None:
        raise InvalidInput("Give the time with its offset (UTC).", code="naive_datetime", field="due_at")
    if due_at <= now:
        raise InvalidInput("The follow-up must be due in the future.", code="in_the_past", field="due_at")
    owner = owner or actor
    if not user_may_work_tickets(owner):
        raise InvalidInput("The owner must be support or department staff.", code="not_staff", field="owner")
    with transaction.atomic():
        locked = lock_ticket(ticket)
        if locked.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            raise StateConflict(
                f"This ticket is {locked.get_status_display().lower()}.", code=f"ticket_{locked.status}"
            )
        follow_up = FollowUp.objects.create(
            ticket=locked, owner=owner, note=note, due_at=due_at, created_by=actor, created_at=now
        )
        log_action(
            locked,
            action="follow_up_scheduled",
            actor=actor,
            now=now,
            body=note,
            internal=True,
            due_at=due_at.isoformat(),
            owner=owner.pk,
        )
        Ticket.objects.filter(pk=locked.pk).update(updated_at=now)
    return follow_up


def ticket_assign(*, ticket: Ticket, actor: User, assignee: User | None = None, now: datetime) -> Ticket:
    """Assign the ticket (default: to the actor, "assign to me")."""
    require_worker(actor)
    assignee = assignee or actor
    if not user_may_work_tickets(assignee):
        raise InvalidInput("The assignee must be support or department staff.", code="not_staff", field="assignee")
    with transaction.atomic():
        locked = lock_ticket(ticket)
        if locked.status == TicketStatus.CLOSED:
            raise StateConflict("This ticket is closed.", code="ticket_closed")
        if locked.assignee_id == assignee.pk:
            return locked
        previous = locked.assignee_id
        locked.assignee = assignee
        locked.updated_at = now
        locked.save(update_fields=["assignee", "updated_at"])
        log_action(locked, action="assigned", actor=actor, now=now, internal=True, assignee=[previous, assignee.pk])
    return locked


def ticket_close(*, ticket: Ticket, actor: User | None, note: Any = "", now: datetime) -> Ticket:
    """Close a resolved ticket, or one still waiting on the customer (no reopening after this)."""
    if actor is not None:
        require_worker(actor)
    note = clean_text(note, field="note", max_length=2000, required=False)
    with transaction.atomic():
        locked = lock_ticket(ticket)
        if locked.status not in (TicketStatus.RESOLVED, TicketStatus.PENDING_CUSTOMER):
            raise StateConflict("Only a resolved ticket or one waiting on the customer closes.", code="not_closable")
        status = _move(locked, TicketStatus.CLOSED, now=now, closed_at=now)
        clock_stop(_clock(locked), now=now)
        _stop_waiting(locked, now=now)
        clock_stop(FollowUp.objects.filter(ticket_id=locked.pk), now=now)
        log_action(locked, action="closed", actor=actor, now=now, body=note, status=status)
        _tell_customer(locked, Kind.TICKET_CLOSED, f"Your request {locked.reference} is closed", note)
    return locked
