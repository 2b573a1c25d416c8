"""URLs of groups (included under /groups/)."""


# from . import views  — the pages add their paths here

app_name = "groups"
urlpatterns = []
