from helpdesk.api import articles, tickets

urlpatterns = [*tickets.urlpatterns, *articles.urlpatterns]
