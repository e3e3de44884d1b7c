"""Settings for SayPro Interaction Desk.

Everything that differs between a laptop and production is read from the environment
(django-environ). The embedded defaults need no services: SQLite in ``var/`` and kombu's
``filesystem://`` broker, which works across the web, worker and beat processes of ``make run``.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from csp import constants as csp_constants

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("SAYPRO_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
for _folder in (VAR_DIR, VAR_DIR / "broker", VAR_DIR / "broker-processed", VAR_DIR / "staticfiles"):
    _folder.mkdir(parents=True, exist_ok=True)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DJANGO_DEBUG", default=env.bool("DEBUG", default=True))

_DEV_SECRET_KEY = "dev-only-insecure-key-change-me-dev-only-insecure-key-change-me"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=env.str("SECRET_KEY", default=_DEV_SECRET_KEY))
if not DEBUG:
    # A guessable key signs sessions, password-reset links and CSRF tokens: refuse to start.
    from django.core.exceptions import ImproperlyConfigured

    from saypro.secret_key import secret_key_problem

    _problem = "is not set" if SECRET_KEY == _DEV_SECRET_KEY else secret_key_problem(SECRET_KEY)
    if _problem:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY {_problem}: production mode (DJANGO_DEBUG=0) needs 50+ random characters, "
            "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "saypro.apps.ConsoleAdminConfig",  # django.contrib.admin on the console's site (core.console)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "accounts",
    "marketplace",
    "notifications",
    "webhooks",
    "feedback",
    "inquiries",
    "reviews",
    "helpdesk",
    "royalty",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in person's own time zone for every time a page or the console shows (accounts).
    "accounts.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.headers.PermissionsPolicyMiddleware",
    # Inside the header middleware, so its answers (a JSON 413 for an API body over the size limit, a 400 for NUL in
    # the query string) get every header above and the page knows who is signed in.
    "core.middleware.InputLimitsMiddleware",
    # Last: for an API write with an Idempotency-Key it calls the view itself (core/idempotency.py).
    "core.idempotency.IdempotencyKeyMiddleware",
]

ROOT_URLCONF = "saypro.urls"
WSGI_APPLICATION = "saypro.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
                "core.context_processors.api_docs",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) write to one SQLite file in `make run`: take the write
    # lock at BEGIN so two writers that both read first do not deadlock into "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # 0 (a connection per request) by default: `runserver` serves every request on a new thread,
    # and a kept connection per dead thread would pile up idle on the server. gunicorn's fixed
    # workers reuse theirs: docker-compose sets DATABASE_CONN_MAX_AGE for them.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
    # A kept connection is checked with a "SELECT 1" round trip at its first use in each request,
    # so one dropped by a database restart fails no request. 0 saves that round trip.
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True))
    # PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost: for the KPI
    # statements that was 0.5 s of compiling for 0.1 s of work (bench/README.md). Off unless asked.
    if not env.bool("DATABASE_JIT", default=False):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The login limits' guard first: a locked account or client is refused before any password check.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 first: new passwords and every older hash (PBKDF2...) are re-hashed with it at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Clients, login limits and API tokens -------------------------------------------------------
# Reverse proxies in front of the app that append the client's address to X-Forwarded-For. 0: the
# socket's peer (REMOTE_ADDR) is the client and the header is ignored (core.clients.client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Failed logins (the login page, the console's, the API token endpoint: one count) before a lockout.
ACCOUNTS_LOGIN_FAILURES_PER_ACCOUNT = env.int("ACCOUNTS_LOGIN_FAILURES_PER_ACCOUNT", default=5)
ACCOUNTS_LOGIN_FAILURES_PER_CLIENT = env.int("ACCOUNTS_LOGIN_FAILURES_PER_CLIENT", default=20)
ACCOUNTS_LOGIN_FAILURE_WINDOW = timedelta(seconds=env.int("ACCOUNTS_LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60))
ACCOUNTS_LOGIN_LOCKOUT = timedelta(seconds=env.int("ACCOUNTS_LOGIN_LOCKOUT_SECONDS", default=15 * 60))
# Reset emails: requests per client (then refused until the window ends) and emails per address.
ACCOUNTS_PASSWORD_RESETS_PER_CLIENT = env.int("ACCOUNTS_PASSWORD_RESETS_PER_CLIENT", default=10)
ACCOUNTS_PASSWORD_RESETS_PER_ADDRESS = env.int("ACCOUNTS_PASSWORD_RESETS_PER_ADDRESS", default=3)
ACCOUNTS_PASSWORD_RESET_WINDOW = timedelta(seconds=env.int("ACCOUNTS_PASSWORD_RESET_WINDOW_SECONDS", default=3600))
# An API token stops working this long after it was issued (401); the next token request issues a new one.
API_TOKEN_TTL = timedelta(seconds=env.int("API_TOKEN_TTL_SECONDS", default=30 * 24 * 3600))

# --- Cache (throttling) ---------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "saypro"}}

# --- I18N / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Date-times shown with their zone's abbreviation ("Dec 7, 2026, 3:05 p.m. CET"): each person sees
# their own zone (accounts' User.time_zone); stored times stay UTC.
FORMAT_MODULE_PATH = ["saypro.formats"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "DJANGO_STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# --- Email ----------------------------------------------------------------------------------
if env.str("EMAIL_URL", default=""):
    EMAIL_CONFIG = env.email_url("EMAIL_URL")
    vars().update(EMAIL_CONFIG)
else:
    # The embedded default: every email a readable file in var/mail/ (one per batch sent), instead of
    # the console backend's text inside the worker's log lines.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SayPro Interaction Desk <desk@saypro.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in emails: the address `make run` serves on (PORT) unless the site's own address is set.
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")

# --- Security (production mode) -------------------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Content-Security-Policy and Permissions-Policy (every response) -------------------------
# Scripts only from this site (the pages' scripts are files in static/js; an inline script needs
# the request's nonce: {{ request.csp_nonce }}). Styles also allow inline `style` attributes: the
# meters' widths and the console's widgets set them, and a nonce cannot cover an attribute.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(self), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), usb=(), xr-spatial-tracking=()"
)
# The browsable API (HTML renderer) and the schema + Swagger UI for everyone: development only by
# default. Off in production mode, the API answers JSON only and /api/schema/ and /api/docs/ are
# for staff.
API_BROWSABLE = env.bool("API_BROWSABLE", default=DEBUG)
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=DEBUG)

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: every view opens up explicitly with its own permission classes.
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.DenyAll"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        # A query parameter no filter reads, or an unknown ordering field, is a 400 naming it.
        "core.api.filters.FilterBackend",
        "core.api.filters.StableOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AreaAutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "core.clients.ClientAnonRateThrottle",
        # Per-user write limits (core.api.throttling): a burst and a sustained window.
        "core.api.throttling.UserWriteThrottle",
    ],
    # DRF's own client rule agrees with core.clients.client_ip (never the raw X-Forwarded-For).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "token": env.str("API_THROTTLE_TOKEN", default="10/minute"),
        # A person's API writes (buyers, sellers, staff): generous for a human, a wall for a script.
        "write_burst": env.str("API_THROTTLE_WRITE_BURST", default="20/minute"),
        "write_sustained": env.str("API_THROTTLE_WRITE_SUSTAINED", default="300/hour"),
        # Machine accounts (role integration) push catalogues and order books in bulk.
        "integration_write_burst": env.str("API_THROTTLE_INTEGRATION_WRITE_BURST", default="600/minute"),
        "integration_write_sustained": env.str("API_THROTTLE_INTEGRATION_WRITE_SUSTAINED", default="20000/hour"),
    },
    # DRF's parsers, with a JSON parser that refuses deep nesting and lone surrogates (a 400, not a 500).
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Drops the browsable (HTML) renderer unless API_BROWSABLE, read per request.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.negotiation.ContentNegotiation",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "COERCE_DECIMAL_TO_STRING": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "SayPro Interaction Desk API",
    "DESCRIPTION": "REST API v1 for integrators: marketplace records, messaging, reviews, help desk, CSAT, royalty.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Everyone when API_DOCS_PUBLIC, else staff only (read per request).
    "SERVE_PERMISSIONS": ["core.permissions.ApiDocsPermission"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Record ids in paths (core.ids' `<id:pk>`): positive 64-bit integers.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1}},
    # Operations are tagged with their app's area (core.api.schema.AreaAutoSchema); listed here in the
    # order the docs show them, each with what it covers.
    "TAGS": [
        {"name": "Accounts and roles", "description": "API tokens for integration clients."},
        {
            "name": "Marketplace records",
            "description": "Users, sellers, products, orders, shipments, invoices, payments and receipts.",
        },
        {
            "name": "Buyer-seller messaging",
            "description": "Conversations, quick replies, the support queue, response KPIs and seller standing.",
        },
        {
            "name": "Reviews and ratings",
            "description": "Reviews, responses and their moderation, review cases, templates and metrics.",
        },
        {
            "name": "Help desk",
            "description": "Tickets about orders, invoices, receipts and payments, log, actions; help articles.",
        },
        {
            "name": "Notifications",
            "description": "The caller's in-app notifications and how each kind reaches them (in-app, email, digest).",
        },
        {
            "name": "Webhooks",
            "description": "Signed outbound events: endpoints, their delivery log, replay and ping.",
        },
        {
            "name": "Royalty",
            "description": "Affiliates, attributed sales, statements (generate, adjust, approve, pay), payout batches.",
        },
        {
            "name": "Feedback and CSAT",
            "description": "Satisfaction surveys (token links, no login), the feedback log and the CSAT reports.",
        },
    ],
    # Several resources have a `status` field with different choices: name each set once.
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "marketplace.models.OrderStatus",
        "InvoiceStatusEnum": "marketplace.models.InvoiceStatus",
        "PaymentStatusEnum": "marketplace.models.PaymentStatus",
        "ConversationStatusEnum": "inquiries.models.ConversationStatus",
        "ReviewStatusEnum": "reviews.models.ReviewStatus",
        "ReviewResponseStatusEnum": "reviews.models.ResponseStatus",
        "ReviewCaseStatusEnum": "reviews.models.CaseStatus",
        "ReviewCaseKindEnum": "reviews.models.CaseKind",
        "FollowUpStatusEnum": "reviews.models.FollowUpStatus",
        "ViolationEnum": "reviews.models.Violation",
        "TicketStatusEnum": "helpdesk.models.TicketStatus",
        "TicketCategoryEnum": "helpdesk.models.Category",
        "TicketChannelEnum": "helpdesk.models.Channel",
        "TicketPriorityEnum": "helpdesk.models.Priority",
        "WebhookDeliveryStatusEnum": "webhooks.models.DeliveryStatus",
        "TicketDepartmentEnum": "helpdesk.models.Department",
        "FeedbackCategoryEnum": "feedback.models.Category",
        "PaymentFailureReasonEnum": "marketplace.models.PaymentFailureReason",
        "AffiliateKindEnum": "royalty.models.AffiliateKind",
        "RoyaltyStatementStatusEnum": "royalty.models.StatementStatus",
        "RoyaltyLineKindEnum": "royalty.models.LineKind",
        "RoyaltyAdjustmentStatusEnum": "royalty.models.AdjustmentStatus",
        "RoyaltyReasonCodeEnum": "royalty.models.ReasonCode",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.add_error_responses",
    ],
}

# --- Celery ---------------------------------------------------------------------------------
# A host name, though the filesystem transport uses none: without one kombu warns "No hostname was
# supplied" at every connection.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),  # kombu's default is ./control
        "store_processed": False,
        # The transport polls its folder; the 1 s default caps a worker at a couple of tasks a second.
        "polling_interval": 0.1,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The static beat schedule is built from the sweep registry (core.sweeps): one entry per
# registered sweep, so code review sees every periodic job and nothing drifts in a database.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Domain thresholds (settings, never literals in code) -----------------------------------
API_PAGE_SIZE_MAX = 200
# An API write's answer is kept this long for retries with the same Idempotency-Key.
API_IDEMPOTENCY_TTL = timedelta(seconds=env.int("API_IDEMPOTENCY_TTL_SECONDS", default=24 * 3600))
# A duplicate sent while the first is still running waits this long for it, then answers 409.
API_IDEMPOTENCY_WAIT = timedelta(seconds=10)
# JSON request bodies nested deeper than this (arrays and objects) are a 400: no request nests
# more than a few levels, and ~950 levels hit Python's recursion limit.
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)
MARKETPLACE_DEFAULT_CURRENCY = "USD"
MARKETPLACE_CURRENCIES = ["USD", "EUR", "GBP", "ZAR"]
MARKETPLACE_MAX_AMOUNT = Decimal("1000000000.00")  # anything larger is a typo, not an order
MARKETPLACE_MAX_QUANTITY = 100000
# Refunds above this amount (in the payment's currency) take two people: granted by support
# (``marketplace.grant_refund``), sent by finance (``marketplace.add_refund``).
MARKETPLACE_REFUND_APPROVAL_THRESHOLD = Decimal(env.str("MARKETPLACE_REFUND_APPROVAL_THRESHOLD", default="100.00"))
# A refund usually reaches the buyer's statement within this many working days (Monday-Friday).
MARKETPLACE_REFUND_STATEMENT_WORKING_DAYS = (3, 5)
# The delayed-order sweep: a shipment not delivered after its expected date, or without any
# tracking event (or, before the first, since it shipped) for this long, is a delay told to the buyer.
MARKETPLACE_DELAY_NO_TRACKING_AFTER = timedelta(
    seconds=env.int("MARKETPLACE_DELAY_NO_TRACKING_AFTER_SECONDS", default=3 * 24 * 3600)
)
MARKETPLACE_DELAY_SWEEP_BATCH_SIZE = 1000
MARKETPLACE_BUYER_PAGE_SIZE = 20  # orders per page of /orders/
NOTIFICATIONS_EMAIL_RETRY_AFTER = timedelta(minutes=10)
NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = 5
# Emails are claimed and marked in batches of this many rows (one statement each way).
NOTIFICATIONS_EMAIL_BATCH_SIZE = env.int("NOTIFICATIONS_EMAIL_BATCH_SIZE", default=500)
# A row claimed for sending longer ago than this was lost with its worker: the retry sweep sends it.
NOTIFICATIONS_EMAIL_SENDING_LEASE = timedelta(minutes=15)
# What a user gets for each group of notices until they choose (``/settings/notifications/``):
# "email" (now), "digest" (the daily digest) or "in_app" (no email). Notices that carry a deadline
# (an inquiry about to pass its 4 hours, a ticket target, an escalation) are emailed at once on top
# of this while the user's "deadline notices always email now" is on (the default). Buyers want to
# hear about their purchases and questions at once; a store's members about buyers' messages and
# reviews at once, their standing and statements in the digest; staff work from the console's
# queues: their routine notices come in the digest, while the work handed to them (tickets,
# approvals, refunds, reports, paused webhooks) and every deadline come at once.
_STAFF_DELIVERY = {
    "messages": "digest",
    "reviews": "digest",
    "tickets": "email",
    "surveys": "email",
    "standing": "digest",
    "statements": "email",
    "orders": "email",
    "integrations": "email",
}
NOTIFICATIONS_DEFAULT_DELIVERY: dict[str, dict[str, str]] = {
    "buyer": {
        "messages": "email",
        "reviews": "email",
        "tickets": "email",
        "surveys": "email",
        "standing": "in_app",
        "statements": "email",
        "orders": "email",
        "integrations": "in_app",
    },
    "seller": {
        "messages": "email",
        "reviews": "email",
        "tickets": "email",
        "surveys": "digest",
        "standing": "digest",
        "statements": "digest",
        "orders": "email",
        "integrations": "email",
    },
    "support": _STAFF_DELIVERY,
    "moderator": _STAFF_DELIVERY,
    "finance": _STAFF_DELIVERY,
    "admin": _STAFF_DELIVERY,
    "integration": dict.fromkeys(_STAFF_DELIVERY, "in_app") | {"integrations": "email"},
}
# The daily digest sweep runs at this hour (UTC); run any time, it sends what is queued.
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=7)
# Users per claimed batch of the digest sweep (one claim, one address read, one mark each way).
NOTIFICATIONS_DIGEST_BATCH_SIZE = env.int("NOTIFICATIONS_DIGEST_BATCH_SIZE", default=1000)
# Notices listed per group in one digest; the rest are counted ("and 12 more").
NOTIFICATIONS_DIGEST_ITEMS_PER_GROUP = 20

# Buyer-seller messaging: the 4-hour promise. The *_SECONDS variables shorten the clock for a demo.
INQUIRIES_RESPONSE_TARGET = timedelta(seconds=env.int("INQUIRIES_RESPONSE_TARGET_SECONDS", default=4 * 3600))
INQUIRIES_WARN_AFTER = timedelta(seconds=env.int("INQUIRIES_WARN_AFTER_SECONDS", default=3 * 3600))
INQUIRIES_TARGET_PCT = Decimal("90")
INQUIRIES_MESSAGE_MAX_LENGTH = 5000
# A buyer's inquiries waiting at one seller that count in the response KPIs at a time: one opened
# while this many are already waiting is left out of the figures (one buyer's flood of questions
# cannot sink a seller's rate; the first ones count until answered).
INQUIRIES_KPI_OPEN_PER_BUYER = env.int("INQUIRIES_KPI_OPEN_PER_BUYER", default=3)
# Rows per sweep transaction. Each batch costs ~10 statements whatever its size (the writes are
# INSERT ... SELECT / UPDATE ... RETURNING in the database), so a 10,000-row catch-up after an
# outage is one batch: 17 statements and ~2 s on the benchmark data set (batches of 1,000: 107
# statements, ~3 s). The price is lock holding: a reply to one of the claimed conversations waits
# for that batch's commit (about 2 s at 10,000 rows), only during such a catch-up; a normal minute
# has a handful due.
INQUIRIES_SWEEP_BATCH_SIZE = 10_000
INQUIRIES_SUGGESTION_MIN_SCORE = 0.1  # cosine similarity a quick reply needs to be suggested
INQUIRIES_STANDING_BADGE_PCT = Decimal("90")  # at or above: "Responsive seller"
INQUIRIES_STANDING_PENALTY_PCT = Decimal("75")  # below this two quarters running: penalty
INQUIRIES_STANDING_PENALTY_QUARTERS = 2
INQUIRIES_EXCLUSION_FLAG_SHARE_PCT = Decimal("20")  # a month's excluded share above this is flagged
INQUIRIES_EXCLUSION_FLAG_MIN_INQUIRIES = 10

# Reviews: response targets, escalation and follow-up. The *_SECONDS variables shorten them for a demo.
REVIEWS_NEGATIVE_MAX_RATING = 2  # 1 or 2 stars: a negative review (alert, 24 h target, follow-up)
REVIEWS_NEGATIVE_RESPONSE_TARGET = timedelta(
    seconds=env.int("REVIEWS_NEGATIVE_RESPONSE_TARGET_SECONDS", default=24 * 3600)
)
REVIEWS_RESPONSE_TARGET = timedelta(seconds=env.int("REVIEWS_RESPONSE_TARGET_SECONDS", default=48 * 3600))
REVIEWS_ESCALATE_AFTER = timedelta(seconds=env.int("REVIEWS_ESCALATE_AFTER_SECONDS", default=48 * 3600))
# The share of reviews to answer within their target (24 h / 48 h): the console trend's target line.
REVIEWS_TARGET_PCT = Decimal("90")
REVIEWS_FOLLOW_UP_PERIOD = timedelta(seconds=env.int("REVIEWS_FOLLOW_UP_PERIOD_SECONDS", default=7 * 24 * 3600))
# No separate "senior support" role exists: reviews escalate to these staff groups.
REVIEWS_SENIOR_SUPPORT_GROUPS = ["moderator"]
REVIEWS_ALERT_GROUPS = ["support"]  # told at once about every negative review
REVIEWS_SWEEP_BATCH_SIZE = 10_000  # a 10,000-review catch-up in one batch: the same statements as one review
REVIEWS_BODY_MAX_LENGTH = 5000
# A response template is offered as the suggestion for a review from this score: half its situation's
# fit to the rating, half its words' closeness to the review (reviews.services.templates).
REVIEWS_SUGGESTION_MIN_SCORE = 0.5
REVIEWS_SHOUTING_MIN_LETTERS = 12  # fewer letters than this are never "mostly capitals"
REVIEWS_SHOUTING_CAPS_SHARE = 0.6  # share of capital letters above which a response shouts

# Help desk: ticket targets, escalation to departments, follow-ups, waiting on the customer.
# The *_SECONDS variables shorten them for a demo.
HELPDESK_FIRST_RESPONSE_TARGET = timedelta(seconds=env.int("HELPDESK_FIRST_RESPONSE_TARGET_SECONDS", default=48 * 3600))
# Payment problems (category ``payment``) are answered first: 24 h.
HELPDESK_PAYMENT_FIRST_RESPONSE_TARGET = timedelta(
    seconds=env.int("HELPDESK_PAYMENT_FIRST_RESPONSE_TARGET_SECONDS", default=24 * 3600)
)
# Resolution, counted from the ticket's creation (time waiting on the customer not counted).
HELPDESK_RESOLUTION_TARGET = timedelta(seconds=env.int("HELPDESK_RESOLUTION_TARGET_SECONDS", default=5 * 24 * 3600))
HELPDESK_PAYMENT_RESOLUTION_TARGET = timedelta(
    seconds=env.int("HELPDESK_PAYMENT_RESOLUTION_TARGET_SECONDS", default=3 * 24 * 3600)
)
# A department's own target, from the moment a ticket is escalated to it.
HELPDESK_DEPARTMENT_TARGETS = {
    "finance": timedelta(hours=24),
    "billing": timedelta(hours=48),
    "logistics": timedelta(hours=48),
    "technical": timedelta(hours=72),
}
HELPDESK_WARN_BEFORE = timedelta(seconds=env.int("HELPDESK_WARN_BEFORE_SECONDS", default=4 * 3600))
HELPDESK_BREACH_GROUPS = ["support"]  # told when a ticket's target is about to pass or passed unassigned
HELPDESK_REOPEN_WINDOW = timedelta(days=7)  # a customer's reply within it reopens a resolved ticket
HELPDESK_CUSTOMER_REMINDER_INTERVAL = timedelta(
    seconds=env.int("HELPDESK_CUSTOMER_REMINDER_INTERVAL_SECONDS", default=48 * 3600)
)
HELPDESK_CUSTOMER_REMINDERS = 3  # reminders while pending the customer; then the ticket closes with a note
HELPDESK_SWEEP_BATCH_SIZE = 10_000
HELPDESK_BODY_MAX_LENGTH = 5000
# Words that make a ticket urgent whatever its category (matched case-insensitively).
HELPDESK_URGENT_WORDS = ["charged twice", "double charged", "fraud", "unauthorised", "unauthorized", "stolen"]
# The help centre report: a reader of an article who opens no ticket of its category within this
# long after reading it counts as helped by the article.
HELPDESK_ARTICLE_DEFLECTION_WINDOW = timedelta(days=env.int("HELPDESK_ARTICLE_DEFLECTION_DAYS", default=7))

# --- Feedback and CSAT ------------------------------------------------------------------------
FEEDBACK_TARGET_PCT = Decimal("90")  # satisfied (4 or 5 overall) / responses
FEEDBACK_SATISFIED_MIN = 4
FEEDBACK_SURVEY_DELAY = timedelta(seconds=env.int("FEEDBACK_SURVEY_DELAY_SECONDS", default=30 * 60))
FEEDBACK_SURVEY_VALID_FOR = timedelta(seconds=env.int("FEEDBACK_SURVEY_VALID_FOR_SECONDS", default=14 * 24 * 3600))
FEEDBACK_SURVEY_REMINDER_AFTER = timedelta(
    seconds=env.int("FEEDBACK_SURVEY_REMINDER_AFTER_SECONDS", default=3 * 24 * 3600)
)
FEEDBACK_SWEEP_BATCH_SIZE = 10_000
FEEDBACK_TEXT_MAX_LENGTH = 2000
# Per client address (the survey links, no login) and per user or address (the feedback log).
FEEDBACK_SURVEY_RATE = env.str("FEEDBACK_SURVEY_RATE", default="30/minute")
FEEDBACK_LOG_RATE = env.str("FEEDBACK_LOG_RATE", default="10/minute")

# Reports (feedback.selectors.reports, feedback.services.reports)
FEEDBACK_RISING_FACTOR = Decimal("1.5")  # a category's issues this period >= 1.5 x the previous one: "rising sharply"
FEEDBACK_RISING_MIN_ISSUES = 10  # ... and at least this many (a rise from 2 to 3 is noise)
FEEDBACK_ALERT_MIN_RESPONSES = 20  # below-target alerts only once a category has this many responses
FEEDBACK_RECURRING_TOP = 10  # recurring issues and feature requests: the top N
FEEDBACK_RECURRING_MIN_COUNT = 3  # a keyword recurs when this many answers or entries mention it
FEEDBACK_ACTION_PLAN_WINDOW = timedelta(days=30)  # "did it help?": equal windows before and after effective_on

# --- Royalty ------------------------------------------------------------------------------------
# A manual adjustment above this (absolute amount) waits for a second finance user's approval.
ROYALTY_ADJUSTMENT_SECOND_APPROVER_ABOVE = Decimal(
    env.str("ROYALTY_ADJUSTMENT_SECOND_APPROVER_ABOVE", default="500.00")
)
# A statement whose total is above this is approved by two different people.
ROYALTY_APPROVAL_TWO_PERSON_ABOVE = Decimal(env.str("ROYALTY_APPROVAL_TWO_PERSON_ABOVE", default="5000.00"))
# Days after a month closes before the sweep generates its statements (late attributions and refunds).
ROYALTY_GENERATE_AFTER_DAYS = env.int("ROYALTY_GENERATE_AFTER_DAYS", default=1)
# Visibility score (0-100) per seller and product, for the storefront to rank by:
# 100 x (w_rating x rating/5 + w_response x response rate/100 + w_csat x CSAT/100) / sum of weights,
# over the last ROYALTY_VISIBILITY_WINDOW_DAYS; a missing figure counts as ROYALTY_VISIBILITY_NEUTRAL
# (a fraction of its full marks). Refreshed by the sweep every ROYALTY_VISIBILITY_REFRESH_MINUTES.
ROYALTY_VISIBILITY_WEIGHTS = {
    "rating": Decimal(env.str("ROYALTY_VISIBILITY_WEIGHT_RATING", default="0.4")),
    "response_rate": Decimal(env.str("ROYALTY_VISIBILITY_WEIGHT_RESPONSE_RATE", default="0.3")),
    "csat": Decimal(env.str("ROYALTY_VISIBILITY_WEIGHT_CSAT", default="0.3")),
}
ROYALTY_VISIBILITY_NEUTRAL = Decimal(env.str("ROYALTY_VISIBILITY_NEUTRAL", default="0.5"))
ROYALTY_VISIBILITY_WINDOW_DAYS = env.int("ROYALTY_VISIBILITY_WINDOW_DAYS", default=90)
ROYALTY_VISIBILITY_REFRESH_MINUTES = env.int("ROYALTY_VISIBILITY_REFRESH_MINUTES", default=60)

# --- Webhooks -----------------------------------------------------------------------------------
# Development (DEBUG) lets a receiver on localhost over plain http work; production sends only to
# https URLs whose every address is public, checked at registration and at every delivery.
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=DEBUG)
# One request: connecting, then the whole answer. A slow endpoint holds only its own slots.
WEBHOOKS_CONNECT_TIMEOUT = env.float("WEBHOOKS_CONNECT_TIMEOUT_SECONDS", default=3.0)
WEBHOOKS_TIMEOUT = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10.0)
# Deliveries in flight to one endpoint at once, across every worker.
WEBHOOKS_ENDPOINT_CONCURRENCY = env.int("WEBHOOKS_ENDPOINT_CONCURRENCY", default=4)
WEBHOOKS_BATCH_SIZE = env.int("WEBHOOKS_BATCH_SIZE", default=100)
# Retries: exponential from the first delay, capped, with +-20 % jitter, until the window has
# passed since the first attempt; then the delivery fails and the endpoint is paused.
WEBHOOKS_RETRY_FIRST_DELAY = timedelta(seconds=env.int("WEBHOOKS_RETRY_FIRST_DELAY_SECONDS", default=30))
WEBHOOKS_RETRY_MAX_DELAY = timedelta(seconds=env.int("WEBHOOKS_RETRY_MAX_DELAY_SECONDS", default=4 * 3600))
WEBHOOKS_RETRY_WINDOW = timedelta(seconds=env.int("WEBHOOKS_RETRY_WINDOW_SECONDS", default=24 * 3600))
# A delivery a worker claimed but never marked (it died mid-request) is sent again after this.
WEBHOOKS_SENDING_LEASE = timedelta(seconds=env.int("WEBHOOKS_SENDING_LEASE_SECONDS", default=120))
# The minute sweep sends what is due itself for at most this long (then queues the rest).
WEBHOOKS_SWEEP_SEND_SECONDS = env.float("WEBHOOKS_SWEEP_SEND_SECONDS", default=20.0)
# How much of the receiver's answer the attempt log keeps.
WEBHOOKS_RESPONSE_EXCERPT_BYTES = env.int("WEBHOOKS_RESPONSE_EXCERPT_BYTES", default=500)
# Events (and their deliveries) older than this are deleted by the retention sweep.
WEBHOOKS_EVENT_RETENTION = timedelta(days=env.int("WEBHOOKS_EVENT_RETENTION_DAYS", default=30))
# What an ``integration`` client's own endpoints may receive: the records its role reads through the
# API (orders and refunds). Reviews are rendered as staff read them (moderation notes included);
# tickets, conversations, surveys and statements are not the client's either: an administrator
# registers the endpoints that receive those.
WEBHOOKS_INTEGRATION_EVENT_TYPES = env.list(
    "WEBHOOKS_INTEGRATION_EVENT_TYPES", default=["order.status_changed", "refund.issued"]
)
WEBHOOKS_MAX_ENDPOINTS_PER_OWNER = env.int("WEBHOOKS_MAX_ENDPOINTS_PER_OWNER", default=20)
