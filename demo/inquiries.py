"""Demo conversations for ``seed_demo``: six months of buyer questions and seller answers, so the
seller dashboard has KPIs, a chart and a standing to show, plus a live inbox.

Everything goes through the real services (``conversation_open``, ``message_post``,
``inquiry_exclude``, ``conversation_close`` and the sweep), replayed in time order with ``now`` in
the past, so the rows are exactly what the running system would have written. Nothing is
mailed (``emails_suppressed``): nobody should get mail about demo history; older notifications are read.

Live at seed time, for the demo logins: a question a few minutes old (the countdown runs), one
about to pass the 3-hour warning and one past 4 hours that the first sweep of ``make run``
escalates, plus an escalation already in the support queue.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Max, OuterRef, Subquery

from accounts.models import Role, User
from inquiries.models import Conversation, Inquiry, Message
from inquiries.services.messaging import conversation_close, conversation_open, inquiry_exclude, message_post
from inquiries.services.sweep import inquiries_sweep
from marketplace.models import Order, Product, Seller
from notifications.models import Notification
from notifications.services.bulk import emails_suppressed

# (subject, question, answer): the buyer's words and a fitting seller answer.
QUESTIONS: list[tuple[str, str, str]] = [
    (
        "Is it in stock in a medium?",
        "Hi, is the {product} available in size M? I'd like to order this week.",
        "Hi {buyer}, yes, size M is in stock and ships tomorrow morning.",
    ),
    (
        "Delivery time",
        "How long does delivery of the {product} usually take? It's a birthday present.",
        "Hi {buyer}, orders usually arrive in 3 business days. We can add a gift note too.",
    ),
    (
        "Where is my parcel?",
        "My order {order} still shows 'shipped' and hasn't arrived. Can you check the tracking?",
        "Sorry for the wait, {buyer}. The carrier scanned it at the local depot this morning; "
        "it should be with you tomorrow.",
    ),
    (
        "Invoice with company details",
        "Could you reissue the invoice for {order} with my company name and VAT number?",
        "Of course, {buyer}. Send us the company name and VAT number and we'll reissue it today.",
    ),
    (
        "Return an item",
        "The {product} doesn't fit. How do I return it for a refund?",
        "No problem, {buyer}. We've emailed you a prepaid return label; the refund follows "
        "within 5 days of the parcel arriving.",
    ),
    (
        "Different colour?",
        "Does the {product} come in another colour? The photo shows only one.",
        "Hi {buyer}, it also comes in navy and olive; both are in stock.",
    ),
    (
        "Payment taken twice?",
        "I think I was charged twice for {order}. Can you look into it?",
        "Thanks for flagging it, {buyer}. The second charge was an authorization that has been released; "
        "it disappears from your statement in 2-3 days.",
    ),
]
THANK_YOU = "Thanks a lot, that's all I needed!"
STAFF_ANSWER = (
    "Hi {buyer}, this is SayPro support stepping in while the seller gets back to you: "
    "we've checked your order and it is on its way. We'll keep an eye on it."
)


@dataclass
class Plan:
    buyer: User
    seller: Seller
    opened_at: datetime
    question: tuple[str, str, str]
    product: Product | None = None
    order: Order | None = None
    outcome: str = "answered"  # answered | late | staff | excluded | open
    reply_after: timedelta = timedelta(minutes=30)
    close_after: timedelta | None = None
    conversation: Conversation | None = field(default=None, repr=False)


@dataclass(order=True)
class Step:
    at: datetime
    order: int
    run: Callable[[], None] = field(compare=False)


class DemoConversations:
    def __init__(self, *, now: datetime, seed: int) -> None:
        self.now = now
        self.rng = random.Random(seed)
        self.steps: list[Step] = []
        self.products: dict[int, list[Product]] = {}

    def build(self) -> dict[str, int]:
        staff = User.objects.filter(role=Role.SUPPORT).order_by("pk").first()
        buyers = list(User.objects.filter(role=Role.BUYER).order_by("pk"))
        sellers = list(
            Seller.objects.filter(is_active=True, memberships__isnull=False)
            .distinct()
            .prefetch_related("memberships__user")
            .order_by("pk")
        )
        if staff is None or not buyers or not sellers:
            return {"conversations": 0}
        for seller in sellers:
            self.products[seller.pk] = list(Product.objects.filter(seller=seller).order_by("pk")[:12])
        plans = self._history(buyers, sellers) + self._live(buyers, sellers)
        for plan in plans:
            self._schedule(plan, staff)
        first_conversation = (Conversation.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        with emails_suppressed():
            for step in sorted(self.steps):
                before = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
                step.run()
                # ``created_at`` is ``auto_now_add``: give the step's notifications their moment in the story.
                Notification.objects.filter(pk__gt=before).update(created_at=step.at)
        self._backdate(first_conversation)
        return {
            "conversations": len(plans),
            "inquiries": Inquiry.objects.filter(conversation_id__gte=first_conversation).count(),
        }

    # --- planning ----------------------------------------------------------------------------

    def _history(self, buyers: list[User], sellers: list[Seller]) -> list[Plan]:
        """About 25 conversations per store per month for six months; each store answers mostly
        in time, with its own habits (the second store is slower, so its standing differs)."""
        plans = []
        for index, seller in enumerate(sellers):
            late_share = 0.04 if index == 0 else 0.16
            for day in range(180, 0, -1):
                for _ in range(self.rng.choice((0, 0, 0, 1, 1))):
                    opened_at = self.now - timedelta(days=day, hours=self.rng.uniform(0, 20))
                    plan = self._plan(buyers, seller, opened_at)
                    roll = self.rng.random()
                    if roll < late_share:
                        plan.outcome = "late"
                        plan.reply_after = timedelta(hours=self.rng.uniform(4.2, 9))
                    elif roll < late_share + 0.03:
                        plan.outcome = "staff"
                        plan.reply_after = timedelta(hours=4, minutes=self.rng.randint(20, 90))
                    elif roll < late_share + 0.06:
                        plan.outcome = "excluded"
                        plan.question = (plan.question[0], THANK_YOU, "")
                    else:
                        plan.reply_after = timedelta(minutes=self.rng.choice((6, 14, 25, 40, 75, 110, 160, 200)))
                    if self.rng.random() < 0.5:
                        plan.close_after = plan.reply_after + timedelta(hours=self.rng.uniform(1, 30))
                    plans.append(plan)
        return plans

    def _live(self, buyers: list[User], sellers: list[Seller]) -> list[Plan]:
        demo_buyers = [buyer for buyer in buyers if buyer.username in ("buyer", "buyer2")] or buyers[:2]
        first, second = sellers[0], sellers[min(1, len(sellers) - 1)]
        target, warn = settings.INQUIRIES_RESPONSE_TARGET, settings.INQUIRIES_WARN_AFTER
        live = [
            # Ages relative to the settings, so a demo run with shortened thresholds still has each case.
            (demo_buyers[0], first, min(timedelta(minutes=12), warn / 10), 0),
            (demo_buyers[-1], first, warn * 0.95, 1),
            (demo_buyers[0], second, target + warn / 10, 2),
            (demo_buyers[-1], second, target + timedelta(hours=2), 3),
        ]
        plans = []
        for buyer, seller, age, question in live:
            plan = self._plan([buyer], seller, self.now - age)
            plan.question = QUESTIONS[question]
            plan.outcome = "open"
            plans.append(plan)
        return plans

    def _plan(self, buyers: list[User], seller: Seller, opened_at: datetime) -> Plan:
        buyer = self.rng.choice(buyers)
        question = self.rng.choice(QUESTIONS)
        order = (
            Order.objects.filter(buyer=buyer, seller=seller, created_at__lt=opened_at).order_by("-created_at").first()
        )
        products = self.products.get(seller.pk)
        product = self.rng.choice(products) if products else None
        return Plan(buyer=buyer, seller=seller, opened_at=opened_at, question=question, product=product, order=order)

    def _schedule(self, plan: Plan, staff: User) -> None:
        self._at(plan.opened_at, lambda: self._open(plan))
        # The sweep ran every minute in the past too: it warned and escalated on time. (The live
        # questions are left for the running beat, except the oldest, already in the queue.)
        target, warn = settings.INQUIRIES_RESPONSE_TARGET, settings.INQUIRIES_WARN_AFTER
        waits = plan.reply_after if plan.outcome != "open" else self.now - plan.opened_at
        if plan.outcome != "open" or waits > target + timedelta(hours=1):
            for deadline in (warn, target):
                if waits > deadline:
                    self._sweep(plan.opened_at + deadline + timedelta(seconds=30))
        if plan.outcome in ("answered", "late"):
            self._at(plan.opened_at + plan.reply_after, lambda: self._answer(plan, self._member(plan.seller)))
        elif plan.outcome == "staff":
            self._at(plan.opened_at + plan.reply_after, lambda: self._answer(plan, staff, STAFF_ANSWER))
        elif plan.outcome == "excluded":
            self._at(plan.opened_at + timedelta(minutes=20), lambda: self._exclude(plan))
        if plan.close_after is not None and plan.outcome != "open":
            self._at(plan.opened_at + plan.close_after, lambda: self._close(plan))

    def _at(self, moment: datetime, run: Callable[[], None]) -> None:
        if moment < self.now:
            self.steps.append(Step(moment, len(self.steps), run))

    def _sweep(self, moment: datetime) -> None:
        def run() -> None:
            inquiries_sweep(now=moment)

        self._at(moment, run)

    # --- replay ------------------------------------------------------------------------------

    def _fill(self, text: str, plan: Plan) -> str:
        product = plan.product.name if plan.product else "item"
        order = plan.order.number if plan.order else "my last order"
        return text.format(buyer=plan.buyer.first_name, product=product, order=order)

    def _open(self, plan: Plan) -> None:
        subject, question, _ = plan.question
        plan.conversation = conversation_open(
            buyer=plan.buyer,
            seller=plan.seller,
            subject=subject,
            body=self._fill(question, plan),
            product=plan.product,
            order=plan.order,
            now=plan.opened_at,
        )

    def _answer(self, plan: Plan, author: User, text: str | None = None) -> None:
        assert plan.conversation is not None  # noqa: S101 - opened by an earlier step
        body = self._fill(text or plan.question[2], plan)
        message_post(conversation=plan.conversation, author=author, body=body, now=plan.opened_at + plan.reply_after)

    def _exclude(self, plan: Plan) -> None:
        assert plan.conversation is not None  # noqa: S101 - opened by an earlier step
        message = Message.objects.filter(conversation=plan.conversation, kind="buyer").order_by("pk").first()
        assert message is not None  # noqa: S101
        inquiry_exclude(
            message=message,
            actor=self._member(plan.seller),
            reason="Just a thank-you, nothing to answer",
            now=plan.opened_at + timedelta(minutes=20),
        )

    def _close(self, plan: Plan) -> None:
        assert plan.conversation is not None and plan.close_after is not None  # noqa: S101
        conversation_close(conversation=plan.conversation, actor=plan.buyer, now=plan.opened_at + plan.close_after)

    @staticmethod
    def _member(seller: Seller) -> User:
        return seller.memberships.all()[0].user

    def _backdate(self, first_conversation: int) -> None:
        """``created_at`` is ``auto_now_add``: give the replayed rows their moment in the story.
        Notifications older than a day are history, already read."""
        opened = Message.objects.filter(conversation=OuterRef("pk")).order_by("created_at").values("created_at")[:1]
        Conversation.objects.filter(pk__gte=first_conversation).update(created_at=Subquery(opened))
        Inquiry.objects.filter(conversation_id__gte=first_conversation).update(created_at=F("awaiting_since"))
        history = Notification.objects.filter(created_at__lt=self.now - timedelta(days=1))
        history.update(read_at=F("created_at"))


def build_demo_conversations(*, now: datetime, seed: int) -> dict[str, int]:
    return DemoConversations(now=now, seed=seed).build()
