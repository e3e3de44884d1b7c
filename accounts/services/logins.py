"""Failed-login limits: one mechanism for every login surface.

The login page, the console's login page and the API token endpoint all authenticate through
Django's ``authenticate``; every failure (Django's ``user_login_failed`` signal, connected in
``accounts.apps``) is counted in the cache (Redis in production, shared by every web worker) twice:

- per account (the username, lower-cased): ``ACCOUNTS_LOGIN_FAILURES_PER_ACCOUNT`` failures within
  ``ACCOUNTS_LOGIN_FAILURE_WINDOW`` lock the account for ``ACCOUNTS_LOGIN_LOCKOUT``, whichever
  client tries; a staff account's owner is emailed when that happens;
- per client (``core.clients.client_ip``: rotating ``X-Forwarded-For`` is still the same client):
  ``ACCOUNTS_LOGIN_FAILURES_PER_CLIENT`` failures lock that client out of every account.

While locked, a login is refused before the password is looked at (the right password too), with
the time the lockout ends. A successful login clears the account's count. The lock is also enforced
by ``accounts.backends.LoginLimitBackend`` for any other caller of ``authenticate``.
"""

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from core.clients import UNKNOWN_CLIENT

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lockout:
    until: datetime
    reason: str = "Too many failed logins."

    def seconds_left(self, now: datetime) -> int:
        return max(1, math.ceil((self.until - now).total_seconds()))

    def message(self, now: datetime) -> str:
        minutes = math.ceil(self.seconds_left(now) / 60)
        return (
            f"{self.reason} Try again in {minutes} minute{'s' if minutes != 1 else ''} "
            f"(after {self.until.astimezone(UTC):%H:%M} UTC)."
        )


class LoginLocked(Exception):
    def __init__(self, lockout: Lockout, now: datetime) -> None:
        super().__init__(lockout.message(now))
        self.lockout = lockout
        self.message = lockout.message(now)
        self.seconds_left = lockout.seconds_left(now)


def _account(username: str | None) -> str | None:
    name = (username or "").strip().lower()
    if not name:
        return None
    return "account:" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()


def _client(client: str | None) -> str | None:
    return None if not client or client == UNKNOWN_CLIENT else f"client:{client}"


def _subjects(username: str | None, client: str | None) -> list[str]:
    return [subject for subject in (_account(username), _client(client)) if subject]


def login_lockout(*, username: str | None, client: str | None, now: datetime) -> Lockout | None:
    """The lockout in force for this account or this client (the later one), if any."""
    subjects = _subjects(username, client)
    if not subjects:
        return None
    found = cache.get_many([f"login-locked:{subject}" for subject in subjects])
    ends = [datetime.fromtimestamp(float(value), tz=UTC) for value in found.values()]
    ends = [end for end in ends if end > now]
    return Lockout(until=max(ends)) if ends else None


def login_check(*, username: str | None, client: str | None, now: datetime) -> None:
    """Raise ``LoginLocked`` when this account or client is locked out."""
    lockout = login_lockout(username=username, client=client, now=now)
    if lockout is not None:
        raise LoginLocked(lockout, now)


def _count(key: str, window_seconds: int) -> int:
    cache.add(key, 0, timeout=window_seconds)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1


def login_failed(*, username: str | None, client: str | None, now: datetime) -> Lockout | None:
    """Count one failed login; returns the lockout it started, if it started one."""
    if login_lockout(username=username, client=client, now=now) is not None:
        return None  # refused while locked: not a guess at the password
    window = int(settings.ACCOUNTS_LOGIN_FAILURE_WINDOW.total_seconds())
    lock_seconds = int(settings.ACCOUNTS_LOGIN_LOCKOUT.total_seconds())
    limits = {
        _account(username): settings.ACCOUNTS_LOGIN_FAILURES_PER_ACCOUNT,
        _client(client): settings.ACCOUNTS_LOGIN_FAILURES_PER_CLIENT,
    }
    started: Lockout | None = None
    for subject, limit in limits.items():
        if subject is None:
            continue
        failures = _count(f"login-failures:{subject}", window)
        if failures >= limit:
            until = now + settings.ACCOUNTS_LOGIN_LOCKOUT
            cache.set(f"login-locked:{subject}", until.timestamp(), timeout=lock_seconds)
            cache.delete(f"login-failures:{subject}")
            started = Lockout(until=until)
            logger.warning("login locked out: %s until %s", subject.split(":")[0], until.isoformat())
            if subject.startswith("account:"):
                _tell_staff_owner(username=username or "", client=client, failures=failures, lockout=started, now=now)
    return started


def login_succeeded(*, username: str | None) -> None:
    """A successful login clears the account's count of failures."""
    subject = _account(username)
    if subject:
        cache.delete(f"login-failures:{subject}")


def _tell_staff_owner(*, username: str, client: str | None, failures: int, lockout: Lockout, now: datetime) -> None:
    """Email a staff account's owner that their account was locked by repeated failed logins."""
    user = User.objects.filter(username__iexact=username.strip(), is_active=True).first()
    if user is None or not (user.is_staff or user.is_superuser) or not user.email:
        return
    site = settings.SITE_URL.rstrip("/")
    body = (
        f"Hello {user.display_name},\n\n"
        f"There were {failures} failed attempts to log in to your SayPro Interaction Desk account "
        f"'{user.username}' in the last {int(settings.ACCOUNTS_LOGIN_FAILURE_WINDOW.total_seconds() // 60)} minutes"
        f"{f' (last from {client})' if client and client != UNKNOWN_CLIENT else ''}. "
        f"Logins to the account are refused until {lockout.until.astimezone(UTC):%Y-%m-%d %H:%M} UTC.\n\n"
        "If this was not you, someone may be guessing your password: once the lockout ends, change it "
        f"at {site}{reverse('password_change')} (or reset it at {site}{reverse('password_reset')}) and "
        "tell an administrator.\n"
    )
    recipient, username_for_log = user.email, user.username

    def send() -> None:
        try:
            mail.send_mail(
                "Repeated failed logins on your SayPro account", body, settings.DEFAULT_FROM_EMAIL, [recipient]
            )
        except Exception:  # the lockout holds whether or not the mail server answers
            logger.exception("could not email %s about failed logins", username_for_log)

    transaction.on_commit(send)


# --- Password reset requests ----------------------------------------------------------------------
RESET_REASON = "Too many password reset requests."


def password_reset_requested(*, email: str, client: str | None, now: datetime) -> bool:
    """Count one request for a reset email. A client that asked ``ACCOUNTS_PASSWORD_RESETS_PER_CLIENT``
    times within ``ACCOUNTS_PASSWORD_RESET_WINDOW`` is refused (``LoginLocked``) until the window
    ends; an address that was sent ``ACCOUNTS_PASSWORD_RESETS_PER_ADDRESS`` emails gets no more
    (returns ``False``: the page says the same, so it tells nobody whether the address has an account)."""
    window = settings.ACCOUNTS_PASSWORD_RESET_WINDOW
    seconds = int(window.total_seconds())
    subject = _client(client)
    if subject is not None:
        locked = cache.get(f"reset-locked:{subject}")
        if locked is not None and datetime.fromtimestamp(float(locked), tz=UTC) > now:
            raise LoginLocked(Lockout(until=datetime.fromtimestamp(float(locked), tz=UTC), reason=RESET_REASON), now)
        if _count(f"resets:{subject}", seconds) >= settings.ACCOUNTS_PASSWORD_RESETS_PER_CLIENT:
            cache.set(f"reset-locked:{subject}", (now + window).timestamp(), timeout=seconds)
            cache.delete(f"resets:{subject}")
    address = (email or "").strip().lower()
    key = "resets:address:" + hashlib.sha256(address.encode("utf-8", "surrogatepass")).hexdigest()
    return _count(key, seconds) <= settings.ACCOUNTS_PASSWORD_RESETS_PER_ADDRESS
