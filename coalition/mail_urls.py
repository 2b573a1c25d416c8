"""URLs of the outbox (unsubscribe links land in the apps that own the lists)."""

app_name = "mail"
urlpatterns = []
