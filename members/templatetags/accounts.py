"""Tags of the account pages (allauth's templates in the portal's layout): why a visitor must log in, 2FA status."""

from allauth.mfa.utils import is_mfa_enabled
from django import template

from members.adapter import login_reason as _login_reason

register = template.Library()


@register.simple_tag(takes_context=True)
def login_reason(context):
    """Why the visitor was sent to log in, from the page they asked for (`next`); "" when there is nothing to say."""
    request = context.get("request")
    if request is None or request.user.is_authenticated:
        return ""
    return _login_reason(request.GET.get("next") or request.POST.get("next") or "")


@register.simple_tag
def has_two_factor(user):
    """Whether the account has two-factor authentication switched on (an authenticator app)."""
    return user.is_authenticated and is_mfa_enabled(user)
