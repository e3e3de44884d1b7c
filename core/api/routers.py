"""The API's router: record ids in its paths through the ``<id:pk>`` converter (``core.ids``), so
``/orders/²/``, ``/orders/0/`` and ``/orders/99999999999999999999/`` never reach a view (the API's
JSON 404 answers them) and a view's ``pk`` is always an id."""

from rest_framework.routers import SimpleRouter


class IdRouter(SimpleRouter):
    def __init__(self, trailing_slash: bool = True) -> None:
        super().__init__(trailing_slash=trailing_slash, use_regex_path=False)
        # A viewset's own ``lookup_value_converter`` still wins; every one here looks up by id.
        self._default_value_pattern = "id"
