"""A member's data held by the journal and events apps, added to the members' data export (right of access)."""


def export_registrations(user):
    """The person's event registrations, with their answers and feedback."""
    from events.models import Registration

    registrations = (
        Registration.objects.filter(profile__user=user)
        .select_related("event", "feedback")
        .order_by("registered_at", "pk")
    )
    rows = []
    for registration in registrations:
        feedback = getattr(registration, "feedback", None)
        rows.append(
            {
                "event": registration.event.title,
                "state": registration.state,
                "registered_at": registration.registered_at.isoformat(),
                "name": registration.name,
                "organisation": registration.organisation_name,
                "coalition_progress": registration.coalition_progress,
                "answers": registration.answers,
                "appears_on_participant_list": registration.consent_to_list,
                "checked_in": registration.checked_in,
                "feedback": None
                if feedback is None
                else {"score": feedback.score, "valuable": feedback.valuable, "improve": feedback.improve},
            }
        )
    return rows


def export_tips(user):
    """The tips the person sent to the editorial team."""
    from journal.models import Tip

    return [
        {
            "what": tip.what,
            "who": tip.who,
            "why_now": tip.why_now,
            "name": tip.name,
            "email": tip.email,
            "phone": tip.phone,
            "organisation": tip.organisation_name,
            "state": tip.state,
        }
        for tip in Tip.objects.filter(sender=user).order_by("pk")
    ]


def export_subscription(user):
    """The person's journal and invitation subscription, found by account or by address."""
    from django.db.models import Q

    from journal.models import Subscriber

    subscriber = Subscriber.objects.filter(Q(user=user) | Q(email__iexact=user.email)).first()
    if subscriber is None:
        return None
    return {
        "email": subscriber.email,
        "name": subscriber.name,
        "receives_journal": subscriber.wants_journal,
        "receives_invitations": subscriber.wants_invitations,
        "confirmed_at": subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else None,
    }


EXPORTERS = [
    ("event_registrations", export_registrations),
    ("tips", export_tips),
    ("journal_subscription", export_subscription),
]
