"""The reviews pages: the buyer's reviews and cases, the seller's reviews (names are global, like
the inquiry pages')."""

from django.urls import URLPattern, URLResolver, path

from reviews import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reviews/", views.buyer_reviews, name="reviews"),
    path("reviews/new/", views.buyer_review_new, name="reviews-new"),
    path("reviews/<id:pk>/", views.buyer_review, name="review-detail"),
    path("reviews/<id:pk>/follow-up/", views.buyer_review_follow_up, name="review-follow-up"),
    path("reviews/cases/new/", views.buyer_case_new, name="review-cases-new"),
    path("reviews/cases/<id:pk>/", views.buyer_case, name="review-case"),
    path("seller/reviews/", views.seller_reviews, name="seller-reviews"),
    path("seller/reviews/<id:pk>/", views.seller_review, name="seller-review"),
    path("seller/reviews/templates/", views.seller_review_templates, name="seller-review-templates"),
    path("seller/reviews/templates/<id:pk>/", views.seller_review_template_edit, name="seller-review-template-edit"),
    path(
        "seller/reviews/templates/<id:pk>/archive/",
        views.seller_review_template_archive,
        name="seller-review-template-archive",
    ),
]
