"""Who may do what with events, registrations, materials and invitations (django-rules; see coalition/rules.py)."""

import rules
from django.utils.translation import gettext_lazy as _

from coalition.rules import add_model_perms, explain, is_active_user, is_approved_member, is_coordinator
from groups.models import Group
from groups.rules import is_group_member
from network.rules import coordinated_coalition_ids

from .models import Registration


@rules.predicate
def is_public_event(user, event):
    """Published and cancelled events are public (a cancelled one stays, so people see it was cancelled)."""
    return event is not None and not event.is_draft


@rules.predicate
def coordinates_coalition_of_event(user, event):
    """A coordinator of the coalition the event belongs to (a regional event has none: regional coordinators only).

    Without an event it is False, so the admin and other object-less questions stay with regional coordinators.
    """
    return (
        event is not None and event.coalition_id is not None and event.coalition_id in coordinated_coalition_ids(user)
    )


# A coalition's events are managed by its coordinators; regional coordinators manage all.
manages_event = is_coordinator | coordinates_coalition_of_event


@rules.predicate
def is_participant_of(user, event):
    """A confirmed participant of the event who is still an approved, active member (their standing counts now)."""
    if event is None or not is_approved_member(user):
        return False
    return Registration.objects.confirmed().filter(event=event, profile__user=user).exists()


@rules.predicate
def is_participant_of_materials_event(user, material):
    return material is not None and is_participant_of(user, material.event)


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
def manages_event_of_registration(user, registration):
    return registration is not None and manages_event.test(user, registration.event)


@rules.predicate
def has_certificate(user, registration):
    """Checked in at an event that took place (Registration.has_certificate), personal data still there."""
    return registration is not None and registration.has_certificate and not registration.is_anonymised


@rules.predicate
def has_started(user, event):
    return event is not None and event.has_started


@rules.predicate
def is_open_to_guests(user, event):
    return event is not None and event.open_to_guests


@rules.predicate
def has_profile(user):
    return getattr(user, "profile", None) is not None


@rules.predicate
def is_group_only(user, event):
    """A group's own meeting: seen and attended by those who see inside the group only."""
    return event is not None and event.group_id is not None and event.group_only


@rules.predicate
def reaches_viewer(user, event):
    """Any event but a group's own meeting, which reaches those who see inside its group (groups.view_inside);
    without an event, True (the object-less question of the role). Event.objects.visible_to asks it of many."""
    return not is_group_only(user, event) or user.has_perm("groups.view_inside", event.group)


@rules.predicate
def manages_meeting_group(user, event):
    """Manages the group whose meeting this is (groups.manage_group): its coordinators and its coalition's."""
    return event is not None and event.group_id is not None and user.has_perm("groups.manage_group", event.group)


@rules.predicate
def sees_inside_meeting_group(user, event):
    return event is not None and event.group_id is not None and user.has_perm("groups.view_inside", event.group)


@rules.predicate
def is_member_of_meeting_group(user, event):
    """An active member of the group whose meeting this is (a group coordinator too)."""
    return event is not None and event.group_id is not None and is_group_member(user, event.group)


@rules.predicate
def is_case_consultation_meeting(user, event):
    return event is not None and event.group_id is not None and event.group.kind == Group.Kind.CASE_CONSULTATION


@rules.predicate
def takes_cases(user, event):
    """A published case consultation meeting that has not started: cases are put to a coming meeting."""
    return is_case_consultation_meeting(user, event) and event.is_published and not event.has_started


@rules.predicate
def manages_case_group(user, case):
    return case is not None and manages_meeting_group(user, case.event)


@rules.predicate
def manages_group(user, group):
    return isinstance(group, Group) and user.has_perm("groups.manage_group", group)


@rules.predicate
def has_no_registrations(user, event):
    return event is None or not event.registrations.exists()


# An event's page and calendar file: drafts only for coordinators, a group's own meeting only for those who see
# inside the group (Event.objects.visible_to says the same).
rules.add_perm("events.view_event_page", is_coordinator | (is_public_event & reaches_viewer))
# Registering: approved members (for a group's own meeting, those who see inside the group). Whether this event
# takes registrations now (published, not started, within its registration window, seats or a waiting list) the
# service answers, with the reason.
rules.add_perm("events.register", is_approved_member & reaches_viewer)
# Giving up one's seat is always one's own right (also after being declined: it frees the seat for others).
rules.add_perm("events.cancel_registration", is_coordinator | (is_active_user & is_own_registration))
# Choosing a breakout session: the person who registered (the service says until when), or whoever manages the event.
rules.add_perm(
    "events.choose_session", manages_event_of_registration | (is_active_user & is_approved_member & is_own_registration)
)
rules.add_perm("events.view_own_registrations", is_approved_member)
# Guests (no member account) register for a published event open to them; an approved member registers as a
# member (the guest form sends them there). Whether it takes registrations now the service says.
rules.add_perm("events.register_as_guest", is_public_event & is_open_to_guests & ~is_approved_member & ~is_group_only)
# The secret calendar address belongs to a member's profile.
rules.add_perm("events.keep_calendar_feed", is_approved_member & has_profile)
# The meeting link, the participant list and the materials: confirmed participants and coordinators.
rules.add_perm("events.view_participants", manages_event | is_participant_of)
rules.add_perm("events.download_material", is_coordinator | is_participant_of_materials_event)
rules.add_perm("events.give_feedback", is_participant_of & has_started)
# A certificate of attendance: for the person who was checked in (whatever their standing now: they attended),
# and for those who manage the event. The verification page by code and the signed link need no rule: the code
# and the token are the permission.
rules.add_perm(
    "events.download_certificate",
    has_certificate & ((is_active_user & is_own_registration) | manages_event_of_registration),
)
# The coordinator's tools of an event: invitations, check-in, the registrations export, results,
# materials, messages to participants, the overview, breakout sessions and cancelling.
rules.add_perm("events.manage_event", manages_event)
rules.add_perm("events.send_invitations", manages_event)

# A group's meetings (issue 18): those who manage the group plan them and write and send their notes; those who see
# inside the group read the notes and the cases. A case is put to a coming case consultation meeting by its
# members; the advice is recorded by those who manage the group.
rules.add_perm("events.plan_group_meeting", is_approved_member & manages_group)
rules.add_perm("events.write_notes", is_approved_member & manages_meeting_group)
rules.add_perm("events.view_notes", is_approved_member & sees_inside_meeting_group)
rules.add_perm("events.submit_case", is_approved_member & is_member_of_meeting_group & takes_cases)
rules.add_perm("events.view_cases", is_approved_member & sees_inside_meeting_group & is_case_consultation_meeting)
rules.add_perm("events.record_advice", is_approved_member & manages_case_group)

# The admin.
rules.add_perm("events", is_coordinator)
# An event people registered for is cancelled (everyone is told), never silently deleted.
add_model_perms(
    "events.event",
    view=is_coordinator,
    add=is_coordinator,
    change=is_coordinator,
    delete=is_coordinator & has_no_registrations,
)
# Registering goes through the service (seats, waiting list, mail), and a deleted registration would free
# its seat without moving anyone up: registrations are cancelled, never added or deleted by hand.
add_model_perms("events.registration", view=is_coordinator, change=is_coordinator)
# The outbox's record of what was mailed about an event: read only.
add_model_perms("events.eventmailing", view=is_coordinator)
add_model_perms("events.meetingnotes", view=is_coordinator, change=is_coordinator, delete=is_coordinator)
# A case is submitted and advised on the site; the admin only reads it (or removes one that holds client data).
add_model_perms("events.case", view=is_coordinator, delete=is_coordinator)
for _model in (
    "invitation",
    "material",
    "calendarfeed",
    "series",
    "intakequestion",
    "session",
    "programmeitem",
):
    add_model_perms(
        f"events.{_model}", view=is_coordinator, add=is_coordinator, change=is_coordinator, delete=is_coordinator
    )

explain("events.register", _("Registration is open to approved members of the network."))
explain("events.register_as_guest", _("This event is not open to guests."))
explain("events.cancel_registration", _("Only the person who registered and coordinators can cancel a registration."))
explain(
    "events.choose_session",
    _("Only the person who registered and the event's coordinators can choose a breakout session."),
)
explain("events.view_own_registrations", _("Registrations are for approved members of the network."))
explain("events.view_participants", _("Only confirmed participants of this event and coordinators see this."))
explain("events.download_material", _("Only confirmed participants of this event and coordinators see this."))
explain("events.keep_calendar_feed", _("A calendar feed belongs to the member profile of an approved member."))
explain("events.give_feedback", _("Feedback is asked of the confirmed participants once the event has started."))
explain(
    "events.download_certificate",
    _("A certificate of attendance is for participants who were checked in, once the event has taken place."),
)
explain("events.manage_event", _("This is a coordinator's tool."))
explain("events.plan_group_meeting", _("A group's meetings are planned by its coordinators and its coalition's."))
explain("events.write_notes", _("A meeting's notes are written by the coordinators of its group and its coalition."))
explain(
    "events.view_notes",
    _("A meeting's notes are for the group's members and the coordinators of its coalition and the region."),
)
explain(
    "events.submit_case",
    _("Cases are put to a coming meeting of a case consultation by the members of that consultation."),
)
explain(
    "events.view_cases",
    _("A consultation's cases are for its members and the coordinators of its coalition and the region."),
)
explain("events.record_advice", _("The advice is recorded by the consultation's coordinators."))
explain("events.send_invitations", _("Only coordinators send invitations."))
