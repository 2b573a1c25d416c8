"""URLs of the directory, organisations and offerings."""

app_name = "members"
urlpatterns = []
