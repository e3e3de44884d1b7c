from inquiries import apis_conversations, apis_escalations, apis_metrics, apis_templates

urlpatterns = [
    *apis_conversations.urlpatterns,
    *apis_escalations.urlpatterns,
    *apis_templates.urlpatterns,
    *apis_metrics.urlpatterns,
]
