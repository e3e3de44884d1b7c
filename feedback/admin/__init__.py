"""Feedback in the staff console. Django's admin autodiscovery imports this package; each module
registers its pages:

- ``responses``: the survey answers (the report's drill-down target);
- ``reports``: the Feedback & CSAT report (a view of the action plans' admin), its CSV, action
  plans and category owners.
"""

from feedback.admin import reports, responses  # noqa: F401  (register the admins)
