"""Domain errors and their one mapping to HTTP.

Services raise ``DomainError`` subclasses with a machine-readable ``code`` (and the field at fault
when there is one); the API's exception handler turns them into 400 / 404 / 409 / 410 once, here.
"""

from typing import Any

from django.core.exceptions import BadRequest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    status_code: int = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field

    def as_data(self) -> dict[str, Any]:
        if self.field:
            return {self.field: [self.message], "code": self.code}
        return {"detail": self.message, "code": self.code}


class InvalidInput(DomainError):
    """The request asks for something impossible (e.g. a refund beyond what was captured)."""


class BadParameter(InvalidInput, BadRequest):
    """A query parameter no page or endpoint can read (not an id, a NUL character): the API's
    exception handler answers 400 naming ``field`` (a ``DomainError``), and Django the pages' 400
    (a ``BadRequest``, which ``core.views.handler400`` shows with the parameter at fault)."""


class StateConflict(DomainError):
    """The record is in a state that does not allow the action (e.g. a closed conversation)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


class Forbidden(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "forbidden"


class Gone(DomainError):
    """The record existed for the caller but is no longer usable (an expired survey link): 410."""

    status_code = status.HTTP_410_GONE
    default_code = "gone"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_data(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return exception_handler(exc, context)
