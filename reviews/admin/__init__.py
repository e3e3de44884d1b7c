"""Reviews in the moderators' console. Django's admin autodiscovery imports this package; each
module registers its pages:

- ``reviews``: reviews and recovery follow-ups;
- ``responses``: the responses moderation queue and seller strikes;
- ``templates``: response templates;
- ``cases``: review cases (missing review, wrong product, incorrect content);
- ``metrics``: the review metrics report (a view of the review list's admin).
"""

from reviews.admin import cases, responses, reviews, templates  # noqa: F401  (register the admins)
