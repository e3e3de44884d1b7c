from marketplace.api import billing, catalog, orders, users

urlpatterns = [*users.urlpatterns, *catalog.urlpatterns, *orders.urlpatterns, *billing.urlpatterns]
