from helpdesk.api import tickets

urlpatterns = [*tickets.urlpatterns]
