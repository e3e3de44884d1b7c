"""The replay behind ``build_demo_reviews`` (see the package's docstring)."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db.models import F, Max

from accounts.models import Role, User
from demo.reviews.texts import (
    CLOSERS,
    COMPLAINTS,
    DEMO_BUYERS,
    MIXED,
    OPENERS,
    QUIBBLES,
    RESOLVED_COMMENTS,
    SITUATION_WEIGHTS,
    SLOW_ONLY,
    STAR_WEIGHTS,
    STORE_DETAILS,
    THANK_YOUS,
    TITLES_4,
    TITLES_5,
    UNRESOLVED_COMMENTS,
    fill,
)
from marketplace.models import Order, OrderItem, OrderStatus, Product, Seller, Shipment
from notifications.models import Notification
from notifications.services.bulk import emails_suppressed
from reviews.models import (
    CaseKind,
    ModerationReason,
    ResponseTemplate,
    Review,
    ReviewResponse,
    TemplateSituation,
)
from reviews.services.cases import (
    review_case_open,
    review_case_reassign,
    review_case_remove_review,
    review_case_resolve,
    review_case_restore,
)
from reviews.services.responses import response_approve, response_hide, response_post, response_request_edit
from reviews.services.reviews import follow_up_answer, review_create, review_hide
from reviews.services.sweep import reviews_sweep
from reviews.services.templates import starter_templates_install


@dataclass
class Purchase:
    """A delivered order item: what a buyer may review (a verified purchase)."""

    order: Order
    product: Product
    buyer: User
    delivered_at: datetime
    transit_days: int


@dataclass
class Plan:
    purchase: Purchase
    at: datetime
    rating: int
    situation: str
    title: str
    body: str
    respond_after: timedelta | None = None
    follow_up: str | None = None  # resolved | unresolved | None (no answer)
    follow_up_after: timedelta = timedelta(days=1)
    review: Review | None = field(default=None, repr=False)

    @property
    def is_negative(self) -> bool:
        return self.rating <= settings.REVIEWS_NEGATIVE_MAX_RATING

    @property
    def responded_at(self) -> datetime | None:
        return self.at + self.respond_after if self.respond_after is not None else None


@dataclass(order=True)
class Step:
    at: datetime
    order: int
    run: Callable[[], object] = field(compare=False)
    # Notifies nobody (a review that is not negative): no stamping needed. Were the service to notify
    # after all, the next step's UPDATE would stamp those rows too (a little late, never wrong in kind).
    quiet: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Habit:
    """How long a store takes to answer: (share, from, to hours) bands; the last ones are late
    (past the 24 h target for a complaint, past 48 h otherwise), and a few positive reviews are
    only answered when someone goes through the backlog days later."""

    negative_delays: tuple[tuple[float, float, float], ...]
    positive_delays: tuple[tuple[float, float, float], ...]


QUICK = Habit(
    negative_delays=((80, 0.5, 8), (15, 8, 22), (5, 26, 40)),
    positive_delays=((70, 1, 20), (24, 20, 46), (4, 50, 90), (2, 96, 240)),
)
SLOWER = Habit(
    negative_delays=((55, 2, 18), (30, 25, 46), (15, 50, 80)),
    positive_delays=((45, 2, 24), (33, 24, 46), (16, 50, 100), (6, 96, 288)),
)


class DemoReviews:
    def __init__(self, *, now: datetime, seed: int) -> None:
        self.now = now
        self.rng = random.Random(f"{seed}:reviews")
        self.steps: list[Step] = []
        self.sweeps: set[datetime] = set()
        self.taken: set[tuple[int, int]] = set()  # (buyer, product): reviewed or kept for a case
        self.members: dict[int, User] = {}
        self.habits: dict[int, Habit] = {}
        self.templates: dict[str, ResponseTemplate] = {}
        self.plans: list[Plan] = []
        self.titles: dict[int, set[str]] = {}
        self.cases = 0

    def build(self) -> dict[str, int]:
        staff = User.objects.filter(role=Role.SUPPORT).order_by("pk").first()
        moderator = User.objects.filter(role=Role.MODERATOR).order_by("pk").first()
        purchases = self._purchases()
        if staff is None or moderator is None or not purchases:
            return {"reviews": 0}
        self.staff, self.moderator = staff, moderator
        starter_templates_install()
        for template in ResponseTemplate.objects.filter(seller__isnull=True, archived_at__isnull=True).order_by("pk"):
            self.templates.setdefault(template.situation, template)
        stores = Seller.objects.filter(memberships__isnull=False).distinct().prefetch_related("memberships__user")
        for index, seller in enumerate(stores.order_by("pk")):
            self.members[seller.pk] = seller.memberships.all()[0].user
            self.habits[seller.pk] = QUICK if index == 0 else SLOWER
        # The stories are staged in the first two stores (``seller`` and ``seller2``); every store has a
        # login, and the history below reviews all of them.
        member_stores = list(self.members)[:2]
        first_review = (Review.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        first_response = (ReviewResponse.objects.aggregate(last=Max("pk"))["last"] or 0) + 1

        # The live cases and the stories first: they pick their purchases before the history does.
        cutoff = self.now
        if member_stores:
            cutoff = self._live(purchases, member_stores)
            self._moderation_stories(purchases, member_stores)
            self._escalation_story(purchases, member_stores[-1])
        self._case_stories(purchases)
        self._history(purchases, cutoff)
        for plan in self.plans:
            self._schedule(plan, cutoff)
        for moment in sorted(self.sweeps):
            self._at(moment, partial(reviews_sweep, now=moment))

        # ``created_at`` is ``auto_now_add``: the rows a step notifies are stamped with the clock (after
        # ``self.now``) and get their moment in the story right after it, in one UPDATE per step.
        first_notification = (Notification.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        just_written = Notification.objects.filter(pk__gte=first_notification, created_at__gte=self.now)
        with emails_suppressed():
            for step in sorted(self.steps):
                step.run()
                if not step.quiet:
                    just_written.update(created_at=step.at)
        history = Notification.objects.filter(created_at__lt=self.now - timedelta(days=1), read_at__isnull=True)
        history.update(read_at=F("created_at"))
        return {
            "reviews": Review.objects.filter(pk__gte=first_review).count(),
            "review responses": ReviewResponse.objects.filter(pk__gte=first_response).count(),
            "review cases": self.cases,
        }

    # --- what there is to review ----------------------------------------------------------------

    def _purchases(self) -> list[Purchase]:
        delivered: dict[int, tuple[datetime, datetime | None]] = {}
        shipments = Shipment.objects.filter(order__status=OrderStatus.DELIVERED, delivered_at__isnull=False)
        for order_id, shipped_at, delivered_at in shipments.values_list("order_id", "shipped_at", "delivered_at"):
            if delivered_at is not None and (order_id not in delivered or delivered_at > delivered[order_id][0]):
                delivered[order_id] = (delivered_at, shipped_at)
        items = (
            OrderItem.objects.filter(order_id__in=list(delivered))
            .select_related("order__buyer", "order__seller", "product__seller")
            .order_by("order__placed_at", "order_id", "id")
        )
        purchases = []
        seen: set[tuple[int, int]] = set()
        for item in items:
            key = (item.order.buyer_id, item.product_id)
            if key in seen:  # one review per buyer and product: the first purchase is the one reviewed
                continue
            seen.add(key)
            delivered_at, shipped_at = delivered[item.order_id]
            transit = (delivered_at - shipped_at).days if shipped_at else 3
            purchases.append(Purchase(item.order, item.product, item.order.buyer, delivered_at, max(transit, 1)))
        return purchases

    def _take(
        self,
        purchases: list[Purchase],
        *,
        before: datetime,
        seller_id: int | None = None,
        buyers: tuple[str, ...] = (),
        exclude_buyers: tuple[str, ...] = (),
        only_preferred: bool = False,
    ) -> Purchase | None:
        """The latest purchase delivered before ``before`` whose (buyer, product) is still free; one
        of ``buyers``' when there is one, else anyone's (unless ``only_preferred``)."""
        candidates = [
            purchase
            for purchase in purchases
            if purchase.delivered_at < before
            and (purchase.buyer.pk, purchase.product.pk) not in self.taken
            and (seller_id is None or purchase.order.seller_id == seller_id)
            and purchase.buyer.username not in exclude_buyers
        ]
        preferred = [purchase for purchase in candidates if purchase.buyer.username in buyers]
        pool = preferred if preferred or only_preferred else candidates
        if not pool:
            return None
        chosen = pool[-1]
        self.taken.add((chosen.buyer.pk, chosen.product.pk))
        return chosen

    # --- what buyers write ----------------------------------------------------------------------

    def _words(self, purchase: Purchase, rating: int, situation: str, about: Product | None = None) -> tuple[str, str]:
        rng = self.rng
        product = (about or purchase.product).name
        values = {"product": product, "order": purchase.order.number, "days": str(purchase.transit_days)}
        used = self.titles.setdefault(purchase.buyer.pk, set())  # one buyer does not repeat a title
        if rating >= 4:
            titles = TITLES_5 if rating == 5 else TITLES_4
            title = rng.choice([title for title in titles if title not in used] or titles)
            used.add(title)
            details = STORE_DETAILS.get(purchase.product.seller.slug) or [""]
            parts = [rng.choice(OPENERS), rng.choice(details)]
            if rating == 4:
                parts.append(rng.choice(QUIBBLES))
            parts.append(rng.choice(CLOSERS))
            return title, fill(" ".join(part for part in parts if part), **values)
        texts = (MIXED if rating == 3 else COMPLAINTS)[situation]
        if purchase.transit_days < 6:
            texts = [text for text in texts if not any(word in "".join(text) for word in SLOW_ONLY)] or texts
        title, body = rng.choice([text for text in texts if text[0] not in used] or texts)
        used.add(title)
        return title, fill(body, **values)

    def _rating_and_situation(self, purchase: Purchase) -> tuple[int, str]:
        rng = self.rng
        late = purchase.transit_days >= 6
        if late and rng.random() < 0.4:
            return rng.choice((1, 2, 2, 3, 3)), TemplateSituation.LATE_DELIVERY
        rating = rng.choices(list(STAR_WEIGHTS), list(STAR_WEIGHTS.values()))[0]
        if rating >= 4:
            return rating, TemplateSituation.POSITIVE
        situations = list(SITUATION_WEIGHTS)
        if rating == 3:
            situations.remove(TemplateSituation.WRONG_ITEM)
        weights = [SITUATION_WEIGHTS[situation] for situation in situations]
        return rating, rng.choices(situations, weights)[0]

    def _plan(self, purchase: Purchase, at: datetime, rating: int, situation: str) -> Plan:
        title, body = self._words(purchase, rating, situation)
        plan = Plan(purchase=purchase, at=at, rating=rating, situation=situation, title=title, body=body)
        self.plans.append(plan)
        return plan

    # --- the history --------------------------------------------------------------------------

    def _history(self, purchases: list[Purchase], cutoff: datetime) -> None:
        """Most delivered items get a review within ten days of delivery (the demo buyers review
        nearly everything); each store answers with its habits, the customers answer follow-ups."""
        rng = self.rng
        escalate_after = settings.REVIEWS_ESCALATE_AFTER
        follow_up_period = settings.REVIEWS_FOLLOW_UP_PERIOD
        for purchase in purchases:
            key = (purchase.buyer.pk, purchase.product.pk)
            share = 0.85 if purchase.buyer.username in DEMO_BUYERS else 0.7
            if key in self.taken or rng.random() >= share:
                continue
            at = purchase.delivered_at + timedelta(hours=rng.uniform(8, 240))
            if at > self.now - timedelta(minutes=15):
                continue
            rating, situation = self._rating_and_situation(purchase)
            negative = rating <= settings.REVIEWS_NEGATIVE_MAX_RATING
            # Nothing of the history may fall due between the replay's last sweep and the seed: the
            # first sweep of ``make run`` finds exactly the live review left for it.
            if negative and cutoff - timedelta(hours=1) <= at + follow_up_period <= self.now + timedelta(hours=1):
                at -= timedelta(hours=3)
            self.taken.add(key)
            plan = self._plan(purchase, at, rating, situation)
            seller_id = purchase.order.seller_id
            habit = self.habits.get(seller_id)
            if habit is None:  # nobody on the store's desk: support answers the complaints
                if negative:
                    plan.respond_after = timedelta(hours=rng.uniform(2, 20))
            else:
                delays = habit.negative_delays if negative else habit.positive_delays
                _, low, high = rng.choices(delays, [weight for weight, _, _ in delays])[0]
                plan.respond_after = timedelta(hours=rng.uniform(low, high))
            if negative and at > self.now - escalate_after - timedelta(hours=3):
                # Recent complaints are answered in time (or not yet due): the live ones tell the rest.
                plan.respond_after = timedelta(hours=rng.uniform(1, 20))
            if negative and plan.respond_after is not None:
                roll = rng.random()
                plan.follow_up = "resolved" if roll < 0.7 else "unresolved" if roll < 0.85 else None
                plan.follow_up_after = plan.respond_after + timedelta(hours=rng.uniform(3, 96))

    def _schedule(self, plan: Plan, cutoff: datetime) -> None:
        self._at(plan.at, partial(self._write, plan), quiet=not plan.is_negative)
        responded_at = plan.responded_at
        if responded_at is not None:
            self._at(responded_at, partial(self._respond, plan, at=responded_at))
        if not plan.is_negative:
            return
        # The sweep ran every minute in the past too: it escalated on time.
        escalate_at = plan.at + settings.REVIEWS_ESCALATE_AFTER
        if responded_at is None or responded_at > escalate_at:
            self._sweep_at(escalate_at + timedelta(seconds=30), cutoff)
        due_at = plan.at + settings.REVIEWS_FOLLOW_UP_PERIOD
        answered_at = plan.at + plan.follow_up_after if plan.follow_up else None
        if answered_at is not None and answered_at < due_at:
            self._at(answered_at, partial(self._answer_follow_up, plan, answered_at))
        else:
            self._sweep_at(due_at + timedelta(seconds=30), cutoff)

    def _at(self, moment: datetime, run: Callable[[], object], *, quiet: bool = False) -> None:
        if moment < self.now:
            self.steps.append(Step(moment, len(self.steps), run, quiet))

    def _sweep_at(self, moment: datetime, cutoff: datetime) -> None:
        if moment < cutoff:
            self.sweeps.add(moment)

    # --- the live picture -----------------------------------------------------------------------

    def _live(self, purchases: list[Purchase], member_stores: list[int]) -> datetime:
        """A complaint the demo buyer can answer (responded to, follow-up open), and three unanswered
        ones for the first store (ages relative to the settings, so a demo run with shortened targets
        still has each case). Returns the moment the replay's sweeps stop: the first sweep of the
        running system escalates the oldest of the three."""
        target = settings.REVIEWS_NEGATIVE_RESPONSE_TARGET
        escalate_after = settings.REVIEWS_ESCALATE_AFTER
        first = member_stores[0]
        ages = [
            (target * 0.15, 2, TemplateSituation.LATE_DELIVERY),  # time left on the 24 h target
            (target + (escalate_after - target) * 0.3, 1, TemplateSituation.DEFECT),  # past the target
            (escalate_after + timedelta(minutes=20), 1, TemplateSituation.WRONG_ITEM),  # for the first sweep
        ]
        # First, a complaint the demo buyer can answer: responded to, follow-up open.
        at = self.now - timedelta(days=3)
        for seller_id in (*reversed(member_stores), None):
            purchase = self._take(
                purchases, before=at - timedelta(hours=6), seller_id=seller_id, buyers=("buyer",), only_preferred=True
            )
            if purchase is not None:
                plan = self._plan(purchase, at, 2, TemplateSituation.LATE_DELIVERY)
                plan.respond_after = timedelta(hours=4, minutes=10)
                break
        cutoff = self.now
        for age, rating, situation in ages:
            at = self.now - age
            purchase = self._take(purchases, before=at - timedelta(hours=6), seller_id=first, buyers=DEMO_BUYERS)
            if purchase is None:
                continue
            self._plan(purchase, at, rating, situation)
            cutoff = min(cutoff, at + escalate_after)
        return cutoff

    # --- the standards check and the moderators ---------------------------------------------------

    def _moderation_stories(self, purchases: list[Purchase], member_stores: list[int]) -> None:
        first, second = member_stores[0], member_stores[-1]
        rng = self.rng
        held = [
            # (store, age, reply after, rating, situation, text): live, waiting for a moderator.
            (
                second,
                timedelta(hours=26),
                timedelta(hours=21),
                1,
                TemplateSituation.DEFECT,
                "We're sorry you're unhappy, but you should have checked the parcel before signing for it. "
                "Every order leaves our studio in perfect condition.",
            ),
            (
                first,
                timedelta(hours=30),
                timedelta(hours=9),
                2,
                TemplateSituation.DEFECT,
                "Sorry about that, {customer_name}. Email us at care@northwind-outfitters.example with a photo "
                "and we'll send a new one straight away.",
            ),
        ]
        for seller_id, age, reply_after, rating, situation, text in held:
            at = self.now - age
            purchase = self._take(purchases, before=at - timedelta(hours=6), seller_id=seller_id)
            if purchase is None:
                continue
            plan = self._plan(purchase, at, rating, situation)
            self._at(at, partial(self._write, plan))
            self._at(at + reply_after, partial(self._respond, plan, body=text, at=at + reply_after))
            self.plans.remove(plan)  # scheduled here, not by the history

        stories: list[tuple[int, int, int, str, str, Callable[[Plan, datetime], None]]] = [
            # (store, days ago, rating, situation, flagged text, what the moderator does)
            (
                second,
                70,
                2,
                TemplateSituation.DEFECT,
                "THIS IS NOT HOW OUR ORDERS NORMALLY ARRIVE. WE PACK EVERY PARCEL BY HAND!!!",
                self._edit_requested,
            ),
            (
                first,
                100,
                3,
                TemplateSituation.LATE_DELIVERY,
                "Hi {customer_name}, a wait like that is ridiculous and we're sorry. We have moved your region to a "
                "faster carrier service.\n\n{seller_name}",
                self._approved,
            ),
            (
                second,
                40,
                1,
                TemplateSituation.SERVICE_COMPLAINT,
                "Honestly, this review is nonsense. We answered every message within a day.",
                self._hidden,
            ),
        ]
        for seller_id, days, rating, kind, text, moderate in stories:
            at = self.now - timedelta(days=days, hours=rng.uniform(0, 12))
            purchase = self._take(purchases, before=at - timedelta(days=1), seller_id=seller_id)
            if purchase is None:
                continue
            plan = self._plan(purchase, at, rating, kind)
            self.plans.remove(plan)
            reply_at = at + timedelta(hours=3)
            self._at(at, partial(self._write, plan))
            self._at(reply_at, partial(self._respond, plan, body=text, at=reply_at))
            moderated_at = reply_at + timedelta(hours=2)
            self._at(moderated_at, partial(moderate, plan, moderated_at))
            if moderate != self._approved:  # the store writes a new response
                again_at = moderated_at + timedelta(hours=rng.uniform(1, 4))
                self._at(again_at, partial(self._respond, plan, at=again_at))
            if plan.is_negative:  # a dismissive first answer is remembered: the customer is not satisfied
                answered_at = at + timedelta(days=2)
                outcome = "unresolved" if moderate == self._hidden else "resolved"
                self._at(answered_at, partial(self._answer_follow_up, plan, answered_at, outcome))

    def _escalation_story(self, purchases: list[Purchase], seller_id: int) -> None:
        """A complaint the slower store left past 48 hours: senior support was alerted, the store
        answered a while later and the customer was satisfied in the end."""
        at = self.now - timedelta(days=25, hours=self.rng.uniform(0, 12))
        purchase = self._take(purchases, before=at - timedelta(days=1), seller_id=seller_id)
        if purchase is None:
            return
        plan = self._plan(purchase, at, 1, TemplateSituation.WRONG_ITEM)
        plan.respond_after = settings.REVIEWS_ESCALATE_AFTER + timedelta(hours=11)
        plan.follow_up = "resolved"
        plan.follow_up_after = plan.respond_after + timedelta(days=2)

    def _pending_response(self, plan: Plan) -> ReviewResponse:
        assert plan.review is not None  # noqa: S101 - written by an earlier step
        return ReviewResponse.objects.get(review=plan.review, status="pending_moderation")

    def _edit_requested(self, plan: Plan, at: datetime) -> None:
        response_request_edit(
            response=self._pending_response(plan),
            actor=self.moderator,
            reason="Please answer without capitals and exclamation marks, and offer the customer a solution",
            now=at,
        )

    def _approved(self, plan: Plan, at: datetime) -> None:
        response_approve(response=self._pending_response(plan), actor=self.moderator, now=at)

    def _hidden(self, plan: Plan, at: datetime) -> None:
        response_hide(
            response=self._pending_response(plan),
            actor=self.moderator,
            reason="Dismisses the customer's complaint as nonsense",
            now=at,
        )

    # --- review cases ---------------------------------------------------------------------------

    def _case_stories(self, purchases: list[Purchase]) -> None:
        rng = self.rng
        # Missing, open: the demo buyer can't find a review she believes she wrote.
        at = self.now - timedelta(hours=20)
        purchase = self._take(purchases, before=at - timedelta(days=7), buyers=("buyer",))
        if purchase is not None:
            self._at(at, partial(self._missing_review_case, purchase, at))

        # On the wrong product, resolved: a review of one item of an order landed on the other.
        pairs = self._order_pair(purchases, before=self.now - timedelta(days=45), buyer="buyer")
        if pairs is not None:
            wrong, right = pairs
            at = wrong.delivered_at + timedelta(days=2, hours=rng.uniform(0, 10))
            title, body = self._words(right, 5, TemplateSituation.POSITIVE, about=right.product)
            plan = Plan(purchase=wrong, at=at, rating=5, situation=TemplateSituation.POSITIVE, title=title, body=body)
            self._at(at, partial(self._write, plan))
            self._at(at + timedelta(days=2), partial(self._wrong_product_case, plan, right, at + timedelta(days=2)))

        # Missing, resolved: a review hidden by mistake is restored through the customer's case.
        purchase = self._take(purchases, before=self.now - timedelta(days=45), buyers=("buyer2",))
        if purchase is not None:
            at = purchase.delivered_at + timedelta(days=2)
            restored = self._plan(purchase, at, 4, TemplateSituation.POSITIVE)
            restored.respond_after = timedelta(hours=5)
            self._at(at + timedelta(days=1), partial(self._hide_by_mistake, restored, at + timedelta(days=1)))
            self._at(at + timedelta(days=4), partial(self._restore_case, restored, at + timedelta(days=4)))

        # Incorrect content, open: the rating is not the one the buyer meant.
        purchase = self._take(purchases, before=self.now - timedelta(days=7), buyers=("buyer2",))
        if purchase is not None:
            at = self.now - timedelta(days=6)
            mistaken = self._plan(purchase, at, 3, TemplateSituation.SERVICE_COMPLAINT)
            if purchase.order.seller_id in self.members:
                mistaken.respond_after = timedelta(hours=20)
            case_at = self.now - timedelta(days=2)
            self._at(case_at, partial(self._rating_case, mistaken, case_at))

        # Incorrect content, resolved: private information taken down at the customer's request.
        purchase = self._take(purchases, before=self.now - timedelta(days=40), exclude_buyers=DEMO_BUYERS)
        if purchase is not None:
            at = purchase.delivered_at + timedelta(days=2)
            private = self._plan(purchase, at, 5, TemplateSituation.POSITIVE)
            private.body += " Happy to answer questions about it, call me on 303 555 0187."
            self._at(at + timedelta(days=1), partial(self._private_case, private, at + timedelta(days=1)))

    def _order_pair(
        self, purchases: list[Purchase], *, before: datetime, buyer: str
    ) -> tuple[Purchase, Purchase] | None:
        by_order: dict[int, list[Purchase]] = {}
        for purchase in purchases:
            if (purchase.buyer.pk, purchase.product.pk) not in self.taken and purchase.delivered_at < before:
                by_order.setdefault(purchase.order.pk, []).append(purchase)
        orders = [items for items in by_order.values() if len(items) >= 2]
        preferred = [items for items in orders if items[0].buyer.username == buyer]
        pool = preferred or orders
        if not pool:
            return None
        wrong, right = pool[-1][:2]
        self.taken |= {(wrong.buyer.pk, wrong.product.pk), (right.buyer.pk, right.product.pk)}
        return wrong, right

    def _missing_review_case(self, purchase: Purchase, at: datetime) -> None:
        review_case_open(
            buyer=purchase.buyer,
            kind=CaseKind.MISSING_REVIEW,
            description=f"I wrote a review of the {purchase.product.name} from order {purchase.order.number} "
            "last week, but it doesn't show on the product page or in my reviews.",
            product=purchase.product,
            order=purchase.order,
            now=at,
        )
        self.cases += 1

    def _wrong_product_case(self, plan: Plan, right: Purchase, at: datetime) -> None:
        assert plan.review is not None  # noqa: S101 - written by an earlier step
        case = review_case_open(
            buyer=plan.purchase.buyer,
            kind=CaseKind.WRONG_PRODUCT,
            description=f"My review is about the {right.product.name}, but it appears on the "
            f"{plan.purchase.product.name} (both were in order {plan.purchase.order.number}).",
            review=plan.review,
            now=at,
        )
        self.cases += 1
        moved_at = at + timedelta(days=1, hours=2)
        review_case_reassign(
            case=case,
            actor=self.staff,
            product=right.product,
            note="Review text describes the other item of the same order.",
            now=moved_at,
        )
        review_case_resolve(
            case=case,
            actor=self.staff,
            resolution=f"Moved the review to the {right.product.name}; both products' ratings are updated.",
            now=moved_at + timedelta(minutes=8),
        )

    def _hide_by_mistake(self, plan: Plan, at: datetime) -> None:
        assert plan.review is not None  # noqa: S101 - written by an earlier step
        review_hide(
            review=plan.review,
            actor=self.moderator,
            reason=ModerationReason.UNRELATED,
            note="Looked like it described a different product.",
            now=at,
        )

    def _restore_case(self, plan: Plan, at: datetime) -> None:
        assert plan.review is not None  # noqa: S101 - written by an earlier step
        case = review_case_open(
            buyer=plan.purchase.buyer,
            kind=CaseKind.MISSING_REVIEW,
            description=f"My review of the {plan.purchase.product.name} disappeared a few days after I posted it.",
            review=plan.review,
            now=at,
        )
        self.cases += 1
        restored_at = at + timedelta(hours=26)
        review_case_restore(
            case=case, actor=self.staff, note="Hidden by mistake: the review is about this product.", now=restored_at
        )
        review_case_resolve(
            case=case,
            actor=self.staff,
            resolution="Your review was hidden by mistake and is visible again. Sorry for the trouble.",
            compensation_amount="5.00",
            coupon_code="THANKYOU5",
            now=restored_at + timedelta(minutes=5),
        )

    def _rating_case(self, plan: Plan, at: datetime) -> None:
        assert plan.review is not None  # noqa: S101 - written by an earlier step
        review_case_open(
            buyer=plan.purchase.buyer,
            kind=CaseKind.INCORRECT_CONTENT,
            description="My review shows 3 stars, but I chose 4. The delivery question was answered in the end.",
            review=plan.review,
            now=at,
        )
        self.cases += 1

    def _private_case(self, plan: Plan, at: datetime) -> None:
        assert plan.review is not None  # noqa: S101 - written by an earlier step
        case = review_case_open(
            buyer=plan.purchase.buyer,
            kind=CaseKind.INCORRECT_CONTENT,
            description="I put my phone number in my review by mistake. Please take it down.",
            review=plan.review,
            now=at,
        )
        self.cases += 1
        removed_at = at + timedelta(hours=3)
        review_case_remove_review(
            case=case,
            actor=self.staff,
            reason=ModerationReason.PRIVATE_INFORMATION,
            note="Removed at the customer's request: contains their phone number.",
            now=removed_at,
        )
        review_case_resolve(
            case=case,
            actor=self.staff,
            resolution="Removed the review, as asked. You are welcome to write it again without the number.",
            now=removed_at + timedelta(minutes=2),
        )

    # --- replay ---------------------------------------------------------------------------------

    def _write(self, plan: Plan) -> None:
        purchase = plan.purchase
        plan.review = review_create(
            buyer=purchase.buyer,
            product=purchase.product,
            rating=plan.rating,
            title=plan.title,
            body=plan.body,
            order=purchase.order,
            now=plan.at,
        )
        plan.review.seller = purchase.product.seller  # already read: rendering a template needs its name

    def _respond(self, plan: Plan, *, at: datetime, body: str | None = None) -> None:
        """The store's member answers (support for a store nobody works at, or for a complaint
        already escalated), with the starter template for the situation, or now and then a personal
        thank-you."""
        review = plan.review
        assert review is not None  # noqa: S101 - written by an earlier step
        seller_id = plan.purchase.order.seller_id
        # A complaint escalated to senior support before the store got to it is answered by support.
        escalated = plan.is_negative and at > plan.at + settings.REVIEWS_ESCALATE_AFTER
        author = self.staff if escalated else self.members.get(seller_id, self.staff)
        template = None
        personal = plan.situation == TemplateSituation.POSITIVE and seller_id in self.members
        if body is None and personal and self.rng.random() < 0.25:
            body = self.rng.choice(THANK_YOUS)
        if body is None:
            template = self.templates.get(plan.situation)
            if template is None:
                return
        else:
            body = fill(
                body,
                customer_name=plan.purchase.buyer.first_name,
                product=plan.purchase.product.name,
                seller_name=plan.purchase.product.seller.name,
                signature=f"{author.first_name}, {plan.purchase.product.seller.name}",
            )
        response_post(review=review, author=author, body=body, template=template, now=at)

    def _answer_follow_up(self, plan: Plan, at: datetime, outcome: str | None = None) -> None:
        assert plan.review is not None  # noqa: S101 - written by an earlier step
        resolved = (outcome or plan.follow_up) == "resolved"
        comment = self.rng.choice(RESOLVED_COMMENTS if resolved else UNRESOLVED_COMMENTS)
        follow_up_answer(review=plan.review, actor=plan.purchase.buyer, resolved=resolved, comment=comment, now=at)


def build_demo_reviews(*, now: datetime, seed: int) -> dict[str, int]:
    return DemoReviews(now=now, seed=seed).build()
