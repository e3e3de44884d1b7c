"""Marketplace records in the moderators' console.

Two kinds of page. Reference data that staff maintain by hand (sellers, their members, products)
is editable. Everything a service writes (orders, shipments, invoices, payments, refunds, receipts,
their history rows, document numbers) is read-only here for everyone, superusers included: totals
and numbers are computed by the services, event rows are append-only, and an issued invoice is
never overwritten. Changes to those records go through the admin actions, which call the same
services the API and the pages call.
"""

from marketplace.admin import billing, catalog, orders  # noqa: F401  (register the admins)
