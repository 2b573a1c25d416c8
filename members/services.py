"""Operations on members: creating, approving and declining profiles."""

from django.db import transaction
from django.utils import timezone

from .models import Profile


@transaction.atomic
def create_pending_profile(user, *, first_name="", last_name=""):
    """Give a new account its profile, awaiting a coordinator's approval."""
    profile, _created = Profile.objects.get_or_create(
        user=user,
        defaults={
            "first_name": first_name or user.first_name,
            "last_name": last_name or user.last_name,
            "status": Profile.Status.PENDING,
            "details_confirmed_at": timezone.now(),
        },
    )
    return profile
