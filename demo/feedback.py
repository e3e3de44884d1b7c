"""Demo feedback for ``seed_demo``: six months of CSAT surveys and feedback-log entries, so the
reports show trends, categories below the 90 % target and an action plan that worked on a
newcomer's first ``make run``.

- **Surveys.** The conversations, review cases, recovery follow-ups and tickets the other demo
  modules replayed through the services already scheduled their invitations (the workflow apps
  call ``survey_request``). Those due are marked sent, and a little over half are answered. Beside
  them come the help desk's *archive*: six months of resolved help requests on the web, by email,
  chat and phone, from before the demo's few live tickets. They have no ticket row (their
  ``about_id`` starts at ``ARCHIVE_ID_BASE``, far above any real ticket's, so a real ticket's
  survey never collides with one, and their link is empty); they exist so that every channel,
  agent, seller and category has a history.
- **The story the figures tell.** Customer service and product questions stay above target;
  payment and billing and technical problems stay below it; shipping and delivery sinks below it
  while complaints about late couriers rise, until the action plan "Delay notices before the
  customer asks" takes effect three months ago, after which it recovers. A second plan, on refunds,
  is in progress. Each category's monthly share of satisfied answers is set exactly
  (``SATISFIED``), not drawn, so the report reads the same on every machine.
- **The feedback log.** Entries from every interface, categorised by the customer's choice or by
  the keyword rules (``RULES``, editable in the console), feature requests ranked by how often
  they are asked.
- **Try it.** The demo buyer keeps two or more survey invitations open (sent, unanswered, not
  expired) with an in-app notification; ``seed_demo`` prints their links.

Deterministic (``random.Random(seed)``; only the link tokens are random), written with
``bulk_create`` (a few thousand rows in well under a second), and idempotent: if there are
responses or feedback entries already, it changes nothing.
"""

import bisect
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import F, OuterRef, Subquery

from accounts.models import Role, User
from feedback.models import (
    ActionPlan,
    ActionStatus,
    Category,
    CategoryOwner,
    CategoryRule,
    CategorySource,
    Channel,
    EntryKind,
    FeedbackEntry,
    InteractionType,
    Interface,
    InvitationStatus,
    SurveyInvitation,
    SurveyResponse,
)
from feedback.notices import Kind
from feedback.services.invitations import new_token
from helpdesk.services.surveys import FEEDBACK_CATEGORY
from marketplace.models import Order
from notifications.services.bulk import emails_suppressed
from notifications.services.notify import notify

ARCHIVE_ID_BASE = 9_000_000_000
HISTORY_DAYS = 182
ANSWER_RATE = 0.58
OPEN_SURVEYS_FOR_BUYER = 2
DEMO_BUYER = "buyer"
DEMO_LOGINS = ["buyer", "buyer2"]

# (keyword, category, marks a feature request, position): the rules staff edit in the console.
RULES: list[tuple[str, str, bool, int]] = [
    ("please add", Category.PLATFORM_FEATURES, True, 10),
    ("would be nice", Category.PLATFORM_FEATURES, True, 11),
    ("feature", Category.PLATFORM_FEATURES, True, 12),
    ("refund", Category.PAYMENT_BILLING, False, 20),
    ("charged", Category.PAYMENT_BILLING, False, 21),
    ("invoice", Category.PAYMENT_BILLING, False, 22),
    ("late", Category.SHIPPING_DELIVERY, False, 30),
    ("delivery", Category.SHIPPING_DELIVERY, False, 31),
    ("courier", Category.SHIPPING_DELIVERY, False, 32),
    ("crash", Category.TECHNICAL, False, 40),
    ("error", Category.TECHNICAL, False, 41),
    ("bug", Category.TECHNICAL, False, 42),
]
_RULE_PATTERNS = [
    (re.compile(rf"\b{re.escape(keyword)}", re.IGNORECASE), category, marks) for keyword, category, marks, _ in RULES
]

OWNERS: list[tuple[str, str]] = [
    (Category.SHIPPING_DELIVERY, "support"),
    (Category.CUSTOMER_SERVICE, "support"),
    (Category.PAYMENT_BILLING, "finance"),
    (Category.TECHNICAL, "admin"),
    (Category.PLATFORM_FEATURES, "admin"),
    (Category.PRODUCT, "moderator"),
]

# The share of satisfied answers per category and month (0: this month, 6: six months ago);
# shipping and delivery has one table before its action plan and one after.
SATISFIED: dict[str, dict[int, float]] = {
    Category.CUSTOMER_SERVICE: {6: 0.95, 5: 0.96, 4: 0.95, 3: 0.96, 2: 0.97, 1: 0.95, 0: 0.96},
    Category.PRODUCT: {6: 0.91, 5: 0.92, 4: 0.90, 3: 0.92, 2: 0.93, 1: 0.91, 0: 0.92},
    Category.PLATFORM_FEATURES: {6: 0.90, 5: 0.91, 4: 0.92, 3: 0.90, 2: 0.91, 1: 0.92, 0: 0.91},
    Category.PAYMENT_BILLING: {6: 0.85, 5: 0.83, 4: 0.84, 3: 0.82, 2: 0.85, 1: 0.84, 0: 0.84},
    Category.TECHNICAL: {6: 0.86, 5: 0.84, 4: 0.85, 3: 0.83, 2: 0.86, 1: 0.85, 0: 0.84},
}
SHIPPING_BEFORE_PLAN = {6: 0.82, 5: 0.77, 4: 0.72, 3: 0.72, 2: 0.72, 1: 0.72, 0: 0.72}
SHIPPING_AFTER_PLAN = {6: 0.92, 5: 0.92, 4: 0.92, 3: 0.88, 2: 0.92, 1: 0.94, 0: 0.95}
# Shipping questions rise towards the plan (the recurring issue) and fall back after it.
SHIPPING_VOLUME = {6: 1.0, 5: 1.4, 4: 1.9, 3: 1.2, 2: 0.9, 1: 0.8, 0: 0.8}

# Archive help requests: (ticket category, weight, subjects).
ARCHIVE_TOPICS: list[tuple[str, int, list[str]]] = [
    (
        "order_status",
        30,
        ["Where is my parcel?", "Tracking has not moved", "Delivery date passed", "Parcel marked delivered, not here"],
    ),
    ("payment", 22, ["Charged twice", "Payment declined", "When does my refund arrive?", "Payment failed at checkout"]),
    ("invoice", 14, ["Wrong VAT on my invoice", "Invoice missing an item", "Company name on the invoice"]),
    ("receipt", 10, ["No receipt received", "Receipt shows the wrong amount"]),
    ("other", 24, ["How do I change my address?", "The app logs me out", "Cannot upload a photo", "Gift wrapping?"]),
]
CHANNEL_WEIGHTS = [(Channel.WEB, 45), (Channel.EMAIL, 25), (Channel.CHAT, 20), (Channel.PHONE, 10)]
# What a customer with an "other" question says their problem was.
OTHER_CATEGORIES = [(Category.CUSTOMER_SERVICE, 30), (Category.TECHNICAL, 45), (Category.PLATFORM_FEATURES, 25)]
AGENTS: dict[str, list[tuple[str, int]]] = {
    "order_status": [("support", 80), ("admin", 20)],
    "payment": [("finance", 55), ("support", 45)],
    "invoice": [("finance", 60), ("support", 40)],
    "receipt": [("support", 100)],
    "other": [("support", 60), ("admin", 40)],
}

# What went wrong, per category (dissatisfied answers); each names its category's keywords.
ISSUES: dict[str, list[str]] = {
    Category.SHIPPING_DELIVERY: [
        "The parcel was a week late and nobody told me.",
        "The courier said delivered but it never arrived.",
        "Late again, second time this month.",
        "Delivery slot missed, the courier never called.",
        "Tracking stopped updating and the delivery was late.",
    ],
    Category.PAYMENT_BILLING: [
        "The refund took three weeks.",
        "I was charged twice and had to chase the refund.",
        "The invoice still has the wrong VAT.",
        "Still waiting for my refund.",
    ],
    Category.TECHNICAL: [
        "The app crashed twice while I was paying.",
        "Got an error when uploading my photo.",
        "A bug logs me out of the checkout.",
    ],
    Category.PRODUCT: [
        "The replacement had the same fault.",
        "The product looked different from the photos.",
        "Size chart was wrong, the item did not fit.",
    ],
    Category.CUSTOMER_SERVICE: [
        "I had to explain the problem three times.",
        "The answer was polite but did not solve anything.",
        "Took two days to get a first answer.",
    ],
    Category.PLATFORM_FEATURES: [
        "I could not find where to change my address.",
        "Hard to find my old orders.",
    ],
}
# After the delay notices, what shipping complaints are left is not lateness.
SHIPPING_ISSUES_AFTER_PLAN = [
    "The courier left the parcel at the wrong door.",
    "Delivery slot missed, the courier never called.",
    "The box arrived damaged.",
]
SUGGESTIONS = [
    "Tell me earlier when something is delayed.",
    "A phone number would help.",
    "Keep me updated without me asking.",
    "Please add a live chat on the order page.",
    "Would be nice to see the refund status on the payment page.",
]
# Feature requests in the feedback log: (the wish in a few phrasings, how often it is asked).
FEATURE_REQUESTS: list[tuple[list[str], int]] = [
    (["Please add a dark mode.", "Would be nice to have a dark mode for the app.", "Feature: dark mode please!"], 14),
    (["Please add a way to save favourite stores.", "Would be nice to follow my favourite stores."], 10),
    (["Please add CSV export of my orders.", "Feature request: export my order history."], 7),
    (["Would be nice to track my parcel on a map.", "Please add a map to the tracking page."], 5),
    (["Please add split payment between two cards."], 3),
]
# The feedback log, per category: (interface, text) the customer or seller wrote.
ENTRY_TEXTS: dict[str, list[tuple[str, str]]] = {
    Category.SHIPPING_DELIVERY: [
        (Interface.SUPPORT, "My delivery is late and tracking has not moved."),
        (Interface.CHECKOUT, "Delivery estimate at checkout was wrong by a week."),
        (Interface.MESSAGING, "The courier left my parcel outside in the rain."),
        (Interface.PRODUCT_PAGE, "Delivery times are not shown on the product page."),
    ],
    Category.PAYMENT_BILLING: [
        (Interface.CHECKOUT, "I was charged twice at checkout."),
        (Interface.SUPPORT, "Where is my refund? It has been ten days."),
        (Interface.SELLER_DASHBOARD, "The invoice totals on the dashboard do not match the payout."),
    ],
    Category.TECHNICAL: [
        (Interface.CHECKOUT, "The page crashed when I pressed pay."),
        (Interface.REVIEWS, "Error when I upload a photo with my review."),
        (Interface.SELLER_DASHBOARD, "Bug: the chart on the dashboard is empty on my phone."),
        (Interface.MESSAGING, "The message box gives an error with emoji."),
    ],
    Category.PRODUCT: [
        (Interface.PRODUCT_PAGE, "The size chart for the jackets is confusing."),
        (Interface.REVIEWS, "Photos of the kettle do not match what arrived."),
    ],
    Category.CUSTOMER_SERVICE: [
        (Interface.SUPPORT, "Support was quick and friendly, thank you!"),
        (Interface.MESSAGING, "The seller answered within minutes, great."),
        (Interface.SUPPORT, "Nobody answered my question for two days."),
    ],
    Category.PLATFORM_FEATURES: [
        (Interface.PRODUCT_PAGE, "Hard to compare two products side by side."),
        (Interface.SELLER_DASHBOARD, "The quick replies are really handy."),
    ],
}
ENTRY_WEIGHTS = {
    Category.SHIPPING_DELIVERY: 26,
    Category.PAYMENT_BILLING: 18,
    Category.TECHNICAL: 14,
    Category.PRODUCT: 10,
    Category.CUSTOMER_SERVICE: 12,
    Category.PLATFORM_FEATURES: 6,
}
PAGES: dict[str, str] = {
    Interface.PRODUCT_PAGE: "/products/",
    Interface.CHECKOUT: "/checkout/",
    Interface.MESSAGING: "/messages/",
    Interface.SUPPORT: "/support/",
    Interface.REVIEWS: "/reviews/",
    Interface.SELLER_DASHBOARD: "/seller/",
}


def rule_match(text: str) -> tuple[str, bool] | None:
    """The first rule (by position) whose keyword starts a word of ``text``: (category, feature request)."""
    for pattern, category, marks in _RULE_PATTERNS:
        if pattern.search(text):
            return category, marks
    return None


def months_ago(moment: datetime, now: datetime) -> int:
    return (now.year * 12 + now.month) - (moment.year * 12 + moment.month)


def _first_of_month(moment: datetime, back: int) -> date:
    index = moment.year * 12 + moment.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in choices], weights=[weight for _, weight in choices])[0]


@dataclass
class _Answer:
    """A response to write once every answer of its (category, month) group is known."""

    invitation: SurveyInvitation
    category: str
    at: datetime
    satisfied: bool = False
    fields: dict[str, object] = field(default_factory=dict)


class DemoFeedback:
    def __init__(self, *, now: datetime, seed: int) -> None:
        self.now = now
        self.rng = random.Random(seed + 12)
        self.start = now - timedelta(days=HISTORY_DAYS)
        self.plan_effective = _first_of_month(now, 3)
        self.staff = {
            user.username: user
            for user in User.objects.filter(username__in=["support", "finance", "admin", "moderator"])
        }
        self.answers: list[_Answer] = []

    # --- Rules, owners, plans -------------------------------------------------------------------

    def _rules_and_owners(self) -> None:
        admin = self.staff.get("admin")
        CategoryRule.objects.bulk_create(
            [
                CategoryRule(
                    keyword=keyword,
                    category=category,
                    marks_feature_request=marks,
                    position=position,
                    created_by=admin,
                    created_at=self.start,
                )
                for keyword, category, marks, position in RULES
            ],
            ignore_conflicts=True,
        )
        CategoryOwner.objects.bulk_create(
            [
                CategoryOwner(category=category, user=self.staff[username])
                for category, username in OWNERS
                if username in self.staff
            ],
            ignore_conflicts=True,
        )

    def _action_plans(self) -> int:
        if ActionPlan.objects.exists():
            return 0
        support, finance, admin = self.staff["support"], self.staff["finance"], self.staff.get("admin")
        effective = self.plan_effective
        created = datetime(effective.year, effective.month, effective.day, tzinfo=self.now.tzinfo) - timedelta(days=20)
        started = self.now.date() - timedelta(days=10)
        ActionPlan.objects.bulk_create(
            [
                ActionPlan(
                    category=Category.SHIPPING_DELIVERY,
                    keyword="late",
                    title="Delay notices before the customer asks, and a second courier",
                    what_changes=(
                        "The help desk's delay sweep tells buyers as soon as an order passes its expected "
                        "delivery or its tracking stalls; orders to the regions with most late parcels go "
                        "with a second courier."
                    ),
                    owner=support,
                    due_on=effective,
                    effective_on=effective,
                    status=ActionStatus.DONE,
                    created_by=admin,
                    created_at=created,
                    updated_at=created + timedelta(days=20),
                ),
                ActionPlan(
                    category=Category.PAYMENT_BILLING,
                    keyword="refund",
                    title="Refund status on the payment page",
                    what_changes=(
                        "Buyers see each refund's status and the day it should reach their statement, "
                        "instead of asking support where it is."
                    ),
                    owner=finance,
                    due_on=self.now.date() + timedelta(days=20),
                    effective_on=started,
                    status=ActionStatus.IN_PROGRESS,
                    created_by=admin,
                    created_at=self.now - timedelta(days=15),
                    updated_at=self.now - timedelta(days=10),
                ),
            ]
        )
        return 2

    # --- Surveys ---------------------------------------------------------------------------------

    def _send(self, invitation: SurveyInvitation, *, keep_open: bool) -> None:
        """Mark a due invitation sent; answer it (queued in ``answers``) or leave it unanswered."""
        rng = self.rng
        invitation.status = InvitationStatus.SENT
        invitation.sent_at = invitation.send_after
        invitation.expires_at = invitation.sent_at + settings.FEEDBACK_SURVEY_VALID_FOR
        answered_at = invitation.sent_at + timedelta(minutes=rng.randint(10, 48 * 60))
        if not keep_open and rng.random() < ANSWER_RATE and answered_at < self.now - timedelta(minutes=5):
            invitation.status = InvitationStatus.ANSWERED
            invitation.answered_at = answered_at
            category = invitation.category or Category.CUSTOMER_SERVICE
            if invitation.topic == "other":
                category = _weighted(rng, OTHER_CATEGORIES)
            self.answers.append(_Answer(invitation=invitation, category=category, at=answered_at))
            return
        reminder_at = invitation.sent_at + settings.FEEDBACK_SURVEY_REMINDER_AFTER
        if reminder_at < min(self.now, invitation.expires_at):
            invitation.reminded_at = reminder_at

    def _replayed(self, buyer: User | None) -> list[SurveyInvitation]:
        """The invitations the replayed conversations, cases and tickets scheduled: those due are
        sent; the demo buyer's still valid stay open for them to try."""
        due = list(
            SurveyInvitation.objects.filter(status=InvitationStatus.SCHEDULED, send_after__lte=self.now).order_by(
                "send_after", "id"
            )
        )
        for invitation in due:
            still_valid = invitation.send_after + settings.FEEDBACK_SURVEY_VALID_FOR > self.now
            self._send(invitation, keep_open=buyer is not None and invitation.customer_id == buyer.pk and still_valid)
        # Three set-based updates, not a ``bulk_update`` (a CASE per row and field: seconds for a
        # few hundred rows): every sent time is the invitation's ``send_after``, every reminder
        # ``FEEDBACK_SURVEY_REMINDER_AFTER`` later; the answer times follow from the responses.
        sent = SurveyInvitation.objects.filter(pk__in=[invitation.pk for invitation in due])
        sent.update(
            status=InvitationStatus.SENT,
            sent_at=F("send_after"),
            expires_at=F("send_after") + settings.FEEDBACK_SURVEY_VALID_FOR,
        )
        answered = [invitation.pk for invitation in due if invitation.status == InvitationStatus.ANSWERED]
        SurveyInvitation.objects.filter(pk__in=answered).update(status=InvitationStatus.ANSWERED)
        reminded = [invitation.pk for invitation in due if invitation.reminded_at is not None]
        SurveyInvitation.objects.filter(pk__in=reminded).update(
            reminded_at=F("send_after") + settings.FEEDBACK_SURVEY_REMINDER_AFTER
        )
        return due

    def _archive(self) -> list[SurveyInvitation]:
        """The help desk's archive: resolved help requests of the last six months, surveyed. Its
        customers are the demo's other buyers: the demo logins' own history is what they see on
        their pages (the replays), so their surveys are about that."""
        rng = self.rng
        orders = list(
            Order.objects.exclude(buyer__username__in=DEMO_LOGINS)
            .order_by("placed_at", "id")
            .values_list("placed_at", "id", "buyer_id", "seller_id")
        )
        placed = [row[0] for row in orders]
        # The marketplace's buyers (those who ordered): accounts later demo modules add (the
        # royalty partner's sign-in) must not change who is drawn, so a rebuild draws the same.
        buyers = list(
            User.objects.filter(role=Role.BUYER, orders__isnull=False)
            .exclude(username__in=DEMO_LOGINS)
            .distinct()
            .order_by("id")
            .values_list("id", flat=True)
        )
        if not buyers:
            return []
        invitations: list[SurveyInvitation] = []
        number = 0
        for day in range(HISTORY_DAYS):
            day_start = self.start + timedelta(days=day)
            back = months_ago(day_start, self.now)
            weights = [
                (topic, weight * SHIPPING_VOLUME[min(back, 6)] if topic == "order_status" else weight)
                for topic, weight, _ in ARCHIVE_TOPICS
            ]
            for _ in range(rng.randint(3, 6)):
                topic = rng.choices([t for t, _ in weights], weights=[w for _, w in weights])[0]
                subjects = next(subjects for name, _, subjects in ARCHIVE_TOPICS if name == topic)
                resolved_at = day_start + timedelta(seconds=rng.randint(0, 24 * 3600 - 1))
                send_after = resolved_at + settings.FEEDBACK_SURVEY_DELAY
                opened_at = resolved_at - timedelta(minutes=rng.randint(45, 72 * 60))
                if send_after > self.now:
                    continue
                number += 1
                known = bisect.bisect_left(placed, opened_at - timedelta(days=1))
                order = orders[rng.randrange(known)] if known and (topic != "other" or rng.random() < 0.5) else None
                invitation = SurveyInvitation(
                    token=new_token(),
                    about_type=InteractionType.TICKET,
                    about_id=ARCHIVE_ID_BASE + number,
                    about_label=f"Help request HD-{resolved_at.year}-9{number:05d}: {rng.choice(subjects)}",
                    about_url="",
                    customer_id=order[2] if order else rng.choice(buyers),
                    seller_id=order[3] if order else None,
                    order_id=order[1] if order else None,
                    agent_id=self.staff[_weighted(rng, AGENTS[topic])].pk,
                    channel=_weighted(rng, CHANNEL_WEIGHTS),
                    category=FEEDBACK_CATEGORY[topic],
                    topic=topic,
                    resolved_at=resolved_at,
                    resolution_seconds=int((resolved_at - opened_at).total_seconds()),
                    send_after=send_after,
                    created_at=resolved_at,
                )
                self._send(invitation, keep_open=False)
                invitations.append(invitation)
        SurveyInvitation.objects.bulk_create(invitations, batch_size=1000)
        return invitations

    def _satisfied_share(self, answer: _Answer) -> float:
        back = min(months_ago(answer.at, self.now), 6)
        if answer.category == Category.SHIPPING_DELIVERY:
            table = SHIPPING_BEFORE_PLAN if answer.at.date() < self.plan_effective else SHIPPING_AFTER_PLAN
            return table[back]
        return SATISFIED[answer.category][back]

    def _responses(self) -> int:
        """Each (category, month, before/after the plan) group gets exactly its share satisfied."""
        rng = self.rng
        groups: dict[tuple[str, int, bool], list[_Answer]] = defaultdict(list)
        for answer in self.answers:
            key = (answer.category, months_ago(answer.at, self.now), answer.at.date() < self.plan_effective)
            groups[key].append(answer)
        for key in sorted(groups):
            members = groups[key]
            satisfied = round(self._satisfied_share(members[0]) * len(members))
            for index, answer in enumerate(rng.sample(members, len(members))):
                answer.satisfied = index < satisfied
        responses = [self._response(answer) for answer in sorted(self.answers, key=lambda a: (a.at, a.invitation.pk))]
        SurveyResponse.objects.bulk_create(responses, batch_size=1000)
        answer_time = SurveyResponse.objects.filter(invitation_id=OuterRef("pk")).values("created_at")[:1]
        SurveyInvitation.objects.filter(status=InvitationStatus.ANSWERED, answered_at__isnull=True).update(
            answered_at=Subquery(answer_time)
        )
        return len(responses)

    def _response(self, answer: _Answer) -> SurveyResponse:
        rng, invitation, happy = self.rng, answer.invitation, answer.satisfied
        overall = (5 if rng.random() < 0.6 else 4) if happy else _weighted_int(rng, [(3, 45), (2, 30), (1, 25)])
        texts = ISSUES[answer.category]
        if answer.category == Category.SHIPPING_DELIVERY and answer.at.date() >= self.plan_effective:
            texts = SHIPPING_ISSUES_AFTER_PLAN
        issues = rng.choice(texts) if not happy and rng.random() < 0.8 else ""
        suggestions = rng.choice(SUGGESTIONS) if rng.random() < 0.25 else ""
        source = CategorySource.USER
        if rng.random() < 0.25:
            matched = rule_match(issues)
            if matched is not None and matched[0] == answer.category:
                source = CategorySource.RULE
        feature = rule_match(suggestions)
        return SurveyResponse(
            invitation=invitation,
            overall=overall,
            satisfied=happy,
            ease=None if rng.random() < 0.15 else (rng.choice([4, 5, 5]) if happy else rng.choice([1, 2, 2, 3, 3])),
            clear_solution=None if rng.random() < 0.1 else rng.random() < (0.92 if happy else 0.35),
            response_time_ok=None if rng.random() < 0.1 else rng.random() < (0.88 if happy else 0.4),
            issues=issues,
            suggestions=suggestions,
            category=answer.category,
            category_source=source,
            is_feature_request=bool(feature and feature[1]),
            interaction_type=invitation.about_type,
            channel=invitation.channel,
            seller_id=invitation.seller_id,
            agent_id=invitation.agent_id,
            order_id=invitation.order_id,
            resolution_seconds=invitation.resolution_seconds,
            created_at=answer.at,
        )

    def _open_for_buyer(self, buyer: User) -> list[SurveyInvitation]:
        """At least ``OPEN_SURVEYS_FOR_BUYER`` open invitations for the demo buyer (their latest
        ones sent again if too few are still valid), each with its in-app notification."""
        mine = SurveyInvitation.objects.filter(customer=buyer)
        open_now = list(mine.filter(status=InvitationStatus.SENT, expires_at__gt=self.now).order_by("-sent_at", "-id"))
        if len(open_now) < OPEN_SURVEYS_FOR_BUYER:
            more = list(
                mine.filter(status=InvitationStatus.SENT)
                .exclude(pk__in=[invitation.pk for invitation in open_now])
                .order_by("-resolved_at", "-id")[: OPEN_SURVEYS_FOR_BUYER - len(open_now)]
            )
            for invitation in more:
                invitation.sent_at = self.now - timedelta(hours=2)
                invitation.expires_at = invitation.sent_at + settings.FEEDBACK_SURVEY_VALID_FOR
                invitation.reminded_at = None
            SurveyInvitation.objects.bulk_update(more, ["sent_at", "expires_at", "reminded_at"])
            open_now += more
        with emails_suppressed():
            for invitation in open_now:
                notify(
                    recipients=[buyer],
                    kind=Kind.SURVEY_INVITATION,
                    title=f"How did we do? {invitation.about_label}",
                    body="Two minutes, a few taps: tell us how it went.",
                    link=f"/surveys/{invitation.token}/",
                )
        return open_now

    # --- The feedback log ------------------------------------------------------------------------

    def _entries(self) -> int:
        rng = self.rng
        buyers = list(
            User.objects.filter(role=Role.BUYER, orders__isnull=False)
            .distinct()
            .order_by("id")
            .values_list("id", flat=True)
        )
        sellers = list(User.objects.filter(role=Role.SELLER).order_by("id").values_list("id", flat=True))
        wish_texts = [rng.choice(phrasings) for phrasings, times in FEATURE_REQUESTS for _ in range(times)]
        entries: list[FeedbackEntry] = []
        for day in range(HISTORY_DAYS):
            day_start = self.start + timedelta(days=day)
            back = min(months_ago(day_start, self.now), 6)
            weights = {
                category: weight * (SHIPPING_VOLUME[back] if category == Category.SHIPPING_DELIVERY else 1)
                for category, weight in ENTRY_WEIGHTS.items()
            }
            for _ in range(rng.choice([0, 1, 1, 2])):
                category = rng.choices(list(weights), weights=list(weights.values()))[0]
                interface, body = rng.choice(ENTRY_TEXTS[category])
                entries.append(self._entry(day_start, category, interface, body, buyers, sellers))
        for body in wish_texts:  # the feature requests, spread over the six months
            day_start = self.start + timedelta(days=rng.randrange(HISTORY_DAYS))
            interface = rng.choice([Interface.PRODUCT_PAGE, Interface.SELLER_DASHBOARD, Interface.CHECKOUT])
            entries.append(self._entry(day_start, "", interface, body, buyers, sellers))
        entries.sort(key=lambda entry: entry.created_at)
        FeedbackEntry.objects.bulk_create(entries, batch_size=1000)
        return len(entries)

    def _entry(
        self, day_start: datetime, category: str, interface: str, body: str, buyers: list[int], sellers: list[int]
    ) -> FeedbackEntry:
        rng = self.rng
        matched = rule_match(body)
        is_feature = bool(matched and matched[1])
        if not is_feature and category and rng.random() < 0.3:
            chosen, source = category, CategorySource.USER
        elif matched is not None:
            chosen, source = matched[0], CategorySource.RULE
        else:
            chosen, source = "", CategorySource.NONE
        people = sellers if interface == Interface.SELLER_DASHBOARD else buyers
        user_id = rng.choice(people) if people and rng.random() < 0.85 else None
        return FeedbackEntry(
            interface=interface,
            user_id=user_id,
            rating=rng.randint(1, 5) if rng.random() < 0.5 else None,
            body=body,
            page=PAGES[interface],
            kind=EntryKind.FEATURE_REQUEST if is_feature else EntryKind.FEEDBACK,
            category=chosen,
            category_source=source,
            created_at=min(day_start + timedelta(seconds=rng.randint(0, 24 * 3600 - 1)), self.now),
        )

    # --- All of it -------------------------------------------------------------------------------

    def build(self) -> tuple[dict[str, int], list[SurveyInvitation]]:
        counts = {"survey invitations": 0, "survey responses": 0, "feedback entries": 0}
        if SurveyResponse.objects.exists() or FeedbackEntry.objects.exists():
            return counts, []
        if not {"support", "finance", "admin"} <= set(self.staff):
            return counts, []
        self._rules_and_owners()
        self._action_plans()
        buyer = User.objects.filter(username=DEMO_BUYER).first()
        self._replayed(buyer)
        self._archive()
        counts["survey responses"] = self._responses()
        counts["feedback entries"] = self._entries()
        open_surveys = self._open_for_buyer(buyer) if buyer is not None else []
        counts["survey invitations"] = SurveyInvitation.objects.count()
        return counts, open_surveys


def _weighted_int(rng: random.Random, choices: list[tuple[int, int]]) -> int:
    return rng.choices([value for value, _ in choices], weights=[weight for _, weight in choices])[0]


def build_demo_feedback(*, now: datetime, seed: int) -> dict[str, int]:
    """Six months of surveys and feedback (see the module's docstring); returns what was made."""
    counts, _ = DemoFeedback(now=now, seed=seed).build()
    return counts


def demo_open_surveys(*, now: datetime) -> list[SurveyInvitation]:
    """The demo buyer's open survey invitations (sent, unanswered, not expired), newest first."""
    return list(
        SurveyInvitation.objects.filter(
            customer__username=DEMO_BUYER, status=InvitationStatus.SENT, expires_at__gt=now
        ).order_by("-sent_at", "-id")
    )
