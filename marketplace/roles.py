"""What each staff group may do with the marketplace records (``accounts.services.roles``)."""

_MODELS = [
    "seller",
    "sellermembership",
    "product",
    "order",
    "orderitem",
    "orderevent",
    "shipment",
    "trackingevent",
    "invoice",
    "invoiceline",
    "payment",
    "refund",
    "paymentevent",
    "receipt",
    "receiptdelivery",
    "receiptrevision",
    "refundgrant",
    "orderdelay",
]
_VIEW_ALL = [f"marketplace.view_{model}" for model in _MODELS]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Support grants refunds above the approval threshold; finance sends them (two people).
    "support": [*_VIEW_ALL, "marketplace.resend_receipt", "marketplace.grant_refund"],
    "moderator": _VIEW_ALL,
    "finance": [
        *_VIEW_ALL,
        "marketplace.add_invoice",
        "marketplace.reissue_invoice",
        "marketplace.add_payment",
        "marketplace.change_payment",
        "marketplace.add_refund",
        "marketplace.resend_receipt",
    ],
    # The API client of another system: pushes sellers, products, orders, shipments, invoices and
    # payments in; reads everything it pushed.
    "integration": [
        *_VIEW_ALL,
        "marketplace.add_seller",
        "marketplace.add_product",
        "marketplace.change_product",
        "marketplace.add_order",
        "marketplace.change_order",
        "marketplace.add_shipment",
        "marketplace.add_trackingevent",
        "marketplace.add_invoice",
        "marketplace.reissue_invoice",
        "marketplace.add_payment",
        "marketplace.change_payment",
        "marketplace.add_refund",
        "marketplace.resend_receipt",
    ],
}
