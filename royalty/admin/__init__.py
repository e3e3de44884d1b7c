"""Royalty in the moderators' console (Django admin autodiscovery imports this package):

- ``affiliates``: affiliates (added through ``affiliate_create``) and their attributed sales
  ("Attribute a sale" on an affiliate's page);
- ``rules``: rule sets with their commission rates and performance tiers inline, edited by finance;
- ``statements``: statements by period and status, every line with what produced it; generate a
  period, add an adjustment, approve (two people above the threshold), mark paid (a payout batch)
  and the pending adjustments' second approval; payout batches with their CSV.

Support and moderators read everything; finance acts. Every action calls one service.
"""

from royalty.admin import affiliates, rules, statements  # noqa: F401  (register the admins)
