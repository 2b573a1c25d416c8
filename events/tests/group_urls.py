"""The portal's URLs, with stand-ins for the groups' pages the group meetings link to until groups has them.

The group's page, an action's page and the link that stops a group's mails are the groups core's (issue 18); a
name groups.urls already has is used as it is, so this module changes nothing once they exist.
"""

from django.http import HttpResponse
from django.urls import URLResolver, include, path

from coalition.urls import urlpatterns as portal
from groups import urls as groups_urls


def _stand_in(request, **kwargs):
    return HttpResponse("stand-in")


_STAND_INS = [
    path("stop/<str:token>/", _stand_in, name="notifications_stop"),
    path("<slug:slug>/actions/<int:pk>/", _stand_in, name="action_detail"),
    path("<slug:slug>/", _stand_in, name="group_detail"),
]
_have = {pattern.name for pattern in groups_urls.urlpatterns if hasattr(pattern, "name")}
_groups = ([*groups_urls.urlpatterns, *(p for p in _STAND_INS if p.name not in _have)], "groups")

urlpatterns = [
    path("groups/", include(_groups))
    if isinstance(pattern, URLResolver) and getattr(pattern, "app_name", None) == "groups"
    else pattern
    for pattern in portal
]
handler403 = "coalition.views.permission_denied"
