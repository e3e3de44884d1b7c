from inquiries import apis_conversations, apis_metrics

urlpatterns = [*apis_conversations.urlpatterns, *apis_metrics.urlpatterns]
