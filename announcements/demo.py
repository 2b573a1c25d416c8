"""Demo data of the announcements: two sent ones (a regional one, one to Borsele's outer circle) and a draft."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from coalition.mail import absolute_url, new_message_id
from coalition.models import Delivery, Mailing
from network.audiences import Segment, people_of
from network.models import Circle, Coalition

from .mailings import TOPIC, announcement_description, unsubscribe_link_maker
from .models import Announcement

REGIONAL_COORDINATOR = "coordinator@example.org"
COALITION_COORDINATOR = "coalition@example.org"

# (subject, body, call to action (label, url), coalition slug or None, circle, days ago sent or None for a draft)
ANNOUNCEMENTS = [
    (
        "De halfjaarlijkse partnerbijeenkomst verhuist",
        "De bijeenkomst van alle partners is dit keer in **Wijkcentrum De Brug**, niet in het gemeentehuis.\n\n"
        "- zelfde datum en tijd\n- parkeren kan achter het wijkcentrum\n\nTot dan!",
        ("Bekijk de bijeenkomst", "https://example.org/bijeenkomst"),
        None,
        "",
        9,
    ),
    (
        "De nieuwe klantroute voor ouders staat online",
        "Vanaf vandaag vinden ouders in Borsele al het aanbod rond de zwangerschap en de eerste jaren op één plek.\n\n"
        "Wil je dat jouw organisatie erin staat? Laat het ons weten.",
        ("Naar de klantroute", "https://example.org/klantroute"),
        "borsele",
        Circle.OUTER,
        3,
    ),
    (
        "Conceptagenda voor het voorjaar",
        "Een eerste opzet van de agenda; nog niet verstuurd.",
        ("", ""),
        "borsele",
        "",
        None,
    ),
]


def seed(*, stdout=None):
    """Create the demo announcements once (by subject); sent ones get a finished mailing with sent deliveries."""
    users = get_user_model().objects.in_bulk([REGIONAL_COORDINATOR, COALITION_COORDINATOR], field_name="email")
    coalitions = Coalition.objects.in_bulk(["borsele"], field_name="slug")
    link = unsubscribe_link_maker(TOPIC)
    created = 0
    for subject, body, (label, url), slug, circle, days_ago in ANNOUNCEMENTS:
        if Announcement.objects.filter(subject=subject).exists():
            continue
        coalition = coalitions.get(slug) if slug else None
        if slug and coalition is None:
            continue
        segment = Segment(coalitions=(coalition.pk,), circle=circle) if coalition else Segment(all_members=True)
        author = users.get(COALITION_COORDINATOR if coalition else REGIONAL_COORDINATOR)
        announcement = Announcement.objects.create(
            coalition=coalition,
            subject=subject,
            body=body,
            cta_label=label,
            cta_url=url,
            segment=segment.to_params(),
            created_by=author,
        )
        created += 1
        if days_ago is None:
            continue
        sent_at = timezone.now() - timedelta(days=days_ago)
        people, _left_out = people_of(segment)
        mailing = Mailing.objects.create(
            kind=Mailing.Kind.ANNOUNCEMENT,
            state=Mailing.State.SENT,
            template="announcements/announcement",
            context={
                "subject": subject,
                "body_text": body,
                "body_html": announcement.body_html,
                "cta_label": label,
                "cta_url": url,
                "coalition_name": coalition.name if coalition else "",
                "read_url": absolute_url(announcement.get_absolute_url()),
                "attachment_name": "",
                "attachment_url": "",
            },
            description=announcement_description(subject),
            created_by=author,
            queued_at=sent_at,
            finished_at=sent_at,
        )
        Delivery.objects.bulk_create(
            Delivery(
                mailing=mailing,
                address=person.email,
                name=person.name,
                context={"unsubscribe_url": person.unsubscribe_url or link(person.email)},
                state=Delivery.State.SENT,
                attempts=1,
                sent_at=sent_at,
                message_id=new_message_id(),
            )
            for person in people
        )
        Announcement.objects.filter(pk=announcement.pk).update(
            sent_at=sent_at, mailing=mailing, recipient_count=len(people)
        )
    if stdout is not None and created:
        stdout.write(f"Created {created} announcements.")
