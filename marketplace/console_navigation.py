"""The marketplace's work in the moderators' console (``core.console_navigation``): finance sends
the refunds support granted and reissues invoices; support looks up orders and payments (and
grants refunds from a payment); integration checks what its system pushed in. Every other
marketplace list (number sequences, invoice lines, order events, ...) stays in "Records"."""

from core.console_navigation import ConsoleLink, ConsoleQueue, ConsoleSection, register_console_section
from marketplace.selectors.billing import finance_queue_counts

GRANTS = "admin:marketplace_refundgrant_changelist"

register_console_section(
    ConsoleSection(
        key="marketplace.finance",
        title="Refunds and invoices",
        group="Finance",
        roles=frozenset({"finance"}),
        order=300,
        counts=lambda now: finance_queue_counts(),
        queues=(
            ConsoleQueue(
                "refunds_to_send",
                "Refunds to send",
                GRANTS,
                "marketplace.view_refundgrant",
                "status__exact=granted",
                "warning",
            ),
        ),
        links=(
            ConsoleLink("Refund grants", GRANTS, "marketplace.view_refundgrant"),
            ConsoleLink("Refunds sent", "admin:marketplace_refund_changelist", "marketplace.view_refund"),
            ConsoleLink(
                "Invoices (current versions)",
                "admin:marketplace_invoice_changelist",
                "marketplace.view_invoice",
                "status__exact=issued",
            ),
            ConsoleLink("Payments", "admin:marketplace_payment_changelist", "marketplace.view_payment"),
            ConsoleLink("Receipts", "admin:marketplace_receipt_changelist", "marketplace.view_receipt"),
        ),
    )
)

register_console_section(
    ConsoleSection(
        key="marketplace.orders",
        title="Orders and payments",
        group="Support",
        roles=frozenset({"support"}),
        order=140,
        links=(
            ConsoleLink("Orders", "admin:marketplace_order_changelist", "marketplace.view_order"),
            ConsoleLink("Payments", "admin:marketplace_payment_changelist", "marketplace.view_payment"),
            ConsoleLink("Refund grants", GRANTS, "marketplace.view_refundgrant"),
            ConsoleLink("Receipts", "admin:marketplace_receipt_changelist", "marketplace.view_receipt"),
        ),
    )
)

register_console_section(
    ConsoleSection(
        key="marketplace.integration",
        title="What your system pushed in",
        group="Integration",
        roles=frozenset({"integration"}),
        order=400,
        links=(
            ConsoleLink("Sellers", "admin:marketplace_seller_changelist", "marketplace.view_seller"),
            ConsoleLink("Products", "admin:marketplace_product_changelist", "marketplace.view_product"),
            ConsoleLink("Orders", "admin:marketplace_order_changelist", "marketplace.view_order"),
            ConsoleLink("Shipments", "admin:marketplace_shipment_changelist", "marketplace.view_shipment"),
            ConsoleLink("Invoices", "admin:marketplace_invoice_changelist", "marketplace.view_invoice"),
            ConsoleLink("Payments", "admin:marketplace_payment_changelist", "marketplace.view_payment"),
            ConsoleLink("API documentation", "api-docs"),
        ),
    )
)
