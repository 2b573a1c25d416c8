"""URLs of the community journal."""

app_name = "journal"
urlpatterns = []
