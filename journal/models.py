"""The community journal: editions, stories, tips, the editorial team and subscribers."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EditionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=Edition.State.PUBLISHED, published_at__lte=timezone.now())


class Edition(models.Model):
    """One edition of the community journal."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("Ready for review")
        APPROVED = "approved", _("Approved")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")

    number = models.PositiveIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    introduction = models.TextField(_("introduction"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("publication date and time"), null=True, blank=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        permissions = [("publish_edition", _("Can publish and mail an edition"))]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("journal:edition_detail", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        return self.state == self.State.PUBLISHED and self.published_at is not None and self.published_at <= timezone.now()
