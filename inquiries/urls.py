"""The inquiry pages: the buyer's messages and the seller dashboard (names are global, as the
navigation and the landing redirect use them)."""

from django.urls import URLPattern, URLResolver, path

from inquiries import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("messages/", views.buyer_conversation_list, name="messages"),
    path("messages/new/", views.buyer_conversation_new, name="messages-new"),
    path("messages/<id:pk>/", views.buyer_conversation, name="messages-thread"),
    path("messages/<id:pk>/close/", views.buyer_conversation_close, name="messages-close"),
    path("seller/", views.seller_dashboard, name="seller-dashboard"),
    path("seller/messages/", views.seller_messages, name="seller-inbox"),
    path("seller/conversations/<id:pk>/", views.seller_conversation, name="seller-conversation"),
    path(
        "seller/conversations/<id:pk>/exclude/", views.seller_conversation_exclude, name="seller-conversation-exclude"
    ),
    path("seller/quick-replies/", views.quick_replies, name="seller-quick-replies"),
    path("seller/quick-replies/<id:pk>/", views.quick_reply_edit, name="seller-quick-reply-edit"),
    path("seller/quick-replies/<id:pk>/delete/", views.quick_reply_delete, name="seller-quick-reply-delete"),
]
