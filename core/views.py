from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found, server_error


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


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(404, "Not found.", "not_found")
    return page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(500, "Server error.", "server_error")
    return server_error(request)
