"""The journal's Atom feed: published editions, newest first."""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import Edition, strip_xml_invalid

FEED_SIZE = 20


class EditionFeed(Feed):
    """Text is cleaned when it is saved; rows saved before that may still hold a character XML cannot
    carry, so the feed cleans what it writes too: one pasted control character must not take it down."""

    feed_type = Atom1Feed
    title = _("Community journal")
    subtitle = _("Editions of the community journal of the Kansrijke Start coalition.")
    link = reverse_lazy("journal:edition_list")

    def items(self):
        return Edition.objects.published().prefetch_related("stories").order_by("-published_at", "-number")[:FEED_SIZE]

    def item_title(self, item):
        return strip_xml_invalid(str(item))

    def item_description(self, item):
        titles = [story.title for story in item.stories.all() if story.state == Edition.State.PUBLISHED]
        text = item.introduction
        if titles:
            text += "\n\n" + _("In this edition:") + " " + "; ".join(titles)
        return strip_xml_invalid(text)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at
