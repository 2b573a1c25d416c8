"""The registrations CSV of an event: which rows and cells leave the portal (the privacy rules live here).

`coalition.exports.csv_response` writes it (formula guard, `;`, UTF-8 with BOM); the coordinator's
"Registrations (CSV)" view calls `registrations_csv`.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.exports import csv_response
from members.models import name_order

from .models import Registration


def registration_csv_header(event, questions=None):
    """The columns: who, their state, their coalition and its phase when they registered, then one per question."""
    questions = list(event.intake_questions.all()) if questions is None else questions
    return [
        _("Name"),
        _("E-mail address"),
        _("Organisation"),
        _("Discipline"),
        _("Function"),
        _("Guest"),
        _("State"),
        _("Waiting since"),
        _("Checked in"),
        _("On the participant list"),
        _("Coalition"),
        _("Phase of the coalition"),
        *[question.label for question in questions],
        _("Breakout session"),
    ]


def registration_csv_rows(event, questions=None):
    """One row per registration, cancelled ones too; the answers in the order of the event's questions, as text.

    Coordinators may see an e-mail address whatever its setting (members or coordinators); a profile that
    is no longer approved shows only what the registration kept, and an anonymised one nothing of the person.
    A guest's address is their own, given to register for this event. An expired guest registration says why.
    """
    questions = list(event.intake_questions.all()) if questions is None else questions
    registrations = (
        Registration.objects.filter(event=event)
        .select_related("profile__user", "coalition", "session")
        .order_by("state", *name_order("profile__"), "pk")  # by state, then the Dutch way; the anonymised last
    )
    for registration in registrations:
        profile = registration.profile
        state = registration.get_state_display()
        if registration.is_cancelled and registration.cancel_reason:
            state = f"{state} ({registration.get_cancel_reason_display()})"
        yield [
            registration.name,
            profile.user.email if profile and profile.is_approved else registration.email,
            registration.organisation_name,
            registration.discipline,
            registration.function,
            _("yes") if registration.is_guest else _("no"),
            state,
            timezone.localtime(registration.waiting_since).strftime("%d-%m-%Y %H:%M")
            if registration.waiting_since
            else "",
            _("yes") if registration.checked_in else _("no"),
            _("yes") if registration.consent_to_list else _("no"),
            registration.coalition.name if registration.coalition else "",
            registration.get_coalition_phase_display(),
            *[question.csv_cell((registration.answers or {}).get(str(question.pk))) for question in questions],
            registration.session.title if registration.session else "",
        ]


def registrations_csv(event):
    """The download of every registration of `event`."""
    questions = list(event.intake_questions.all())
    return csv_response(
        f"{event.slug}-registrations.csv",
        registration_csv_header(event, questions),
        registration_csv_rows(event, questions),
    )
