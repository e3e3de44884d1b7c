"""``Idempotency-Key`` on every API write (API.md, conventions): a retried POST/PUT/PATCH/DELETE
with the same key and body answers with the first result and changes nothing.

One middleware for every DRF view, so no API module opts in or can forget to. For a write carrying
the header it identifies the caller with the view's own authenticators (keys are per user:
anonymous writes ignore the header), then, in one transaction around the view:

1. inserts the (user, key) row. A concurrent duplicate's insert waits on the unique index until the
   first request's transaction ends (at most ``API_IDEMPOTENCY_WAIT``, then 409 "still in
   progress"); once the first has committed, the duplicate finds its stored answer.
2. runs the view. A 2xx answer is stored in that row and commits with the view's own writes: a
   crash cannot leave a write without its stored answer or an answer without its write. Any other
   answer deletes the row, so a corrected retry runs again (the failed request changed nothing).

A key already used for a different method, path or body answers 422 naming the header. Rows older
than ``API_IDEMPOTENCY_TTL`` no longer count and are purged by the ``core_idempotency_purge`` sweep.
"""

import functools
import hashlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.request import RawPostDataException
from django.utils import timezone
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.views import APIView

from core.api.throttling import WRITE_METHODS
from core.models import IdempotentRequest
from core.sweeps import register_sweep

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX_LENGTH = 255


def _key_error(key: str) -> str | None:
    if not key or len(key) > KEY_MAX_LENGTH:
        return f"Must be 1 to {KEY_MAX_LENGTH} characters."
    if not all(" " < character <= "~" for character in key):
        return "Only visible ASCII characters (no spaces or control characters)."
    return None


def _fingerprint(request: HttpRequest, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path()):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(body)
    return digest.hexdigest()


def _api_user(request: HttpRequest, view_class: type[APIView]) -> Any:
    """The user the view will see, authenticated by the view's own authenticators; ``None`` when
    anonymous or when the credentials fail (the view then answers 401/403 itself). The Django
    request's ``user`` is left as it was: the view authenticates again, from scratch."""
    saved = request.__dict__.get("user")
    try:
        drf_request = Request(request, authenticators=[auth() for auth in view_class.authentication_classes])
        user = drf_request.user
    except APIException:
        return None
    finally:
        if saved is None:
            request.__dict__.pop("user", None)
        else:
            request.__dict__["user"] = saved
    return user if user is not None and user.is_authenticated else None


@contextmanager
def _lock_wait_limited() -> Iterator[None]:
    """Within this block (PostgreSQL) a lock wait longer than ``API_IDEMPOTENCY_WAIT`` fails with
    ``OperationalError`` instead of waiting on; put back as it was afterwards. SQLite: its
    connection timeout bounds the wait already."""
    if connection.vendor != "postgresql":
        yield
        return
    milliseconds = int(settings.API_IDEMPOTENCY_WAIT.total_seconds() * 1000)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)", [f"{milliseconds}ms"]
        )
        (previous, _) = cursor.fetchone()
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])


def _error(status: int, message: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": message, "code": code}, status=status)


def _replay(stored: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(bytes(stored.body), status=stored.status_code, content_type=stored.content_type or None)
    if stored.location:
        response["Location"] = stored.location
    response[REPLAYED_HEADER] = "true"
    return response


def _claim(
    *, user: Any, key: str, fingerprint: str, request: HttpRequest, now: datetime
) -> IdempotentRequest | HttpResponse:
    """Our own new row (``status_code`` None: we run the view), the stored row of this key when it
    was used for another request (``run_once`` answers that), or the answer to give instead of
    running the view: the stored one, or 409 while the first request still runs."""
    IdempotentRequest.objects.filter(user=user, key=key, created_at__lt=now - settings.API_IDEMPOTENCY_TTL).delete()
    try:
        with _lock_wait_limited(), transaction.atomic():
            return IdempotentRequest.objects.create(
                user=user,
                key=key,
                fingerprint=fingerprint,
                method=request.method or "",
                path=request.path[:2000],
                created_at=now,
            )
    except IntegrityError:
        stored = IdempotentRequest.objects.filter(user=user, key=key).first()
    except OperationalError:  # the lock wait timed out: the first request is still running
        stored = None
    if stored is None or stored.status_code is None:
        return _error(
            409, f"A request with this {HEADER} is still in progress; retry later.", "idempotency_in_progress"
        )
    if stored.fingerprint != fingerprint:
        return stored
    return _replay(stored)


def _reused() -> HttpResponse:
    return JsonResponse(
        {
            HEADER: [
                "This key was already used for a different request (method, path or body); "
                "use a new key for a new request."
            ],
            "code": "idempotency_key_reused",
        },
        status=422,
    )


def _store(record: IdempotentRequest, response: HttpResponse) -> None:
    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "")[:200]
    record.location = response.get("Location", "")[:2000]
    record.body = response.content
    record.save(update_fields=["status_code", "content_type", "location", "body"])


def run_once(
    *,
    request: HttpRequest,
    user: Any,
    key: str,
    body: bytes,
    call: Callable[[], HttpResponse],
    on_reused: Callable[[IdempotentRequest], HttpResponse] | None = None,
    keeps: Callable[[int], bool] = lambda status: 200 <= status < 300,
) -> HttpResponse:
    """``call()`` once per (``user``, ``key``): the first request runs it and its successful answer
    (a status ``keeps`` accepts: an API's 2xx, a page's post/redirect/get 3xx) is stored in the
    same transaction as its writes; a repeat, or a duplicate arriving while it runs, gets that
    answer back. Any other answer (an error, a page's preview) is not kept: the key can be sent
    again. ``on_reused`` answers a key reused for a different request (default: 422)."""
    fingerprint = _fingerprint(request, body)
    with transaction.atomic():
        claimed = _claim(user=user, key=key, fingerprint=fingerprint, request=request, now=timezone.now())
        if isinstance(claimed, IdempotentRequest) and claimed.status_code is not None:
            return on_reused(claimed) if on_reused else _reused()
        if isinstance(claimed, HttpResponse):
            return claimed
        response = call()
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if keeps(response.status_code) and not response.streaming:
            _store(claimed, response)
        else:
            claimed.delete()
    return response


class IdempotencyKeyMiddleware:
    """Last in ``MIDDLEWARE``: it calls the view itself for the writes it handles."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if request.method not in WRITE_METHODS or HEADER not in request.headers:
            return None
        view_class = getattr(view_func, "cls", None)
        if not (isinstance(view_class, type) and issubclass(view_class, APIView)):
            return None
        key = request.headers[HEADER]
        problem = _key_error(key)
        if problem:
            return JsonResponse({HEADER: [problem], "code": "invalid"}, status=400)
        try:
            body = request.body
        except (RequestDataTooBig, RawPostDataException):  # the view answers these itself
            return None
        user = _api_user(request, view_class)
        if user is None:
            return None
        return run_once(
            request=request, user=user, key=key, body=body, call=lambda: view_func(request, *view_args, **view_kwargs)
        )


# --- one-time form tokens (the pages and the console) ------------------------------------------

FORM_TOKEN_FIELD = "form_token"  # noqa: S105 (a field name, not a secret)
FORM_TOKEN_KEY_PREFIX = "form:"  # noqa: S105 (page tokens and API keys never meet)


def new_form_token() -> str:
    """A fresh token for one rendering of a form (``{% form_token %}``)."""
    return uuid.uuid4().hex


def one_time_form(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page view whose POST forms carry ``{% form_token %}``: a doubled submit (double-click,
    reload, a retry after a timeout) answers with the first submit's result, normally its
    redirect, and writes nothing new. A token sent again with different content (the form
    reopened from the browser's history and changed) changes nothing either: the page says so and
    goes where the first submit went. A POST without a token runs as before; an anonymous one too."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = request.POST.get(FORM_TOKEN_FIELD, "") if request.method == "POST" else ""
        user = getattr(request, "user", None)
        if not token or user is None or not user.is_authenticated:
            return view(request, *args, **kwargs)
        if _key_error(token):
            return HttpResponseBadRequest("The form token is malformed: reload the page and send the form again.")
        return run_once(
            request=request,
            user=user,
            key=FORM_TOKEN_KEY_PREFIX + token,
            body=_form_content(request),
            call=lambda: view(request, *args, **kwargs),
            on_reused=lambda stored: _form_already_sent(request, stored),
            keeps=lambda status: 300 <= status < 400,  # the redirect after a write; a preview is not one
        )

    return wrapper


def _form_content(request: HttpRequest) -> bytes:
    """The posted fields (without the CSRF token, which is masked anew on each rendering)."""
    fields = sorted((name, values) for name, values in request.POST.lists() if name != "csrfmiddlewaretoken")
    return repr(fields).encode("utf-8", "surrogatepass")


def _form_already_sent(request: HttpRequest, stored: IdempotentRequest) -> HttpResponse:
    flash.warning(request, "This form had already been sent, so nothing new was saved. Open it again to send more.")
    return _replay(stored)


def idempotent_requests_purge(*, now: datetime) -> int:
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=now - settings.API_IDEMPOTENCY_TTL).delete()
    return deleted


@register_sweep("core_idempotency_purge", schedule=timedelta(hours=1))
def core_idempotency_purge(*, now: datetime) -> dict[str, int]:
    """Delete the stored answers of API writes older than ``API_IDEMPOTENCY_TTL``."""
    return {"deleted": idempotent_requests_purge(now=now)}
