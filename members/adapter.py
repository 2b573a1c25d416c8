"""allauth's account adapter: its mails go through the outbox, a new account becomes a pending member."""

from types import SimpleNamespace
from urllib.parse import urlparse

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings

from coalition.mail import queue_rendered


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # allauth's context holds live objects (user, request), so its mails are rendered here,
        # in the request, and the outbox stores the finished text and HTML (a text-only mail
        # gets its HTML part from the outbox's layout when it is sent).
        ctx = {
            "request": allauth_context.request,
            "email": email,
            # allauth's templates greet with current_site.name: the portal's name, not its host.
            "current_site": SimpleNamespace(name=settings.SITE_NAME, domain=urlparse(settings.SITE_URL).netloc),
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            **context,
        }
        message = self.render_mail(template_prefix, email, ctx)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        queue_rendered(
            to=email,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            description=template_prefix.rsplit("/", 1)[-1].replace("_", " "),
        )

    def save_user(self, request, user, form, commit=True):
        from .services import create_pending_profile

        user = super().save_user(request, user, form, commit=commit)
        if commit:
            create_pending_profile(user)
        return user
