"""The registrations CSV of an event: which rows and cells leave the portal (the privacy rules live here).

`coalition.exports.csv_response` writes it (formula guard, `;`, UTF-8 with BOM); the coordinator's
"Registrations (CSV)" view calls `registrations_csv`.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.exports import csv_response
from members.models import name_order

from .models import Registration


def registration_csv_header(event):
    return [
        _("Name"),
        _("E-mail address"),
        _("Organisation"),
        _("Discipline"),
        _("State"),
        _("Waiting since"),
        _("Checked in"),
        _("On the participant list"),
        *event.questions(),
        _("Breakout session"),
    ]


def registration_csv_rows(event):
    """One row per registration, cancelled ones too; the answers in the order of `event.questions()`.

    Coordinators may see an e-mail address whatever its setting (members or coordinators); a profile that
    is no longer approved shows only what the registration kept, and an anonymised one nothing of the person.
    """
    extra_questions = event.questions()[1:]
    registrations = (
        Registration.objects.filter(event=event)
        .select_related("profile__user", "session")
        .order_by("state", *name_order("profile__"), "pk")  # by state, then the Dutch way; the anonymised last
    )
    for registration in registrations:
        profile = registration.profile
        yield [
            registration.name,
            profile.user.email if profile and profile.is_approved else "",
            registration.organisation_name,
            registration.discipline,
            registration.get_state_display(),
            timezone.localtime(registration.waiting_since).strftime("%d-%m-%Y %H:%M")
            if registration.waiting_since
            else "",
            _("yes") if registration.checked_in else _("no"),
            _("yes") if registration.consent_to_list else _("no"),
            registration.coalition_progress,
            *[registration.answers.get(question, "") for question in extra_questions],
            registration.session.title if registration.session else "",
        ]


def registrations_csv(event):
    """The download of every registration of `event`."""
    return csv_response(f"{event.slug}-registrations.csv", registration_csv_header(event), registration_csv_rows(event))
