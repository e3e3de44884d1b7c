"""Feedback in the moderators' console (Django admin autodiscovery imports this package):

- ``surveys``: the survey invitations (read-only, filtered) and the answers (read-only; staff
  re-categorise one on its page, or several at once, audited). The Feedback & CSAT report links
  to the answers with the rows behind each figure: ``created_at__gte`` / ``created_at__lt`` (the
  period), ``category``, ``seller``, ``agent``, ``channel``, ``interaction_type``,
  ``satisfied__exact`` and ``issues__icontains`` (a recurring keyword): local-field lookups the
  admin accepts in the query string;
- ``entries``: the feedback log (the same);
- ``rules``: the keyword rules (editable, with a "test a text" page) and the category owners;
  the re-categorisation audit (read-only);
- ``reports``: the Feedback & CSAT report (a view of the action plans' admin), its CSV, and the
  action plans.
"""

from feedback.admin import entries, reports, rules, surveys  # noqa: F401  (register the admins)
