"""The support queue and the sellers' watch in the moderators' console (``core.console_navigation``):
support works the escalated inquiries; moderators watch the sellers' standings and exclusion flags."""

from dataclasses import asdict
from datetime import datetime

from django.conf import settings

from core.charts import Chart
from core.console_navigation import ConsoleChart, ConsoleLink, ConsoleQueue, ConsoleSection, register_console_section
from core.durations import duration_words
from inquiries.charts import within_target_chart
from inquiries.selectors.kpis import monthly_series
from inquiries.selectors.queue import support_queue_counts

TREND_MONTHS = 12
INQUIRIES = "admin:inquiries_inquiry_changelist"
ESCALATIONS = "admin:inquiries_escalation_changelist"


def response_trend_chart(now: datetime) -> Chart:
    """The platform's within-target % over the last 12 months (``monthly_series``: one grouped
    statement, two on SQLite)."""
    target = duration_words(settings.INQUIRIES_RESPONSE_TARGET.total_seconds())
    series = monthly_series(seller_id=None, months=TREND_MONTHS, now=now)
    return within_target_chart(series, title=f"Inquiries answered within {target}, platform-wide, by month")


RESPONSE_TREND = ConsoleChart("sp-response-trend", "inquiries.view_inquiry", response_trend_chart)

register_console_section(
    ConsoleSection(
        key="inquiries.support_queue",
        title="Support queue, live",
        group="Support",
        roles=frozenset({"support"}),
        order=100,
        counts=lambda now: asdict(support_queue_counts(now=now)),
        queues=(
            ConsoleQueue("open_inquiries", "Open inquiries", INQUIRIES, "inquiries.view_inquiry", "status__exact=open"),
            ConsoleQueue(
                "due_within_hour", "Due within the hour", INQUIRIES, "inquiries.view_inquiry", "due=hour", "warning"
            ),
            ConsoleQueue("overdue", "Overdue", INQUIRIES, "inquiries.view_inquiry", "due=overdue", "alert"),
            ConsoleQueue(
                "unassigned_escalations",
                "Unassigned escalations",
                ESCALATIONS,
                "inquiries.view_escalation",
                "resolved=no&assignment=unassigned",
                "alert",
            ),
        ),
        links=(
            ConsoleLink(
                "Escalations assigned to me", ESCALATIONS, "inquiries.view_escalation", "resolved=no&assignment=mine"
            ),
            ConsoleLink("Conversations", "admin:inquiries_conversation_changelist", "inquiries.view_conversation"),
        ),
        charts=(RESPONSE_TREND,),
    )
)

register_console_section(
    ConsoleSection(
        key="inquiries.sellers",
        title="Sellers",
        group="Moderation",
        roles=frozenset({"moderator"}),
        order=220,
        links=(
            ConsoleLink(
                "Seller standings", "admin:inquiries_sellerstanding_changelist", "inquiries.view_sellerstanding"
            ),
            ConsoleLink("Exclusion flags", "admin:inquiries_exclusionflag_changelist", "inquiries.view_exclusionflag"),
            ConsoleLink(
                "Quick-reply templates", "admin:inquiries_replytemplate_changelist", "inquiries.view_replytemplate"
            ),
            ConsoleLink("Escalated inquiries", ESCALATIONS, "inquiries.view_escalation", "resolved=no"),
        ),
        charts=(RESPONSE_TREND,),
    )
)
