"""allauth's account adapter: its mails go through the outbox, a new account becomes a pending member."""

from types import SimpleNamespace
from urllib.parse import urlparse

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

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
        # allauth has set the names from the signup form; the pending profile takes them (the one place it is made).
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            create_pending_profile(user)
        return user
