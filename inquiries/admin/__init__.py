"""Buyer-seller messaging in the moderators' console. Django's admin autodiscovery imports this
package; each module registers its pages:

- ``conversations``: conversations with their messages and history, the inquiry ledger,
  conversation events and the platform's starter quick replies;
- ``queue``: escalations, the support queue (assign, reply as staff, close);
- ``standing``: seller standings and exclusion flags.
"""

from inquiries.admin import conversations, queue, standing  # noqa: F401  (register the admins)
