from royalty.api import views

urlpatterns = [*views.urlpatterns]
