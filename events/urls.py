"""URLs of the events."""

app_name = "events"
urlpatterns = []
