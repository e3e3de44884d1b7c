"""Gate 1: who may do what on every route — the one table.

Every URL the resolver knows (API, pages) must have an entry here, keyed by its route name;
``test_every_route_is_declared`` fails for a route without one, so a new endpoint cannot ship
unchecked. The admin is checked model by model against every app's ``roles.ROLE_PERMISSIONS``
(``accounts.services.roles``).

Outcomes, for a request made with an empty body where the method writes:
- ``OK``: the request passes authorization (2xx, or 400/409 because the empty body is invalid
  or the record's state forbids it — never 401/403/404).
- ``401``: anonymous API caller must authenticate.
- ``LOGIN``: anonymous page visitor is redirected to the login page.
- ``403``: the caller sees the record (or the collection) but its role may not act.
- ``404``: the record is not the caller's to see.
"""

from dataclasses import dataclass, field

OK = "ok"
LOGIN = "login"

PRINCIPALS = (
    "anonymous",
    "buyer_a",
    "buyer_b",
    "seller_a",
    "seller_b",
    "support",
    "moderator",
    "finance",
    "admin",
    "integration",
)
STAFF = ("support", "moderator", "finance", "admin", "integration")
AUTHENTICATED = tuple(p for p in PRINCIPALS if p != "anonymous")


@dataclass(frozen=True)
class Route:
    """``methods`` maps an HTTP method to the outcome for each principal; ``obj`` names the
    world object whose pk fills the route's ``pk``."""

    methods: dict[str, dict[str, object]]
    obj: str | None = None
    kwargs: dict[str, str] = field(default_factory=dict)
    # Further route arguments filled from world objects: {"endpoint_pk": "endpoint_a"}.
    obj_kwargs: dict[str, str] = field(default_factory=dict)
    hidden_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)


def outcomes(default: object, **overrides: object) -> dict[str, object]:
    table = dict.fromkeys(PRINCIPALS, default)
    for principal, outcome in overrides.items():
        table[principal] = outcome
    return table


def api(
    allowed: tuple[str, ...] = AUTHENTICATED, *, hidden: tuple[str, ...] = (), denied: object = 403
) -> dict[str, object]:
    """API rule: anonymous 401; ``allowed`` pass; ``hidden`` get 404; the rest ``denied``."""
    table: dict[str, object] = {"anonymous": 401}
    for principal in AUTHENTICATED:
        table[principal] = OK if principal in allowed else 404 if principal in hidden else denied
    return table


# Principals on "side A" of every tenant-scoped record in the world (buyer A's order at seller A).
A_SIDE = ("buyer_a", "seller_a")
B_SIDE = ("buyer_b", "seller_b")
SELLERS = ("seller_a", "seller_b")
# Staff who work the inquiries support queue (``inquiries.services.escalations.QUEUE_ROLES``).
QUEUE_STAFF = ("support", "moderator", "admin")
# Staff who are not support: finance and the integration client see no private buyer-seller
# record (conversations, the support queue, quick replies, a buyer's review cases).
BACK_OFFICE = ("finance", "integration")

# Help desk: who reads every ticket, who works them, and who cannot see buyer A's.
TICKET_READERS = ("support", "moderator", "finance", "admin")
TICKET_WORKERS = ("support", "finance", "admin")
TICKET_HIDDEN = ("buyer_b", "seller_a", "seller_b", "integration")

# Royalty: staff with royalty.view_* read every affiliate and statement; finance (and admins) work
# them; store A's members see store A's seller affiliate and its statements, nobody else's.
ROYALTY_READERS = ("support", "moderator", "finance", "admin")
ROYALTY_WORKERS = ("finance", "admin")
ROYALTY_SEERS = (*ROYALTY_READERS, "seller_a")
ROYALTY_HIDDEN = ("buyer_a", "buyer_b", "seller_b", "integration")

# Webhooks: an administrator registers any endpoint, the integration client its own (endpoint A is
# the integration client's); for everyone else the collection is 403 and an endpoint 404.
WEBHOOK_MANAGERS = ("admin", "integration")
WEBHOOK_HIDDEN = tuple(p for p in AUTHENTICATED if p not in WEBHOOK_MANAGERS)

PUBLIC = outcomes(OK)
PAGE_FOR_EVERYONE_LOGGED_IN = outcomes(OK, anonymous=LOGIN)
BUYER_A_PAGE = outcomes(404, anonymous=LOGIN, buyer_a=OK)
SELLER_A_PAGE = outcomes(404, anonymous=LOGIN, seller_a=OK)

ROUTES: dict[str, Route] = {
    # --- project wiring ---
    "healthz": Route({"GET": PUBLIC}),
    "api-schema": Route({"GET": PUBLIC}),
    "api-docs": Route({"GET": PUBLIC}),
    "api-not-found": Route({"GET": outcomes(404), "POST": outcomes(404)}, kwargs={"unmatched": "no-such-route/"}),
    # --- accounts ---
    "auth-token": Route({"POST": PUBLIC}),
    "users-list": Route({"GET": api(STAFF), "POST": api(("admin", "integration"))}),
    "users-me": Route({"GET": api()}),
    "users-detail": Route(
        {"GET": api(STAFF, hidden=("buyer_b", "seller_a", "seller_b"), denied=404) | {"buyer_a": OK}}, obj="buyer_a"
    ),
    # --- catalog ---
    "sellers-list": Route({"GET": api(), "POST": api(("admin", "integration"))}),
    "sellers-detail": Route({"GET": api()}, obj="seller_a"),
    "products-list": Route({"GET": api(), "POST": api(("admin", "integration", *SELLERS))}),
    "products-detail": Route({"GET": api()}, obj="product_a"),
    # --- orders and shipping ---
    "orders-list": Route({"GET": api(), "POST": api(("admin", "integration"))}),
    "orders-detail": Route({"GET": api((*A_SIDE, *STAFF), hidden=B_SIDE)}, obj="order_a"),
    "orders-status": Route(
        {"POST": api(("buyer_a", "seller_a", "admin", "integration"), hidden=B_SIDE)}, obj="order_a"
    ),
    "orders-tracking": Route({"GET": api((*A_SIDE, *STAFF), hidden=B_SIDE)}, obj="order_a"),
    "shipments-list": Route({"GET": api(), "POST": api(("admin", "integration", *SELLERS))}),
    "shipments-detail": Route({"GET": api((*A_SIDE, *STAFF), hidden=B_SIDE)}, obj="shipment_a"),
    "shipments-events": Route({"POST": api(("seller_a", "admin", "integration"), hidden=B_SIDE)}, obj="shipment_a"),
    # --- billing ---
    "invoices-list": Route({"GET": api(), "POST": api(("finance", "admin", "integration", *SELLERS))}),
    "invoices-detail": Route({"GET": api((*A_SIDE, *STAFF), hidden=B_SIDE)}, obj="invoice_a"),
    "invoices-reissue": Route({"POST": api(("finance", "admin", "integration"), hidden=B_SIDE)}, obj="invoice_a"),
    "payments-list": Route({"GET": api(), "POST": api(("finance", "admin", "integration"))}),
    "payments-detail": Route({"GET": api((*A_SIDE, *STAFF), hidden=B_SIDE)}, obj="payment_a"),
    "payments-capture": Route({"POST": api(("finance", "admin", "integration"), hidden=B_SIDE)}, obj="payment_a"),
    "payments-refunds": Route({"POST": api(("finance", "admin", "integration"), hidden=B_SIDE)}, obj="payment_a"),
    # Refunds: over the approval threshold granted by support, sent by finance (two people); the
    # difference of an overcharge refunded at once by finance or granted by support.
    "payments-fail": Route({"POST": api(("finance", "admin", "integration"), hidden=B_SIDE)}, obj="payment_a"),
    "payments-refund-grants": Route({"POST": api(("support", "admin"), hidden=B_SIDE)}, obj="payment_a"),
    "payments-refund-difference": Route(
        {"POST": api(("support", "finance", "admin", "integration"), hidden=B_SIDE)}, obj="payment_a"
    ),
    "refunds-list": Route({"GET": api()}),
    "refunds-detail": Route({"GET": api((*A_SIDE, *STAFF), hidden=B_SIDE)}, obj="refund_a"),
    "refund-grants-list": Route({"GET": api()}),
    "refund-grants-detail": Route({"GET": api((*A_SIDE, *STAFF), hidden=B_SIDE)}, obj="grant_a"),
    "refund-grants-send": Route({"POST": api(("finance", "admin", "integration"), hidden=B_SIDE)}, obj="grant_a"),
    "refund-grants-withdraw": Route(
        {"POST": api(("support", "finance", "admin", "integration"), hidden=B_SIDE)}, obj="grant_a"
    ),
    "orders-status-answer": Route(
        {"GET": api((*A_SIDE, *STAFF), hidden=B_SIDE), "POST": api(STAFF, hidden=B_SIDE)}, obj="order_a"
    ),
    "receipts-list": Route({"GET": api()}),
    "receipts-reissue": Route(
        {"POST": api(("support", "finance", "admin", "integration"), hidden=B_SIDE)}, obj="receipt_a"
    ),
    "receipts-verification": Route({"GET": api(STAFF, hidden=B_SIDE)}, obj="receipt_a"),
    "receipts-detail": Route({"GET": api((*A_SIDE, *STAFF), hidden=B_SIDE)}, obj="receipt_a"),
    "receipts-resend": Route(
        {"POST": api(("buyer_a", "support", "finance", "admin", "integration"), hidden=B_SIDE)}, obj="receipt_a"
    ),
    # --- notifications (API): strictly the caller's own, staff included ---
    "notifications-list": Route(
        {"GET": api()}, hidden_fields=dict.fromkeys(AUTHENTICATED, ("email_status", "email_attempts", "recipient"))
    ),
    "notifications-read-all": Route({"POST": api()}),
    "notifications-detail": Route(
        {"GET": api(("buyer_a",), hidden=AUTHENTICATED, denied=404)},
        obj="notification_a",
        hidden_fields={"buyer_a": ("email_status", "email_attempts")},
    ),
    "notifications-read": Route({"POST": api(("buyer_a",), hidden=AUTHENTICATED, denied=404)}, obj="notification_a"),
    # The caller's own notification preferences (every authenticated principal; only their own).
    "notification-preferences": Route({"GET": api(), "PUT": api()}),
    # --- inquiries: response KPIs, CSV, standing (a seller's: its members and staff; platform: staff) ---
    "response-metrics": Route({"GET": api(STAFF, hidden=AUTHENTICATED, denied=404)}),
    "response-metrics-csv": Route({"GET": api(STAFF, hidden=AUTHENTICATED, denied=404)}),
    "seller-response-metrics": Route({"GET": api(("seller_a", *STAFF), hidden=AUTHENTICATED)}, obj="seller_a"),
    "seller-response-metrics-csv": Route({"GET": api(("seller_a", *STAFF), hidden=AUTHENTICATED)}, obj="seller_a"),
    "seller-standing": Route({"GET": api(("seller_a", *STAFF), hidden=AUTHENTICATED)}, obj="seller_a"),
    "standing-override": Route(
        {"POST": api(("moderator", "admin"), hidden=("buyer_a", "buyer_b", "seller_b"))}, obj="standing_a"
    ),
    # --- inquiries: conversations (a buyer's own, a seller member's store's, queue staff all; others
    # 404, finance and integration included). Staff open none on a buyer's behalf; staff writes are
    # for those who work the support queue.
    "conversations-list": Route({"GET": api(), "POST": api(("buyer_a", "buyer_b", *SELLERS))}),
    "conversations-detail": Route(
        {"GET": api((*A_SIDE, *QUEUE_STAFF), hidden=(*B_SIDE, *BACK_OFFICE))}, obj="conversation_a"
    ),
    "conversations-messages": Route(
        {"POST": api((*A_SIDE, *QUEUE_STAFF), hidden=(*B_SIDE, *BACK_OFFICE))}, obj="conversation_a"
    ),
    "conversations-close": Route(
        {"POST": api(("buyer_a", *QUEUE_STAFF), hidden=(*B_SIDE, *BACK_OFFICE))}, obj="conversation_a"
    ),
    "conversations-exclude": Route({"POST": api(("seller_a",), hidden=(*B_SIDE, *BACK_OFFICE))}, obj="conversation_a"),
    "conversations-suggested-reply": Route(
        {"GET": api(("seller_a",), hidden=(*B_SIDE, *BACK_OFFICE))}, obj="conversation_a"
    ),
    # --- inquiries: the support queue (queue staff read and assign; everyone else 403) ---
    "escalations-list": Route({"GET": api(QUEUE_STAFF)}),
    "escalations-detail": Route({"GET": api(QUEUE_STAFF)}, obj="escalation_a"),
    "escalations-assign": Route({"POST": api(QUEUE_STAFF)}, obj="escalation_a"),
    # --- inquiries: quick replies (seller members: own + starters; queue staff read all, change none) ---
    "reply-templates-list": Route({"GET": api((*SELLERS, *QUEUE_STAFF)), "POST": api(SELLERS)}),
    "reply-templates-detail": Route(
        {
            "GET": api(("seller_a", *QUEUE_STAFF), hidden=("seller_b",)),
            "PUT": api(("seller_a",), hidden=("seller_b",)),
            "PATCH": api(("seller_a",), hidden=("seller_b",)),
            "DELETE": api(("seller_a",), hidden=("seller_b",)),
        },
        obj="template_a",
    ),
    # --- reviews: everyone signed in reads published reviews; buyers write them (staff never on a
    # buyer's behalf); the product seller's members and queue staff respond; moderators moderate ---
    "reviews-list": Route(
        {"GET": api(), "POST": api(("buyer_a", "buyer_b", *SELLERS))},
        hidden_fields=dict.fromkeys((*A_SIDE, *B_SIDE, *BACK_OFFICE), ("moderation_note", "moderated_by")),
    ),
    "reviews-detail": Route(
        {"GET": api()},
        obj="review_a",
        hidden_fields={
            **dict.fromkeys((*A_SIDE, *B_SIDE, *BACK_OFFICE), ("moderation_note", "moderated_by")),
            **dict.fromkeys(("buyer_b", "seller_b"), ("follow_up",)),
        },
    ),
    "reviews-responses": Route({"POST": api(("seller_a", *QUEUE_STAFF))}, obj="review_a"),
    "reviews-hide": Route({"POST": api(("moderator", "admin"))}, obj="review_a"),
    "reviews-remove": Route({"POST": api(("moderator", "admin"))}, obj="review_a"),
    "reviews-restore": Route({"POST": api(("moderator", "admin"))}, obj="review_a"),
    "reviews-follow-up": Route({"POST": api(("buyer_a",))}, obj="review_a"),
    # A flagged response waiting for moderation: its store's members and the staff who work reviews see it.
    "review-responses-list": Route({"GET": api()}),
    "review-responses-detail": Route(
        {"GET": api(("seller_a", *QUEUE_STAFF), hidden=("buyer_a", "buyer_b", "seller_b", *BACK_OFFICE))},
        obj="response_a",
    ),
    # The moderator (asked before finance and integration) publishes it: they then see it, and get 403.
    "review-responses-approve": Route(
        {"POST": api(("moderator", "admin"), hidden=("buyer_a", "buyer_b", "seller_b"))}, obj="response_a"
    ),
    "review-responses-request-edit": Route(
        {"POST": api(("moderator", "admin"), hidden=("buyer_a", "buyer_b", "seller_b", *BACK_OFFICE))},
        obj="response_a",
    ),
    "review-responses-hide": Route(
        {"POST": api(("moderator", "admin"), hidden=("buyer_a", "buyer_b", "seller_b", *BACK_OFFICE))},
        obj="response_a",
    ),
    # Response templates: seller members (own + platform), review staff read all; moderators write platform ones.
    "response-templates-list": Route(
        {"GET": api((*SELLERS, *QUEUE_STAFF)), "POST": api((*SELLERS, "moderator", "admin"))}
    ),
    "response-templates-detail": Route(
        {
            "GET": api(("seller_a", *QUEUE_STAFF), hidden=("seller_b",)),
            "PATCH": api(("seller_a",), hidden=("seller_b",)),
            "DELETE": api(("seller_a",), hidden=("seller_b",)),
        },
        obj="review_template_a",
    ),
    # Review cases: a buyer's own, queue staff all and work them (finance, integration: 404).
    "review-cases-list": Route({"GET": api(), "POST": api(("buyer_a", "buyer_b", *SELLERS))}),
    "review-cases-detail": Route(
        {"GET": api(("buyer_a", *QUEUE_STAFF), hidden=("buyer_b", *SELLERS, *BACK_OFFICE))}, obj="case_a"
    ),
    "review-cases-reassign": Route(
        {"POST": api(QUEUE_STAFF, hidden=("buyer_b", *SELLERS, *BACK_OFFICE))}, obj="case_a"
    ),
    "review-cases-restore": Route({"POST": api(QUEUE_STAFF, hidden=("buyer_b", *SELLERS, *BACK_OFFICE))}, obj="case_a"),
    "review-cases-remove-review": Route(
        {"POST": api(QUEUE_STAFF, hidden=("buyer_b", *SELLERS, *BACK_OFFICE))}, obj="case_a"
    ),
    "review-cases-resolve": Route({"POST": api(QUEUE_STAFF, hidden=("buyer_b", *SELLERS, *BACK_OFFICE))}, obj="case_a"),
    # Review metrics: a seller's for its members and staff; the platform's for staff.
    "review-metrics": Route({"GET": api(STAFF, hidden=AUTHENTICATED, denied=404)}),
    "seller-review-metrics": Route({"GET": api(("seller_a", *STAFF), hidden=AUTHENTICATED)}, obj="seller_a"),
    # --- feedback reports: support, moderators, finance and admins; anyone else 404 ---
    "report-csat": Route({"GET": api(("support", "moderator", "finance", "admin"), hidden=AUTHENTICATED, denied=404)}),
    "report-feedback": Route(
        {"GET": api(("support", "moderator", "finance", "admin"), hidden=AUTHENTICATED, denied=404)}
    ),
    # --- help desk: a customer's own tickets; staff with helpdesk.view_ticket read all; support,
    # finance and the departments work them (moderators read only). Staff open none via the API. ---
    "tickets-list": Route({"GET": api(), "POST": api(("buyer_a", "buyer_b", *SELLERS))}),
    "tickets-detail": Route({"GET": api(("buyer_a", *TICKET_READERS), hidden=TICKET_HIDDEN)}, obj="ticket_a"),
    "tickets-interactions": Route({"POST": api(("buyer_a", *TICKET_WORKERS), hidden=TICKET_HIDDEN)}, obj="ticket_a"),
    "tickets-escalate": Route({"POST": api(TICKET_WORKERS, hidden=TICKET_HIDDEN)}, obj="ticket_a"),
    "tickets-resolve": Route({"POST": api(TICKET_WORKERS, hidden=TICKET_HIDDEN)}, obj="ticket_a"),
    "tickets-follow-up": Route({"POST": api(TICKET_WORKERS, hidden=TICKET_HIDDEN)}, obj="ticket_a"),
    "tickets-assign": Route({"POST": api(TICKET_WORKERS, hidden=TICKET_HIDDEN)}, obj="ticket_a"),
    # The actions on the real records: workers pass (an empty body is 400, a ticket without the
    # record 409); the marketplace service's own permission (finance) is checked with a valid body.
    **{
        f"tickets-{action}": Route({"POST": api(TICKET_WORKERS, hidden=TICKET_HIDDEN)}, obj="ticket_a")
        for action in (
            "order-status",
            "reissue-invoice",
            "verify-receipt",
            "resend-receipt",
            "reissue-receipt",
            "refund",
            "send-refund",
        )
    },
    # --- royalty: staff who read royalty (support, moderators, finance, admins) see every
    # affiliate and statement, store A's members their seller affiliate's; finance works them. ---
    "affiliates-list": Route({"GET": api(), "POST": api(ROYALTY_WORKERS)}),
    "affiliates-detail": Route({"GET": api(ROYALTY_SEERS, hidden=ROYALTY_HIDDEN)}, obj="affiliate_a"),
    "affiliates-attributions": Route({"POST": api(ROYALTY_WORKERS, hidden=ROYALTY_HIDDEN)}, obj="affiliate_a"),
    "royalty-statements-list": Route({"GET": api()}),
    "royalty-statements-detail": Route({"GET": api(ROYALTY_SEERS, hidden=ROYALTY_HIDDEN)}, obj="statement_a"),
    "royalty-statements-generate": Route({"POST": api(ROYALTY_WORKERS)}),
    "royalty-statements-mark-paid": Route({"POST": api(ROYALTY_WORKERS)}),
    "royalty-statements-adjustments": Route({"POST": api(ROYALTY_WORKERS, hidden=ROYALTY_HIDDEN)}, obj="statement_a"),
    "royalty-statements-approve": Route({"POST": api(ROYALTY_WORKERS, hidden=ROYALTY_HIDDEN)}, obj="statement_a"),
    "royalty-adjustments-list": Route({"GET": api()}),
    "royalty-adjustments-approve": Route({"POST": api(ROYALTY_WORKERS, hidden=ROYALTY_HIDDEN)}, obj="adjustment_a"),
    "royalty-adjustments-reject": Route({"POST": api(ROYALTY_WORKERS, hidden=ROYALTY_HIDDEN)}, obj="adjustment_a"),
    "payout-batches-list": Route({"GET": api()}),
    "payout-batches-export": Route(
        {"GET": api(ROYALTY_READERS, hidden=(*ROYALTY_HIDDEN, "seller_a"))}, obj="payout_batch_a"
    ),
    "help-articles-list": Route({"GET": PUBLIC}),
    "help-articles-detail": Route({"GET": PUBLIC}, obj="article_a"),
    # --- feedback: a caller's own open surveys; a survey link needs no login (the token is the
    # key: an unknown one is 404 for everyone); any logged-in user logs feedback ---
    "surveys-list": Route({"GET": api()}),
    "surveys-detail": Route({"GET": outcomes(404), "POST": outcomes(404)}, kwargs={"token": "no-such-token"}),
    "feedback-log": Route({"POST": api()}),
    # --- royalty (roy-pages): the preview is for finance, admins and the affiliate's own (store A's
    # members for store A's affiliate); everyone else 404.
    "affiliates-preview": Route(
        {"GET": api(("seller_a", "finance", "admin"), hidden=AUTHENTICATED, denied=404)}, obj="affiliate_a"
    ),
    # Visibility scores: staff (the storefront reads as the integration client) and the store's members.
    "seller-visibility": Route({"GET": api(("seller_a", *STAFF), hidden=AUTHENTICATED)}, obj="seller_a"),
    "product-visibility": Route({"GET": api(("seller_a", *STAFF), hidden=AUTHENTICATED)}, obj="product_a"),
    # --- pages ---
    "home": Route({"GET": PUBLIC}),
    "login": Route({"GET": PUBLIC, "POST": PUBLIC}),
    "logout": Route({"POST": PUBLIC}),
    "account": Route({"GET": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "account-token-revoke": Route({"POST": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "account-time-zone": Route({"POST": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "password_change": Route({"GET": PAGE_FOR_EVERYONE_LOGGED_IN, "POST": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "password_change_done": Route({"GET": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "password_reset": Route({"GET": PUBLIC, "POST": PUBLIC}),
    "admin_password_reset": Route({"GET": PUBLIC, "POST": PUBLIC}),
    "password_reset_done": Route({"GET": PUBLIC}),
    "password_reset_confirm": Route({"GET": PUBLIC, "POST": PUBLIC}, kwargs={"uidb64": "MQ", "token": "set-password"}),
    "password_reset_complete": Route({"GET": PUBLIC}),
    # --- inquiry pages: a buyer's own conversations; a seller member's store's (others: 404) ---
    "messages": Route({"GET": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "messages-new": Route({"GET": PAGE_FOR_EVERYONE_LOGGED_IN, "POST": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "messages-thread": Route({"GET": BUYER_A_PAGE, "POST": BUYER_A_PAGE}, obj="conversation_a"),
    "messages-close": Route({"POST": BUYER_A_PAGE}, obj="conversation_a"),
    "seller-dashboard": Route(
        {"GET": outcomes(404, anonymous=LOGIN, seller_a=OK, seller_b=OK)},
    ),
    "seller-inbox": Route({"GET": outcomes(404, anonymous=LOGIN, seller_a=OK, seller_b=OK)}),
    "seller-conversation": Route({"GET": SELLER_A_PAGE, "POST": SELLER_A_PAGE}, obj="conversation_a"),
    "seller-conversation-exclude": Route({"POST": SELLER_A_PAGE}, obj="conversation_a"),
    "seller-quick-replies": Route(
        {
            "GET": outcomes(404, anonymous=LOGIN, seller_a=OK, seller_b=OK),
            "POST": outcomes(404, anonymous=LOGIN, seller_a=OK, seller_b=OK),
        }
    ),
    "seller-quick-reply-edit": Route({"GET": SELLER_A_PAGE, "POST": SELLER_A_PAGE}, obj="template_a"),
    "seller-quick-reply-delete": Route({"POST": SELLER_A_PAGE}, obj="template_a"),
    # --- reviews pages: a buyer's own reviews and cases; a seller member's store's reviews and
    # own templates (others: 404). Staff work reviews in the console, not here. ---
    "reviews": Route({"GET": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "reviews-new": Route({"GET": PAGE_FOR_EVERYONE_LOGGED_IN, "POST": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "review-detail": Route({"GET": BUYER_A_PAGE}, obj="review_a"),
    "review-follow-up": Route({"POST": BUYER_A_PAGE}, obj="review_a"),
    "review-cases-new": Route({"GET": PAGE_FOR_EVERYONE_LOGGED_IN, "POST": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "review-case": Route({"GET": BUYER_A_PAGE}, obj="case_a"),
    "seller-reviews": Route({"GET": outcomes(404, anonymous=LOGIN, seller_a=OK, seller_b=OK)}),
    "seller-review": Route({"GET": SELLER_A_PAGE, "POST": SELLER_A_PAGE}, obj="review_a"),
    "seller-review-templates": Route(
        {
            "GET": outcomes(404, anonymous=LOGIN, seller_a=OK, seller_b=OK),
            "POST": outcomes(404, anonymous=LOGIN, seller_a=OK, seller_b=OK),
        }
    ),
    "seller-review-template-edit": Route({"GET": SELLER_A_PAGE, "POST": SELLER_A_PAGE}, obj="review_template_a"),
    "seller-review-template-archive": Route({"POST": SELLER_A_PAGE}, obj="review_template_a"),
    # --- the buyer's own order pages (staff and sellers see orders elsewhere: 404 here) ---
    "orders": Route({"GET": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "orders-detail-page": Route({"GET": BUYER_A_PAGE}, obj="order_a"),
    "orders-receipt-resend-page": Route({"POST": BUYER_A_PAGE}, obj="receipt_a"),
    # --- help desk pages: a buyer's own requests (staff work tickets in the console) ---
    "support": Route({"GET": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "support-new": Route({"GET": PAGE_FOR_EVERYONE_LOGGED_IN, "POST": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "support-ticket": Route({"GET": BUYER_A_PAGE, "POST": BUYER_A_PAGE}, obj="ticket_a"),
    # The help centre is public (published articles only).
    "help": Route({"GET": PUBLIC}),
    "help-article": Route({"GET": PUBLIC}, kwargs={"slug": "track-an-order"}),
    # Feedback pages: a survey by its token needs no login (an unknown token is 404 for
    # everyone); the caller's open surveys; the feedback form is for everyone, signed in or not.
    "surveys": Route({"GET": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "survey": Route({"GET": outcomes(404), "POST": outcomes(404)}, kwargs={"token": "no-such-token"}),
    "feedback": Route({"GET": PUBLIC, "POST": PUBLIC}),
    # --- royalty pages: the affiliate's own (store A's members for store A's affiliate; partners'
    # and sales teams' users at /royalty/, none in this world); finance works them in the console.
    # Every store's members (a store that is not an affiliate is told so); everyone else 404.
    "seller-royalty": Route({"GET": outcomes(404, anonymous=LOGIN, seller_a=OK, seller_b=OK)}),
    "royalty": Route({"GET": outcomes(404, anonymous=LOGIN)}),
    "royalty-statement": Route({"GET": SELLER_A_PAGE}, obj="statement_a"),
    "notifications:list": Route({"GET": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "notifications:read-all": Route({"POST": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "notifications:read": Route({"POST": outcomes(404, anonymous=LOGIN, buyer_a=OK)}, obj="notification_a"),
    # --- webhooks ---
    "webhooks-list": Route({"GET": api(WEBHOOK_MANAGERS), "POST": api(WEBHOOK_MANAGERS)}),
    "webhooks-detail": Route(
        {"GET": api(WEBHOOK_MANAGERS, hidden=WEBHOOK_HIDDEN), "PATCH": api(WEBHOOK_MANAGERS, hidden=WEBHOOK_HIDDEN)},
        obj="endpoint_a",
    ),
    "webhooks-ping": Route({"POST": api(WEBHOOK_MANAGERS, hidden=WEBHOOK_HIDDEN)}, obj="endpoint_a"),
    "webhook-deliveries-list": Route(
        {"GET": api(WEBHOOK_MANAGERS, hidden=WEBHOOK_HIDDEN)}, obj_kwargs={"endpoint_pk": "endpoint_a"}
    ),
    "webhook-deliveries-replay-failed": Route(
        {"POST": api(WEBHOOK_MANAGERS, hidden=WEBHOOK_HIDDEN)}, obj_kwargs={"endpoint_pk": "endpoint_a"}
    ),
    "webhook-deliveries-detail": Route(
        {"GET": api(WEBHOOK_MANAGERS, hidden=WEBHOOK_HIDDEN)},
        obj="delivery_a",
        obj_kwargs={"endpoint_pk": "endpoint_a"},
    ),
    "webhook-deliveries-replay": Route(
        {"POST": api(WEBHOOK_MANAGERS, hidden=WEBHOOK_HIDDEN)},
        obj="delivery_a",
        obj_kwargs={"endpoint_pk": "endpoint_a"},
    ),
    # Everyone's own settings (a store's owner also its members', by ``?member=``); the one-click
    # unsubscribe needs no login: the signed token is the authority (a forged one is 400 for all).
    "notification-settings": Route({"GET": PAGE_FOR_EVERYONE_LOGGED_IN, "POST": PAGE_FOR_EVERYONE_LOGGED_IN}),
    "notifications:unsubscribe": Route({"GET": PUBLIC, "POST": PUBLIC}, kwargs={"token": "forged-token"}),
}
