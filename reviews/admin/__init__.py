"""Reviews in the moderators' console. Django's admin autodiscovery imports this package; each
module registers its pages:

- ``reviews``: reviews, the responses moderation queue, seller strikes, recovery follow-ups and
  response templates;
- ``cases``: review cases (missing review, wrong product, incorrect content);
- ``metrics``: the review metrics report (a view of the review list's admin).
"""

from reviews.admin import cases, reviews  # noqa: F401  (register the admins)
