from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found, server_error

from core.exceptions import BadParameter, DomainError


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database readiness for load balancers and the compose healthcheck."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database error means "not ready"
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def _api_error(status: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def api_body_too_large() -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _api_error(413, f"The request body is larger than {limit} bytes.", "request_too_large")


@csrf_exempt  # it writes nothing; without this a POST would get CSRF's HTML 403 instead of the JSON 404
@never_cache
def api_not_found(request: HttpRequest, unmatched: str = "") -> JsonResponse:
    """Any /api/ path no route matches: a JSON 404 (never an HTML page, never the APPEND_SLASH
    redirect that would turn an integrator's POST into a GET), with a hint when only the slash is missing."""
    from django.urls import Resolver404, resolve

    detail = "Not found."
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "api-not-found":
            detail = f"Not found. Did you mean {request.path}/ (with the trailing slash)?"
    return _api_error(404, detail, "not_found")


def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400s (a ``BadRequest``, a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, too many form
    fields): the API's JSON (413 for the body) and a page that says what was wrong with the link
    when it is a parameter the page reads (``core.exceptions.BadParameter``)."""
    if is_api_request(request):
        if isinstance(exception, RequestDataTooBig):
            return api_body_too_large()
        if isinstance(exception, DomainError):
            return JsonResponse(exception.as_data(), status=400)
        return _api_error(400, "Bad request.", "bad_request")
    problem = f"{exception.field}: {exception.message}" if isinstance(exception, BadParameter) else None
    return render(request, "400.html", {"problem": problem}, status=400)


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(404, "Not found.", "not_found")
    return page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(500, "Server error.", "server_error")
    return server_error(request)
