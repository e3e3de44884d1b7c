"""Feedback in the moderators' console (Django admin autodiscovery imports this package):

- ``surveys``: the survey invitations (read-only, filtered) and the answers (read-only; staff
  re-categorise one on its page, or several at once, audited);
- ``entries``: the feedback log (the same);
- ``rules``: the keyword rules (editable, with a "test a text" page) and the category owners;
  the re-categorisation audit (read-only).

The reports, action plans and alerts are ``reports*`` modules of their own.
"""

from feedback.admin import entries, rules, surveys  # noqa: F401  (register the admins)
