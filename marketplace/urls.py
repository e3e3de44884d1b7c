"""The buyer's own order pages (names are global, as the navigation uses them)."""

from django.urls import URLPattern, URLResolver, path

from marketplace import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("orders/", views.buyer_orders, name="orders"),
    path("orders/<id:pk>/", views.buyer_order, name="orders-detail-page"),
    path("orders/receipts/<id:pk>/resend/", views.buyer_receipt_resend, name="orders-receipt-resend-page"),
]
