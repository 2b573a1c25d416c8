"""What the journal adds to a coalition's page (the network is a lower layer and never imports the journal).

Registered in JournalConfig.ready() into network.sections.PAGE_SECTIONS.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from network.sections import Section

from .models import Edition, Story

COALITION_PAGE_STORIES = 5


def coalition_stories(coalition, user):
    """The newest published stories that mention the coalition, themselves or through their edition; one query."""
    stories = list(
        Story.objects.published()
        .filter(
            # Subqueries rather than joins: a story tagged and in a tagged edition is listed once.
            Q(pk__in=Story.coalitions.through.objects.filter(coalition=coalition).values("story"))
            | Q(edition__in=Edition.coalitions.through.objects.filter(coalition=coalition).values("edition"))
        )
        .select_related("edition")
        .order_by("-edition__published_at", "-edition__number", "order", "pk")[:COALITION_PAGE_STORIES]
    )
    if not stories:
        return None
    return Section(
        title=_("In the journal"), template="journal/includes/coalition_stories.html", context={"stories": stories}
    )
