"""Factories of the journal's tests (with the few member records the journal points at)."""

from datetime import timedelta

import factory
from django.utils import timezone

from members.tests.factories import OrganisationFactory, ProfileFactory, UserFactory  # noqa: F401 - shared with this app's tests

from ..models import Edition, EditorialMembership, State, Story, Subscriber, Tip


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition

    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Edition title {n}")
    slug = factory.Sequence(lambda n: f"edition-{n}")
    introduction = "Stories from the chain."
    state = State.DRAFT

    class Params:
        published = factory.Trait(
            state=State.PUBLISHED, published_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
        )


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Story

    edition = factory.SubFactory(EditionFactory)
    kind = Story.Kind.ARTICLE
    title = factory.Sequence(lambda n: f"Story {n}")
    slug = factory.Sequence(lambda n: f"story-{n}")
    lead = "A lead that invites reading."
    body = "Some **bold** text."
    state = State.DRAFT


class TipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tip

    what = factory.Sequence(lambda n: f"A midwife with a practice worth showing ({n})")
    name = "Visitor"
    email = factory.Sequence(lambda n: f"visitor{n}@example.net")


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.net")
    name = factory.Sequence(lambda n: f"Reader {n}")
    confirmed_at = factory.LazyFunction(timezone.now)


class EditorialMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EditorialMembership

    user = factory.SubFactory(UserFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))


def published_edition(*, stories=2, **kwargs):
    edition = EditionFactory(published=True, **kwargs)
    for _ in range(stories):
        StoryFactory(edition=edition, state=State.PUBLISHED, published_at=edition.published_at)
    return edition


def approved_edition(*, stories=1, **kwargs):
    """An approved edition with approved stories: ready to be published (and mailed)."""
    edition = EditionFactory(state=State.APPROVED, **kwargs)
    for _ in range(stories):
        StoryFactory(edition=edition, state=State.APPROVED)
    return edition


def publish_and_mail(edition, *, by):
    """Publish and mail an edition the only way there is: through its check step, confirmed as it was shown.
    Returns the mailing."""
    from coalition.checkstep import confirm_check  # noqa: PLC0415 — test helper: the app registry is ready by now
    from journal.mailings import open_edition_check  # noqa: PLC0415 — test helper: the app registry is ready by now

    check = open_edition_check(edition, by=by)
    return confirm_check(check, by=by, fingerprint=check.fingerprint)


def schedule_with_mail(edition, *, at, by):
    """Schedule an edition to be published and mailed at `at`, through its check step (confirm = schedule)."""
    from coalition.checkstep import confirm_check  # noqa: PLC0415 — test helper: the app registry is ready by now
    from journal.mailings import open_edition_check  # noqa: PLC0415 — test helper: the app registry is ready by now

    Edition.objects.filter(pk=edition.pk).update(published_at=at)
    edition.refresh_from_db()
    check = open_edition_check(edition, by=by, schedule=True)
    confirm_check(check, by=by, fingerprint=check.fingerprint)
    check.refresh_from_db()
    return check
