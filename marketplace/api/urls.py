from marketplace.api import billing, catalog, orders

urlpatterns = [*catalog.urlpatterns, *orders.urlpatterns, *billing.urlpatterns]
