"""The preview and visibility routes (``/api/v1/``); the statements' routes are in ``urls``."""

from royalty.api import preview, visibility

urlpatterns = [*preview.urlpatterns, *visibility.urlpatterns]
