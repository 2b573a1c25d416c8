"""The journal's demo data: every kind, every tip state, a current team; running twice changes nothing."""

import pytest

from journal import demo
from journal.models import Edition, EditorialMembership, Story, Subscriber, Tip
from members import demo as members_demo
from network import demo as network_demo

pytestmark = pytest.mark.django_db


def test_seed_is_complete_and_idempotent(client):
    members_demo.seed()
    network_demo.seed()
    demo.seed()

    def counts():
        follows = Subscriber.coalitions.through.objects.count()
        return [follows, *(model.objects.count() for model in (Edition, Story, Tip, EditorialMembership))]

    before = counts()
    demo.seed()
    assert counts() == before

    published = Edition.objects.published().order_by("number")
    assert published.count() >= 3
    assert "Kerst" in published.first().title
    assert set(Story.objects.published().values_list("kind", flat=True)) == set(Story.Kind.values)
    assert set(Tip.objects.values_list("state", flat=True)) == set(Tip.State.values)
    assert EditorialMembership.objects.current().count() >= 1
    # Some readers follow coalitions (their stories first in the mail), others the whole region.
    assert Subscriber.objects.filter(coalitions__isnull=False).exists()
    assert Subscriber.objects.confirmed().filter(coalitions__isnull=True).exists()
    magazine = Story.objects.published().filter(kind=Story.Kind.MAGAZINE).first()
    pdf = client.get(magazine.get_attachment_url())
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    page = client.get(published.first().get_absolute_url())
    assert published.first().title in page.text
    assert len(page.context["groups"]) >= 1
