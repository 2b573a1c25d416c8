"""allauth's account adapter: its mails go through the outbox, a new account becomes a pending member."""

from allauth.account.adapter import DefaultAccountAdapter

from coalition.mail import queue_rendered


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # allauth's context holds live objects (user, request), so its mails are rendered here,
        # in the request, and the outbox stores the finished text and HTML.
        message = self.render_mail(template_prefix, email, {"email": email, **context, **self._site_context()})
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

    def _site_context(self):
        from django.conf import settings

        return {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}

    def save_user(self, request, user, form, commit=True):
        from .services import create_pending_profile

        user = super().save_user(request, user, form, commit=commit)
        if commit:
            create_pending_profile(user)
        return user
