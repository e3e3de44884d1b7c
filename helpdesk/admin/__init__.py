"""The help desk in the moderators' console (Django admin autodiscovery imports this package):

- ``tickets``: the ticket queues (by category, department, priority, time left) and the ticket
  page with its log and action buttons (assign to me, reply with a macro, call note, internal
  note, escalate, resolve, follow-up);
- ``macros``: the staff reply macros;
- ``articles``: the help centre articles (Markdown, draft or published).
"""

from helpdesk.admin import articles, macros, tickets  # noqa: F401  (register the admins)
