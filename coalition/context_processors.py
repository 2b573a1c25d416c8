"""What every page's template knows: the site's name and the visitor's roles."""

from allauth.mfa.models import Authenticator
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
        "suggest_two_factor": _lacks_two_factor(user),
    }


def _lacks_two_factor(user):
    """Staff accounts can change member data: nudge them until they have enrolled in TOTP."""
    if not (user.is_authenticated and user.is_staff):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
