"""Marketplace records in the moderators' console. Django's admin autodiscovery imports this
package; ``records`` registers the pages (sellers, products, orders, shipments, invoices, payments,
refunds, receipts and their history)."""

from marketplace.admin import records  # noqa: F401  (register the admins)
