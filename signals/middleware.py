"""On logging out, the browser forgets the signal cards its service worker kept (static/js/signals-sw.js)."""

from django.urls import reverse


class ClearSignalCacheOnLogout:
    """Adds Clear-Site-Data to the logout's answer: the cached cards name other people and end with the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST" and request.path == reverse("account_logout") and response.status_code < 400:
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response
