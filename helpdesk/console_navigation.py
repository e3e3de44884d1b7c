"""The help desk's queues in the moderators' console (``core.console_navigation``): support sees
tickets by queue (new, past target, escalated to each department); finance the tickets escalated
to it."""

from datetime import datetime

from core.console_navigation import ConsoleLink, ConsoleQueue, ConsoleSection, register_console_section
from helpdesk.models import Department
from helpdesk.selectors.tickets import ticket_queue_counts

TICKETS = "admin:helpdesk_ticket_changelist"


def _counts(now: datetime) -> dict[str, int]:
    counts = ticket_queue_counts(now=now)
    return {
        "new": counts.new,
        "breaching": counts.breaching,
        **{f"escalated_{key}": value for key, value in counts.escalated_by_department.items()},
    }


def _escalated(department: Department) -> ConsoleQueue:
    return ConsoleQueue(
        f"escalated_{department.value}",
        f"Escalated: {department.label}",
        TICKETS,
        "helpdesk.view_ticket",
        f"queue=escalated&department__exact={department.value}",
        "warning",
    )


register_console_section(
    ConsoleSection(
        key="helpdesk.tickets",
        title="Help desk, live",
        group="Support",
        roles=frozenset({"support"}),
        order=110,
        counts=_counts,
        queues=(
            ConsoleQueue("new", "New tickets", TICKETS, "helpdesk.view_ticket", "queue=new"),
            ConsoleQueue("breaching", "Past target", TICKETS, "helpdesk.view_ticket", "time_left=breaching", "alert"),
            *(_escalated(department) for department in Department),
        ),
        links=(
            ConsoleLink("Macros", "admin:helpdesk_macro_changelist", "helpdesk.view_macro"),
            ConsoleLink("Help articles", "admin:helpdesk_article_changelist", "helpdesk.view_article"),
            ConsoleLink("Help centre report", "admin:helpdesk_article_report", "helpdesk.view_article"),
        ),
    )
)

register_console_section(
    ConsoleSection(
        key="helpdesk.finance",
        title="Tickets escalated to finance",
        group="Finance",
        roles=frozenset({"finance"}),
        order=310,
        counts=_counts,
        queues=(_escalated(Department.FINANCE),),
    )
)
