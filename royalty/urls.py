"""The affiliate's pages (names are global, as the navigation uses them)."""

from django.urls import URLPattern, URLResolver, path

from royalty import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("seller/royalty/", views.seller_royalty, name="seller-royalty"),
    path("royalty/", views.affiliate_royalty, name="royalty"),
    path("royalty/statements/<id:pk>/", views.statement_detail, name="royalty-statement"),
]
