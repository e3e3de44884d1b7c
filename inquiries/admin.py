"""Buyer-seller messaging in the moderators' console: the support queue and the audit trail."""

from inquiries import admin_standing  # noqa: F401  (registers the standing admin)
