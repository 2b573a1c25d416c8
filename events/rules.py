"""Who may do what with events, registrations, materials and invitations (django-rules; see coalition/rules.py)."""

import rules
from django.utils.translation import gettext_lazy as _

from coalition.rules import add_model_perms, explain, is_approved_member, is_coordinator

from .models import Registration


@rules.predicate
def is_participant_of(user, event):
    """A confirmed participant of the event who is still an approved, active member (their standing counts now)."""
    if event is None or not is_approved_member(user):
        return False
    return Registration.objects.confirmed().filter(event=event, profile__user=user).exists()


@rules.predicate
def is_own_registration(user, registration):
    # An anonymised registration (retention, deleted account) has no profile and belongs to nobody.
    return (
        registration is not None
        and registration.profile is not None
        and user.is_authenticated
        and registration.profile.user_id == user.pk
    )


@rules.predicate
def has_started(user, event):
    return event is not None and event.has_started


@rules.predicate
def is_open_for_registration(user, event):
    return event is not None and event.is_open_for_registration()


# Registering: approved members, while registration is open.
rules.add_perm("events.register", is_approved_member & is_open_for_registration)
rules.add_perm("events.cancel_registration", is_coordinator | (is_approved_member & is_own_registration))
rules.add_perm("events.view_own_registrations", is_approved_member)
# The meeting link, the participant list and the materials: confirmed participants and coordinators.
rules.add_perm("events.view_participants", is_coordinator | is_participant_of)
rules.add_perm("events.give_feedback", is_participant_of & has_started)
# The coordinator's tools of an event: invitations, check-in, the registrations export, results,
# materials, messages to participants and cancelling.
rules.add_perm("events.manage_event", is_coordinator)
rules.add_perm("events.send_invitations", is_coordinator)

# The admin.
rules.add_perm("events", is_coordinator)
for _model in ("event", "registration", "invitation", "material", "feedback", "optout", "eventmailing", "calendarfeed"):
    add_model_perms(
        f"events.{_model}", view=is_coordinator, add=is_coordinator, change=is_coordinator, delete=is_coordinator
    )

explain("events.register", _("Registering is open to approved members of the network while registration is open."))
explain("events.cancel_registration", _("Only the person who registered and coordinators can cancel a registration."))
explain("events.view_own_registrations", _("Registrations are for approved members of the network."))
explain("events.view_participants", _("Only confirmed participants of this event and coordinators see this."))
explain("events.give_feedback", _("Feedback is asked of the confirmed participants once the event has started."))
explain("events.manage_event", _("This is a coordinator's tool."))
explain("events.send_invitations", _("Only coordinators send invitations."))
