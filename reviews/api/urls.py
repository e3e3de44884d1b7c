from reviews.api import cases, metrics, reviews, templates

urlpatterns = [
    *reviews.urlpatterns,
    *templates.urlpatterns,
    *cases.urlpatterns,
    *metrics.urlpatterns,
]
