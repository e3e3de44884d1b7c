from inquiries.api import conversations, escalations, metrics, templates

urlpatterns = [
    *conversations.urlpatterns,
    *escalations.urlpatterns,
    *templates.urlpatterns,
    *metrics.urlpatterns,
]
