from feedback.api import log, surveys

urlpatterns = [*surveys.urlpatterns, *log.urlpatterns]
