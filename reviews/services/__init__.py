"""Every write of the reviews app: keyword-only functions, one transaction each, an event row for
every change, notifications inside the transaction (their emails after commit). Admin, API, pages,
beat and shell call the same functions.

- ``reviews``: write, hide, remove, restore a review; the customer's follow-up answer.
- ``responses``: respond (the standards check decides published / pending moderation), approve,
  request an edit, hide; strikes.
- ``templates``: response templates, safe rendering, the platform's starters.
- ``cases``: review cases and their staff actions (reassign, restore, remove, resolve).
- ``ratings``: the per-product and per-seller counters.
- ``sweep``: escalation of unanswered negative reviews and of unresolved follow-ups.
"""
