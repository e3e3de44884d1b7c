"""Royalty in the moderators' console (``core.console_navigation``): finance generates, adjusts,
approves and pays the affiliates' statements and keeps the rule sets; the live counts are the
statements waiting for approval, those approved and not yet paid, and the adjustments waiting
for a second approver."""

from datetime import datetime

from django.db.models import Count, Q

from core.console_navigation import ConsoleLink, ConsoleQueue, ConsoleSection, register_console_section
from royalty.models import Adjustment, AdjustmentStatus, Statement, StatementStatus

STATEMENTS = "admin:royalty_statement_changelist"


def _counts(now: datetime) -> dict[str, int]:
    # Two statements: the statements by status, the adjustments waiting.
    row = Statement.objects.aggregate(
        draft=Count("id", filter=Q(status=StatementStatus.DRAFT)),
        approved=Count("id", filter=Q(status=StatementStatus.APPROVED)),
    )
    return {
        "draft": row["draft"],
        "approved": row["approved"],
        "pending_adjustments": Adjustment.objects.filter(status=AdjustmentStatus.PENDING).count(),
    }


register_console_section(
    ConsoleSection(
        key="royalty.statements",
        title="Royalty statements",
        group="Finance",
        roles=frozenset({"finance"}),
        order=320,
        counts=_counts,
        queues=(
            ConsoleQueue("draft", "Statements to approve", STATEMENTS, "royalty.view_statement", "status__exact=draft"),
            ConsoleQueue(
                "approved",
                "Approved, to pay",
                STATEMENTS,
                "royalty.view_statement",
                "status__exact=approved",
                "warning",
            ),
            ConsoleQueue(
                "pending_adjustments",
                "Adjustments for a second approver",
                "admin:royalty_adjustment_changelist",
                "royalty.view_adjustment",
                "status__exact=pending",
                "warning",
            ),
        ),
        links=(
            ConsoleLink("Generate statements", "admin:royalty_statement_generate", "royalty.change_statement"),
            ConsoleLink("Affiliate impact", "admin:royalty_statement_impact", "royalty.view_statement"),
            ConsoleLink("Affiliates", "admin:royalty_affiliate_changelist", "royalty.view_affiliate"),
            ConsoleLink("Rule sets", "admin:royalty_ruleset_changelist", "royalty.view_ruleset"),
            ConsoleLink("Payout batches", "admin:royalty_payoutbatch_changelist", "royalty.view_payoutbatch"),
        ),
    )
)
