from reviews import apis_cases, apis_metrics, apis_reviews, apis_templates

urlpatterns = [
    *apis_reviews.urlpatterns,
    *apis_templates.urlpatterns,
    *apis_cases.urlpatterns,
    *apis_metrics.urlpatterns,
]
