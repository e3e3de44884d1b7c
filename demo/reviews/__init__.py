"""Demo reviews for ``seed_demo``: six months of verified-purchase reviews and the stores' answers,
so the seller's ``/seller/reviews/``, the buyer's ``/reviews/`` and the console's reviews sections
have a believable picture to show.

Like ``demo.inquiries``, everything goes through the real services (``review_create``,
``response_post`` with the starter templates, the moderation services, ``follow_up_answer``, the
case services and the sweep), replayed in time order with ``now`` in the past, so the reviews, the
events, the response clock and the rating counters (``ProductRating`` / ``SellerRating``) are
exactly what the running system would have written. Nothing is mailed (``emails_suppressed``);
notifications older than a day are read.

Who answers: the two stores with members answer with their own habits (Northwind quickly, Harbor
& Pine more slowly, with a few escalations); stores without members are answered by support when a
review is negative. Live at seed time, for the demo seller: a negative review with time left on
the 24-hour target, one past the target, and one past 48 hours that the first sweep of ``make run``
escalates; two responses held by the standards check for a moderator; follow-ups waiting for the
customer; and review cases open and resolved.
"""

from demo.reviews.builder import build_demo_reviews

__all__ = ["build_demo_reviews"]
