"""What every page's template knows: the site's name and the visitor's roles."""

from django.conf import settings

from .roles import is_approved_member, is_coordinator, is_editor


def portal(request):
    user = request.user
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "is_coordinator": is_coordinator(user),
        "is_editor": is_editor(user),
        "is_approved_member": is_approved_member(user),
    }
