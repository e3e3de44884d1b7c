from webhooks.api import views

urlpatterns = [*views.urlpatterns]
