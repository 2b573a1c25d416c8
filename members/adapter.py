"""allauth's account adapter (its mails go through the outbox, a new account becomes a pending member) and what the
login page tells a visitor sent there from a members-only page."""

from types import SimpleNamespace
from urllib.parse import urlparse, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy

from coalition.mail import queue_rendered, render_text

from .services import create_pending_profile


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # allauth's context holds live objects (user, request), so its mails are rendered here,
        # in the request, and the outbox stores the finished text and HTML (a text-only mail
        # gets its HTML part from the outbox's layout when it is sent).
        request = allauth_context.request
        ctx = {
            "request": request,
            "email": email,
            # allauth's templates greet with current_site.name: the portal's name, not its host.
            "current_site": SimpleNamespace(name=settings.SITE_NAME, domain=urlparse(settings.SITE_URL).netloc),
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            **context,
        }
        # Rendered as allauth's render_mail() would, but the subject and text part through the
        # outbox's render_text(): plain text is never HTML-escaped (no `&amp;` in names or links).
        subject = " ".join(render_text(f"{template_prefix}_subject.txt", ctx).split())
        try:
            html = render_to_string(f"{template_prefix}_message.html", ctx, request).strip()
        except TemplateDoesNotExist:
            html = ""
        queue_rendered(
            to=email,
            subject=self.format_email_subject(subject),
            body_text=render_text(f"{template_prefix}_message.txt", ctx, request).strip(),
            body_html=html,
            description=template_prefix.rsplit("/", 1)[-1].replace("_", " "),
        )

    def save_user(self, request, user, form, commit=True):
        # allauth has set the names from the signup form; the pending profile takes them and where the person works
        # (members.forms.SignupForm), the one place it is made.
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            details = form.profile_details() if hasattr(form, "profile_details") else {}
            create_pending_profile(user, **details)
        return user


# What the login page tells a visitor sent there from a members-only page, by the permission that page names
# (coalition.access.permission_required). One mapping for the whole portal; a protected page not named here gets
# the general sentence.
LOGIN_REASONS = {
    "members.view_directory": gettext_lazy("The member directory is for members only. Log in or create an account."),
    "members.manage_own_account": gettext_lazy("Log in to see and change your profile and account."),
    "events.view_own_registrations": gettext_lazy("Log in to see your registrations for events."),
    "events.keep_calendar_feed": gettext_lazy("Log in to see your registrations for events."),
    "journal.manage_own_subscription": gettext_lazy("Log in to manage your subscription to the journal."),
}
MEMBERS_ONLY = gettext_lazy("This page is for members only. Log in or create an account.")


def login_reason(next_url):
    """The sentence for a visitor whom a members-only page sent to log in; "" for any other `next` (or none)."""
    path = urlsplit(next_url).path
    if not path:
        return ""
    try:
        view = resolve(path).func
    except Resolver404:
        return ""
    permission = getattr(view, "permission_required", None)
    if permission is None or AnonymousUser().has_perm(permission):
        return ""
    return str(LOGIN_REASONS.get(permission, MEMBERS_ONLY))
